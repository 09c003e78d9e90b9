//! The output of `copybench gate`: the overall verdict first, then per scenario the speedups
//! with their change and verdict, the exact metrics that changed, and why anything is
//! inconclusive or not gated. Terminal, Markdown (for a CI job summary) or JSON.

use std::fmt::Write;

use copybench_gate::{Failure, GateReport, Overall, ScenarioVerdicts};
use copybench_result::RunResult;
use serde::Serialize;

use crate::{format, markdown, terminal, verdicts};

/// The formats of `copybench gate`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GateFormat {
    Terminal,
    Markdown,
    Json,
}

/// One side of the comparison: the file it was read from and what it holds.
#[derive(Clone, Copy, Debug)]
pub struct GateSide<'a> {
    pub path: &'a str,
    pub result: &'a RunResult,
}

/// Everything the gate's output shows.
#[derive(Clone, Copy, Debug)]
pub struct GateRun<'a> {
    pub report: &'a GateReport,
    pub baseline: GateSide<'a>,
    pub result: GateSide<'a>,
    /// `--strict`: inconclusive verdicts and environment differences fail.
    pub strict: bool,
}

impl GateRun<'_> {
    fn failure(&self) -> Option<Failure> {
        self.report.failure(self.strict)
    }
}

/// Renders the gate's verdicts in `format`.
pub fn render_gate(run: &GateRun<'_>, format: GateFormat) -> String {
    match format {
        GateFormat::Terminal => terminal_gate(run),
        GateFormat::Markdown => markdown_gate(run),
        GateFormat::Json => json_gate(run),
    }
}

/// The one-line answer: `pass`, `regression`, `inconclusive (…)`, `fails with --strict: …`.
fn headline(run: &GateRun<'_>) -> String {
    match (run.failure(), run.report.overall) {
        (Some(Failure::Regression), _) => "regression".to_string(),
        (Some(Failure::Inconclusive), _) => "inconclusive, which fails with --strict".to_string(),
        (Some(Failure::EnvironmentDiffers), _) => {
            "fails with --strict: the baseline is from another environment".to_string()
        }
        (None, Overall::Inconclusive) => {
            "inconclusive (does not fail without --strict)".to_string()
        }
        (None, _) => "pass".to_string(),
    }
}

fn tally_line(report: &GateReport) -> String {
    let t = report.tally();
    format!(
        "{} regressed, {} inconclusive, {} improved, {} no change",
        t.regressed, t.inconclusive, t.improved, t.no_change
    )
}

fn side_line(side: &GateSide<'_>) -> String {
    format!(
        "{}: copybench {} on {}, started {}",
        side.path,
        format::version(&side.result.copybench),
        format::host(&side.result.environment),
        side.result.started_at
    )
}

fn environment_lines(report: &GateReport) -> Vec<String> {
    report
        .environment
        .iter()
        .map(|d| {
            format!(
                "another environment: {} is {} in the baseline, {} in the result",
                d.property, d.baseline, d.result
            )
        })
        .collect()
}

fn terminal_gate(run: &GateRun<'_>) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "copybench gate: {} · {}",
        headline(run),
        tally_line(run.report)
    );
    let _ = writeln!(out, "  baseline  {}", side_line(&run.baseline));
    let _ = writeln!(out, "  result    {}", side_line(&run.result));
    for line in environment_lines(run.report) {
        let _ = writeln!(out, "  ! {line}");
    }
    for scenario in &run.report.scenarios {
        terminal_scenario(&mut out, scenario);
    }
    out
}

fn terminal_scenario(out: &mut String, scenario: &ScenarioVerdicts) {
    let _ = writeln!(
        out,
        "\n{} · speedups against {}",
        scenario.name, scenario.reference
    );
    let intervals = verdicts::interval_table(&scenario.checks, &scenario.reference);
    if !intervals.is_empty() {
        out.push_str(&terminal::table_text(&intervals, "  "));
    }
    let exact = verdicts::exact_changes(&scenario.checks);
    if !exact.is_empty() {
        let _ = writeln!(out, "  exact metrics that changed:");
        out.push_str(&terminal::table_text(&exact, "    "));
    }
    let _ = writeln!(
        out,
        "  {} exact metrics unchanged (syscalls by name, conformance, entries run)",
        verdicts::unchanged_exact(&scenario.checks)
    );
    if !scenario.new_entries.is_empty() {
        let _ = writeln!(
            out,
            "  new, not judged: {}",
            scenario.new_entries.join(", ")
        );
    }
    for line in verdicts::explanations(&scenario.checks) {
        let _ = writeln!(out, "  - {line}");
    }
}

fn markdown_gate(run: &GateRun<'_>) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "## copybench gate: **{}**\n", headline(run));
    let _ = writeln!(out, "{} (gated checks)\n", tally_line(run.report));
    let _ = writeln!(
        out,
        "- baseline: {}",
        markdown::escape(&side_line(&run.baseline))
    );
    let _ = writeln!(
        out,
        "- result: {}\n",
        markdown::escape(&side_line(&run.result))
    );
    let environment = environment_lines(run.report);
    for line in &environment {
        let _ = writeln!(out, "> **Warning:** {}  ", markdown::escape(line));
    }
    if !environment.is_empty() {
        out.push('\n');
    }
    for scenario in &run.report.scenarios {
        let _ = writeln!(out, "### {}\n", markdown::escape(&scenario.name));
        let _ = writeln!(
            out,
            "Speedups against {}:\n",
            markdown::code(&scenario.reference)
        );
        let intervals = verdicts::interval_table(&scenario.checks, &scenario.reference);
        markdown::write_table(&mut out, &intervals);
        let exact = verdicts::exact_changes(&scenario.checks);
        if !exact.is_empty() {
            let _ = writeln!(out, "Exact metrics that changed:\n");
            markdown::write_table(&mut out, &exact);
        }
        let _ = writeln!(
            out,
            "- {} exact metrics unchanged (syscalls by name, conformance, entries run)",
            verdicts::unchanged_exact(&scenario.checks)
        );
        if !scenario.new_entries.is_empty() {
            let names: Vec<String> = scenario
                .new_entries
                .iter()
                .map(|e| markdown::code(e))
                .collect();
            let _ = writeln!(out, "- new, not judged: {}", names.join(", "));
        }
        for line in verdicts::explanations(&scenario.checks) {
            let _ = writeln!(out, "- {}", markdown::prose(&line));
        }
        out.push('\n');
    }
    out.trim_end().to_string() + "\n"
}

/// The report as JSON, with what failed and the two files, for a program to read.
fn json_gate(run: &GateRun<'_>) -> String {
    #[derive(Serialize)]
    struct Document<'a> {
        baseline: &'a str,
        result: &'a str,
        strict: bool,
        failure: Option<Failure>,
        tally: copybench_gate::Tally,
        #[serde(flatten)]
        report: &'a GateReport,
    }
    let document = Document {
        baseline: run.baseline.path,
        result: run.result.path,
        strict: run.strict,
        failure: run.failure(),
        tally: run.report.tally(),
        report: run.report,
    };
    // Every field is a string, number, bool or enum (non-finite numbers become null), so this
    // does not fail; if it ever did, the output still says so as JSON.
    let text = serde_json::to_string_pretty(&document)
        .unwrap_or_else(|e| serde_json::json!({ "error": e.to_string() }).to_string());
    text + "\n"
}
