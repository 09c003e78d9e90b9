//! A debug knob that makes one strategy slower on purpose, so that a regression gate can be
//! shown to catch a slowdown without a code edit: `COPYBENCH_DEBUG_SLOW=sendfile:2` makes every
//! file copy by `sendfile` take twice its own time (after the copy, the thread sleeps for
//! `factor - 1` times what the copy took). The content and the syscalls are unchanged, so only
//! the timing moves. Child processes (`copybench copy`) inherit it through the environment.
//!
//! It is read once per process. It is never meant to be set while measuring for real: the CLI
//! warns on every run while it is set, and refuses a value it cannot parse.

use std::sync::OnceLock;
use std::time::{Duration, Instant};

use super::Strategy;

/// The environment variable: `STRATEGY:FACTOR`, e.g. `sendfile:2`.
pub const ENV: &str = "COPYBENCH_DEBUG_SLOW";

/// One strategy made `factor` times slower.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Slowdown {
    pub strategy: Strategy,
    /// At least 1.
    pub factor: f64,
}

impl std::str::FromStr for Slowdown {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (name, factor) = s
            .split_once(':')
            .ok_or_else(|| format!("`{s}`: expected STRATEGY:FACTOR, e.g. sendfile:2"))?;
        let strategy = name.parse::<Strategy>()?;
        let factor = factor
            .parse::<f64>()
            .ok()
            .filter(|f| f.is_finite() && (1.0..=1000.0).contains(f))
            .ok_or_else(|| format!("`{factor}`: FACTOR is a number from 1 to 1000"))?;
        Ok(Slowdown { strategy, factor })
    }
}

/// The slowdown `COPYBENCH_DEBUG_SLOW` asks for: `Ok(None)` when it is not set.
pub fn configured() -> Result<Option<Slowdown>, String> {
    match std::env::var(ENV) {
        Ok(value) => value
            .parse()
            .map(Some)
            .map_err(|e| format!("{ENV}={value}: {e}")),
        Err(std::env::VarError::NotPresent) => Ok(None),
        Err(std::env::VarError::NotUnicode(_)) => Err(format!("{ENV} is not UTF-8")),
    }
}

/// The process's slowdown, read once; an unparsable value slows nothing (the CLI refuses it
/// before any copy).
fn active() -> Option<Slowdown> {
    static ACTIVE: OnceLock<Option<Slowdown>> = OnceLock::new();
    *ACTIVE.get_or_init(|| configured().ok().flatten())
}

/// Times one content copy by `strategy`; [`Stopwatch::finish`] stretches it when the knob
/// names that strategy.
/// The clock is read only when the knob is set: a tree copy makes thousands of content copies.
pub(crate) struct Stopwatch {
    /// The factor and when the copy started, when the knob names this strategy.
    slowed: Option<(f64, Instant)>,
}

impl Stopwatch {
    pub(crate) fn start(strategy: Strategy) -> Stopwatch {
        Stopwatch {
            slowed: active()
                .filter(|s| s.strategy == strategy)
                .map(|s| (s.factor, Instant::now())),
        }
    }

    pub(crate) fn finish(self) {
        if let Some((factor, started)) = self.slowed {
            let took = started.elapsed();
            std::thread::sleep(Duration::from_secs_f64(took.as_secs_f64() * (factor - 1.0)));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_a_strategy_and_a_factor() {
        assert_eq!(
            "sendfile:2".parse::<Slowdown>(),
            Ok(Slowdown {
                strategy: Strategy::Sendfile,
                factor: 2.0
            })
        );
        assert!("sendfile"
            .parse::<Slowdown>()
            .unwrap_err()
            .contains("STRATEGY:FACTOR"));
        assert!("nope:2"
            .parse::<Slowdown>()
            .unwrap_err()
            .contains("unknown strategy"));
        assert!("sendfile:0.5"
            .parse::<Slowdown>()
            .unwrap_err()
            .contains("from 1"));
        assert!("sendfile:NaN".parse::<Slowdown>().is_err());
    }
}
