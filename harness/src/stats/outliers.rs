//! Outliers by the modified z-score (Iglewicz and Hoaglin): |x − median| / (1.4826 · MAD) > 3.5.
//! They are flagged, never dropped: a bimodal strategy must stay visible.

use super::Sample;

/// Modified z-score above which a value is an outlier.
const THRESHOLD: f64 = 3.5;
/// Makes the MAD a consistent estimator of σ for normal data.
const MAD_TO_SIGMA: f64 = 1.4826;

/// One flag per value (none for an empty or non-finite set). With a MAD of zero (more than half the values equal) nothing is flagged:
/// the scale is unknown, so no distance is "far".
pub fn mad_outliers(values: &[f64]) -> Vec<bool> {
    let Ok(sample) = Sample::new(values) else {
        return vec![false; values.len()];
    };
    let m = sample.median();
    let deviations: Vec<f64> = values.iter().map(|v| (v - m).abs()).collect();
    let mad = Sample::new(deviations.clone()).map_or(0.0, |d| d.median());
    if mad == 0.0 {
        return vec![false; values.len()];
    }
    deviations
        .iter()
        .map(|d| d / (MAD_TO_SIGMA * mad) > THRESHOLD)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_far_value_is_flagged_and_the_rest_are_not() {
        let flags = mad_outliers(&[1.0, 1.1, 0.9, 1.05, 0.95, 5.0]);
        assert_eq!(flags, [false, false, false, false, false, true]);
    }

    #[test]
    fn equal_values_flag_nothing() {
        assert_eq!(mad_outliers(&[2.0, 2.0, 2.0, 9.0]), [false; 4]);
        assert!(mad_outliers(&[]).is_empty());
    }

    proptest! {
        #[test]
        fn at_most_half_are_flagged(values in proptest::collection::vec(0.0f64..100.0, 0..50)) {
            let flagged = mad_outliers(&values).iter().filter(|f| **f).count();
            prop_assert!(flagged * 2 <= values.len());
        }
    }
}
