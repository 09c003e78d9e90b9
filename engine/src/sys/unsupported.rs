//! The fallback backend, for a Unix copybench has no backend for: every call fails with ENOSYS
//! without being made (so nothing is counted), and [`BACKEND_MISSING`] says why. The functions
//! are those of `linux.rs`, less the Linux-only ones nothing above the layer calls (`statx`,
//! `fadvise`).

use std::ffi::{OsStr, OsString};
use std::os::fd::AsFd;
use std::path::Path;

use rustix::fs::{AtFlags, Mode, OFlags, Stat, Timestamps};
use rustix::io::{Errno, Result};

use super::{DirEntry, Fd};

/// Why nothing works here.
pub const BACKEND_MISSING: Option<&str> = Some(
    "copybench's syscall layer has a backend for Linux only (engine/src/sys/linux.rs); \
     on this platform every call reports ENOSYS",
);

/// What every call here returns.
fn missing<T>() -> Result<T> {
    Err(Errno::NOSYS)
}

pub fn openat<D: AsFd>(_dir: D, _path: &Path, _flags: OFlags, _mode: Mode) -> Result<Fd> {
    missing()
}

pub fn open(_path: &Path, _flags: OFlags, _mode: Mode) -> Result<Fd> {
    missing()
}

pub fn read<F: AsFd>(_fd: F, _buf: &mut [u8]) -> Result<usize> {
    missing()
}

pub fn write<F: AsFd>(_fd: F, _buf: &[u8]) -> Result<usize> {
    missing()
}

pub fn read_spare<F: AsFd>(_fd: F, _buf: &mut Vec<u8>) -> Result<usize> {
    missing()
}

pub fn pread<F: AsFd>(_fd: F, _buf: &mut [u8], _offset: u64) -> Result<usize> {
    missing()
}

pub fn pwrite<F: AsFd>(_fd: F, _buf: &[u8], _offset: u64) -> Result<usize> {
    missing()
}

pub fn preadv2_dontcache<F: AsFd>(_fd: F, _buf: &mut [u8]) -> Result<usize> {
    missing()
}

pub fn pwritev2_dontcache<F: AsFd>(_fd: F, _buf: &[u8]) -> Result<usize> {
    missing()
}

pub fn seek<F: AsFd>(_fd: F, _pos: rustix::fs::SeekFrom) -> Result<u64> {
    missing()
}

pub fn statat<D: AsFd>(_dir: D, _path: &Path, _flags: AtFlags) -> Result<Stat> {
    missing()
}

pub fn stat(_path: &Path) -> Result<Stat> {
    missing()
}

pub fn lstat(_path: &Path) -> Result<Stat> {
    missing()
}

pub fn fstat<F: AsFd>(_fd: F) -> Result<Stat> {
    missing()
}

pub fn statfs(_path: &Path) -> Result<rustix::fs::StatFs> {
    missing()
}

pub fn fstatfs<F: AsFd>(_fd: F) -> Result<rustix::fs::StatFs> {
    missing()
}

pub fn sendfile<O: AsFd, I: AsFd>(_out: O, _input: I, _count: usize) -> Result<usize> {
    missing()
}

pub fn copy_file_range<I: AsFd, O: AsFd>(
    _input: I,
    _off_in: Option<&mut u64>,
    _out: O,
    _off_out: Option<&mut u64>,
    _len: usize,
) -> Result<usize> {
    missing()
}

pub fn splice<I: AsFd, O: AsFd>(
    _input: I,
    _off_in: Option<&mut u64>,
    _out: O,
    _off_out: Option<&mut u64>,
    _len: usize,
) -> Result<usize> {
    missing()
}

pub fn pipe() -> Result<(Fd, Fd)> {
    missing()
}

pub fn set_pipe_size<F: AsFd>(_fd: F, _size: usize) -> Result<usize> {
    missing()
}

pub fn ficlone<D: AsFd, S: AsFd>(_dst: D, _src: S) -> Result<()> {
    missing()
}

pub fn isatty<F: AsFd>(_fd: F) -> Result<bool> {
    missing()
}

pub fn read_dir<F: AsFd>(_dir: F) -> Result<Vec<DirEntry>> {
    missing()
}

pub fn mkdirat<D: AsFd>(_dir: D, _path: &Path, _mode: Mode) -> Result<()> {
    missing()
}

pub fn symlinkat<D: AsFd>(_target: &Path, _dir: D, _path: &Path) -> Result<()> {
    missing()
}

pub fn readlinkat<D: AsFd>(_dir: D, _path: &Path) -> Result<OsString> {
    missing()
}

pub fn unlinkat<D: AsFd>(_dir: D, _path: &Path, _flags: AtFlags) -> Result<()> {
    missing()
}

pub fn linkat<D: AsFd, E: AsFd>(
    _old_dir: D,
    _old: &Path,
    _new_dir: E,
    _new: &Path,
    _flags: AtFlags,
) -> Result<()> {
    missing()
}

pub fn renameat<D: AsFd, E: AsFd>(
    _old_dir: D,
    _old: &Path,
    _new_dir: E,
    _new: &Path,
) -> Result<()> {
    missing()
}

/// # Safety
///
/// None needed: it makes no call.
pub unsafe fn unshare_files() -> Result<()> {
    missing()
}

pub fn unshare_fs() -> Result<()> {
    missing()
}

pub fn umask(_mask: Mode) -> Result<Mode> {
    missing()
}

pub fn fchmod<F: AsFd>(_fd: F, _mode: Mode) -> Result<()> {
    missing()
}

pub fn chmodat<D: AsFd>(_dir: D, _path: &Path, _mode: Mode) -> Result<()> {
    missing()
}

pub fn fchown<F: AsFd>(
    _fd: F,
    _uid: Option<rustix::fs::Uid>,
    _gid: Option<rustix::fs::Gid>,
) -> Result<()> {
    missing()
}

pub fn futimens<F: AsFd>(_fd: F, _times: &Timestamps) -> Result<()> {
    missing()
}

pub fn utimensat<D: AsFd>(
    _dir: D,
    _path: &Path,
    _times: &Timestamps,
    _flags: AtFlags,
) -> Result<()> {
    missing()
}

pub fn flistxattr<F: AsFd>(_fd: F) -> Result<Vec<OsString>> {
    missing()
}

pub fn llistxattr(_path: &Path) -> Result<Vec<OsString>> {
    missing()
}

pub fn listxattr(_path: &Path) -> Result<Vec<OsString>> {
    missing()
}

pub fn fgetxattr<F: AsFd>(_fd: F, _name: &OsStr) -> Result<Vec<u8>> {
    missing()
}

pub fn lgetxattr(_path: &Path, _name: &OsStr) -> Result<Vec<u8>> {
    missing()
}

pub fn getxattr(_path: &Path, _name: &OsStr) -> Result<Vec<u8>> {
    missing()
}

pub fn fsetxattr<F: AsFd>(_fd: F, _name: &OsStr, _value: &[u8]) -> Result<()> {
    missing()
}

pub fn lsetxattr(_path: &Path, _name: &OsStr, _value: &[u8]) -> Result<()> {
    missing()
}

pub fn setxattr(_path: &Path, _name: &OsStr, _value: &[u8]) -> Result<()> {
    missing()
}

/// A mapping that can never be made here.
pub struct Mapping(());

impl Mapping {
    pub fn map_readonly<F: AsFd>(_fd: F, _len: usize) -> Result<Mapping> {
        missing()
    }

    pub fn advise_sequential(&self) -> Result<()> {
        missing()
    }

    pub fn as_slice(&self) -> &[u8] {
        &[]
    }
}

pub fn ftruncate<F: AsFd>(_fd: F, _len: u64) -> Result<()> {
    missing()
}

pub fn fallocate<F: AsFd>(_fd: F, _offset: u64, _len: u64) -> Result<()> {
    missing()
}

pub fn fsync<F: AsFd>(_fd: F) -> Result<()> {
    missing()
}

pub fn fdatasync<F: AsFd>(_fd: F) -> Result<()> {
    missing()
}

pub fn syncfs<F: AsFd>(_fd: F) -> Result<()> {
    missing()
}

pub fn mkfifoat<D: AsFd>(_dir: D, _path: &Path, _mode: Mode) -> Result<()> {
    missing()
}

/// statfs magic numbers are Linux's; none is known here.
pub fn filesystem_type(_magic: u64) -> Option<&'static str> {
    None
}

/// What one queued io_uring operation came back with (see `ring.rs`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Completion {
    pub tag: u64,
    pub result: Result<usize>,
}

/// io_uring is Linux's: a ring is never made here.
pub struct Ring(());

impl Ring {
    pub fn with_buffers(_count: u16, _size: usize) -> Result<Ring> {
        missing()
    }

    pub fn with_depth(_depth: u32, _count: u16, _size: usize) -> Result<Ring> {
        missing()
    }

    pub fn cached(_depth: u32, _count: u16, _size: usize) -> Result<Ring> {
        missing()
    }

    pub fn put_back(self) {}

    pub fn is_idle(&self) -> bool {
        true
    }

    pub fn queue_close(&mut self, _fd: super::Fd, _tag: u64) -> Result<()> {
        missing()
    }

    pub fn take_descriptor(_result: usize) -> Result<super::Fd> {
        missing()
    }

    pub fn buffer_count(&self) -> u16 {
        0
    }

    pub fn buffer_size(&self) -> usize {
        0
    }

    pub fn buffer(&self, _index: u16) -> &[u8] {
        &[]
    }

    pub fn queue_read<F: AsFd>(
        &mut self,
        _fd: F,
        _index: u16,
        _offset: u64,
        _tag: u64,
    ) -> Result<()> {
        missing()
    }

    pub fn queue_write<F: AsFd>(
        &mut self,
        _fd: F,
        _index: u16,
        _range: std::ops::Range<usize>,
        _offset: u64,
        _tag: u64,
    ) -> Result<()> {
        missing()
    }

    pub fn submit_and_wait_all(&mut self) -> Result<Vec<Completion>> {
        missing()
    }
}
