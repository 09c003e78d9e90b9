//! Walker `lean` (the default): `shutil.copytree`'s results and errors with as few syscalls as
//! Linux allows.
//!
//! - Directories are open descriptors; entries are opened and created with `*at` calls, so no
//!   path is resolved twice.
//! - `getdents64`'s d_type says what an entry is: no `lstat`/`isdir` per entry (a stat only
//!   where the filesystem leaves d_type unknown, or to follow a symlink).
//! - CPython's `_samefile` and named-pipe checks are made on the open descriptors: in a
//!   directory this copy created, the destination is opened `O_CREAT|O_EXCL`, which proves it
//!   is a new file (neither the source nor a pipe) without a stat; in an existing one
//!   (`dirs_exist_ok`) it is opened without truncating, `fstat`ed, compared with the source and
//!   only then truncated.
//! - `copy2`'s metadata goes through the descriptors (`futimens`, `flistxattr`, `fchmod`).
//!
//! Per regular file in a new directory: `openat` ×2, one `fstat`, the content calls, `utimensat`,
//! `flistxattr`, `fchmod`, `close` ×2 — one stat-family call where CPython 3.8 makes seven.

use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustix::fs::{AtFlags, FileType, Mode as FileMode, OFlags, Stat};
use rustix::io::Errno;

use super::cpython::{copyxattr, file_type};
use super::parallel::{DirCompletion, Executor};
use super::run::Run;
use crate::file::ContentError;
use crate::metadata::{copy_metadata_fd, copy_metadata_from_stat, timestamps};
use crate::sys::{self, DirEntry, Fd};
use crate::{CopyError, Mode};

/// A directory being copied: both ends open, their paths kept for error messages only.
struct Dir {
    src: Fd,
    dst: Fd,
    src_path: PathBuf,
    dst_path: PathBuf,
    /// Created by this copy (so it was empty): files in it can be created `O_EXCL`.
    fresh: bool,
}

impl Dir {
    fn src_name(&self, name: &OsStr) -> PathBuf {
        self.src_path.join(name)
    }

    fn dst_name(&self, name: &OsStr) -> PathBuf {
        self.dst_path.join(name)
    }
}

struct Lean<'s, 'e> {
    run: &'s Run<'s>,
    executor: &'e Executor<'s>,
    /// The destination's top directory (st_dev, st_ino): never walked into, so a destination
    /// inside the source copies only what was there at the start.
    destination: (u64, u64),
}

fn io(errno: Errno, op: &str, path: &Path, src: &Path, dst: &Path) -> CopyError {
    CopyError::io(errno, op, path, src, Some(dst))
}

pub(crate) fn copy_tree<'s>(
    run: &'s Run<'s>,
    executor: &Executor<'s>,
    src: &Path,
    dst: &Path,
) -> Result<(), CopyError> {
    let opened = sys::open(src, OFlags::RDONLY | OFlags::DIRECTORY, FileMode::empty())
        .map_err(|e| io(e, "scandir", src, src, dst))?;
    let src_stat = sys::fstat(&opened).map_err(|e| io(e, "stat", src, src, dst))?;
    // Listed before the destination exists, as CPython does (bpo-38688).
    let entries = sys::read_dir(&opened).map_err(|e| io(e, "scandir", src, src, dst))?;
    let (dst_fd, fresh) = make_top_dir(dst, run.options.dirs_exist_ok, src)?;
    let dst_stat = sys::fstat(&dst_fd).map_err(|e| io(e, "stat", dst, src, dst))?;
    run.dir_created();
    let lean = Lean {
        run,
        executor,
        destination: (dst_stat.st_dev as u64, dst_stat.st_ino as u64),
    };
    let dir = Dir {
        src: opened,
        dst: dst_fd,
        src_path: src.to_owned(),
        dst_path: dst.to_owned(),
        fresh,
    };
    lean.copy_entries(Arc::new(dir), src_stat, entries, &DirCompletion::root());
    Ok(())
}

/// `os.makedirs(dst, exist_ok=dirs_exist_ok)`, then the directory opened.
fn make_top_dir(dst: &Path, exist_ok: bool, src: &Path) -> Result<(Fd, bool), CopyError> {
    let mode = FileMode::from_raw_mode(0o777);
    let fresh = match sys::mkdirat(rustix::fs::CWD, dst, mode) {
        Ok(()) => true,
        Err(Errno::NOENT) => {
            make_parents(dst).map_err(|(e, at)| io(e, "mkdir", &at, src, dst))?;
            sys::mkdirat(rustix::fs::CWD, dst, mode).map_err(|e| io(e, "mkdir", dst, src, dst))?;
            true
        }
        Err(Errno::EXIST) if exist_ok => false,
        Err(e) => return Err(io(e, "mkdir", dst, src, dst)),
    };
    match sys::open(dst, OFlags::RDONLY | OFlags::DIRECTORY, FileMode::empty()) {
        Ok(fd) => Ok((fd, fresh)),
        // makedirs: an existing non-directory is the mkdir's FileExistsError.
        Err(Errno::NOTDIR) if !fresh => Err(io(Errno::EXIST, "mkdir", dst, src, dst)),
        Err(e) => Err(io(e, "open", dst, src, dst)),
    }
}

/// Creates the missing ancestors of `path` (makedirs' recursion), nearest last.
fn make_parents(path: &Path) -> Result<(), (Errno, PathBuf)> {
    let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) else {
        return Ok(());
    };
    let mode = FileMode::from_raw_mode(0o777);
    match sys::mkdirat(rustix::fs::CWD, parent, mode) {
        Ok(()) | Err(Errno::EXIST) => Ok(()),
        Err(Errno::NOENT) => {
            make_parents(parent)?;
            match sys::mkdirat(rustix::fs::CWD, parent, mode) {
                Ok(()) | Err(Errno::EXIST) => Ok(()),
                Err(e) => Err((e, parent.to_owned())),
            }
        }
        Err(e) => Err((e, parent.to_owned())),
    }
}

impl<'s> Lean<'s, '_> {
    /// `_copytree`'s loop over one directory, then its `copystat` once everything in it is done.
    fn copy_entries(
        &self,
        dir: Arc<Dir>,
        src_stat: Stat,
        entries: Vec<DirEntry>,
        completion: &Arc<DirCompletion<'s>>,
    ) {
        let run = self.run;
        for entry in entries {
            if run.ignored(&entry.name) {
                continue;
            }
            let seq = run.seq();
            if let Err(e) =
                self.copy_entry(&dir, entry.name.clone(), entry.file_type, completion, seq)
            {
                run.gather(
                    seq,
                    &dir.src_name(&entry.name),
                    &dir.dst_name(&entry.name),
                    e,
                );
            }
        }
        // copytree's `copystat(src, dst)`: times, xattrs and mode whatever the copy function.
        let seq = run.seq();
        completion.finish(Box::new(move || {
            // copystat(src, dst) of a directory stats it at this point, after its children.
            if let Err(e) = copy_metadata_fd(
                &dir.src,
                &src_stat,
                &dir.dst,
                Mode::Copy2,
                run.options.xattrs,
            ) {
                let error = e.into_copy_error(&dir.src_path, &dir.dst_path);
                run.gather(seq, &dir.src_path, &dir.dst_path, error);
            }
            // Every job inside has dropped its handle by now; close both ends explicitly (a
            // close error on a directory changes nothing that was copied).
            if let Ok(dir) = Arc::try_unwrap(dir) {
                let _ = dir.dst.close();
                let _ = dir.src.close();
            }
        }));
    }

    fn copy_entry(
        &self,
        dir: &Arc<Dir>,
        name: OsString,
        d_type: FileType,
        completion: &Arc<DirCompletion<'s>>,
        seq: u64,
    ) -> Result<(), CopyError> {
        let options = self.run.options;
        // Paths only for errors; the common case (a regular file) never builds them.
        let src_error = |e, op| {
            let (s, d) = (dir.src_name(&name), dir.dst_name(&name));
            io(e, op, &s, &s, &d)
        };
        let named_pipe = || {
            let (s, d) = (dir.src_name(&name), dir.dst_name(&name));
            CopyError::named_pipe(&s, &s, &d)
        };
        let kind = match d_type {
            FileType::Unknown => sys::statat(&dir.src, Path::new(&name), AtFlags::SYMLINK_NOFOLLOW)
                .map(|st| file_type(&st))
                .map_err(|e| src_error(e, "stat"))?,
            known => known,
        };
        match kind {
            FileType::Directory => self.copy_subdir(dir, &name, false, completion),
            FileType::Symlink if options.symlinks => self.copy_symlink(dir, &name),
            FileType::Symlink => {
                if options.ignore_dangling_symlinks {
                    // `if not os.path.exists(os.readlink(srcname)) and ignore_dangling_symlinks:
                    // continue`: CPython resolves a relative target against the working
                    // directory, not the link's, so a relative link can be skipped although it
                    // resolves where it is. Kept as CPython does it, for the same results.
                    let target = sys::readlinkat(&dir.src, Path::new(&name))
                        .map_err(|e| src_error(e, "readlink"))?;
                    if sys::stat(Path::new(&target)).is_err() {
                        return Ok(());
                    }
                }
                // What the link points to decides, as `srcentry.is_dir()` does.
                match sys::statat(&dir.src, Path::new(&name), AtFlags::empty()) {
                    // copy2 then fails to open the dangling link.
                    Err(e) => Err(src_error(e, "open")),
                    Ok(st) => match file_type(&st) {
                        FileType::Directory => self.copy_subdir(dir, &name, true, completion),
                        FileType::Fifo => Err(named_pipe()),
                        _ => {
                            self.copy_file(dir, name, completion, seq);
                            Ok(())
                        }
                    },
                }
            }
            // copyfile's `_stat(src)`: "`src` is a named pipe", before any open (which would block).
            FileType::Fifo => Err(named_pipe()),
            // Regular files, and sockets and devices, which CPython tries to open and copy.
            _ => {
                self.copy_file(dir, name, completion, seq);
                Ok(())
            }
        }
    }

    /// `copytree(srcentry, dstname)` for a subdirectory (or a link to one, followed).
    fn copy_subdir(
        &self,
        dir: &Arc<Dir>,
        name: &OsStr,
        follow: bool,
        completion: &Arc<DirCompletion<'s>>,
    ) -> Result<(), CopyError> {
        let (srcname, dstname) = (dir.src_name(name), dir.dst_name(name));
        let mut flags = OFlags::RDONLY | OFlags::DIRECTORY;
        if !follow {
            flags |= OFlags::NOFOLLOW;
        }
        let src = sys::openat(&dir.src, Path::new(name), flags, FileMode::empty())
            .map_err(|e| io(e, "scandir", &srcname, &srcname, &dstname))?;
        let src_stat = sys::fstat(&src).map_err(|e| io(e, "stat", &srcname, &srcname, &dstname))?;
        if (src_stat.st_dev as u64, src_stat.st_ino as u64) == self.destination {
            return Ok(());
        }
        let entries =
            sys::read_dir(&src).map_err(|e| io(e, "scandir", &srcname, &srcname, &dstname))?;
        let fresh = match sys::mkdirat(&dir.dst, Path::new(name), FileMode::from_raw_mode(0o777)) {
            Ok(()) => true,
            Err(Errno::EXIST) if self.run.options.dirs_exist_ok => false,
            Err(e) => return Err(io(e, "mkdir", &dstname, &srcname, &dstname)),
        };
        let dst = match sys::openat(
            &dir.dst,
            Path::new(name),
            OFlags::RDONLY | OFlags::DIRECTORY,
            FileMode::empty(),
        ) {
            Ok(fd) => fd,
            Err(Errno::NOTDIR) if !fresh => {
                return Err(io(Errno::EXIST, "mkdir", &dstname, &srcname, &dstname))
            }
            Err(e) => return Err(io(e, "open", &dstname, &srcname, &dstname)),
        };
        self.run.dir_created();
        let sub = Dir {
            src,
            dst,
            src_path: srcname,
            dst_path: dstname,
            fresh,
        };
        self.copy_entries(Arc::new(sub), src_stat, entries, &completion.child());
        Ok(())
    }

    /// `symlinks=True`: `os.symlink(os.readlink(src), dst)` and
    /// `copystat(src, dst, follow_symlinks=False)` (times and xattrs of the link itself; Linux
    /// has no lchmod, so no mode).
    fn copy_symlink(&self, dir: &Dir, name: &OsStr) -> Result<(), CopyError> {
        let (srcname, dstname) = (dir.src_name(name), dir.dst_name(name));
        let at = Path::new(name);
        let target = sys::readlinkat(&dir.src, at)
            .map_err(|e| io(e, "readlink", &srcname, &srcname, &dstname))?;
        sys::symlinkat(Path::new(&target), &dir.dst, at)
            .map_err(|e| io(e, "symlink", &dstname, &srcname, &dstname))?;
        self.run.symlink_created();
        let st = sys::statat(&dir.src, at, AtFlags::SYMLINK_NOFOLLOW)
            .map_err(|e| io(e, "stat", &srcname, &srcname, &dstname))?;
        sys::utimensat(&dir.dst, at, &timestamps(&st), AtFlags::SYMLINK_NOFOLLOW)
            .map_err(|e| io(e, "utime", &dstname, &srcname, &dstname))?;
        if !self.run.options.xattrs {
            return Ok(());
        }
        copyxattr(&srcname, &dstname, false)
    }

    /// `copy_function(srcentry, dstname)` for one file, on a worker when there are several.
    fn copy_file(
        &self,
        dir: &Arc<Dir>,
        name: OsString,
        completion: &Arc<DirCompletion<'s>>,
        seq: u64,
    ) {
        let run = self.run;
        completion.hold();
        let (dir, completion) = (Arc::clone(dir), Arc::clone(completion));
        self.executor.submit(Box::new(move || {
            let started = run.clock();
            match copy_file_at(run, &dir, &name) {
                Ok(bytes) => run.file_copied(bytes, started),
                Err(e) => run.gather(seq, &dir.src_name(&name), &dir.dst_name(&name), e),
            }
            // Let go of the directory before the last release runs its metadata step.
            drop(dir);
            completion.release();
        }));
    }
}

/// `copy2(src, dst)` (or `copy`, `copyfile`) of `name` from `dir.src` to `dir.dst`.
fn copy_file_at(run: &Run<'_>, dir: &Dir, name: &OsStr) -> Result<u64, CopyError> {
    let options = run.options;
    // Paths are only for error messages: made when something fails, not for every file.
    let srcname = || dir.src_name(name);
    let on_src = |op: &'static str| {
        move |e| {
            let (s, d) = (srcname(), dir.dst_name(name));
            io(e, op, &s, &s, &d)
        }
    };
    let at = Path::new(name);
    let src = sys::openat(
        &dir.src,
        at,
        OFlags::RDONLY | OFlags::NOCTTY,
        FileMode::empty(),
    )
    .map_err(on_src("open"))?;
    let st = sys::fstat(&src).map_err(on_src("stat"))?;
    match file_type(&st) {
        FileType::Directory => return Err(on_src("open")(Errno::ISDIR)),
        FileType::Fifo => {
            let (s, d) = (srcname(), dir.dst_name(name));
            return Err(CopyError::named_pipe(&s, &s, &d));
        }
        _ => {}
    }
    // `Some(path)` when the file went inside a directory in the way (see `open_existing`).
    let (dst, moved_into) = if dir.fresh {
        let dst = sys::openat(
            &dir.dst,
            at,
            OFlags::WRONLY | OFlags::CREATE | OFlags::EXCL | OFlags::NOCTTY,
            FileMode::from_raw_mode(0o666),
        )
        .map_err(|e| {
            let (s, d) = (srcname(), dir.dst_name(name));
            io(e, "open", &d, &s, &d)
        })?;
        (dst, None)
    } else {
        let (dst, path) = open_existing(dir, name, &st, &srcname(), options.mode)?;
        (dst, Some(path))
    };
    let names = || {
        let dst = moved_into.clone().unwrap_or_else(|| dir.dst_name(name));
        (srcname(), dst)
    };
    let named = |e: ContentError| {
        let (s, d) = names();
        e.into_copy_error(&s, &d)
    };
    let content = run
        .copy_content(&src, &dst, Some(st.st_size as u64))
        .map_err(named)?;
    // The times of the stat taken before reading, as copytree's `copy2(srcentry, ...)` copies
    // the DirEntry's cached stat (copy2 on a path would stat again after the read).
    copy_metadata_from_stat(&src, &st, &dst, options.mode, options.xattrs).map_err(named)?;
    dst.close().map_err(|e| {
        let (s, d) = names();
        io(e, "close", &d, &s, &d)
    })?;
    src.close().map_err(on_src("close"))?;
    Ok(content.bytes)
}

/// Opens the destination in a directory that already existed, with CPython's checks on the
/// descriptor instead of path stats: not the source itself (`SameFileError`, and nothing
/// truncated), not a named pipe (`SpecialFileError`, and no blocking open); a directory in
/// the way gets the file inside it, as `copy`/`copy2` do (`dst = os.path.join(dst, name)`).
fn open_existing(
    dir: &Dir,
    name: &OsStr,
    src_stat: &Stat,
    srcname: &Path,
    mode: Mode,
) -> Result<(Fd, PathBuf), CopyError> {
    let dstname = dir.dst_name(name);
    let flags = OFlags::WRONLY | OFlags::CREATE | OFlags::NONBLOCK | OFlags::NOCTTY;
    let perm = FileMode::from_raw_mode(0o666);
    let (dst, dstname) = match sys::openat(&dir.dst, Path::new(name), flags, perm) {
        Ok(fd) => (fd, dstname),
        // A FIFO with no reader refuses a non-blocking writer.
        Err(Errno::NXIO) => return Err(CopyError::named_pipe(&dstname, srcname, &dstname)),
        Err(Errno::ISDIR) if mode != Mode::Copyfile => {
            let inner = sys::openat(
                &dir.dst,
                Path::new(name),
                OFlags::RDONLY | OFlags::DIRECTORY,
                FileMode::empty(),
            )
            .map_err(|e| io(e, "open", &dstname, srcname, &dstname))?;
            let joined = dstname.join(name);
            let fd = sys::openat(&inner, Path::new(name), flags, perm)
                .map_err(|e| io(e, "open", &joined, srcname, &joined))?;
            (fd, joined)
        }
        Err(e) => return Err(io(e, "open", &dstname, srcname, &dstname)),
    };
    let dst_stat = sys::fstat(&dst).map_err(|e| io(e, "stat", &dstname, srcname, &dstname))?;
    if dst_stat.st_dev == src_stat.st_dev && dst_stat.st_ino == src_stat.st_ino {
        return Err(CopyError::same_file(srcname, &dstname));
    }
    if file_type(&dst_stat) == FileType::Fifo {
        return Err(CopyError::named_pipe(&dstname, srcname, &dstname));
    }
    sys::ftruncate(&dst, 0).map_err(|e| io(e, "open", &dstname, srcname, &dstname))?;
    Ok((dst, dstname))
}
