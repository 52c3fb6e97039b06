//! Records the git revision in the binary (`INRSAMP_REVISION`), for the
//! records of `inrsamp sweep`. Without git (a source tarball) nothing is set
//! and the records carry the package version instead.

fn main() {
    println!("cargo:rerun-if-changed=.git/HEAD");
    println!("cargo:rerun-if-changed=.git/refs/heads");
    let rev = std::process::Command::new("git")
        .args(["rev-parse", "--short", "HEAD"])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string());
    if let Some(rev) = rev.filter(|r| !r.is_empty()) {
        println!("cargo:rustc-env=INRSAMP_REVISION={rev}");
    }
}
