//! The verdict rule (docs/design.md, "Claims and verdicts"), as small pure functions: a claim
//! and a measured interval in the same terms in, a verdict out.
//!
//! With the claim's band (the values that round to it, see `figure.rs`) and "no change":
//!
//! - *reproduces*: the interval excludes no change and reaches the band, or lies beyond it in
//!   the claimed direction;
//! - *smaller effect*: the interval excludes no change on the claimed side, short of the band;
//! - *no effect*: the interval holds no change and does not reach the band;
//! - *opposite*: the interval lies wholly on the other side of no change;
//! - *inconclusive*: the interval holds both no change and the band (or there is no interval),
//!   so it cannot tell them apart: calling that "reproduces" or "no effect" would be a guess.
//!
//! An exact count is a point interval, so it is judged exactly: equal counts are no effect.

use copybench_result::ClaimVerdict;

use super::figure::Claim;

/// A measured range in the claim's terms, `low <= high`; a count is a point.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Interval {
    pub low: f64,
    pub high: f64,
}

impl Interval {
    /// From two ends in either order.
    pub fn new(a: f64, b: f64) -> Interval {
        Interval {
            low: a.min(b),
            high: a.max(b),
        }
    }

    /// An exact figure.
    pub fn point(value: f64) -> Interval {
        Interval {
            low: value,
            high: value,
        }
    }
}

/// The verdict on `claim` given what was measured (`None`: no interval could be given).
pub fn verdict(claim: &Claim, measured: Option<Interval>) -> ClaimVerdict {
    let Some(measured) = measured else {
        return ClaimVerdict::Inconclusive;
    };
    let none = claim.no_change();
    // Mirrored so that the claimed direction is always "up".
    let sign = if claim.value > none { 1.0 } else { -1.0 };
    let (low, high) = if sign > 0.0 {
        (measured.low, measured.high)
    } else {
        (-measured.high, -measured.low)
    };
    let none = sign * none;
    // The edge of the band nearest to no change.
    let band_start = sign * claim.value - claim.half_unit;
    let reaches_claim = high >= band_start;
    if high < none {
        ClaimVerdict::Opposite
    } else if low > none {
        if reaches_claim {
            ClaimVerdict::Reproduces
        } else {
            ClaimVerdict::SmallerEffect
        }
    } else if reaches_claim {
        ClaimVerdict::Inconclusive
    } else {
        ClaimVerdict::NoEffect
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use ClaimVerdict::*;

    fn speedup(text: &str) -> Claim {
        Claim::speedup(text).unwrap()
    }
    fn change(text: &str) -> Claim {
        Claim::change(text).unwrap()
    }
    fn judged(claim: &Claim, low: f64, high: f64) -> ClaimVerdict {
        verdict(claim, Some(Interval::new(low, high)))
    }

    #[test]
    fn a_speedup_claim_gets_each_verdict() {
        let claim = speedup("1.26");
        assert_eq!(judged(&claim, 1.20, 1.30), Reproduces, "holds the claim");
        assert_eq!(judged(&claim, 1.31, 1.38), Reproduces, "beyond the claim");
        assert_eq!(
            judged(&claim, 1.10, 1.256),
            Reproduces,
            "reaches the band 1.255-1.265"
        );
        assert_eq!(judged(&claim, 1.05, 1.15), SmallerEffect);
        assert_eq!(judged(&claim, 0.97, 1.04), NoEffect);
        assert_eq!(judged(&claim, 0.80, 0.95), Opposite);
        assert_eq!(judged(&claim, 0.95, 1.40), Inconclusive, "holds 1 and 1.26");
        assert_eq!(verdict(&claim, None), Inconclusive, "no interval");
    }

    #[test]
    fn a_claimed_decrease_gets_each_verdict() {
        let claim = change("-38%");
        assert_eq!(judged(&claim, -0.40, -0.36), Reproduces);
        assert_eq!(judged(&claim, -0.60, -0.45), Reproduces, "beyond the claim");
        assert_eq!(judged(&claim, -0.35, -0.20), SmallerEffect);
        assert_eq!(judged(&claim, -0.02, 0.03), NoEffect);
        assert_eq!(judged(&claim, 0.05, 0.10), Opposite);
        assert_eq!(judged(&claim, -0.50, 0.10), Inconclusive);
        // A slowdown claimed as a speedup below 1.
        let slower = speedup("0.8");
        assert_eq!(judged(&slower, 0.70, 0.82), Reproduces);
        assert_eq!(judged(&slower, 1.10, 1.20), Opposite);
    }

    #[test]
    fn exact_counts_are_judged_exactly() {
        let count = |ratio: f64| verdict(&change("-38%"), Some(Interval::point(ratio - 1.0)));
        // The seed's figures: 80 547 -> 56 432 stat calls is -29.9 %.
        assert_eq!(count(56_432.0 / 80_547.0), SmallerEffect);
        assert_eq!(count(0.62), Reproduces, "exactly -38 %");
        assert_eq!(count(0.6249), Reproduces, "-37.51 % rounds to -38 %");
        assert_eq!(count(0.6251), SmallerEffect, "-37.49 % rounds to -37 %");
        assert_eq!(count(0.5), Reproduces, "beyond");
        assert_eq!(count(1.0), NoEffect, "equal counts");
        assert_eq!(count(1.01), Opposite, "more calls");
        // As a speedup of counts: 10 calls per file -> 7 is 1.43x.
        let fewer = speedup("1.6");
        assert_eq!(
            verdict(&fewer, Some(Interval::point(10.0 / 7.0))),
            SmallerEffect
        );
        assert_eq!(verdict(&fewer, Some(Interval::point(1.0))), NoEffect);
    }

    proptest! {
        /// Mirroring a speedup claim and its interval through 1/x never changes the verdict:
        /// the rule does not depend on which side of no change the claim is.
        #[test]
        fn the_rule_is_symmetric(claimed in 1.05f64..3.0, a in 0.3f64..3.0, b in 0.3f64..3.0) {
            let up = Claim { kind: copybench_result::FigureKind::Speedup, value: claimed, half_unit: 0.0, text: String::new() };
            let down = Claim { value: 1.0 / claimed, ..up.clone() };
            let forward = verdict(&up, Some(Interval::new(a, b)));
            let mirrored = verdict(&down, Some(Interval::new(1.0 / a, 1.0 / b)));
            prop_assert_eq!(forward, mirrored);
        }

        /// An interval that holds the claim and excludes no change always reproduces it.
        #[test]
        fn holding_the_claim_reproduces(claimed in 1.05f64..3.0, below in 0.0f64..0.04, above in 0.0f64..1.0) {
            let claim = Claim { kind: copybench_result::FigureKind::Speedup, value: claimed, half_unit: 0.0, text: String::new() };
            let low = (claimed - below).max(1.0001);
            prop_assert_eq!(verdict(&claim, Some(Interval::new(low, claimed + above))), Reproduces);
        }
    }
}
