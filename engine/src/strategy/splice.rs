//! `splice(2)` through a pipe: source → pipe → destination, the data staying in kernel pages.
//! The pipe is grown to 1 MiB (the default `/proc/sys/fs/pipe-max-size`) when the kernel allows,
//! so each round trip moves up to 1 MiB instead of 64 KiB.

use rustix::io::Errno;

use super::{ContentStrategy, Probe, Support};
use crate::content::{ContentJob, Side, StrategyError};
use crate::sys::{self, Fd, Syscall};

pub(crate) struct Splice;

/// The pipe size asked for; the kernel may grant less (or refuse, leaving 64 KiB).
const PIPE_SIZE: usize = 1024 * 1024;
/// A pipe's size when F_SETPIPE_SZ is refused.
const DEFAULT_PIPE_SIZE: usize = 64 * 1024;

impl ContentStrategy for Splice {
    fn copy(&self, job: &ContentJob<'_>) -> Result<u64, StrategyError> {
        let (pipe_read, pipe_write) =
            sys::pipe().map_err(|errno| StrategyError::new("pipe2", errno, Side::Both, 0))?;
        let chunk = sys::set_pipe_size(&pipe_write, PIPE_SIZE).unwrap_or(DEFAULT_PIPE_SIZE);
        let mut written = 0u64;
        loop {
            let filled = match sys::splice(job.src, None, &pipe_write, None, chunk) {
                Ok(0) => return Ok(written),
                Ok(n) => n,
                Err(Errno::INTR) => continue,
                Err(errno) => return Err(StrategyError::new("splice", errno, Side::Src, written)),
            };
            drain(&pipe_read, job.dst, filled, &mut written)?;
        }
    }

    fn syscall(&self) -> Option<Syscall> {
        Some(Syscall::Splice)
    }

    fn content_syscalls(&self) -> &'static [Syscall] {
        &[Syscall::Pipe2, Syscall::Fcntl, Syscall::Splice]
    }

    fn probe(&self, probe: &Probe) -> Support {
        let job = ContentJob::new(&probe.src, &probe.dst, None);
        match self.copy(&job) {
            Ok(n) => probe.copied("splice through a pipe", n as usize),
            Err(e) => probe.failed("splice through a pipe", e.error.errno),
        }
    }
}

/// Moves `len` bytes sitting in the pipe to `dst`.
fn drain(pipe_read: &Fd, dst: &Fd, mut len: usize, written: &mut u64) -> Result<(), StrategyError> {
    while len > 0 {
        match sys::splice(pipe_read, None, dst, None, len) {
            Ok(0) => return Err(StrategyError::new("splice", Errno::IO, Side::Dst, *written)),
            Ok(n) => {
                len -= n;
                *written += n as u64;
            }
            Err(Errno::INTR) => continue,
            Err(errno) => return Err(StrategyError::new("splice", errno, Side::Dst, *written)),
        }
    }
    Ok(())
}
