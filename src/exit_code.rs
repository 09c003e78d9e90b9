//! copybench's exit codes, in one place (fd's typed exit code), so a script can tell a
//! regression from a usage error from a verdict the gate could not reach.

use std::process::ExitCode;

/// How copybench ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exit {
    /// Done; for `gate`, no regression (and, with `--strict`, nothing inconclusive).
    Success,
    /// `gate`: a gated metric regressed.
    Regression,
    /// A usage or input error: a missing or unreadable file, bad JSON, another schema version,
    /// a thresholds file mistake, results that cannot be compared. The message names the file.
    Usage,
    /// `gate --strict`: a verdict was inconclusive or the baseline is from another environment.
    Inconclusive,
}

impl Exit {
    pub fn code(self) -> u8 {
        match self {
            Exit::Success => 0,
            Exit::Regression => 1,
            Exit::Usage => 2,
            Exit::Inconclusive => 3,
        }
    }
}

impl From<Exit> for ExitCode {
    fn from(exit: Exit) -> ExitCode {
        ExitCode::from(exit.code())
    }
}
