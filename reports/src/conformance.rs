//! Counting and naming conformance verdicts, the same way in every format.

use copybench_result::{ConformanceMatrix, Verdict};

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

/// `38 pass, 1 fail, 9 unsupported, 6 skipped` (verdicts with no cell left out).
pub fn tally(matrix: &ConformanceMatrix) -> String {
    VERDICTS
        .iter()
        .map(|&v| (v, matrix.cells.iter().filter(|c| c.verdict == v).count()))
        .filter(|&(_, n)| n > 0)
        .map(|(v, n)| format!("{n} {}", verdict_name(v)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// One line per failing cell: `case 11 (Empty source …) copy_file_range: detail`.
pub fn failures(matrix: &ConformanceMatrix) -> Vec<String> {
    matrix
        .cells
        .iter()
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
