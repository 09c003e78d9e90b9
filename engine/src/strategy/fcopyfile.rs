//! `fcopyfile(3)` with `COPYFILE_DATA`: macOS's in-kernel file copy (CPython's
//! `_fastcopy_fcopyfile`). The call itself is in the syscall layer's macOS backend
//! (`sys/macos.rs`); on every other platform that layer says why it is missing, and the
//! strategy reports itself unsupported with that reason.

use rustix::io::Errno;

use super::{ContentStrategy, Probe, Support};
use crate::content::{ContentJob, GiveUp, Side, StrategyError};
use crate::sys;

pub(crate) struct Fcopyfile;

impl ContentStrategy for Fcopyfile {
    /// One call copies the whole file from the descriptors' positions; it reports no progress,
    /// so the size copied is the source's (or 0 when no size was read).
    fn copy(&self, job: &ContentJob<'_>) -> Result<u64, StrategyError> {
        sys::fcopyfile(job.src, job.dst)
            .map_err(|errno| StrategyError::new("fcopyfile", errno, Side::Both, 0))?;
        Ok(job.src_size.unwrap_or(0))
    }

    /// Not a syscall the counted layer covers: a libc function on macOS.
    fn syscall(&self) -> Option<sys::Syscall> {
        None
    }

    /// CPython's own rule for fcopyfile, narrower than the sendfile one:
    /// `if err.errno in {errno.EINVAL, errno.ENOTSUP}: raise _GiveupOnFastCopy(err)`,
    /// anything else is raised.
    fn give_up(&self, errno: Errno, _written: u64) -> GiveUp {
        match errno {
            Errno::INVAL | Errno::OPNOTSUPP => GiveUp::ThisFile,
            _ => GiveUp::No,
        }
    }

    fn unsupported_on_platform(&self) -> Option<&'static str> {
        sys::FCOPYFILE_MISSING
    }

    fn probe(&self, _probe: &Probe) -> Support {
        match sys::FCOPYFILE_MISSING {
            Some(reason) => Support::no(reason),
            None => Support::yes("fcopyfile(3) with COPYFILE_DATA"),
        }
    }
}
