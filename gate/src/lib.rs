//! copybench's regression gate: verdicts of a result against a baseline, shared by
//! `copybench gate` and the comparison page of `copybench report a.json b.json`, so a person and
//! the gate agree.
//!
//! What is portable and what is exact is judged; what moves between machines is reported:
//!
//! - **Exact metrics** ([`exact`]): syscalls of one copy by name (with path and descriptor
//!   stats), whether each entry ran, conformance outcomes. Any increase of a count, or change of
//!   an outcome for the worse, is a regression; a decrease is an improvement.
//! - **Speedups against the in-run reference** ([`interval`]): a regression only when the whole
//!   new interval lies below the baseline's median by more than the noise threshold; inconclusive
//!   when the interval is wider than the threshold.
//! - **Absolute wall times**: reported, gated only in an environment the thresholds file names.
//!
//! Thresholds come from a TOML file ([`Thresholds`]); environment differences (CPU model,
//! kernel, filesystem type and mount options) are listed for the caller to warn about.
//! This crate reads the result types only; it renders nothing.

mod compare;
pub mod environment;
pub mod exact;
pub mod interval;
mod thresholds;
mod verdict;

pub use compare::{
    compare, compare_scenario, CompareError, Failure, GateReport, ScenarioVerdicts, Tally, RAN,
    SPEEDUP,
};
pub use environment::EnvironmentDifference;
pub use thresholds::{
    Applicable, Setting, Thresholds, ThresholdsError, DEFAULT_THRESHOLD, WALL_TIME,
};
pub use verdict::{Change, Check, MetricKind, Observed, Overall, Verdict};
