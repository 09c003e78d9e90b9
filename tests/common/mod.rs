//! Shared set-up for the black-box CLI tests: a temporary directory per test and the built
//! `copybench` binary, as fd's `TestEnv` does.
#![allow(dead_code)] // each test binary uses a different part

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::Output;

use assert_cmd::Command;
use serde_json::Value;

/// A temporary directory with helpers to lay out files, and the binary to run in it.
pub struct TestEnv {
    dir: tempfile::TempDir,
}

impl TestEnv {
    /// A fresh, empty directory on the filesystem of the system temp dir.
    pub fn new() -> TestEnv {
        TestEnv {
            dir: tempfile::tempdir().expect("a temporary directory"),
        }
    }

    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    /// `root/rel`.
    pub fn path(&self, rel: impl AsRef<Path>) -> PathBuf {
        self.dir.path().join(rel)
    }

    /// Writes `content` to `root/rel`, making parent directories.
    pub fn file(&self, rel: impl AsRef<Path>, content: impl AsRef<[u8]>) -> PathBuf {
        let path = self.path(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("parent directories");
        }
        std::fs::write(&path, content).expect("write a test file");
        path
    }

    /// Makes `root/rel` and its parents.
    pub fn dir(&self, rel: impl AsRef<Path>) -> PathBuf {
        let path = self.path(rel);
        std::fs::create_dir_all(&path).expect("create a test directory");
        path
    }

    /// The `copybench` binary, run in `root`.
    pub fn copybench(&self) -> Command {
        let mut cmd = Command::cargo_bin("copybench").expect("the copybench binary");
        cmd.current_dir(self.root());
        cmd
    }

    /// Runs `copybench ARGS` in `root` to completion: what it printed and how it exited.
    pub fn run<I, S>(&self, args: I) -> Output
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        self.copybench()
            .args(args)
            .output()
            .expect("copybench runs")
    }
}

/// The one JSON object a `--json` command printed on stdout; the panic shows both streams.
pub fn json_of(output: &Output) -> Value {
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not one JSON object ({e}): {}\nstderr: {}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )
    })
}

/// A failed command's human error: non-zero exit and exactly one stderr line that contains
/// every one of `names` (the path and the errno name, e.g. `ENOENT`).
pub fn assert_one_error_line(output: &Output, names: &[&str]) {
    assert!(!output.status.success());
    let stderr = String::from_utf8(output.stderr.clone()).expect("stderr is UTF-8");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(names.iter().all(|name| stderr.contains(name)), "{stderr}");
}

/// Skipping a test that needs root or a program, or failing it under `CI=true`.
#[allow(unused_imports)] // each test binary uses a different part
pub use copybench_testkit::{require_program, require_root, skip};

/// A directory outside the work directory whose every byte a test checks afterwards: what a
/// planted symlink or a traversal name points at, which copybench must leave intact.
pub struct Sentinel {
    pub dir: PathBuf,
    snapshot: Vec<(PathBuf, Vec<u8>)>,
}

impl Sentinel {
    /// `parent/sentinel/` with a file, a subdirectory and a file in it.
    pub fn new(parent: &Path) -> Sentinel {
        let dir = parent.join("sentinel");
        std::fs::create_dir_all(dir.join("sub")).expect("sentinel directories");
        std::fs::write(dir.join("keep"), b"precious").expect("a sentinel file");
        std::fs::write(dir.join("sub/keep"), b"also precious").expect("a sentinel file");
        let snapshot = Sentinel::read(&dir);
        Sentinel { dir, snapshot }
    }

    fn read(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
        let mut out = Vec::new();
        let mut stack = vec![dir.to_owned()];
        while let Some(d) = stack.pop() {
            for entry in std::fs::read_dir(&d).expect("the sentinel is still there") {
                let path = entry.expect("a sentinel entry").path();
                if path.is_dir() {
                    stack.push(path.clone());
                    out.push((path, Vec::new()));
                } else {
                    let bytes = std::fs::read(&path).expect("a sentinel file");
                    out.push((path, bytes));
                }
            }
        }
        out.sort();
        out
    }

    /// Panics unless every entry and byte is as it was made.
    pub fn assert_intact(&self) {
        assert_eq!(
            Sentinel::read(&self.dir),
            self.snapshot,
            "the sentinel changed"
        );
    }
}

/// The result file `copybench scenario` wrote, from the last line of its stdout
/// (`wrote result.json and report.html to DIR`).
pub fn result_file(stdout: &str) -> std::path::PathBuf {
    let last = stdout.lines().last().expect("some output");
    let dir = last
        .strip_prefix("wrote result.json and report.html to ")
        .or_else(|| last.strip_prefix("wrote result.json to "))
        .unwrap_or_else(|| panic!("the last line `{last}` does not say where the result is"));
    std::path::Path::new(dir).join("result.json")
}
