//! Claims a scenario states (`[[scenario.claim]]`) and their verdicts from a run
//! (docs/design.md, "Claims and verdicts").
//!
//! A claim names two entries of its scenario, a metric and a figure. Timed metrics are judged
//! on the 95 % interval of the round-by-round ratio of the two entries (drift cancels in a ratio
//! of samples taken moments apart); counts are exact, one untimed count each. The rule itself
//! is in [`verdict`]; the claimed figure and its precision in [`figure`].

pub mod figure;
pub mod verdict;

use copybench_result::{
    ClaimMetric, ClaimResult, ClaimVerdict, EntryResult, FigureKind, MeasuredFigure, Skipped,
    Speedup, SyscallSummary,
};

pub use figure::Claim;
pub use verdict::{verdict, Interval};

use crate::stats;

/// A validated claim of a scenario.
#[derive(Clone, Debug, PartialEq)]
pub struct ClaimSpec {
    /// Entry ids of the scenario.
    pub subject: String,
    pub baseline: String,
    pub metric: ClaimMetric,
    pub claim: Claim,
    pub source: String,
}

/// Judges `spec` against a scenario's measured entries and its skipped ones.
pub fn judge(spec: &ClaimSpec, entries: &[EntryResult], skipped: &[Skipped]) -> ClaimResult {
    let outcome = measure(spec, entries, skipped);
    let (verdict, measured, detail) = match outcome {
        Err(why) => (ClaimVerdict::NotChecked, None, why),
        Ok(measured) => {
            let interval = match (measured.ci_low, measured.ci_high) {
                _ if measured.exact => Some(Interval::point(measured.value)),
                (Some(low), Some(high)) => Some(Interval::new(low, high)),
                _ => None,
            };
            let verdict = verdict(&spec.claim, interval);
            let detail = describe(spec, verdict, &measured);
            (verdict, Some(measured), detail)
        }
    };
    ClaimResult {
        subject: spec.subject.clone(),
        baseline: spec.baseline.clone(),
        metric: spec.metric,
        claimed: spec.claim.figure(),
        source: spec.source.clone(),
        verdict,
        measured,
        detail,
    }
}

/// The claimed figure measured here, or why it was not.
fn measure(
    spec: &ClaimSpec,
    entries: &[EntryResult],
    skipped: &[Skipped],
) -> Result<MeasuredFigure, String> {
    let find = |id: &str| -> Result<&EntryResult, String> {
        entries.iter().find(|e| e.id == id).ok_or_else(|| {
            match skipped.iter().find(|s| s.id == id) {
                Some(s) => format!("`{id}` was not run: {}", s.reason),
                None => format!("`{id}` was not measured"),
            }
        })
    };
    let subject = find(&spec.subject)?;
    let baseline = find(&spec.baseline)?;
    match spec.metric {
        ClaimMetric::WallTime => timed(spec, baseline, subject, |s| s.wall_ns),
        ClaimMetric::CpuTime => timed(spec, baseline, subject, |s| s.cpu_ns),
        ClaimMetric::StatCallsPerFile | ClaimMetric::SyscallsPerFile => {
            let per_file = |entry: &EntryResult| -> Result<f64, String> {
                let syscalls = entry.syscalls.as_ref().ok_or_else(|| {
                    let why = entry
                        .unmeasured
                        .get("syscalls")
                        .map(String::as_str)
                        .unwrap_or("not counted");
                    format!("the syscalls of `{}` were not counted: {why}", entry.id)
                })?;
                let files = entry.samples.first().map(|s| s.files).unwrap_or(0);
                if files == 0 {
                    return Err(format!("`{}` copied no regular file", entry.id));
                }
                Ok(count(spec.metric, syscalls) as f64 / files as f64)
            };
            let (b, s) = (per_file(baseline)?, per_file(subject)?);
            if b == 0.0 {
                return Err(format!(
                    "`{}` made no {}, so there is nothing to compare with",
                    baseline.id,
                    metric_noun(spec.metric)
                ));
            }
            Ok(MeasuredFigure {
                value: in_terms(spec.claim.kind, s / b),
                ci_low: None,
                ci_high: None,
                exact: true,
                pairs: None,
                baseline_value: b,
                subject_value: s,
            })
        }
    }
}

/// The paired ratio of a timed metric, in the claim's terms.
fn timed(
    spec: &ClaimSpec,
    baseline: &EntryResult,
    subject: &EntryResult,
    metric_ns: impl Fn(&copybench_result::Sample) -> u64,
) -> Result<MeasuredFigure, String> {
    let series = |entry: &EntryResult| -> Vec<(u32, f64)> {
        entry
            .samples
            .iter()
            .map(|s| (s.round, metric_ns(s) as f64 / 1e9))
            .collect()
    };
    let (b, s) = (series(baseline), series(subject));
    let median_of = |values: &[(u32, f64)]| {
        stats::Sample::new(values.iter().map(|(_, v)| *v).collect::<Vec<_>>())
            .map_or(0.0, |s| s.median())
    };
    // baseline ÷ subject, per round.
    let Ok(Speedup {
        median, ci, pairs, ..
    }) = stats::speedup(&b, &s, &baseline.id)
    else {
        return Err(format!(
            "`{}` and `{}` have no round in which both were measured with a {} above 0",
            baseline.id,
            subject.id,
            metric_noun(spec.metric)
        ));
    };
    // A speedup is ratio⁻¹, a change ratio − 1: both monotonic, so the interval maps over.
    let convert = |speedup: f64| in_terms(spec.claim.kind, 1.0 / speedup);
    // Below 6 pairs there is no 95 % interval, and the verdict has none to judge.
    let interval = ci.map(|ci| {
        let (low, high) = (convert(ci.low), convert(ci.high));
        (low.min(high), low.max(high))
    });
    Ok(MeasuredFigure {
        value: convert(median),
        ci_low: interval.map(|(low, _)| low),
        ci_high: interval.map(|(_, high)| high),
        exact: false,
        pairs: Some(pairs),
        baseline_value: median_of(&b),
        subject_value: median_of(&s),
    })
}

/// `subject ÷ baseline` as a speedup (its inverse) or a change (minus 1).
fn in_terms(kind: FigureKind, ratio: f64) -> f64 {
    match kind {
        FigureKind::Speedup => 1.0 / ratio,
        FigureKind::Change => ratio - 1.0,
    }
}

/// The calls a count metric counts, for one copy.
fn count(metric: ClaimMetric, syscalls: &SyscallSummary) -> u64 {
    // The totals the harness computed once, from the counter's own classification.
    match metric {
        ClaimMetric::StatCallsPerFile => syscalls.per_copy.stat_family,
        _ => syscalls.per_copy.total,
    }
}

fn metric_noun(metric: ClaimMetric) -> &'static str {
    match metric {
        ClaimMetric::WallTime => "wall time",
        ClaimMetric::CpuTime => "CPU time",
        ClaimMetric::StatCallsPerFile => "stat-family calls",
        ClaimMetric::SyscallsPerFile => "syscalls",
    }
}

/// The verdict in words: what was measured, against what was claimed.
fn describe(spec: &ClaimSpec, verdict: ClaimVerdict, m: &MeasuredFigure) -> String {
    let show = |value: f64| spec.claim.kind.show(value);
    let kind = spec.claim.kind;
    let measured = match (m.exact, m.ci_low, m.ci_high) {
        (true, _, _) => format!(
            "{} ({:.2} → {:.2} {} per file, exact)",
            show(m.value),
            m.baseline_value,
            m.subject_value,
            metric_noun(spec.metric)
        ),
        (false, Some(low), Some(high)) => format!(
            "{} (95 % CI {} to {}, {} pairs)",
            show(m.value),
            show(low),
            show(high),
            m.pairs.unwrap_or(0)
        ),
        (false, _, _) => format!(
            "{} ({} pairs, too few for a 95 % interval)",
            show(m.value),
            m.pairs.unwrap_or(0)
        ),
    };
    let why = match verdict {
        ClaimVerdict::Reproduces => "reaches the claim",
        ClaimVerdict::SmallerEffect => "the claimed direction, short of the claim",
        ClaimVerdict::NoEffect => "no change",
        ClaimVerdict::Opposite => "the opposite direction",
        ClaimVerdict::Inconclusive => "cannot tell the claim from no change: more samples needed",
        ClaimVerdict::NotChecked => "not checked",
    };
    let claimed = match kind {
        FigureKind::Speedup => format!("{}×", spec.claim.text),
        FigureKind::Change => spec.claim.text.clone(),
    };
    format!("measured {measured} against the claimed {claimed}: {why}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use copybench_result::{
        CopySyscalls, EntryKind, Estimate, Sample, Summary, SyscallSource, TimedAs,
    };
    use std::collections::BTreeMap;

    fn entry(id: &str, walls_ms: &[u64], stats_per_copy: Option<u64>, files: u64) -> EntryResult {
        let zero = Estimate {
            median: 0.0,
            min: 0.0,
            max: 0.0,
            ci: None,
        };
        EntryResult {
            id: id.to_owned(),
            kind: EntryKind::Peer,
            timed_as: TimedAs::ChildProcess,
            command: None,
            samples: walls_ms
                .iter()
                .enumerate()
                .map(|(round, ms)| Sample {
                    round: round as u32,
                    wall_ns: ms * 1_000_000,
                    cpu_ns: ms * 750_000,
                    user_ns: Some(ms * 500_000),
                    sys_ns: Some(ms * 250_000),
                    bytes: 1,
                    files,
                    peak_rss_bytes: None,
                    latency: None,
                    outlier: false,
                    cache_evicted: None,
                    proof: None,
                })
                .collect(),
            summary: Summary {
                wall_s: zero.clone(),
                cpu_s: zero,
                user_s: None,
                sys_s: None,
                throughput_mib_s: None,
                cpu_s_per_gib: None,
                peak_rss_bytes: None,
                latency: None,
                outliers: 0,
            },
            speedup: None,
            mechanism: None,
            requests: None,
            syscalls: stats_per_copy.map(|n| SyscallSummary {
                source: SyscallSource::Strace,
                calls: BTreeMap::from([
                    ("newfstatat".to_owned(), n),
                    ("openat".to_owned(), 3 * files),
                ]),
                stat_family_calls: vec!["newfstatat".to_owned()],
                per_copy: CopySyscalls {
                    total: n + 3 * files,
                    stat_family: n,
                    path_stats: n - files,
                    fd_stats: files,
                },
                per_file: None,
            }),
            unmeasured: BTreeMap::from([("syscalls".to_owned(), "not with strace".to_owned())])
                .into_iter()
                .filter(|_| stats_per_copy.is_none())
                .collect(),
            memcpy_multiple: None,
            startup_s: None,
        }
    }

    fn spec(metric: ClaimMetric, claim: Claim) -> ClaimSpec {
        ClaimSpec {
            subject: "new".to_owned(),
            baseline: "old".to_owned(),
            metric,
            claim,
            source: "a changelog".to_owned(),
        }
    }

    #[test]
    fn a_wall_time_speedup_is_judged_on_paired_ratios() {
        let old = entry(
            "old",
            &[130, 260, 131, 129, 132, 390, 130, 128, 131],
            None,
            1,
        );
        let new = entry("new", &[100, 200, 100, 99, 101, 300, 100, 99, 100], None, 1);
        let spec = spec(ClaimMetric::WallTime, Claim::speedup("1.3").unwrap());
        let result = judge(&spec, &[old, new], &[]);
        assert_eq!(
            result.verdict,
            ClaimVerdict::Reproduces,
            "{}",
            result.detail
        );
        let m = result.measured.unwrap();
        assert!((m.value - 1.3).abs() < 0.02, "{m:?}");
        assert_eq!(m.pairs, Some(9));
        assert!(result.detail.contains("95 % CI"), "{}", result.detail);
    }

    #[test]
    fn a_stat_count_change_is_exact() {
        // 10 stat calls per file before, 7 after: -30 %, claimed -38 %.
        let old = entry("old", &[10, 10], Some(80_000), 8000);
        let new = entry("new", &[9, 9], Some(56_000), 8000);
        let spec = spec(
            ClaimMetric::StatCallsPerFile,
            Claim::change("-38%").unwrap(),
        );
        let result = judge(&spec, &[old, new], &[]);
        assert_eq!(
            result.verdict,
            ClaimVerdict::SmallerEffect,
            "{}",
            result.detail
        );
        let m = result.measured.unwrap();
        assert!(m.exact && m.ci_low.is_none());
        assert!((m.value + 0.30).abs() < 1e-9, "{m:?}");
        assert_eq!((m.baseline_value, m.subject_value), (10.0, 7.0));
        assert!(result.detail.contains("-30.0 %"), "{}", result.detail);
    }

    #[test]
    fn a_missing_or_uncounted_entry_is_not_checked_with_the_reason() {
        let old = entry("old", &[10, 10], None, 8);
        let skipped = [Skipped {
            id: "new".to_owned(),
            reason: "CPython 3.99 not found: install it with `pyenv install 3.99`".to_owned(),
        }];
        let wall = spec(ClaimMetric::WallTime, Claim::speedup("1.09").unwrap());
        let result = judge(&wall, std::slice::from_ref(&old), &skipped);
        assert_eq!(result.verdict, ClaimVerdict::NotChecked);
        assert!(result.measured.is_none());
        assert!(
            result.detail.contains("`pyenv install 3.99`"),
            "{}",
            result.detail
        );

        let new = entry("new", &[9, 9], Some(56), 8);
        let stats = spec(
            ClaimMetric::StatCallsPerFile,
            Claim::change("-38%").unwrap(),
        );
        let result = judge(&stats, &[old, new], &[]);
        assert_eq!(result.verdict, ClaimVerdict::NotChecked);
        assert!(
            result.detail.contains("not with strace"),
            "{}",
            result.detail
        );
    }

    #[test]
    fn every_call_is_counted_once_for_syscalls_per_file() {
        let old = entry("old", &[1], Some(20), 4);
        let summary = old.syscalls.unwrap();
        assert_eq!(count(ClaimMetric::StatCallsPerFile, &summary), 20);
        assert_eq!(count(ClaimMetric::SyscallsPerFile, &summary), 20 + 12);
    }
}
