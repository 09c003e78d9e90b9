//! Renders copybench results for people: a terminal table, Markdown, a self-contained HTML page.
//! Reads the result types only.

use copybench_result::RunResult;

/// An output format of `copybench report`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Html,
    Markdown,
    Terminal,
}

/// Why a report could not be rendered.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("no results to report")]
    Empty,
}

/// Renders one result, or a comparison of several, in `format`.
pub fn render(results: &[RunResult], format: Format) -> Result<String, ReportError> {
    let _ = (results, format);
    Err(ReportError::Empty)
}
