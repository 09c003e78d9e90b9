//! One self-contained HTML page: inline CSS, inline SVG charts, no script and no network fetch,
//! so it opens offline in any browser and can be attached to a CI run as a single file.
//!
//! The page is kept XHTML-compatible (every element closed, only XML's five entities) so tests
//! can parse it with an XML parser. Every text that comes from a result is escaped.

mod claims;
mod conformance;
mod environment;
mod markup;
mod scenario;

use copybench_result::{RunResult, ScenarioResult};

use crate::charts::{self, palette::result_color};
use crate::headline::{self, Part};
use crate::{compare, format, table, RenderOptions, Renderer, ReportError};
use environment::write_environment;
use markup::{css_color, escape, write_figure, write_notes, write_table, write_warnings};
use scenario::write_scenario;

/// Renders [`crate::Format::Html`].
pub struct HtmlRenderer;

/// The page's stylesheet, inline so the page is one self-contained file.
const STYLE: &str = include_str!("style.css");

impl Renderer for HtmlRenderer {
    fn render(&self, results: &[RunResult], _: &RenderOptions) -> Result<String, ReportError> {
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
        match results {
            [result] => write_headlines(&mut page, 0, 2, result),
            several => write_comparison(&mut page, several)?,
        }
        write_nav(&mut page, results);
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
pub(super) struct Page {
    text: String,
}

impl Page {
    pub(super) fn line(&mut self, html: &str) {
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
        format!("{}: ", compare::result_number(index))
    } else {
        String::new()
    };
    format!(
        "{prefix}copybench {} on {}, {}, {} {}; {} to {}",
        format::version(&result.copybench),
        format::host(env),
        format::optional(env.cpu_model.as_deref()),
        env.os,
        format::optional(env.kernel.as_deref()),
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
    } else {
        page.line(r##"<li><a href="#r1-summary">Summary</a></li>"##);
    }
    for (r, result) in results.iter().enumerate() {
        let prefix = if results.len() > 1 {
            format!("{}: ", compare::result_label(r, result))
        } else {
            String::new()
        };
        if crate::claims::any(result) {
            page.line(&format!(
                r##"<li><a href="#r{}-claims">{}Claims</a></li>"##,
                r + 1,
                escape(&prefix)
            ));
        }
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

/// The answer first: the claims' verdicts, then per scenario the winner line, the entries tied with it and those that
/// could not be ranked (the same words as the terminal and Markdown, from [`headline`]).
fn write_headlines(page: &mut Page, index: usize, level: usize, result: &RunResult) {
    let sub = level + 1;
    page.line(&format!(
        r#"<section class="headline" id="r{}-summary">"#,
        index + 1
    ));
    page.line(&format!("<h{level}>Summary</h{level}>"));
    claims::write_claims(page, index, sub, result);
    for (s, scenario) in result.scenarios.iter().enumerate() {
        page.line(&format!(
            r##"<h{sub}><a href="#{}">{}</a></h{sub}>"##,
            scenario_id(index, s),
            escape(&format::scenario_title(scenario))
        ));
        let headlines = headline::headlines(scenario);
        if headlines.is_empty() {
            page.line("<p>Nothing to compare: fewer than two entries have a speedup.</p>");
        }
        for headline in headlines {
            let wording = headline.wording();
            let winner = headline.winner.id;
            let margins: Vec<String> = wording
                .margins
                .iter()
                .map(|m| parts_html(m, winner))
                .collect();
            let context = wording
                .context
                .as_ref()
                .map(|c| capitalized(&parts_html(c, winner)) + ": ")
                .unwrap_or_default();
            let lead = parts_html(&wording.lead, winner);
            let lead = if context.is_empty() {
                lead
            } else {
                context + &lead
            };
            page.line(&format!(
                r#"<p class="winner">{lead} {}.</p>"#,
                margins.join(" and ")
            ));
            for (class, line) in [("tied", &wording.tied), ("unranked", &wording.unranked)] {
                if let Some(line) = line {
                    page.line(&format!(
                        r#"<p class="{class}">{}.</p>"#,
                        capitalized(&parts_html(line, winner))
                    ));
                }
            }
        }
    }
    page.line("</section>");
}

/// A headline line in HTML: names as code (the winner's marked), figures strong.
fn parts_html(parts: &[Part], winner: &str) -> String {
    parts
        .iter()
        .map(|part| match part {
            Part::Text(text) => escape(text),
            Part::Name(name) if name == winner => {
                format!(r#"<code class="winner">{}</code>"#, escape(name))
            }
            Part::Name(name) => format!("<code>{}</code>", escape(name)),
            Part::Figure(figure) => format!("<strong>{}</strong>", escape(figure)),
        })
        .collect()
}

/// `text` with its first letter upper-case (a headline line that starts a sentence).
fn capitalized(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

fn write_comparison(page: &mut Page, results: &[RunResult]) -> Result<(), ReportError> {
    page.line(r#"<section id="comparison">"#);
    page.line("<h2>Comparison</h2>");
    page.line(r#"<ul class="legend">"#);
    for (index, result) in results.iter().enumerate() {
        page.line(&format!(
            r#"<li><span class="swatch" style="background: {}"></span>{}</li>"#,
            css_color(result_color(index)),
            escape(&compare::result_label(index, result))
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
        let winners = compare::winners(results, &name);
        if !winners.is_empty() {
            page.line(&format!(
                r#"<p class="winner">Fastest: {}</p>"#,
                escape(&winners.join(" · "))
            ));
        }
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
                 distribution-free 95% CI.",
            );
        }
        let table = compare::comparison_table(results, &name);
        write_table(page, &table);
        write_notes(page, "", &table::grouped_notes(&table.notes));
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
        write_headlines(page, index, level, result);
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
