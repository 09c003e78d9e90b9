//! The macOS backend's own call: `fcopyfile(3)`, macOS's in-kernel file copy (the rest of the
//! layer is the fallback's there). Not compiled, so not checked, on the machines this project
//! is built on; kept to the one libc call CPython's `_fastcopy_fcopyfile` makes.

use std::os::fd::AsRawFd;

use rustix::io::{Errno, Result};

use super::Fd;

/// fcopyfile exists here.
pub const FCOPYFILE_MISSING: Option<&str> = None;

/// `fcopyfile(src, dst, NULL, COPYFILE_DATA)`: the content, from both descriptors' positions.
pub fn fcopyfile(src: &Fd, dst: &Fd) -> Result<()> {
    // SAFETY: both descriptors are open for the duration of the call; no state is passed.
    let rc = unsafe {
        libc::fcopyfile(
            src.as_raw_fd(),
            dst.as_raw_fd(),
            std::ptr::null_mut(),
            libc::COPYFILE_DATA,
        )
    };
    if rc == 0 {
        Ok(())
    } else {
        Err(Errno::from_io_error(&std::io::Error::last_os_error()).unwrap_or(Errno::IO))
    }
}
