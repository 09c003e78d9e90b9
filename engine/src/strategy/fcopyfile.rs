//! `fcopyfile(3)`: macOS's in-kernel file copy (CPython's `_fastcopy_fcopyfile`). It exists only
//! on macOS; elsewhere the strategy reports itself unsupported, with the reason.

use super::{ContentJob, ContentStrategy, Probe, StrategyError, Support};

/// `fcopyfile` with `COPYFILE_DATA`.
pub(crate) struct Fcopyfile;

#[cfg(not(target_os = "macos"))]
pub(crate) const UNSUPPORTED_REASON: Option<&str> =
    Some("fcopyfile(3) is a macOS API (<copyfile.h>); this build is not for macOS");

#[cfg(target_os = "macos")]
pub(crate) const UNSUPPORTED_REASON: Option<&str> = None;

impl ContentStrategy for Fcopyfile {
    #[cfg(not(target_os = "macos"))]
    fn copy(&self, _job: &ContentJob<'_>) -> Result<u64, StrategyError> {
        // Never reached through copy_file, which refuses unsupported strategies up front.
        Err(StrategyError::new(
            "fcopyfile",
            rustix::io::Errno::NOSYS,
            crate::file::Side::Both,
            0,
        ))
    }

    #[cfg(target_os = "macos")]
    fn copy(&self, job: &ContentJob<'_>) -> Result<u64, StrategyError> {
        use std::os::fd::AsRawFd;
        // SAFETY: both descriptors are open for the duration of the call; no state is passed.
        let rc = unsafe {
            libc::fcopyfile(
                job.src.as_raw_fd(),
                job.dst.as_raw_fd(),
                std::ptr::null_mut(),
                libc::COPYFILE_DATA,
            )
        };
        if rc != 0 {
            let errno = rustix::io::Errno::from_io_error(&std::io::Error::last_os_error())
                .unwrap_or(rustix::io::Errno::IO);
            return Err(StrategyError::new(
                "fcopyfile",
                errno,
                crate::file::Side::Both,
                0,
            ));
        }
        Ok(job.src_size.unwrap_or(0))
    }

    fn probe(&self, _probe: &Probe) -> Support {
        match UNSUPPORTED_REASON {
            Some(reason) => Support::no(reason),
            None => Support::yes("fcopyfile(3) with COPYFILE_DATA"),
        }
    }
}
