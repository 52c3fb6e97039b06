//! The README's commands are tests: every `cargo run --release -- ...` line in
//! a sh block of README.md runs through the built binary (in a temporary
//! folder) and must succeed.

use assert_cmd::Command;

#[test]
fn readme_commands_run() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let dir = tempfile::tempdir().unwrap();
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
