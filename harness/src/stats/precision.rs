//! How precise a speedup is, for sampling until a target precision.

use copybench_result::Speedup;

/// The half-width of the speedup's interval relative to its median (0.03: ±3 %); `None`
/// without an interval (below 6 pairs).
pub fn relative_half_width(speedup: &Speedup) -> Option<f64> {
    let ci = speedup.ci?;
    Some((ci.high - ci.low) / 2.0 / speedup.median)
}

/// Whether the interval exists and is no wider than `target` each side.
pub fn within_target(speedup: &Speedup, target: f64) -> bool {
    relative_half_width(speedup).is_some_and(|half| half <= target)
}

#[cfg(test)]
mod tests {
    use super::*;
    use copybench_result::Interval;

    fn with_ci(median: f64, ci: Option<(f64, f64)>) -> Speedup {
        Speedup {
            median,
            ci: ci.map(|(low, high)| Interval {
                low,
                high,
                coverage: 0.96,
            }),
            pairs: 9,
            ratio_of_medians: median,
            against: "reference".to_owned(),
            direction_conflict: None,
        }
    }

    #[test]
    fn the_half_width_is_relative_to_the_median() {
        let s = with_ci(2.0, Some((1.9, 2.1)));
        assert!((relative_half_width(&s).unwrap() - 0.05).abs() < 1e-12);
        assert!(within_target(&s, 0.051));
        assert!(!within_target(&s, 0.03));
    }

    #[test]
    fn no_interval_is_never_within_target() {
        let s = with_ci(2.0, None);
        assert_eq!(relative_half_width(&s), None);
        assert!(!within_target(&s, 1.0));
    }
}
