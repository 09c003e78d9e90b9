//! The plain-text summary `copybench scenario` prints at the end of a run: per scenario a table
//! of entries, then skipped entries, unmeasured figures, conformance and warnings.

use std::fmt::Write;

use copybench_result::{RunResult, ScenarioResult};

use crate::table::{self, Align, Table};
use crate::{compare, conformance, format, RenderOptions, Renderer, ReportError};

/// Renders [`crate::Format::Terminal`].
pub struct TerminalRenderer;

impl Renderer for TerminalRenderer {
    fn render(
        &self,
        results: &[RunResult],
        options: &RenderOptions,
    ) -> Result<String, ReportError> {
        let mut out = String::new();
        for (index, result) in results.iter().enumerate() {
            if index > 0 {
                out.push('\n');
            }
            if results.len() > 1 {
                let _ = write!(out, "{}: ", compare::result_label(index, result));
            }
            render_result(&mut out, result);
        }
        if results.len() > 1 {
            render_comparison(&mut out, results, options);
        }
        Ok(out)
    }
}

/// Speedups of the same scenarios side by side, after the results themselves.
fn render_comparison(out: &mut String, results: &[RunResult], options: &RenderOptions) {
    let _ = writeln!(out, "\ncomparison of {} results", results.len());
    for difference in compare::environment_differences(results) {
        let _ = writeln!(out, "  ! {difference}");
    }
    for name in compare::scenario_names(results) {
        let _ = writeln!(out, "\n  {name}");
        for difference in compare::parameter_differences(&compare::runs_of(results, &name)) {
            let _ = writeln!(out, "  ! {difference}");
        }
        let table = compare::speedup_table(results, &name, &options.thresholds);
        write_table(out, &table, "  ");
        for note in &table.notes {
            let _ = writeln!(out, "    {note}");
        }
        let exact = compare::exact_changes_table(results, &name, &options.thresholds);
        if !exact.is_empty() {
            let _ = writeln!(out, "  exact metrics that changed:");
            write_table(out, &exact, "    ");
        }
    }
}

fn render_result(out: &mut String, result: &RunResult) {
    let env = &result.environment;
    let _ = writeln!(
        out,
        "copybench {} · {} · {} · {} ({} cores) · started {}",
        format::version(&result.copybench),
        format::host(env),
        env.kernel,
        env.cpu_model,
        format::optional(env.logical_cores),
        result.started_at,
    );
    for scenario in &result.scenarios {
        out.push('\n');
        render_scenario(out, scenario);
    }
}

fn render_scenario(out: &mut String, scenario: &ScenarioResult) {
    let p = &scenario.parameters;
    let fixture = match p.fixture.kind {
        copybench_result::FixtureKind::File => {
            format!("file of {}", format::bytes(p.fixture.bytes))
        }
        copybench_result::FixtureKind::Tree => format!(
            "tree of {} files, {} dirs, {}",
            p.fixture.files,
            p.fixture.dirs,
            format::bytes(p.fixture.bytes)
        ),
    };
    let _ = writeln!(out, "{}", scenario.name);
    if let Some(description) = &scenario.description {
        let _ = writeln!(out, "  {description}");
    }
    let _ = writeln!(
        out,
        "  {fixture} · target {} · {} cache{} · {} warmup + {} samples · reference {}",
        p.target,
        p.cache,
        if p.fsync { " · fsync timed" } else { "" },
        p.warmup,
        p.samples,
        scenario.reference,
    );
    out.push('\n');
    let summary = table::summary(scenario);
    write_table(out, &summary, "  ");

    if !scenario.skipped.is_empty() {
        let _ = writeln!(out, "  skipped:");
        let width = scenario
            .skipped
            .iter()
            .map(|s| s.id.chars().count())
            .max()
            .unwrap_or(0);
        for skipped in &scenario.skipped {
            let _ = writeln!(
                out,
                "    {}  {}",
                pad(&skipped.id, width, Align::Left),
                skipped.reason
            );
        }
    }
    if !summary.notes.is_empty() {
        let _ = writeln!(out, "  not measured:");
        for note in &summary.notes {
            let _ = writeln!(out, "    {note}");
        }
    }
    match &scenario.conformance {
        Some(matrix) => {
            let tally = conformance::tally(matrix);
            let _ = writeln!(out, "  conformance: {tally} (oracle: {})", matrix.oracle);
            for failure in conformance::failures(matrix) {
                let _ = writeln!(out, "    FAIL {failure}");
            }
        }
        None => {
            let _ = writeln!(out, "  conformance: not checked");
        }
    }
    if !scenario.warnings.is_empty() {
        let _ = writeln!(out, "  warnings:");
        for warning in &scenario.warnings {
            let _ = writeln!(out, "    ! {warning}");
        }
    }
}

/// Lays out `table` in aligned columns under a ruled header.
pub(crate) fn write_table(out: &mut String, table: &Table, indent: &str) {
    let widths: Vec<usize> = table
        .columns
        .iter()
        .enumerate()
        .map(|(i, column)| {
            table
                .rows
                .iter()
                .filter_map(|row| row.get(i))
                .map(|cell| cell.chars().count())
                .chain(std::iter::once(column.title.chars().count()))
                .max()
                .unwrap_or(0)
        })
        .collect();
    let line = |cells: Vec<&str>| -> String {
        let text = cells
            .iter()
            .zip(&widths)
            .zip(&table.columns)
            .map(|((cell, &width), column)| pad(cell, width, column.align))
            .collect::<Vec<_>>()
            .join("  ");
        format!("{indent}{}", text.trim_end())
    };
    let _ = writeln!(
        out,
        "{}",
        line(table.columns.iter().map(|c| c.title.as_str()).collect())
    );
    let rule: usize = widths.iter().sum::<usize>() + 2 * widths.len().saturating_sub(1);
    let _ = writeln!(out, "{indent}{}", "─".repeat(rule));
    for row in &table.rows {
        let _ = writeln!(out, "{}", line(row.iter().map(String::as_str).collect()));
    }
}

fn pad(text: &str, width: usize, align: Align) -> String {
    let fill = width.saturating_sub(text.chars().count());
    match align {
        Align::Left => format!("{text}{}", " ".repeat(fill)),
        Align::Right => format!("{}{text}", " ".repeat(fill)),
    }
}
