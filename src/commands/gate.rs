//! `copybench gate`: judges a result against a committed baseline and says so with its exit
//! code, or records a result as the baseline. The verdicts are the `copybench-gate` crate's;
//! this adapter reads the files, prints, and maps the outcome to an exit code.

use std::path::{Path, PathBuf};

use anyhow::Context;
use copybench_gate::{Failure, Thresholds};
use copybench_reports::{GateFormat, GateRun, GateSide};

use super::report::{read_result, read_thresholds};
use crate::exit::Exit;
use crate::output;
use crate::terminal::{printable_path, Terminal};

/// Arguments of `copybench gate`.
#[derive(Debug, clap::Args)]
#[command(group(
    clap::ArgGroup::new("mode")
        .required(true)
        .args(["baseline", "save_baseline"])
))]
pub struct GateArgs {
    /// The result JSON written by `copybench scenario`: judged, or saved as the baseline.
    #[arg(value_name = "RESULT.json")]
    pub result: PathBuf,

    /// The baseline to judge RESULT.json against (a result saved with --save-baseline).
    /// Exit codes: 0 pass, 1 regression, 2 usage or input error, 3 inconclusive with --strict.
    #[arg(long, value_name = "BASELINE.json")]
    pub baseline: Option<PathBuf>,

    /// Save RESULT.json as the baseline at this path instead of judging it (to update a
    /// baseline on purpose, in the same commit as the change that moved it). Never over
    /// RESULT.json itself.
    #[arg(long, value_name = "BASELINE.json", conflicts_with_all = ["thresholds", "strict"])]
    pub save_baseline: Option<PathBuf>,

    /// Noise thresholds per scenario, entry and metric, and the environments whose absolute
    /// times are gated (TOML, e.g. ci/gates.toml) [default: 5 % for every speedup].
    #[arg(long, value_name = "gates.toml")]
    pub thresholds: Option<PathBuf>,

    /// Also fail (exit 3) when a verdict is inconclusive or the baseline was measured in
    /// another environment (CPU model, kernel, filesystem type or mount options).
    #[arg(long)]
    pub strict: bool,

    /// How to print the verdicts.
    #[arg(long, value_enum, default_value_t = GateOutput::Terminal)]
    pub format: GateOutput,
}

/// `--format`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum GateOutput {
    /// Aligned tables.
    Terminal,
    /// For a CI job summary or a pull-request comment.
    Markdown,
    /// Every check with its figures, for a program.
    Json,
}

impl From<GateOutput> for GateFormat {
    fn from(format: GateOutput) -> GateFormat {
        match format {
            GateOutput::Terminal => GateFormat::Terminal,
            GateOutput::Markdown => GateFormat::Markdown,
            GateOutput::Json => GateFormat::Json,
        }
    }
}

pub fn run(args: GateArgs, terminal: &Terminal) -> anyhow::Result<Exit> {
    if let Some(baseline) = &args.save_baseline {
        save_baseline(&args.result, baseline, terminal)?;
        return Ok(Exit::Success);
    }
    let Some(baseline_path) = &args.baseline else {
        anyhow::bail!("give --baseline BASELINE.json to judge against, or --save-baseline");
    };
    let baseline = read_result(baseline_path)?;
    let result = read_result(&args.result)?;
    let thresholds = match &args.thresholds {
        Some(path) => read_thresholds(path)?,
        None => Thresholds::default(),
    };
    let report = copybench_gate::compare(&baseline, &result, &thresholds).with_context(|| {
        format!(
            "`{}` against the baseline `{}`",
            args.result.display(),
            baseline_path.display()
        )
    })?;
    let (baseline_label, result_label) =
        (printable_path(baseline_path), printable_path(&args.result));
    // Also on stderr, so it reaches a person when the verdicts go to a file or a program.
    if !terminal.quiet {
        for difference in &report.environment {
            eprintln!(
                "copybench: warning: the baseline `{baseline_label}` is from another environment: \
                 {} is {} there, {} in `{result_label}`",
                difference.property, difference.baseline, difference.result,
            );
        }
    }
    let run = GateRun {
        report: &report,
        baseline: GateSide {
            path: &baseline_label,
            result: &baseline,
        },
        result: GateSide {
            path: &result_label,
            result: &result,
        },
        strict: args.strict,
    };
    output::print(&copybench_reports::render_gate(&run, args.format.into()))?;
    Ok(match report.failure(args.strict) {
        None => Exit::Success,
        Some(Failure::Regression) => Exit::Failure,
        Some(Failure::Inconclusive | Failure::EnvironmentDiffers) => Exit::Inconclusive,
    })
}

/// Copies a valid result to `baseline`, atomically (a temporary file beside it, fsync, then a
/// rename), so a failed save never leaves half a baseline. The text is kept as it is, fields
/// this version does not know included. Never over the result itself.
fn save_baseline(result: &Path, baseline: &Path, terminal: &Terminal) -> anyhow::Result<()> {
    let text = std::fs::read_to_string(result).map_err(|e| {
        anyhow::anyhow!(
            "cannot read the result file `{}`: {}",
            result.display(),
            copybench_engine::errno::describe_io(&e)
        )
    })?;
    copybench_result::RunResult::from_json(&text)
        .with_context(|| format!("`{}`", result.display()))?;
    output::refuse_to_overwrite_an_input(baseline, &[result.to_path_buf()], "result")?;
    if let Some(dir) = baseline.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("cannot create the directory `{}`", dir.display()))?;
    }
    copybench_harness::work_dir::write_atomically(baseline, text.as_bytes())
        .with_context(|| format!("cannot write the baseline `{}`", baseline.display()))?;
    if !terminal.quiet {
        output::println(&format!(
            "saved `{}` as the baseline `{}`",
            printable_path(result),
            printable_path(baseline)
        ))?;
    }
    Ok(())
}
