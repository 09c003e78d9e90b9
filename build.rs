//! Records the git commit copybench is built from, so a result names the code that measured it
//! (read at run time from the source directory, it would name whatever is checked out then, or
//! nothing once the binary is installed elsewhere).

use std::process::Command;

fn git(args: &[&str]) -> Option<String> {
    let output = Command::new("git").args(args).output().ok()?;
    output
        .status
        .success()
        .then(|| String::from_utf8_lossy(&output.stdout).trim().to_owned())
        .filter(|text| !text.is_empty())
}

fn main() {
    // Rebuilt when a commit is made or the index changes, and when any source changes (so
    // `-dirty` follows the tree).
    for path in ["HEAD", "index"] {
        if let Some(file) = git(&["rev-parse", "--git-path", path]) {
            println!("cargo:rerun-if-changed={file}");
        }
    }
    if let Some(branch) = git(&["symbolic-ref", "-q", "HEAD"]) {
        if let Some(file) = git(&["rev-parse", "--git-path", &branch]) {
            println!("cargo:rerun-if-changed={file}");
        }
    }
    for dir in [
        "src",
        "engine/src",
        "harness/src",
        "reports/src",
        "result/src",
        "build.rs",
    ] {
        println!("cargo:rerun-if-changed={dir}");
    }
    let commit = git(&["rev-parse", "HEAD"]).map(|commit| {
        match git(&["status", "--porcelain", "--untracked-files=no"]) {
            Some(_) => format!("{commit}-dirty"),
            None => commit,
        }
    });
    // Empty when not built from a git checkout: the result then says null.
    println!(
        "cargo:rustc-env=COPYBENCH_GIT_COMMIT={}",
        commit.unwrap_or_default()
    );
}
