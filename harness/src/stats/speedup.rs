//! Speedups measured pair by pair: in each round the reference and the entry ran one right after
//! the other, so a drift of the machine (thermal, the host reclaiming memory) cancels in their
//! ratio. The speedup is the median of those ratios, and its interval the distribution-free one
//! of that median: it estimates the median of the ratio's distribution, which is what it covers.

use copybench_result::Speedup;

use super::{Sample, SampleError};

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

/// Why no speedup could be computed.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum SpeedupError {
    #[error("no round has a sample of both the entry and the reference")]
    NoPairs,
    #[error("the {side}'s wall times: {source}")]
    Times {
        side: &'static str,
        source: SampleError,
    },
}

/// The median of the paired ratios with its 95 % interval (none below 6 pairs), beside the
/// ratio of the two sides' medians, and a note when those two disagree in direction;
/// `against` names the reference in the result.
pub fn speedup(
    reference: &[(u32, f64)],
    entry: &[(u32, f64)],
    against: &str,
) -> Result<Speedup, SpeedupError> {
    let times = |side: &'static str, rounds: &[(u32, f64)]| {
        Sample::new(rounds.iter().map(|(_, t)| *t).collect::<Vec<_>>())
            .map_err(|source| SpeedupError::Times { side, source })
    };
    let reference_median = times("reference", reference)?.median();
    let entry_median = times("entry", entry)?.median();
    let ratios = Sample::new(paired_ratios(reference, entry)).map_err(|e| match e {
        SampleError::Empty => SpeedupError::NoPairs,
        source => SpeedupError::Times {
            side: "entry",
            source,
        },
    })?;
    let median = ratios.median();
    let ci = ratios.median_interval().ok();
    let ratio_of_medians = reference_median / entry_median;
    Ok(Speedup {
        median,
        ci,
        pairs: ratios.count() as u32,
        ratio_of_medians,
        against: against.to_owned(),
        direction_conflict: direction_conflict(
            median,
            ci.map(|c| (c.low, c.high)),
            ratio_of_medians,
        ),
    })
}

/// Which way a ratio points.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Direction {
    Faster,
    Slower,
    Undecided,
}

impl Direction {
    fn of(ratio: f64) -> Direction {
        if ratio > 1.0 {
            Direction::Faster
        } else if ratio < 1.0 {
            Direction::Slower
        } else {
            Direction::Undecided
        }
    }

    fn word(self) -> &'static str {
        match self {
            Direction::Faster => "faster",
            Direction::Slower => "slower",
            Direction::Undecided => "no different",
        }
    }
}

/// A note when the paired ratios and the ratio of medians point opposite ways. The paired
/// speedup's direction is the one its interval decides (where there is an interval: one that
/// holds 1 decides nothing, so chance wobbles of equal entries are not flagged).
fn direction_conflict(
    median_of_ratios: f64,
    ci: Option<(f64, f64)>,
    ratio_of_medians: f64,
) -> Option<String> {
    let paired = match ci {
        Some((low, _)) if low > 1.0 => Direction::Faster,
        Some((_, high)) if high < 1.0 => Direction::Slower,
        Some(_) => Direction::Undecided,
        None => Direction::of(median_of_ratios),
    };
    let medians = Direction::of(ratio_of_medians);
    let opposite = matches!(
        (paired, medians),
        (Direction::Faster, Direction::Slower) | (Direction::Slower, Direction::Faster)
    );
    opposite.then(|| {
        format!(
            "{} pair by pair (median of paired ratios {median_of_ratios:.3}×) but {} by medians (ratio of medians {ratio_of_medians:.3}×): the two sides' times differ in shape (bimodal, drifting, outliers), so neither figure tells the whole story; look at the distributions",
            paired.word(),
            medians.word()
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn speedup_of(reference: &[(u32, f64)], entry: &[(u32, f64)]) -> Result<Speedup, SpeedupError> {
        speedup(reference, entry, "reference")
    }

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
        assert_eq!(
            speedup_of(&[(0, 1.0)], &[(1, 1.0)]),
            Err(SpeedupError::NoPairs)
        );
    }

    #[test]
    fn below_six_pairs_there_is_no_interval() {
        let s = speedup_of(&rounds(&[2.0; 5]), &rounds(&[1.0; 5])).unwrap();
        assert_eq!((s.median, s.ci, s.pairs), (2.0, None, 5));
        assert!(speedup_of(&rounds(&[2.0; 6]), &rounds(&[1.0; 6]))
            .unwrap()
            .ci
            .is_some());
    }

    #[test]
    fn opposite_directions_are_flagged() {
        // Pair by pair the entry is faster in every round, but its median is the larger: the
        // machine drifted, and the entry's fast rounds were the slow rounds of the reference.
        let reference = rounds(&[10.0, 10.0, 10.0, 10.0, 10.0, 30.0, 30.0, 30.0, 30.0]);
        let entry = rounds(&[9.0, 9.0, 9.0, 9.0, 27.0, 27.0, 27.0, 27.0, 27.0]);
        let s = speedup_of(&reference, &entry).unwrap();
        assert!(s.median > 1.0 && s.ratio_of_medians < 1.0, "{s:?}");
        let note = s.direction_conflict.expect("flagged");
        assert!(note.starts_with("faster pair by pair"), "{note}");
        // Both agree: nothing to say.
        let same = speedup_of(&rounds(&[2.0; 7]), &rounds(&[1.0; 7])).unwrap();
        assert_eq!(same.direction_conflict, None);
    }

    #[test]
    fn an_interval_holding_1_decides_no_direction() {
        assert_eq!(direction_conflict(1.01, Some((0.98, 1.04)), 0.99), None);
        assert!(direction_conflict(1.01, None, 0.99).is_some());
        assert!(direction_conflict(0.9, Some((0.85, 0.95)), 1.02).is_some());
    }

    proptest! {
        /// A known 30 % shift under drift and ±2 % noise is found: the CI holds 1.3 and excludes 1.
        #[test]
        fn a_known_shift_is_detected(
            drift in proptest::collection::vec(0.5f64..2.0, 8..20),
            noise in proptest::collection::vec(-0.02f64..0.02, 20),
        ) {
            let reference: Vec<f64> = drift.clone();
            let entry: Vec<f64> = drift.iter().zip(&noise).map(|(d, n)| d / 1.3 * (1.0 + n)).collect();
            let s = speedup_of(&rounds(&reference), &rounds(&entry)).unwrap();
            let ci = s.ci.unwrap();
            prop_assert!(ci.low > 1.0, "{s:?}");
            prop_assert!(ci.low <= 1.3 * 1.03 && 1.3 / 1.03 <= ci.high, "{s:?}");
            prop_assert!(ci.low <= s.median && s.median <= ci.high);
            prop_assert_eq!(s.pairs as usize, drift.len());
        }

        /// No shift: the CI holds 1.
        #[test]
        fn no_shift_is_not_a_speedup(drift in proptest::collection::vec(0.5f64..2.0, 8..20)) {
            let s = speedup_of(&rounds(&drift), &rounds(&drift)).unwrap();
            let ci = s.ci.unwrap();
            prop_assert!(ci.low <= 1.0 && 1.0 <= ci.high, "{s:?}");
        }
    }
}
