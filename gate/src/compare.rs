//! A result against a baseline: every scenario of the baseline, every entry, every metric.

use std::collections::BTreeSet;

use copybench_result::{
    ClaimResult, EntryResult, Estimate, ExtentSharing, Mechanism, RunResult, ScenarioResult,
    Speedup,
};
use serde::Serialize;

use crate::environment::{self, EnvironmentDifference};
use crate::exact;
use crate::interval::{self, Better, Interval};
use crate::thresholds::{Applicable, Thresholds, WALL_TIME};
use crate::verdict::{Check, MetricKind, Observed, Overall, Verdict};

/// The metric name of an entry's speedup over the in-run reference.
pub const SPEEDUP: &str = "speedup";
/// The metric name of whether an entry ran.
pub const RAN: &str = "ran";
/// The metric names of the proof of mechanism: the strategies that copied the files, the
/// give-ups before them, and the copies' extent sharing.
pub const MECHANISM: &str = "mechanism";
pub const STRATEGY: &str = "mechanism.strategy";
pub const FALLBACKS: &str = "mechanism.fallbacks";
pub const EXTENTS: &str = "mechanism.extents";

/// Every verdict of one comparison.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct GateReport {
    /// Decided by the gated checks alone (environment differences are `--strict`'s business).
    pub overall: Overall,
    /// Where the baseline and the result were measured differently.
    pub environment: Vec<EnvironmentDifference>,
    pub scenarios: Vec<ScenarioVerdicts>,
}

impl GateReport {
    /// Every check of every scenario.
    pub fn checks(&self) -> impl Iterator<Item = &Check> {
        self.scenarios.iter().flat_map(|s| &s.checks)
    }

    /// How many gated checks got each verdict.
    pub fn tally(&self) -> Tally {
        Tally::of(self.checks())
    }

    /// What makes the gate fail, if anything: a regression always; with `strict`, also an
    /// inconclusive verdict or a baseline from another environment.
    pub fn failure(&self, strict: bool) -> Option<Failure> {
        match self.overall {
            Overall::Regression => Some(Failure::Regression),
            Overall::Inconclusive if strict => Some(Failure::Inconclusive),
            _ if strict && !self.environment.is_empty() => Some(Failure::EnvironmentDiffers),
            _ => None,
        }
    }
}

/// Why the gate fails (each has its own exit code in the CLI).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Failure {
    /// A gated metric regressed.
    Regression,
    /// `--strict`: a gated metric could not be judged.
    Inconclusive,
    /// `--strict`: the baseline was measured in another environment.
    EnvironmentDiffers,
}

/// Gated checks by verdict.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Tally {
    pub regressed: usize,
    pub inconclusive: usize,
    pub improved: usize,
    pub no_change: usize,
}

impl Tally {
    pub fn of<'a>(checks: impl IntoIterator<Item = &'a Check>) -> Tally {
        let mut tally = Tally::default();
        for check in checks.into_iter().filter(|c| c.gated()) {
            match check.verdict {
                Verdict::Regressed => tally.regressed += 1,
                Verdict::Inconclusive => tally.inconclusive += 1,
                Verdict::Improved => tally.improved += 1,
                Verdict::NoChange => tally.no_change += 1,
            }
        }
        tally
    }
}

/// The verdicts of one scenario.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ScenarioVerdicts {
    pub name: String,
    /// The entry speedups are measured against (the same in both).
    pub reference: String,
    pub checks: Vec<Check>,
    /// Entries the result has and the baseline has not: shown, not judged.
    pub new_entries: Vec<String>,
}

/// Why two results cannot be compared at all: the gate would judge the wrong thing.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CompareError {
    #[error("scenario `{scenario}` of the baseline is not in the result")]
    MissingScenario { scenario: String },
    #[error(
        "scenario `{scenario}` was run differently, so its figures cannot be compared: {}",
        differences.join("; ")
    )]
    NotComparable {
        scenario: String,
        differences: Vec<String>,
    },
}

/// Judges every scenario of `baseline` in `result` with `thresholds`. Scenarios only the result
/// has are not judged.
pub fn compare(
    baseline: &RunResult,
    result: &RunResult,
    thresholds: &Thresholds,
) -> Result<GateReport, CompareError> {
    let applicable = thresholds.for_pair(&baseline.environment, &result.environment);
    let mut scenarios = Vec::new();
    for before in &baseline.scenarios {
        let after = result
            .scenarios
            .iter()
            .find(|s| s.name == before.name)
            .ok_or_else(|| CompareError::MissingScenario {
                scenario: before.name.clone(),
            })?;
        scenarios.push(compare_scenario(before, after, &applicable)?);
    }
    let overall = Overall::of(
        scenarios
            .iter()
            .flat_map(|s| &s.checks)
            .filter(|c| c.gated())
            .map(|c| c.verdict),
    );
    Ok(GateReport {
        overall,
        environment: environment::differences(&baseline.environment, &result.environment),
        scenarios,
    })
}

/// Judges one scenario's run against the baseline's run of it. Refuses runs with another
/// fixture, reference, cache state or fsync setting: their counts and speedups are of another
/// experiment.
pub fn compare_scenario(
    baseline: &ScenarioResult,
    result: &ScenarioResult,
    thresholds: &Applicable<'_>,
) -> Result<ScenarioVerdicts, CompareError> {
    let differences = parameter_differences(baseline, result);
    if !differences.is_empty() {
        return Err(CompareError::NotComparable {
            scenario: baseline.name.clone(),
            differences,
        });
    }
    let mut judge = ScenarioJudge {
        scenario: &baseline.name,
        thresholds,
        checks: Vec::new(),
    };
    for before in &baseline.entries {
        match result.entries.iter().find(|e| e.id == before.id) {
            Some(after) => judge.entry(before, after),
            None => judge.ran(&before.id, None, Some(not_running(result, &before.id))),
        }
    }
    for skipped in &baseline.skipped {
        let before = Some(format!("skipped: {}", skipped.reason));
        match result.skipped.iter().find(|s| s.id == skipped.id) {
            Some(still) => judge.ran(
                &skipped.id,
                before,
                Some(format!("skipped: {}", still.reason)),
            ),
            None if result.entries.iter().any(|e| e.id == skipped.id) => {
                judge.ran(&skipped.id, before, None)
            }
            None => {}
        }
    }
    judge.conformance(baseline, result);
    judge.claims(baseline, result);

    let known: BTreeSet<&str> = baseline
        .entries
        .iter()
        .map(|e| e.id.as_str())
        .chain(baseline.skipped.iter().map(|s| s.id.as_str()))
        .collect();
    let new_entries = result
        .entries
        .iter()
        .filter(|e| !known.contains(e.id.as_str()))
        .map(|e| e.id.clone())
        .collect();
    Ok(ScenarioVerdicts {
        name: baseline.name.clone(),
        reference: baseline.reference.clone(),
        checks: judge.checks,
        new_entries,
    })
}

/// Why an entry of the baseline is not among the result's entries: its skip reason, or that
/// the scenario no longer has it.
fn not_running(result: &ScenarioResult, id: &str) -> String {
    match result.skipped.iter().find(|s| s.id == id) {
        Some(skipped) => format!("skipped: {}", skipped.reason),
        None => "not in the scenario".to_string(),
    }
}

/// The settings that make a scenario another experiment when they differ.
fn parameter_differences(a: &ScenarioResult, b: &ScenarioResult) -> Vec<String> {
    let (fa, fb) = (&a.parameters.fixture, &b.parameters.fixture);
    let pairs: [(&str, String, String); 10] = [
        (
            "fixture kind",
            format!("{:?}", fa.kind),
            format!("{:?}", fb.kind),
        ),
        ("fixture bytes", fa.bytes.to_string(), fb.bytes.to_string()),
        ("fixture files", fa.files.to_string(), fb.files.to_string()),
        ("fixture dirs", fa.dirs.to_string(), fb.dirs.to_string()),
        (
            "fixture symlinks",
            fa.symlinks.to_string(),
            fb.symlinks.to_string(),
        ),
        ("fixture size range", size_range(fa), size_range(fb)),
        ("fixture seed", fa.seed.to_string(), fb.seed.to_string()),
        ("reference", a.reference.clone(), b.reference.clone()),
        (
            "cache",
            a.parameters.cache.clone(),
            b.parameters.cache.clone(),
        ),
        (
            "fsync",
            a.parameters.fsync.to_string(),
            b.parameters.fsync.to_string(),
        ),
    ];
    pairs
        .into_iter()
        .filter(|(_, x, y)| x != y)
        .map(|(name, x, y)| format!("{name} {x} in the baseline, {y} in the result"))
        .collect()
}

fn size_range(f: &copybench_result::FixtureInfo) -> String {
    let side = |v: Option<u64>| v.map_or_else(|| "none".to_string(), |v| v.to_string());
    format!("{}–{}", side(f.size_min), side(f.size_max))
}

/// Collects the checks of one scenario.
struct ScenarioJudge<'a> {
    scenario: &'a str,
    thresholds: &'a Applicable<'a>,
    checks: Vec<Check>,
}

impl ScenarioJudge<'_> {
    fn push(
        &mut self,
        entry: &str,
        metric: String,
        kind: MetricKind,
        observed: (Observed, Observed),
        verdict: Verdict,
        reason: Option<String>,
    ) {
        let setting = self.thresholds.setting(self.scenario, entry, &metric, kind);
        self.checks.push(Check {
            entry: entry.to_string(),
            metric,
            kind,
            baseline: observed.0,
            result: observed.1,
            verdict,
            change: None,
            threshold: None,
            not_gated: setting.not_gated,
            reason,
        });
    }

    /// Whether the entry ran on each side: `None` when it ran, else why it did not.
    fn ran(&mut self, id: &str, before: Option<String>, after: Option<String>) {
        let verdict = exact::judge_ran(before.is_none(), after.is_none());
        let outcome = |why: Option<String>| Observed::Outcome {
            value: why.unwrap_or_else(|| "ran".to_string()),
        };
        let observed = (outcome(before), outcome(after));
        self.push(
            id,
            RAN.to_string(),
            MetricKind::Exact,
            observed,
            verdict,
            None,
        );
    }

    fn entry(&mut self, before: &EntryResult, after: &EntryResult) {
        self.ran(&before.id, None, None);
        self.syscalls(before, after);
        self.mechanism(before, after);
        if let Some(base) = &before.speedup {
            let result = match &after.speedup {
                // A child's or peer's speedup is against the reference timed the same way; one
                // against another entry is another ratio. (Older results do not say: empty.)
                Some(s)
                    if !s.against.is_empty()
                        && !base.against.is_empty()
                        && s.against != base.against =>
                {
                    let why = format!(
                        "measured against `{}` in the baseline and against `{}` in the result",
                        base.against, s.against
                    );
                    Err((
                        Observed::Estimate {
                            median: s.median,
                            low: s.ci.map(|i| i.low),
                            high: s.ci.map(|i| i.high),
                        },
                        why,
                    ))
                }
                Some(s) => speedup_figure(s, after),
                None => {
                    let why = after
                        .unmeasured
                        .get("speedup")
                        .cloned()
                        .unwrap_or_else(|| "no speedup in the result".to_string());
                    Err((
                        Observed::Absent {
                            reason: why.clone(),
                        },
                        why,
                    ))
                }
            };
            self.interval(
                &before.id,
                SPEEDUP,
                MetricKind::Speedup,
                baseline_figure(base.median, base.ci.as_ref()),
                result,
                Better::Higher,
            );
        }
        let wall = &after.summary.wall_s;
        self.interval(
            &before.id,
            WALL_TIME,
            MetricKind::WallTime,
            baseline_figure(
                before.summary.wall_s.median,
                before.summary.wall_s.ci.as_ref(),
            ),
            estimate_figure(wall, after),
            Better::Lower,
        );
    }

    /// Syscalls of one copy by name (plus `path_stats` and `fd_stats`): exact.
    fn syscalls(&mut self, before: &EntryResult, after: &EntryResult) {
        let Some(base) = &before.syscalls else {
            return;
        };
        let Some(now) = &after.syscalls else {
            let reason = after
                .unmeasured
                .get("syscalls")
                .cloned()
                .unwrap_or_else(|| "not counted in the result".to_string());
            let counted = format!("counted ({})", base.source.name());
            self.push_missing(&before.id, "syscalls", counted, reason);
            return;
        };
        if base.source != now.source {
            let reason = format!(
                "counted by {} in the baseline and by {} in the result: not the same count",
                base.source.name(),
                now.source.name()
            );
            let observed = (
                Observed::Outcome {
                    value: base.source.name().to_string(),
                },
                Observed::Outcome {
                    value: now.source.name().to_string(),
                },
            );
            self.push(
                &before.id,
                "syscalls".into(),
                MetricKind::Exact,
                observed,
                Verdict::Inconclusive,
                Some(reason),
            );
            return;
        }
        // Calls by name, then the stat calls split by what they looked at (a path lookup or an
        // open descriptor), which no name says.
        let names: BTreeSet<&String> = base.calls.keys().chain(now.calls.keys()).collect();
        let mut counts: Vec<(String, u64, u64)> = names
            .into_iter()
            .map(|name| {
                let count = |calls: &std::collections::BTreeMap<String, u64>| {
                    calls.get(name).copied().unwrap_or(0)
                };
                (name.clone(), count(&base.calls), count(&now.calls))
            })
            .collect();
        counts.push((
            "path_stats".into(),
            base.per_copy.path_stats,
            now.per_copy.path_stats,
        ));
        counts.push((
            "fd_stats".into(),
            base.per_copy.fd_stats,
            now.per_copy.fd_stats,
        ));
        for (name, a, b) in counts {
            let observed = (Observed::Count { value: a }, Observed::Count { value: b });
            self.push(
                &before.id,
                format!("syscalls.{name}"),
                MetricKind::Exact,
                observed,
                exact::judge_count(a, b),
                None,
            );
        }
    }

    /// What the copies really did (the proof of mechanism, checked after every sample): which
    /// strategies copied the files (for `auto`, its choice), which give-ups came before them, and
    /// whether the copies shared the source's extents. Outcomes, so exact: see
    /// `exact::judge_outcome` and `exact::judge_fallbacks`.
    fn mechanism(&mut self, before: &EntryResult, after: &EntryResult) {
        let Some(base) = &before.mechanism else {
            return;
        };
        let Some(now) = &after.mechanism else {
            let reason = "no proof of mechanism in the result".to_string();
            self.push_missing(&before.id, MECHANISM, "checked".into(), reason);
            return;
        };
        // Engine entries only: a peer or child reports no strategy of its own.
        if !base.strategies_used.is_empty() {
            let used = |m: &Mechanism| m.strategies_used.keys().cloned().collect::<BTreeSet<_>>();
            let (a, b) = (used(base), used(now));
            self.push_outcomes(&before.id, STRATEGY, (&a, &b), exact::judge_outcome(&a, &b));
            let gave_up = |m: &Mechanism| m.fallbacks.keys().cloned().collect::<BTreeSet<_>>();
            let (a, b) = (gave_up(base), gave_up(now));
            self.push_outcomes(
                &before.id,
                FALLBACKS,
                (&a, &b),
                exact::judge_fallbacks(&a, &b),
            );
        }
        if let (Some(a), Some(b)) = (base.extents, now.extents) {
            let name = |e: ExtentSharing| BTreeSet::from([e.name().to_string()]);
            let (a, b) = (name(a), name(b));
            self.push_outcomes(&before.id, EXTENTS, (&a, &b), exact::judge_outcome(&a, &b));
        }
    }

    /// An exact metric the baseline has and the result lacks: inconclusive, saying why.
    fn push_missing(&mut self, entry: &str, metric: &str, baseline: String, reason: String) {
        let observed = (
            Observed::Outcome { value: baseline },
            Observed::Absent {
                reason: reason.clone(),
            },
        );
        self.push(
            entry,
            metric.to_string(),
            MetricKind::Exact,
            observed,
            Verdict::Inconclusive,
            Some(reason),
        );
    }

    /// An exact check whose two sides are sets of names, shown as `a, b` (`none` when empty).
    fn push_outcomes(
        &mut self,
        entry: &str,
        metric: &str,
        (a, b): (&BTreeSet<String>, &BTreeSet<String>),
        verdict: Verdict,
    ) {
        let words = |set: &BTreeSet<String>| Observed::Outcome {
            value: if set.is_empty() {
                "none".to_string()
            } else {
                set.iter().cloned().collect::<Vec<_>>().join(", ")
            },
        };
        self.push(
            entry,
            metric.to_string(),
            MetricKind::Exact,
            (words(a), words(b)),
            verdict,
            None,
        );
    }

    /// A figure with an interval (speedup, wall time) against the baseline's median (the
    /// baseline's interval is shown, not judged). `result` is the result's figure with its
    /// interval, or why it has none: then the verdict is inconclusive.
    fn interval(
        &mut self,
        entry: &str,
        metric: &str,
        kind: MetricKind,
        baseline: Observed,
        result: Result<Interval, (Observed, String)>,
        better: Better,
    ) {
        let setting = self.thresholds.setting(self.scenario, entry, metric, kind);
        let baseline_median = match baseline {
            Observed::Estimate { median, .. } => median,
            _ => f64::NAN,
        };
        let (observed, judgement) = match result {
            Ok(interval) => (
                Observed::Estimate {
                    median: interval.median,
                    low: Some(interval.low),
                    high: Some(interval.high),
                },
                interval::judge(baseline_median, interval, setting.threshold, better),
            ),
            Err((observed, why)) => (
                observed,
                interval::Judgement {
                    verdict: Verdict::Inconclusive,
                    change: None,
                    reason: Some(why),
                },
            ),
        };
        self.checks.push(Check {
            entry: entry.to_string(),
            metric: metric.to_string(),
            kind,
            baseline,
            result: observed,
            verdict: judgement.verdict,
            change: judgement.change,
            threshold: Some(setting.threshold),
            not_gated: setting.not_gated,
            reason: judgement.reason,
        });
    }

    /// Every claim of the baseline: its verdict now. Claims about counts are exact; timed
    /// claims are reported and gated only where a rule says so (their verdict moves with the
    /// noise of the interval it is read from).
    fn claims(&mut self, baseline: &ScenarioResult, result: &ScenarioResult) {
        for claim in &baseline.claims {
            let metric = claim_metric(claim);
            let kind = if claim.metric.is_exact() {
                MetricKind::Exact
            } else {
                MetricKind::TimedClaim
            };
            let outcome = |c: &ClaimResult| Observed::Outcome {
                value: format!("{}: {}", c.verdict.label(), c.detail),
            };
            let now = result.claims.iter().find(|c| {
                (c.subject.as_str(), c.baseline.as_str(), c.metric)
                    == (
                        claim.subject.as_str(),
                        claim.baseline.as_str(),
                        claim.metric,
                    )
            });
            let (observed, verdict, reason) = match now {
                Some(now) => (
                    outcome(now),
                    exact::judge_claim(claim.verdict, now.verdict),
                    None,
                ),
                None => (
                    Observed::Absent {
                        reason: "claim not in the result".into(),
                    },
                    Verdict::Regressed,
                    Some("the result's scenario no longer states this claim".to_string()),
                ),
            };
            self.push(
                &claim.subject,
                metric,
                kind,
                (outcome(claim), observed),
                verdict,
                reason,
            );
        }
    }

    /// Every conformance cell of the baseline: its outcome now.
    fn conformance(&mut self, baseline: &ScenarioResult, result: &ScenarioResult) {
        let Some(before) = &baseline.conformance else {
            return;
        };
        let Some(after) = &result.conformance else {
            let reason = "conformance was not checked in the result".to_string();
            let checked = format!("{} cells checked", before.cells.len());
            self.push_missing("(all)", "conformance", checked, reason);
            return;
        };
        for cell in &before.cells {
            let metric = format!("conformance.{}", cell.case);
            let now = after
                .cells
                .iter()
                .find(|c| c.case == cell.case && c.subject == cell.subject);
            let (observed, verdict, reason) = match now {
                Some(now) => (
                    Observed::Outcome {
                        value: exact::cell_outcome(now),
                    },
                    exact::judge_conformance(cell, now),
                    None,
                ),
                None => (
                    Observed::Absent {
                        reason: "case not run".into(),
                    },
                    Verdict::Inconclusive,
                    Some(format!(
                        "case {} was not run for `{}` in the result",
                        cell.case, cell.subject
                    )),
                ),
            };
            let base = Observed::Outcome {
                value: exact::cell_outcome(cell),
            };
            self.push(
                &cell.subject,
                metric,
                MetricKind::Exact,
                (base, observed),
                verdict,
                reason,
            );
        }
    }
}

/// How a claim is named as a metric: `claim stat-calls-per-file against peer:python-shutil@3.7`.
fn claim_metric(claim: &ClaimResult) -> String {
    format!("claim {} against {}", claim.metric.name(), claim.baseline)
}

/// The baseline's side of an interval check: its median is what the result is judged against.
fn baseline_figure(median: f64, ci: Option<&copybench_result::Interval>) -> Observed {
    Observed::Estimate {
        median,
        low: ci.map(|i| i.low),
        high: ci.map(|i| i.high),
    }
}

/// A result's speedup with its interval, or why it has none (below 6 pairs no 95 % interval
/// exists: the harness leaves it out and says why).
fn speedup_figure(s: &Speedup, entry: &EntryResult) -> Result<Interval, (Observed, String)> {
    with_interval(s.median, s.ci.as_ref(), entry, "speedup")
}

/// A result's estimate (wall time) with its interval, or why it has none.
fn estimate_figure(e: &Estimate, entry: &EntryResult) -> Result<Interval, (Observed, String)> {
    with_interval(e.median, e.ci.as_ref(), entry, "wall_s")
}

fn with_interval(
    median: f64,
    ci: Option<&copybench_result::Interval>,
    entry: &EntryResult,
    figure: &str,
) -> Result<Interval, (Observed, String)> {
    match ci {
        Some(ci) => Ok(Interval {
            median,
            low: ci.low,
            high: ci.high,
        }),
        None => {
            let why =
                entry.unmeasured.get(figure).cloned().unwrap_or_else(|| {
                    "no 95 % interval in the result (too few samples)".to_string()
                });
            let observed = Observed::Estimate {
                median,
                low: None,
                high: None,
            };
            Err((observed, format!("no interval to judge: {why}")))
        }
    }
}
