//! Distribution-free confidence intervals of a median, from order statistics.
//!
//! Of n values drawn independently from any continuous distribution, the number that fall below
//! the true median is Binomial(n, 1/2). So the interval from the k-th smallest to the k-th
//! largest value, [x₍ₖ₎, x₍ₙ₊₁₋ₖ₎], holds the median with probability 1 − 2·P(B ≤ k − 1),
//! whatever the distribution (ties only raise it). The interval given is the narrowest of these
//! whose coverage is at least the level asked. With five values even [min, max] covers only
//! 1 − 2/2⁵ = 93.75 %, so below six values there is no 95 % interval, and none is made up.
//! (A bootstrap of so few values gives a narrow interval that covers far less than it says.)

use copybench_result::Interval;

/// The confidence level of every interval copybench reports.
pub const CONFIDENCE: f64 = 0.95;

/// No interval of the median at the level asked can be made from this many values.
#[derive(Clone, Copy, Debug, PartialEq, thiserror::Error)]
#[error("no {:.0} % interval of the median from {count} values: even their whole range holds it with only {:.1} % probability; {needed} values are needed", level * 100.0, best_coverage * 100.0)]
pub struct NoInterval {
    pub count: usize,
    pub level: f64,
    /// The coverage of [min, max] with `count` values.
    pub best_coverage: f64,
    /// The fewest values that give an interval at `level`.
    pub needed: usize,
}

impl NoInterval {
    /// Why `count` values give no interval at `level` (meaningful where they give none).
    pub fn new(count: usize, level: f64) -> NoInterval {
        let needed = (1..)
            .find(|&n| coverage(n, 1) >= level)
            .expect("coverage of [min, max] tends to 1");
        NoInterval {
            count,
            level,
            best_coverage: coverage(count, 1),
            needed,
        }
    }
}

/// P(k ≤ B ≤ n − k) for B ~ Binomial(n, 1/2): the coverage of [x₍ₖ₎, x₍ₙ₊₁₋ₖ₎].
pub fn coverage(n: usize, k: usize) -> f64 {
    if k == 0 || 2 * k > n + 1 {
        return if k == 0 { 1.0 } else { 0.0 };
    }
    1.0 - 2.0 * lower_tail(n, k - 1)
}

/// P(B ≤ j) for B ~ Binomial(n, 1/2), summed in log space so that large n do not underflow
/// 2⁻ⁿ (terms below f64's range are far below any level asked and count as 0).
fn lower_tail(n: usize, j: usize) -> f64 {
    let mut ln_term = -(n as f64) * std::f64::consts::LN_2; // ln(C(n, 0) / 2ⁿ)
    let mut sum = ln_term.exp();
    for i in 0..j.min(n) {
        ln_term += ((n - i) as f64).ln() - ((i + 1) as f64).ln();
        sum += ln_term.exp();
    }
    sum.min(1.0)
}

/// The narrowest symmetric order-statistic interval of the median of `sorted` (ascending,
/// non-empty) whose coverage is at least `level`.
pub fn median_interval(sorted: &[f64], level: f64) -> Result<Interval, NoInterval> {
    let n = sorted.len();
    if coverage(n, 1) < level {
        return Err(NoInterval::new(n, level));
    }
    // Coverage falls as k grows: the largest k that still reaches the level, by bisection.
    let (mut reaches, mut falls_short) = (1, n.div_ceil(2) + 1);
    while falls_short - reaches > 1 {
        let mid = (reaches + falls_short) / 2;
        if coverage(n, mid) >= level {
            reaches = mid;
        } else {
            falls_short = mid;
        }
    }
    let k = reaches;
    Ok(Interval {
        low: sorted[k - 1],
        high: sorted[n - k],
        coverage: coverage(n, k),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// C(n, i) / 2ⁿ summed exactly with integers, for checking the floating-point tail.
    fn exact_lower_tail(n: u32, j: u32) -> f64 {
        let mut c: u128 = 1;
        let mut sum: u128 = 1;
        for i in 0..j {
            c = c * u128::from(n - i) / u128::from(i + 1);
            sum += c;
        }
        sum as f64 / 2f64.powi(n as i32)
    }

    #[test]
    fn the_tail_matches_exact_binomial_sums() {
        for n in 1..=100u32 {
            for j in 0..=n / 2 {
                let (got, want) = (lower_tail(n as usize, j as usize), exact_lower_tail(n, j));
                assert!(
                    (got - want).abs() <= 1e-10 * want.max(1e-300),
                    "n={n} j={j}: {got} vs {want}"
                );
            }
        }
    }

    #[test]
    fn six_values_are_the_fewest_with_a_95_percent_interval() {
        let five = median_interval(&[1.0, 2.0, 3.0, 4.0, 5.0], CONFIDENCE).unwrap_err();
        assert_eq!((five.count, five.needed), (5, 6));
        assert_eq!(five.best_coverage, 0.9375);
        assert!(five.to_string().contains("93.8 %"), "{five}");
        let six = median_interval(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0], CONFIDENCE).unwrap();
        assert_eq!(
            (six.low, six.high, six.coverage),
            (1.0, 6.0, 1.0 - 2.0 / 64.0)
        );
    }

    #[test]
    fn known_ranks() {
        // Standard tables (e.g. Conover, Practical Nonparametric Statistics): the 95 % interval
        // of the median of 9 values is [x₂, x₈], of 20 values [x₆, x₁₅].
        let values: Vec<f64> = (1..=20).map(f64::from).collect();
        let nine = median_interval(&values[..9], CONFIDENCE).unwrap();
        assert_eq!((nine.low, nine.high), (2.0, 8.0));
        let twenty = median_interval(&values, CONFIDENCE).unwrap();
        assert_eq!((twenty.low, twenty.high), (6.0, 15.0));
        assert!((twenty.coverage - (1.0 - 2.0 * exact_lower_tail(20, 5))).abs() < 1e-15);
    }

    proptest! {
        /// The interval chosen covers at least the level, and the next narrower one would not.
        #[test]
        fn the_narrowest_interval_that_reaches_the_level(n in 6usize..3000) {
            let values: Vec<f64> = (0..n).map(|i| i as f64).collect();
            let ci = median_interval(&values, CONFIDENCE).unwrap();
            let k = ci.low as usize + 1;
            prop_assert_eq!(ci.high as usize, n - k);
            prop_assert!(ci.coverage >= CONFIDENCE);
            prop_assert!((ci.coverage - coverage(n, k)).abs() < 1e-9);
            prop_assert!(2 * (k + 1) > n + 1 || coverage(n, k + 1) < CONFIDENCE);
        }
    }
}
