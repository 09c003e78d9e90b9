//! Statistics as small pure functions (after criterion's `stats/univariate`): a validated
//! [`Sample`], the distribution-free interval of its median, MAD outliers, and paired speedups.

mod median_interval;
mod outliers;
mod precision;
mod sample;
mod speedup;

pub use median_interval::{coverage, median_interval, NoInterval, CONFIDENCE};
pub use outliers::mad_outliers;
pub use precision::{relative_half_width, within_target};
pub use sample::{Sample, SampleError};
pub use speedup::{paired_ratios, speedup, SpeedupError};
