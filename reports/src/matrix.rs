//! The conformance matrix on its own, for a terminal (`copybench conform`): one row per case,
//! one column per subject, counted and named as every other format counts and names them.

use std::fmt::Write as _;

use copybench_result::{ConformanceMatrix, Verdict};

use crate::conformance;

fn symbol(verdict: Verdict) -> char {
    match verdict {
        Verdict::Pass => '✓',
        Verdict::Fail => '✗',
        Verdict::Unsupported => '-',
        Verdict::Skipped => 's',
    }
}

/// The matrix for a terminal: one row per case, one column per subject (lettered, with a
/// legend), whether CPython was compared, then every failure and reason in full.
pub fn conformance_matrix(matrix: &ConformanceMatrix) -> String {
    let mut out = String::new();
    let letters: Vec<char> = ('a'..='z').chain('A'..='Z').collect();
    let _ = writeln!(out, "oracle: {}", matrix.oracle);
    let subjects = conformance::subjects(matrix);
    let legend: Vec<String> = subjects
        .iter()
        .zip(&letters)
        .map(|(s, l)| format!("{l}={s}"))
        .collect();
    let _ = writeln!(out, "subjects: {}", legend.join(" "));
    let _ = writeln!(
        out,
        "legend: ✓ pass  ✗ fail  - unsupported  s skipped  (blank: not a case for it); \
         cpython: compared with CPython's outcome"
    );
    const TITLE: usize = 46;
    let header: String = letters
        .iter()
        .take(subjects.len())
        .map(|l| format!("{l} "))
        .collect();
    let _ = writeln!(out, "{:>3} {:<TITLE$} {header}cpython", "#", "case");
    let all_cells = conformance::cells(matrix);
    for case in conformance::cases(matrix) {
        let cells: Vec<_> = all_cells.iter().filter(|c| c.case == case.number).collect();
        let row: String = subjects
            .iter()
            .map(|s| match cells.iter().find(|c| c.subject == *s) {
                Some(c) => format!("{} ", symbol(c.verdict)),
                None => "  ".to_owned(),
            })
            .collect();
        let judged: Vec<_> = cells
            .iter()
            .filter(|c| matches!(c.verdict, Verdict::Pass | Verdict::Fail))
            .collect();
        let oracle = if judged.is_empty() {
            "-"
        } else if judged.iter().all(|c| c.oracle_checked) {
            "yes"
        } else if judged.iter().any(|c| c.oracle_checked) {
            "partly"
        } else {
            "no"
        };
        let title: String = if case.title.chars().count() > TITLE {
            case.title.chars().take(TITLE - 1).chain(['…']).collect()
        } else {
            case.title.clone()
        };
        let _ = writeln!(out, "{:>3} {title:<TITLE$} {row}{oracle}", case.number);
    }
    let _ = writeln!(out, "\n{}", conformance::tally(matrix));
    let mut reasons: Vec<String> = Vec::new();
    for cell in all_cells {
        if cell.verdict == Verdict::Pass {
            continue;
        }
        let line = format!(
            "  {} case {} {}: {}",
            symbol(cell.verdict),
            cell.case,
            cell.subject,
            cell.detail.as_deref().unwrap_or("")
        );
        if !reasons.contains(&line) {
            reasons.push(line);
        }
    }
    if !reasons.is_empty() {
        let _ = writeln!(out, "\nnot passing:");
        for line in reasons {
            let _ = writeln!(out, "{line}");
        }
    }
    out
}
