//! `ioctl(FICLONE)`: the destination shares the source's extents (btrfs, xfs, bcachefs; not
//! ext4 or tmpfs, which say EOPNOTSUPP; EXDEV across filesystems). One call, whole file.

use super::{ContentJob, ContentStrategy, Probe, StrategyError, Support};
use crate::file::Side;
use crate::sys;

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

    fn probe(&self, probe: &Probe) -> Support {
        match sys::ficlone(&probe.dst, &probe.src) {
            Ok(()) => Support::yes(format!("FICLONE works on {}", probe.filesystem)),
            Err(errno) => probe.failed("ioctl(FICLONE)", errno),
        }
    }
}
