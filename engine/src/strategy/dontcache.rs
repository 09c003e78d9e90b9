//! Buffered I/O that leaves the page cache as it found it: `preadv2`/`pwritev2` with
//! `RWF_DONTCACHE` (Linux 6.14), over one reused buffer. The kernel drops the folios it read
//! once they are copied out, and queues the written range for writeback, dropping those folios
//! when it completes. The right tool for a cold, huge copy that should not evict everything else
//! (docs/design.md, "Strategies"); no peer benchmarks it.

use rustix::io::Errno;

use super::{ContentStrategy, Probe, Support};
use crate::content::{ContentJob, GiveUp, Side, StrategyError};
use crate::sys::{self, Fd, Syscall};

pub(crate) struct Dontcache {
    pub chunk: usize,
}

impl ContentStrategy for Dontcache {
    fn copy(&self, job: &ContentJob<'_>) -> Result<u64, StrategyError> {
        let mut buf = vec![0u8; self.chunk];
        let mut written = 0u64;
        loop {
            match sys::preadv2_dontcache(job.src, &mut buf) {
                // Until the empty read, as the other loops: a size of 0 (/proc) under-reports.
                Ok(0) => return Ok(written),
                Ok(n) => {
                    write_all_dontcache(job.dst, &buf[..n], &mut written)?;
                    if job.complete_at(written) {
                        return Ok(written);
                    }
                }
                Err(Errno::INTR) => continue,
                Err(errno) => return Err(StrategyError::new("preadv2", errno, Side::Src, written)),
            }
        }
    }

    /// Named after a flag, not a call; `pwritev2` is the call that carries it into the cache
    /// the strategy exists to spare.
    fn syscall(&self) -> Option<Syscall> {
        Some(Syscall::Pwritev2)
    }

    fn content_syscalls(&self) -> &'static [Syscall] {
        &[Syscall::Preadv2, Syscall::Pwritev2]
    }

    /// A refusal before the first byte (EINVAL: a kernel before 6.14 that does not know the
    /// flag; EOPNOTSUPP: a filesystem without uncached buffered I/O, such as tmpfs) holds for
    /// every file between the same filesystems. Any other error is the copy's, as for the
    /// read/write loops it otherwise is.
    fn give_up(&self, errno: Errno, written: u64) -> GiveUp {
        if written == 0 && matches!(errno, Errno::INVAL | Errno::OPNOTSUPP) {
            GiveUp::ForGood
        } else {
            GiveUp::No
        }
    }

    fn probe(&self, probe: &Probe) -> Support {
        let mut buf = [0u8; super::probe::PROBE_CONTENT.len()];
        let n = match sys::preadv2_dontcache(&probe.src, &mut buf) {
            Ok(n) => n,
            Err(errno) => return probe.failed("preadv2(RWF_DONTCACHE)", errno),
        };
        match sys::pwritev2_dontcache(&probe.dst, &buf[..n]) {
            Ok(n) => probe.copied("preadv2/pwritev2(RWF_DONTCACHE)", n),
            Err(errno) => probe.failed("pwritev2(RWF_DONTCACHE)", errno),
        }
    }
}

/// Writes all of `buf` with uncached `pwritev2` (short writes continue where they stopped),
/// adding to `written` as it goes so a failure reports the true progress.
fn write_all_dontcache(dst: &Fd, mut buf: &[u8], written: &mut u64) -> Result<(), StrategyError> {
    while !buf.is_empty() {
        match sys::pwritev2_dontcache(dst, buf) {
            Ok(0) => {
                return Err(StrategyError::new(
                    "pwritev2",
                    Errno::IO,
                    Side::Dst,
                    *written,
                ))
            }
            Ok(n) => {
                *written += n as u64;
                buf = &buf[n..];
            }
            Err(Errno::INTR) => continue,
            Err(errno) => return Err(StrategyError::new("pwritev2", errno, Side::Dst, *written)),
        }
    }
    Ok(())
}
