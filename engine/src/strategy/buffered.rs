//! A read/write loop with a fresh buffer for every chunk, as Python's
//! `fdst.write(fsrc.read(n))` in `shutil.copyfileobj` allocates a new bytes object each time.

use rustix::io::Errno;

use super::{write_all, ContentStrategy, Probe, Support};
use crate::content::{ContentJob, GiveUp, Side, StrategyError};
use crate::sys;

pub(crate) struct Buffered {
    pub chunk: usize,
}

impl ContentStrategy for Buffered {
    fn copy(&self, job: &ContentJob<'_>) -> Result<u64, StrategyError> {
        let mut written = 0u64;
        loop {
            // Uninitialised, like PyBytes_FromStringAndSize(NULL, n): the cost is the allocation
            // (and, for large chunks, the allocator's page faults), not a memset.
            let mut chunk = Vec::with_capacity(self.chunk);
            match sys::read_spare(job.src, &mut chunk) {
                // copyfileobj stops at the first empty read, never at st_size.
                Ok(0) => return Ok(written),
                Ok(_) => {
                    write_all(job.dst, &chunk, &mut written)?;
                    if job.complete_at(written) {
                        return Ok(written);
                    }
                }
                Err(Errno::INTR) => continue,
                Err(errno) => return Err(StrategyError::new("read", errno, Side::Src, written)),
            }
        }
    }

    fn syscall(&self) -> Option<crate::sys::Syscall> {
        None
    }

    fn content_syscalls(&self) -> &'static [crate::sys::Syscall] {
        &[crate::sys::Syscall::Read, crate::sys::Syscall::Write]
    }

    /// The last resort, as `shutil.copyfileobj` is: its error is the copy's.
    fn give_up(&self, _errno: Errno, _written: u64) -> GiveUp {
        GiveUp::No
    }

    fn probe(&self, _probe: &Probe) -> Support {
        Support::yes("read(2) and write(2) work on every file")
    }
}
