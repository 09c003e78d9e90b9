//! Snapshots of every format for a fixed, realistic result (two scenarios: one file, one tree;
//! engine entries and peers; skipped entries; a conformance matrix; warnings).

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
fn nothing_to_render_is_an_error() {
    assert!(matches!(
        render(&[], Format::Terminal),
        Err(ReportError::Empty)
    ));
}
