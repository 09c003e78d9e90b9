//! A directory copybench owns, held open: everything below it is reached from its descriptor
//! with `*at` calls and `O_NOFOLLOW`, so a symlink planted where copybench keeps its own file or
//! directory is an error that names it, never a way out of the work directory.

use std::ffi::{OsStr, OsString};
use std::io::Write as _;
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::os::unix::ffi::OsStrExt as _;
use std::path::{Path, PathBuf};

use rustix::fs::{AtFlags, FileType, Mode, OFlags};
use rustix::io::Errno;

use super::freed::FreedInodes;
use super::{remove, WorkDirError};

/// How copybench opens its own directories: never through a symlink, never inherited.
pub(super) const DIR_FLAGS: OFlags = OFlags::RDONLY
    .union(OFlags::DIRECTORY)
    .union(OFlags::NOFOLLOW)
    .union(OFlags::CLOEXEC);

/// An open directory and the path it was opened at (for messages, and for the engine and
/// child processes, which take paths).
#[derive(Debug)]
pub struct Dir {
    fd: OwnedFd,
    path: PathBuf,
}

/// Free space of a filesystem, as an unprivileged user may use it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FreeSpace {
    pub bytes: u64,
    /// `None` on a filesystem that does not count inodes (btrfs reports 0 of 0).
    pub inodes: Option<u64>,
}

impl FreeSpace {
    /// `60.1 GiB (…) and 3000000 files`, for messages.
    pub fn describe(&self) -> String {
        let bytes = crate::size::ByteSize(self.bytes).human();
        match self.inodes {
            Some(inodes) => format!("{bytes} and {inodes} files"),
            None => bytes,
        }
    }
}

/// Where [`Dir::place_child`] made a directory.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Placed {
    pub inode: u64,
    /// Directories made, the last being the one kept (1: the first was accepted).
    pub attempts: u32,
    /// Whether the one kept was accepted (`false`: every try was refused).
    pub accepted: bool,
}

impl Dir {
    /// Opens the directory a user named (`--work-dir`, a scenario's `target`): symlinks in
    /// that path are the user's to choose and are followed; nothing below it is.
    pub fn open_named(path: &Path) -> Result<Dir, WorkDirError> {
        let flags = OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC;
        let fd = rustix::fs::open(path, flags, Mode::empty())
            .map_err(|errno| WorkDirError::io("open", path, errno))?;
        Ok(Dir {
            fd,
            path: path.to_owned(),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn fd(&self) -> BorrowedFd<'_> {
        self.fd.as_fd()
    }

    /// `path/name`, for the engine and for messages.
    pub fn join(&self, name: impl AsRef<Path>) -> PathBuf {
        self.path.join(name)
    }

    /// An error for `name` below this directory.
    pub(super) fn error(&self, op: &'static str, name: &OsStr, errno: Errno) -> WorkDirError {
        // O_NOFOLLOW on a symlink fails with ELOOP, or ENOTDIR with O_DIRECTORY.
        if matches!(errno, Errno::LOOP | Errno::NOTDIR) && self.is_symlink(name) {
            return WorkDirError::Symlink {
                path: self.join(name),
            };
        }
        WorkDirError::io(op, &self.join(name), errno)
    }

    fn is_symlink(&self, name: &OsStr) -> bool {
        rustix::fs::statat(&self.fd, name, AtFlags::SYMLINK_NOFOLLOW)
            .is_ok_and(|st| FileType::from_raw_mode(st.st_mode) == FileType::Symlink)
    }

    /// The subdirectory `name`, made if missing. A symlink there is refused, not followed.
    pub fn child(&self, name: impl AsRef<OsStr>) -> Result<Dir, WorkDirError> {
        let name = name.as_ref();
        match rustix::fs::mkdirat(&self.fd, name, Mode::from_raw_mode(0o777)) {
            Ok(()) | Err(Errno::EXIST) => {}
            Err(errno) => return Err(self.error("create", name, errno)),
        }
        self.open_child(name)
    }

    /// The subdirectory `name`, which must not exist yet (a private directory of this run).
    pub fn new_child(&self, name: impl AsRef<OsStr>) -> Result<Dir, WorkDirError> {
        let name = name.as_ref();
        rustix::fs::mkdirat(&self.fd, name, Mode::from_raw_mode(0o777))
            .map_err(|errno| self.error("create", name, errno))?;
        self.open_child(name)
    }

    /// The subdirectory `name` if it exists.
    pub fn existing_child(&self, name: impl AsRef<OsStr>) -> Result<Option<Dir>, WorkDirError> {
        match self.open_child(name.as_ref()) {
            Err(WorkDirError::Io {
                errno: Errno::NOENT,
                ..
            }) => Ok(None),
            other => other.map(Some),
        }
    }

    fn open_child(&self, name: &OsStr) -> Result<Dir, WorkDirError> {
        let fd = rustix::fs::openat(&self.fd, name, DIR_FLAGS, Mode::empty())
            .map_err(|errno| self.error("open", name, errno))?;
        Ok(Dir {
            fd,
            path: self.join(name),
        })
    }

    /// The content of the regular file `name`, or `None` if there is none.
    pub fn read(&self, name: impl AsRef<OsStr>) -> Result<Option<Vec<u8>>, WorkDirError> {
        use std::io::Read as _;
        let name = name.as_ref();
        let flags = OFlags::RDONLY | OFlags::NOFOLLOW | OFlags::CLOEXEC;
        let fd = match rustix::fs::openat(&self.fd, name, flags, Mode::empty()) {
            Ok(fd) => fd,
            Err(Errno::NOENT) => return Ok(None),
            Err(errno) => return Err(self.error("open", name, errno)),
        };
        let mut bytes = Vec::new();
        std::fs::File::from(fd)
            .read_to_end(&mut bytes)
            .map_err(|e| WorkDirError::from_io("read", &self.join(name), &e))?;
        Ok(Some(bytes))
    }

    /// Creates the regular file `name` (which must not exist) and returns it for writing.
    pub fn create_file(&self, name: impl AsRef<OsStr>) -> Result<std::fs::File, WorkDirError> {
        let name = name.as_ref();
        let flags =
            OFlags::WRONLY | OFlags::CREATE | OFlags::EXCL | OFlags::NOFOLLOW | OFlags::CLOEXEC;
        let fd = rustix::fs::openat(&self.fd, name, flags, Mode::from_raw_mode(0o666))
            .map_err(|errno| self.error("create", name, errno))?;
        Ok(std::fs::File::from(fd))
    }

    /// Writes `bytes` as `name` atomically (a temporary name, fsync, rename): a reader sees
    /// the old file or the new one, never a part. A symlink at `name` is refused.
    pub fn write_atomically(&self, name: &str, bytes: &[u8]) -> Result<(), WorkDirError> {
        if self.is_symlink(name.as_ref()) {
            return Err(WorkDirError::Symlink {
                path: self.join(name),
            });
        }
        let tmp = temporary_name(name);
        let _ = rustix::fs::unlinkat(&self.fd, tmp.as_str(), AtFlags::empty());
        let written = self.create_file(&tmp).and_then(|mut file| {
            let path = self.join(&tmp);
            file.write_all(bytes)
                .map_err(|e| WorkDirError::from_io("write", &path, &e))?;
            file.sync_all()
                .map_err(|e| WorkDirError::from_io("fsync", &path, &e))
        });
        let renamed = written.and_then(|()| {
            rustix::fs::renameat(&self.fd, tmp.as_str(), &self.fd, name)
                .map_err(|errno| self.error("rename into place", name.as_ref(), errno))
        });
        if renamed.is_err() {
            let _ = rustix::fs::unlinkat(&self.fd, tmp.as_str(), AtFlags::empty());
        }
        renamed
    }

    /// Renames `from` (in this directory) to `to` in `dest`, replacing nothing that is there.
    pub fn rename(&self, from: &str, dest: &Dir, to: &str) -> Result<(), WorkDirError> {
        rustix::fs::renameat(&self.fd, from, &dest.fd, to)
            .map_err(|errno| self.error("rename", from.as_ref(), errno))
    }

    /// Deletes `name` and, if it is a directory, everything in it. A symlink is removed
    /// itself, never followed; a missing `name` is fine.
    pub fn remove(&self, name: impl AsRef<OsStr>) -> Result<(), WorkDirError> {
        remove::remove_at(self, name.as_ref(), &mut FreedInodes::default())
    }

    /// Deletes the directory `name` only if it is empty (`rmdir`): one that still holds
    /// something, or is a mount point still in use, stays, and so does anything else there.
    pub fn remove_if_empty(&self, name: impl AsRef<OsStr>) -> Result<(), WorkDirError> {
        let name = name.as_ref();
        match rustix::fs::unlinkat(&self.fd, name, AtFlags::REMOVEDIR) {
            Ok(()) | Err(Errno::NOENT | Errno::NOTEMPTY | Errno::EXIST | Errno::BUSY) => Ok(()),
            Err(errno) => Err(self.error("rmdir", name, errno)),
        }
    }

    /// [`Dir::remove`], adding the inode numbers it frees to `freed`.
    pub fn remove_counting(
        &self,
        name: impl AsRef<OsStr>,
        freed: &mut FreedInodes,
    ) -> Result<(), WorkDirError> {
        remove::remove_at(self, name.as_ref(), freed)
    }

    /// The names in this directory (without `.` and `..`).
    pub fn names(&self) -> Result<Vec<OsString>, WorkDirError> {
        let mut dir = rustix::fs::Dir::read_from(&self.fd)
            .map_err(|errno| WorkDirError::io("list", &self.path, errno))?;
        let mut names = Vec::new();
        while let Some(entry) = dir.read() {
            let entry = entry.map_err(|errno| WorkDirError::io("list", &self.path, errno))?;
            let name = entry.file_name().to_bytes();
            if name != b"." && name != b".." {
                names.push(OsStr::from_bytes(name).to_owned());
            }
        }
        Ok(names)
    }

    /// Deletes everything in this directory, never following a symlink; returns the inode
    /// numbers freed.
    pub fn empty(&self) -> Result<FreedInodes, WorkDirError> {
        let mut freed = FreedInodes::default();
        for name in self.names()? {
            self.remove_counting(&name, &mut freed)?;
        }
        Ok(freed)
    }

    /// Makes the subdirectory `name` (which must not exist) where `accept` takes its inode
    /// number, trying up to `attempts` times: each try is a directory of another name, which
    /// the filesystem may place elsewhere (ext4 hashes the name of a directory made in a
    /// top-level one to start its search, `find_group_orlov`), then renamed to `name` (a rename
    /// keeps the inode). A refused try is kept, empty, under a hidden name until this
    /// directory is deleted: its group then has one more directory, which Orlov avoids, so the
    /// next try lands elsewhere. Returns the directory, its inode, the tries made, and whether
    /// the last was accepted (if not, it is used anyway).
    pub fn place_child(
        &self,
        name: &str,
        attempts: u32,
        accept: impl Fn(u64) -> bool,
    ) -> Result<(Dir, Placed), WorkDirError> {
        let mut tried = 0;
        loop {
            tried += 1;
            // A random part, so a try is not made under the name the previous run's same try
            // had: the same name hashes to the same starting group, the one that run just
            // freed (in nine back-to-back runs, each first apart one try later than the last).
            let candidate = format!(".{name}.place-{tried}-{:08x}", rand::random::<u32>());
            rustix::fs::mkdirat(&self.fd, candidate.as_str(), Mode::from_raw_mode(0o777))
                .map_err(|errno| self.error("create", candidate.as_ref(), errno))?;
            let inode = rustix::fs::statat(&self.fd, candidate.as_str(), AtFlags::SYMLINK_NOFOLLOW)
                .map_err(|errno| self.error("inspect", candidate.as_ref(), errno))?
                .st_ino;
            let accepted = accept(inode);
            if accepted || tried >= attempts.max(1) {
                rustix::fs::renameat(&self.fd, candidate.as_str(), &self.fd, name)
                    .map_err(|errno| self.error("rename into place", candidate.as_ref(), errno))?;
                let dir = self.open_child(name.as_ref())?;
                return Ok((
                    dir,
                    Placed {
                        inode,
                        attempts: tried,
                        accepted,
                    },
                ));
            }
        }
    }

    /// What the filesystem of this directory has free for an unprivileged user.
    pub fn free_space(&self) -> Result<FreeSpace, WorkDirError> {
        let st = rustix::fs::fstatvfs(&self.fd)
            .map_err(|errno| WorkDirError::io("measure the free space of", &self.path, errno))?;
        Ok(FreeSpace {
            bytes: st.f_bavail.saturating_mul(st.f_frsize),
            inodes: (st.f_files > 0).then_some(st.f_favail),
        })
    }

    /// A second descriptor of this directory, as a `File` (for `syncfs` and the like).
    pub fn try_clone_file(&self) -> Result<std::fs::File, WorkDirError> {
        let fd = self
            .fd
            .try_clone()
            .map_err(|e| WorkDirError::from_io("duplicate", &self.path, &e))?;
        Ok(std::fs::File::from(fd))
    }
}

/// The name `name` is written under before it is renamed into place. It starts with `.` and
/// ends with `.tmp-PID`, which is how leftovers of an interrupted run are recognised.
pub(super) fn temporary_name(name: &str) -> String {
    format!(".{name}{TEMPORARY_SUFFIX}{}", std::process::id())
}

/// The part of a temporary name before the process id.
pub(super) const TEMPORARY_SUFFIX: &str = ".tmp-";

/// Whether `name` was made by [`temporary_name`] (by any process).
pub fn is_temporary_name(name: &OsStr) -> bool {
    let name = name.to_string_lossy();
    name.starts_with('.')
        && name
            .rsplit_once(TEMPORARY_SUFFIX)
            .is_some_and(|(_, pid)| !pid.is_empty() && pid.bytes().all(|b| b.is_ascii_digit()))
}
