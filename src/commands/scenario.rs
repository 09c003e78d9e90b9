//! `copybench scenario`: run scenario files (the embedded default suite when none is given),
//! write the result JSON and an HTML report into the work directory, print a summary.

use std::path::{Path, PathBuf};

use anyhow::Context;
use copybench_harness::runner::ProgressDisplay;
use copybench_harness::work_dir::{write_atomically, DEFAULT_WORK_DIR};
use copybench_harness::{scenario, ConformLevel, RunOptions};
use copybench_reports::{Format, RenderOptions};

use crate::exit::Exit;
use crate::output;
use crate::terminal::{printable_path, Terminal};

/// Arguments of `copybench scenario`.
#[derive(Debug, clap::Args)]
pub struct ScenarioArgs {
    /// Scenario files (TOML). Without any, the embedded default suite runs.
    #[arg(value_name = "FILE")]
    pub files: Vec<PathBuf>,

    /// Where fixtures, copies, the trash and results live; copybench writes nowhere else.
    /// Relative to the current directory.
    #[arg(short = 'd', long, value_name = "DIR", default_value = DEFAULT_WORK_DIR)]
    pub work_dir: PathBuf,

    /// Multiplies each scenario's size (a file's bytes, a tree's file count): 0.1 for a quick look.
    #[arg(long, value_name = "FACTOR", default_value_t = 1.0)]
    pub scale: f64,

    /// The fewest measured rounds for every scenario, instead of each file's `samples` (at
    /// least 2); rounds go on until --target-ci or --max-time.
    #[arg(
        short = 'n',
        long,
        short_alias = 'r',
        alias = "rounds",
        value_name = "N",
        value_parser = clap::value_parser!(u32).range(2..)
    )]
    pub samples: Option<u32>,

    /// Unmeasured rounds before the samples, instead of each file's `warmup`.
    #[arg(short, long, value_name = "N")]
    pub warmup: Option<u32>,

    /// Wanted half-width of every speedup interval, instead of each file's `target_ci`
    /// (default 3%): rounds go on until every interval is within it.
    #[arg(long, value_name = "PERCENT", value_parser = scenario::sampling::parse_percent)]
    pub target_ci: Option<f64>,

    /// Time budget of each scenario's rounds, instead of each file's `max_time` (default 2m):
    /// no round starts that would not end within it.
    #[arg(long, value_name = "DURATION", value_parser = scenario::sampling::parse_duration)]
    pub max_time: Option<std::time::Duration>,

    /// Skip the wait before tree scenarios inside ext4's recently-deleted window after the
    /// previous run deleted its copies, where they cannot be placed apart from the freed inodes
    /// (the result records that it was skipped).
    #[arg(long)]
    pub no_wait: bool,

    /// Also write a copy of the result JSON to FILE (where CI collects it).
    #[arg(long, value_name = "FILE")]
    pub export_json: Option<PathBuf>,

    /// Also write the Markdown summary to FILE (a CI job summary, a pull-request comment).
    #[arg(long, value_name = "FILE")]
    pub export_markdown: Option<PathBuf>,

    /// Also count the syscalls of peers and child processes: one extra, untimed run each under
    /// `strace -f` (Debian package `strace`).
    #[arg(long)]
    pub count_syscalls: bool,

    /// Conformance of the timed strategies and walkers, checked beside the timing.
    #[arg(long, value_enum, value_name = "LEVEL", default_value_t = Conform::Quick)]
    pub conform: Conform,

    /// No progress line on stderr (notes that explain a pause are still printed).
    #[arg(long)]
    pub no_progress: bool,

    /// A CPython interpreter to use for the python peers, preferred over those found on PATH
    /// and in pyenv's versions directory (repeatable).
    #[arg(long = "python", value_name = "PATH")]
    pub pythons: Vec<PathBuf>,
}

/// `--conform`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Conform {
    Quick,
    Full,
    None,
}

pub fn run(args: ScenarioArgs, terminal: &Terminal) -> anyhow::Result<Exit> {
    if !(args.scale.is_finite() && args.scale > 0.0) {
        anyhow::bail!("--scale must be a number above 0, not {}", args.scale);
    }
    for export in [&args.export_json, &args.export_markdown]
        .into_iter()
        .flatten()
    {
        output::refuse_to_overwrite_an_input(export, &args.files, "scenario file")?;
    }
    let mut scenarios = Vec::new();
    if args.files.is_empty() {
        scenarios.extend(scenario::parse(
            scenario::DEFAULT_SUITE,
            scenario::DEFAULT_SUITE_NAME,
        )?);
    }
    for file in &args.files {
        scenarios.extend(scenario::load(file)?);
    }

    let mut options = RunOptions::new(args.work_dir.clone(), env!("CARGO_PKG_VERSION"));
    options.scale = args.scale;
    options.samples = args.samples;
    options.warmup = args.warmup;
    options.target_ci = args.target_ci;
    options.max_time = args.max_time;
    options.no_wait = args.no_wait;
    options.count_syscalls = args.count_syscalls;
    options.conform = match args.conform {
        Conform::Quick => ConformLevel::Quick,
        Conform::Full => ConformLevel::Full,
        Conform::None => ConformLevel::None,
    };
    options.copybench = crate::child::this_program();
    options.git_commit = Some(env!("COPYBENCH_GIT_COMMIT"))
        .filter(|commit| !commit.is_empty())
        .map(str::to_owned);
    options.progress = progress_display(terminal, args.no_progress);
    options.pythons = args.pythons;

    let result = copybench_harness::run(&scenarios, &options)?;
    let written =
        copybench_harness::write_result(&args.work_dir, &result).context("writing the result")?;
    let path = &written.path;

    let results = std::slice::from_ref(&result);
    let report_written = match copybench_reports::render(results, Format::Html) {
        Ok(html) => match written.write_beside("report.html", html.as_bytes()) {
            Ok(()) => true,
            Err(e) => {
                eprintln!("copybench: warning: no HTML report: {e}");
                false
            }
        },
        Err(e) => {
            eprintln!("copybench: warning: no HTML report: {e}");
            false
        }
    };
    if let Some(export) = &args.export_json {
        let json = std::fs::read(path).context("reading the result back to export it")?;
        export_to(export, &json)
            .with_context(|| format!("cannot export the result to `{}`", export.display()))?;
    }
    if let Some(export) = &args.export_markdown {
        let markdown = copybench_reports::render(results, Format::Markdown)?;
        export_to(export, markdown.as_bytes())
            .with_context(|| format!("cannot export the Markdown to `{}`", export.display()))?;
    }
    if !terminal.quiet {
        let options = RenderOptions {
            color: terminal.color,
            width: terminal.width,
            ..RenderOptions::default()
        };
        match copybench_reports::render_with(results, Format::Terminal, &options) {
            Ok(table) => output::println(table.trim_end())?,
            Err(e) => {
                // Without the table, skips and warnings still reach the user.
                eprintln!("copybench: warning: no summary table: {e}");
                print_diagnostics(&result);
            }
        }
    }
    // The last line says where everything went: a newcomer opens the report from here, and a
    // script finds the directory after the fixed words (`--export-json` gives a fixed path).
    let dir = path.parent().unwrap_or(path);
    let dir = printable_path(dir);
    if report_written {
        output::println(&format!("wrote result.json and report.html to {dir}"))?;
    } else {
        output::println(&format!("wrote result.json to {dir}"))?;
    }
    Ok(Exit::Success)
}

/// What the run shows on stderr: nothing with `--quiet`, a line per sample with `--verbose`,
/// a line redrawn in place on a terminal, else only the notes that explain a pause.
fn progress_display(terminal: &Terminal, no_progress: bool) -> ProgressDisplay {
    if terminal.quiet {
        ProgressDisplay::Quiet
    } else if terminal.verbose {
        ProgressDisplay::Lines
    } else if terminal.stderr_is_terminal && !no_progress {
        ProgressDisplay::Live
    } else {
        ProgressDisplay::Notes
    }
}

/// Writes an export atomically, making its directory (`ci/`) if needed.
fn export_to(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(|e| {
            anyhow::anyhow!(
                "cannot create {}: {}",
                parent.display(),
                copybench_engine::errno::describe_io(&e)
            )
        })?;
    }
    Ok(write_atomically(path, bytes)?)
}

/// Skipped entries and warnings, on stderr, for when the summary table could not show them.
fn print_diagnostics(result: &copybench_result::RunResult) {
    for scenario in &result.scenarios {
        for skipped in &scenario.skipped {
            eprintln!(
                "copybench: {}: skipped `{}`: {}",
                scenario.name, skipped.id, skipped.reason
            );
        }
        for warning in &scenario.warnings {
            eprintln!("copybench: {}: warning: {warning}", scenario.name);
        }
    }
}
