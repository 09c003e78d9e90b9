//! `copy_file_range(2)` in CPython's block size, until it returns 0
//! (`shutil._fastcopy_copy_file_range`, CPython 3.14). On filesystems that support it, the kernel
//! may share extents (an implicit reflink) or copy server-side (NFS, SMB).

use rustix::io::Errno;

use super::{kernel_block_size, ContentStrategy, Probe, Support};
use crate::content::{ContentJob, Side, StrategyError};
use crate::sys::{self, Syscall};

pub(crate) struct CopyFileRange;

impl ContentStrategy for CopyFileRange {
    fn copy(&self, job: &ContentJob<'_>) -> Result<u64, StrategyError> {
        let block = kernel_block_size(job.src_size);
        let mut written = 0u64;
        loop {
            // Both files' own positions, used and advanced by the kernel.
            match sys::copy_file_range(job.src, None, job.dst, None, block) {
                Ok(0) => return Ok(written),
                Ok(n) => {
                    written += n as u64;
                    if job.complete_at(written) {
                        return Ok(written);
                    }
                }
                Err(Errno::INTR) => continue,
                Err(errno) => {
                    return Err(StrategyError::new(
                        "copy_file_range",
                        errno,
                        Side::Both,
                        written,
                    ))
                }
            }
        }
    }

    /// Some filesystems (procfs and sysfs on kernels 5.3–5.18, some FUSE) make copy_file_range
    /// return 0 at offset 0 although the source has content, so CPython gives up on a zero
    /// return before the first byte and lets the next strategy copy (also for an empty source,
    /// which the next strategy then copies as empty: TestZeroCopy*.test_empty_file).
    fn gives_up_on_empty_copy(&self) -> bool {
        true
    }

    fn syscall(&self) -> Option<Syscall> {
        Some(Syscall::CopyFileRange)
    }

    fn content_syscalls(&self) -> &'static [Syscall] {
        &[Syscall::CopyFileRange]
    }

    fn probe(&self, probe: &Probe) -> Support {
        match sys::copy_file_range(&probe.src, None, &probe.dst, None, 4096) {
            Ok(0) => Support::no(format!(
                "copy_file_range on {} returned 0 for a non-empty file",
                probe.filesystem
            )),
            Ok(n) => probe.copied("copy_file_range", n),
            Err(errno) => probe.failed("copy_file_range", errno),
        }
    }
}
