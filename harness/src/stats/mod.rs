//! Statistics as small pure functions (after criterion's `stats/univariate`): the median, a
//! bootstrap confidence interval of it, MAD outliers, and paired speedups.
//!
//! Bootstraps are seeded, so the same samples always give the same intervals.

mod bootstrap;
mod outliers;
mod percentiles;
mod speedup;

pub use bootstrap::{bootstrap_median_ci, ConfidenceInterval, RESAMPLES};
pub use outliers::mad_outliers;
pub use percentiles::{median, percentile_of_sorted};
pub use speedup::{paired_ratios, speedup, CI_WARN_HALF_WIDTH};

use copybench_result::Estimate;

/// Median, range and the bootstrap 95 % CI of the median of `values` (`None` when empty).
pub fn estimate(values: &[f64], seed: u64) -> Option<Estimate> {
    let med = median(values)?;
    let ci = bootstrap_median_ci(values, seed)?;
    Some(Estimate {
        median: med,
        min: values.iter().copied().fold(f64::INFINITY, f64::min),
        max: values.iter().copied().fold(f64::NEG_INFINITY, f64::max),
        ci_low: ci.low,
        ci_high: ci.high,
    })
}
