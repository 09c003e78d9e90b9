//! The conformance matrix: cases × subjects, each cell's verdict with its detail on hover.

use std::fmt::Write;

use copybench_result::{ConformanceMatrix, Verdict};

use super::markup::escape;
use super::Page;
use crate::conformance;

pub(super) fn write_conformance(page: &mut Page, matrix: &ConformanceMatrix) {
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

pub(super) fn verdict_text(verdict: Verdict) -> &'static str {
    match verdict {
        Verdict::Pass => "✓ pass",
        Verdict::Fail => "✗ fail",
        Verdict::Unsupported => "○ unsupported",
        Verdict::Skipped => "– skipped",
    }
}
