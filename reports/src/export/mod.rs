//! Exports for the services teams already use to track benchmarks across machines, one file
//! per format behind the same [`crate::Renderer`] trait as the reports. Each takes one result:
//! a service keys the figures by machine and commit itself.
//!
//! Benchmarks are named `scenario/entry` in both, so one result's figures line up with the
//! same scenario's in the next result. Documented in `docs/exports.md`.

pub mod bmf;
pub mod github_benchmark;

use copybench_result::RunResult;

use crate::ReportError;

/// The one result an export is made from.
fn single<'a>(
    results: &'a [RunResult],
    format: &'static str,
) -> Result<&'a RunResult, ReportError> {
    match results {
        [one] => Ok(one),
        several => Err(ReportError::OneResultOnly {
            format,
            given: several.len(),
        }),
    }
}

/// The benchmark name of an entry: `file-64mib/sendfile`.
fn benchmark_name(scenario: &str, entry: &str) -> String {
    format!("{scenario}/{entry}")
}
