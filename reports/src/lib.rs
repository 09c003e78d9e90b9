//! Renders copybench results for people: a terminal table, Markdown, a self-contained HTML page.
//! Reads the result types only.
//!
//! Each format is one file behind the [`Renderer`] trait (hyperfine's `Exporter`); the tables
//! they share are built once in `table`, sizes and durations are written by `format`, and the
//! HTML page's SVG charts are drawn by `charts`, one file per chart.

mod calibration;
mod charts;
mod claims;
mod compare;
mod conformance;
mod figures;
pub mod format;
mod headline;
mod html;
mod markdown;
mod matrix;
mod table;
mod terminal;

use copybench_result::RunResult;

pub use matrix::conformance_matrix;

/// An output format of `copybench report`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Html,
    Markdown,
    Terminal,
}

impl Format {
    fn renderer(self) -> &'static dyn Renderer {
        match self {
            Format::Html => &html::HtmlRenderer,
            Format::Markdown => &markdown::MarkdownRenderer,
            Format::Terminal => &terminal::TerminalRenderer,
        }
    }
}

/// Why a report could not be rendered.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("no results to report")]
    Empty,
    /// plotters failed to draw a chart (its SVG backend writes to a string, so this is a
    /// drawing error such as a degenerate axis range, not I/O).
    #[error("cannot draw the {chart} chart of scenario `{scenario}`: {message}")]
    Chart {
        chart: &'static str,
        scenario: String,
        message: String,
    },
}

/// How to render, beyond the format.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RenderOptions {
    /// ANSI colours in the terminal format (the CLI decides from `--color` and `NO_COLOR`);
    /// the other formats ignore it.
    pub color: bool,
}

/// One output format: turns one result, or several to compare, into a document.
pub trait Renderer {
    fn render(&self, results: &[RunResult], options: &RenderOptions)
        -> Result<String, ReportError>;
}

/// Renders one result, or a comparison of several, in `format`, without colours.
pub fn render(results: &[RunResult], format: Format) -> Result<String, ReportError> {
    render_with(results, format, &RenderOptions::default())
}

/// [`render`] with `options`.
pub fn render_with(
    results: &[RunResult],
    format: Format,
    options: &RenderOptions,
) -> Result<String, ReportError> {
    if results.is_empty() {
        return Err(ReportError::Empty);
    }
    format.renderer().render(results, options)
}
