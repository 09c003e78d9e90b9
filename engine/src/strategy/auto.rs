//! `auto`: reflink → copy_file_range → sendfile → readinto-256k, as `shutil.copyfile` chains its
//! fast paths with `_GiveupOnFastCopy`.
//!
//! Each step's own give-up rule ([`super::ContentStrategy::give_up`]) decides whether the next
//! one runs: for the in-kernel steps that is CPython's (before the first byte, anything but
//! ENOSPC), so once a byte is written the error is final and the partial destination stays, as
//! in CPython, cp and std::fs::copy. copy_file_range also gives up on a zero return at offset
//! 0. A step that gave up for good (FICLONE refused by the filesystem, sendfile's ENOTSOCK) is
//! remembered in a [`GivenUp`], so a tree copy tries it once, not once per file.

use std::sync::atomic::{AtomicU32, Ordering};

use super::{ContentStrategy, Probe, Support};
use crate::content::{
    ContentCopy, ContentError, ContentJob, Fallback, GiveUp, Strategy, StrategyError,
};

/// The in-kernel steps, fastest first, each of which may give up.
const FAST_STEPS: &[Strategy] = &[
    Strategy::Reflink,
    Strategy::CopyFileRange,
    Strategy::Sendfile,
];

/// The last step: works on any readable file, so its error is final.
const LAST_STEP: Strategy = Strategy::Readinto256k;

/// Every step, in order.
pub(crate) fn steps() -> impl Iterator<Item = Strategy> {
    FAST_STEPS.iter().copied().chain([LAST_STEP])
}

pub(crate) struct Auto;

// One bit per strategy in a GivenUp.
const _: () = assert!(Strategy::ALL.len() <= 32);

/// The steps of the chain that gave up for good ([`GiveUp::ForGood`]) during one copy (a
/// whole tree): later files skip them. The copies are the same; only the failed calls go.
#[derive(Debug, Default)]
pub(crate) struct GivenUp(AtomicU32);

impl GivenUp {
    fn bit(step: Strategy) -> u32 {
        1 << (step as u32)
    }

    fn contains(&self, step: Strategy) -> bool {
        self.0.load(Ordering::Relaxed) & GivenUp::bit(step) != 0
    }

    fn insert(&self, step: Strategy) {
        self.0.fetch_or(GivenUp::bit(step), Ordering::Relaxed);
    }
}

/// Runs the chain on `job`, skipping the steps in `given_up` and adding to it those that give
/// up for good now.
pub(crate) fn copy_chain(
    job: &ContentJob<'_>,
    given_up: &GivenUp,
) -> Result<ContentCopy, ContentError> {
    let mut fallbacks = Vec::new();
    for &step in FAST_STEPS {
        // CPython's _USE_CP_SENDFILE: after ENOTSOCK, sendfile is not tried again.
        if given_up.contains(step)
            || (step == Strategy::Sendfile && super::sendfile_disabled_for_process())
        {
            continue;
        }
        let strategy = step.content_strategy();
        match strategy.copy(job) {
            Ok(0) if strategy.gives_up_on_empty_copy() => fallbacks.push(Fallback {
                from: step,
                errno: None,
            }),
            Ok(bytes) => {
                return Ok(ContentCopy {
                    bytes,
                    strategy_used: step,
                    fallbacks,
                })
            }
            Err(StrategyError { error, written }) => match strategy.give_up(error.errno, written) {
                GiveUp::No => return Err(error),
                scope => {
                    if scope == GiveUp::ForGood {
                        given_up.insert(step);
                    }
                    fallbacks.push(Fallback {
                        from: step,
                        errno: Some(error.errno),
                    });
                }
            },
        }
    }
    let bytes = LAST_STEP
        .content_strategy()
        .copy(job)
        .map_err(|e| e.error)?;
    Ok(ContentCopy {
        bytes,
        strategy_used: LAST_STEP,
        fallbacks,
    })
}

impl ContentStrategy for Auto {
    fn copy(&self, job: &ContentJob<'_>) -> Result<u64, StrategyError> {
        copy_chain(job, &GivenUp::default())
            .map(|c| c.bytes)
            .map_err(|error| StrategyError { error, written: 0 })
    }

    fn syscall(&self) -> Option<crate::sys::Syscall> {
        None
    }

    /// The chain has already applied every step's rule: what comes out of it is final.
    fn give_up(&self, _errno: rustix::io::Errno, _written: u64) -> GiveUp {
        GiveUp::No
    }

    fn probe(&self, probe: &Probe) -> Support {
        let first = steps().find(|s| s.content_strategy().probe(probe).supported);
        match first {
            Some(s) => Support::yes(format!(
                "reflink → copy_file_range → sendfile → readinto-256k; here {s} copies"
            )),
            None => Support::no("no step of the chain works here"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_step_given_up_for_good_is_remembered() {
        let given_up = GivenUp::default();
        assert!(!given_up.contains(Strategy::Reflink));
        given_up.insert(Strategy::Reflink);
        assert!(given_up.contains(Strategy::Reflink));
        assert!(!given_up.contains(Strategy::CopyFileRange));
    }
}
