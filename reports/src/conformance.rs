//! Counting and naming conformance verdicts, the same way in every format.

use copybench_result::{ConformanceCase, ConformanceCell, ConformanceMatrix, Verdict};

/// Every verdict, in the order legends list them.
pub const VERDICTS: [Verdict; 4] = [
    Verdict::Pass,
    Verdict::Fail,
    Verdict::Unsupported,
    Verdict::Skipped,
];

pub fn verdict_name(verdict: Verdict) -> &'static str {
    match verdict {
        Verdict::Pass => "pass",
        Verdict::Fail => "fail",
        Verdict::Unsupported => "unsupported",
        Verdict::Skipped => "skipped",
    }
}

/// The matrix's subjects, each once. A timed entry and its `(child)` twin run the same engine
/// code and are one subject; results written before the harness merged them list it twice.
pub fn subjects(matrix: &ConformanceMatrix) -> Vec<&str> {
    let mut subjects: Vec<&str> = vec![];
    for subject in &matrix.subjects {
        if !subjects.contains(&subject.as_str()) {
            subjects.push(subject);
        }
    }
    subjects
}

/// The cells of the matrix, one per (case, subject): a repeated subject's cells count once.
pub fn cells(matrix: &ConformanceMatrix) -> Vec<&ConformanceCell> {
    let mut cells: Vec<&ConformanceCell> = vec![];
    for cell in &matrix.cells {
        if !cells
            .iter()
            .any(|c| c.case == cell.case && c.subject == cell.subject)
        {
            cells.push(cell);
        }
    }
    cells
}

/// The cell of `case` for `subject`, if one was recorded.
pub fn cell<'a>(
    matrix: &'a ConformanceMatrix,
    case: u32,
    subject: &str,
) -> Option<&'a ConformanceCell> {
    matrix
        .cells
        .iter()
        .find(|c| c.case == case && c.subject == subject)
}

/// Cases with at least one verdict: a tree case in a file scenario (no walker ran) has none
/// and would be a row of dashes.
pub fn cases(matrix: &ConformanceMatrix) -> Vec<&ConformanceCase> {
    matrix
        .cases
        .iter()
        .filter(|case| matrix.cells.iter().any(|c| c.case == case.number))
        .collect()
}

/// `38 pass, 1 fail, 9 unsupported, 6 skipped` (verdicts with no cell left out).
pub fn tally(matrix: &ConformanceMatrix) -> String {
    let cells = cells(matrix);
    VERDICTS
        .iter()
        .map(|&v| (v, cells.iter().filter(|c| c.verdict == v).count()))
        .filter(|&(_, n)| n > 0)
        .map(|(v, n)| format!("{n} {}", verdict_name(v)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// One line per failing cell: `case 11 (Empty source …) copy_file_range: detail`.
pub fn failures(matrix: &ConformanceMatrix) -> Vec<String> {
    cells(matrix)
        .into_iter()
        .filter(|c| c.verdict == Verdict::Fail)
        .map(|cell| {
            let title = matrix
                .cases
                .iter()
                .find(|case| case.number == cell.case)
                .map(|case| format!(" ({})", case.title))
                .unwrap_or_default();
            let detail = cell
                .detail
                .as_deref()
                .map(|d| format!(": {d}"))
                .unwrap_or_default();
            format!("case {}{title} {}{detail}", cell.case, cell.subject)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_subject_listed_twice_is_shown_and_counted_once() {
        let cell = |case, subject: &str| ConformanceCell {
            case,
            subject: subject.into(),
            verdict: Verdict::Pass,
            detail: None,
            oracle_checked: true,
        };
        let case = |number| ConformanceCase {
            number,
            title: format!("case {number}"),
        };
        let matrix = ConformanceMatrix {
            cases: vec![case(1), case(6)],
            subjects: vec!["sendfile".into(), "auto".into(), "auto".into()],
            cells: vec![cell(1, "sendfile"), cell(1, "auto"), cell(1, "auto")],
            oracle: "CPython".into(),
        };
        assert_eq!(subjects(&matrix), ["sendfile", "auto"]);
        assert_eq!(tally(&matrix), "2 pass");
        assert_eq!(
            cases(&matrix).iter().map(|c| c.number).collect::<Vec<_>>(),
            [1]
        );
    }
}
