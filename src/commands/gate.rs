//! `copybench gate`: judges a result against a committed baseline and says so with its exit
//! code, or records a result as the baseline. The verdicts are the `copybench-gate` crate's;
//! this adapter reads the files, prints, and maps the outcome to an exit code.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use copybench_gate::{Failure, Thresholds};
use copybench_reports::{GateFormat, GateRun, GateSide};

use super::report::{read_result, read_thresholds};
use crate::exit_code::Exit;

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
    /// baseline on purpose, in the same commit as the change that moved it).
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

pub fn run(args: GateArgs) -> anyhow::Result<ExitCode> {
    if let Some(baseline) = &args.save_baseline {
        save_baseline(&args.result, baseline)?;
        return Ok(Exit::Success.into());
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
    for difference in &report.environment {
        eprintln!(
            "copybench: warning: the baseline `{}` is from another environment: {} is {} there, {} in `{}`",
            baseline_path.display(),
            difference.property,
            difference.baseline,
            difference.result,
            args.result.display()
        );
    }
    let (baseline_label, result_label) = (
        baseline_path.display().to_string(),
        args.result.display().to_string(),
    );
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
    let text = copybench_reports::render_gate(&run, args.format.into());
    std::io::stdout()
        .write_all(text.as_bytes())
        .context("cannot write the verdicts to standard output")?;
    Ok(match report.failure(args.strict) {
        None => Exit::Success,
        Some(Failure::Regression) => Exit::Regression,
        Some(Failure::Inconclusive | Failure::EnvironmentDiffers) => Exit::Inconclusive,
    }
    .into())
}

/// Copies a valid result to `baseline`, atomically (a temporary file beside it, then a rename),
/// so a failed save never leaves half a baseline. The text is kept as it is, fields this
/// version does not know included.
fn save_baseline(result: &Path, baseline: &Path) -> anyhow::Result<()> {
    let text = std::fs::read_to_string(result)
        .with_context(|| format!("cannot read the result file `{}`", result.display()))?;
    copybench_result::RunResult::from_json(&text)
        .with_context(|| format!("`{}`", result.display()))?;
    if same_file(result, baseline) {
        anyhow::bail!(
            "`{}` is the result itself: the baseline must be another file",
            baseline.display()
        );
    }
    let dir = match baseline.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    std::fs::create_dir_all(dir)
        .with_context(|| format!("cannot create the directory `{}`", dir.display()))?;
    let write = || -> std::io::Result<()> {
        let mut file = tempfile::NamedTempFile::new_in(dir)?;
        file.write_all(text.as_bytes())?;
        file.as_file().sync_all()?;
        file.persist(baseline).map_err(|e| e.error)?;
        Ok(())
    };
    write().with_context(|| format!("cannot write the baseline `{}`", baseline.display()))?;
    println!(
        "saved `{}` as the baseline `{}`",
        result.display(),
        baseline.display()
    );
    Ok(())
}

/// Whether both paths name one existing file (through links or `..`).
fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}
