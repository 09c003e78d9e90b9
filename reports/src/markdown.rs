//! A compact GitHub-flavoured Markdown summary for a CI job summary or a pull-request comment:
//! the headline of every scenario first, then per scenario the speedups with their intervals and,
//! folded in `<details>`, the syscalls per file (or per copy).

use std::fmt::Write;

use copybench_result::{RunResult, ScenarioResult};

use crate::figures;
use crate::headline::{self, Part};
use crate::table::{self, Align, Table};
use crate::{claims, compare, conformance, format, RenderOptions, Renderer, ReportError};

/// Renders [`crate::Format::Markdown`].
pub struct MarkdownRenderer;

impl Renderer for MarkdownRenderer {
    fn render(
        &self,
        results: &[RunResult],
        options: &RenderOptions,
    ) -> Result<String, ReportError> {
        let mut out = String::new();
        let _ = writeln!(out, "## copybench results\n");
        match results {
            [result] => render_result(&mut out, result, "###"),
            several => {
                render_comparison(&mut out, several, options);
                for (index, result) in several.iter().enumerate() {
                    let _ = writeln!(
                        out,
                        "<details><summary>Result {}</summary>\n",
                        html_text(&compare::result_label(index, result))
                    );
                    render_result(&mut out, result, "####");
                    let _ = writeln!(out, "</details>\n");
                }
            }
        }
        Ok(out.trim_end().to_string() + "\n")
    }
}

fn render_comparison(out: &mut String, results: &[RunResult], options: &RenderOptions) {
    let _ = writeln!(out, "### Comparison of {} results\n", results.len());
    for (index, result) in results.iter().enumerate() {
        let _ = writeln!(out, "- {}", escape(&compare::result_label(index, result)));
    }
    out.push('\n');
    for difference in compare::environment_differences(results) {
        let _ = writeln!(out, "> **Warning:** {}  ", escape(&difference));
    }
    out.push('\n');
    for name in compare::scenario_names(results) {
        let _ = writeln!(out, "#### {}\n", escape(&name));
        for difference in compare::parameter_differences(&compare::runs_of(results, &name)) {
            let _ = writeln!(out, "> **Warning:** {}  ", escape(&difference));
        }
        let winners = compare::winners(results, &name);
        if !winners.is_empty() {
            let _ = writeln!(out, "Fastest: {}\n", escape(&winners.join(" · ")));
        }
        let table = compare::comparison_table(results, &name, &options.thresholds);
        write_table(out, &table);
        write_notes(out, "", &table::grouped_notes(&table.notes));
        let exact = compare::exact_changes_table(results, &name, &options.thresholds);
        if !exact.is_empty() {
            let _ = writeln!(out, "Exact metrics that changed:\n");
            write_table(out, &exact);
        }
    }
}

fn render_result(out: &mut String, result: &RunResult, level: &str) {
    let env = &result.environment;
    let _ = writeln!(
        out,
        "copybench {} on {}: {}, {} logical cores, {} {}, started {}\n",
        escape(&format::version(&result.copybench)),
        escape(format::host(env)),
        escape(&format::optional(env.cpu_model.as_deref())),
        format::optional(env.logical_cores),
        escape(&env.os),
        escape(&format::optional(env.kernel.as_deref())),
        escape(&result.started_at),
    );
    let delete_wait = crate::delete_wait::lines(result);
    if !delete_wait.is_empty() {
        write_notes(out, "", &delete_wait);
        out.push('\n');
    }
    render_headlines(out, level, result);
    for scenario in &result.scenarios {
        render_scenario(out, level, scenario);
    }
}

/// The answer first: the claims' verdicts, then one bullet per scenario with its winner line.
fn render_headlines(out: &mut String, level: &str, result: &RunResult) {
    let _ = writeln!(out, "{level} Summary\n");
    render_claims(out, result);
    for scenario in &result.scenarios {
        let title = escape(&format::scenario_title(scenario));
        let headlines = headline::headlines(scenario);
        if headlines.is_empty() {
            let _ = writeln!(
                out,
                "- **{title}**: nothing to compare (fewer than two entries have a speedup)"
            );
        }
        for (i, headline) in headlines.iter().enumerate() {
            let wording = headline.wording();
            let margins: Vec<String> = wording.margins.iter().map(|m| parts(m)).collect();
            // The scenario's own headline is its bullet; the others go under it.
            let mut line = match &wording.context {
                Some(context) => format!("  - {}: ", parts(context)),
                None if i == 0 => format!("- **{title}**: "),
                None => "  - ".to_string(),
            };
            let _ = write!(line, "{} {}", parts(&wording.lead), margins.join(" and "));
            for extra in [&wording.tied, &wording.unranked].into_iter().flatten() {
                let _ = write!(line, "; {}", parts(extra));
            }
            let _ = writeln!(out, "{line}.");
        }
    }
    out.push('\n');
}

/// A headline line in Markdown: names as code, figures bold.
fn parts(parts: &[Part]) -> String {
    parts
        .iter()
        .map(|part| match part {
            // copybench's own words and figures: nothing to escape, and `[1.25, 1.33]` is
            // not a link without a `(` after it.
            Part::Text(text) => text.clone(),
            Part::Name(name) => code(name),
            Part::Figure(figure) => format!("**{}**", escape(figure)),
        })
        .collect()
}

/// The claims' verdicts, at the top of the summary.
fn render_claims(out: &mut String, result: &RunResult) {
    if !claims::any(result) {
        return;
    }
    let _ = writeln!(out, "**Claims**\n");
    write_table(out, &claims::table(result, true));
    let not_checked = claims::not_checked(result);
    write_notes(out, "not checked: ", &not_checked);
    if !not_checked.is_empty() {
        out.push('\n');
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
    let _ = writeln!(
        out,
        "{level} {}\n",
        escape(&format::scenario_title(scenario))
    );
    let _ = writeln!(
        out,
        "{fixture}, target {}, {} cache, {} samples; speedups against {} (distribution-free 95% CI)\n",
        escape(&p.target),
        escape(&p.cache),
        p.samples,
        code(&scenario.reference),
    );
    write_table(out, &table::speedups(scenario));
    if let Some(mechanism) = table::mechanism(scenario) {
        let _ = writeln!(out, "What the copies did, checked after every sample:\n");
        write_table(out, &mechanism);
    }
    let calibration = crate::calibration::lines(scenario);
    for line in &calibration {
        let _ = writeln!(out, "- {}", escape(line));
    }
    if !calibration.is_empty() {
        out.push('\n');
    }
    let syscalls = table::syscall_totals_table(scenario);
    if !syscalls.is_empty() {
        let _ = writeln!(
            out,
            "<details><summary>Syscalls per {}</summary>\n",
            figures::syscall_unit(scenario)
        );
        write_table(out, &syscalls);
        let _ = writeln!(out, "</details>\n");
    }
    for skipped in &scenario.skipped {
        let _ = writeln!(
            out,
            "- skipped {}: {}",
            code(&skipped.id),
            prose(&skipped.reason)
        );
    }
    write_notes(out, "not measured: ", &table::scenario_notes(scenario));
    if let Some(matrix) = &scenario.conformance {
        let _ = writeln!(out, "- conformance: {}", conformance::tally(matrix));
        for failure in conformance::failures(matrix) {
            let _ = writeln!(out, "  - **fail** {}", prose(&failure));
        }
    }
    for warning in &scenario.warnings {
        let _ = writeln!(out, "- **warning:** {}", prose(warning));
    }
    out.push('\n');
}

fn write_notes(out: &mut String, prefix: &str, notes: &[String]) {
    for note in notes {
        let _ = writeln!(out, "- {prefix}{}", prose(note));
    }
}

/// A GitHub-flavoured Markdown table; the first column is code (entry ids).
pub(crate) fn write_table(out: &mut String, table: &Table) {
    if table.is_empty() {
        return;
    }
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

/// Text with Markdown's and HTML's special characters escaped, so a result can neither break
/// the table nor inject markup into the rendered summary.
pub(crate) fn escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            // `[` alone cannot open a link once escaped, so `]` is left as it is; `#` matters
            // only at the start of a line, where no escaped text is put.
            '\\' | '`' | '*' | '_' | '[' | '|' | '~' => {
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

/// Text inside raw HTML (a `<summary>`): only HTML's characters escaped.
fn html_text(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// A sentence from the result (a warning, a reason) with its `backticked` names set as code
/// spans, as the terminal shows them, and everything else escaped; unbalanced backticks are
/// escaped as text.
pub(crate) fn prose(text: &str) -> String {
    let parts: Vec<&str> = text.split('`').collect();
    if parts.len() % 2 == 0 {
        return escape(text);
    }
    parts
        .iter()
        .enumerate()
        .map(|(i, part)| match i % 2 {
            1 => code(part),
            _ => escape(part),
        })
        .collect()
}

/// An inline code span (entry ids keep their underscores readable); a `|` inside is escaped for
/// GitHub's tables, which split cells before parsing code spans.
pub(crate) fn code(text: &str) -> String {
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

    #[test]
    fn prose_sets_backticked_names_as_code() {
        assert_eq!(
            prose("install `strace` *now*"),
            "install `strace` \\*now\\*"
        );
        assert_eq!(prose("one ` alone"), "one \\` alone");
    }
}
