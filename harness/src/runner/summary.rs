//! An entry's samples summarised: estimates, speedup, outliers, syscalls per copy and file.

use std::collections::BTreeMap;
use std::path::Path;

use copybench_result::{
    CopySyscalls, EntryKind, EntryResult, FixtureKind, PerFileSyscalls, Sample, Summary,
    SyscallSource, SyscallSummary,
};

use super::rounds::Active;
use crate::fixture::Fixture;
use crate::measure;
use crate::scenario::Subject;
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
/// for child processes when `count_children` (`--count-syscalls` or the scenario's
/// `count_syscalls`).
pub(super) fn syscall_summary(
    entry: &Active,
    fixture: &Fixture,
    count_children: bool,
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
            SyscallSource::Counted,
            counts.calls.clone(),
            counts.path_stats,
            counts.fd_stats,
        ),
        (None, Some(argv)) => {
            if !count_children {
                unmeasured.insert("syscalls".to_owned(), "child processes are counted only with --count-syscalls or `count_syscalls = true` (a separate, untimed run under strace)".to_owned());
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
                Ok(t) => (SyscallSource::Strace, t.calls, t.path_stats, t.fd_stats),
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
    let per_copy = CopySyscalls {
        total: calls.values().sum(),
        stat_family: path_stats + fd_stats,
        path_stats,
        fd_stats,
    };
    let per_file = match fixture.info.kind {
        FixtureKind::Tree => PerFileSyscalls::of(&per_copy, fixture.info.files),
        FixtureKind::File => None,
    };
    Some(SyscallSummary {
        source,
        stat_family_calls: calls
            .keys()
            .filter(|name| strace::is_stat_family(name))
            .cloned()
            .collect(),
        calls,
        per_copy,
        per_file,
    })
}

/// What an entry is compared with.
pub(super) struct Comparison<'a> {
    /// The id and wall times of the entry its speedup is against; `None` for the reference.
    pub(super) against: Option<(&'a str, &'a [(u32, f64)])>,
    /// The memcpy baseline's wall times (file fixtures).
    pub(super) memcpy: Option<&'a [(u32, f64)]>,
    /// The median no-op start of its program (child processes).
    pub(super) startup_s: Option<f64>,
}

pub(super) fn summarize(
    mut entry: Active,
    fixture: &Fixture,
    comparison: &Comparison<'_>,
    syscalls: Option<SyscallSummary>,
    mut unmeasured: BTreeMap<String, String>,
    warnings: &mut Vec<String>,
) -> Result<EntryResult, String> {
    let seconds = |ns: u64| ns as f64 / 1e9;
    let wall: Vec<f64> = entry.samples.iter().map(|s| seconds(s.wall_ns)).collect();
    let cpu: Vec<f64> = entry.samples.iter().map(|s| seconds(s.cpu_ns)).collect();
    let (Ok(wall_sample), Ok(cpu_sample)) = (
        stats::Sample::new(wall.clone()),
        stats::Sample::new(cpu.clone()),
    ) else {
        return Err("no sample was measured".to_owned());
    };
    let flags = stats::mad_outliers(&wall);
    for (sample, flag) in entry.samples.iter_mut().zip(&flags) {
        sample.outlier = *flag;
    }
    if let Err(why) = wall_sample.median_interval() {
        unmeasured.insert("ci".to_owned(), why.to_string());
    }
    let estimate = |values: Vec<f64>| stats::Sample::new(values).ok().map(|s| s.estimate());
    // The split only where every sample has one: a median over the long samples alone would
    // not be the entry's.
    let split = |part: fn(&copybench_result::Sample) -> Option<u64>| {
        let values: Option<Vec<f64>> = entry.samples.iter().map(|s| part(s).map(seconds)).collect();
        values.and_then(estimate)
    };
    let (user_s, sys_s) = (split(|s| s.user_ns), split(|s| s.sys_ns));
    if user_s.is_none() {
        let why = entry
            .split_unavailable
            .clone()
            .unwrap_or_else(|| "no sample was measured".to_owned());
        unmeasured.insert("user_s".to_owned(), why.clone());
        unmeasured.insert("sys_s".to_owned(), why);
    }
    let mib = fixture.info.bytes as f64 / (1u64 << 20) as f64;
    let throughput: Vec<f64> = wall.iter().filter(|w| **w > 0.0).map(|w| mib / w).collect();
    let gib = fixture.info.bytes as f64 / (1u64 << 30) as f64;
    let cpu_per_gib: Vec<f64> = cpu.iter().map(|c| c / gib).collect();
    let peak_rss_bytes = entry.samples.iter().filter_map(|s| s.peak_rss_bytes).max();
    if peak_rss_bytes.is_none() {
        unmeasured.insert("peak_rss_bytes".to_owned(), "in-process: ru_maxrss is the whole process's lifetime peak, not this copy's (time it as a child process to measure it)".to_owned());
    }
    let latency = measure::latency_summary(&entry.latencies);
    if latency.is_none() && fixture.info.kind == FixtureKind::Tree {
        unmeasured.insert("latency".to_owned(), "per-file latencies are recorded only inside copybench's engine (an external command copies as one opaque process)".to_owned());
    }
    let entry_walls = walls(&entry.samples);
    let speedup = comparison.against.and_then(|(against, reference_walls)| {
        match stats::speedup(reference_walls, &entry_walls, against) {
            Ok(s) => Some(s),
            Err(why) => {
                unmeasured.insert("speedup".to_owned(), why.to_string());
                None
            }
        }
    });
    if let Some(s) = &speedup {
        if s.ci.is_none() {
            let why = stats::NoInterval::new(s.pairs as usize, stats::CONFIDENCE);
            unmeasured.insert("speedup.ci".to_owned(), why.to_string());
        }
        if let Some(conflict) = &s.direction_conflict {
            warnings.push(format!("`{}`: {conflict}", entry.spec.id));
        }
    }
    let memcpy_multiple = comparison.memcpy.and_then(|memcpy| {
        stats::Sample::new(stats::paired_ratios(&entry_walls, memcpy))
            .ok()
            .map(|ratios| ratios.estimate())
    });
    if memcpy_multiple.is_none() && fixture.info.kind == FixtureKind::File {
        unmeasured.insert(
            "memcpy_multiple".to_owned(),
            "the memcpy baseline was not measured in this scenario's rounds".to_owned(),
        );
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
    Ok(EntryResult {
        id: entry.spec.id.clone(),
        kind: match entry.spec.subject {
            Subject::Strategy(_) => EntryKind::Strategy,
            Subject::Walker { .. } => EntryKind::Walker,
            Subject::Peer(_) => EntryKind::Peer,
        },
        timed_as: entry.spec.timed_as,
        command,
        summary: Summary {
            wall_s: wall_sample.estimate(),
            cpu_s: cpu_sample.estimate(),
            user_s,
            sys_s,
            throughput_mib_s: estimate(throughput),
            cpu_s_per_gib: (gib > 0.0)
                .then(|| stats::Sample::new(cpu_per_gib).ok().map(|s| s.median()))
                .flatten(),
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
        memcpy_multiple,
        startup_s: comparison.startup_s,
    })
}
