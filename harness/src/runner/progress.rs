//! What a run shows on stderr while it works, as hyperfine and fio do: which scenario of how
//! many, the entry being sampled, the round, the time spent and left, and a running estimate
//! (the entry's median so far); the fixture being checked or made, in bytes; the countdown of a wait; the checks
//! after the timing. A run's figures never depend on it: it only draws between samples.
//!
//! On a terminal it is one line redrawn in place, cleared when a scenario ends so the summary
//! starts on a clean screen. `--verbose` prints the same as plain lines (one per sample);
//! without a terminal only the notes (a wait, a fixture being made) are printed; `--quiet`
//! prints nothing.

use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::fixture;

/// How a run reports its progress.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ProgressDisplay {
    /// Nothing (`--quiet`).
    Quiet,
    /// Only notes that explain a pause: a wait, a fixture being made (stderr is not a terminal).
    Notes,
    /// One line redrawn in place (stderr is a terminal).
    #[default]
    Live,
    /// A plain line per step (`--verbose`, or a log that should show every sample).
    Lines,
}

/// The progress of one run.
pub(super) struct Progress {
    display: ProgressDisplay,
    scenarios: usize,
    /// The scenario being run, from 1, and its name.
    current: usize,
    name: String,
    /// Samples (warmup included) of the current scenario: done and planned.
    done: u64,
    planned: u64,
    scenario_started: Instant,
    /// The scenario's time budget for sampling, and whether sampling went past its fewest
    /// rounds (then the time left is the budget's).
    budget: Duration,
    extended: bool,
    /// The fixture step being shown, so its bar is made once per phase.
    fixture_phase: Option<fixture::Phase>,
    bar: ProgressBar,
}

impl Progress {
    pub(super) fn new(display: ProgressDisplay, scenarios: usize) -> Progress {
        Progress {
            display,
            scenarios,
            current: 0,
            name: String::new(),
            done: 0,
            planned: 0,
            scenario_started: Instant::now(),
            budget: Duration::ZERO,
            extended: false,
            fixture_phase: None,
            bar: ProgressBar::hidden(),
        }
    }

    /// `[1/2] file-64mib (scale 0.1)`: the scenario and its place in the run.
    fn prefix(&self) -> String {
        format!("[{}/{}] {}", self.current, self.scenarios, self.name)
    }

    /// A scenario begins; `scale` is shown when it is not 1 (the name says the full size).
    pub(super) fn scenario(&mut self, name: &str, scale: f64) {
        self.finish();
        self.current += 1;
        self.name = if scale == 1.0 {
            name.to_owned()
        } else {
            format!("{name} (scale {scale})")
        };
        self.scenario_started = Instant::now();
        self.done = 0;
        self.planned = 0;
        self.fixture_phase = None;
    }

    /// The conformance check of the `index`th scenario (from 0), after every scenario's timing.
    pub(super) fn conformance(&mut self, index: usize, name: &str) {
        self.current = index + 1;
        self.name = name.to_owned();
        self.note("checking conformance");
    }

    /// The run's copies are being deleted, after every timing.
    pub(super) fn cleanup(&mut self) {
        match self.display {
            ProgressDisplay::Live => {
                self.bar.finish_and_clear();
                self.bar = live_bar(None, "{wide_msg}");
                self.bar
                    .set_message("copybench: removing this run's copies (outside every timing)");
            }
            ProgressDisplay::Lines => eprintln!("copybench: removing this run's copies"),
            ProgressDisplay::Quiet | ProgressDisplay::Notes => {}
        }
    }

    /// A step with no count to show (preparing the fixture, checking conformance): a note
    /// everywhere but `--quiet`, so a pause is never unexplained.
    pub(super) fn note(&mut self, what: &str) {
        match self.display {
            ProgressDisplay::Quiet => {}
            ProgressDisplay::Notes | ProgressDisplay::Lines => {
                eprintln!("copybench: {}: {what}", self.prefix());
            }
            ProgressDisplay::Live => {
                self.bar.finish_and_clear();
                self.bar = live_bar(None, "{prefix:.bold} {wide_msg}");
                self.bar.set_prefix(self.prefix());
                self.bar.set_message(what.to_owned());
            }
        }
    }

    /// How far preparing the fixture is: bytes checked, written or hashed, of how many. Only
    /// redrawn on a terminal; the other displays said "preparing the fixture" already.
    pub(super) fn fixture(&mut self, step: fixture::Step) {
        if self.display != ProgressDisplay::Live {
            return;
        }
        let what = match step.phase {
            fixture::Phase::Checking => "checking the cached fixture",
            fixture::Phase::Generating => "generating the fixture",
            fixture::Phase::Hashing => "hashing the new fixture",
        };
        if self.fixture_phase != Some(step.phase) {
            self.fixture_phase = Some(step.phase);
            self.bar.finish_and_clear();
            self.bar = match step.total {
                Some(total) => live_bar(
                    Some(total),
                    "{prefix:.bold} {msg} [{bar:20}] {bytes} of {total_bytes}, ~{eta} left",
                ),
                None => live_bar(None, "{prefix:.bold} {msg}: {bytes}"),
            };
            self.bar.set_prefix(self.prefix());
            self.bar.set_message(what);
        }
        self.bar.set_position(step.bytes);
    }

    /// The rounds begin: `planned` samples at the fewest (every entry × rounds, warmup
    /// included), more while intervals are short of their target, within `budget`.
    pub(super) fn rounds(&mut self, planned: u64, budget: Duration) {
        self.planned = planned;
        self.done = 0;
        self.budget = budget;
        self.extended = false;
        self.scenario_started = Instant::now();
        if self.display == ProgressDisplay::Live {
            self.bar.finish_and_clear();
            self.bar = live_bar(
                Some(planned),
                "{prefix:.bold} [{bar:20}] {pos}/{len} {elapsed}, ~{eta} left · {wide_msg}",
            );
            self.bar.set_prefix(self.prefix());
            self.bar.set_message("first round");
        }
    }

    /// `extra` more samples planned: sampling goes on towards its target precision. From here
    /// the time left is the budget's, not the rate's: how many rounds remain is not known.
    pub(super) fn more(&mut self, extra: u64) {
        self.planned += extra;
        if self.display == ProgressDisplay::Live {
            if !self.extended {
                if let Ok(style) = ProgressStyle::with_template(
                    "{prefix:.bold} [{bar:20}] {pos}/{len} {elapsed} · {wide_msg}",
                ) {
                    self.bar.set_style(style.progress_chars("=> "));
                }
            }
            self.bar.set_length(self.planned);
        }
        self.extended = true;
    }

    /// `until the intervals are within target, at most 0:42 left`, once sampling goes on.
    fn open_ended(&self) -> Option<String> {
        self.extended.then(|| {
            let left = self.budget.saturating_sub(self.scenario_started.elapsed());
            format!(
                "sampling on until the intervals are within target, at most {} left",
                clock(left)
            )
        })
    }

    /// One sample done.
    pub(super) fn sample(&mut self, step: &SampleStep) {
        self.done += 1;
        let what = match self.open_ended() {
            Some(open) => format!("{open} · {}", step.describe(false)),
            None => step.describe(true),
        };
        match self.display {
            ProgressDisplay::Quiet | ProgressDisplay::Notes => {}
            ProgressDisplay::Live => {
                self.bar.set_message(what);
                self.bar.set_position(self.done);
            }
            ProgressDisplay::Lines => {
                let elapsed = self.scenario_started.elapsed();
                let left = if self.extended {
                    None
                } else {
                    remaining(elapsed, self.done, self.planned)
                };
                eprintln!(
                    "copybench: {}: {}/{} {what} · {} elapsed{}",
                    self.prefix(),
                    self.done,
                    self.planned,
                    clock(elapsed),
                    left.map(|l| format!(", ~{} left", clock(l)))
                        .unwrap_or_default()
                );
            }
        }
    }

    /// Waits `wait`, saying `why` and counting down on a terminal.
    pub(super) fn wait(&mut self, wait: Duration, why: &str) {
        let line = |left: Duration| format!("waiting {} s: {why}", left.as_secs());
        match self.display {
            ProgressDisplay::Live => {
                self.bar.finish_and_clear();
                self.bar = live_bar(None, "{wide_msg}");
                let end = Instant::now() + wait;
                loop {
                    let left = end.saturating_duration_since(Instant::now());
                    if left.is_zero() {
                        break;
                    }
                    // Rounded up, so the count ends at 1 s, not 0 s with time still to go.
                    self.bar.set_message(format!(
                        "copybench: {}",
                        line(left + Duration::from_millis(999))
                    ));
                    std::thread::sleep(left.min(Duration::from_secs(1)));
                }
                self.bar.finish_and_clear();
            }
            ProgressDisplay::Quiet => std::thread::sleep(wait),
            ProgressDisplay::Notes | ProgressDisplay::Lines => {
                eprintln!("copybench: {}", line(wait));
                std::thread::sleep(wait);
            }
        }
    }

    /// Clears the line, so what follows starts on a clean screen.
    pub(super) fn finish(&mut self) {
        self.bar.finish_and_clear();
        self.bar = ProgressBar::hidden();
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.bar.finish_and_clear();
    }
}

/// One finished sample, as the progress describes it.
pub(super) struct SampleStep<'a> {
    pub(super) entry: &'a str,
    /// From 0; the first `warmup` rounds are not measured.
    pub(super) round: u32,
    pub(super) warmup: u32,
    pub(super) rounds: u32,
    pub(super) outcome: StepOutcome,
    /// The entry's median wall time over its measured samples so far.
    pub(super) median_s: Option<f64>,
}

/// What became of a sample.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) enum StepOutcome {
    /// A measured sample and its wall time.
    Measured(f64),
    /// A warmup round: run, not kept.
    Warmup,
    Failed,
}

impl SampleStep<'_> {
    /// `round 3/9 · sendfile 1.03 ms (median 1.04 ms)`, or `warmup 1/1 · sendfile 1.20 ms`;
    /// `round 12 · …` once the number of rounds is not known (`of_rounds` false).
    fn describe(&self, of_rounds: bool) -> String {
        let phase = if self.round < self.warmup {
            format!("warmup {}/{}", self.round + 1, self.warmup)
        } else if of_rounds {
            format!(
                "round {}/{}",
                self.round + 1 - self.warmup,
                self.rounds - self.warmup
            )
        } else {
            format!("round {}", self.round + 1 - self.warmup)
        };
        let mut text = format!("{phase} · {}", self.entry);
        match self.outcome {
            StepOutcome::Measured(wall) => text.push_str(&format!(" {}", seconds(wall))),
            StepOutcome::Warmup => {}
            StepOutcome::Failed => text.push_str(" failed"),
        }
        if let Some(median) = self.median_s {
            text.push_str(&format!(" (median {})", seconds(median)));
        }
        text
    }
}

/// A bar drawn on stderr. No steady tick: it would start a thread, and RUSAGE_SELF deltas of
/// parallel copies must hold only the copy's threads; the line is redrawn between samples.
fn live_bar(len: Option<u64>, template: &str) -> ProgressBar {
    let bar = match len {
        Some(len) => ProgressBar::with_draw_target(Some(len), ProgressDrawTarget::stderr()),
        None => ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr()),
    };
    if let Ok(style) = ProgressStyle::with_template(template) {
        bar.set_style(style.progress_chars("=> "));
    }
    bar
}

/// The time left at the rate so far; `None` before the first step or after the last.
fn remaining(elapsed: Duration, done: u64, planned: u64) -> Option<Duration> {
    if done == 0 || done >= planned {
        return None;
    }
    Some(elapsed.mul_f64((planned - done) as f64 / done as f64))
}

/// `0:07`, `1:42`, `1:02:05`.
fn clock(duration: Duration) -> String {
    let s = duration.as_secs();
    if s >= 3600 {
        format!("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
    } else {
        format!("{}:{:02}", s / 60, s % 60)
    }
}

/// A wall time with three significant digits: `812 µs`, `32.5 ms`, `1.23 s`.
fn seconds(s: f64) -> String {
    let (value, unit) = if s >= 1.0 {
        (s, "s")
    } else if s >= 1e-3 {
        (s * 1e3, "ms")
    } else {
        (s * 1e6, "µs")
    };
    let decimals = if value >= 100.0 {
        0
    } else if value >= 10.0 {
        1
    } else {
        2
    };
    format!("{value:.decimals$} {unit}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_step_says_the_round_the_entry_and_its_estimate() {
        let step = |round, outcome, median| SampleStep {
            entry: "sendfile",
            round,
            warmup: 1,
            rounds: 10,
            outcome,
            median_s: median,
        };
        assert_eq!(
            step(0, StepOutcome::Warmup, None).describe(true),
            "warmup 1/1 · sendfile"
        );
        assert_eq!(
            step(3, StepOutcome::Measured(0.00103), Some(0.00104)).describe(true),
            "round 3/9 · sendfile 1.03 ms (median 1.04 ms)"
        );
        assert_eq!(
            step(9, StepOutcome::Failed, None).describe(true),
            "round 9/9 · sendfile failed"
        );
        assert_eq!(
            step(12, StepOutcome::Measured(0.00103), None).describe(false),
            "round 12 · sendfile 1.03 ms"
        );
    }

    #[test]
    fn time_left_is_at_the_rate_so_far() {
        assert_eq!(
            remaining(Duration::from_secs(10), 25, 100),
            Some(Duration::from_secs(30))
        );
        assert_eq!(remaining(Duration::from_secs(10), 0, 100), None);
        assert_eq!(remaining(Duration::from_secs(10), 100, 100), None);
        assert_eq!(clock(Duration::from_secs(102)), "1:42");
        assert_eq!(clock(Duration::from_secs(3725)), "1:02:05");
        assert_eq!(seconds(0.0325), "32.5 ms");
        assert_eq!(seconds(0.000812), "812 µs");
    }
}
