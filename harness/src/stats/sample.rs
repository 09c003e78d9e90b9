//! A validated sample (after criterion's `stats::univariate::Sample`): at least one value, every
//! value finite, kept sorted so medians and order statistics are indexing.

use copybench_result::{Estimate, Interval};

use super::median_interval::{median_interval, NoInterval, CONFIDENCE};

/// Why values do not make a sample.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum SampleError {
    #[error("no values")]
    Empty,
    #[error("value {index} is {value}, not a finite number")]
    NotFinite { index: usize, value: f64 },
}

/// At least one finite value, sorted.
#[derive(Clone, Debug, PartialEq)]
pub struct Sample {
    sorted: Vec<f64>,
}

impl Sample {
    /// Checks and sorts `values`.
    pub fn new(values: impl Into<Vec<f64>>) -> Result<Sample, SampleError> {
        let mut sorted = values.into();
        if sorted.is_empty() {
            return Err(SampleError::Empty);
        }
        if let Some((index, &value)) = sorted.iter().enumerate().find(|(_, v)| !v.is_finite()) {
            return Err(SampleError::NotFinite { index, value });
        }
        sorted.sort_by(f64::total_cmp);
        Ok(Sample { sorted })
    }

    /// How many values (at least one).
    pub fn count(&self) -> usize {
        self.sorted.len()
    }

    /// The values in ascending order.
    pub fn sorted(&self) -> &[f64] {
        &self.sorted
    }

    pub fn min(&self) -> f64 {
        self.sorted[0]
    }

    pub fn max(&self) -> f64 {
        self.sorted[self.sorted.len() - 1]
    }

    /// The median (the mean of the middle two for an even count).
    pub fn median(&self) -> f64 {
        let mid = self.sorted.len() / 2;
        if self.sorted.len() % 2 == 0 {
            (self.sorted[mid - 1] + self.sorted[mid]) / 2.0
        } else {
            self.sorted[mid]
        }
    }

    /// The distribution-free 95 % interval of the median, or why there is none.
    pub fn median_interval(&self) -> Result<Interval, NoInterval> {
        median_interval(&self.sorted, CONFIDENCE)
    }

    /// Median, range and the 95 % interval of the median (absent below 6 values).
    pub fn estimate(&self) -> Estimate {
        Estimate {
            median: self.median(),
            min: self.min(),
            max: self.max(),
            ci: self.median_interval().ok(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn empty_or_non_finite_values_are_refused() {
        assert_eq!(Sample::new(vec![]), Err(SampleError::Empty));
        assert!(matches!(
            Sample::new(vec![1.0, f64::NAN]),
            Err(SampleError::NotFinite { index: 1, .. })
        ));
        assert!(Sample::new(vec![f64::INFINITY]).is_err());
    }

    #[test]
    fn medians() {
        let median = |v: &[f64]| Sample::new(v.to_vec()).unwrap().median();
        assert_eq!(median(&[3.0]), 3.0);
        assert_eq!(median(&[3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(&[4.0, 1.0, 2.0, 3.0]), 2.5);
    }

    proptest! {
        #[test]
        fn the_median_lies_within_the_range_and_the_interval(
            values in proptest::collection::vec(-1e6f64..1e6, 1..60),
        ) {
            let sample = Sample::new(values.clone()).unwrap();
            let e = sample.estimate();
            prop_assert!(e.min <= e.median && e.median <= e.max);
            prop_assert_eq!(e.ci.is_some(), values.len() >= 6);
            if let Some(ci) = e.ci {
                prop_assert!(e.min <= ci.low && ci.low <= e.median && e.median <= ci.high && ci.high <= e.max);
            }
        }
    }
}
