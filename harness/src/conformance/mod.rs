//! The conformance catalogue (docs/conformance.md) run against strategies and walkers, with
//! CPython's `shutil` as the oracle where `python3` is present.
//!
//! Every case builds its fixture afresh for each subject and for the oracle, runs the same call
//! on it, and observes the outcome the same way (`outcome.rs`): what was returned or raised, and
//! the state of every file afterwards. With the oracle, a cell passes when the engine's outcome
//! equals CPython's; cases CPython cannot express (faults injected into our syscall layer) and
//! runs without `python3` are judged by the expectation written from docs/conformance.md, and
//! say so (`oracle_checked: false`).
//!
//! One file per concern: `matrix` the loop over cases and subjects, `verdict` the verdicts,
//! `case_runner` the evaluation of one variant, `oracle_batch` CPython's batch, `isolated` the
//! checks run in a child process, `refusal` the errno policy of named strategies, `fault_plan`
//! the faults a case injects, `scratch` the suite's private directory.

mod case;
mod case_runner;
mod cases;
mod checks;
mod fault_plan;
mod fixture;
mod full_disk;
mod isolated;
mod matrix;
mod oracle;
mod oracle_batch;
mod outcome;
mod refusal;
mod scratch;
mod subject;
mod verdict;

use std::path::PathBuf;

use copybench_engine::{Fault, Strategy, Walker};

use crate::child::ChildProgram;

pub use isolated::run_isolated;
pub use matrix::run_matrix;

/// Which cases to run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Catalogue {
    /// A few cases per subject, fast enough to run beside every scenario.
    Quick,
    /// All of docs/conformance.md.
    Full,
}

/// What to check, where, and how a run of the suite is bounded or, for tests of the suite
/// itself, sabotaged.
#[derive(Clone, Debug)]
pub struct ConformOptions {
    pub strategies: Vec<Strategy>,
    pub walkers: Vec<Walker>,
    /// A directory on the filesystem to test (cases make their files below it).
    pub dir: PathBuf,
    /// Compare with CPython's shutil when `python3` is found.
    pub use_oracle: bool,
    pub catalogue: Catalogue,
    /// Variants copying a larger file are skipped, saying so (tests, CI).
    pub max_file_size: Option<u64>,
    /// Breaks subjects on purpose, to show the suite catches a broken strategy or walker.
    pub sabotage: Vec<Sabotage>,
    /// A child `copybench` to run checks that change process-wide state in
    /// ([`ChildRequest::RunIsolated`](crate::child::ChildRequest)); without one they are skipped.
    pub isolation: Option<ChildProgram>,
    /// How the walkers copy in the tree cases.
    pub tree: TreeSettings,
}

/// How the walkers' tree cases copy, beyond what each case asks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TreeSettings {
    /// At least this many jobs (1: as each case asks). With 2 or more the lean walker's workers
    /// are judged: their own descriptor table and umask, and files created with their final
    /// mode instead of chmodded, which `--jobs 1` never takes.
    pub jobs: usize,
    /// The content strategy (`auto`, as a scenario's walkers copy). `io_uring` with 2 or more
    /// jobs judges the lean walker's batched tree path (opens, reads, writes and closes queued
    /// many files at a time), which a scenario's `tree_strategy = "io_uring"` times.
    pub strategy: Strategy,
}

impl Default for TreeSettings {
    fn default() -> TreeSettings {
        TreeSettings {
            jobs: 1,
            strategy: Strategy::Auto,
        }
    }
}

impl ConformOptions {
    /// `catalogue` for `strategies` and `walkers` below `dir`, with the oracle, unbounded,
    /// without isolated checks.
    pub fn new(
        strategies: Vec<Strategy>,
        walkers: Vec<Walker>,
        dir: PathBuf,
        catalogue: Catalogue,
    ) -> ConformOptions {
        ConformOptions {
            strategies,
            walkers,
            dir,
            use_oracle: true,
            catalogue,
            max_file_size: None,
            sabotage: Vec::new(),
            isolation: None,
            tree: TreeSettings::default(),
        }
    }
}

/// A fault injected into every copy one subject makes (a test-only knob).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sabotage {
    /// A strategy or walker name, as in the matrix.
    pub subject: String,
    pub fault: Fault,
}

/// Why a `--sabotage` spec does not parse.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SabotageError {
    #[error("`{0}`: expected SUBJECT:SYSCALL:N:ERRNO")]
    NoSubject(String),
    /// The engine's reason the `SYSCALL:N:ERRNO` part is not a fault.
    #[error("{0}")]
    Fault(String),
}

impl std::str::FromStr for Sabotage {
    type Err = SabotageError;

    /// `SUBJECT:SYSCALL:N:ERRNO`, e.g. `buffered-64k:write:1:EIO`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (subject, fault) = s
            .split_once(':')
            .ok_or_else(|| SabotageError::NoSubject(s.to_owned()))?;
        Ok(Sabotage {
            subject: subject.to_owned(),
            fault: fault.parse().map_err(SabotageError::Fault)?,
        })
    }
}

/// Why the suite could not run at all (single cases fail into the matrix instead).
#[derive(Debug, thiserror::Error)]
pub enum ConformError {
    #[error("the conformance suite is not available: {0}")]
    Unavailable(String),
    #[error(
        "cannot prepare {path}: {}",
        copybench_engine::errno::describe_io(error)
    )]
    Setup {
        path: PathBuf,
        error: std::io::Error,
    },
}

#[cfg(test)]
mod tests {
    use super::case::{Copies, SubjectId};
    use super::case_runner::CaseRunner;
    use super::*;

    /// The docs/conformance.md expectations written here hold for CPython's own outcomes: they were
    /// not copied from the engine, and they judge fairly when `python3` is absent.
    #[test]
    fn expectations_hold_for_cpython() {
        let oracle = match oracle::Oracle::find() {
            Ok(o) => o,
            Err(why) => {
                eprintln!("skipped: {why}");
                return;
            }
        };
        let tmp = tempfile::tempdir().unwrap();
        let options = ConformOptions {
            max_file_size: Some(1 << 20),
            ..ConformOptions::new(
                Vec::new(),
                Vec::new(),
                tmp.path().to_owned(),
                Catalogue::Full,
            )
        };
        let runner = CaseRunner::new(tmp.path(), &options);
        let cases = cases::catalogue(Catalogue::Full);
        let subjects = [
            SubjectId::Strategy(Strategy::Auto),
            SubjectId::Walker(Walker::Lean),
        ];
        let (outcomes, failure) = runner.run_oracle(&oracle, &cases, &subjects);
        assert_eq!(failure, None);
        assert!(
            outcomes.len() > 40,
            "only {} oracle outcomes",
            outcomes.len()
        );
        let mut wrong = Vec::new();
        for ((ci, vi), observed) in &outcomes {
            let (case, variant) = (&cases[*ci], &cases[*ci].variants[*vi]);
            let subject = match variant.copies {
                Copies::File => subjects[0],
                Copies::Tree => subjects[1],
            };
            let observed = observed.as_ref().unwrap();
            if let Err(why) = (variant.expect)(observed, subject) {
                wrong.push(format!("case {} {}: {why}", case.number, variant.name));
            }
        }
        assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    }
}
