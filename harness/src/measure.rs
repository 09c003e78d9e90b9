//! Timing one copy: wall clock, user and system CPU, peak RSS.
//!
//! In-process copies read `getrusage` before and after: `RUSAGE_THREAD` when the copy runs on
//! the calling thread, `RUSAGE_SELF` when worker threads take part (the runner starts no other
//! threads, so the process's delta is the copy's). Child processes are reaped with `wait4`, whose
//! rusage is the child's alone, including its peak RSS.

use std::ffi::OsString;
use std::time::{Duration, Instant};

use copybench_result::LatencySummary;

/// CPU time of the caller (thread or process).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CpuTime {
    pub user: Duration,
    pub sys: Duration,
}

/// Whose CPU time to read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CpuScope {
    /// The calling thread only (`RUSAGE_THREAD`).
    Thread,
    /// The whole process (`RUSAGE_SELF`), for copies with worker threads.
    Process,
}

fn timeval(tv: libc::timeval) -> Duration {
    Duration::new(tv.tv_sec as u64, (tv.tv_usec as u32) * 1000)
}

/// `getrusage` for `scope`.
pub fn cpu_time(scope: CpuScope) -> std::io::Result<CpuTime> {
    let who = match scope {
        CpuScope::Thread => libc::RUSAGE_THREAD,
        CpuScope::Process => libc::RUSAGE_SELF,
    };
    // SAFETY: getrusage fills the zeroed struct it is given.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    if unsafe { libc::getrusage(who, &mut usage) } != 0 {
        return Err(std::io::Error::last_os_error());
    }
    Ok(CpuTime {
        user: timeval(usage.ru_utime),
        sys: timeval(usage.ru_stime),
    })
}

/// What one timed copy cost.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Timing {
    pub wall: Duration,
    pub user: Duration,
    pub sys: Duration,
    /// Only for child processes: `ru_maxrss` of the child.
    pub peak_rss_bytes: Option<u64>,
}

/// Runs `copy` in this process and times it: wall time and the CPU time of `scope`. Anything the
/// scenario wants inside the timing (its fsync) belongs inside `copy`.
pub fn time_in_process<T, E>(
    scope: CpuScope,
    copy: impl FnOnce() -> Result<T, E>,
) -> std::io::Result<(Result<T, E>, Timing)> {
    let cpu_before = cpu_time(scope)?;
    let start = Instant::now();
    let outcome = copy();
    let wall = start.elapsed();
    let cpu_after = cpu_time(scope)?;
    Ok((
        outcome,
        Timing {
            wall,
            user: cpu_after.user.saturating_sub(cpu_before.user),
            sys: cpu_after.sys.saturating_sub(cpu_before.sys),
            peak_rss_bytes: None,
        },
    ))
}

/// How a child process ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChildOutcome {
    pub success: bool,
    /// Exit status in words, and the end of its stderr when it failed.
    pub detail: String,
}

/// Runs `argv` as a child (stdin and stdout closed, stderr captured) and reaps it with `wait4`.
/// Wall time runs from just before the spawn to the reaping.
pub fn time_child(argv: &[OsString]) -> std::io::Result<(ChildOutcome, Timing)> {
    use std::io::Read;
    use std::process::{Command, Stdio};
    let (program, args) = argv
        .split_first()
        .ok_or_else(|| std::io::Error::new(std::io::ErrorKind::InvalidInput, "empty command"))?;
    use std::os::unix::process::CommandExt as _;
    let mut command = Command::new(program);
    command
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        // A group of its own, which an interrupt kills whole (a shell peer's own children too).
        .process_group(0);
    let start = Instant::now();
    let mut child = command.spawn()?;
    let _group = crate::interrupt::ChildGroup::enter(child.id());
    let pid = child.id() as libc::pid_t;
    // Drain stderr before reaping so a chatty child cannot block on a full pipe.
    let mut stderr = String::new();
    if let Some(mut pipe) = child.stderr.take() {
        let _ = pipe.read_to_string(&mut stderr);
    }
    let mut status: libc::c_int = 0;
    // SAFETY: wait4 fills the zeroed rusage; the pid is our own unreaped child (std's `Child`
    // is not waited on afterwards, so it is reaped exactly once).
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let reaped = loop {
        let r = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
        if r == -1 && std::io::Error::last_os_error().kind() == std::io::ErrorKind::Interrupted {
            continue;
        }
        break r;
    };
    let wall = start.elapsed();
    if reaped != pid {
        return Err(std::io::Error::last_os_error());
    }
    let success = libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0;
    let detail = if libc::WIFEXITED(status) {
        format!("exit status {}", libc::WEXITSTATUS(status))
    } else if libc::WIFSIGNALED(status) {
        format!("killed by signal {}", libc::WTERMSIG(status))
    } else {
        format!("wait status {status}")
    };
    let tail: String = stderr
        .trim()
        .lines()
        .rev()
        .take(3)
        .collect::<Vec<_>>()
        .join(" | ");
    Ok((
        ChildOutcome {
            success,
            detail: if tail.is_empty() {
                detail
            } else {
                format!("{detail}: {tail}")
            },
        },
        Timing {
            wall,
            user: timeval(usage.ru_utime),
            sys: timeval(usage.ru_stime),
            // Linux reports ru_maxrss in KiB.
            peak_rss_bytes: Some(usage.ru_maxrss as u64 * 1024),
        },
    ))
}

/// Percentiles of per-file latencies in nanoseconds (an hdrhistogram at 3 significant figures).
pub fn latency_summary(latencies_ns: &[u64]) -> Option<LatencySummary> {
    if latencies_ns.is_empty() {
        return None;
    }
    let mut histogram = hdrhistogram::Histogram::<u64>::new(3).ok()?;
    for &ns in latencies_ns {
        histogram.record(ns.max(1)).ok()?;
    }
    Some(LatencySummary {
        count: histogram.len(),
        p50_ns: histogram.value_at_quantile(0.50),
        p90_ns: histogram.value_at_quantile(0.90),
        p99_ns: histogram.value_at_quantile(0.99),
        max_ns: histogram.max(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn in_process_cpu_time_is_read() {
        let (out, timing) = time_in_process(CpuScope::Thread, || {
            let mut x = 0u64;
            for i in 0..2_000_000u64 {
                x = x.wrapping_add(i * i);
            }
            Ok::<u64, ()>(std::hint::black_box(x))
        })
        .unwrap();
        assert!(out.is_ok());
        assert!(timing.wall > Duration::ZERO);
        assert_eq!(timing.peak_rss_bytes, None);
    }

    #[test]
    fn a_child_is_reaped_with_its_rusage_and_failures_say_why() {
        let (ok, timing) = time_child(&["true".into()]).unwrap();
        assert!(ok.success, "{ok:?}");
        assert!(timing.peak_rss_bytes.unwrap() > 0);
        let (bad, _) =
            time_child(&["sh".into(), "-c".into(), "echo oops >&2; exit 3".into()]).unwrap();
        assert!(!bad.success);
        assert_eq!(bad.detail, "exit status 3: oops");
    }

    #[test]
    fn latency_percentiles_are_ordered() {
        let values: Vec<u64> = (1..=1000).map(|i| i * 1000).collect();
        let s = latency_summary(&values).unwrap();
        assert_eq!(s.count, 1000);
        assert!(s.p50_ns <= s.p90_ns && s.p90_ns <= s.p99_ns && s.p99_ns <= s.max_ns);
        assert!((499_000..=501_000).contains(&s.p50_ns), "{s:?}");
        assert!(latency_summary(&[]).is_none());
    }
}
