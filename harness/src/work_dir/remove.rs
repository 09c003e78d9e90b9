//! Deleting a tree without ever following a symlink, from an open parent directory.
//!
//! `unlinkat` removes a symlink itself, so every entry is first unlinked; only an entry the
//! kernel says is a directory (`EISDIR`, or `EPERM` where POSIX allows it) is opened, with
//! `O_NOFOLLOW | O_DIRECTORY`, and emptied the same way. The walk keeps its own stack (no
//! recursion, so a tree thousands of levels deep cannot overflow it) and holds at most
//! [`OPEN_LEVELS`] descriptors: a level whose descriptor was closed is reopened as `..` of its
//! child and must be the same directory (device and inode) as before, or the walk stops.

use std::ffi::{OsStr, OsString};
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::os::unix::ffi::OsStrExt as _;
use std::path::PathBuf;

use rustix::fs::{AtFlags, Mode};
use rustix::io::Errno;

use super::dir::{Dir, DIR_FLAGS};
use super::freed::FreedInodes;
use super::WorkDirError;

/// Descriptors a removal may hold at once (far below any `RLIMIT_NOFILE`).
const OPEN_LEVELS: usize = 64;

/// One directory on the way down.
struct Level {
    /// `None` while closed to stay under [`OPEN_LEVELS`].
    dir: Option<rustix::fs::Dir>,
    /// Device and inode, to recognise it when it is reopened through `..`.
    id: (u64, u64),
}

fn identity(fd: BorrowedFd<'_>) -> Result<(u64, u64), Errno> {
    let st = rustix::fs::fstat(fd)?;
    Ok((st.st_dev, st.st_ino))
}

fn unlink(parent: BorrowedFd<'_>, name: &OsStr) -> Result<bool, Errno> {
    match rustix::fs::unlinkat(parent, name, AtFlags::empty()) {
        Ok(()) | Err(Errno::NOENT) => Ok(true),
        // Linux says EISDIR for a directory; POSIX also allows EPERM.
        Err(Errno::ISDIR) | Err(Errno::PERM) => Ok(false),
        Err(errno) => Err(errno),
    }
}

fn open_dir(parent: BorrowedFd<'_>, name: &OsStr) -> Result<OwnedFd, Errno> {
    rustix::fs::openat(parent, name, DIR_FLAGS, Mode::empty())
}

/// Removes `name` in `parent`, whatever it is, never following a symlink, and adds the inode
/// number of everything it deletes to `freed` (from the listing's `d_ino`, no extra call).
pub(super) fn remove_at(
    parent: &Dir,
    name: &OsStr,
    freed: &mut FreedInodes,
) -> Result<(), WorkDirError> {
    // The names from `parent` down to the current level, beside the stack, for messages.
    let failed = |op: &'static str, trail: &[OsString], last: Option<&OsStr>, errno: Errno| {
        let mut path: PathBuf = parent.path().to_owned();
        path.extend(trail);
        path.extend(last);
        WorkDirError::io(op, &path, errno)
    };
    // The one entry not read from a listing; a missing one frees nothing.
    let Ok(top) = rustix::fs::statat(parent.fd(), name, AtFlags::SYMLINK_NOFOLLOW) else {
        return Ok(());
    };
    if unlink(parent.fd(), name).map_err(|e| failed("delete", &[], Some(name), e))? {
        freed.push(top.st_ino);
        return Ok(());
    }
    let mut stack: Vec<Level> = Vec::new();
    let mut trail: Vec<OsString> = Vec::new();
    let fd = open_dir(parent.fd(), name).map_err(|e| failed("open", &[], Some(name), e))?;
    push(&mut stack, fd).map_err(|e| failed("open", &[], Some(name), e))?;
    trail.push(name.to_owned());
    loop {
        let Some(top) = stack.last_mut() else {
            return Ok(());
        };
        let dir = top.dir.as_mut().expect("the top level is always open");
        match dir.read() {
            Some(Ok(entry)) => {
                let child = OsStr::from_bytes(entry.file_name().to_bytes()).to_owned();
                if child == "." || child == ".." {
                    continue;
                }
                let fd = dir.fd().map_err(|e| failed("list", &trail, None, e))?;
                if unlink(fd, &child).map_err(|e| failed("delete", &trail, Some(&child), e))? {
                    freed.push(entry.ino());
                    continue;
                }
                let opened = open_dir(fd, &child);
                let opened = opened.map_err(|e| failed("open", &trail, Some(&child), e))?;
                push(&mut stack, opened).map_err(|e| failed("open", &trail, Some(&child), e))?;
                trail.push(child);
            }
            Some(Err(errno)) => return Err(failed("list", &trail, None, errno)),
            None => {
                let done = stack.pop().expect("a level to finish");
                let done_name = trail.pop().expect("one name per level");
                let done_dir = done.dir.expect("the top level is always open");
                let parent_fd = match stack.last_mut() {
                    None => parent.fd(),
                    Some(level) => {
                        if level.dir.is_none() {
                            reopen(level, &done_dir)
                                .map_err(|e| failed("reopen", &trail, None, e))?;
                        }
                        let dir = level.dir.as_ref().expect("just reopened");
                        dir.fd().map_err(|e| failed("list", &trail, None, e))?
                    }
                };
                drop(done_dir);
                match rustix::fs::unlinkat(parent_fd, &done_name, AtFlags::REMOVEDIR) {
                    Ok(()) => freed.push(done.id.1),
                    Err(Errno::NOENT) => {}
                    Err(errno) => return Err(failed("delete", &trail, Some(&done_name), errno)),
                }
            }
        }
    }
}

/// Pushes the directory `fd`, closing the deepest-but-
/// `OPEN_LEVELS` level's descriptor to bound how many are open.
fn push(stack: &mut Vec<Level>, fd: OwnedFd) -> Result<(), Errno> {
    let id = identity(fd.as_fd())?;
    stack.push(Level {
        dir: Some(rustix::fs::Dir::new(fd)?),
        id,
    });
    if stack.len() > OPEN_LEVELS {
        let index = stack.len() - 1 - OPEN_LEVELS;
        stack[index].dir = None;
    }
    Ok(())
}

/// Reopens `level` as `..` of its child `child`; it must be the directory it was.
fn reopen(level: &mut Level, child: &rustix::fs::Dir) -> Result<(), Errno> {
    let fd = open_dir(child.fd()?, OsStr::new(".."))?;
    if identity(fd.as_fd())? != level.id {
        // Moved while being deleted: stop rather than delete somewhere else.
        return Err(Errno::STALE);
    }
    level.dir = Some(rustix::fs::Dir::new(fd)?);
    Ok(())
}
