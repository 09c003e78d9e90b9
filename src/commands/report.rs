//! `copybench report`: renders result JSON files as HTML, Markdown or a terminal table, or
//! exports one for a benchmark-tracking service (BMF, github-action-benchmark).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use copybench_gate::Thresholds;
use copybench_reports::{Format, RenderOptions};
use copybench_result::RunResult;

/// Arguments of `copybench report`.
#[derive(Debug, clap::Args)]
pub struct ReportArgs {
    /// Result JSON files written by `copybench scenario`; with several, the report compares
    /// the same scenarios side by side.
    #[arg(required = true, value_name = "RESULT.json")]
    pub results: Vec<PathBuf>,

    /// Write the report to FILE instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Output format [default: from the extension of -o (.html, .md), else terminal].
    #[arg(long, value_enum)]
    pub format: Option<ReportFormat>,

    /// The thresholds file the comparison of several results judges changes with, the one
    /// `copybench gate` reads (e.g. ci/gates.toml) [default: 5 % for every speedup].
    #[arg(long, value_name = "gates.toml")]
    pub thresholds: Option<PathBuf>,
}

/// The formats `copybench report` writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ReportFormat {
    /// One self-contained page with SVG charts, readable offline.
    Html,
    /// A compact summary for a CI job summary or a pull-request comment.
    Markdown,
    /// Plain-text tables, as printed after `copybench scenario`.
    Terminal,
    /// Bencher Metric Format JSON, for bencher.dev (one result).
    Bmf,
    /// github-action-benchmark's customSmallerIsBetter JSON (one result).
    GithubBenchmark,
}

impl From<ReportFormat> for Format {
    fn from(format: ReportFormat) -> Format {
        match format {
            ReportFormat::Html => Format::Html,
            ReportFormat::Markdown => Format::Markdown,
            ReportFormat::Terminal => Format::Terminal,
            ReportFormat::Bmf => Format::Bmf,
            ReportFormat::GithubBenchmark => Format::GithubBenchmark,
        }
    }
}

pub fn run(args: ReportArgs) -> anyhow::Result<ExitCode> {
    let results = args
        .results
        .iter()
        .map(|path| read_result(path))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let format = args
        .format
        .map(Format::from)
        .unwrap_or_else(|| format_for(args.output.as_deref()));
    let options = RenderOptions {
        thresholds: match &args.thresholds {
            Some(path) => read_thresholds(path)?,
            None => Thresholds::default(),
        },
        ..RenderOptions::default()
    };
    let report = copybench_reports::render_with(&results, format, &options)?;
    match &args.output {
        Some(path) => std::fs::write(path, report)
            .with_context(|| format!("cannot write the report to `{}`", path.display()))?,
        None => print!("{report}"),
    }
    Ok(ExitCode::SUCCESS)
}

/// Reads one result file; the error names the file and says in one line what is wrong.
pub(crate) fn read_result(path: &Path) -> anyhow::Result<RunResult> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read the result file `{}`", path.display()))?;
    RunResult::from_json(&text).with_context(|| format!("`{}`", path.display()))
}

/// Reads a thresholds file (`ci/gates.toml`); its errors name the file, the line and the key.
pub(crate) fn read_thresholds(path: &Path) -> anyhow::Result<Thresholds> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read the thresholds file `{}`", path.display()))?;
    Ok(Thresholds::parse(&text, &path.display().to_string())?)
}

/// The format an output file's extension asks for; terminal tables on standard output.
fn format_for(output: Option<&Path>) -> Format {
    let extension = output
        .and_then(Path::extension)
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    match (output, extension.as_deref()) {
        (None, _) => Format::Terminal,
        (Some(_), Some("md" | "markdown")) => Format::Markdown,
        (Some(_), Some("txt")) => Format::Terminal,
        (Some(_), _) => Format::Html,
    }
}
