//! Bootstrap confidence interval of the median (percentile method).

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::{median, percentile_of_sorted};

/// Resamples drawn per interval: enough for stable 2.5/97.5 percentiles, cheap for tens of samples.
pub const RESAMPLES: usize = 2000;

/// A 95 % confidence interval.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ConfidenceInterval {
    pub low: f64,
    pub high: f64,
}

/// The 95 % percentile-bootstrap CI of the median of `values`, from [`RESAMPLES`] resamples
/// seeded with `seed`. The interval is widened, if needed, to contain the sample median itself
/// (with very few samples the bootstrap distribution can sit to one side of it).
pub fn bootstrap_median_ci(values: &[f64], seed: u64) -> Option<ConfidenceInterval> {
    let point = median(values)?;
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut resample = vec![0.0; values.len()];
    let mut medians = Vec::with_capacity(RESAMPLES);
    for _ in 0..RESAMPLES {
        for slot in resample.iter_mut() {
            *slot = values[rng.random_range(0..values.len())];
        }
        medians.push(median(&resample)?);
    }
    medians.sort_by(f64::total_cmp);
    Some(ConfidenceInterval {
        low: percentile_of_sorted(&medians, 2.5).min(point),
        high: percentile_of_sorted(&medians, 97.5).max(point),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn the_interval_contains_the_median_and_lies_within_the_range(
            values in proptest::collection::vec(0.001f64..1000.0, 1..40),
            seed in any::<u64>(),
        ) {
            let ci = bootstrap_median_ci(&values, seed).unwrap();
            let m = median(&values).unwrap();
            let min = values.iter().copied().fold(f64::INFINITY, f64::min);
            let max = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            prop_assert!(ci.low <= m && m <= ci.high, "{ci:?} misses {m}");
            prop_assert!(min <= ci.low && ci.high <= max, "{ci:?} outside [{min}, {max}]");
        }
    }

    #[test]
    fn identical_values_give_a_point_interval() {
        let ci = bootstrap_median_ci(&[2.0; 9], 1).unwrap();
        assert_eq!((ci.low, ci.high), (2.0, 2.0));
    }

    #[test]
    fn more_samples_narrow_the_interval() {
        let spread = |n: usize| {
            let values: Vec<f64> = (0..n)
                .map(|i| 1.0 + ((i * 37) % 101) as f64 / 100.0)
                .collect();
            let ci = bootstrap_median_ci(&values, 3).unwrap();
            ci.high - ci.low
        };
        assert!(spread(200) < spread(10));
    }

    #[test]
    fn the_same_seed_gives_the_same_interval() {
        let values = [1.0, 5.0, 2.0, 8.0, 3.0];
        assert_eq!(
            bootstrap_median_ci(&values, 9),
            bootstrap_median_ci(&values, 9)
        );
    }
}
