//! The page's shared markup: tables from the shared table model, figures, warning lists, and
//! escaping.

use std::fmt::Write;

use super::Page;
use crate::table::{Align, Table};

/// A chart with its caption; the SVG gets a role and a label for screen readers.
pub(super) fn write_figure(page: &mut Page, chart: &str, svg: &str, caption: &str) {
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

pub(super) fn write_warnings(page: &mut Page, heading: &str, warnings: &[String]) {
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

/// A table from the shared table model; the first column heads its row. Cells wrap, so a table
/// fits the page rather than scrolling sideways (and prints whole).
pub(super) fn write_table(page: &mut Page, table: &Table) {
    if !table.is_empty() {
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
    }
}

/// Notes (grouped, see [`crate::table::grouped_notes`]), each after `prefix`.
pub(super) fn write_notes(page: &mut Page, prefix: &str, notes: &[String]) {
    if notes.is_empty() {
        return;
    }
    page.line(r#"<ul class="notes">"#);
    for note in notes {
        page.line(&format!("<li>{}{}</li>", escape(prefix), prose(note)));
    }
    page.line("</ul>");
}

pub(super) fn class_of(align: Align) -> &'static str {
    match align {
        Align::Left => "",
        Align::Right => r#" class="num""#,
    }
}

pub(super) fn css_color(color: plotters::style::RGBColor) -> String {
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

/// An escaped name that may wrap after `_` and `-` (`copy_file_range` in a narrow column
/// head), and nowhere else.
pub(super) fn breakable(name: &str) -> String {
    escape(name).replace('_', "_<wbr/>").replace('-', "-<wbr/>")
}

/// Escapes a sentence from the result and sets its `backticked` names (entry ids, programs) as
/// code, as the terminal shows them; unbalanced backticks are left as they are.
pub(super) fn prose(text: &str) -> String {
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
