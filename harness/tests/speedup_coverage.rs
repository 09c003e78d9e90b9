//! Does the speedup's "95 %" interval cover what it claims to, on timings shaped like this
//! machine's? Paired samples are drawn from known distributions, thousands of times, and the
//! share of intervals that hold the true speedup is counted.
//!
//! The speedup is the median of the paired ratios `reference / entry`, so the truth it estimates
//! is the population median of that ratio's distribution. That is not the ratio of the two
//! medians, nor of the means, when a side is skewed or bimodal; it is computed here, apart from
//! everything under test, as the median of 2¹⁸ ratios drawn with another seed (its own error is
//! about 2·10⁻⁴ relative, far inside every interval). Each round also multiplies both sides by a
//! shared drift, as a machine's state does; pairing cancels it, and the test shows it does.
//! Seeds are fixed, so the figures are the same on every run.

use copybench_harness::stats::{coverage, speedup, CONFIDENCE};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, LogNormal, Normal, Pareto};

/// Repetitions per shape and pair count: the observed coverage is then within about ±0.5 % of
/// the true one (one standard error), against a 2-point margin.
const REPETITIONS: usize = 2000;
/// Pair counts the issue asks about: the fewest with an interval, the default suite's, and more.
const PAIR_COUNTS: [usize; 3] = [6, 9, 20];
/// Coverage every case must reach (the interval's own guarantee is at least 95 %).
const REQUIRED: f64 = 0.93;

/// Wall times of one side, in milliseconds.
#[derive(Clone, Copy, Debug)]
enum Shape {
    Normal {
        mean: f64,
        sd: f64,
    },
    LogNormal {
        median: f64,
        sigma: f64,
    },
    /// Usually `fast`, with probability `p_slow` five times slower (1 MiB buffers here).
    Bimodal {
        fast: f64,
        sd: f64,
        p_slow: f64,
    },
    /// Mostly normal, with probability 0.1 an outlier from a Pareto tail (shape 1.5: infinite
    /// variance) added on top.
    HeavyTailed {
        mean: f64,
        sd: f64,
    },
}

impl Shape {
    fn draw(self, rng: &mut ChaCha8Rng) -> f64 {
        let normal = |mean: f64, sd: f64, rng: &mut ChaCha8Rng| {
            Normal::new(mean, sd).expect("valid normal").sample(rng)
        };
        match self {
            Shape::Normal { mean, sd } => normal(mean, sd, rng),
            Shape::LogNormal { median, sigma } => LogNormal::new(median.ln(), sigma)
                .expect("valid log-normal")
                .sample(rng),
            Shape::Bimodal { fast, sd, p_slow } => {
                let slow = rng.random_bool(p_slow);
                let t = normal(fast, sd, rng);
                if slow {
                    t * 5.0
                } else {
                    t
                }
            }
            Shape::HeavyTailed { mean, sd } => {
                let base = normal(mean, sd, rng);
                if rng.random_bool(0.1) {
                    base + Pareto::new(mean * 0.1, 1.5)
                        .expect("valid Pareto")
                        .sample(rng)
                } else {
                    base
                }
            }
        }
    }
}

struct Case {
    name: &'static str,
    reference: Shape,
    entry: Shape,
}

const CASES: [Case; 4] = [
    Case {
        name: "normal",
        reference: Shape::Normal {
            mean: 100.0,
            sd: 3.0,
        },
        entry: Shape::Normal {
            mean: 77.0,
            sd: 2.5,
        },
    },
    Case {
        name: "log-normal",
        reference: Shape::LogNormal {
            median: 100.0,
            sigma: 0.1,
        },
        entry: Shape::LogNormal {
            median: 80.0,
            sigma: 0.2,
        },
    },
    Case {
        name: "bimodal",
        reference: Shape::Normal {
            mean: 100.0,
            sd: 2.0,
        },
        entry: Shape::Bimodal {
            fast: 80.0,
            sd: 2.0,
            p_slow: 0.2,
        },
    },
    Case {
        name: "heavy-tailed, 10 % outliers",
        reference: Shape::HeavyTailed {
            mean: 100.0,
            sd: 2.0,
        },
        entry: Shape::HeavyTailed {
            mean: 90.0,
            sd: 2.0,
        },
    },
];

/// A round's drift, shared by both sides of the pair: the machine ±20 % from round to round.
fn drift(rng: &mut ChaCha8Rng) -> f64 {
    LogNormal::new(0.0, 0.2).expect("valid drift").sample(rng)
}

/// One side's wall times as (round, seconds), the shape `speedup` takes.
type Rounds = Vec<(u32, f64)>;

/// `pairs` rounds of (reference, entry) wall times.
fn draw_rounds(case: &Case, pairs: usize, rng: &mut ChaCha8Rng) -> (Rounds, Rounds) {
    (0..pairs as u32)
        .map(|round| {
            let d = drift(rng);
            let reference = d * case.reference.draw(rng) / 1e3;
            let entry = d * case.entry.draw(rng) / 1e3;
            ((round, reference), (round, entry))
        })
        .unzip()
}

/// The population median of `reference / entry`, from 2¹⁸ draws.
fn true_speedup(case: &Case, seed: u64) -> f64 {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut ratios: Vec<f64> = (0..1 << 18)
        .map(|_| case.reference.draw(&mut rng) / case.entry.draw(&mut rng))
        .collect();
    let mid = ratios.len() / 2;
    let (_, upper_middle, _) = ratios.select_nth_unstable_by(mid, f64::total_cmp);
    *upper_middle
}

/// The share of repetitions whose interval holds `truth`, from `interval` of each draw.
fn observed_coverage(
    case: &Case,
    pairs: usize,
    truth: f64,
    seed: u64,
    repetitions: usize,
    mut interval: impl FnMut(&[(u32, f64)], &[(u32, f64)]) -> (f64, f64),
) -> f64 {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let covered = (0..repetitions)
        .filter(|_| {
            let (reference, entry) = draw_rounds(case, pairs, &mut rng);
            let (low, high) = interval(&reference, &entry);
            low <= truth && truth <= high
        })
        .count();
    covered as f64 / repetitions as f64
}

#[test]
fn the_95_percent_speedup_interval_covers_the_true_speedup() {
    let mut failures = Vec::new();
    eprintln!("coverage of the speedup's 95 % interval, {REPETITIONS} repetitions each:");
    for (c, case) in CASES.iter().enumerate() {
        let truth = true_speedup(case, 0xC0FFEE + c as u64);
        for (p, &pairs) in PAIR_COUNTS.iter().enumerate() {
            let seed = 1000 * c as u64 + p as u64;
            let observed = observed_coverage(case, pairs, truth, seed, REPETITIONS, |r, e| {
                let ci = speedup(r, e, "reference")
                    .expect("pairs")
                    .ci
                    .expect("an interval from 6 pairs on");
                (ci.low, ci.high)
            });
            let k_coverage = speedup_nominal(pairs);
            eprintln!(
                "  {:<28} true speedup {truth:.4}  {pairs:>2} pairs: {:5.1} % (guaranteed {:.1} %)",
                case.name,
                observed * 100.0,
                k_coverage * 100.0
            );
            if observed < REQUIRED {
                failures.push(format!(
                    "{} at {pairs} pairs: {:.1} %",
                    case.name,
                    observed * 100.0
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "below {:.0} %: {failures:?}",
        REQUIRED * 100.0
    );
}

/// The coverage the order-statistic interval guarantees for `pairs` values.
fn speedup_nominal(pairs: usize) -> f64 {
    let values: Vec<f64> = (0..pairs).map(|i| i as f64).collect();
    let ci = copybench_harness::stats::median_interval(&values, CONFIDENCE).expect("an interval");
    assert_eq!(ci.coverage, coverage(pairs, ci.low as usize + 1));
    ci.coverage
}

/// Why the percentile bootstrap copybench used before is gone: at the 3 pairs the old default
/// suite ran, its "95 %" interval holds the true speedup about three times in four (its
/// resampled medians cannot reach past the inner values). (At 6 pairs it gave 92-97 % here,
/// still short of its claim in three of the four shapes.)
#[test]
fn the_percentile_bootstrap_it_replaces_does_not_cover_at_few_pairs() {
    const BOOT_REPETITIONS: usize = 400;
    const RESAMPLES: usize = 400;
    let mut lines = Vec::new();
    for (c, case) in CASES.iter().enumerate() {
        let truth = true_speedup(case, 0xC0FFEE + c as u64);
        {
            let pairs = 3;
            let mut resampler = ChaCha8Rng::seed_from_u64(7);
            let observed = observed_coverage(
                case,
                pairs,
                truth,
                42 + c as u64,
                BOOT_REPETITIONS,
                |r, e| {
                    let ratios: Vec<f64> = r.iter().zip(e).map(|(a, b)| a.1 / b.1).collect();
                    let mut medians: Vec<f64> = (0..RESAMPLES)
                        .map(|_| {
                            let mut resample: Vec<f64> = (0..ratios.len())
                                .map(|_| ratios[resampler.random_range(0..ratios.len())])
                                .collect();
                            resample.sort_by(f64::total_cmp);
                            let mid = resample.len() / 2;
                            if resample.len() % 2 == 0 {
                                (resample[mid - 1] + resample[mid]) / 2.0
                            } else {
                                resample[mid]
                            }
                        })
                        .collect();
                    medians.sort_by(f64::total_cmp);
                    (
                        medians[RESAMPLES * 25 / 1000],
                        medians[RESAMPLES * 975 / 1000 - 1],
                    )
                },
            );
            lines.push(format!(
                "{} at {pairs} pairs: {:.1} %",
                case.name,
                observed * 100.0
            ));
            assert!(
                observed < REQUIRED,
                "{}: the bootstrap covered {observed}",
                case.name
            );
        }
    }
    eprintln!("percentile bootstrap, {BOOT_REPETITIONS} repetitions: {lines:#?}");
}
