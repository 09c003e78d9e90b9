//! `copybench conform`: the conformance catalogue against every strategy and walker, with
//! CPython's shutil as the oracle.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use copybench_engine::{Strategy, Walker};
use copybench_harness::conformance::{self, Catalogue, ConformOptions, Sabotage};
use copybench_harness::size::ByteSize;
use copybench_harness::work_dir::DEFAULT_WORK_DIR;
use copybench_result::{ConformanceMatrix, Verdict};

/// Arguments of `copybench conform`.
#[derive(Debug, clap::Args)]
pub struct ConformArgs {
    /// A strategy to check (repeat for several; default: every strategy, unless only walkers
    /// are named).
    #[arg(long = "strategy", value_name = "NAME")]
    pub strategies: Vec<Strategy>,
    /// A walker to check (repeat for several; default: every walker, unless only strategies
    /// are named).
    #[arg(long = "walker", value_name = "NAME")]
    pub walkers: Vec<Walker>,
    /// A directory on the filesystem to check (default: the work directory,
    /// `target/copybench`). The cases' files are made in a private directory below it and
    /// removed afterwards.
    #[arg(long, value_name = "PATH")]
    pub dir: Option<PathBuf>,
    /// Compare with CPython's shutil (`python3`), or judge by docs/conformance.md alone (`none`).
    #[arg(long, value_enum, default_value_t = OracleChoice::Python3)]
    pub oracle: OracleChoice,
    /// `full`: all of docs/conformance.md; `quick`: the subset run beside every scenario.
    #[arg(long, value_enum, default_value_t = CatalogueChoice::Full)]
    pub catalogue: CatalogueChoice,
    /// Skip variants that copy a file larger than this (`100MiB`, `64KiB`, bytes).
    #[arg(long, value_name = "SIZE", value_parser = ByteSize::parse)]
    pub max_size: Option<ByteSize>,
    /// Print the matrix as JSON (every cell) instead of a table.
    #[arg(long)]
    pub json: bool,
    /// Break a subject on purpose, SUBJECT:SYSCALL:N:ERRNO (e.g. `buffered-64k:write:1:EIO`),
    /// to see the suite catch it. For testing copybench itself.
    #[arg(long = "sabotage", value_name = "SPEC", hide = true)]
    pub sabotage: Vec<Sabotage>,
    /// Run one check that changes process-wide state (in a child of `copybench conform`).
    #[arg(long, value_name = "NAME", hide = true)]
    pub run_isolated: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum OracleChoice {
    Python3,
    None,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum CatalogueChoice {
    Quick,
    Full,
}

pub fn run(args: ConformArgs) -> anyhow::Result<ExitCode> {
    if let Some(check) = &args.run_isolated {
        let dir = args.dir.context("--run-isolated needs --dir")?;
        return Ok(match conformance::run_isolated(check, &dir) {
            Ok(()) => ExitCode::SUCCESS,
            Err(why) => {
                println!("{why}");
                ExitCode::FAILURE
            }
        });
    }
    let (strategies, walkers) = match (args.strategies.is_empty(), args.walkers.is_empty()) {
        (true, true) => (Strategy::ALL.to_vec(), Walker::ALL.to_vec()),
        _ => (args.strategies, args.walkers),
    };
    let dir = match args.dir {
        Some(dir) => dir,
        None => {
            let dir = PathBuf::from(DEFAULT_WORK_DIR);
            std::fs::create_dir_all(&dir)
                .with_context(|| format!("cannot create the work directory {}", dir.display()))?;
            dir
        }
    };
    let options = ConformOptions {
        strategies,
        walkers,
        dir,
        use_oracle: args.oracle == OracleChoice::Python3,
        catalogue: match args.catalogue {
            CatalogueChoice::Quick => Catalogue::Quick,
            CatalogueChoice::Full => Catalogue::Full,
        },
        max_file_size: args.max_size.map(|size| size.0),
        sabotage: args.sabotage,
        // Checks that change process-wide state (case 16) run in a child of this binary.
        isolation: crate::child::this_program(),
    };
    let matrix = conformance::run_matrix(&options)?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&matrix)?);
    } else {
        print!("{}", render(&matrix));
    }
    let failed = matrix.cells.iter().any(|c| c.verdict == Verdict::Fail);
    Ok(if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

fn symbol(verdict: Verdict) -> char {
    match verdict {
        Verdict::Pass => '✓',
        Verdict::Fail => '✗',
        Verdict::Unsupported => '-',
        Verdict::Skipped => 's',
    }
}

/// The matrix for a terminal: one row per case, one column per subject (lettered, with a
/// legend), whether CPython was compared, then every failure and reason in full.
fn render(matrix: &ConformanceMatrix) -> String {
    let mut out = String::new();
    let letters: Vec<char> = ('a'..='z').chain('A'..='Z').collect();
    let _ = writeln!(out, "oracle: {}", matrix.oracle);
    let legend: Vec<String> = matrix
        .subjects
        .iter()
        .zip(&letters)
        .map(|(s, l)| format!("{l}={s}"))
        .collect();
    let _ = writeln!(out, "subjects: {}", legend.join(" "));
    let _ = writeln!(
        out,
        "legend: ✓ pass  ✗ fail  - unsupported  s skipped  (blank: not a case for it); \
         cpython: compared with CPython's outcome"
    );
    const TITLE: usize = 46;
    let header: String = letters
        .iter()
        .take(matrix.subjects.len())
        .map(|l| format!("{l} "))
        .collect();
    let _ = writeln!(out, "{:>3} {:<TITLE$} {header}cpython", "#", "case");
    for case in &matrix.cases {
        let cells: Vec<_> = matrix
            .cells
            .iter()
            .filter(|c| c.case == case.number)
            .collect();
        let row: String = matrix
            .subjects
            .iter()
            .map(|s| match cells.iter().find(|c| &c.subject == s) {
                Some(c) => format!("{} ", symbol(c.verdict)),
                None => "  ".to_owned(),
            })
            .collect();
        let judged: Vec<_> = cells
            .iter()
            .filter(|c| matches!(c.verdict, Verdict::Pass | Verdict::Fail))
            .collect();
        let oracle = if judged.is_empty() {
            "-"
        } else if judged.iter().all(|c| c.oracle_checked) {
            "yes"
        } else if judged.iter().any(|c| c.oracle_checked) {
            "partly"
        } else {
            "no"
        };
        let title: String = if case.title.chars().count() > TITLE {
            case.title.chars().take(TITLE - 1).chain(['…']).collect()
        } else {
            case.title.clone()
        };
        let _ = writeln!(out, "{:>3} {title:<TITLE$} {row}{oracle}", case.number);
    }
    let count = |v: Verdict| matrix.cells.iter().filter(|c| c.verdict == v).count();
    let _ = writeln!(
        out,
        "\n{} pass, {} fail, {} unsupported, {} skipped",
        count(Verdict::Pass),
        count(Verdict::Fail),
        count(Verdict::Unsupported),
        count(Verdict::Skipped)
    );
    let mut reasons: Vec<String> = Vec::new();
    for cell in &matrix.cells {
        if cell.verdict == Verdict::Pass {
            continue;
        }
        let line = format!(
            "  {} case {} {}: {}",
            symbol(cell.verdict),
            cell.case,
            cell.subject,
            cell.detail.as_deref().unwrap_or("")
        );
        if !reasons.contains(&line) {
            reasons.push(line);
        }
    }
    if !reasons.is_empty() {
        let _ = writeln!(out, "\nnot passing:");
        for line in reasons {
            let _ = writeln!(out, "{line}");
        }
    }
    out
}
