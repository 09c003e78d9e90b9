//! `sendfile(2)` from file to file in CPython's block size, until it returns 0
//! (`shutil._fastcopy_sendfile`).

use std::sync::atomic::{AtomicBool, Ordering};

use rustix::io::Errno;

use super::{kernel_block_size, ContentStrategy, Probe, Support};
use crate::content::{ContentJob, GiveUp, Side, StrategyError};
use crate::sys::{self, Syscall};

/// CPython's `_USE_CP_SENDFILE`: cleared for the rest of the process the first time sendfile
/// says ENOTSOCK (a kernel that only sends to sockets), after which `auto` no longer tries it.
static USE_SENDFILE: AtomicBool = AtomicBool::new(true);

/// True once sendfile has failed with ENOTSOCK in this process (CPython's
/// `_USE_CP_SENDFILE = False`): `auto` skips it from then on.
pub fn sendfile_disabled_for_process() -> bool {
    !USE_SENDFILE.load(Ordering::Relaxed)
}

pub(crate) struct Sendfile;

impl ContentStrategy for Sendfile {
    fn copy(&self, job: &ContentJob<'_>) -> Result<u64, StrategyError> {
        let block = kernel_block_size(job.src_size);
        let mut written = 0u64;
        loop {
            // No offset pointer: the source's own position is used and advanced, so a source
            // positioned at N copies its tail, like the read loops.
            match sys::sendfile(job.dst, job.src, block) {
                // Run until sendfile says end of file, never stopping at st_size: sources that
                // grow, or report st_size 0 (/proc), are copied whole (test_small_chunks).
                Ok(0) => return Ok(written),
                Ok(n) => {
                    written += n as u64;
                    if job.complete_at(written) {
                        return Ok(written);
                    }
                }
                Err(Errno::INTR) => continue,
                Err(errno) => {
                    if errno == Errno::NOTSOCK {
                        USE_SENDFILE.store(false, Ordering::Relaxed);
                    }
                    return Err(StrategyError::new("sendfile", errno, Side::Both, written));
                }
            }
        }
    }

    fn syscall(&self) -> Option<Syscall> {
        Some(Syscall::Sendfile)
    }

    fn content_syscalls(&self) -> &'static [Syscall] {
        &[Syscall::Sendfile]
    }

    /// CPython's rule, and ENOTSOCK at any point is for good: `_USE_CP_SENDFILE = False`
    /// (a kernel that sends only to sockets will not send this file either).
    fn give_up(&self, errno: Errno, written: u64) -> GiveUp {
        match errno {
            Errno::NOTSOCK => GiveUp::ForGood,
            _ => super::cpython_give_up(errno, written),
        }
    }

    fn probe(&self, probe: &Probe) -> Support {
        match sys::sendfile(&probe.dst, &probe.src, 4096) {
            Ok(n) => probe.copied("sendfile", n),
            Err(errno) => probe.failed("sendfile", errno),
        }
    }
}
