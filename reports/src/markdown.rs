//! A compact Markdown summary for a CI job summary or a pull-request comment: per scenario the
//! speedups with their CIs and the syscalls per file (or per copy).

use std::fmt::Write;

use copybench_result::{RunResult, ScenarioResult};

use crate::figures;
use crate::table::{self, Align, Table};
use crate::{compare, conformance, format, Renderer, ReportError};

/// Renders [`crate::Format::Markdown`].
pub struct MarkdownRenderer;

impl Renderer for MarkdownRenderer {
    fn render(&self, results: &[RunResult]) -> Result<String, ReportError> {
        let mut out = String::new();
        let _ = writeln!(out, "## copybench results\n");
        if results.len() > 1 {
            render_comparison(&mut out, results);
        }
        for (index, result) in results.iter().enumerate() {
            render_result(&mut out, index, results.len(), result);
        }
        Ok(out.trim_end().to_string() + "\n")
    }
}

fn render_comparison(out: &mut String, results: &[RunResult]) {
    let _ = writeln!(out, "### Comparison of {} results\n", results.len());
    for difference in compare::environment_differences(results) {
        let _ = writeln!(out, "> **Warning:** {}  ", escape(&difference));
    }
    out.push('\n');
    for name in compare::scenario_names(results) {
        let _ = writeln!(out, "#### {}\n", escape(&name));
        for difference in compare::parameter_differences(&compare::runs_of(results, &name)) {
            let _ = writeln!(out, "> **Warning:** {}  ", escape(&difference));
        }
        write_table(out, &compare::speedup_table(results, &name));
    }
}

fn render_result(out: &mut String, index: usize, count: usize, result: &RunResult) {
    let env = &result.environment;
    if count > 1 {
        let _ = writeln!(
            out,
            "### {}\n",
            escape(&compare::result_label(index, result))
        );
    }
    let _ = writeln!(
        out,
        "copybench {} on {}: {}, {} logical cores, {} {}, started {}\n",
        escape(&format::version(&result.copybench)),
        escape(format::host(env)),
        escape(&env.cpu_model),
        format::optional(env.logical_cores),
        escape(&env.os),
        escape(&env.kernel),
        escape(&result.started_at),
    );
    let level = if count > 1 { "####" } else { "###" };
    for scenario in &result.scenarios {
        render_scenario(out, level, scenario);
    }
}

fn render_scenario(out: &mut String, level: &str, scenario: &ScenarioResult) {
    let p = &scenario.parameters;
    let fixture = if figures::is_tree(scenario) {
        format!(
            "tree of {} files, {}",
            p.fixture.files,
            format::bytes(p.fixture.bytes)
        )
    } else {
        format!("file of {}", format::bytes(p.fixture.bytes))
    };
    let _ = writeln!(out, "{level} {}\n", escape(&scenario.name));
    let _ = writeln!(
        out,
        "{fixture}, target {}, {} cache, {} samples; speedups against {} (95% bootstrap CI)\n",
        escape(&p.target),
        escape(&p.cache),
        p.samples,
        code(&scenario.reference),
    );
    write_table(out, &table::speedups(scenario));
    let syscalls = table::syscall_totals_table(scenario);
    if !syscalls.is_empty() || !syscalls.notes.is_empty() {
        let _ = writeln!(out, "Syscalls per {}:\n", figures::syscall_unit(scenario));
        write_table(out, &syscalls);
    }
    for skipped in &scenario.skipped {
        let _ = writeln!(
            out,
            "- skipped {}: {}",
            code(&skipped.id),
            escape(&skipped.reason)
        );
    }
    if let Some(matrix) = &scenario.conformance {
        let _ = writeln!(out, "- conformance: {}", conformance::tally(matrix));
        for failure in conformance::failures(matrix) {
            let _ = writeln!(out, "  - **fail** {}", escape(&failure));
        }
    }
    for warning in &scenario.warnings {
        let _ = writeln!(out, "- **warning:** {}", escape(warning));
    }
    out.push('\n');
}

/// A GitHub-flavoured Markdown table; the first column is code (entry ids), notes follow it.
fn write_table(out: &mut String, table: &Table) {
    if !table.is_empty() {
        let header: Vec<String> = table.columns.iter().map(|c| escape(&c.title)).collect();
        let _ = writeln!(out, "| {} |", header.join(" | "));
        let rule: Vec<&str> = table
            .columns
            .iter()
            .map(|c| match c.align {
                Align::Left => ":--",
                Align::Right => "--:",
            })
            .collect();
        let _ = writeln!(out, "|{}|", rule.join("|"));
        for row in &table.rows {
            let cells: Vec<String> = row
                .iter()
                .enumerate()
                .map(|(i, cell)| if i == 0 { code(cell) } else { escape(cell) })
                .collect();
            let _ = writeln!(out, "| {} |", cells.join(" | "));
        }
        out.push('\n');
    }
    for note in &table.notes {
        let _ = writeln!(out, "- not measured: {}", escape(note));
    }
    if !table.notes.is_empty() {
        out.push('\n');
    }
}

/// Text with Markdown's and HTML's special characters escaped, so a result can neither break
/// the table nor inject markup into the rendered summary.
fn escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '#' | '|' | '~' => {
                escaped.push('\\');
                escaped.push(c);
            }
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '&' => escaped.push_str("&amp;"),
            '\n' | '\r' => escaped.push(' '),
            other => escaped.push(other),
        }
    }
    escaped
}

/// An inline code span (entry ids keep their underscores readable); a `|` inside is escaped for
/// GitHub's tables, which split cells before parsing code spans.
fn code(text: &str) -> String {
    let cleaned: String = text
        .chars()
        .map(|c| match c {
            '`' => '\'',
            '\n' | '\r' => ' ',
            other => other,
        })
        .collect();
    format!("`{}`", cleaned.replace('|', "\\|"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_neutralises_markup_and_table_pipes() {
        assert_eq!(escape("a|b"), "a\\|b");
        assert_eq!(escape("<script>"), "&lt;script&gt;");
        assert_eq!(escape("**x**"), "\\*\\*x\\*\\*");
        assert_eq!(code("peer:cp|x`"), "`peer:cp\\|x'`");
    }
}
