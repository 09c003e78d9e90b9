//! `ioctl(FICLONE)`: the destination shares the source's extents (btrfs, xfs, bcachefs; not
//! ext4 or tmpfs, which say EOPNOTSUPP; EXDEV across filesystems). One call, whole file.

use rustix::io::Errno;

use super::{ContentStrategy, Probe, Support};
use crate::content::{ContentJob, GiveUp, Side, StrategyError};
use crate::sys::{self, Syscall};

pub(crate) struct Reflink;

impl ContentStrategy for Reflink {
    /// FICLONE clones the whole file whatever the descriptors' positions; it writes nothing
    /// when it fails, so any failure is before the first byte.
    fn copy(&self, job: &ContentJob<'_>) -> Result<u64, StrategyError> {
        sys::ficlone(job.dst, job.src)
            .map_err(|errno| StrategyError::new("ioctl(FICLONE)", errno, Side::Both, 0))?;
        match job.src_size {
            Some(size) => Ok(size),
            // The clone is the source's content, so the destination's size is what was copied.
            None => sys::fstat(job.dst)
                .map(|st| st.st_size as u64)
                .map_err(|errno| StrategyError::new("fstat", errno, Side::Dst, 0)),
        }
    }

    fn syscall(&self) -> Option<Syscall> {
        Some(Syscall::Ioctl)
    }

    fn content_syscalls(&self) -> &'static [Syscall] {
        &[Syscall::Ioctl]
    }

    /// FICLONE writes nothing when it fails, so CPython's rule gives up on everything but
    /// ENOSPC; the errnos by which a filesystem (or a pair of them) says it cannot clone at all
    /// are for good, so a tree copy asks once, not once per file.
    fn give_up(&self, errno: Errno, written: u64) -> GiveUp {
        match errno {
            Errno::OPNOTSUPP | Errno::XDEV | Errno::INVAL | Errno::NOTTY | Errno::NOSYS => {
                GiveUp::ForGood
            }
            _ => super::cpython_give_up(errno, written),
        }
    }

    fn probe(&self, probe: &Probe) -> Support {
        match sys::ficlone(&probe.dst, &probe.src) {
            Ok(()) => Support::yes(format!("FICLONE works on {}", probe.filesystem)),
            Err(errno) => probe.failed("ioctl(FICLONE)", errno),
        }
    }
}
