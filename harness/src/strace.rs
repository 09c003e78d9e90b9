//! Syscall counts of external commands: a separate, untimed run under `strace -f`, whose trace
//! is parsed line by line (rather than `strace -c`'s table) so stat calls on a path can be told
//! from stat calls on a descriptor (`AT_EMPTY_PATH`), as the engine's counted layer does.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::path::{Path, PathBuf};

/// Calls by name plus `path_stats` and `fd_stats`, the shape of the engine's `SyscallCounts`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TracedCounts {
    pub calls: BTreeMap<String, u64>,
    pub path_stats: u64,
    pub fd_stats: u64,
}

/// Whether the call `name` (as strace prints it, as the engine's counted layer names its calls
/// too) reads a file's status: the stat family CPython 3.8 cut in copytree.
pub fn is_stat_family(name: &str) -> bool {
    STAT_ON_FD.contains(&name) || STAT_ON_PATH_OR_FD.contains(&name)
}

const STAT_ON_FD: &[&str] = &["fstat", "fstat64"];
const STAT_ON_PATH_OR_FD: &[&str] = &[
    "stat",
    "lstat",
    "stat64",
    "lstat64",
    "newfstatat",
    "fstatat64",
    "statx",
];

/// Why a command's syscalls could not be counted.
#[derive(Debug, thiserror::Error)]
pub enum StraceError {
    #[error("cannot run {}: {source}", strace.display())]
    Spawn {
        strace: PathBuf,
        source: std::io::Error,
    },
    #[error("strace run failed ({status}): {stderr}")]
    Failed {
        status: std::process::ExitStatus,
        stderr: String,
    },
    #[error("cannot read {}: {source}", path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// Runs `argv` under `strace -f` writing its trace to `trace_file`, and counts the calls.
pub fn trace(
    strace: &Path,
    argv: &[OsString],
    trace_file: &Path,
) -> Result<TracedCounts, StraceError> {
    let output = std::process::Command::new(strace)
        .args(["-f", "-qq", "-o"])
        .arg(trace_file)
        .arg("--")
        .args(argv)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .output()
        .map_err(|source| StraceError::Spawn {
            strace: strace.to_owned(),
            source,
        })?;
    if !output.status.success() {
        return Err(StraceError::Failed {
            status: output.status,
            stderr: String::from_utf8_lossy(&output.stderr).trim().to_owned(),
        });
    }
    let text = std::fs::read_to_string(trace_file).map_err(|source| StraceError::Read {
        path: trace_file.to_owned(),
        source,
    })?;
    let _ = std::fs::remove_file(trace_file);
    Ok(parse(&text))
}

/// Counts the calls in an `strace -f` trace. A call split by another process's output
/// (`<unfinished ...>` then `<... name resumed>`) is counted once, at its start.
pub fn parse(trace: &str) -> TracedCounts {
    let mut counts = TracedCounts::default();
    for line in trace.lines() {
        // With -f every line starts with the pid.
        let rest = line
            .trim_start_matches(|c: char| c.is_ascii_digit())
            .trim_start();
        if rest.starts_with("<...") || rest.starts_with("---") || rest.starts_with("+++") {
            continue;
        }
        let Some(open) = rest.find('(') else {
            continue;
        };
        let name = &rest[..open];
        if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            continue;
        }
        *counts.calls.entry(name.to_owned()).or_insert(0) += 1;
        if STAT_ON_FD.contains(&name) {
            counts.fd_stats += 1;
        } else if STAT_ON_PATH_OR_FD.contains(&name) {
            let args = &rest[open..];
            if args.contains("AT_EMPTY_PATH") && args.contains("\"\"") {
                counts.fd_stats += 1;
            } else {
                counts.path_stats += 1;
            }
        }
    }
    counts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calls_are_counted_and_stats_classified() {
        let trace = r#"1234  execve("/bin/cp", ["cp", "a", "b"], 0x7ffd /* 20 vars */) = 0
1234  newfstatat(AT_FDCWD, "a", {st_mode=S_IFREG|0644, st_size=3, ...}, 0) = 0
1234  newfstatat(3, "", {st_mode=S_IFREG|0644, st_size=3, ...}, AT_EMPTY_PATH) = 0
1234  statx(AT_FDCWD, "b", AT_STATX_SYNC_AS_STAT, STATX_ALL, 0x7ffc) = -1 ENOENT (No such file or directory)
1234  fstat(3, {st_mode=S_IFREG|0644, st_size=3, ...}) = 0
1235  read(3,  <unfinished ...>
1234  write(1, "x", 1) = 1
1235  <... read resumed>"abc", 3) = 3
1234  --- SIGCHLD {si_signo=SIGCHLD} ---
1234  +++ exited with 0 +++
"#;
        let c = parse(trace);
        assert_eq!(c.calls["newfstatat"], 2);
        assert_eq!(c.calls["read"], 1);
        assert_eq!(c.calls["execve"], 1);
        assert_eq!((c.path_stats, c.fd_stats), (2, 2));
        assert_eq!(c.calls.values().sum::<u64>(), 7);
    }
}
