//! The Linux backend: counted wrappers over the syscalls the engine uses (rustix, or libc where
//! rustix has no wrapper). Each one calls [`gate`] first, so a fault can stand in for the real
//! call, and a stat-family call notes whether it resolved a path.

use std::ffi::{CStr, OsStr, OsString};
use std::os::fd::{AsFd, AsRawFd};
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::Path;

use rustix::fs::{AtFlags, FileType, Mode, OFlags, Stat, Statx, StatxFlags, Timestamps};
use rustix::io::{Errno, Result};

use super::{gate, note_stat, DirEntry, Fd, StatTarget, Syscall};

/// `openat(dirfd, path, flags | O_CLOEXEC, mode)`.
pub fn openat<D: AsFd>(dir: D, path: &Path, flags: OFlags, mode: Mode) -> Result<Fd> {
    gate(Syscall::Openat)?;
    rustix::fs::openat(dir, path, flags | OFlags::CLOEXEC, mode).map(Fd::from_owned)
}

/// `openat(AT_FDCWD, path, …)`: what `open(2)` is on current kernels.
pub fn open(path: &Path, flags: OFlags, mode: Mode) -> Result<Fd> {
    openat(rustix::fs::CWD, path, flags, mode)
}

/// `read(2)`.
pub fn read<F: AsFd>(fd: F, buf: &mut [u8]) -> Result<usize> {
    gate(Syscall::Read)?;
    rustix::io::read(fd, buf)
}

/// `write(2)`.
pub fn write<F: AsFd>(fd: F, buf: &[u8]) -> Result<usize> {
    gate(Syscall::Write)?;
    rustix::io::write(fd, buf)
}

/// `read(2)` into the spare capacity of `buf` (up to `buf.capacity() - buf.len()` bytes),
/// growing its length by what was read: a read into fresh, uninitialised memory, as CPython's
/// `read(n)` into a new bytes object is (no memset of the buffer first).
pub fn read_spare<F: AsFd>(fd: F, buf: &mut Vec<u8>) -> Result<usize> {
    gate(Syscall::Read)?;
    let before = buf.len();
    rustix::io::read(fd, rustix::buffer::spare_capacity(buf))?;
    Ok(buf.len() - before)
}

/// `pread64(2)`.
pub fn pread<F: AsFd>(fd: F, buf: &mut [u8], offset: u64) -> Result<usize> {
    gate(Syscall::Pread64)?;
    rustix::io::pread(fd, buf, offset)
}

/// `pwrite64(2)`.
pub fn pwrite<F: AsFd>(fd: F, buf: &[u8], offset: u64) -> Result<usize> {
    gate(Syscall::Pwrite64)?;
    rustix::io::pwrite(fd, buf, offset)
}

/// `RWF_DONTCACHE` from `linux/fs.h` (Linux 6.14): buffered I/O whose page-cache folios are
/// dropped once read, or once written back. rustix 1.1 has no name for it yet.
const RWF_DONTCACHE: u32 = 0x0000_0080;

/// `preadv2(fd, [buf], -1, RWF_DONTCACHE)`: an uncached read from the file's own position.
/// Kernels before 6.14 fail it with EINVAL (unknown flag), filesystems without support with
/// EOPNOTSUPP.
pub fn preadv2_dontcache<F: AsFd>(fd: F, buf: &mut [u8]) -> Result<usize> {
    gate(Syscall::Preadv2)?;
    let flags = rustix::io::ReadWriteFlags::from_bits_retain(RWF_DONTCACHE);
    // An offset of -1 (u64::MAX to rustix) uses and advances the file position, as read(2).
    rustix::io::preadv2(fd, &mut [std::io::IoSliceMut::new(buf)], u64::MAX, flags)
}

/// `pwritev2(fd, [buf], -1, RWF_DONTCACHE)`: an uncached write at the file's own position;
/// the written range is queued for writeback and leaves the page cache when that completes.
pub fn pwritev2_dontcache<F: AsFd>(fd: F, buf: &[u8]) -> Result<usize> {
    gate(Syscall::Pwritev2)?;
    let flags = rustix::io::ReadWriteFlags::from_bits_retain(RWF_DONTCACHE);
    rustix::io::pwritev2(fd, &[std::io::IoSlice::new(buf)], u64::MAX, flags)
}

/// `lseek(2)`.
pub fn seek<F: AsFd>(fd: F, pos: rustix::fs::SeekFrom) -> Result<u64> {
    gate(Syscall::Lseek)?;
    rustix::fs::seek(fd, pos)
}

/// `newfstatat(dirfd, path, flags)`: a path stat (`stat`, or `lstat` with
/// `AT_SYMLINK_NOFOLLOW`); with `AT_EMPTY_PATH` and an empty path it is counted as an fd stat.
pub fn statat<D: AsFd>(dir: D, path: &Path, flags: AtFlags) -> Result<Stat> {
    gate(Syscall::Newfstatat)?;
    note_stat(stat_target(path, flags));
    rustix::fs::statat(dir, path, flags)
}

/// `AT_EMPTY_PATH` with an empty path stats the descriptor itself, not a path.
fn stat_target(path: &Path, flags: AtFlags) -> StatTarget {
    if flags.contains(AtFlags::EMPTY_PATH) && path.as_os_str().is_empty() {
        StatTarget::Fd
    } else {
        StatTarget::Path
    }
}

/// `stat(path)`, as glibc and CPython make it: `newfstatat(AT_FDCWD, path, 0)`.
pub fn stat(path: &Path) -> Result<Stat> {
    statat(rustix::fs::CWD, path, AtFlags::empty())
}

/// `lstat(path)`: `newfstatat(AT_FDCWD, path, AT_SYMLINK_NOFOLLOW)`.
pub fn lstat(path: &Path) -> Result<Stat> {
    statat(rustix::fs::CWD, path, AtFlags::SYMLINK_NOFOLLOW)
}

/// `fstat(2)`.
pub fn fstat<F: AsFd>(fd: F) -> Result<Stat> {
    gate(Syscall::Fstat)?;
    note_stat(StatTarget::Fd);
    rustix::fs::fstat(fd)
}

/// `statx(2)`; counted as an fd stat with `AT_EMPTY_PATH` and an empty path.
pub fn statx<D: AsFd>(dir: D, path: &Path, flags: AtFlags, mask: StatxFlags) -> Result<Statx> {
    gate(Syscall::Statx)?;
    note_stat(stat_target(path, flags));
    rustix::fs::statx(dir, path, flags, mask)
}

/// `statfs(2)`.
pub fn statfs(path: &Path) -> Result<rustix::fs::StatFs> {
    gate(Syscall::Statfs)?;
    rustix::fs::statfs(path)
}

/// `fstatfs(2)`.
pub fn fstatfs<F: AsFd>(fd: F) -> Result<rustix::fs::StatFs> {
    gate(Syscall::Fstatfs)?;
    rustix::fs::fstatfs(fd)
}

/// `sendfile(out, in, NULL, count)`: copies from `input`'s file position.
pub fn sendfile<O: AsFd, I: AsFd>(out: O, input: I, count: usize) -> Result<usize> {
    gate(Syscall::Sendfile)?;
    rustix::fs::sendfile(out, input, None, count)
}

/// `copy_file_range(in, off_in, out, off_out, len, 0)`.
pub fn copy_file_range<I: AsFd, O: AsFd>(
    input: I,
    off_in: Option<&mut u64>,
    out: O,
    off_out: Option<&mut u64>,
    len: usize,
) -> Result<usize> {
    gate(Syscall::CopyFileRange)?;
    rustix::fs::copy_file_range(input, off_in, out, off_out, len)
}

/// `splice(2)` with `SPLICE_F_MOVE`, one end of which must be a pipe.
pub fn splice<I: AsFd, O: AsFd>(
    input: I,
    off_in: Option<&mut u64>,
    out: O,
    off_out: Option<&mut u64>,
    len: usize,
) -> Result<usize> {
    gate(Syscall::Splice)?;
    rustix::pipe::splice(
        input,
        off_in,
        out,
        off_out,
        len,
        rustix::pipe::SpliceFlags::MOVE,
    )
}

/// `pipe2(O_CLOEXEC)`: (read end, write end).
pub fn pipe() -> Result<(Fd, Fd)> {
    gate(Syscall::Pipe2)?;
    let (r, w) = rustix::pipe::pipe_with(rustix::pipe::PipeFlags::CLOEXEC)?;
    Ok((Fd::from_owned(r), Fd::from_owned(w)))
}

/// `fcntl(F_SETPIPE_SZ)`: returns the size the kernel granted.
pub fn set_pipe_size<F: AsFd>(fd: F, size: usize) -> Result<usize> {
    gate(Syscall::Fcntl)?;
    rustix::pipe::fcntl_setpipe_size(fd, size)
}

/// `ioctl(dst, FICLONE, src)`: a reflink of the whole file.
pub fn ficlone<D: AsFd, S: AsFd>(dst: D, src: S) -> Result<()> {
    gate(Syscall::Ioctl)?;
    rustix::fs::ioctl_ficlone(dst, src)
}

/// `ioctl(fd, TCGETS)`: whether `fd` is a terminal. CPython's `open()` makes this call on every
/// file it opens (`io.open` asks `raw.isatty()` to choose line buffering); the CPython walkers
/// make it too so their syscall pattern is CPython's, call for call.
pub fn isatty<F: AsFd>(fd: F) -> Result<bool> {
    gate(Syscall::Ioctl)?;
    // SAFETY: `termios` is plain old data the kernel fills in; the descriptor is open.
    let mut termios: libc::termios = unsafe { std::mem::zeroed() };
    // SAFETY: TCGETS writes one `struct termios` into a valid, exclusively borrowed buffer.
    let r = unsafe { libc::ioctl(fd.as_fd().as_raw_fd(), libc::TCGETS, &mut termios) };
    if r == 0 {
        return Ok(true);
    }
    match Errno::from_io_error(&std::io::Error::last_os_error()).unwrap_or(Errno::IO) {
        Errno::NOTTY => Ok(false),
        e => Err(e),
    }
}

/// Reads all entries of the open directory `dir` with `getdents64`, skipping `.` and `..`.
///
/// rustix's `RawDir` hides when it refills, so the buffer loop is here, where each refill is
/// one counted call (the last returns 0, as with `readdir`).
pub fn read_dir<F: AsFd>(dir: F) -> Result<Vec<DirEntry>> {
    // Large enough that a directory of a few hundred entries is one call, as glibc's 32 KiB is.
    let mut buf = vec![0u8; 32 * 1024];
    let mut entries = Vec::new();
    let raw = dir.as_fd().as_raw_fd();
    loop {
        gate(Syscall::Getdents64)?;
        // SAFETY: `buf` is valid for `buf.len()` bytes and `raw` is an open descriptor.
        let n = unsafe { libc::syscall(libc::SYS_getdents64, raw, buf.as_mut_ptr(), buf.len()) };
        if n < 0 {
            return Err(Errno::from_io_error(&std::io::Error::last_os_error()).unwrap_or(Errno::IO));
        }
        let n = n as usize;
        if n == 0 {
            return Ok(entries);
        }
        let mut offset = 0;
        while offset < n {
            // struct linux_dirent64 { u64 d_ino; i64 d_off; u16 d_reclen; u8 d_type; char d_name[]; }
            let record = &buf[offset..n];
            let ino = u64::from_ne_bytes(record[0..8].try_into().expect("8 bytes"));
            let reclen = u16::from_ne_bytes(record[16..18].try_into().expect("2 bytes")) as usize;
            let d_type = record[18];
            let name = CStr::from_bytes_until_nul(&record[19..reclen])
                .map_err(|_| Errno::IO)?
                .to_bytes();
            if name != b"." && name != b".." {
                entries.push(DirEntry {
                    name: OsStr::from_bytes(name).to_owned(),
                    ino,
                    file_type: file_type_from_d_type(d_type),
                });
            }
            offset += reclen;
        }
    }
}

/// `d_type` of a dirent as a [`FileType`] (`DT_UNKNOWN` and anything odd → `Unknown`).
fn file_type_from_d_type(d_type: u8) -> FileType {
    match d_type {
        libc::DT_REG => FileType::RegularFile,
        libc::DT_DIR => FileType::Directory,
        libc::DT_LNK => FileType::Symlink,
        libc::DT_FIFO => FileType::Fifo,
        libc::DT_SOCK => FileType::Socket,
        libc::DT_CHR => FileType::CharacterDevice,
        libc::DT_BLK => FileType::BlockDevice,
        _ => FileType::Unknown,
    }
}

/// `mkdirat(2)`.
pub fn mkdirat<D: AsFd>(dir: D, path: &Path, mode: Mode) -> Result<()> {
    gate(Syscall::Mkdirat)?;
    rustix::fs::mkdirat(dir, path, mode)
}

/// `symlinkat(target, dirfd, path)`.
pub fn symlinkat<D: AsFd>(target: &Path, dir: D, path: &Path) -> Result<()> {
    gate(Syscall::Symlinkat)?;
    rustix::fs::symlinkat(target, dir, path)
}

/// `readlinkat(2)`: the link's target, as bytes.
///
/// rustix's own `readlinkat` retries with a bigger buffer behind our back when a target fills
/// its first 256 bytes; here every call is counted, and the first buffer is PATH_MAX so a
/// target of any legal length takes one call.
pub fn readlinkat<D: AsFd>(dir: D, path: &Path) -> Result<OsString> {
    let dir = dir.as_fd();
    let mut size = libc::PATH_MAX as usize;
    loop {
        gate(Syscall::Readlinkat)?;
        let mut buf: Vec<u8> = Vec::with_capacity(size);
        let n = rustix::fs::readlinkat_raw(dir, path, rustix::buffer::spare_capacity(&mut buf))?;
        if n < size {
            return Ok(OsString::from_vec(buf));
        }
        size *= 2;
    }
}

/// `unlinkat(2)` (`AT_REMOVEDIR` for a directory).
pub fn unlinkat<D: AsFd>(dir: D, path: &Path, flags: AtFlags) -> Result<()> {
    gate(Syscall::Unlinkat)?;
    rustix::fs::unlinkat(dir, path, flags)
}

/// `linkat(2)`.
pub fn linkat<D: AsFd, E: AsFd>(
    old_dir: D,
    old: &Path,
    new_dir: E,
    new: &Path,
    flags: AtFlags,
) -> Result<()> {
    gate(Syscall::Linkat)?;
    rustix::fs::linkat(old_dir, old, new_dir, new, flags)
}

/// `renameat2(old_dir, old, new_dir, new, 0)`.
pub fn renameat<D: AsFd, E: AsFd>(old_dir: D, old: &Path, new_dir: E, new: &Path) -> Result<()> {
    gate(Syscall::Renameat2)?;
    rustix::fs::renameat_with(old_dir, old, new_dir, new, rustix::fs::RenameFlags::empty())
}

/// `fchmod(2)`.
pub fn fchmod<F: AsFd>(fd: F, mode: Mode) -> Result<()> {
    gate(Syscall::Fchmod)?;
    rustix::fs::fchmod(fd, mode)
}

/// `fchmodat(dirfd, path, mode, 0)` (Linux cannot chmod a symlink itself).
pub fn chmodat<D: AsFd>(dir: D, path: &Path, mode: Mode) -> Result<()> {
    gate(Syscall::Fchmodat)?;
    rustix::fs::chmodat(dir, path, mode, AtFlags::empty())
}

/// `fchown(2)`.
pub fn fchown<F: AsFd>(
    fd: F,
    uid: Option<rustix::fs::Uid>,
    gid: Option<rustix::fs::Gid>,
) -> Result<()> {
    gate(Syscall::Fchown)?;
    rustix::fs::fchown(fd, uid, gid)
}

/// `utimensat(fd, NULL, times, 0)`: what `futimens` is.
pub fn futimens<F: AsFd>(fd: F, times: &Timestamps) -> Result<()> {
    gate(Syscall::Utimensat)?;
    rustix::fs::futimens(fd, times)
}

/// `utimensat(dirfd, path, times, flags)` (`AT_SYMLINK_NOFOLLOW` sets a link's own times).
pub fn utimensat<D: AsFd>(dir: D, path: &Path, times: &Timestamps, flags: AtFlags) -> Result<()> {
    gate(Syscall::Utimensat)?;
    rustix::fs::utimensat(dir, path, times, flags)
}

/// Splits a `listxattr` buffer into names.
fn xattr_names(buf: &[u8]) -> Vec<OsString> {
    buf.split(|b| *b == 0)
        .filter(|n| !n.is_empty())
        .map(|n| OsStr::from_bytes(n).to_owned())
        .collect()
}

/// Calls a `*listxattr` or `*getxattr` with a buffer that grows on `ERANGE`, as CPython's
/// `os.listxattr` does, counting every call.
fn sized_call(call: Syscall, mut f: impl FnMut(&mut [u8]) -> Result<usize>) -> Result<Vec<u8>> {
    // The first try on the stack: this runs for every file copy2 copies, and most have no
    // attributes (nothing to allocate) or a few short names.
    let mut stack = [0u8; 256];
    let mut heap = Vec::new();
    let mut size = stack.len();
    loop {
        gate(call)?;
        let buf: &mut [u8] = if size == stack.len() {
            &mut stack
        } else {
            heap.resize(size, 0);
            &mut heap
        };
        match f(buf) {
            Ok(n) => return Ok(buf[..n].to_vec()),
            Err(Errno::RANGE) if size < 64 * 1024 * 1024 => size *= 4,
            Err(e) => return Err(e),
        }
    }
}

/// `flistxattr(2)`: the names of the open file's extended attributes.
pub fn flistxattr<F: AsFd>(fd: F) -> Result<Vec<OsString>> {
    let fd = fd.as_fd();
    sized_call(Syscall::Flistxattr, |buf| rustix::fs::flistxattr(fd, buf)).map(|b| xattr_names(&b))
}

/// `llistxattr(2)`: names of the attributes of `path` itself (not a link's target).
pub fn llistxattr(path: &Path) -> Result<Vec<OsString>> {
    sized_call(Syscall::Llistxattr, |buf| rustix::fs::llistxattr(path, buf))
        .map(|b| xattr_names(&b))
}

/// `listxattr(2)`: names of the attributes of what `path` resolves to.
pub fn listxattr(path: &Path) -> Result<Vec<OsString>> {
    sized_call(Syscall::Listxattr, |buf| rustix::fs::listxattr(path, buf)).map(|b| xattr_names(&b))
}

/// `fgetxattr(2)`.
pub fn fgetxattr<F: AsFd>(fd: F, name: &OsStr) -> Result<Vec<u8>> {
    let fd = fd.as_fd();
    sized_call(Syscall::Fgetxattr, |buf| {
        rustix::fs::fgetxattr(fd, name, buf)
    })
}

/// `lgetxattr(2)`.
pub fn lgetxattr(path: &Path, name: &OsStr) -> Result<Vec<u8>> {
    sized_call(Syscall::Lgetxattr, |buf| {
        rustix::fs::lgetxattr(path, name, buf)
    })
}

/// `getxattr(2)`.
pub fn getxattr(path: &Path, name: &OsStr) -> Result<Vec<u8>> {
    sized_call(Syscall::Getxattr, |buf| {
        rustix::fs::getxattr(path, name, buf)
    })
}

/// `fsetxattr(2)`.
pub fn fsetxattr<F: AsFd>(fd: F, name: &OsStr, value: &[u8]) -> Result<()> {
    gate(Syscall::Fsetxattr)?;
    rustix::fs::fsetxattr(fd, name, value, rustix::fs::XattrFlags::empty())
}

/// `lsetxattr(2)`.
pub fn lsetxattr(path: &Path, name: &OsStr, value: &[u8]) -> Result<()> {
    gate(Syscall::Lsetxattr)?;
    rustix::fs::lsetxattr(path, name, value, rustix::fs::XattrFlags::empty())
}

/// `setxattr(2)`.
pub fn setxattr(path: &Path, name: &OsStr, value: &[u8]) -> Result<()> {
    gate(Syscall::Setxattr)?;
    rustix::fs::setxattr(path, name, value, rustix::fs::XattrFlags::empty())
}

/// A read-only shared mapping of a whole file, unmapped (and counted) on drop.
pub struct Mapping {
    ptr: *mut std::ffi::c_void,
    len: usize,
}

impl Mapping {
    /// `mmap(NULL, len, PROT_READ, MAP_SHARED, fd, 0)`; `len` must be non-zero.
    pub fn map_readonly<F: AsFd>(fd: F, len: usize) -> Result<Mapping> {
        gate(Syscall::Mmap)?;
        // SAFETY: a fresh mapping chosen by the kernel; nothing else aliases it.
        let ptr = unsafe {
            rustix::mm::mmap(
                std::ptr::null_mut(),
                len,
                rustix::mm::ProtFlags::READ,
                rustix::mm::MapFlags::SHARED,
                fd,
                0,
            )?
        };
        Ok(Mapping { ptr, len })
    }

    /// `madvise(MADV_SEQUENTIAL)` over the whole mapping.
    pub fn advise_sequential(&self) -> Result<()> {
        gate(Syscall::Madvise)?;
        // SAFETY: the range is exactly this live mapping.
        unsafe { rustix::mm::madvise(self.ptr, self.len, rustix::mm::Advice::Sequential) }
    }

    /// The mapped bytes. Another process truncating the file makes reading them fault (SIGBUS),
    /// as with every mmap copy.
    pub fn as_slice(&self) -> &[u8] {
        // SAFETY: the mapping is `len` readable bytes and lives as long as `self`.
        unsafe { std::slice::from_raw_parts(self.ptr.cast::<u8>(), self.len) }
    }
}

impl Drop for Mapping {
    fn drop(&mut self) {
        let _ = gate(Syscall::Munmap);
        // SAFETY: unmapping exactly the range mapped in `map_readonly`, once.
        let _ = unsafe { rustix::mm::munmap(self.ptr, self.len) };
    }
}

// SAFETY: the mapping is read-only and owned; moving it between threads is sound.
unsafe impl Send for Mapping {}

/// `unshare(CLONE_FILES)`: the calling thread gets its own copy of the descriptor table, so
/// its `openat`/`close` no longer take the table lock other threads take, and the kernel's
/// `fdget` skips the reference count it needs on a shared table (`__fget_light`).
///
/// # Safety
///
/// After this call the thread must use only descriptors it opened itself, and must hand none
/// of them to another thread: a descriptor number means a different file (or none) in every
/// other table.
pub unsafe fn unshare_files() -> Result<()> {
    gate(Syscall::Unshare)?;
    // SAFETY: the caller keeps to the contract above.
    unsafe { rustix::thread::unshare_unsafe(rustix::thread::UnshareFlags::FILES) }
}

/// `unshare(CLONE_FS)`: the calling thread gets its own umask (and working directory, and
/// root), so a [`umask`] here changes no other thread's.
pub fn unshare_fs() -> Result<()> {
    gate(Syscall::Unshare)?;
    // SAFETY: CLONE_FS copies the umask, cwd and root; no descriptor changes meaning.
    unsafe { rustix::thread::unshare_unsafe(rustix::thread::UnshareFlags::FS) }
}

/// `umask(mask)`: sets the mask of the calling thread's `fs_struct` (the whole process's
/// unless [`unshare_fs`] came first) and returns the one it replaces.
pub fn umask(mask: Mode) -> Result<Mode> {
    gate(Syscall::Umask)?;
    Ok(rustix::process::umask(mask))
}

/// `ftruncate(2)`.
pub fn ftruncate<F: AsFd>(fd: F, len: u64) -> Result<()> {
    gate(Syscall::Ftruncate)?;
    rustix::fs::ftruncate(fd, len)
}

/// `fallocate(fd, 0, offset, len)`.
pub fn fallocate<F: AsFd>(fd: F, offset: u64, len: u64) -> Result<()> {
    gate(Syscall::Fallocate)?;
    rustix::fs::fallocate(fd, rustix::fs::FallocateFlags::empty(), offset, len)
}

/// `fsync(2)`.
pub fn fsync<F: AsFd>(fd: F) -> Result<()> {
    gate(Syscall::Fsync)?;
    rustix::fs::fsync(fd)
}

/// `fdatasync(2)`.
pub fn fdatasync<F: AsFd>(fd: F) -> Result<()> {
    gate(Syscall::Fdatasync)?;
    rustix::fs::fdatasync(fd)
}

/// `syncfs(2)`: writes back the whole filesystem `fd` is on.
pub fn syncfs<F: AsFd>(fd: F) -> Result<()> {
    gate(Syscall::Syncfs)?;
    rustix::fs::syncfs(fd)
}

/// `fadvise64(fd, offset, len, advice)`; `len` 0 means to the end of the file.
pub fn fadvise<F: AsFd>(fd: F, offset: u64, len: u64, advice: rustix::fs::Advice) -> Result<()> {
    gate(Syscall::Fadvise64)?;
    rustix::fs::fadvise(fd, offset, std::num::NonZeroU64::new(len), advice)
}

/// `mknodat(dirfd, path, S_IFIFO | mode, 0)`: makes a FIFO (for tests and fixtures).
pub fn mkfifoat<D: AsFd>(dir: D, path: &Path, mode: Mode) -> Result<()> {
    gate(Syscall::Mknodat)?;
    rustix::fs::mknodat(dir, path, FileType::Fifo, mode, 0)
}

/// The type of a filesystem by its `statfs` magic number, as the kernel names the type
/// (`/proc/filesystems`, mountinfo), from `linux/magic.h`; `None` for a number not listed.
/// ext2, ext3 and ext4 share one magic number (and one driver today): "ext4".
///
/// The one table of them in the workspace: the harness's environment record uses it too.
pub fn filesystem_type(magic: u64) -> Option<&'static str> {
    let name = match magic {
        0xEF53 => "ext4",
        0x9123_683E => "btrfs",
        0x5846_5342 => "xfs",
        0x0102_1994 => "tmpfs",
        0x794C_7630 => "overlay",
        0x6969 => "nfs",
        0x2FC1_2FC1 => "zfs",
        0xF2F5_2010 => "f2fs",
        0x6573_5546 => "fuse",
        0xFE53_4D42 => "smb2",
        0xFF53_4D42 => "cifs",
        0x9FA0 => "proc",
        0x6265_6572 => "sysfs",
        0x4d44 => "vfat",
        0x5346_544E => "ntfs",
        0xCA45_1A4E => "bcachefs",
        0x0102_1997 => "9p",
        _ => return None,
    };
    Some(name)
}
