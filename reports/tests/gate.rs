//! Snapshots of `copybench gate`'s terminal and Markdown output for a hand-made comparison with
//! one of each verdict: a speedup regression, an inconclusive speedup, an improvement, an
//! exact-count change, a conformance failure and another kernel.

use copybench_gate::{compare, GateReport, Thresholds};
use copybench_reports::{render_gate, GateFormat, GateRun, GateSide};
use copybench_result::{Interval, RunResult, Speedup, Verdict};

/// The fixture with ±1 % intervals (a baseline sampled to a tight precision).
fn baseline() -> RunResult {
    copybench_testkit::results::with_tight_intervals(copybench_testkit::results::result(
        "result.json",
    ))
}

fn interval(low: f64, high: f64) -> Interval {
    Interval {
        low,
        high,
        coverage: 0.95,
    }
}

fn changed() -> RunResult {
    let mut result = baseline();
    result.environment.kernel = Some("6.8.0-45-generic".into());
    let file = &mut result.scenarios[0];
    let speedup = |median: f64, low: f64, high: f64| Speedup {
        median,
        ci: Some(interval(low, high)),
        pairs: 20,
        ratio_of_medians: median,
        against: String::new(),
        direction_conflict: None,
    };
    file.entries[1].speedup = Some(speedup(0.63, 0.62, 0.64)); // sendfile: halved
    let wall = &mut file.entries[1].summary.wall_s;
    wall.median = 0.065;
    wall.ci = Some(interval(0.0645, 0.0655));
    file.entries[2].speedup = Some(speedup(1.20, 0.95, 1.40)); // copy_file_range: too wide
    file.entries[3].speedup = Some(speedup(1.40, 1.39, 1.41)); // readinto-1m: faster
    let calls = &mut file.entries[1].syscalls.as_mut().unwrap().calls;
    *calls.get_mut("sendfile").unwrap() += 1;
    let matrix = file.conformance.as_mut().unwrap();
    let cell = matrix
        .cells
        .iter_mut()
        .find(|c| c.subject == "sendfile" && c.verdict == Verdict::Pass)
        .unwrap();
    cell.verdict = Verdict::Fail;
    cell.detail = Some("mode 0644 ≠ 0755".into());
    result
}

fn render(
    report: &GateReport,
    baseline: &RunResult,
    result: &RunResult,
    format: GateFormat,
) -> String {
    let run = GateRun {
        report,
        baseline: GateSide {
            path: "ci/baselines/default.json",
            result: baseline,
        },
        result: GateSide {
            path: "result.json",
            result,
        },
        strict: false,
    };
    render_gate(&run, format)
}

#[test]
fn terminal_gate_output() {
    let (baseline, result) = (baseline(), changed());
    let report = compare(&baseline, &result, &Thresholds::default()).unwrap();
    insta::assert_snapshot!(render(&report, &baseline, &result, GateFormat::Terminal));
}

#[test]
fn markdown_gate_output() {
    let (baseline, result) = (baseline(), changed());
    let report = compare(&baseline, &result, &Thresholds::default()).unwrap();
    insta::assert_snapshot!(render(&report, &baseline, &result, GateFormat::Markdown));
}

#[test]
fn markdown_gate_output_escapes_text_from_the_results() {
    let baseline = baseline();
    let mut result = baseline.clone();
    result.environment.kernel = Some("6.8 <script>|x".into());
    let report = compare(&baseline, &result, &Thresholds::default()).unwrap();
    let out = render(&report, &baseline, &result, GateFormat::Markdown);
    assert!(out.contains("6.8 &lt;script&gt;\\|x"), "{out}");
    assert!(!out.contains("<script>"));
}

#[test]
fn json_gate_output_has_every_check() {
    let (baseline, result) = (baseline(), changed());
    let report = compare(&baseline, &result, &Thresholds::default()).unwrap();
    let out = render(&report, &baseline, &result, GateFormat::Json);
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(json["overall"], "regression");
    assert_eq!(json["failure"], "regression");
    assert_eq!(json["baseline"], "ci/baselines/default.json");
    assert_eq!(json["environment"][0]["property"], "kernel");
    let checks = json["scenarios"][0]["checks"].as_array().unwrap();
    let sendfile = checks
        .iter()
        .find(|c| c["entry"] == "sendfile" && c["metric"] == "speedup")
        .unwrap();
    assert_eq!(sendfile["verdict"], "regressed");
    assert_eq!(sendfile["kind"], "speedup");
    assert_eq!(sendfile["result"]["type"], "estimate");
    assert_eq!(sendfile["not_gated"], serde_json::Value::Null);
}
