//! Records the git revision in the binary (`INRSAMP_REVISION`), for the
//! records of `inrsamp sweep`, with `-dirty` when tracked files differ from
//! that revision (a binary built from uncommitted changes must not claim a
//! commit it does not match). Without git (a source tarball) nothing is set
//! and the records carry the package version instead.

fn git(args: &[&str]) -> Option<String> {
    std::process::Command::new("git")
        .args(args)
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
}

fn main() {
    println!("cargo:rerun-if-changed=.git/HEAD");
    println!("cargo:rerun-if-changed=.git/refs/heads");
    println!("cargo:rerun-if-changed=.git/index");
    // Any source edit re-runs this script, so that `-dirty` follows it.
    for dir in ["src", "Cargo.toml", "Cargo.lock", "build.rs"] {
        println!("cargo:rerun-if-changed={dir}");
    }
    if let Some(rev) = git(&["rev-parse", "--short", "HEAD"]).filter(|r| !r.is_empty()) {
        let dirty = git(&[
            "status",
            "--porcelain",
            "--untracked-files=no",
            "--",
            "src",
            "Cargo.toml",
            "Cargo.lock",
            "build.rs",
        ])
        .is_some_and(|s| !s.is_empty());
        let rev = if dirty { format!("{rev}-dirty") } else { rev };
        println!("cargo:rustc-env=INRSAMP_REVISION={rev}");
    }
}
