//! Snapshots of the terminal and Markdown formats for a fixed, realistic result (two scenarios:
//! one file, one tree; engine entries and peers; skipped entries; a conformance matrix;
//! warnings), and for two results compared.

use copybench_reports::{render, Format, ReportError};
use copybench_result::RunResult;

fn fixture(name: &str) -> RunResult {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).expect("the fixture");
    RunResult::from_json(&text).expect("the fixture is a valid result")
}

#[test]
fn terminal_summary() {
    let out = render(&[fixture("result.json")], Format::Terminal).unwrap();
    insta::assert_snapshot!(out);
}

#[test]
fn terminal_comparison_of_two_results() {
    let results = [fixture("result.json"), fixture("result-tmpfs.json")];
    let out = render(&results, Format::Terminal).unwrap();
    assert!(out.contains("different kernel"), "{out}");
    insta::assert_snapshot!(out);
}

#[test]
fn markdown_summary() {
    let out = render(&[fixture("result.json")], Format::Markdown).unwrap();
    insta::assert_snapshot!(out);
}

#[test]
fn markdown_comparison_of_two_results() {
    let results = [fixture("result.json"), fixture("result-tmpfs.json")];
    let out = render(&results, Format::Markdown).unwrap();
    insta::assert_snapshot!(out);
}

#[test]
fn markdown_escapes_text_from_the_result() {
    let mut result = fixture("result.json");
    result.scenarios[0].warnings = vec!["a | b <img src=x onerror=alert(1)> **bold**".into()];
    result.scenarios[0].entries[1].id = "send|file".into();
    let out = render(&[result], Format::Markdown).unwrap();
    assert!(out.contains("a \\| b &lt;img src=x onerror=alert(1)&gt; \\*\\*bold\\*\\*"));
    assert!(out.contains("| `send\\|file` |"));
    assert!(!out.contains("<img"));
}

#[test]
fn unmeasured_figures_are_absent_with_their_reason_not_zero() {
    let out = render(&[fixture("result.json")], Format::Terminal).unwrap();
    let python_row = out
        .lines()
        .find(|l| l.trim_start().starts_with("peer:python3-shutil  peer"))
        .expect("the python row");
    assert!(python_row.trim_end().ends_with('—'), "{python_row}");
    assert!(out.contains("peer:python3-shutil syscalls: strace not found"));
}

#[test]
fn nothing_to_render_is_an_error() {
    for format in [Format::Terminal, Format::Markdown, Format::Html] {
        assert!(matches!(render(&[], format), Err(ReportError::Empty)));
    }
}

/// The fixture with two claims on its first scenario: one measured, one not checked.
fn with_claims() -> RunResult {
    use copybench_result::{
        ClaimMetric, ClaimResult, ClaimVerdict, ClaimedFigure, FigureKind, MeasuredFigure,
    };
    let mut result = fixture("result.json");
    let scenario = &mut result.scenarios[0];
    let (subject, baseline) = (scenario.entries[1].id.clone(), scenario.reference.clone());
    scenario.claims = vec![
        ClaimResult {
            subject: subject.clone(),
            baseline: baseline.clone(),
            metric: ClaimMetric::WallTime,
            claimed: ClaimedFigure {
                kind: FigureKind::Speedup,
                value: 1.26,
                text: "1.26".to_owned(),
            },
            source: "What's New In Python 3.8".to_owned(),
            verdict: ClaimVerdict::SmallerEffect,
            measured: Some(MeasuredFigure {
                value: 1.12,
                ci_low: Some(1.08),
                ci_high: Some(1.15),
                exact: false,
                pairs: Some(9),
                baseline_value: 0.2,
                subject_value: 0.18,
            }),
            detail: "measured 1.12× against the claimed 1.26×".to_owned(),
        },
        ClaimResult {
            subject: "peer:python-shutil@3.99".to_owned(),
            baseline,
            metric: ClaimMetric::StatCallsPerFile,
            claimed: ClaimedFigure {
                kind: FigureKind::Change,
                value: -0.38,
                text: "-38%".to_owned(),
            },
            source: "What's New In Python 3.8".to_owned(),
            verdict: ClaimVerdict::NotChecked,
            measured: None,
            detail: "CPython 3.99 not found: install it with `pyenv install 3.99`".to_owned(),
        },
    ];
    result
}

#[test]
fn claims_come_first_in_every_format() {
    let result = with_claims();
    let first_scenario = result.scenarios[0].name.clone();
    let before = |text: &str, earlier: &str, later: &str| {
        let (a, b) = (text.find(earlier), text.find(later));
        assert!(
            a.is_some() && b.is_some() && a < b,
            "`{earlier}` should come before `{later}`:\n{text}"
        );
    };
    let terminal = render(std::slice::from_ref(&result), Format::Terminal).unwrap();
    before(&terminal, "\nclaims\n", &format!("\n{first_scenario}\n"));
    assert!(terminal.contains("smaller effect"), "{terminal}");
    assert!(terminal.contains("1.12× [1.08×, 1.15×]"), "{terminal}");
    assert!(
        terminal.contains("not checked: peer:python-shutil@3.99 vs"),
        "{terminal}"
    );
    assert!(terminal.contains("`pyenv install 3.99`"), "{terminal}");

    let markdown = render(std::slice::from_ref(&result), Format::Markdown).unwrap();
    before(&markdown, "### Claims", &format!("### {first_scenario}"));
    assert!(markdown.contains("| smaller effect |"), "{markdown}");
    assert!(markdown.contains("- not checked: "), "{markdown}");

    let html = render(std::slice::from_ref(&result), Format::Html).unwrap();
    before(
        &html,
        r#"<section class="claims""#,
        "<section class=\"scenario\"",
    );
    assert!(html.contains(r#"<td class="claim-verdict not-checked">not checked</td>"#));
}

#[test]
fn a_result_without_claims_shows_no_claims_section() {
    let result = fixture("result.json");
    let terminal = render(std::slice::from_ref(&result), Format::Terminal).unwrap();
    assert!(!terminal.contains("\nclaims\n"));
    let html = render(std::slice::from_ref(&result), Format::Html).unwrap();
    assert!(!html.contains("claims"));
}
