//! The plain-text summary `copybench scenario` prints at the end of a run: the headline of every
//! scenario first (hyperfine's "Summary"), then per scenario a table of entries, skipped
//! entries, unmeasured figures, conformance and warnings. Several results print only their
//! comparison.

use anstyle::{AnsiColor, Style};
use copybench_result::{RunResult, ScenarioResult};

use crate::headline::{self, Part};
use crate::table::{self, Align, Table};
use crate::{claims, compare, conformance, format, RenderOptions, Renderer, ReportError};

/// Renders [`crate::Format::Terminal`].
pub struct TerminalRenderer;

impl Renderer for TerminalRenderer {
    fn render(
        &self,
        results: &[RunResult],
        options: &RenderOptions,
    ) -> Result<String, ReportError> {
        let mut out = Out {
            text: String::new(),
            color: options.color,
            width: options.width,
        };
        match results {
            [result] => render_result(&mut out, result),
            several => render_comparison(&mut out, several, options),
        }
        Ok(out.text)
    }
}

/// The text being written, whether it may carry ANSI colours, and how wide it may be.
struct Out {
    text: String,
    color: bool,
    width: Option<usize>,
}

const HEADING: Style = Style::new().bold();
const WINNER: Style = Style::new()
    .bold()
    .fg_color(Some(anstyle::Color::Ansi(AnsiColor::Green)));
const FIGURE: Style = Style::new().bold();
const QUIET: Style = Style::new().dimmed();
const WARNING: Style = Style::new().fg_color(Some(anstyle::Color::Ansi(AnsiColor::Yellow)));
const FAILURE: Style = Style::new()
    .bold()
    .fg_color(Some(anstyle::Color::Ansi(AnsiColor::Red)));

impl Out {
    /// `text` in `style` when colours are on.
    fn paint(&self, style: Style, text: &str) -> String {
        if self.color {
            format!("{}{text}{}", style.render(), style.render_reset())
        } else {
            text.to_string()
        }
    }

    fn line(&mut self, text: &str) {
        self.text.push_str(text);
        self.text.push('\n');
    }

    fn blank(&mut self) {
        self.text.push('\n');
    }

    /// A headline line: names plain (the winner's in colour), figures bold.
    fn parts(&self, parts: &[Part], winner: &str) -> String {
        parts
            .iter()
            .map(|part| match part {
                Part::Text(text) => text.clone(),
                Part::Name(name) if name == winner => self.paint(WINNER, name),
                Part::Name(name) => name.clone(),
                Part::Figure(figure) => self.paint(FIGURE, figure),
            })
            .collect()
    }
}

fn render_result(out: &mut Out, result: &RunResult) {
    let env = &result.environment;
    out.line(&format!(
        "copybench {} · {} · {} · {} ({} cores) · started {}",
        format::version(&result.copybench),
        format::host(env),
        format::optional(env.kernel.as_deref()),
        format::optional(env.cpu_model.as_deref()),
        format::optional(env.logical_cores),
        result.started_at,
    ));
    for line in crate::delete_wait::lines(result) {
        out.line(&format!("  {line}"));
    }
    out.blank();
    render_headlines(out, result);
    for scenario in &result.scenarios {
        out.blank();
        render_scenario(out, scenario);
    }
    render_recap(out, &result.scenarios);
}

/// The answer once more in one line per scenario, last: after a long summary it is what stays
/// on the screen.
fn render_recap(out: &mut Out, scenarios: &[ScenarioResult]) {
    let lines: Vec<(String, String)> = scenarios
        .iter()
        .filter_map(|scenario| {
            let headline = headline::headline(scenario)?;
            let line = out.parts(&headline.recap(), headline.winner.id);
            Some((scenario.name.clone(), line))
        })
        .collect();
    if lines.is_empty() {
        return;
    }
    out.blank();
    let heading = out.paint(HEADING, "In short");
    out.line(&heading);
    let width = lines
        .iter()
        .map(|(n, _)| n.chars().count())
        .max()
        .unwrap_or(0);
    for (name, line) in lines {
        out.line(&format!("  {}  {line}", pad(&name, width, Align::Left)));
    }
}

/// The answer first: the claims' verdicts, then per scenario who won, by how much, and who is
/// tied with it.
fn render_headlines(out: &mut Out, result: &RunResult) {
    let heading = out.paint(HEADING, "Summary");
    out.line(&heading);
    render_claims(out, result);
    for scenario in &result.scenarios {
        let title = out.paint(HEADING, &format::scenario_title(scenario));
        out.line(&format!("  {title}"));
        let headlines = headline::headlines(scenario);
        if headlines.is_empty() {
            out.line("    nothing to compare: fewer than two entries have a speedup");
        }
        for headline in headlines {
            let wording = headline.wording();
            let winner = headline.winner.id;
            // A headline of child processes goes under its own line, one step in.
            let indent = match &wording.context {
                Some(context) => {
                    let context = out.parts(context, winner);
                    out.line(&format!("    {context}:"));
                    "      "
                }
                None => "    ",
            };
            let lead = out.parts(&wording.lead, winner);
            out.line(&format!("{indent}{lead}"));
            for margin in &wording.margins {
                let line = out.parts(margin, winner);
                out.line(&format!("{indent}  {line}"));
            }
            for line in [&wording.tied, &wording.unranked].into_iter().flatten() {
                let line = out.parts(line, winner);
                out.line(&format!("{indent}{line}"));
            }
        }
    }
}

/// The claims' verdicts, at the top of the summary.
fn render_claims(out: &mut Out, result: &RunResult) {
    if !claims::any(result) {
        return;
    }
    let table = claims::table(result, false);
    let title = out.paint(HEADING, "Claims");
    out.line(&format!("  {title}"));
    write_table(out, &table, "    ");
    for note in claims::not_checked(result) {
        out.line(&format!("    not checked: {note}"));
    }
}

fn render_scenario(out: &mut Out, scenario: &ScenarioResult) {
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
    let title = out.paint(HEADING, &format::scenario_title(scenario));
    out.line(&title);
    if let Some(description) = &scenario.description {
        let description = out.paint(QUIET, description);
        out.line(&format!("  {description}"));
    }
    out.line(&format!(
        "  {fixture} · target {} · {} cache{} · {} warmup + {} samples · reference {}",
        p.target,
        p.cache,
        if p.fsync { " · fsync timed" } else { "" },
        p.warmup,
        p.samples,
        scenario.reference,
    ));
    out.blank();
    write_table(out, &table::summary(scenario), "  ");
    if let Some(mechanism) = table::mechanism(scenario) {
        out.line("  what the copies did (checked after every sample):");
        write_table(out, &mechanism, "  ");
    }
    for line in crate::calibration::lines(scenario) {
        out.line(&format!("  {line}"));
    }

    if !scenario.skipped.is_empty() {
        out.line("  skipped:");
        let width = scenario
            .skipped
            .iter()
            .map(|s| s.id.chars().count())
            .max()
            .unwrap_or(0);
        for skipped in &scenario.skipped {
            out.line(&format!(
                "    {}  {}",
                pad(&skipped.id, width, Align::Left),
                skipped.reason
            ));
        }
    }
    let notes = table::scenario_notes(scenario);
    if !notes.is_empty() {
        out.line("  not measured:");
        for note in &notes {
            out.line(&format!("    {note}"));
        }
    }
    match &scenario.conformance {
        Some(matrix) => {
            let tally = conformance::tally(matrix);
            out.line(&format!(
                "  conformance: {tally} (oracle: {})",
                matrix.oracle
            ));
            for failure in conformance::failures(matrix) {
                let fail = out.paint(FAILURE, "FAIL");
                out.line(&format!("    {fail} {failure}"));
            }
        }
        None => out.line("  conformance: not checked"),
    }
    if !scenario.warnings.is_empty() {
        out.line("  warnings:");
        for warning in &scenario.warnings {
            let mark = out.paint(WARNING, "!");
            out.line(&format!("    {mark} {warning}"));
        }
    }
}

/// Several results: who they are, how their environments differ, and per scenario the
/// winners and the change of every entry's speedup and wall time.
fn render_comparison(out: &mut Out, results: &[RunResult], options: &RenderOptions) {
    let heading = out.paint(HEADING, &format!("Comparison of {} results", results.len()));
    out.line(&heading);
    for (index, result) in results.iter().enumerate() {
        out.line(&format!("  {}", compare::result_label(index, result)));
    }
    for difference in compare::environment_differences(results) {
        let mark = out.paint(WARNING, "!");
        out.line(&format!("  {mark} {difference}"));
    }
    for name in compare::scenario_names(results) {
        out.blank();
        let title = out.paint(HEADING, &name);
        out.line(&title);
        let runs = compare::runs_of(results, &name);
        for difference in compare::parameter_differences(&runs) {
            let mark = out.paint(WARNING, "!");
            out.line(&format!("  {mark} {difference}"));
        }
        let winners = compare::winners(results, &name);
        if !winners.is_empty() {
            out.line(&format!("  fastest: {}", winners.join(" · ")));
        }
        out.blank();
        let table = compare::comparison_table(results, &name, &options.thresholds);
        write_table(out, &table, "  ");
        for note in table::grouped_notes(&table.notes) {
            out.line(&format!("  {note}"));
        }
        let exact = compare::exact_changes_table(results, &name, &options.thresholds);
        if !exact.is_empty() {
            out.line("  exact metrics that changed:");
            write_table(out, &exact, "    ");
        }
    }
}

/// `table` laid out as [`write_table`] does, without colours, for other plain-text outputs
/// (`copybench gate`).
pub(crate) fn table_text(table: &Table, indent: &str) -> String {
    let mut out = Out {
        text: String::new(),
        color: false,
        width: None,
    };
    write_table(&mut out, table, indent);
    out.text
}

/// Lays out `table` in aligned columns under a ruled header.
fn write_table(out: &mut Out, table: &Table, indent: &str) {
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
    let room = out.width.map(|w| w.saturating_sub(indent.chars().count()));
    for (part, columns) in column_parts(&widths, room).into_iter().enumerate() {
        if part > 0 {
            out.blank();
        }
        let line = |cells: &[&str]| -> String {
            let text = columns
                .iter()
                .map(|&c| {
                    pad(
                        cells.get(c).copied().unwrap_or(""),
                        widths[c],
                        table.columns[c].align,
                    )
                })
                .collect::<Vec<_>>()
                .join("  ");
            format!("{indent}{}", text.trim_end())
        };
        let titles: Vec<&str> = table.columns.iter().map(|c| c.title.as_str()).collect();
        let header = out.paint(HEADING, &line(&titles));
        out.line(&header);
        let rule: usize =
            columns.iter().map(|&c| widths[c]).sum::<usize>() + 2 * columns.len().saturating_sub(1);
        out.line(&format!("{indent}{}", "─".repeat(rule)));
        for row in &table.rows {
            let cells: Vec<&str> = row.iter().map(String::as_str).collect();
            out.line(&line(&cells));
        }
    }
}

/// The columns of each table a table of `widths` is split into to fit `room` characters:
/// every part starts with column 0 (the entry), the rest follow in order; all in one part when
/// there is no limit or a column alone would not fit.
fn column_parts(widths: &[usize], room: Option<usize>) -> Vec<Vec<usize>> {
    let Some(room) = room else {
        return vec![(0..widths.len()).collect()];
    };
    let mut parts: Vec<Vec<usize>> = vec![vec![0]];
    let mut used = widths.first().copied().unwrap_or(0);
    for (column, &width) in widths.iter().enumerate().skip(1) {
        if used + 2 + width > room && parts.last().is_some_and(|p| p.len() > 1) {
            parts.push(vec![0]);
            used = widths[0];
        }
        if let Some(part) = parts.last_mut() {
            part.push(column);
        }
        used += 2 + width;
    }
    parts
}

fn pad(text: &str, width: usize, align: Align) -> String {
    let fill = width.saturating_sub(text.chars().count());
    match align {
        Align::Left => format!("{text}{}", " ".repeat(fill)),
        Align::Right => format!("{}{text}", " ".repeat(fill)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_table_too_wide_is_split_into_parts_led_by_the_entry() {
        let widths = [20, 10, 20, 30, 8];
        assert_eq!(column_parts(&widths, None), vec![vec![0, 1, 2, 3, 4]]);
        assert_eq!(column_parts(&widths, Some(200)), vec![vec![0, 1, 2, 3, 4]]);
        assert_eq!(
            column_parts(&widths, Some(64)),
            vec![vec![0, 1, 2], vec![0, 3, 4]]
        );
        // A column wider than the room still gets a part of its own.
        assert_eq!(column_parts(&[20, 90], Some(50)), vec![vec![0, 1]]);
    }

    #[test]
    fn colour_only_when_asked() {
        let plain = Out {
            text: String::new(),
            color: false,
            width: None,
        };
        assert_eq!(plain.paint(WINNER, "auto"), "auto");
        let coloured = Out {
            text: String::new(),
            color: true,
            width: None,
        };
        assert_eq!(
            coloured.paint(WINNER, "auto"),
            "\u{1b}[1m\u{1b}[32mauto\u{1b}[0m"
        );
    }
}
