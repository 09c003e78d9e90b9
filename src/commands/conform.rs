//! `copybench conform`: the conformance catalogue against every strategy and walker, with
//! CPython's shutil as the oracle.

use std::path::PathBuf;

use anyhow::Context;
use copybench_engine::{Strategy, Walker};
use copybench_harness::conformance::{self, Catalogue, ConformOptions, Sabotage, TreeSettings};
use copybench_harness::size::ByteSize;
use copybench_harness::work_dir::{WorkDir, DEFAULT_WORK_DIR};
use copybench_result::Verdict;

use crate::exit::Exit;
use crate::output;

/// Arguments of `copybench conform`.
#[derive(Debug, clap::Args)]
pub struct ConformArgs {
    /// A strategy to check (repeat for several; default: every strategy, unless only walkers
    /// are named).
    #[arg(short, long = "strategy", value_name = "STRATEGY")]
    pub strategies: Vec<Strategy>,
    /// A walker to check (repeat for several; default: every walker, unless only strategies
    /// are named).
    #[arg(long = "walker", value_name = "WALKER")]
    pub walkers: Vec<Walker>,
    /// A directory on the filesystem to check (default: the work directory,
    /// `target/copybench`). The cases' files are made in a private directory below it and
    /// removed afterwards.
    #[arg(short, long, value_name = "DIR")]
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
    /// Copy the tree cases with at least N jobs (default 1, as each case asks): 2 or more
    /// checks the lean walker's parallel workers, which create files with their final mode.
    #[arg(long, value_name = "N", default_value_t = 1,
          value_parser = clap::value_parser!(u16).range(1..=256))]
    pub jobs: u16,
    /// The content strategy of the walkers' tree cases (default `auto`): `io_uring` with
    /// `--jobs 2` or more checks the lean walker's batched tree path, which a scenario's
    /// `tree_strategy = "io_uring"` times.
    #[arg(long, value_name = "STRATEGY", default_value_t = Strategy::Auto)]
    pub tree_strategy: Strategy,
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

pub fn run(args: ConformArgs) -> anyhow::Result<Exit> {
    if let Some(check) = &args.run_isolated {
        let dir = args.dir.context("--run-isolated needs --dir")?;
        return Ok(match conformance::run_isolated(check, &dir) {
            Ok(()) => Exit::Success,
            Err(why) => {
                output::println(&why)?;
                Exit::Failure
            }
        });
    }
    let (strategies, walkers) = match (args.strategies.is_empty(), args.walkers.is_empty()) {
        (true, true) => (Strategy::ALL.to_vec(), Walker::ALL.to_vec()),
        _ => (args.strategies, args.walkers),
    };
    let dir = match args.dir {
        Some(dir) => dir,
        // The work directory is copybench's own (marked, never followed through a symlink).
        None => WorkDir::open(&PathBuf::from(DEFAULT_WORK_DIR))?
            .conformance()?
            .path()
            .to_owned(),
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
        tree: TreeSettings {
            jobs: usize::from(args.jobs),
            strategy: args.tree_strategy,
        },
    };
    let matrix = conformance::run_matrix(&options)?;
    if args.json {
        output::println(&serde_json::to_string(&matrix)?)?;
    } else {
        if options.tree != TreeSettings::default() && !options.walkers.is_empty() {
            let TreeSettings { jobs, strategy } = options.tree;
            output::println(&format!(
                "tree cases: the walkers copy with at least {jobs} jobs, content by {strategy}"
            ))?;
        }
        output::print(&copybench_reports::conformance_matrix(&matrix))?;
    }
    let failed = matrix.cells.iter().any(|c| c.verdict == Verdict::Fail);
    Ok(Exit::failure_if(failed))
}
