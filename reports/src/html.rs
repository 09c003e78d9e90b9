//! One self-contained HTML page: inline CSS, inline SVG charts, no script and no network fetch,
//! so it opens offline in any browser and can be attached to a CI run as a single file.
//!
//! The page is kept XHTML-compatible (every element closed, only XML's five entities) so tests
//! can parse it with an XML parser. Every text that comes from a result is escaped.

use std::fmt::Write;

use copybench_result::{ConformanceMatrix, RunResult, ScenarioResult, Verdict};

use crate::charts::{self, comparison::result_color};
use crate::table::{self, Align, Table};
use crate::{compare, conformance, format, RenderOptions, Renderer, ReportError};

/// Renders [`crate::Format::Html`].
pub struct HtmlRenderer;

const STYLE: &str = r#"
:root { color-scheme: light; }
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; color: #222; background: #fafafa; margin: 0; line-height: 1.45; }
main { max-width: 1120px; margin: 0 auto; padding: 1rem 1.5rem 3rem; background: #fff; }
header { border-bottom: 2px solid #1f77b4; margin-bottom: 1rem; }
h1 { font-size: 1.7rem; margin: 0.6rem 0 0.2rem; }
h2 { font-size: 1.4rem; margin-top: 2.2rem; border-bottom: 1px solid #ddd; padding-bottom: 0.2rem; }
h3 { font-size: 1.15rem; margin-top: 1.6rem; }
h4 { font-size: 1rem; margin-top: 1.2rem; }
p.meta, p.params { color: #555; margin: 0.2rem 0; }
nav ul { columns: 2; padding-left: 1.2rem; }
code { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: 0.92em; }
table { border-collapse: collapse; margin: 0.5rem 0 0.8rem; font-size: 0.88rem; }
th, td { border: 1px solid #ddd; padding: 0.25rem 0.5rem; vertical-align: top; }
thead th { background: #f0f3f7; text-align: left; }
tbody th { text-align: left; font-weight: normal; white-space: nowrap; }
td { white-space: nowrap; }
table.conformance tbody th { white-space: normal; min-width: 16rem; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.scroll { overflow-x: auto; }
figure.chart { margin: 1rem 0; }
figure.chart svg { max-width: 100%; height: auto; border: 1px solid #eee; }
figcaption { color: #555; font-size: 0.88rem; }
.warnings { background: #fff4e5; border-left: 4px solid #ff7f0e; padding: 0.4rem 0.8rem; margin: 0.8rem 0; }
.warnings ul { margin: 0.2rem 0; padding-left: 1.2rem; }
ul.notes { color: #555; font-size: 0.88rem; }
.verdict { text-align: center; white-space: nowrap; }
.verdict.pass { background: #dff3df; color: #1b5e20; }
.verdict.fail { background: #fbd5d5; color: #8b1a1a; font-weight: bold; }
.verdict.unsupported { background: #ececec; color: #555; }
.verdict.skipped { background: #fff4d6; color: #7a5a00; }
.verdict.missing { color: #999; }
ul.legend { list-style: none; padding: 0; display: flex; flex-wrap: wrap; gap: 0.4rem 1.2rem; font-size: 0.88rem; }
ul.legend span.verdict { display: inline-block; min-width: 6.5rem; padding: 0.05rem 0.4rem; }
.swatch { display: inline-block; width: 0.9em; height: 0.9em; vertical-align: -0.1em; margin-right: 0.3em; }
footer { margin-top: 3rem; color: #777; font-size: 0.85rem; border-top: 1px solid #ddd; }
"#;

impl Renderer for HtmlRenderer {
    fn render(
        &self,
        results: &[RunResult],
        options: &RenderOptions,
    ) -> Result<String, ReportError> {
        let mut page = Page::default();
        let several = results.len() > 1;
        let title = page_title(results);
        page.line("<!DOCTYPE html>");
        page.line(r#"<html lang="en" xmlns="http://www.w3.org/1999/xhtml">"#);
        page.line("<head>");
        page.line(r#"<meta charset="utf-8"/>"#);
        page.line(r#"<meta name="viewport" content="width=device-width, initial-scale=1"/>"#);
        page.line(&format!("<title>{}</title>", escape(&title)));
        page.line(&format!("<style>{STYLE}</style>"));
        page.line("</head>");
        page.line("<body>");
        page.line("<main>");
        page.line("<header>");
        page.line(&format!("<h1>{}</h1>", escape(&title)));
        for (index, result) in results.iter().enumerate() {
            page.line(&format!(
                r#"<p class="meta">{}</p>"#,
                escape(&result_summary_line(index, several, result))
            ));
        }
        page.line("</header>");
        write_nav(&mut page, results);
        if several {
            write_comparison(&mut page, results, options)?;
        }
        for (index, result) in results.iter().enumerate() {
            write_result(&mut page, index, several, result)?;
        }
        page.line("<footer>");
        page.line(&format!(
            "<p>Made by <code>copybench report</code> {} from {} result{}. This page loads \
             nothing from the network and runs no script; hover a conformance cell for its \
             detail.</p>",
            escape(env!("CARGO_PKG_VERSION")),
            results.len(),
            if several { "s" } else { "" }
        ));
        page.line("</footer>");
        page.line("</main>");
        page.line("</body>");
        page.line("</html>");
        Ok(page.text)
    }
}

/// The page being written.
#[derive(Default)]
struct Page {
    text: String,
}

impl Page {
    fn line(&mut self, html: &str) {
        self.text.push_str(html);
        self.text.push('\n');
    }
}

fn page_title(results: &[RunResult]) -> String {
    match results {
        [single] => format!(
            "copybench report: {}",
            single
                .scenarios
                .iter()
                .map(|s| s.name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ),
        several => format!("copybench report: {} results compared", several.len()),
    }
}

fn result_summary_line(index: usize, several: bool, result: &RunResult) -> String {
    let env = &result.environment;
    let prefix = if several {
        format!("{}: ", compare::result_label(index, result))
    } else {
        String::new()
    };
    format!(
        "{prefix}copybench {} on {}, {}, {} {}; {} to {}",
        format::version(&result.copybench),
        format::host(env),
        env.cpu_model,
        env.os,
        env.kernel,
        result.started_at,
        result.finished_at
    )
}

/// A fragment id for the `index`th result's `scenario`th scenario.
fn scenario_id(result: usize, scenario: usize) -> String {
    format!("r{}-s{}", result + 1, scenario + 1)
}

fn write_nav(page: &mut Page, results: &[RunResult]) {
    page.line(r#"<nav aria-label="contents">"#);
    page.line("<ul>");
    if results.len() > 1 {
        page.line(r##"<li><a href="#comparison">Comparison</a></li>"##);
    }
    for (r, result) in results.iter().enumerate() {
        let prefix = if results.len() > 1 {
            format!("{}: ", compare::result_label(r, result))
        } else {
            String::new()
        };
        for (s, scenario) in result.scenarios.iter().enumerate() {
            page.line(&format!(
                r##"<li><a href="#{}">{}{}</a></li>"##,
                scenario_id(r, s),
                escape(&prefix),
                escape(&scenario.name)
            ));
        }
        page.line(&format!(
            r##"<li><a href="#r{}-environment">{}Environment</a></li>"##,
            r + 1,
            escape(&prefix)
        ));
    }
    page.line("</ul>");
    page.line("</nav>");
}

fn write_comparison(
    page: &mut Page,
    results: &[RunResult],
    options: &RenderOptions,
) -> Result<(), ReportError> {
    page.line(r#"<section id="comparison">"#);
    page.line("<h2>Comparison</h2>");
    page.line(r#"<ul class="legend">"#);
    for (index, result) in results.iter().enumerate() {
        page.line(&format!(
            r#"<li><span class="swatch" style="background: {}"></span>{}</li>"#,
            css_color(result_color(index)),
            escape(&result_summary_line(index, true, result))
        ));
    }
    page.line("</ul>");
    write_warnings(
        page,
        "Environments differ: compare these speedups with care",
        &compare::environment_differences(results),
    );
    for name in compare::scenario_names(results) {
        page.line(&format!("<h3>{}</h3>", escape(&name)));
        let runs = compare::runs_of(results, &name);
        write_warnings(
            page,
            "This scenario was run differently",
            &compare::parameter_differences(&runs),
        );
        let entries = compare::entry_ids(&runs);
        let labelled: Vec<(String, Option<&ScenarioResult>)> = runs
            .iter()
            .enumerate()
            .map(|(i, run)| (compare::result_label(i, &results[i]), *run))
            .collect();
        if let Some(svg) = charts::comparison::chart(&name, &entries, &labelled)? {
            write_figure(
                page,
                "comparison",
                &svg,
                "Speedup of each entry over the scenario's reference in each result, with its \
                 bootstrap 95% CI.",
            );
        }
        write_table(
            page,
            &compare::speedup_table(results, &name, &options.thresholds),
        );
        let exact = compare::exact_changes_table(results, &name, &options.thresholds);
        if !exact.is_empty() {
            page.line("<p>Exact metrics that changed:</p>");
            write_table(page, &exact);
        }
    }
    page.line("</section>");
    Ok(())
}

fn write_result(
    page: &mut Page,
    index: usize,
    several: bool,
    result: &RunResult,
) -> Result<(), ReportError> {
    // With several results each gets a heading and its scenarios go one level down.
    let level = if several { 3 } else { 2 };
    if several {
        page.line(&format!(r#"<section id="r{}">"#, index + 1));
        page.line(&format!(
            "<h2>Result {}</h2>",
            escape(&compare::result_label(index, result))
        ));
    }
    for (s, scenario) in result.scenarios.iter().enumerate() {
        write_scenario(page, &scenario_id(index, s), level, scenario)?;
    }
    write_environment(page, index, level, result);
    if several {
        page.line("</section>");
    }
    Ok(())
}

fn write_scenario(
    page: &mut Page,
    id: &str,
    level: usize,
    scenario: &ScenarioResult,
) -> Result<(), ReportError> {
    let sub = level + 1;
    let p = &scenario.parameters;
    page.line(&format!(r#"<section class="scenario" id="{id}">"#));
    page.line(&format!("<h{level}>{}</h{level}>", escape(&scenario.name)));
    if let Some(description) = &scenario.description {
        page.line(&format!("<p>{}</p>", escape(description)));
    }
    let fixture = if table::is_tree(scenario) {
        format!(
            "a tree of {} files in {} directories ({} symlinks), {} in all, file sizes {}–{}",
            p.fixture.files,
            p.fixture.dirs,
            p.fixture.symlinks,
            format::bytes(p.fixture.bytes),
            p.fixture.size_min.map_or("?".to_string(), format::bytes),
            p.fixture.size_max.map_or("?".to_string(), format::bytes),
        )
    } else {
        format!("one file of {}", format::bytes(p.fixture.bytes))
    };
    page.line(&format!(
        r#"<p class="params">Copies {fixture} (seed {}); target {}; {} cache; fsync {}; {} warmup and {} samples (scale {}); reference <code>{}</code>; from <code>{}</code>.</p>"#,
        p.fixture.seed,
        escape(&p.target),
        escape(&p.cache),
        if p.fsync { "inside the timing" } else { "not timed" },
        p.warmup,
        p.samples,
        p.scale,
        escape(&scenario.reference),
        escape(&scenario.file),
    ));
    write_warnings(page, "Warnings", &scenario.warnings);

    page.line(&format!(r#"<h{sub} id="{id}-speedup">Speedup</h{sub}>"#));
    match charts::speedup::chart(scenario)? {
        Some(svg) => write_figure(
            page,
            "speedup",
            &svg,
            "Wall-time speedup over the reference: reference time ÷ entry time, paired within \
             each round; whiskers are the bootstrap 95% CI. Above 1.0 is faster.",
        ),
        None => page.line("<p>No speedups were measured.</p>"),
    }
    write_table(page, &table::summary(scenario));

    page.line(&format!(r#"<h{sub} id="{id}-cpu">CPU time</h{sub}>"#));
    if let Some(svg) = charts::cpu::chart(scenario)? {
        write_figure(
            page,
            "cpu",
            &svg,
            "Median user and system CPU time of one copy (in-process entries: getrusage; \
             peers: wait4 rusage of the child), and CPU seconds per GiB copied.",
        );
    }

    let unit = table::syscall_unit(scenario);
    page.line(&format!(
        r#"<h{sub} id="{id}-syscalls">Syscalls per {unit}</h{sub}>"#
    ));
    match charts::syscalls::chart(scenario)? {
        Some(svg) => {
            write_figure(
                page,
                "syscalls",
                &svg,
                "Calls by syscall name, stat family first; counted by copybench's syscall layer \
                 or by strace, as labelled.",
            );
            write_table(page, &table::syscall_totals_table(scenario));
            write_table(page, &table::syscalls_by_name(scenario));
        }
        None => page.line("<p>No syscalls were counted for this scenario.</p>"),
    }

    if table::is_tree(scenario) {
        page.line(&format!(
            r#"<h{sub} id="{id}-latency">Per-file latency</h{sub}>"#
        ));
        match charts::latency::chart(scenario)? {
            Some(svg) => write_figure(
                page,
                "latency",
                &svg,
                "Percentiles of the time to copy one file, from each entry's latency histogram.",
            ),
            None => page.line("<p>No per-file latencies were recorded.</p>"),
        }
    }

    page.line(&format!(r#"<h{sub} id="{id}-samples">Samples</h{sub}>"#));
    if let Some(svg) = charts::distribution::chart(scenario)? {
        write_figure(
            page,
            "distribution",
            &svg,
            "Every sample's wall time (dots), the quartiles (box) and the median (line); \
             outliers are flagged by the MAD rule and kept.",
        );
    }
    let sample_warnings: Vec<String> = scenario
        .entries
        .iter()
        .flat_map(charts::distribution::sample_warnings)
        .collect();
    write_warnings(page, "Samples to look at", &sample_warnings);

    page.line(&format!(
        r#"<h{sub} id="{id}-figures">All figures</h{sub}>"#
    ));
    write_table(page, &table::figures(scenario));

    if !scenario.skipped.is_empty() {
        page.line(&format!(r#"<h{sub} id="{id}-skipped">Skipped</h{sub}>"#));
        page.line(r#"<ul class="skipped">"#);
        for skipped in &scenario.skipped {
            page.line(&format!(
                "<li><code>{}</code>: {}</li>",
                escape(&skipped.id),
                escape(&skipped.reason)
            ));
        }
        page.line("</ul>");
    }

    page.line(&format!(
        r#"<h{sub} id="{id}-conformance">Conformance</h{sub}>"#
    ));
    match &scenario.conformance {
        Some(matrix) => write_conformance(page, matrix),
        None => page.line("<p>Conformance was not checked for this scenario.</p>"),
    }
    page.line("</section>");
    Ok(())
}

fn write_conformance(page: &mut Page, matrix: &ConformanceMatrix) {
    page.line(&format!(
        "<p>{} · oracle: {}</p>",
        escape(&conformance::tally(matrix)),
        escape(&matrix.oracle)
    ));
    page.line(r#"<ul class="legend">"#);
    for (verdict, meaning) in [
        (Verdict::Pass, "same outcome as CPython shutil"),
        (Verdict::Fail, "differs (hover for the difference)"),
        (Verdict::Unsupported, "cannot apply here (hover for why)"),
        (Verdict::Skipped, "not run (hover for why)"),
    ] {
        page.line(&format!(
            r#"<li><span class="verdict {0}">{1}</span> {2}</li>"#,
            conformance::verdict_name(verdict),
            verdict_text(verdict),
            meaning
        ));
    }
    page.line("<li>◆ compared with the oracle's outcome</li>");
    page.line("</ul>");
    page.line(r#"<div class="scroll">"#);
    page.line(r#"<table class="conformance">"#);
    page.line("<thead>");
    let mut header = String::from(r#"<tr><th scope="col">case</th>"#);
    for subject in &matrix.subjects {
        let _ = write!(
            header,
            r#"<th scope="col"><code>{}</code></th>"#,
            escape(subject)
        );
    }
    header.push_str("</tr>");
    page.line(&header);
    page.line("</thead>");
    page.line("<tbody>");
    for case in &matrix.cases {
        let mut row = format!(
            r#"<tr><th scope="row">{}. {}</th>"#,
            case.number,
            escape(&case.title)
        );
        for subject in &matrix.subjects {
            let cell = matrix
                .cells
                .iter()
                .find(|c| c.case == case.number && &c.subject == subject);
            match cell {
                Some(cell) => {
                    let mut title = format!(
                        "case {}, {}: {}",
                        case.number,
                        subject,
                        conformance::verdict_name(cell.verdict)
                    );
                    if let Some(detail) = &cell.detail {
                        let _ = write!(title, " — {detail}");
                    }
                    if cell.oracle_checked {
                        title.push_str(" (compared with the oracle)");
                    }
                    let _ = write!(
                        row,
                        r#"<td class="verdict {}" title="{}">{}{}</td>"#,
                        conformance::verdict_name(cell.verdict),
                        escape(&title),
                        verdict_text(cell.verdict),
                        if cell.oracle_checked { " ◆" } else { "" }
                    );
                }
                None => row
                    .push_str(r#"<td class="verdict missing" title="no verdict recorded">—</td>"#),
            }
        }
        row.push_str("</tr>");
        page.line(&row);
    }
    page.line("</tbody>");
    page.line("</table>");
    page.line("</div>");
}

fn verdict_text(verdict: Verdict) -> &'static str {
    match verdict {
        Verdict::Pass => "✓ pass",
        Verdict::Fail => "✗ fail",
        Verdict::Unsupported => "○ unsupported",
        Verdict::Skipped => "– skipped",
    }
}

fn write_environment(page: &mut Page, index: usize, level: usize, result: &RunResult) {
    let env = &result.environment;
    let sub = level + 1;
    page.line(&format!(
        r#"<section class="environment" id="r{}-environment">"#,
        index + 1
    ));
    page.line(&format!("<h{level}>Environment</h{level}>"));
    let commit = result.copybench.git_commit.as_deref().unwrap_or("unknown");
    let rows = [
        (
            "host",
            env.hostname
                .clone()
                .unwrap_or_else(|| "unknown".to_string()),
        ),
        ("CPU", env.cpu_model.clone()),
        (
            "cores",
            match env.physical_cores {
                Some(physical) => format!(
                    "{} logical, {physical} physical",
                    format::optional(env.logical_cores)
                ),
                None => format!("{} logical", format::optional(env.logical_cores)),
            },
        ),
        (
            "memory",
            format::optional(env.memory_bytes.map(format::bytes)),
        ),
        ("OS", env.os.clone()),
        ("kernel", env.kernel.clone()),
        (
            "copybench",
            format!("{} (commit {commit})", result.copybench.version),
        ),
        (
            "run",
            format!("{} to {}", result.started_at, result.finished_at),
        ),
    ];
    page.line(r#"<table class="environment">"#);
    page.line("<tbody>");
    for (key, value) in rows {
        page.line(&format!(
            r#"<tr><th scope="row">{key}</th><td>{}</td></tr>"#,
            escape(&value)
        ));
    }
    page.line("</tbody>");
    page.line("</table>");

    page.line(&format!("<h{sub}>Filesystems</h{sub}>"));
    let mut filesystems = Table {
        columns: [
            "role",
            "path",
            "type",
            "mount point",
            "mount options",
            "device",
        ]
        .into_iter()
        .map(table::Column::left)
        .collect(),
        ..Table::default()
    };
    for fs in &env.filesystems {
        filesystems.rows.push(vec![
            fs.role.clone(),
            fs.path.clone(),
            fs.fs_type.clone(),
            fs.mount_point.clone(),
            fs.mount_options.clone(),
            fs.device.clone(),
        ]);
    }
    write_table(page, &filesystems);

    page.line(&format!("<h{sub}>Tools</h{sub}>"));
    let mut tools = Table {
        columns: ["tool", "path", "version"]
            .into_iter()
            .map(table::Column::left)
            .collect(),
        ..Table::default()
    };
    for (name, tool) in &env.tools {
        tools.rows.push(vec![
            name.clone(),
            tool.path
                .clone()
                .unwrap_or_else(|| format::ABSENT.to_string()),
            match (&tool.version, &tool.unavailable) {
                (Some(version), _) => version.clone(),
                (None, Some(why)) => format!("unavailable: {why}"),
                (None, None) => format::ABSENT.to_string(),
            },
        ]);
    }
    write_table(page, &tools);
    page.line("</section>");
}

/// A chart with its caption; the SVG gets a role and a label for screen readers.
fn write_figure(page: &mut Page, chart: &str, svg: &str, caption: &str) {
    let labelled = svg.replacen(
        "<svg ",
        &format!(
            r#"<svg class="chart-{chart}" role="img" aria-label="{}" "#,
            escape(caption)
        ),
        1,
    );
    page.line(&format!(r#"<figure class="chart {chart}">"#));
    page.text.push_str(&labelled);
    page.line(&format!("<figcaption>{}</figcaption>", escape(caption)));
    page.line("</figure>");
}

fn write_warnings(page: &mut Page, heading: &str, warnings: &[String]) {
    if warnings.is_empty() {
        return;
    }
    page.line(r#"<div class="warnings" role="note">"#);
    page.line(&format!("<strong>{}</strong>", escape(heading)));
    page.line("<ul>");
    for warning in warnings {
        page.line(&format!("<li>{}</li>", prose(warning)));
    }
    page.line("</ul>");
    page.line("</div>");
}

/// A table from the shared table model; the first column heads its row.
fn write_table(page: &mut Page, table: &Table) {
    if !table.is_empty() {
        page.line(r#"<div class="scroll">"#);
        page.line("<table>");
        let mut header = String::from("<thead><tr>");
        for column in &table.columns {
            let _ = write!(
                header,
                r#"<th scope="col"{}>{}</th>"#,
                class_of(column.align),
                escape(&column.title)
            );
        }
        header.push_str("</tr></thead>");
        page.line(&header);
        page.line("<tbody>");
        for row in &table.rows {
            let mut line = String::from("<tr>");
            for (i, (cell, column)) in row.iter().zip(&table.columns).enumerate() {
                if i == 0 {
                    let _ = write!(
                        line,
                        r#"<th scope="row"><code>{}</code></th>"#,
                        escape(cell)
                    );
                } else {
                    let _ = write!(line, "<td{}>{}</td>", class_of(column.align), escape(cell));
                }
            }
            line.push_str("</tr>");
            page.line(&line);
        }
        page.line("</tbody>");
        page.line("</table>");
        page.line("</div>");
    }
    if !table.notes.is_empty() {
        page.line(r#"<ul class="notes">"#);
        for note in &table.notes {
            page.line(&format!("<li>not measured: {}</li>", escape(note)));
        }
        page.line("</ul>");
    }
}

fn class_of(align: Align) -> &'static str {
    match align {
        Align::Left => "",
        Align::Right => r#" class="num""#,
    }
}

fn css_color(color: plotters::style::RGBColor) -> String {
    format!("#{:02x}{:02x}{:02x}", color.0, color.1, color.2)
}

/// Text safe in HTML element content and in quoted attribute values.
pub fn escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&#39;"),
            other => escaped.push(other),
        }
    }
    escaped
}

/// Escapes a sentence from the result and sets its `backticked` names (entry ids, programs) as
/// code, as the terminal shows them; unbalanced backticks are left as they are.
fn prose(text: &str) -> String {
    let escaped = escape(text);
    let parts: Vec<&str> = escaped.split('`').collect();
    if parts.len() % 2 == 0 {
        return escaped;
    }
    parts
        .iter()
        .enumerate()
        .map(|(i, part)| match i % 2 {
            1 => format!("<code>{part}</code>"),
            _ => (*part).to_owned(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::{escape, prose};

    #[test]
    fn prose_sets_backticked_names_as_code_after_escaping() {
        assert_eq!(
            prose("`lean <2>`: wide CI"),
            "<code>lean &lt;2&gt;</code>: wide CI"
        );
        assert_eq!(prose("one ` alone"), "one ` alone");
    }

    #[test]
    fn escape_covers_content_and_attributes() {
        assert_eq!(
            escape(r#"<a href="x">'&'</a>"#),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
    }
}
