//! The descriptor type every backend hands out: an owned descriptor whose `close` is counted.
//! Plain POSIX (`close(2)`), so it is the same on every platform.

use std::fs::File;
use std::mem::ManuallyDrop;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, FromRawFd, IntoRawFd, OwnedFd, RawFd};

use rustix::io::Result;

use super::{gate, Syscall};

/// An open file descriptor whose `close` is counted when it drops.
#[derive(Debug)]
pub struct Fd(Option<OwnedFd>);

impl Fd {
    /// Takes ownership of a descriptor opened elsewhere (its close will be counted).
    pub fn from_owned(fd: OwnedFd) -> Fd {
        Fd(Some(fd))
    }

    /// Closes now, reporting the error `close` returns (dropping ignores it).
    pub fn close(mut self) -> Result<()> {
        let fd = self
            .0
            .take()
            .expect("an Fd holds its descriptor until closed");
        gate(Syscall::Close)?;
        let raw = fd.as_raw_fd();
        std::mem::forget(fd);
        // The raw syscall, as every other call here: libc's `close` is a cancellation point
        // and brackets each call with two cancellation-state changes (in a profile of the
        // 8000-file tree, a twelfth of the copy's user time).
        // SAFETY: `raw` was owned by `fd`, which was forgotten, so nothing else closes it.
        unsafe { rustix::io::try_close(raw) }
    }

    /// The descriptor as a `std` `File` that never closes it, for `std::io::copy` (whose
    /// syscalls the counted layer cannot see): the `Fd` keeps ownership and closes it, counted.
    pub fn as_std_file(&self) -> ManuallyDrop<File> {
        // SAFETY: the descriptor stays open while `self` lives, and ManuallyDrop keeps the
        // borrowed `File` from closing it.
        ManuallyDrop::new(unsafe { File::from_raw_fd(self.as_raw_fd()) })
    }

    /// Gives the descriptor up uncounted (for handing it to `std`).
    pub fn into_owned(mut self) -> OwnedFd {
        self.0
            .take()
            .expect("an Fd holds its descriptor until closed")
    }
}

impl Drop for Fd {
    fn drop(&mut self) {
        if let Some(fd) = self.0.take() {
            // A fault on close cannot be reported from drop; count the call all the same.
            let _ = gate(Syscall::Close);
            // Not `drop(fd)`: in debug builds std's OwnedFd::drop first checks the descriptor
            // with an uncounted fcntl(F_GETFD), which the strace test caught.
            let raw = fd.into_raw_fd();
            // SAFETY: `raw` came out of the OwnedFd just consumed; nothing else closes it.
            unsafe { rustix::io::close(raw) };
        }
    }
}

impl AsFd for Fd {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.0
            .as_ref()
            .expect("an Fd holds its descriptor until closed")
            .as_fd()
    }
}

impl AsRawFd for Fd {
    fn as_raw_fd(&self) -> RawFd {
        self.as_fd().as_raw_fd()
    }
}
