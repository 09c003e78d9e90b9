//! The one place the engine makes filesystem syscalls.
//!
//! Every function here counts the call it makes in the installed [`SyscallRecorder`] (by the
//! name strace prints), and can be made to fail on purpose with a [`Fault`]. Code above this
//! module never calls rustix or libc for file I/O, so the counts are the whole truth; a test
//! holds them against `strace -f -c`.
//!
//! # Platforms
//!
//! One backend per platform, chosen here by `cfg`, each offering the same functions; the code
//! above never asks which one it got, only [`BACKEND_MISSING`] and [`FCOPYFILE_MISSING`] say
//! what is absent, and the strategies report themselves unsupported with those reasons.
//!
//! | target         | backend                              | what works                          |
//! |----------------|--------------------------------------|-------------------------------------|
//! | Linux          | `linux.rs`, `ring.rs` (io_uring)     | every call                          |
//! | macOS          | `unsupported.rs` and `macos.rs`      | `fcopyfile(3)`; every other call fails with ENOSYS |
//! | other Unix     | `unsupported.rs`                     | nothing: every call fails with ENOSYS |
//! | not Unix       | none: the crate does not build (descriptors and `*at` calls are its ground) | |
//!
//! Shared by all: [`Fd`] (`fd.rs`), the counters and the recorder (`counters.rs`), faults
//! (`fault.rs`).

#[cfg(not(unix))]
compile_error!("copybench-engine needs a Unix: file descriptors and *at calls are its ground");

mod counters;
mod fault;
mod fd;

#[cfg(target_os = "linux")]
mod linux;
#[cfg(target_os = "linux")]
pub use linux::*;

#[cfg(target_os = "linux")]
mod ring;
#[cfg(target_os = "linux")]
pub use ring::{Completion, Ring};

#[cfg(not(target_os = "linux"))]
mod unsupported;
#[cfg(not(target_os = "linux"))]
pub use unsupported::*;

#[cfg(target_os = "macos")]
mod macos;
#[cfg(target_os = "macos")]
pub use macos::{fcopyfile, FCOPYFILE_MISSING};

use std::ffi::OsString;

use rustix::fs::FileType;

pub(crate) use counters::{gate, note_stat};
pub use counters::{
    is_stat_family_name, RecorderGuard, StatTarget, Syscall, SyscallCounts, SyscallRecorder,
};
pub use fault::Fault;
pub use fd::Fd;

/// Why this platform's backend cannot copy at all, or `None` where it can (Linux).
#[cfg(target_os = "linux")]
pub const BACKEND_MISSING: Option<&str> = None;

/// Why `fcopyfile(3)` is not here: it is macOS's.
#[cfg(not(target_os = "macos"))]
pub const FCOPYFILE_MISSING: Option<&str> =
    Some("fcopyfile(3) is a macOS API (<copyfile.h>); this build is not for macOS");

/// `fcopyfile(src, dst, NULL, COPYFILE_DATA)`: absent off macOS, so it fails with ENOSYS
/// (see [`FCOPYFILE_MISSING`]).
#[cfg(not(target_os = "macos"))]
pub fn fcopyfile(_src: &Fd, _dst: &Fd) -> rustix::io::Result<()> {
    Err(rustix::io::Errno::NOSYS)
}

/// The longest path the kernel takes, with its NUL: a path of this many bytes or more fails
/// with ENAMETOOLONG (4096 on Linux).
pub const PATH_MAX: usize = libc::PATH_MAX as usize;

/// One entry of a directory as `getdents64` (or the platform's equivalent) returns it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DirEntry {
    pub name: OsString,
    pub ino: u64,
    /// `d_type`; `Unknown` on filesystems that do not fill it in (the caller must stat).
    pub file_type: FileType,
}

/// The fallback backend, compiled on Linux too so that it keeps building where it cannot be
/// run: every call in it must fail with ENOSYS and make no syscall.
#[cfg(all(test, target_os = "linux"))]
#[allow(dead_code)]
#[path = "unsupported.rs"]
mod unsupported_backend;

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use std::path::Path;

    use rustix::fs::{Mode, OFlags};
    use rustix::io::Errno;

    use super::unsupported_backend as fallback;

    #[test]
    fn the_fallback_backend_reports_every_call_unsupported_and_makes_none() {
        let recorder = super::SyscallRecorder::new();
        recorder.run(|| {
            let dir = Path::new("/");
            assert_eq!(
                fallback::open(dir, OFlags::RDONLY, Mode::empty()).unwrap_err(),
                Errno::NOSYS
            );
            assert_eq!(fallback::stat(dir).unwrap_err(), Errno::NOSYS);
            assert_eq!(
                fallback::mkdirat(rustix::fs::CWD, dir, Mode::empty()),
                Err(Errno::NOSYS)
            );
            assert_eq!(fallback::filesystem_type(0xEF53), None);
        });
        assert_eq!(recorder.counts().total(), 0);
        assert!(fallback::BACKEND_MISSING.is_some_and(|why| why.contains("Linux")));
    }
}
