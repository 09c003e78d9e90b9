//! What a lean walker's worker thread keeps to itself: its own descriptor table and its own
//! umask, and the creation mode that umask allows.
//!
//! - `unshare(CLONE_FILES)`: worker threads of one process share a descriptor table, whose
//!   lock every `openat` and `close` takes, and on a shared table every call on a descriptor
//!   takes a reference on its file (the kernel's `fdget` only skips it for a table of one user).
//!   A worker with its own table opens the directories it copies into itself (by path, as
//!   CPython's `copy2(srcname, dstname)` names them), so no descriptor crosses threads.
//! - `unshare(CLONE_FS)` then `umask(0)`: the worker can create a file with its final mode, so
//!   `copy`/`copy2` need no `fchmod` afterwards, where that gives exactly CPython's result
//!   ([`creation_mode`]). The calling thread's umask, and the process's, never change.

use std::cell::Cell;

use rustix::fs::Mode as FileMode;

use crate::metadata::Mode;
use crate::sys;

thread_local! {
    /// The process's umask, on a worker whose own umask is 0 (`None` everywhere else).
    static ZEROED_UMASK: Cell<Option<u32>> = const { Cell::new(None) };
}

/// Run first on each worker thread of the lean walker. Either step failing (a seccomp filter,
/// a kernel without the flag) leaves the thread as it was, which copies the same files with
/// a shared table or an `fchmod` after each file.
pub(crate) fn isolate_worker() {
    // SAFETY: a lean worker only uses descriptors it opens itself (see `lean.rs`: jobs carry
    // paths, not descriptors) and hands none back; the directory steps that run on it go by path.
    let _ = unsafe { sys::unshare_files() };
    if sys::unshare_fs().is_ok() {
        if let Ok(previous) = sys::umask(FileMode::empty()) {
            ZEROED_UMASK.with(|u| u.set(Some(previous.bits())));
        }
    }
}

/// How a new destination file is created on this thread: the mode given to `openat`, and
/// whether it is already the file's final one (no `fchmod` to follow).
///
/// CPython's `copyfile` creates with `0o666 & ~umask` and `copymode`/`copystat` then chmods to
/// `S_IMODE(src)`. Creating with `S_IMODE(src)` under a umask of 0 ends the same only when:
/// - the thread's umask is 0 (a worker after [`isolate_worker`]);
/// - the file is new in a directory that keeps a creation mode as given (`dir_keeps_mode`: this
///   copy created it, on a filesystem with POSIX modes, without a default ACL, which would
///   replace the umask and mask the mode);
/// - the mode has no setuid, setgid or sticky bit (the kernel strips setgid on creation for a
///   caller outside the file's group, where `chmod` after the write would keep it);
/// - the owner may write (`copystat` sets `user.*` xattrs before the chmod, which needs write
///   permission on the inode; CPython sets them while the file is still `0o666 & ~umask`).
///
/// Anywhere else, the mode is CPython's `0o666 & ~umask` (the process's umask, read once on
/// the worker), and the chmod follows.
pub(crate) fn creation_mode(dir_keeps_mode: bool, mode: Mode, src_mode: u32) -> (FileMode, bool) {
    let Some(umask) = ZEROED_UMASK.with(Cell::get) else {
        return (FileMode::from_raw_mode(0o666), false);
    };
    let bits = src_mode & 0o7777;
    if dir_keeps_mode && mode != Mode::Copyfile && bits & 0o7000 == 0 && bits & 0o200 != 0 {
        return (FileMode::from_raw_mode(bits), true);
    }
    (FileMode::from_raw_mode(0o666 & !umask), false)
}

/// The mode a file created with a final mode goes back to when its copy fails before the end:
/// CPython's `0o666 & ~umask`, which its half-made file has (the chmod never came).
pub(crate) fn cpython_creation_mode() -> FileMode {
    let umask = ZEROED_UMASK.with(Cell::get).unwrap_or(0);
    FileMode::from_raw_mode(0o666 & !umask)
}

/// Filesystems that apply a creation mode as POSIX says: `mode & ~umask`, or the default ACL's
/// masking where the directory has one (checked separately). Others (FUSE, network shares,
/// vfat) may map or ignore modes, where CPython's explicit chmod could end differently.
const KEEPS_CREATION_MODE: &[&str] = &["ext4", "xfs", "btrfs", "tmpfs"];

/// Whether files created in the directory `dst` (just made by this copy) get their creation mode
/// as given: a filesystem of [`KEEPS_CREATION_MODE`] and no default ACL. Two calls, made once
/// per tree (a directory created inside such a one inherits the answer: same filesystem, and
/// no default ACL to inherit).
pub(crate) fn dir_keeps_creation_mode(dst: &sys::Fd) -> bool {
    let local = sys::fstatfs(dst)
        .ok()
        .and_then(|fs| sys::filesystem_type(fs.f_type as u64))
        .is_some_and(|name| KEEPS_CREATION_MODE.contains(&name));
    if !local {
        return false;
    }
    // No default ACL: ENODATA (none set) or EOPNOTSUPP (ACLs off on this mount).
    matches!(
        sys::fgetxattr(dst, std::ffi::OsStr::new("system.posix_acl_default")),
        Err(rustix::io::Errno::NODATA | rustix::io::Errno::OPNOTSUPP)
    )
}
