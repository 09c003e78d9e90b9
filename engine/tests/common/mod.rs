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

/// True when running as root, or when `program` is on PATH (naming its Debian package);
/// otherwise the test skips, or fails under `CI=true` (a CI whose install step broke).
#[allow(unused_imports)] // each test binary uses a different part
pub use copybench_testkit::{require_program, require_root};
