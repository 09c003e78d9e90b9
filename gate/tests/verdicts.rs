//! The gate on hand-made results: a real result (the reports' fixture) as the baseline, and a
//! copy changed in one place as the result, for each verdict the issue asks to show.

use copybench_gate::{
    compare, CompareError, Failure, GateReport, MetricKind, Overall, Thresholds, Verdict,
};
use copybench_result::{
    ClaimMetric, ClaimResult, ClaimVerdict, ClaimedFigure, FigureKind, Interval, RunResult,
    Speedup, Verdict as CellVerdict,
};

/// The reports' fixture with every interval narrowed to ±1 % of its median, as a run that
/// sampled to a tight precision would give: the gate can then judge every speedup.
fn baseline() -> RunResult {
    copybench_testkit::results::with_tight_intervals(measured())
}

fn interval(low: f64, high: f64) -> Interval {
    Interval {
        low,
        high,
        coverage: 0.95,
    }
}

/// The reports' fixture as it was measured (some intervals wider than 5 %).
fn measured() -> RunResult {
    copybench_testkit::results::result("result.json")
}

fn judge(result: &RunResult) -> GateReport {
    compare(&baseline(), result, &Thresholds::default()).expect("comparable")
}

/// The one check of `entry`'s `metric` in the first scenario.
fn check<'a>(report: &'a GateReport, entry: &str, metric: &str) -> &'a copybench_gate::Check {
    report.scenarios[0]
        .checks
        .iter()
        .find(|c| c.entry == entry && c.metric == metric)
        .unwrap_or_else(|| panic!("no {entry} {metric} check"))
}

/// Sets `sendfile`'s speedup in the first scenario (the baseline's median is 1.2602).
fn with_sendfile_speedup(median: f64, low: f64, high: f64) -> RunResult {
    let mut result = baseline();
    let entry = &mut result.scenarios[0].entries[1];
    assert_eq!(entry.id, "sendfile");
    entry.speedup = Some(Speedup {
        median,
        ci: Some(interval(low, high)),
        pairs: 20,
        ratio_of_medians: median,
        against: String::new(),
        direction_conflict: None,
    });
    result
}

#[test]
fn the_same_result_passes_with_no_change_anywhere() {
    let report = judge(&baseline());
    assert_eq!(report.overall, Overall::Pass);
    assert!(
        report.checks().all(|c| c.verdict == Verdict::NoChange),
        "{report:#?}"
    );
    assert!(report.environment.is_empty());
    assert_eq!(report.failure(true), None);
}

#[test]
fn the_same_result_with_wide_intervals_is_inconclusive_where_they_are_wide() {
    let measured = measured();
    let report = compare(&baseline(), &measured, &Thresholds::default()).unwrap();
    assert_eq!(report.overall, Overall::Inconclusive);
    let mut inconclusive = 0;
    for entry in measured.scenarios[0].entries.iter() {
        let Some(ci) = entry.speedup.as_ref().and_then(|s| s.ci) else {
            continue;
        };
        let median = entry.speedup.as_ref().unwrap().median;
        let wide = (median - ci.low).max(ci.high - median) / median > 0.05;
        let verdict = check(&report, &entry.id, "speedup").verdict;
        assert_eq!(verdict == Verdict::Inconclusive, wide, "{}", entry.id);
        inconclusive += usize::from(wide);
    }
    assert!(inconclusive > 0);
}

#[test]
fn an_exact_count_increase_fails() {
    let mut result = baseline();
    let calls = &mut result.scenarios[0].entries[1]
        .syscalls
        .as_mut()
        .unwrap()
        .calls;
    *calls.get_mut("sendfile").unwrap() += 1;
    let report = judge(&result);
    assert_eq!(report.overall, Overall::Regression);
    assert_eq!(report.failure(false), Some(Failure::Regression));
    let c = check(&report, "sendfile", "syscalls.sendfile");
    assert_eq!((c.verdict, c.kind), (Verdict::Regressed, MetricKind::Exact));
}

#[test]
fn an_exact_count_decrease_is_an_improvement_and_passes() {
    let mut result = baseline();
    let calls = &mut result.scenarios[0].entries[0]
        .syscalls
        .as_mut()
        .unwrap()
        .calls;
    *calls.get_mut("read").unwrap() -= 1;
    let report = judge(&result);
    assert_eq!(report.overall, Overall::Pass);
    assert_eq!(
        check(&report, "buffered-64k", "syscalls.read").verdict,
        Verdict::Improved
    );
}

#[test]
fn a_new_syscall_is_an_increase_from_zero() {
    let mut result = baseline();
    let calls = &mut result.scenarios[0].entries[1]
        .syscalls
        .as_mut()
        .unwrap()
        .calls;
    calls.insert("lseek".into(), 1);
    let report = judge(&result);
    assert_eq!(
        check(&report, "sendfile", "syscalls.lseek").verdict,
        Verdict::Regressed
    );
}

#[test]
fn a_speedup_drop_beyond_the_threshold_with_a_tight_interval_fails() {
    // 1.2602 → 1.05 [1.04, 1.06]: -17 %, the whole interval more than 5 % below.
    let report = judge(&with_sendfile_speedup(1.05, 1.04, 1.06));
    assert_eq!(report.overall, Overall::Regression);
    let c = check(&report, "sendfile", "speedup");
    assert_eq!(c.verdict, Verdict::Regressed);
    assert!(c.change.unwrap().high < -0.05);
}

#[test]
fn the_same_drop_with_a_wide_interval_is_inconclusive() {
    let report = judge(&with_sendfile_speedup(1.05, 0.85, 1.25));
    assert_eq!(report.overall, Overall::Inconclusive);
    assert_eq!(report.failure(false), None, "inconclusive does not fail");
    assert_eq!(report.failure(true), Some(Failure::Inconclusive));
    let c = check(&report, "sendfile", "speedup");
    assert_eq!(c.verdict, Verdict::Inconclusive);
    assert!(c.reason.as_deref().unwrap().contains("wider than"));
}

#[test]
fn noise_within_the_threshold_passes() {
    // -2 %, interval ±2 %: within 5 %.
    let report = judge(&with_sendfile_speedup(1.235, 1.21, 1.26));
    assert_eq!(report.overall, Overall::Pass);
    assert_eq!(
        check(&report, "sendfile", "speedup").verdict,
        Verdict::NoChange
    );
}

#[test]
fn a_rise_beyond_the_threshold_with_a_tight_interval_is_an_improvement() {
    let report = judge(&with_sendfile_speedup(1.50, 1.48, 1.52));
    assert_eq!(report.overall, Overall::Pass);
    assert_eq!(
        check(&report, "sendfile", "speedup").verdict,
        Verdict::Improved
    );
}

#[test]
fn a_threshold_from_the_file_decides() {
    let thresholds = Thresholds::parse(
        "[[rule]]\nentry = \"sendfile\"\nmetric = \"speedup\"\nthreshold = \"25%\"\n",
        "gates.toml",
    )
    .unwrap();
    // -17 % with ±1 %: a regression at 5 %, within noise at 25 %.
    let result = with_sendfile_speedup(1.05, 1.04, 1.06);
    let report = compare(&baseline(), &result, &thresholds).unwrap();
    assert_eq!(report.overall, Overall::Pass);
    assert_eq!(check(&report, "sendfile", "speedup").threshold, Some(0.25));
}

#[test]
fn absolute_times_are_reported_never_gated_by_default() {
    let mut result = baseline();
    let wall = &mut result.scenarios[0].entries[1].summary.wall_s;
    wall.median = 0.065;
    wall.ci = Some(interval(0.0649, 0.0651));
    let report = judge(&result);
    let c = check(&report, "sendfile", "wall_time");
    assert_eq!(c.verdict, Verdict::Regressed, "judged");
    assert!(!c.gated(), "but not gated");
    assert_eq!(report.overall, Overall::Pass);
}

#[test]
fn mismatched_environments_warn_and_fail_with_strict() {
    let mut result = baseline();
    result.environment.kernel = Some("6.8.0-45-generic".into());
    result.environment.filesystems[2].fs_type = "tmpfs".into();
    let report = judge(&result);
    assert_eq!(report.overall, Overall::Pass);
    assert_eq!(report.failure(false), None);
    assert_eq!(report.failure(true), Some(Failure::EnvironmentDiffers));
    let named: Vec<&str> = report
        .environment
        .iter()
        .map(|d| d.property.as_str())
        .collect();
    assert_eq!(named, ["kernel", "target filesystem type"]);
}

#[test]
fn a_conformance_pass_that_fails_now_regresses() {
    let mut result = baseline();
    let matrix = result.scenarios[0].conformance.as_mut().unwrap();
    let cell = matrix
        .cells
        .iter_mut()
        .find(|c| c.verdict == CellVerdict::Pass)
        .unwrap();
    cell.verdict = CellVerdict::Fail;
    cell.detail = Some("mode 644 ≠ 755".into());
    let (case, subject) = (cell.case, cell.subject.clone());
    let report = judge(&result);
    assert_eq!(report.overall, Overall::Regression);
    let c = check(&report, &subject, &format!("conformance.{case}"));
    assert_eq!(c.verdict, Verdict::Regressed);
}

#[test]
fn an_entry_that_is_skipped_now_regresses() {
    let mut result = baseline();
    let scenario = &mut result.scenarios[0];
    let gone = scenario.entries.remove(1);
    scenario.skipped.push(copybench_result::Skipped {
        id: gone.id,
        reason: "sendfile gave up (EINVAL)".into(),
    });
    let report = judge(&result);
    assert_eq!(report.overall, Overall::Regression);
    let c = check(&report, "sendfile", "ran");
    assert_eq!(c.verdict, Verdict::Regressed);
}

#[test]
fn a_speedup_without_an_interval_is_inconclusive_with_the_reason() {
    let mut result = baseline();
    let entry = &mut result.scenarios[0].entries[1];
    entry.speedup.as_mut().unwrap().ci = None;
    entry
        .unmeasured
        .insert("speedup".into(), "5 pairs: no 95 % interval below 6".into());
    let report = judge(&result);
    let c = check(&report, "sendfile", "speedup");
    assert_eq!(c.verdict, Verdict::Inconclusive);
    assert!(c.reason.as_deref().unwrap().contains("below 6"), "{c:?}");
}

#[test]
fn a_speedup_against_another_reference_is_inconclusive() {
    let mut before = baseline();
    before.scenarios[0].entries[4]
        .speedup
        .as_mut()
        .unwrap()
        .against = "buffered-64k".into();
    let mut after = before.clone();
    let peer = &mut after.scenarios[0].entries[4];
    assert_eq!(peer.id, "peer:cp");
    peer.speedup.as_mut().unwrap().against = "buffered-64k (child)".into();
    let report = compare(&before, &after, &Thresholds::default()).unwrap();
    let c = check(&report, "peer:cp", "speedup");
    assert_eq!(c.verdict, Verdict::Inconclusive);
    assert!(c.reason.as_deref().unwrap().contains("(child)"), "{c:?}");
}

#[test]
fn counts_that_are_no_longer_counted_are_inconclusive() {
    let mut result = baseline();
    result.scenarios[0].entries[1].syscalls = None;
    let report = judge(&result);
    assert_eq!(
        check(&report, "sendfile", "syscalls").verdict,
        Verdict::Inconclusive
    );
}

#[test]
fn another_fixture_cannot_be_compared() {
    let mut result = baseline();
    result.scenarios[0].parameters.fixture.bytes /= 4;
    let e = compare(&baseline(), &result, &Thresholds::default()).unwrap_err();
    match e {
        CompareError::NotComparable {
            scenario,
            differences,
        } => {
            assert_eq!(scenario, "single-64mib");
            assert!(
                differences[0].starts_with("fixture bytes"),
                "{differences:?}"
            );
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_scenario_missing_from_the_result_cannot_be_judged() {
    let mut result = baseline();
    result.scenarios.remove(1);
    assert_eq!(
        compare(&baseline(), &result, &Thresholds::default()).unwrap_err(),
        CompareError::MissingScenario {
            scenario: "tree-800".into()
        }
    );
}

fn claim(metric: ClaimMetric, verdict: ClaimVerdict) -> ClaimResult {
    ClaimResult {
        subject: "scandir".into(),
        baseline: "listdir".into(),
        metric,
        claimed: ClaimedFigure {
            kind: FigureKind::Change,
            value: -0.38,
            text: "-38%".into(),
        },
        source: "whatsnew 3.8".into(),
        verdict,
        measured: None,
        detail: "hand-made".into(),
    }
}

#[test]
fn an_exact_claim_that_stops_reproducing_regresses_and_a_timed_one_is_reported() {
    let mut before = baseline();
    before.scenarios[1].claims = vec![
        claim(ClaimMetric::StatCallsPerFile, ClaimVerdict::Reproduces),
        claim(ClaimMetric::WallTime, ClaimVerdict::Reproduces),
    ];
    let mut after = before.clone();
    after.scenarios[1].claims[0].verdict = ClaimVerdict::SmallerEffect;
    after.scenarios[1].claims[1].verdict = ClaimVerdict::NoEffect;
    let report = compare(&before, &after, &Thresholds::default()).unwrap();
    let claims: Vec<_> = report.scenarios[1]
        .checks
        .iter()
        .filter(|c| c.metric.starts_with("claim "))
        .collect();
    assert_eq!(claims.len(), 2);
    assert_eq!(
        claims[0].metric,
        "claim stat-calls-per-file against listdir"
    );
    assert_eq!(
        (claims[0].verdict, claims[0].gated()),
        (Verdict::Regressed, true)
    );
    assert_eq!(
        (claims[1].verdict, claims[1].gated()),
        (Verdict::Regressed, false)
    );
    assert_eq!(report.overall, Overall::Regression);
    // A rule can gate timed claims too.
    let thresholds = Thresholds::parse(
        "[[rule]]\nmetric = \"claim wall-time *\"\ngate = true\n",
        "g.toml",
    )
    .unwrap();
    let report = compare(&before, &after, &thresholds).unwrap();
    let timed = report.scenarios[1]
        .checks
        .iter()
        .find(|c| c.metric == "claim wall-time against listdir")
        .unwrap();
    assert!(timed.gated());
}
