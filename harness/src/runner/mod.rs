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
//!   end of the run (deleting a tree slows inode creation for about a minute);
//! - no sleeps between samples: they follow each other; the only wait is before a tree run
//!   that starts within ext4's 60 s after the previous run deleted its trash;
//! - a `syncfs` before every sample, outside the timing, so no sample is throttled by the dirty
//!   pages of earlier ones; after each sample its copy is written back and its pages dropped,
//!   so the next copy reuses them rather than taking fresh memory;
//! - each round runs every entry once, in a new shuffled order, so drift hits all alike and
//!   speedups can be taken pair by pair within a round.

use std::path::{Path, PathBuf};
use std::time::SystemTime;

use copybench_result::{Environment, RunResult, ScenarioResult, Skipped, SCHEMA_VERSION};

mod catch;
mod check;
mod conform;
mod executor;
mod ext4_wait;
mod progress;
mod requests;
mod rounds;
mod sample;
mod seed;
mod summary;
#[cfg(test)]
mod tests;

use crate::child::ChildProgram;
use crate::environment;
use crate::fixture;
use crate::scenario::Scenario;
use crate::timestamp::rfc3339;
use crate::work_dir::{write_atomically, Trash, WorkDir, WorkDirError};

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
    /// Overrides of every scenario's counts (for quick checks and tests).
    pub samples: Option<u32>,
    pub warmup: Option<u32>,
    /// Count the syscalls of child-process entries with a separate, untimed strace run.
    pub count_syscalls: bool,
    pub conform: ConformLevel,
    /// A child `copybench`, for engine entries timed as child processes.
    pub copybench: Option<ChildProgram>,
    /// copybench's version, for the result.
    pub version: String,
    /// Progress bars on stderr.
    pub progress: bool,
    /// Trash content above which it is emptied between rounds (keeps big runs within the disk);
    /// `None`: a quarter of the work directory's free space, at most 16 GiB.
    pub trash_budget_bytes: Option<u64>,
}

impl RunOptions {
    /// Defaults for `work_dir`: scale 1, counts from the files, quick conformance.
    pub fn new(work_dir: PathBuf, version: &str) -> RunOptions {
        RunOptions {
            work_dir,
            scale: 1.0,
            samples: None,
            warmup: None,
            count_syscalls: false,
            conform: ConformLevel::Quick,
            copybench: None,
            version: version.to_owned(),
            progress: true,
            trash_budget_bytes: None,
        }
    }
}

/// Why a run could not complete (a single entry failing is a skip in the result instead).
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error(transparent)]
    WorkDir(#[from] WorkDirError),
    #[error("scenario `{scenario}`: {source}")]
    Fixture {
        scenario: String,
        source: fixture::FixtureError,
    },
    #[error("scenario `{scenario}`: cannot {action} {}: {source}", path.display())]
    Io {
        scenario: String,
        action: &'static str,
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("scenario `{scenario}`: {source}")]
    Cache {
        scenario: String,
        source: crate::cache::EvictError,
    },
    #[error("scenario `{scenario}`: {source}")]
    Trash {
        scenario: String,
        source: WorkDirError,
    },
    #[error("scenario `{scenario}`: {source}")]
    Target {
        scenario: String,
        source: crate::target::TargetError,
    },
    #[error("cannot clean up after an earlier run: {0}")]
    Leftovers(crate::target::TargetError),
    #[error("cannot encode the result: {0}")]
    Encode(#[from] serde_json::Error),
}

/// Runs `scenarios` and returns the result (not yet written).
pub fn run(scenarios: &[Scenario], options: &RunOptions) -> Result<RunResult, RunError> {
    let started_at = rfc3339(SystemTime::now());
    catch::install_quiet_panic_hook();
    let work = WorkDir::open(&options.work_dir)?;
    let _lock = work.lock()?;
    let run_id = run_id();
    // What a run killed before its teardown left (mounts, loop devices, servers); this run holds
    // the lock, so nothing there is anyone else's.
    for note in crate::target::sweep_leftovers(&work.targets()).map_err(RunError::Leftovers)? {
        eprintln!("copybench: cleaned up after an earlier run: {note}");
    }
    let mut environment = environment::environment();
    push_filesystem(&mut environment, "work", work.root());
    let recently_emptied = ext4_wait::wait_out_recent_deletes(&work, scenarios);
    let mut options = options.clone();
    let budget = options.trash_budget_bytes.unwrap_or_else(|| {
        let free = rustix::fs::statvfs(work.root())
            .map(|s| s.f_bavail.saturating_mul(s.f_frsize))
            .unwrap_or(0);
        (free / 4).min(16 << 30)
    });
    options.trash_budget_bytes = Some(budget);
    let options = &options;
    let mut trash = Trash::new(work.trash().join(&run_id))?;
    // (scenario, its result), in order; skipped scenarios are listed apart.
    let mut results: Vec<(&Scenario, ScenarioResult)> = Vec::new();
    let mut skipped_scenarios = Vec::new();
    let mut outcome = Ok(());
    for (index, scenario) in scenarios.iter().enumerate() {
        match rounds::run_scenario(
            scenario,
            index,
            options,
            &work,
            &run_id,
            &mut trash,
            &mut environment,
        ) {
            Ok(rounds::Outcome::Ran(result)) => {
                let mut result = *result;
                if let (Some(ago), true) = (recently_emptied, results.is_empty()) {
                    result
                        .warnings
                        .insert(0, ext4_wait::recent_deletes_warning(ago));
                }
                results.push((scenario, result));
            }
            Ok(rounds::Outcome::Skipped(reason)) => {
                eprintln!("copybench: scenario `{}` skipped: {reason}", scenario.name);
                skipped_scenarios.push(Skipped {
                    id: scenario.name.clone(),
                    reason,
                });
            }
            Err(e) => {
                outcome = Err(e);
                break;
            }
        }
    }
    if outcome.is_ok() {
        for (scenario, result) in results.iter_mut() {
            result.conformance =
                conform::conformance_of(scenario, options, &work, &mut result.warnings);
        }
    }
    // Deleting happens only now, after every timing (and also takes trash left by runs that
    // were interrupted).
    let trash_root = work.trash();
    drop(trash);
    if let Ok(mut all) = Trash::new(trash_root) {
        match all.empty() {
            Ok(()) => work.note_trash_emptied(),
            Err(e) => eprintln!("copybench: warning: could not empty the trash: {e}"),
        }
    }
    // This run's destination directories, and any an interrupted run left (the lock says no
    // other run is using them).
    let _ = std::fs::remove_dir_all(work.runs());
    outcome?;
    Ok(RunResult {
        schema_version: SCHEMA_VERSION,
        copybench: environment::tool_info(&options.version),
        started_at,
        finished_at: rfc3339(SystemTime::now()),
        environment,
        scenarios: results.into_iter().map(|(_, r)| r).collect(),
        skipped_scenarios,
    })
}

/// Writes `result` atomically as `results/<started_at>/result.json` under the work directory.
pub fn write_result(work_dir: &Path, result: &RunResult) -> Result<PathBuf, RunError> {
    let work = WorkDir::open(work_dir)?;
    let stamp: String = result
        .started_at
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect();
    let dir = work
        .results()
        .join(format!("{stamp}-{}", std::process::id()));
    let path = dir.join("result.json");
    let json = serde_json::to_vec_pretty(result)?;
    write_atomically(&path, &json)?;
    Ok(path)
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

/// This run's name for its directories: its start time and the process id.
fn run_id() -> String {
    let stamp: String = rfc3339(SystemTime::now())
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect();
    format!("{stamp}-{}", std::process::id())
}
