//! The run loop: fixtures, warmup, then samples in a shuffled round-robin across every entry,
//! and the summaries of each scenario.
//!
//! One file per concern: this one owns a run's lifecycle (the work directory, its lock, the
//! trash, the result); `ext4_wait` the one wait; `rounds` one scenario's rounds; `sample` one
//! sample; `executor` the measuring seam (how an entry copies, in process or as a child);
//! `check` the check of every copy; `summary` the figures of an entry; `conform` the
//! conformance matrix beside the timing; `progress` the bars; `seed` stable seeds; `catch`
//! engine panics as errors.
//!
//! Traps of this kind of machine it avoids by design (docs/design.md, "Measuring honestly"):
//! - no destination is deleted during a scenario: it is renamed into the trash, emptied at the
//!   end of the run (deleting a tree slows inode creation for up to 6 minutes);
//! - no sleeps between samples: they follow each other; each tree scenario's copies are
//!   placed in block groups checked to be apart from the inodes the trash freed within ext4's
//!   recently-deleted window, and the only wait, where that cannot be done, is before a tree
//!   scenario's fixture (`ext4_wait`);
//! - a `syncfs` before every sample, outside the timing, so no sample is throttled by the dirty
//!   pages of earlier ones; after each sample its copy is written back and its pages dropped,
//!   so the next copy reuses them rather than taking fresh memory;
//! - each round runs every entry once, in a new shuffled order, so drift hits all alike and
//!   speedups can be taken pair by pair within a round.

use std::path::{Path, PathBuf};
use std::time::SystemTime;

use copybench_result::{Environment, RunResult, ScenarioResult, Skipped, SCHEMA_VERSION};

mod calibration;
mod catch;
mod check;
mod conform;
mod executor;
mod ext4_wait;
mod progress;
mod requests;
mod room;

pub use ext4_wait::PLACEMENT_ATTEMPTS;
pub use progress::ProgressDisplay;
mod rounds;
mod sample;
mod seed;
mod summary;
#[cfg(test)]
mod tests;

use crate::child::ChildProgram;
use crate::environment;
use crate::fixture;
use crate::interpreters::{self, Interpreters, Origin};
use crate::scenario::Scenario;
use crate::timestamp::rfc3339;
use crate::work_dir::{Dir, Trash, WorkDir, WorkDirError};

/// How much conformance checking to run beside the timing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConformLevel {
    None,
    Quick,
    Full,
}

/// Settings of one `copybench scenario` run.
#[derive(Clone, Debug)]
pub struct RunOptions {
    pub work_dir: PathBuf,
    /// Multiplies every scenario's own `scale`.
    pub scale: f64,
    /// Overrides of every scenario's counts (for quick checks and tests): `samples` is the
    /// fewest measured rounds.
    pub samples: Option<u32>,
    pub warmup: Option<u32>,
    /// Overrides of every scenario's `target_ci` (relative half-width) and `max_time`.
    pub target_ci: Option<f64>,
    pub max_time: Option<std::time::Duration>,
    /// Skip the wait before a tree scenario that ext4 would slow (recorded in the result).
    pub no_wait: bool,
    /// Count the syscalls of child-process entries with a separate, untimed strace run.
    pub count_syscalls: bool,
    pub conform: ConformLevel,
    /// A child `copybench`, for engine entries timed as child processes.
    pub copybench: Option<ChildProgram>,
    /// copybench's version, for the result.
    pub version: String,
    /// The commit copybench was built from (`-dirty` with uncommitted changes), for the result.
    pub git_commit: Option<String>,
    /// What is shown on stderr while the run works.
    pub progress: ProgressDisplay,
    /// Trash content above which it is emptied between rounds (keeps big runs within the disk);
    /// `None`: a quarter of the work directory's free space, at most 16 GiB.
    pub trash_budget_bytes: Option<u64>,
    /// CPython interpreters named with `--python`, preferred over those found on PATH and in
    /// pyenv's versions directory.
    pub pythons: Vec<PathBuf>,
}

impl RunOptions {
    /// Defaults for `work_dir`: scale 1, counts from the files, quick conformance.
    pub fn new(work_dir: PathBuf, version: &str) -> RunOptions {
        RunOptions {
            work_dir,
            scale: 1.0,
            samples: None,
            warmup: None,
            target_ci: None,
            max_time: None,
            no_wait: false,
            count_syscalls: false,
            conform: ConformLevel::Quick,
            copybench: None,
            version: version.to_owned(),
            git_commit: None,
            progress: ProgressDisplay::Live,
            trash_budget_bytes: None,
            pythons: Vec::new(),
        }
    }
}

/// Why a run could not complete (a single entry failing is a skip in the result instead).
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error(transparent)]
    WorkDir(#[from] WorkDirError),
    #[error(transparent)]
    Invalid(#[from] crate::scenario::ScenarioError),
    #[error("interrupted by {0}: the run's copies were removed and no result was written")]
    Interrupted(crate::interrupt::Signal),
    // The causes below are fields, not `source`s: each message says its cause once, and a
    // chain printed with `{:#}` would say it twice.
    #[error("scenario `{scenario}`: {error}")]
    Fixture {
        scenario: String,
        error: fixture::FixtureError,
    },
    #[error("scenario `{scenario}`: cannot {action} {}: {}", path.display(), copybench_engine::errno::describe_io(error))]
    Io {
        scenario: String,
        action: &'static str,
        path: PathBuf,
        error: std::io::Error,
    },
    #[error("scenario `{scenario}`: {error}")]
    Cache {
        scenario: String,
        error: crate::cache::EvictError,
    },
    #[error("scenario `{scenario}`: {error}")]
    Trash {
        scenario: String,
        error: WorkDirError,
    },
    /// Counts or sizes beyond what can be counted or what the disk holds, found before the
    /// first sample.
    #[error("scenario `{scenario}`: {message}")]
    TooLarge { scenario: String, message: String },
    #[error("scenario `{scenario}`: {error}")]
    Target {
        scenario: String,
        error: crate::target::TargetError,
    },
    #[error("cannot clean up after an earlier run: {0}")]
    Leftovers(crate::target::TargetError),
    #[error("cannot encode the result: {0}")]
    Encode(serde_json::Error),
    #[error("--python {path}: {reason}")]
    Python { path: PathBuf, reason: String },
}

impl From<serde_json::Error> for RunError {
    fn from(error: serde_json::Error) -> RunError {
        RunError::Encode(error)
    }
}

/// Runs `scenarios` and returns the result (not yet written).
pub fn run(scenarios: &[Scenario], options: &RunOptions) -> Result<RunResult, RunError> {
    let started_at = rfc3339(SystemTime::now());
    crate::scenario_name::check_run(scenarios)?;
    catch::install_quiet_panic_hook();
    crate::interrupt::install().map_err(|error| RunError::Io {
        scenario: "(all)".to_owned(),
        action: "handle SIGINT and SIGTERM in",
        path: PathBuf::from("copybench"),
        error,
    })?;
    let work = WorkDir::open(&options.work_dir)?;
    let lock = work.lock()?;
    // What an interrupted run left (the lock says no other run is using it): first what a run
    // killed before its teardown left mounted, attached or running, then its files.
    let targets = work.targets()?;
    for note in crate::target::sweep_leftovers(targets.path()).map_err(RunError::Leftovers)? {
        eprintln!("copybench: cleaned up after an earlier run: {note}");
    }
    drop(targets);
    work.remove_leftovers(&lock)?;
    let run_id = run_id();
    let interpreters = discover_interpreters(scenarios, options)?;
    let mut environment = environment::environment(&interpreters);
    push_filesystem(&mut environment, "work", work.root());
    let mut progress = progress::Progress::new(options.progress, scenarios.len());
    let mut recent_deletes = ext4_wait::RecentDeletes::new(&work, options.no_wait);
    let mut options = options.clone();
    // Unknown free space sets no budget (the trash is kept to the end, as on a roomy disk)
    // rather than a budget of 0, which would empty it every round and change what is measured.
    let mut budget_unknown = None;
    if options.trash_budget_bytes.is_none() {
        match work.dir().free_space() {
            Ok(free) => options.trash_budget_bytes = Some((free.bytes / 4).min(16 << 30)),
            Err(e) => {
                budget_unknown = Some(format!(
                    "the work directory's free space is unknown ({e}): copies stay in the trash until the end of the run, however much disk they take"
                ))
            }
        }
    }
    let options = &options;
    let mut trash = Trash::new(work.trash()?.child(&run_id)?);
    // (scenario, its result), in order; skipped scenarios are listed apart.
    let mut results: Vec<(&Scenario, ScenarioResult)> = Vec::new();
    let mut skipped_scenarios = Vec::new();
    let mut outcome = Ok(());
    let context = RunContext {
        options,
        interpreters: &interpreters,
        work: &work,
        run_id: &run_id,
    };
    for (index, scenario) in scenarios.iter().enumerate() {
        match rounds::run_scenario(
            scenario,
            index,
            &context,
            &mut trash,
            &mut recent_deletes,
            &mut environment,
            &mut progress,
        ) {
            Ok(rounds::Outcome::Skipped(reason)) => {
                eprintln!("copybench: scenario `{}` skipped: {reason}", scenario.name);
                skipped_scenarios.push(Skipped {
                    id: scenario.name.clone(),
                    reason,
                });
            }
            Ok(rounds::Outcome::Ran(result)) => {
                let mut result = *result;
                if let (Some(why), true) = (&budget_unknown, results.is_empty()) {
                    result.warnings.push(why.clone());
                }
                results.push((scenario, result));
            }
            Err(e) => {
                outcome = Err(e);
                break;
            }
        }
    }
    if outcome.is_ok() {
        for (index, (scenario, result)) in results.iter_mut().enumerate() {
            if let Err(signal) = crate::interrupt::check() {
                outcome = Err(RunError::Interrupted(signal));
                break;
            }
            if options.conform != ConformLevel::None {
                progress.conformance(index, &scenario.name);
            }
            result.conformance =
                conform::conformance_of(scenario, options, &work, &mut result.warnings);
        }
    }
    // Deleting a run's copies takes seconds (tens of thousands of files): said, not silent.
    progress.cleanup();
    // Deleting happens only now, after every timing (also after an interrupt or an error).
    drop(trash);
    let emptied = work.trash().and_then(|all| all.empty());
    if let Err(e) = &emptied {
        eprintln!("copybench: warning: could not empty the trash: {e}");
    }
    // This run's destination directories (the lock says no other run is using them), whose
    // inodes are freed with the copies'.
    if let Ok(mut freed) = emptied {
        if let Err(e) = work.dir().remove_counting("runs", &mut freed) {
            eprintln!("copybench: warning: {e}");
        }
        if let Err(e) = work.note_trash_emptied(&freed) {
            eprintln!("copybench: warning: {e}");
        }
    } else if let Err(e) = work.dir().remove("runs") {
        eprintln!("copybench: warning: {e}");
    }
    // The directory each scenario's set-up was given (`targets/<run id>-N`), empty once its
    // target is torn down; one still holding something stays for the next run's sweep.
    if let Ok(targets) = work.targets() {
        for index in 0..scenarios.len() {
            if let Err(e) = targets.remove_if_empty(format!("{run_id}-{index}")) {
                eprintln!("copybench: warning: {e}");
            }
        }
    }
    progress.finish();
    drop(lock);
    outcome?;
    Ok(RunResult {
        schema_version: SCHEMA_VERSION,
        copybench: environment::tool_info(&options.version, options.git_commit.as_deref()),
        started_at,
        finished_at: rfc3339(SystemTime::now()),
        environment,
        scenarios: results.into_iter().map(|(_, r)| r).collect(),
        skipped_scenarios,
        delete_wait: recent_deletes.into_record(),
    })
}

/// A result written into the work directory, and its directory for the files beside it.
#[derive(Debug)]
pub struct WrittenResult {
    /// `…/results/<started_at>-<pid>/result.json`.
    pub path: PathBuf,
    dir: Dir,
}

impl WrittenResult {
    /// Writes `name` (the HTML report) atomically beside the result.
    pub fn write_beside(&self, name: &str, bytes: &[u8]) -> Result<(), WorkDirError> {
        self.dir.write_atomically(name, bytes)
    }
}

/// What every scenario of a run shares.
#[derive(Clone, Copy)]
pub(super) struct RunContext<'a> {
    pub(super) options: &'a RunOptions,
    pub(super) interpreters: &'a Interpreters,
    pub(super) work: &'a WorkDir,
    /// Names this run's directories.
    pub(super) run_id: &'a str,
}

/// Every CPython on the machine, `--python` ones first, then the scenarios' `pythons`. One
/// named with `--python` that is not a usable CPython stops the run: it was asked for by name,
/// so nothing stands in for it. A scenario's (written for some other machine, perhaps) is a
/// warning of that scenario instead.
fn discover_interpreters(
    scenarios: &[Scenario],
    options: &RunOptions,
) -> Result<Interpreters, RunError> {
    let explicit: Vec<(PathBuf, Origin)> = options
        .pythons
        .iter()
        .map(|p| (p.clone(), Origin::CommandLine))
        .chain(
            scenarios
                .iter()
                .flat_map(|s| s.pythons.iter().map(|p| (p.clone(), Origin::Scenario))),
        )
        .collect();
    let found = interpreters::discover(&explicit);
    if let Some((path, _, reason)) = found
        .refused
        .iter()
        .find(|(_, origin, _)| *origin == Origin::CommandLine)
    {
        return Err(RunError::Python {
            path: path.clone(),
            reason: reason.clone(),
        });
    }
    Ok(found)
}

/// Writes `result` atomically as `results/<started_at>/result.json` under the work directory.
pub fn write_result(work_dir: &Path, result: &RunResult) -> Result<WrittenResult, RunError> {
    let work = WorkDir::open(work_dir)?;
    let stamp: String = result
        .started_at
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect();
    let dir = work
        .results()?
        .child(format!("{stamp}-{}", std::process::id()))?;
    let json = serde_json::to_vec_pretty(result)?;
    dir.write_atomically("result.json", &json)?;
    Ok(WrittenResult {
        path: dir.join("result.json"),
        dir,
    })
}

/// Records the filesystem `path` is on, once per role and path.
fn push_filesystem(environment: &mut Environment, role: &str, path: &Path) {
    if let Some(fs) = environment::filesystem(role, path) {
        if !environment
            .filesystems
            .iter()
            .any(|f| f.role == fs.role && f.path == fs.path)
        {
            environment.filesystems.push(fs);
        }
    }
}

/// This run's name for its directories: its start time, the process id, and which run of this
/// process it is (two runs of one process within a second, as a test makes, would otherwise
/// share a name, and `targets/<run id>-<scenario>` must be new).
fn run_id() -> String {
    static RUNS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let stamp: String = rfc3339(SystemTime::now())
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect();
    let nth = RUNS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    format!("{stamp}-{}-{nth}", std::process::id())
}
