//! Shared set-up for the engine's integration tests.
#![allow(dead_code)] // each test binary uses a different part

use std::path::{Path, PathBuf};

use copybench_engine::{copy_file, CopyOptions, CopyReport, Mode, Strategy};

/// A temporary directory on the filesystem of the system temp dir.
pub struct Scratch {
    dir: tempfile::TempDir,
}

impl Scratch {
    pub fn new() -> Scratch {
        Scratch {
            dir: tempfile::tempdir().expect("a temporary directory"),
        }
    }

    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    pub fn file(&self, rel: &str, content: &[u8]) -> PathBuf {
        let path = self.path(rel);
        std::fs::write(&path, content).expect("write a test file");
        path
    }
}

/// `size` bytes that differ from one position to the next and between seeds (so a copy at a
/// wrong offset or a dropped chunk shows).
pub fn patterned(size: usize, seed: u64) -> Vec<u8> {
    let mut state = seed ^ 0x9E37_79B9_7F4A_7C15;
    (0..size)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state as u8
        })
        .collect()
}

/// The strategies that work for files in `dir` (others are reported unsupported, with why).
pub fn supported_strategies(dir: &Path) -> Vec<Strategy> {
    Strategy::ALL
        .iter()
        .copied()
        .filter(|s| {
            let support = s.support(dir);
            if !support.supported {
                eprintln!("{s}: unsupported here: {}", support.reason);
            }
            support.supported
        })
        .collect()
}

/// `copyfile` of `src` to `dst` with `strategy`, which must succeed.
pub fn copy_with(strategy: Strategy, src: &Path, dst: &Path) -> CopyReport {
    let options = CopyOptions {
        strategy,
        mode: Mode::Copyfile,
        follow_symlinks: true,
    };
    copy_file(src, dst, &options)
        .unwrap_or_else(|e| panic!("{strategy}: {} -> {}: {e}", src.display(), dst.display()))
}

/// True when running as root; otherwise says why the test is skipped.
pub fn require_root(what: &str) -> bool {
    let root = rustix::process::geteuid().is_root();
    if !root {
        eprintln!("skipped: {what} needs root");
    }
    root
}

/// True when `program` is on PATH. Otherwise the test is skipped with a message naming the
/// Debian package that provides it, except under `CI=true`, where a missing program means the
/// CI's install step broke: then it panics, so the run goes red instead of passing unchecked.
pub fn require_program(program: &str, debian_package: &str) -> bool {
    let found = std::env::var_os("PATH")
        .is_some_and(|paths| std::env::split_paths(&paths).any(|dir| dir.join(program).is_file()));
    if !found {
        let why = format!("`{program}` not found (install the Debian package `{debian_package}`)");
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            panic!("{why}; CI=true, so this is a failure, not a skip");
        }
        eprintln!("skipped: {why}");
    }
    found
}
