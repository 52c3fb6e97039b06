//! The README's commands are tests: every `cargo run --release -- ...` line in
//! a sh block of README.md runs through the built binary (in a temporary
//! folder) and must succeed.

use assert_cmd::Command;

#[test]
fn readme_commands_run() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    // Commands may name the repository's data files (experiment plans).
    std::os::unix::fs::symlink(
        concat!(env!("CARGO_MANIFEST_DIR"), "/data"),
        dir.path().join("data"),
    )
    .unwrap();
    let mut ran = 0;
    for line in readme.lines() {
        let Some(rest) = line.trim().strip_prefix("cargo run --release -- ") else {
            continue;
        };
        let rest = rest.split("  #").next().unwrap().trim();
        let args = shell_words(rest);
        let out = Command::cargo_bin("inrsamp")
            .unwrap()
            .current_dir(dir.path())
            .args(&args)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "README command failed: {rest}\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        ran += 1;
    }
    assert!(
        ran >= 3,
        "expected the README to show at least 3 commands, found {ran}"
    );
}

/// Splits on spaces, keeping double-quoted words together.
fn shell_words(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    for ch in s.chars() {
        match ch {
            '"' => quoted = !quoted,
            ' ' if !quoted => {
                if !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                }
            }
            c => cur.push(c),
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// The README's library snippet is the doctest of `src/lib.rs` (whose
/// hidden `#` lines wrap it in a function): the visible lines must match.
#[test]
fn readme_library_snippet_is_the_doctest() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let lib = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/src/lib.rs")).unwrap();
    let start = readme
        .find("## Library\n\n```rust\n")
        .expect("README has a Library section")
        + 20;
    let end = start + readme[start..].find("```").unwrap();
    let snippet: Vec<&str> = readme[start..end].lines().collect();
    let doc: Vec<String> = lib
        .lines()
        .filter_map(|l| l.strip_prefix("//!"))
        .map(|l| l.strip_prefix(' ').unwrap_or(l).to_string())
        .collect();
    let open = doc
        .iter()
        .position(|l| l.starts_with("## Library use"))
        .expect("lib.rs documents the library use");
    let visible: Vec<&str> = doc[open + 2..]
        .iter()
        .take_while(|l| !l.starts_with("```"))
        .filter(|l| !l.starts_with('#'))
        .map(|l| l.as_str())
        .collect();
    assert_eq!(snippet, visible);
}
