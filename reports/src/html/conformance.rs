//! The conformance matrix: cases × subjects, each cell's verdict with its detail on hover.

use std::fmt::Write;

use copybench_result::{ConformanceMatrix, Verdict};

use super::markup::{breakable, escape};
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
    page.line("<li>— the case does not apply to this subject</li>");
    page.line("</ul>");
    let subjects = conformance::subjects(matrix);
    page.line(r#"<table class="conformance">"#);
    page.line("<thead>");
    let mut header = String::from(r#"<tr><th scope="col">case</th>"#);
    for subject in &subjects {
        let _ = write!(
            header,
            r#"<th scope="col"><code>{}</code></th>"#,
            breakable(subject)
        );
    }
    header.push_str("</tr>");
    page.line(&header);
    page.line("</thead>");
    page.line("<tbody>");
    for case in conformance::cases(matrix) {
        let mut row = format!(
            r#"<tr><th scope="row">{}. {}</th>"#,
            case.number,
            escape(&case.title)
        );
        for subject in &subjects {
            match conformance::cell(matrix, case.number, subject) {
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
                None => row.push_str(
                    r#"<td class="verdict missing" title="does not apply to this subject">—</td>"#,
                ),
            }
        }
        row.push_str("</tr>");
        page.line(&row);
    }
    page.line("</tbody>");
    page.line("</table>");
    let shown = conformance::cases(matrix);
    let left_out: Vec<String> = matrix
        .cases
        .iter()
        .filter(|case| !shown.iter().any(|c| c.number == case.number))
        .map(|case| case.number.to_string())
        .collect();
    if let [first @ .., last] = left_out.as_slice() {
        let (cases, apply) = if first.is_empty() {
            (format!("case {last}"), "applies")
        } else {
            (format!("cases {} and {last}", first.join(", ")), "apply")
        };
        page.line(&format!(
            r#"<p class="notes">Not shown: {cases}, which {apply} to none of this scenario's subjects.</p>"#
        ));
    }
}

pub(super) fn verdict_text(verdict: Verdict) -> &'static str {
    match verdict {
        Verdict::Pass => "✓ pass",
        Verdict::Fail => "✗ fail",
        Verdict::Unsupported => "○ unsupported",
        Verdict::Skipped => "– skipped",
    }
}
