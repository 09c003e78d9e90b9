//! Renders copybench results for people: a terminal table, Markdown, a self-contained HTML page;
//! exports them for benchmark-tracking services (Bencher's BMF, github-action-benchmark); and
//! renders the gate's verdicts. Reads the result types, and the gate's verdicts, only.
//!
//! Each format is one file behind the [`Renderer`] trait (hyperfine's `Exporter`); the tables
//! they share are built once in `table` (and the verdict tables in `verdicts`), sizes and
//! durations are written by `format`, and the HTML page's SVG charts are drawn by `charts`, one
//! file per chart.

mod calibration;
mod charts;
mod claims;
mod compare;
mod conformance;
mod delete_wait;
mod export;
mod figures;
pub mod format;
mod gate;
mod headline;
mod html;
mod markdown;
mod matrix;
mod table;
mod terminal;
mod verdicts;

use copybench_gate::Thresholds;
use copybench_result::RunResult;

pub use gate::{render_gate, GateFormat, GateRun, GateSide};
pub use matrix::conformance_matrix;

/// An output format of `copybench report`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Html,
    Markdown,
    Terminal,
    /// Bencher Metric Format JSON.
    Bmf,
    /// github-action-benchmark's `customSmallerIsBetter` JSON.
    GithubBenchmark,
}

impl Format {
    fn renderer(self) -> &'static dyn Renderer {
        match self {
            Format::Html => &html::HtmlRenderer,
            Format::Markdown => &markdown::MarkdownRenderer,
            Format::Terminal => &terminal::TerminalRenderer,
            Format::Bmf => &export::bmf::BmfExporter,
            Format::GithubBenchmark => &export::github_benchmark::GithubBenchmarkExporter,
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
    /// An export is of one result (a service keys results by machine and commit itself).
    #[error("the {format} export takes one result, not {given}")]
    OneResultOnly { format: &'static str, given: usize },
    #[error("cannot write the export: {0}")]
    Export(#[source] serde_json::Error),
}

/// How to render, beyond the format.
#[derive(Clone, Debug, Default)]
pub struct RenderOptions {
    /// ANSI colours in the terminal format (the CLI decides from `--color` and `NO_COLOR`);
    /// the other formats ignore it.
    pub color: bool,
    /// The terminal's width in columns: a terminal table wider than it is split into tables
    /// that fit, each led by the entry column, rather than wrapped. `None`: no limit.
    pub width: Option<usize>,
    /// The thresholds the comparison of several results judges changes with: the same file
    /// `copybench gate` reads, so the page and the gate give the same verdicts.
    pub thresholds: Thresholds,
}

/// One output format: turns one result, or several to compare, into a document.
pub trait Renderer {
    fn render(&self, results: &[RunResult], options: &RenderOptions)
        -> Result<String, ReportError>;
}

/// Renders one result, or a comparison of several, in `format`, without colours and with the
/// default thresholds.
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
