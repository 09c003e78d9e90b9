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
