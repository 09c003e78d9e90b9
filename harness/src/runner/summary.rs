//! An entry's samples summarised: estimates, speedup, outliers, syscalls per copy and file.

use std::collections::BTreeMap;
use std::path::Path;

use copybench_result::{
    EntryKind, EntryResult, FixtureKind, PerFileSyscalls, Sample, Summary, SyscallSummary,
};

use super::rounds::Active;
use super::seed::seed;
use super::RunOptions;
use crate::fixture::Fixture;
use crate::measure;
use crate::scenario::{Scenario, Subject};
use crate::stats;
use crate::strace;
use crate::work_dir::Trash;

pub(super) fn walls(samples: &[Sample]) -> Vec<(u32, f64)> {
    samples
        .iter()
        .map(|s| (s.round, s.wall_ns as f64 / 1e9))
        .collect()
}

/// Syscalls per copy and per file: the engine's counted layer for in-process entries; strace
/// (only with `--count-syscalls`) for child processes.
pub(super) fn syscall_summary(
    entry: &Active,
    fixture: &Fixture,
    options: &RunOptions,
    strace_path: Option<&Path>,
    target_dir: &Path,
    trash: &mut Trash,
    unmeasured: &mut BTreeMap<String, String>,
) -> Option<SyscallSummary> {
    let dst = target_dir.join("strace-copy");
    let (source, calls, path_stats, fd_stats) = match (
        &entry.counts,
        entry.executor.command_line(&fixture.path, &dst),
    ) {
        (Some(counts), _) => (
            "counted",
            counts.calls.clone(),
            counts.path_stats,
            counts.fd_stats,
        ),
        (None, Some(argv)) => {
            if !options.count_syscalls {
                unmeasured.insert("syscalls".to_owned(), "child processes are counted only with --count-syscalls (a separate, untimed run under strace)".to_owned());
                return None;
            }
            let Some(strace_path) = strace_path else {
                unmeasured.insert(
                    "syscalls".to_owned(),
                    "`strace` not found (install the Debian package `strace`)".to_owned(),
                );
                return None;
            };
            let traced = strace::trace(strace_path, &argv, &target_dir.join("strace.out"));
            let _ = trash.take(&dst, fixture.info.bytes);
            match traced {
                Ok(t) => ("strace", t.calls, t.path_stats, t.fd_stats),
                Err(why) => {
                    unmeasured.insert("syscalls".to_owned(), why.to_string());
                    return None;
                }
            }
        }
        (None, None) => {
            unmeasured.insert("syscalls".to_owned(), "no sample was counted".to_owned());
            return None;
        }
    };
    let total: u64 = calls.values().sum();
    let mut per_copy = calls;
    per_copy.insert("path_stats".to_owned(), path_stats);
    per_copy.insert("fd_stats".to_owned(), fd_stats);
    let per_file = (fixture.info.kind == FixtureKind::Tree && fixture.info.files > 0).then(|| {
        let files = fixture.info.files as f64;
        PerFileSyscalls {
            path_stats: path_stats as f64 / files,
            stat_family: (path_stats + fd_stats) as f64 / files,
            total: total as f64 / files,
        }
    });
    Some(SyscallSummary {
        source: source.to_owned(),
        per_copy,
        per_file,
    })
}

pub(super) fn summarize(
    mut entry: Active,
    scenario: &Scenario,
    fixture: &Fixture,
    reference_walls: &[(u32, f64)],
    syscalls: Option<SyscallSummary>,
    mut unmeasured: BTreeMap<String, String>,
    warnings: &mut Vec<String>,
) -> EntryResult {
    let seed = seed(&format!("{}/{}", scenario.name, entry.spec.id));
    let wall: Vec<f64> = entry
        .samples
        .iter()
        .map(|s| s.wall_ns as f64 / 1e9)
        .collect();
    let user: Vec<f64> = entry
        .samples
        .iter()
        .map(|s| s.user_ns as f64 / 1e9)
        .collect();
    let sys: Vec<f64> = entry
        .samples
        .iter()
        .map(|s| s.sys_ns as f64 / 1e9)
        .collect();
    let flags = stats::mad_outliers(&wall);
    for (sample, flag) in entry.samples.iter_mut().zip(&flags) {
        sample.outlier = *flag;
    }
    let mib = fixture.info.bytes as f64 / (1u64 << 20) as f64;
    let throughput: Vec<f64> = wall.iter().filter(|w| **w > 0.0).map(|w| mib / w).collect();
    let gib = fixture.info.bytes as f64 / (1u64 << 30) as f64;
    let cpu_per_gib: Vec<f64> = user.iter().zip(&sys).map(|(u, s)| (u + s) / gib).collect();
    let empty = copybench_result::Estimate {
        median: 0.0,
        min: 0.0,
        max: 0.0,
        ci_low: 0.0,
        ci_high: 0.0,
    };
    let peak_rss_bytes = entry.samples.iter().filter_map(|s| s.peak_rss_bytes).max();
    if peak_rss_bytes.is_none() {
        unmeasured.insert("peak_rss_bytes".to_owned(), "in-process: ru_maxrss is the whole process's lifetime peak, not this copy's (time it as a child process to measure it)".to_owned());
    }
    let latency = measure::latency_summary(&entry.latencies);
    if latency.is_none() && fixture.info.kind == FixtureKind::Tree {
        unmeasured.insert("latency".to_owned(), "per-file latencies are recorded only inside copybench's engine (an external command copies as one opaque process)".to_owned());
    }
    let is_reference = entry.spec.id == scenario.reference;
    let speedup = if is_reference {
        None
    } else {
        stats::speedup(reference_walls, &walls(&entry.samples), seed)
    };
    if let Some(s) = &speedup {
        let half = (s.ci_high - s.ci_low) / 2.0 / s.median;
        if half > stats::CI_WARN_HALF_WIDTH {
            warnings.push(format!(
                "`{}`: the speedup's 95 % CI {:.3}–{:.3} is wider than ±5 % (±{:.1} %): run more samples (e.g. samples = {}) or on a quieter machine",
                entry.spec.id, s.ci_low, s.ci_high, half * 100.0, scenario.samples.max(entry.samples.len() as u32) * 2
            ));
        }
    }
    let outliers = flags.iter().filter(|f| **f).count() as u32;
    let command = entry
        .executor
        .command_line(&fixture.path, Path::new("DST"))
        .map(|argv| {
            argv.iter()
                .map(|a| a.to_string_lossy().into_owned())
                .collect()
        });
    EntryResult {
        id: entry.spec.id.clone(),
        kind: match entry.spec.subject {
            Subject::Strategy(_) => EntryKind::Strategy,
            Subject::Walker { .. } => EntryKind::Walker,
            Subject::Peer(_) => EntryKind::Peer,
        },
        timed_as: entry.spec.timed_as,
        command,
        summary: Summary {
            wall_s: stats::estimate(&wall, seed).unwrap_or(empty.clone()),
            user_s: stats::estimate(&user, seed ^ 1).unwrap_or(empty.clone()),
            sys_s: stats::estimate(&sys, seed ^ 2).unwrap_or(empty),
            throughput_mib_s: stats::estimate(&throughput, seed ^ 3),
            cpu_s_per_gib: (gib > 0.0).then(|| stats::median(&cpu_per_gib)).flatten(),
            peak_rss_bytes,
            latency,
            outliers,
        },
        samples: entry.samples,
        speedup,
        syscalls,
        // Filled in by the caller, which holds the target and the proofs.
        mechanism: None,
        requests: None,
        unmeasured,
    }
}
