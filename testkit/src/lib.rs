//! What every test crate of copybench shares: how a test that needs root or a system program
//! (strace, python3, chromium, mkfs.btrfs) gets out of the way on a machine without it, and the
//! real results the report, gate and CLI tests read ([`results`]).
//!
//! Run by hand, such a test skips with a message naming what is missing and the Debian package
//! that provides it. Under `CI=true` it fails instead: a CI whose install step broke must go
//! red, not pass on tests that ran nothing.

use std::fmt::Display;

pub mod results;

/// Whether this is a CI run (`CI=true`, as CI services and `.ci/run` set it).
pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v.eq_ignore_ascii_case("true") || v == "1")
}

/// Skips the calling test for `reason` (it should `return` after this), or fails it under
/// `CI=true`.
#[track_caller]
pub fn skip(reason: impl Display) {
    if in_ci() {
        panic!("CI=true, so this test may not skip: {reason}");
    }
    eprintln!("skipped: {reason}");
}

/// True when `program` is on PATH; otherwise [`skip`]s, naming the Debian package.
#[track_caller]
pub fn require_program(program: &str, debian_package: &str) -> bool {
    let found = std::env::var_os("PATH")
        .map(|paths| std::env::split_paths(&paths).any(|dir| dir.join(program).is_file()))
        .unwrap_or(false);
    if !found {
        skip(format!(
            "`{program}` not found (install the Debian package `{debian_package}`)"
        ));
    }
    found
}

/// True when running as root; otherwise [`skip`]s, saying what needs it.
#[track_caller]
pub fn require_root(what: &str) -> bool {
    let root = effective_uid() == Some(0);
    if !root {
        skip(format!("{what} needs root"));
    }
    root
}

/// The effective user id, from `/proc/self/status` (no libc needed here).
fn effective_uid() -> Option<u32> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("Uid:"))?;
    line.split_whitespace().nth(2)?.parse().ok()
}
