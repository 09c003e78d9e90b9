//! The rule for figures with a noise interval (speedups, wall times): a verdict only when the
//! whole interval says so, and none when the interval is too wide to say anything.

use crate::verdict::{Change, Verdict};

/// Which direction of a figure is good.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Better {
    /// Speedups and throughput.
    Higher,
    /// Times.
    Lower,
}

/// A median with its 95 % interval, as a result reports it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Interval {
    pub median: f64,
    pub low: f64,
    pub high: f64,
}

impl Interval {
    /// The larger distance from the median to an end, relative to the median: `0.03` is ±3 %.
    /// This is what the threshold is compared with (the harness samples until it is small).
    pub fn relative_half_width(&self) -> f64 {
        (self.median - self.low).max(self.high - self.median) / self.median
    }
}

/// A verdict with the change it was read from.
#[derive(Clone, Debug, PartialEq)]
pub struct Judgement {
    pub verdict: Verdict,
    /// `None` when the figures cannot be compared at all (not finite, not positive).
    pub change: Option<Change>,
    /// Why the verdict is inconclusive.
    pub reason: Option<String>,
}

/// Judges `result` against the baseline's median with the noise `threshold` (0.05 for 5 %):
///
/// - *inconclusive* when the result's interval is wider than the threshold (its half-width,
///   relative to its median, exceeds it): such an interval could hide a change of the
///   threshold's size, so the gate does not guess;
/// - *regressed* when the whole interval lies worse than the baseline's median by more than the
///   threshold; *improved* when it lies better by more than the threshold;
/// - *no change* otherwise.
///
/// The baseline contributes its median only: its own interval was judged when it was recorded.
pub fn judge(baseline_median: f64, result: Interval, threshold: f64, better: Better) -> Judgement {
    let figures = [
        baseline_median,
        result.median,
        result.low,
        result.high,
        threshold,
    ];
    if figures.iter().any(|f| !f.is_finite()) {
        return inconclusive(None, "a figure is not a finite number".to_string());
    }
    if baseline_median <= 0.0 || result.median <= 0.0 || result.low <= 0.0 {
        return inconclusive(None, "a figure is not above zero".to_string());
    }
    if result.low > result.median || result.high < result.median {
        return inconclusive(
            None,
            format!(
                "the interval [{}, {}] does not contain its median {}",
                result.low, result.high, result.median
            ),
        );
    }
    let change = Change {
        median: result.median / baseline_median - 1.0,
        low: result.low / baseline_median - 1.0,
        high: result.high / baseline_median - 1.0,
    };
    let half_width = result.relative_half_width();
    if half_width > threshold {
        return inconclusive(
            Some(change),
            format!(
                "the 95 % interval is ±{:.1} %, wider than the {:.1} % threshold",
                half_width * 100.0,
                threshold * 100.0
            ),
        );
    }
    // Against the baseline's median moved by the threshold (not against `change`, whose
    // subtraction would put an interval that only touches the edge past it by a rounding).
    let (below, above) = (
        result.high < baseline_median * (1.0 - threshold),
        result.low > baseline_median * (1.0 + threshold),
    );
    let (worse, better_side) = match better {
        Better::Higher => (below, above),
        Better::Lower => (above, below),
    };
    let verdict = if worse {
        Verdict::Regressed
    } else if better_side {
        Verdict::Improved
    } else {
        Verdict::NoChange
    };
    Judgement {
        verdict,
        change: Some(change),
        reason: None,
    }
}

fn inconclusive(change: Option<Change>, reason: String) -> Judgement {
    Judgement {
        verdict: Verdict::Inconclusive,
        change,
        reason: Some(reason),
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn interval(median: f64, low: f64, high: f64) -> Interval {
        Interval { median, low, high }
    }

    #[test]
    fn a_tight_interval_well_below_the_baseline_regresses() {
        let j = judge(1.20, interval(1.00, 0.99, 1.01), 0.05, Better::Higher);
        assert_eq!(j.verdict, Verdict::Regressed);
        let change = j.change.unwrap();
        assert!((change.median + 1.0 / 6.0).abs() < 1e-9);
    }

    #[test]
    fn the_same_drop_with_a_wide_interval_is_inconclusive() {
        let j = judge(1.20, interval(1.00, 0.80, 1.10), 0.05, Better::Higher);
        assert_eq!(j.verdict, Verdict::Inconclusive);
        assert!(j.reason.unwrap().contains("wider than the 5.0 % threshold"));
    }

    #[test]
    fn noise_within_the_threshold_is_no_change() {
        let j = judge(1.20, interval(1.17, 1.15, 1.19), 0.05, Better::Higher);
        assert_eq!(j.verdict, Verdict::NoChange);
    }

    #[test]
    fn an_interval_touching_the_threshold_is_not_a_regression() {
        // high = 0.95 × baseline exactly: not *more* than 5 % below.
        let j = judge(1.0, interval(0.94, 0.93, 0.95), 0.05, Better::Higher);
        assert_eq!(j.verdict, Verdict::NoChange);
    }

    #[test]
    fn a_whole_interval_above_improves() {
        let j = judge(1.0, interval(1.20, 1.18, 1.22), 0.05, Better::Higher);
        assert_eq!(j.verdict, Verdict::Improved);
    }

    #[test]
    fn times_are_worse_when_higher() {
        let slower = judge(0.010, interval(0.012, 0.0119, 0.0121), 0.05, Better::Lower);
        assert_eq!(slower.verdict, Verdict::Regressed);
        let faster = judge(0.010, interval(0.008, 0.0079, 0.0081), 0.05, Better::Lower);
        assert_eq!(faster.verdict, Verdict::Improved);
    }

    #[test]
    fn figures_that_are_not_numbers_are_inconclusive() {
        for j in [
            judge(f64::NAN, interval(1.0, 0.99, 1.01), 0.05, Better::Higher),
            judge(
                1.0,
                interval(1.0, 0.99, f64::INFINITY),
                0.05,
                Better::Higher,
            ),
            judge(0.0, interval(1.0, 0.99, 1.01), 0.05, Better::Higher),
            judge(1.0, interval(1.0, 1.02, 1.03), 0.05, Better::Higher),
        ] {
            assert_eq!(j.verdict, Verdict::Inconclusive, "{j:?}");
            assert!(j.reason.is_some());
        }
    }

    fn arbitrary_interval() -> impl Strategy<Value = Interval> {
        (0.01f64..100.0, 0.0f64..0.5, 0.0f64..0.5).prop_map(|(median, down, up)| Interval {
            median,
            low: median * (1.0 - down),
            high: median * (1.0 + up),
        })
    }

    proptest! {
        /// A regression needs the whole interval below the baseline's median, so an interval
        /// that contains it is never one, in either direction of "better".
        #[test]
        fn an_interval_containing_the_baseline_is_never_a_regression_or_improvement(
            result in arbitrary_interval(),
            threshold in 0.0f64..0.5,
        ) {
            let baseline = (result.low + result.high) / 2.0;
            for better in [Better::Higher, Better::Lower] {
                let j = judge(baseline, result, threshold, better);
                prop_assert!(matches!(j.verdict, Verdict::NoChange | Verdict::Inconclusive));
            }
        }

        /// Wider than the threshold is always inconclusive, whatever the change.
        #[test]
        fn a_wide_interval_is_always_inconclusive(
            baseline in 0.01f64..100.0,
            result in arbitrary_interval(),
            threshold in 0.0f64..0.5,
        ) {
            prop_assume!(result.relative_half_width() > threshold);
            let j = judge(baseline, result, threshold, Better::Higher);
            prop_assert_eq!(j.verdict, Verdict::Inconclusive);
        }

        /// Units do not matter: the same figures in ms or in s get the same verdict.
        #[test]
        fn verdicts_are_scale_free(
            baseline in 0.01f64..100.0,
            result in arbitrary_interval(),
            threshold in 0.0f64..0.5,
            scale in 0.001f64..1000.0,
        ) {
            let scaled = Interval {
                median: result.median * scale,
                low: result.low * scale,
                high: result.high * scale,
            };
            let a = judge(baseline, result, threshold, Better::Higher).verdict;
            let b = judge(baseline * scale, scaled, threshold, Better::Higher).verdict;
            // Rounding at the exact edge may flip a verdict; away from it, never.
            let edge = [
                result.high / baseline - 1.0 + threshold,
                result.low / baseline - 1.0 - threshold,
                result.relative_half_width() - threshold,
            ];
            prop_assume!(edge.iter().all(|e| e.abs() > 1e-9));
            prop_assert_eq!(a, b);
        }

        /// Moving the result down never turns a verdict better (monotone in the result).
        #[test]
        fn a_lower_result_is_never_judged_better(
            baseline in 0.01f64..100.0,
            result in arbitrary_interval(),
            threshold in 0.0f64..0.5,
            factor in 0.5f64..1.0,
        ) {
            let lower = Interval {
                median: result.median * factor,
                low: result.low * factor,
                high: result.high * factor,
            };
            let rank = |v: Verdict| match v {
                Verdict::Regressed => 0,
                Verdict::NoChange | Verdict::Inconclusive => 1,
                Verdict::Improved => 2,
            };
            let before = judge(baseline, result, threshold, Better::Higher).verdict;
            let after = judge(baseline, lower, threshold, Better::Higher).verdict;
            prop_assert!(rank(after) <= rank(before));
        }
    }
}
