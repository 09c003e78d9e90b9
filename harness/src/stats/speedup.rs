//! Speedups measured pair by pair: in each round the reference and the entry ran one right after
//! the other, so a drift of the machine (thermal, the host reclaiming memory) cancels in their
//! ratio. The speedup is the median of those ratios, with a bootstrap CI.

use copybench_result::Speedup;

use super::{bootstrap_median_ci, median};

/// Half-width of a speedup's CI, relative to its median, above which the result warns.
pub const CI_WARN_HALF_WIDTH: f64 = 0.05;

/// `reference / entry` for each round both have a sample in (above 1: the entry is faster).
/// Inputs are (round, wall time); rounds missing on either side are left out.
pub fn paired_ratios(reference: &[(u32, f64)], entry: &[(u32, f64)]) -> Vec<f64> {
    entry
        .iter()
        .filter_map(|(round, time)| {
            let reference_time = reference.iter().find(|(r, _)| r == round)?.1;
            (*time > 0.0).then(|| reference_time / time)
        })
        .collect()
}

/// The median and bootstrap 95 % CI of the paired ratios; `None` without a pair.
pub fn speedup(reference: &[(u32, f64)], entry: &[(u32, f64)], seed: u64) -> Option<Speedup> {
    let ratios = paired_ratios(reference, entry);
    let ci = bootstrap_median_ci(&ratios, seed)?;
    Some(Speedup {
        median: median(&ratios)?,
        ci_low: ci.low,
        ci_high: ci.high,
        pairs: ratios.len() as u32,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn rounds(values: &[f64]) -> Vec<(u32, f64)> {
        values
            .iter()
            .enumerate()
            .map(|(i, v)| (i as u32, *v))
            .collect()
    }

    #[test]
    fn unpaired_rounds_are_left_out() {
        let reference = [(0, 2.0), (1, 4.0)];
        let entry = [(1, 2.0), (2, 1.0)];
        assert_eq!(paired_ratios(&reference, &entry), [2.0]);
    }

    proptest! {
        /// A known 30 % shift under drift and ±2 % noise is found: the CI holds 1.3 and excludes 1.
        #[test]
        fn a_known_shift_is_detected(
            drift in proptest::collection::vec(0.5f64..2.0, 8..20),
            noise in proptest::collection::vec(-0.02f64..0.02, 20),
            seed in any::<u64>(),
        ) {
            let reference: Vec<f64> = drift.clone();
            let entry: Vec<f64> = drift.iter().zip(&noise).map(|(d, n)| d / 1.3 * (1.0 + n)).collect();
            let s = speedup(&rounds(&reference), &rounds(&entry), seed).unwrap();
            prop_assert!(s.ci_low > 1.0, "{s:?}");
            prop_assert!(s.ci_low <= 1.3 * 1.03 && 1.3 / 1.03 <= s.ci_high, "{s:?}");
            prop_assert!(s.ci_low <= s.median && s.median <= s.ci_high);
            prop_assert_eq!(s.pairs as usize, drift.len());
        }

        /// No shift: the CI holds 1.
        #[test]
        fn no_shift_is_not_a_speedup(
            drift in proptest::collection::vec(0.5f64..2.0, 8..20),
            seed in any::<u64>(),
        ) {
            let s = speedup(&rounds(&drift), &rounds(&drift), seed).unwrap();
            prop_assert!(s.ci_low <= 1.0 && 1.0 <= s.ci_high, "{s:?}");
        }
    }
}
