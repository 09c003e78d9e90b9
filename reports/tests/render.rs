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
    assert!(out.contains("syscalls of peer:python3-shutil: strace not found"));
}

#[test]
fn nothing_to_render_is_an_error() {
    for format in [Format::Terminal, Format::Markdown, Format::Html] {
        assert!(matches!(render(&[], format), Err(ReportError::Empty)));
    }
}

/// The headline block of each format: what a reader sees first. The fixture's `single-64mib`
/// has a tie (`sendfile` and `copy_file_range` overlap), `tree-800` a clear winner.
#[test]
fn headline_in_every_format() {
    let result = fixture("result.json");
    let terminal = render(std::slice::from_ref(&result), Format::Terminal).unwrap();
    let block = |text: &str, start: &str, end: &str| -> String {
        let from = text.find(start).expect("the headline's start");
        let to = text[from..].find(end).map_or(text.len(), |i| from + i);
        text[from..to].to_string()
    };
    insta::assert_snapshot!("headline_terminal", block(&terminal, "Summary\n", "\n\n"));
    let markdown = render(std::slice::from_ref(&result), Format::Markdown).unwrap();
    insta::assert_snapshot!(
        "headline_markdown",
        block(&markdown, "### Summary", "\n### ")
    );
    let html = render(std::slice::from_ref(&result), Format::Html).unwrap();
    insta::assert_snapshot!(
        "headline_html",
        block(&html, r#"<section class="headline""#, "<nav")
    );
}

/// Markdown as GitHub renders it (CommonMark with GFM tables): the backticked names in
/// warnings, reasons and notes become code, never literal backticks or backslashes.
#[test]
fn markdown_warnings_render_as_code_on_github() {
    use pulldown_cmark::{html, Options, Parser};

    let mut result = fixture("result.json");
    let scenario = &mut result.scenarios[0];
    scenario.warnings = vec![
        "`readinto-256k`: the speedup's 95 % CI is wider than ±5 %".into(),
        "install `strace` for the syscalls of `peer:cp`".into(),
    ];
    scenario.skipped[2].reason = "rsync not found (install the Debian package `rsync`)".into();
    let markdown = render(&[result], Format::Markdown).unwrap();
    let mut page = String::new();
    html::push_html(
        &mut page,
        Parser::new_ext(&markdown, Options::ENABLE_TABLES),
    );
    let items: Vec<&str> = page
        .split("<li>")
        .skip(1)
        .map(|item| item.split("</li>").next().unwrap_or(""))
        .filter(|item| item.contains("warning:") || item.contains("skipped"))
        .collect();
    assert!(items.len() >= 4, "{page}");
    for item in &items {
        assert!(!item.contains('\\'), "a backslash shows in {item}");
        assert!(!item.contains('`'), "a literal backtick shows in {item}");
    }
    let all = items.join("\n");
    for name in ["readinto-256k", "strace", "peer:cp", "rsync"] {
        assert!(all.contains(&format!("<code>{name}</code>")), "{all}");
    }
    // The long tables are folded, and each table still renders as one.
    assert!(page.contains("<details><summary>Syscalls per copy</summary>"));
    assert_eq!(page.matches("<table>").count(), 4, "{page}");
}

#[test]
fn a_note_shared_by_several_entries_is_printed_once() {
    let mut result = fixture("result.json");
    let reason = "child processes are counted only with --count-syscalls";
    for entry in &mut result.scenarios[0].entries[4..] {
        entry.syscalls = None;
        entry.unmeasured.insert("syscalls".into(), reason.into());
    }
    for format in [Format::Terminal, Format::Markdown, Format::Html] {
        let out = render(std::slice::from_ref(&result), format).unwrap();
        let line = format!("syscalls of peer:cp, peer:python3-shutil: {reason}");
        assert_eq!(out.matches(reason).count(), 1, "{format:?}: {out}");
        assert!(out.contains(&line), "{format:?}");
    }
}
