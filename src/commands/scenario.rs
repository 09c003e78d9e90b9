//! `copybench scenario`: run scenario files (the embedded default suite when none is given),
//! write the result JSON and an HTML report into the work directory, print a summary.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use copybench_harness::work_dir::DEFAULT_WORK_DIR;
use copybench_harness::{scenario, ConformLevel, RunOptions};
use copybench_reports::Format;

/// Arguments of `copybench scenario`.
#[derive(Debug, clap::Args)]
pub struct ScenarioArgs {
    /// Scenario files (TOML). Without any, the embedded default suite runs.
    pub files: Vec<PathBuf>,

    /// Where fixtures, copies, the trash and results live; copybench writes nowhere else.
    #[arg(long, default_value = DEFAULT_WORK_DIR)]
    pub work_dir: PathBuf,

    /// Multiplies each scenario's size (a file's bytes, a tree's file count): 0.1 for a quick look.
    #[arg(long, default_value_t = 1.0)]
    pub scale: f64,

    /// Measured rounds for every scenario, instead of each file's `samples` (at least 2).
    #[arg(long, value_parser = clap::value_parser!(u32).range(2..))]
    pub samples: Option<u32>,

    /// Unmeasured rounds before the samples, instead of each file's `warmup`.
    #[arg(long)]
    pub warmup: Option<u32>,

    /// Also count the syscalls of peers and child processes: one extra, untimed run each under
    /// `strace -f` (Debian package `strace`).
    #[arg(long)]
    pub count_syscalls: bool,

    /// Conformance of the timed strategies and walkers, checked beside the timing.
    #[arg(long, value_enum, default_value_t = Conform::Quick)]
    pub conform: Conform,

    /// No progress bars on stderr.
    #[arg(long)]
    pub no_progress: bool,
}

/// `--conform`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Conform {
    Quick,
    Full,
    None,
}

pub fn run(args: ScenarioArgs) -> anyhow::Result<ExitCode> {
    if !(args.scale.is_finite() && args.scale > 0.0) {
        anyhow::bail!("--scale must be a number above 0, not {}", args.scale);
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
    options.count_syscalls = args.count_syscalls;
    options.conform = match args.conform {
        Conform::Quick => ConformLevel::Quick,
        Conform::Full => ConformLevel::Full,
        Conform::None => ConformLevel::None,
    };
    options.copybench = crate::child::this_program();
    options.progress = !args.no_progress;

    let result = copybench_harness::run(&scenarios, &options)?;
    let path =
        copybench_harness::write_result(&args.work_dir, &result).context("writing the result")?;

    let results = std::slice::from_ref(&result);
    let report = path.with_file_name("report.html");
    let report_written = match copybench_reports::render(results, Format::Html) {
        Ok(html) => match std::fs::write(&report, html) {
            Ok(()) => true,
            Err(e) => {
                eprintln!("copybench: warning: cannot write {}: {e}", report.display());
                false
            }
        },
        Err(e) => {
            eprintln!("copybench: warning: no HTML report: {e}");
            false
        }
    };
    match copybench_reports::render(results, Format::Terminal) {
        Ok(table) => println!("{}", table.trim_end()),
        Err(e) => {
            // Without the table, skips and warnings still reach the user.
            eprintln!("copybench: warning: no summary table: {e}");
            print_diagnostics(&result);
        }
    }
    // The last line says where everything went: a newcomer opens the report from here, and a
    // script finds the directory after the fixed words (`--export-json` gives a fixed path).
    let dir = path.parent().unwrap_or(&path);
    if report_written {
        println!("wrote result.json and report.html to {}", dir.display());
    } else {
        println!("wrote result.json to {}", dir.display());
    }
    Ok(ExitCode::SUCCESS)
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
