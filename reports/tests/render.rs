//! Snapshots of the terminal and Markdown formats for a fixed, realistic result (two scenarios:
//! one file, one tree; engine entries and peers; skipped entries; a conformance matrix;
//! warnings), and for two results compared.

use copybench_reports::{render, Format, ReportError};
use copybench_result::RunResult;

use copybench_testkit::results::result as fixture;

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
    // At the top of the summary, before any scenario's headline.
    let terminal = render(std::slice::from_ref(&result), Format::Terminal).unwrap();
    before(&terminal, "Summary\n  Claims\n", &first_scenario);
    assert!(terminal.contains("smaller effect"), "{terminal}");
    assert!(terminal.contains("1.12× [1.08×, 1.15×]"), "{terminal}");
    assert!(
        terminal.contains("not checked: peer:python-shutil@3.99 vs"),
        "{terminal}"
    );
    assert!(terminal.contains("`pyenv install 3.99`"), "{terminal}");

    let markdown = render(std::slice::from_ref(&result), Format::Markdown).unwrap();
    before(&markdown, "### Summary\n\n**Claims**\n", &first_scenario);
    assert!(markdown.contains("| smaller effect |"), "{markdown}");
    assert!(markdown.contains("- not checked: "), "{markdown}");

    let html = render(std::slice::from_ref(&result), Format::Html).unwrap();
    before(
        &html,
        r#"<section class="headline""#,
        r#"<section class="claims""#,
    );
    before(&html, r#"<section class="claims""#, r##"<h3><a href="#"##);
    assert!(html.contains(r#"<td class="claim-verdict not-checked">not checked</td>"#));
}

#[test]
fn a_result_without_claims_shows_no_claims_section() {
    let result = fixture("result.json");
    let terminal = render(std::slice::from_ref(&result), Format::Terminal).unwrap();
    assert!(!terminal.contains("Claims"));
    let html = render(std::slice::from_ref(&result), Format::Html).unwrap();
    assert!(!html.contains("claims"));
}
