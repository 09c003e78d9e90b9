//! How copybench ends: one exit status per kind of outcome, the same for every command (as
//! fd's `ExitCode`), listed in `--help`.

use std::process::ExitCode;

use copybench_harness::interrupt::Signal;
use copybench_harness::RunError;

use crate::output::StdoutError;

/// The outcome of a command, as its exit status.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exit {
    /// 0: done, and everything it checked passed.
    Success,
    /// 1: it ran, but a copy or a check failed, or its output could not be written.
    Failure,
    /// 2: the command line or an input is wrong (clap's own usage errors exit 2 too).
    Usage,
    // 3 is taken by `copybench gate --strict`: inconclusive.
    /// 130 or 143: SIGINT or SIGTERM ended it (128 + the signal, as a shell reports it).
    Interrupted(Signal),
}

/// The `--help` section that lists the statuses.
pub const HELP: &str = "\
Exit status (every command):
  0    success: done, and every copy and check passed
  1    failure: a copy, a conformance check or writing the output failed
  2    usage or input error: a bad option, scenario file, result file or work directory
  3    inconclusive (`copybench gate --strict`)
  130  interrupted by SIGINT (Ctrl-C): the run's copies are removed, no result is written
  143  terminated by SIGTERM: the same";

impl Exit {
    pub fn code(self) -> u8 {
        match self {
            Exit::Success => 0,
            Exit::Failure => 1,
            Exit::Usage => 2,
            Exit::Interrupted(signal) => signal.exit_code(),
        }
    }

    /// Success unless `failed`.
    pub fn failure_if(failed: bool) -> Exit {
        if failed {
            Exit::Failure
        } else {
            Exit::Success
        }
    }

    /// The status an error that ended a command stands for.
    pub fn of_error(error: &anyhow::Error) -> Exit {
        if let Some(signal) = copybench_harness::interrupt::received() {
            return Exit::Interrupted(signal);
        }
        for cause in error.chain() {
            if cause.is::<StdoutError>() {
                return Exit::Failure;
            }
            if let Some(run) = cause.downcast_ref::<RunError>() {
                return match run {
                    RunError::Interrupted(signal) => Exit::Interrupted(*signal),
                    RunError::WorkDir(_) | RunError::Invalid(_) | RunError::Python { .. } => {
                        Exit::Usage
                    }
                    _ => Exit::Failure,
                };
            }
        }
        Exit::Usage
    }
}

impl From<Exit> for ExitCode {
    fn from(exit: Exit) -> ExitCode {
        ExitCode::from(exit.code())
    }
}
