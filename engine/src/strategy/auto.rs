//! `auto`: reflink → copy_file_range → sendfile → readinto-256k, with CPython's give-up rule
//! (`shutil.copyfile` and its `_GiveupOnFastCopy`).
//!
//! A fast strategy that fails *before writing anything* gives up and the next one runs; once a
//! byte is written its error is final and the partial destination stays, as in CPython, cp and
//! std::fs::copy. ENOSPC never gives up (CPython: "filesystem is full"): a smaller syscall would
//! not find room either. copy_file_range also gives up on a zero return at offset 0.

use rustix::io::Errno;

use super::{ContentJob, ContentStrategy, Probe, StrategyError, Support};
use crate::file::{ContentCopy, ContentError, Fallback};
use crate::Strategy;

/// The in-kernel steps, fastest first, each of which may give up.
const FAST_STEPS: &[Strategy] = &[
    Strategy::Reflink,
    Strategy::CopyFileRange,
    Strategy::Sendfile,
];

/// The last step: works on any readable file, so its error is final.
const LAST_STEP: Strategy = Strategy::Readinto256k;

pub(crate) struct Auto;

/// Whether CPython's rule lets a strategy that failed with `errno` after writing `written`
/// bytes hand over to the next one. CPython gives up on any error before the first byte except
/// ENOSPC (in practice EXDEV, EINVAL, ENOSYS, EOPNOTSUPP, EPERM, ENOTSOCK, EBADF).
pub(crate) fn gives_up(errno: Errno, written: u64) -> bool {
    written == 0 && errno != Errno::NOSPC
}

/// Runs the chain on `job`.
pub(crate) fn copy_auto(job: &ContentJob<'_>) -> Result<ContentCopy, ContentError> {
    copy_chain(job, FAST_STEPS)
}

/// The chain without its reflink step, for a caller that already saw FICLONE refused between
/// the same two filesystems (a tree copy: one failed ioctl per tree instead of per file).
pub(crate) fn copy_auto_without_reflink(job: &ContentJob<'_>) -> Result<ContentCopy, ContentError> {
    copy_chain(job, &FAST_STEPS[1..])
}

fn copy_chain(job: &ContentJob<'_>, steps: &[Strategy]) -> Result<ContentCopy, ContentError> {
    let mut fallbacks = Vec::new();
    for &step in steps {
        // CPython's _USE_CP_SENDFILE: after ENOTSOCK, sendfile is not tried again.
        if step == Strategy::Sendfile && super::sendfile_disabled_for_process() {
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
            Err(StrategyError { error, written }) if gives_up(error.errno, written) => fallbacks
                .push(Fallback {
                    from: step,
                    errno: Some(error.errno),
                }),
            Err(StrategyError { error, .. }) => return Err(error),
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
        copy_auto(job)
            .map(|c| c.bytes)
            .map_err(|error| StrategyError { error, written: 0 })
    }

    fn probe(&self, probe: &Probe) -> Support {
        let first = FAST_STEPS
            .iter()
            .chain(std::iter::once(&LAST_STEP))
            .find(|s| s.content_strategy().probe(probe).supported);
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
    fn give_up_only_before_the_first_byte_and_never_on_enospc() {
        assert!(gives_up(Errno::XDEV, 0));
        assert!(gives_up(Errno::INVAL, 0));
        assert!(gives_up(Errno::NOTSOCK, 0));
        assert!(!gives_up(Errno::NOSPC, 0));
        assert!(!gives_up(Errno::INVAL, 1));
    }
}
