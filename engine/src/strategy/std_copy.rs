//! Rust's own copy: `std::io::copy` between two `File`s, the same kernel-copy path
//! `std::fs::copy` takes on Linux (copy_file_range, then sendfile, then splice, then read/write).
//! It runs on the descriptors `copy_file` opened, so `--mode` keeps CPython's semantics (plain
//! `std::fs::copy` would always copy the permission bits).

use rustix::io::Errno;

use super::{ContentStrategy, Probe, Support};
use crate::content::{ContentJob, GiveUp, Side, StrategyError};

pub(crate) const UNCOUNTED_REASON: &str =
    "std::io::copy makes its syscalls inside the Rust standard library, out of the counted layer's sight";

pub(crate) struct StdCopy;

impl ContentStrategy for StdCopy {
    fn copy(&self, job: &ContentJob<'_>) -> Result<u64, StrategyError> {
        let mut reader = job.src.as_std_file();
        let mut writer = job.dst.as_std_file();
        std::io::copy(&mut *reader, &mut *writer).map_err(|error| {
            let errno = Errno::from_io_error(&error).unwrap_or(Errno::IO);
            // std does not say how far it got; `auto` never runs this strategy, so the give-up
            // rule never needs it.
            StrategyError::new("std::io::copy", errno, Side::Both, 0)
        })
    }

    fn syscall(&self) -> Option<crate::sys::Syscall> {
        None
    }

    /// std has already tried its own chain (copy_file_range, sendfile, splice, read/write).
    fn give_up(&self, _errno: Errno, _written: u64) -> GiveUp {
        GiveUp::No
    }

    fn probe(&self, _probe: &Probe) -> Support {
        Support::yes("std::io::copy picks a working syscall itself (syscalls not counted)")
    }
}
