//! What the gate says about one metric, and what it says overall.

use serde::Serialize;

/// The verdict on one metric of one entry, the words the gate and the comparison page share.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    /// Within the noise threshold, or an unchanged count or outcome.
    NoChange,
    /// Better beyond the threshold (a count fell, an outcome became a pass).
    Improved,
    /// The measurement cannot tell: its interval is wider than the threshold, or a figure is
    /// missing on one side. The gate never guesses.
    Inconclusive,
    /// Worse beyond the threshold with the whole interval, or any count increase or outcome
    /// change for the worse.
    Regressed,
}

impl Verdict {
    /// The word a person reads: `no change`, `improved`, `inconclusive`, `regressed`.
    pub fn name(self) -> &'static str {
        match self {
            Verdict::NoChange => "no change",
            Verdict::Improved => "improved",
            Verdict::Inconclusive => "inconclusive",
            Verdict::Regressed => "regressed",
        }
    }
}

impl std::fmt::Display for Verdict {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// The gate's answer for a whole comparison, before `--strict` decides what fails.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Overall {
    /// No gated metric regressed and none was inconclusive.
    Pass,
    /// No gated metric regressed, but at least one could not be judged.
    Inconclusive,
    /// At least one gated metric regressed.
    Regression,
}

impl Overall {
    /// The worst verdict among `verdicts` decides: any regression, else any inconclusive.
    pub fn of(verdicts: impl IntoIterator<Item = Verdict>) -> Overall {
        let worst = verdicts.into_iter().max().unwrap_or(Verdict::NoChange);
        match worst {
            Verdict::Regressed => Overall::Regression,
            Verdict::Inconclusive => Overall::Inconclusive,
            Verdict::NoChange | Verdict::Improved => Overall::Pass,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Overall::Pass => "pass",
            Overall::Inconclusive => "inconclusive",
            Overall::Regression => "regression",
        }
    }
}

impl std::fmt::Display for Overall {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// What kind of figure a check is about, which decides how it is judged.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum MetricKind {
    /// A count or an outcome, judged exactly: no noise, no threshold.
    Exact,
    /// A wall-time speedup over the scenario's in-run reference: portable across machines,
    /// judged by its interval against the threshold.
    Speedup,
    /// An absolute wall time: reported always, gated only where the thresholds file names the
    /// environment, because absolute times move between runners.
    WallTime,
    /// The verdict of a timed claim (wall or CPU time): it moves with the noise of the interval
    /// it was read from, so it is reported, and gated only where a rule says `gate = true`.
    /// Claims about counts are exact and judged as [`MetricKind::Exact`].
    TimedClaim,
}

/// A figure as one side measured it.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "type")]
pub enum Observed {
    /// An exact count (syscalls of one copy).
    Count { value: u64 },
    /// An outcome in words: `ran`, `skipped: …`, `pass`, `fail: …`.
    Outcome { value: String },
    /// A median with its 95 % interval (`None` where the result has none: too few samples).
    Estimate {
        median: f64,
        low: Option<f64>,
        high: Option<f64>,
    },
    /// Not measured on this side, with why.
    Absent { reason: String },
}

/// A relative change against the baseline's median, with the interval it lies in: `-0.12`
/// is 12 % lower.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Change {
    pub median: f64,
    pub low: f64,
    pub high: f64,
}

/// The verdict on one metric of one entry, with what it was judged from.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Check {
    /// The entry id (`sendfile`, `lean jobs=2`, `peer:cp`); for conformance, the subject.
    pub entry: String,
    /// `speedup`, `wall_time`, `ran`, `syscalls.<name>`, `conformance.<case>`,
    /// `claim <metric> against <baseline entry>`.
    pub metric: String,
    pub kind: MetricKind,
    pub baseline: Observed,
    pub result: Observed,
    pub verdict: Verdict,
    /// For speedups and times: the change of the result against the baseline's median.
    pub change: Option<Change>,
    /// For speedups and times: the noise threshold it was judged with (0.05 is 5 %).
    pub threshold: Option<f64>,
    /// Why this verdict does not count towards the overall one; `None` when it counts.
    pub not_gated: Option<String>,
    /// Why it is inconclusive, for a person.
    pub reason: Option<String>,
}

impl Check {
    /// Whether this verdict counts towards the overall one.
    pub fn gated(&self) -> bool {
        self.not_gated.is_none()
    }
}
