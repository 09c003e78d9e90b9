//! The claims section, first in each result: one row per claim with its verdict coloured, the
//! same rows as the terminal and Markdown (`crate::claims`).

use copybench_result::RunResult;

use super::markup::escape;
use super::Page;
use crate::claims;
use crate::table::Align;

/// Writes the section when the result has claims.
pub(super) fn write_claims(page: &mut Page, index: usize, level: usize, result: &RunResult) {
    if !claims::any(result) {
        return;
    }
    let table = claims::table(result, true);
    let verdicts = result
        .scenarios
        .iter()
        .flat_map(|s| &s.claims)
        .map(|c| c.verdict);
    page.line(&format!(
        r#"<section class="claims" id="r{}-claims">"#,
        index + 1
    ));
    page.line(&format!("<h{level}>Claims</h{level}>"));
    page.line(r#"<div class="scroll">"#);
    page.line("<table>");
    let header: String = table
        .columns
        .iter()
        .map(|c| format!(r#"<th scope="col">{}</th>"#, escape(&c.title)))
        .collect();
    page.line(&format!("<thead><tr>{header}</tr></thead>"));
    page.line("<tbody>");
    for (row, verdict) in table.rows.iter().zip(verdicts) {
        let mut line = format!(
            r#"<tr><th scope="row"><code>{}</code></th>"#,
            escape(&row[0])
        );
        for (i, cell) in row.iter().enumerate().skip(1) {
            if i == claims::VERDICT_COLUMN {
                line.push_str(&format!(
                    r#"<td class="claim-verdict {}">{}</td>"#,
                    verdict.name(),
                    escape(cell)
                ));
            } else if table.columns[i].align == Align::Right {
                line.push_str(&format!(r#"<td class="num">{}</td>"#, escape(cell)));
            } else {
                line.push_str(&format!("<td>{}</td>", escape(cell)));
            }
        }
        line.push_str("</tr>");
        page.line(&line);
    }
    page.line("</tbody>");
    page.line("</table>");
    page.line("</div>");
    let not_checked = claims::not_checked(result);
    if !not_checked.is_empty() {
        page.line(r#"<ul class="notes">"#);
        for note in &not_checked {
            page.line(&format!("<li>not checked: {}</li>", escape(note)));
        }
        page.line("</ul>");
    }
    page.line("</section>");
}
