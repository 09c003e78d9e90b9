//! Timing one copy: wall clock, CPU time, peak RSS.
//!
//! Total CPU time comes from sources exact at any length: the thread's CPU clock
//! (`CLOCK_THREAD_CPUTIME_ID`, the scheduler's nanosecond runtime count) for a copy on one thread,
//! the process CPU clock when worker threads take part (the runner starts no other threads, so
//! the process's change is the copy's), and `wait4` for a child (its rusage total is that same
//! runtime count, in microseconds). The user/system split is another matter: Linux tells them
//! apart only by sampling the scheduler tick, charging each whole tick to one side, and scales a
//! task's split over its whole life (kernel/sched/cputime.c, `cputime_adjust`). So the split is
//! kept only from the rusage of a task that lived just for the copy (a fresh thread, a child)
//! and only when the copy used [`SPLIT_MIN_TICKS`] ticks of CPU time or more; otherwise it is
//! absent, with the reason, never a made-up 0.

use std::ffi::OsString;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use copybench_result::LatencySummary;

use crate::os;

/// Whose CPU time to read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CpuScope {
    /// The copy runs on one thread (a fresh one, started for it).
    Thread,
    /// The copy starts worker threads: the whole process's CPU clock.
    Process,
}

/// Ticks of CPU time a sample needs before its user/system split is kept: each tick is charged
/// whole to one side, so from 10 ticks on the split is good to about a tenth of the total.
pub const SPLIT_MIN_TICKS: u32 = 10;

/// How a sample's CPU time divides between user and kernel mode.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CpuSplit {
    pub user: Duration,
    pub sys: Duration,
}

/// Why a sample has no user/system split.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SplitUnavailable {
    // The sample's own CPU time is in its figures; left out here so the reason reads the same
    // for every entry it applies to, and a report can say it once.
    #[error("user and system CPU are told apart only by the scheduler tick ({} ms here), each tick charged whole to one side; the split is kept from {SPLIT_MIN_TICKS} ticks ({} ms) of CPU time on, and some samples used less", tick.as_millis(), (*tick * SPLIT_MIN_TICKS).as_millis())]
    BelowResolution { cpu: Duration, tick: Duration },
    #[error("the kernel's tick length is unknown ({0}), so the tick-sampled user/system split cannot be judged")]
    TickUnknown(String),
    #[error("worker threads took part: the kernel scales a process's user/system split over its whole life, so its change across one copy is not that copy's")]
    WorkerThreads,
    #[error("getrusage failed: {0}")]
    Rusage(String),
}

/// Divides the exact `cpu` time in the proportion of rusage's tick-sampled `user` and `sys`
/// (which must cover only the copy's task), when `cpu` spans at least [`SPLIT_MIN_TICKS`] ticks.
pub fn cpu_split(
    user: Duration,
    sys: Duration,
    cpu: Duration,
    tick: Duration,
) -> Result<CpuSplit, SplitUnavailable> {
    let sampled = user + sys;
    if cpu < tick * SPLIT_MIN_TICKS || sampled.is_zero() {
        return Err(SplitUnavailable::BelowResolution { cpu, tick });
    }
    let user_ns = cpu.as_nanos() * user.as_nanos() / sampled.as_nanos();
    let user = Duration::from_nanos(user_ns as u64);
    Ok(CpuSplit {
        user,
        sys: cpu - user,
    })
}

/// The scheduler tick (`1 / CONFIG_HZ`), read once from the kernel's configuration
/// (`/proc/config.gz`, else `/boot/config-<release>`): the resolution of the user/system split.
pub fn accounting_tick() -> Result<Duration, String> {
    static TICK: OnceLock<Result<Duration, String>> = OnceLock::new();
    TICK.get_or_init(read_accounting_tick).clone()
}

fn read_accounting_tick() -> Result<Duration, String> {
    use std::io::Read;
    let mut text = String::new();
    let gz = std::fs::File::open("/proc/config.gz")
        .and_then(|f| flate2::read::GzDecoder::new(f).read_to_string(&mut text));
    if gz.is_err() {
        let release = rustix::system::uname()
            .release()
            .to_string_lossy()
            .into_owned();
        let path = format!("/boot/config-{release}");
        text = std::fs::read_to_string(&path)
            .map_err(|e| format!("neither /proc/config.gz nor {path} is readable: {e}"))?;
    }
    tick_of_config(&text).ok_or_else(|| "the kernel configuration has no CONFIG_HZ".to_owned())
}

/// `1 / CONFIG_HZ` from a kernel configuration's text.
fn tick_of_config(config: &str) -> Option<Duration> {
    let hz: u64 = config
        .lines()
        .find_map(|line| line.strip_prefix("CONFIG_HZ="))?
        .trim()
        .parse()
        .ok()?;
    (hz > 0).then(|| Duration::from_nanos(1_000_000_000 / hz))
}

fn split_of(
    usage: std::io::Result<os::Rusage>,
    cpu: Duration,
) -> Result<CpuSplit, SplitUnavailable> {
    let usage = usage.map_err(|e| SplitUnavailable::Rusage(e.to_string()))?;
    let tick = accounting_tick().map_err(SplitUnavailable::TickUnknown)?;
    cpu_split(usage.user, usage.sys, cpu, tick)
}

/// What one timed copy cost.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Timing {
    pub wall: Duration,
    /// User plus system, exact.
    pub cpu: Duration,
    pub split: Result<CpuSplit, SplitUnavailable>,
    /// Only for child processes: `ru_maxrss` of the child.
    pub peak_rss_bytes: Option<u64>,
}

impl Timing {
    /// This timing followed by `later` (a child's copy, then the in-process sync the scenario
    /// times with it): the split only where both have one.
    pub fn then(self, later: Timing) -> Timing {
        Timing {
            wall: self.wall + later.wall,
            cpu: self.cpu + later.cpu,
            split: match (self.split, later.split) {
                (Ok(a), Ok(b)) => Ok(CpuSplit {
                    user: a.user + b.user,
                    sys: a.sys + b.sys,
                }),
                (Err(e), _) | (_, Err(e)) => Err(e),
            },
            peak_rss_bytes: self.peak_rss_bytes,
        }
    }
}

/// Runs `copy` in this process and times it: wall time and exact CPU time of `scope`, the split
/// where it can be known. A one-thread copy runs on a thread started for it, so that thread's
/// rusage is the copy's alone. Anything the scenario wants inside the timing (its fsync)
/// belongs inside `copy`.
pub fn time_in_process<T: Send, E: Send>(
    scope: CpuScope,
    copy: impl FnOnce() -> Result<T, E> + Send,
) -> std::io::Result<(Result<T, E>, Timing)> {
    match scope {
        CpuScope::Thread => std::thread::scope(|s| {
            let timed = std::thread::Builder::new()
                .name("copybench-sample".to_owned())
                .spawn_scoped(s, || {
                    let cpu_before = os::thread_cpu_time();
                    let start = Instant::now();
                    let outcome = copy();
                    let wall = start.elapsed();
                    let cpu = os::thread_cpu_time().saturating_sub(cpu_before);
                    let split = split_of(os::thread_rusage(), cpu);
                    (
                        outcome,
                        Timing {
                            wall,
                            cpu,
                            split,
                            peak_rss_bytes: None,
                        },
                    )
                })?;
            Ok(timed
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic)))
        }),
        CpuScope::Process => {
            let cpu_before = os::process_cpu_time();
            let start = Instant::now();
            let outcome = copy();
            let wall = start.elapsed();
            let cpu = os::process_cpu_time().saturating_sub(cpu_before);
            Ok((
                outcome,
                Timing {
                    wall,
                    cpu,
                    split: Err(SplitUnavailable::WorkerThreads),
                    peak_rss_bytes: None,
                },
            ))
        }
    }
}

/// How a child process ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChildOutcome {
    pub success: bool,
    /// The exit status, when the child exited (not killed by a signal).
    pub exit_code: Option<i32>,
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
    // Drain stderr before reaping so a chatty child cannot block on a full pipe.
    let mut stderr = String::new();
    if let Some(mut pipe) = child.stderr.take() {
        let _ = pipe.read_to_string(&mut stderr);
    }
    // std's `Child` is not waited on afterwards, so the child is reaped exactly once.
    let (status, usage) = os::wait4(child.id())?;
    let wall = start.elapsed();
    let (exit_code, detail) = match status {
        os::ExitStatus::Exited(code) => (Some(code), format!("exit status {code}")),
        os::ExitStatus::Signaled(signal) => (None, format!("killed by signal {signal}")),
        os::ExitStatus::Other(raw) => (None, format!("wait status {raw}")),
    };
    let success = exit_code == Some(0);
    let tail: String = stderr
        .trim()
        .lines()
        .rev()
        .take(3)
        .collect::<Vec<_>>()
        .join(" | ");
    // The child's rusage covers its whole life, which is the sample: its total is exact.
    let cpu = usage.user + usage.sys;
    Ok((
        ChildOutcome {
            success,
            exit_code,
            detail: if tail.is_empty() {
                detail
            } else {
                format!("{detail}: {tail}")
            },
        },
        Timing {
            wall,
            cpu,
            split: split_of(Ok(usage), cpu),
            peak_rss_bytes: Some(usage.max_rss_bytes),
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

    fn spin(iterations: u64) -> u64 {
        let mut x = 0u64;
        for i in 0..iterations {
            x = x.wrapping_add(std::hint::black_box(i * i));
        }
        x
    }

    #[test]
    fn in_process_cpu_time_is_read_exactly_even_for_a_short_copy() {
        let (out, timing) =
            time_in_process(CpuScope::Thread, || Ok::<u64, ()>(spin(20_000))).unwrap();
        assert!(out.is_ok());
        assert!(timing.wall > Duration::ZERO);
        // Far below a tick, and still measured: never a 0 standing for "too short to see".
        assert!(timing.cpu > Duration::ZERO, "{timing:?}");
        assert!(timing.cpu < Duration::from_millis(40) || timing.split.is_ok());
        assert_eq!(timing.peak_rss_bytes, None);
        let (_, process) =
            time_in_process(CpuScope::Process, || Ok::<u64, ()>(spin(20_000))).unwrap();
        assert!(process.cpu > Duration::ZERO);
        assert_eq!(process.split, Err(SplitUnavailable::WorkerThreads));
    }

    #[test]
    fn a_long_user_copy_is_split_mostly_to_user() {
        let Ok(tick) = accounting_tick() else {
            eprintln!("skipped: the kernel's tick length is unknown here");
            return;
        };
        let (_, timing) = time_in_process(CpuScope::Thread, || {
            let start = os::thread_cpu_time();
            let mut x = 0;
            while os::thread_cpu_time() - start < tick * (SPLIT_MIN_TICKS + 5) {
                x += spin(100_000);
            }
            Ok::<u64, ()>(x)
        })
        .unwrap();
        let split = timing.split.expect("a copy of 15 ticks has a split");
        assert_eq!(split.user + split.sys, timing.cpu);
        assert!(split.user > split.sys, "{split:?}");
    }

    #[test]
    fn the_tick_is_read_from_the_kernel_configuration() {
        assert_eq!(
            tick_of_config("# CONFIG_HZ_100 is not set\nCONFIG_HZ_250=y\nCONFIG_HZ=250\n"),
            Some(Duration::from_millis(4))
        );
        assert_eq!(tick_of_config("CONFIG_HZ_250=y\n"), None);
        assert_eq!(tick_of_config("CONFIG_HZ=0\n"), None);
    }

    #[test]
    fn a_split_needs_enough_ticks_and_adds_up_to_the_exact_total() {
        let ms = Duration::from_millis;
        let tick = ms(4);
        assert_eq!(
            cpu_split(ms(0), ms(8), ms(7), tick),
            Err(SplitUnavailable::BelowResolution { cpu: ms(7), tick })
        );
        let split = cpu_split(ms(30), ms(90), ms(100), tick).unwrap();
        assert_eq!((split.user, split.sys), (ms(25), ms(75)));
    }

    proptest::proptest! {
        #[test]
        fn a_split_always_adds_up(user in 0u64..10_000_000_000, sys in 0u64..10_000_000_000, cpu in 0u64..10_000_000_000) {
            let n = Duration::from_nanos;
            if let Ok(split) = cpu_split(n(user), n(sys), n(cpu), Duration::from_millis(4)) {
                proptest::prop_assert_eq!(split.user + split.sys, n(cpu));
            }
        }
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
