//! A read/write loop over one reused buffer, as `shutil._copyfileobj_readinto` does with a
//! memoryview over one bytearray.

use rustix::io::Errno;

use super::{write_all, ContentStrategy, Probe, Support};
use crate::content::{ContentJob, GiveUp, Side, StrategyError};
use crate::sys;

pub(crate) struct Readinto {
    pub chunk: usize,
}

impl ContentStrategy for Readinto {
    fn copy(&self, job: &ContentJob<'_>) -> Result<u64, StrategyError> {
        let mut buf = vec![0u8; self.chunk];
        let mut written = 0u64;
        loop {
            match sys::read(job.src, &mut buf) {
                // CPython's readinto loop also stops after a short read, which is only right
                // when st_size is true; continuing to the empty read copies /proc files and
                // growing sources whole too, for one more read(2).
                Ok(0) => return Ok(written),
                Ok(n) => {
                    write_all(job.dst, &buf[..n], &mut written)?;
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
