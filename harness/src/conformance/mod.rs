//! The conformance catalogue (CONFORMANCE.md) run against strategies and walkers, with CPython's
//! `shutil` as the oracle where `python3` is present.

use std::path::PathBuf;

use copybench_engine::{Strategy, Walker};
use copybench_result::ConformanceMatrix;

/// Which cases to run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Catalogue {
    /// A few cases per subject, fast enough to run beside every scenario.
    Quick,
    /// All of CONFORMANCE.md.
    Full,
}

/// What to check, where.
#[derive(Clone, Debug)]
pub struct ConformOptions {
    pub strategies: Vec<Strategy>,
    pub walkers: Vec<Walker>,
    /// A directory on the filesystem to test (cases make their files below it).
    pub dir: PathBuf,
    /// Compare with CPython's shutil when `python3` is found.
    pub use_oracle: bool,
    pub catalogue: Catalogue,
}

/// Why the suite could not run at all (single cases fail into the matrix instead).
#[derive(Debug, thiserror::Error)]
pub enum ConformError {
    #[error("the conformance suite is not available: {0}")]
    Unavailable(String),
    #[error("cannot prepare {path}: {source}")]
    Setup {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// Runs the catalogue and returns the matrix of cases × subjects.
pub fn run_matrix(options: &ConformOptions) -> Result<ConformanceMatrix, ConformError> {
    let _ = options;
    Err(ConformError::Unavailable(
        "not built yet (issue 6)".to_owned(),
    ))
}
