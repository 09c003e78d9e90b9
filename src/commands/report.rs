//! `copybench report`: renders result JSON files as HTML, Markdown or a terminal table, or
//! exports one for a benchmark-tracking service (BMF, github-action-benchmark).

use std::path::{Path, PathBuf};

use anyhow::Context;
use copybench_gate::Thresholds;
use copybench_reports::{Format, RenderOptions};
use copybench_result::RunResult;

use crate::exit::Exit;
use crate::output;
use crate::terminal::Terminal;

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
    #[arg(short, long, value_enum, value_name = "FORMAT")]
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
    #[value(alias = "md")]
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

pub fn run(args: ReportArgs, terminal: &Terminal) -> anyhow::Result<Exit> {
    if let Some(path) = &args.output {
        output::refuse_to_overwrite_an_input(path, &args.results, "input")?;
    }
    let results = args
        .results
        .iter()
        .map(|path| read_result(path))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let format = args
        .format
        .map(Format::from)
        .unwrap_or_else(|| format_for(args.output.as_deref()));
    // Colour and the terminal's width only where it is read: a terminal, not a file.
    let options = RenderOptions {
        color: terminal.color && args.output.is_none(),
        width: terminal.width.filter(|_| args.output.is_none()),
        thresholds: match &args.thresholds {
            Some(path) => read_thresholds(path)?,
            None => Thresholds::default(),
        },
    };
    let report = copybench_reports::render_with(&results, format, &options)?;
    match &args.output {
        // Atomically: a reader (a browser reloading it) never sees half a report.
        Some(path) => copybench_harness::work_dir::write_atomically(path, report.as_bytes())
            .with_context(|| format!("cannot write the report to `{}`", path.display()))?,
        None => output::print(&report)?,
    }
    Ok(Exit::Success)
}

/// Reads one result file; the error names the file and says in one line what is wrong.
pub(crate) fn read_result(path: &Path) -> anyhow::Result<RunResult> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        anyhow::anyhow!(
            "cannot read the result file `{}`: {}",
            path.display(),
            copybench_engine::errno::describe_io(&e)
        )
    })?;
    RunResult::from_json(&text).with_context(|| format!("`{}`", path.display()))
}

/// Reads a thresholds file (`ci/gates.toml`); its errors name the file, the line and the key.
pub(crate) fn read_thresholds(path: &Path) -> anyhow::Result<Thresholds> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        anyhow::anyhow!(
            "cannot read the thresholds file `{}`: {}",
            path.display(),
            copybench_engine::errno::describe_io(&e)
        )
    })?;
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

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    const FIXTURE: &str = include_str!("../../testkit/fixtures/result.json");

    /// The fixture result with the value at one JSON path replaced by `replacement`.
    fn mutate(path: &[usize], replacement: serde_json::Value) -> String {
        let mut value: serde_json::Value = serde_json::from_str(FIXTURE).expect("the fixture");
        // A JSON pointer to the value reached by taking child `step % len` at each level.
        let mut pointer = String::new();
        let mut at = &value;
        for &step in path {
            let next = match at {
                serde_json::Value::Object(map) if !map.is_empty() => map
                    .iter()
                    .nth(step % map.len())
                    .map(|(k, v)| (k.replace('~', "~0").replace('/', "~1"), v)),
                serde_json::Value::Array(items) if !items.is_empty() => {
                    let i = step % items.len();
                    Some((i.to_string(), &items[i]))
                }
                _ => None,
            };
            let Some((token, next)) = next else { break };
            pointer.push('/');
            pointer.push_str(&token);
            at = next;
        }
        if let Some(slot) = value.pointer_mut(&pointer) {
            *slot = replacement;
        }
        value.to_string()
    }

    fn json_value() -> impl Strategy<Value = serde_json::Value> {
        prop_oneof![
            Just(serde_json::Value::Null),
            any::<bool>().prop_map(serde_json::Value::from),
            any::<i64>().prop_map(serde_json::Value::from),
            any::<u64>().prop_map(serde_json::Value::from),
            any::<f64>().prop_map(serde_json::Value::from),
            ".{0,8}".prop_map(serde_json::Value::from),
            Just(serde_json::json!([])),
            Just(serde_json::json!({})),
        ]
    }

    /// Reads and renders like `copybench report`: an error names the file; nothing panics.
    fn read_and_render(text: &[u8]) -> Result<(), String> {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let path = dir.path().join("r.json");
        std::fs::write(&path, text).expect("the input");
        match read_result(&path) {
            Ok(result) => {
                for format in [Format::Terminal, Format::Markdown, Format::Html] {
                    let _ = copybench_reports::render(std::slice::from_ref(&result), format);
                }
                Ok(())
            }
            Err(e) => {
                let text = format!("{e:#}");
                if text.contains(&*path.to_string_lossy()) {
                    Ok(())
                } else {
                    Err(text)
                }
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

        #[test]
        fn arbitrary_bytes_are_refused_naming_the_file(bytes in prop::collection::vec(any::<u8>(), 0..256)) {
            prop_assert_eq!(read_and_render(&bytes), Ok(()));
        }

        #[test]
        fn a_result_with_any_one_value_changed_never_panics(
            path in prop::collection::vec(any::<usize>(), 0..8),
            replacement in json_value(),
        ) {
            prop_assert_eq!(read_and_render(mutate(&path, replacement).as_bytes()), Ok(()));
        }
    }
}
