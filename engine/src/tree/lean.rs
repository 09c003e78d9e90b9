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
//! - The walk is a loop over an explicit stack, and at most [`OPEN_DIRS`] directories hold
//!   descriptors, so neither the stack nor the descriptors grow with the tree's depth. Where
//!   CPython's path calls fail and this walker's `*at` calls would not (a path of PATH_MAX
//!   bytes or more, a path through more than 40 symlinks of a link loop), it makes the same
//!   check or the same path stat, and ends where CPython ends.
//!
//! - With worker threads (`jobs` > 1), the walker stays on the calling thread and hands each
//!   directory's files to one worker as one job, which hands half of what it has left to a
//!   worker that would otherwise wait; workers have their own descriptor tables and umask
//!   (`isolation.rs`), open the directory's two ends by path, and create files with their final
//!   mode where that ends as CPython's chmod would.
//!
//! Per regular file in a new directory: `openat` ×2, one `fstat`, the content calls, `utimensat`,
//! `flistxattr`, `fchmod` (not on a worker, where the creation mode is final), `close` ×2 — one
//! stat-family call where CPython 3.8 makes seven.

use std::ffi::{OsStr, OsString};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Weak};

use rustix::fs::{AtFlags, FileType, Mode as FileMode, OFlags, Stat};
use rustix::io::Errno;

use super::batch;
use super::cpython::{copyxattr, file_type, Python, Shutil, SrcObj};
use super::file_list::FileList;
use super::isolation;
use super::parallel::{DirCompletion, Executor, Spawner};
use super::run::{JobTotals, Run};
use crate::content::{ContentError, Strategy};
use crate::error::CopyError;
use crate::metadata::{copy_metadata_fd, copy_metadata_from_stat, timestamps, Mode};
use crate::sys::{self, DirEntry, Fd};

/// Directories whose two descriptors the walk keeps open at once. Deeper ones on the way down
/// are parked (closed) and reopened by path if the walk comes back to list more of them: a
/// tree thousands of levels deep needs a bounded number of descriptors, and its paths, which
/// CPython's outcome keeps under `PATH_MAX`, can always be opened again.
const OPEN_DIRS: usize = 32;

/// Where a directory of the copy is and what copying files into it needs to know: all that a
/// job on a worker gets (descriptors never cross threads: a worker may have its own table).
#[derive(Clone, Debug)]
pub(super) struct DirPaths {
    pub(super) src_path: PathBuf,
    pub(super) dst_path: PathBuf,
    /// Created by this copy (so it was empty): files in it can be created `O_EXCL`.
    pub(super) fresh: bool,
    /// Files created in it get the creation mode given (see `isolation::creation_mode`).
    pub(super) keeps_mode: bool,
    /// The source directory's (st_dev, st_ino), to check a reopened one is the same.
    src_id: (u64, u64),
    /// The destination directory's, for the same check: a path reopened is only trusted as the
    /// directory this copy made or opened, never whatever a rename or symlink put there since.
    dst_id: (u64, u64),
}

impl DirPaths {
    fn src_name(&self, name: &OsStr) -> PathBuf {
        self.src_path.join(name)
    }

    fn dst_name(&self, name: &OsStr) -> PathBuf {
        self.dst_path.join(name)
    }
}

/// A directory being copied: both ends open, with its paths (for error messages, for reopening
/// a parked directory, and for the jobs copying its files on workers).
pub(super) struct Dir {
    pub(super) src: Fd,
    pub(super) dst: Fd,
    pub(super) paths: DirPaths,
}

impl Dir {
    pub(super) fn src_name(&self, name: &OsStr) -> PathBuf {
        self.paths.src_name(name)
    }

    pub(super) fn dst_name(&self, name: &OsStr) -> PathBuf {
        self.paths.dst_name(name)
    }
}

/// A directory of the walk: open, or parked with what reopens it.
enum Slot {
    Open(Arc<Dir>),
    Parked {
        /// Still alive while jobs queued in it hold it (inline copies only).
        dir: Weak<Dir>,
        paths: DirPaths,
    },
}

/// One directory on the walk's explicit stack (the walk is a loop, not a recursion, so its
/// stack does not grow with the tree's depth).
struct Frame<'s> {
    slot: Slot,
    entries: std::vec::IntoIter<DirEntry>,
    src_stat: Stat,
    completion: Arc<DirCompletion<'s>>,
    /// Regular files listed and not yet handed to a worker, with their walk positions: with
    /// worker threads, a directory's files go to one worker as one job (see `Lean::flush`).
    pending: FileList,
}

impl Frame<'_> {
    fn paths(&self) -> &DirPaths {
        match &self.slot {
            Slot::Open(dir) => &dir.paths,
            Slot::Parked { paths, .. } => paths,
        }
    }

    fn park(&mut self) {
        if let Slot::Open(dir) = &self.slot {
            self.slot = Slot::Parked {
                dir: Arc::downgrade(dir),
                paths: dir.paths.clone(),
            };
        }
    }

    /// The directory, reopened by path if it was parked and nothing kept it open.
    fn open(&mut self) -> Result<Arc<Dir>, CopyError> {
        let dir = match &self.slot {
            Slot::Open(dir) => return Ok(Arc::clone(dir)),
            Slot::Parked { dir, paths } => match dir.upgrade() {
                Some(dir) => dir,
                None => Arc::new(reopen(paths)?),
            },
        };
        self.slot = Slot::Open(Arc::clone(&dir));
        Ok(dir)
    }
}

/// Opens a directory's two ends again by path (a parked directory, or the one a worker copies
/// files into); on failure, the errno, the call and whether it was the source's.
fn open_by_path(paths: &DirPaths) -> Result<Dir, (Errno, &'static str, bool)> {
    let flags = OFlags::RDONLY | OFlags::DIRECTORY;
    let src =
        sys::open(&paths.src_path, flags, FileMode::empty()).map_err(|e| (e, "scandir", true))?;
    let st = sys::fstat(&src).map_err(|e| (e, "stat", true))?;
    if identity(&st) != paths.src_id {
        // Replaced while it was being copied: what is there now is not what was listed.
        return Err((Errno::STALE, "scandir", true));
    }
    let dst =
        sys::open(&paths.dst_path, flags, FileMode::empty()).map_err(|e| (e, "open", false))?;
    let st = sys::fstat(&dst).map_err(|e| (e, "stat", false))?;
    if identity(&st) != paths.dst_id {
        return Err((Errno::STALE, "open", false));
    }
    Ok(Dir {
        src,
        dst,
        paths: paths.clone(),
    })
}

/// [`open_by_path`] for the walker: the error names the directory.
fn reopen(paths: &DirPaths) -> Result<Dir, CopyError> {
    let (src, dst) = (&paths.src_path, &paths.dst_path);
    open_by_path(paths)
        .map_err(|(e, op, on_src)| io(e, op, if on_src { src } else { dst }, src, dst))
}

/// A file's (st_dev, st_ino): which file it is.
#[allow(clippy::unnecessary_cast)] // u64 on Linux, narrower on other Unixes
fn identity(st: &Stat) -> (u64, u64) {
    (st.st_dev as u64, st.st_ino as u64)
}

/// The length of `dir.join(name)`, without building it.
fn joined_len(dir: &Path, name: &OsStr) -> usize {
    let dir = dir.as_os_str().as_bytes();
    let slash = usize::from(!dir.is_empty() && !dir.ends_with(b"/"));
    dir.len() + slash + name.len()
}

/// Whether CPython's path for `name` in `dir` is one the kernel refuses (ENAMETOOLONG: a path
/// of `PATH_MAX` bytes or more). CPython names every entry by its full path; this walker never
/// resolves those paths, so it makes the same check to end where CPython ends (a tree 6000
/// levels deep: the first directory whose path reaches PATH_MAX is one gathered error).
pub(super) fn too_long(dir: &Path, name: &OsStr) -> bool {
    joined_len(dir, name) >= sys::PATH_MAX
}

struct Lean<'s, 'e> {
    run: &'s Run<'s>,
    executor: &'e Executor<'s>,
    /// The destination's top directory (st_dev, st_ino): never walked into, so a destination
    /// inside the source copies only what was there at the start.
    destination: (u64, u64),
}

pub(super) fn io(errno: Errno, op: &str, path: &Path, src: &Path, dst: &Path) -> CopyError {
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
        destination: identity(&dst_stat),
    };
    let keeps_mode = fresh && executor.is_pool() && isolation::dir_keeps_creation_mode(&dst_fd);
    let dir = Dir {
        src: opened,
        dst: dst_fd,
        paths: DirPaths {
            src_path: src.to_owned(),
            dst_path: dst.to_owned(),
            fresh,
            keeps_mode,
            src_id: identity(&src_stat),
            dst_id: identity(&dst_stat),
        },
    };
    lean.walk(Frame {
        slot: Slot::Open(Arc::new(dir)),
        entries: entries.into_iter(),
        src_stat,
        completion: DirCompletion::root(),
        pending: FileList::default(),
    });
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

/// Creates the missing ancestors of `path` (what makedirs' recursion does), outermost first,
/// with a loop: going up while the mkdir says ENOENT, then back down.
fn make_parents(path: &Path) -> Result<(), (Errno, PathBuf)> {
    let mode = FileMode::from_raw_mode(0o777);
    let mut missing = Vec::new();
    let mut at = path.parent();
    while let Some(parent) = at.filter(|p| !p.as_os_str().is_empty()) {
        match sys::mkdirat(rustix::fs::CWD, parent, mode) {
            Ok(()) | Err(Errno::EXIST) => break,
            Err(Errno::NOENT) => missing.push(parent),
            Err(e) => return Err((e, parent.to_owned())),
        }
        at = parent.parent();
    }
    for parent in missing.into_iter().rev() {
        match sys::mkdirat(rustix::fs::CWD, parent, mode) {
            Ok(()) | Err(Errno::EXIST) => {}
            Err(e) => return Err((e, parent.to_owned())),
        }
    }
    Ok(())
}

impl<'s> Lean<'s, '_> {
    /// `_copytree`'s loop over each directory, depth first as CPython's recursion goes, on an
    /// explicit stack; a directory's `copystat` once everything in it is done.
    fn walk(&self, root: Frame<'s>) {
        let run = self.run;
        let mut stack = vec![root];
        while let Some(top) = stack.last_mut() {
            let Some(entry) = top.entries.next() else {
                if let Some(frame) = stack.pop() {
                    self.finish(frame);
                }
                continue;
            };
            if run.ignored(&entry.name) {
                continue;
            }
            let seq = run.seq();
            let dir = match top.open() {
                Ok(dir) => dir,
                Err(e) => {
                    // The directory cannot be listed further: its error, once.
                    let paths = top.paths();
                    run.gather(seq, &paths.src_path, &paths.dst_path, e);
                    top.entries = Vec::new().into_iter();
                    continue;
                }
            };
            let completion = Arc::clone(&top.completion);
            match self.copy_entry(&dir, &entry, &completion) {
                Ok(Entry::Descend(child)) => {
                    // The files listed so far go to a worker before the walk goes down.
                    self.flush(top);
                    stack.push(*child);
                    park_beyond(&mut stack, OPEN_DIRS);
                }
                Ok(Entry::File) if self.executor.is_pool() => top.pending.push(&entry.name, seq),
                Ok(Entry::File) => self.copy_file(&dir, entry.name, &completion, seq),
                Ok(Entry::Done) => {}
                Err(e) => run.gather(
                    seq,
                    &dir.src_name(&entry.name),
                    &dir.dst_name(&entry.name),
                    e,
                ),
            }
        }
    }

    /// copytree's `copystat(src, dst)` of a directory whose entries are all walked: times,
    /// xattrs and mode whatever the copy function, once the work inside has finished.
    fn finish(&self, mut frame: Frame<'s>) {
        self.flush(&mut frame);
        let run = self.run;
        let seq = run.seq();
        let Frame {
            slot,
            src_stat,
            completion,
            ..
        } = frame;
        // With workers the last piece to finish may run on one with its own descriptor table:
        // the step goes by path there, and the directory's descriptors close here, now.
        let handle = match slot {
            Slot::Open(dir) if !self.executor.is_pool() => Ok(dir),
            Slot::Open(dir) => Err(dir.paths.clone()),
            Slot::Parked { dir, paths } => dir.upgrade().ok_or(paths),
        };
        completion.finish(Box::new(move || match handle {
            // copystat(src, dst) of a directory stats it at this point, after its children.
            Ok(dir) => {
                if let Err(e) = copy_metadata_fd(
                    &dir.src,
                    &src_stat,
                    &dir.dst,
                    Mode::Copy2,
                    run.options.xattrs,
                ) {
                    let (src, dst) = (&dir.paths.src_path, &dir.paths.dst_path);
                    run.gather(seq, src, dst, e.into_copy_error(src, dst));
                }
                // Every job inside has dropped its handle by now; close both ends explicitly
                // (a close error on a directory changes nothing that was copied).
                if let Ok(dir) = Arc::try_unwrap(dir) {
                    let _ = dir.dst.close();
                    let _ = dir.src.close();
                }
            }
            // By path, as CPython's copystat does it.
            Err(paths) => {
                let shutil = Shutil {
                    python: Python::V38,
                    mode: Mode::Copy2,
                    xattrs: run.options.xattrs,
                };
                let (src, dst) = (paths.src_path, paths.dst_path);
                if let Err(e) = shutil.copystat(&mut SrcObj::Path(src.clone()), &dst, true) {
                    run.gather(seq, &src, &dst, e);
                }
            }
        }));
    }

    /// Hands the files of `frame` listed so far to a worker, as one job (see
    /// [`submit_files`]).
    fn flush(&self, frame: &mut Frame<'s>) {
        if frame.pending.is_empty() {
            return;
        }
        let files = std::mem::take(&mut frame.pending);
        submit_files(
            self.run,
            self.executor.spawner(),
            frame.paths().clone(),
            files,
            &frame.completion,
        );
    }

    /// One entry of `_copytree`'s loop; a subdirectory comes back as the frame to walk next.
    fn copy_entry(
        &self,
        dir: &Arc<Dir>,
        entry: &DirEntry,
        completion: &Arc<DirCompletion<'s>>,
    ) -> Result<Entry<'s>, CopyError> {
        let options = self.run.options;
        let name = &entry.name;
        // Paths only for errors; the common case (a regular file) never builds them.
        let src_error = |e, op| {
            let (s, d) = (dir.src_name(name), dir.dst_name(name));
            io(e, op, &s, &s, &d)
        };
        let named_pipe = || {
            let (s, d) = (dir.src_name(name), dir.dst_name(name));
            CopyError::named_pipe(&s, &s, &d)
        };
        // CPython's first call on an entry (scandir, open, readlink or lstat) names it by its
        // full path, which the kernel refuses from PATH_MAX bytes on.
        if too_long(&dir.paths.src_path, name) {
            return Err(src_error(Errno::NAMETOOLONG, "open"));
        }
        let kind = match entry.file_type {
            FileType::Unknown => sys::statat(&dir.src, Path::new(name), AtFlags::SYMLINK_NOFOLLOW)
                .map(|st| file_type(&st))
                .map_err(|e| src_error(e, "stat"))?,
            known => known,
        };
        match kind {
            FileType::Directory => self.copy_subdir(dir, name, false, completion),
            FileType::Symlink if options.symlinks => {
                self.copy_symlink(dir, name).map(|()| Entry::Done)
            }
            FileType::Symlink => {
                if options.ignore_dangling_symlinks {
                    // `if not os.path.exists(os.readlink(srcname)) and ignore_dangling_symlinks:
                    // continue`: CPython resolves a relative target against the working
                    // directory, not the link's, so a relative link can be skipped although it
                    // resolves where it is. Kept as CPython does it, for the same results.
                    let target = sys::readlinkat(&dir.src, Path::new(name))
                        .map_err(|e| src_error(e, "readlink"))?;
                    if sys::stat(Path::new(&target)).is_err() {
                        return Ok(Entry::Done);
                    }
                }
                // What the link points to decides, as `srcentry.is_dir()` does: a stat of the
                // full path, as CPython makes it, so a link loop followed round and round
                // ends where CPython's does, with ELOOP once the path crosses 40 links.
                match sys::stat(&dir.src_name(name)) {
                    // copy2 then fails to open the dangling link.
                    Err(Errno::NOENT) => Err(src_error(Errno::NOENT, "open")),
                    Err(e) => Err(src_error(e, "stat")),
                    Ok(st) => match file_type(&st) {
                        FileType::Directory => self.copy_subdir(dir, name, true, completion),
                        FileType::Fifo => Err(named_pipe()),
                        _ => Ok(Entry::File),
                    },
                }
            }
            // copyfile's `_stat(src)`: "`src` is a named pipe", before any open (which would block).
            FileType::Fifo => Err(named_pipe()),
            // Regular files, and sockets and devices, which CPython tries to open and copy.
            _ => Ok(Entry::File),
        }
    }

    /// `copytree(srcentry, dstname)` for a subdirectory (or a link to one, followed): opened,
    /// listed and created here; its entries are walked when the frame comes to the top.
    fn copy_subdir(
        &self,
        dir: &Arc<Dir>,
        name: &OsStr,
        follow: bool,
        completion: &Arc<DirCompletion<'s>>,
    ) -> Result<Entry<'s>, CopyError> {
        let (srcname, dstname) = (dir.src_name(name), dir.dst_name(name));
        let mut flags = OFlags::RDONLY | OFlags::DIRECTORY;
        if !follow {
            flags |= OFlags::NOFOLLOW;
        }
        let src = sys::openat(&dir.src, Path::new(name), flags, FileMode::empty())
            .map_err(|e| io(e, "scandir", &srcname, &srcname, &dstname))?;
        let src_stat = sys::fstat(&src).map_err(|e| io(e, "stat", &srcname, &srcname, &dstname))?;
        if identity(&src_stat) == self.destination {
            return Ok(Entry::Done);
        }
        let entries =
            sys::read_dir(&src).map_err(|e| io(e, "scandir", &srcname, &srcname, &dstname))?;
        // CPython's `makedirs(dstname)`: a path the kernel refuses.
        if too_long(&dir.paths.dst_path, name) {
            return Err(io(
                Errno::NAMETOOLONG,
                "mkdir",
                &dstname,
                &srcname,
                &dstname,
            ));
        }
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
        let dst_stat = sys::fstat(&dst).map_err(|e| io(e, "stat", &dstname, &srcname, &dstname))?;
        self.run.dir_created();
        // A directory made inside one this copy made is on its filesystem and inherits its
        // default ACL (or its having none): the parent's answer holds without asking again.
        let keeps_mode = fresh
            && self.executor.is_pool()
            && if dir.paths.fresh {
                dir.paths.keeps_mode
            } else {
                isolation::dir_keeps_creation_mode(&dst)
            };
        let sub = Dir {
            src,
            dst,
            paths: DirPaths {
                src_path: srcname,
                dst_path: dstname,
                fresh,
                keeps_mode,
                src_id: identity(&src_stat),
                dst_id: identity(&dst_stat),
            },
        };
        Ok(Entry::Descend(Box::new(Frame {
            slot: Slot::Open(Arc::new(sub)),
            entries: entries.into_iter(),
            src_stat,
            completion: completion.child(),
            pending: FileList::default(),
        })))
    }

    /// `symlinks=True`: `os.symlink(os.readlink(src), dst)` and
    /// `copystat(src, dst, follow_symlinks=False)` (times and xattrs of the link itself; Linux
    /// has no lchmod, so no mode).
    fn copy_symlink(&self, dir: &Dir, name: &OsStr) -> Result<(), CopyError> {
        let (srcname, dstname) = (dir.src_name(name), dir.dst_name(name));
        let at = Path::new(name);
        let target = sys::readlinkat(&dir.src, at)
            .map_err(|e| io(e, "readlink", &srcname, &srcname, &dstname))?;
        if too_long(&dir.paths.dst_path, name) {
            return Err(io(
                Errno::NAMETOOLONG,
                "symlink",
                &dstname,
                &srcname,
                &dstname,
            ));
        }
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

    /// `copy_function(srcentry, dstname)` for one file, on the walker's thread (one job).
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
            let mut totals = JobTotals::default();
            copy_one(run, &mut totals, &dir, &name, seq);
            run.merge(totals);
            // Let go of the directory before the last release runs its metadata step.
            drop(dir);
            completion.release();
        }));
    }
}

/// What `copy_entry` found an entry to be.
enum Entry<'s> {
    /// Nothing more to do (copied, skipped).
    Done,
    /// A directory, created: its frame is walked next (boxed: a frame holds a whole stat).
    Descend(Box<Frame<'s>>),
    /// A file for `copy_function`: the entry, in the directory being walked.
    File,
}

/// `copy_function(srcentry, dstname)` for one file, its result counted in `totals` or gathered.
pub(super) fn copy_one(run: &Run<'_>, totals: &mut JobTotals, dir: &Dir, name: &OsStr, seq: u64) {
    let started = run.clock();
    match copy_file_at(run, totals, dir, name) {
        Ok(bytes) => Run::job_file_copied(totals, bytes, started),
        Err(e) => run.gather(seq, &dir.src_name(name), &dir.dst_name(name), e),
    }
}

/// Files a job must have left before it splits: the new job opens the directory's two ends
/// again (six calls), which the 16 or more files handed on pay for many times over.
const SPLIT_AT_LEAST: usize = 32;

/// Queues a job copying `files` of one directory on a worker.
///
/// Jobs are whole directories, because creating a file takes its directory's inode lock (the
/// VFS's `i_rwsem`, exclusive for `O_CREAT`): workers in different directories never wait for
/// each other. A job whose worker finds another waiting with nothing queued hands it the second
/// half of its remaining files, since a shared directory still pays (measured on ext4: one
/// directory of 2000 files of 1–16 KiB, 37 ms on one worker, 25 ms on two).
fn submit_files<'s>(
    run: &'s Run<'s>,
    spawner: Option<Spawner<'s>>,
    paths: DirPaths,
    files: FileList,
    completion: &Arc<DirCompletion<'s>>,
) {
    let Some(queue) = spawner.clone() else {
        return copy_files_by_path(run, None, &paths, files, completion);
    };
    let completion = Arc::clone(completion);
    completion.hold();
    queue.submit(Box::new(move || {
        copy_files_by_path(run, spawner, &paths, files, &completion);
        completion.release();
    }));
}

/// A worker's job: files of one directory, whose two ends it opens by path itself (its
/// descriptor table may be its own). If they cannot be opened, each file fails as CPython's
/// `copy2(srcname, dstname)` of it would fail to open it.
fn copy_files_by_path<'s>(
    run: &'s Run<'s>,
    spawner: Option<Spawner<'s>>,
    paths: &DirPaths,
    mut files: FileList,
    completion: &Arc<DirCompletion<'s>>,
) {
    match open_by_path(paths) {
        Ok(dir) => {
            let mut totals = JobTotals::default();
            if run.options.strategy == Strategy::IoUring && dir.paths.fresh {
                let files: Vec<(&OsStr, u64)> = files.iter().collect();
                batch::copy_files(run, &mut totals, &dir, &files);
            } else {
                let mut next = 0;
                while next < files.len() {
                    let left = files.len() - next;
                    if let Some(spawner) = spawner.as_ref() {
                        if left >= SPLIT_AT_LEAST && spawner.has_idle_worker() {
                            let rest = files.split_off(next + left / 2);
                            let paths = paths.clone();
                            submit_files(run, Some(spawner.clone()), paths, rest, completion);
                        }
                    }
                    let (name, seq) = files.get(next);
                    copy_one(run, &mut totals, &dir, name, seq);
                    next += 1;
                }
            }
            run.merge(totals);
            let _ = dir.dst.close();
            let _ = dir.src.close();
        }
        Err((errno, _, on_src)) => {
            for (name, seq) in files.iter() {
                let (s, d) = (paths.src_name(name), paths.dst_name(name));
                let error = io(errno, "open", if on_src { &s } else { &d }, &s, &d);
                run.gather(seq, &s, &d, error);
            }
        }
    }
}

/// Parks every open directory of `stack` below its top `keep` open ones. The ones parked
/// before are all below those, so the scan stops at the first parked one past the budget.
fn park_beyond(stack: &mut [Frame<'_>], keep: usize) {
    let mut open = 0;
    for frame in stack.iter_mut().rev() {
        match frame.slot {
            Slot::Open(_) if open < keep => open += 1,
            Slot::Open(_) => frame.park(),
            Slot::Parked { .. } if open >= keep => return,
            Slot::Parked { .. } => {}
        }
    }
}

/// `copy2(src, dst)` (or `copy`, `copyfile`) of `name` from `dir.src` to `dir.dst`.
fn copy_file_at(
    run: &Run<'_>,
    totals: &mut JobTotals,
    dir: &Dir,
    name: &OsStr,
) -> Result<u64, CopyError> {
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
    // CPython's `open(dst, 'wb')`: a path the kernel refuses.
    if too_long(&dir.paths.dst_path, name) {
        let (s, d) = (srcname(), dir.dst_name(name));
        return Err(io(Errno::NAMETOOLONG, "open", &d, &s, &d));
    }
    let regular = file_type(&st) == FileType::RegularFile;
    // On a worker whose umask is 0, a new file may be created with its final mode (no fchmod).
    let (perm, final_mode) =
        isolation::creation_mode(dir.paths.keeps_mode && regular, options.mode, st.st_mode);
    // `Some(path)` when the file went inside a directory in the way (see `open_existing`).
    let (dst, moved_into) = if dir.paths.fresh {
        let dst = sys::openat(
            &dir.dst,
            at,
            OFlags::WRONLY | OFlags::CREATE | OFlags::EXCL | OFlags::NOCTTY,
            perm,
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
    let copied = run
        // A regular file's size, read from the open source just before: the copy stops there,
        // one call short of CPython's loop to the end of file (see `ContentJob::complete_at`).
        .copy_job_content(totals, &src, &dst, Some(st.st_size as u64), regular)
        .and_then(|content| {
            // The times of the stat taken before reading, as copytree's `copy2(srcentry, ...)`
            // copies the DirEntry's cached stat (copy2 on a path would stat again after the read).
            let chmod = !final_mode;
            copy_metadata_from_stat(&src, &st, &dst, options.mode, options.xattrs, chmod)?;
            Ok(content)
        });
    let content = match copied {
        Ok(content) => content,
        Err(e) => {
            // CPython's half-made file never got its chmod: it keeps `0o666 & ~umask`.
            if final_mode {
                let _ = sys::fchmod(&dst, isolation::cpython_creation_mode());
            }
            return Err(named(e));
        }
    };
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
    // CPython's `0o666 & ~umask`, whatever this thread's umask is.
    let perm = isolation::cpython_creation_mode();
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

#[cfg(test)]
mod tests {
    use super::*;

    fn id_of(path: &Path) -> (u64, u64) {
        use std::os::unix::fs::MetadataExt;
        let meta = std::fs::metadata(path).unwrap();
        (meta.dev(), meta.ino())
    }

    /// A worker reopens a directory by path; what a rename and a symlink put at that path since
    /// is refused, on either end, so no file is created outside the copy's own directories.
    #[test]
    fn a_reopened_path_that_now_leads_elsewhere_is_refused() {
        let tmp = tempfile::tempdir().unwrap();
        let (src, dst, elsewhere) = (
            tmp.path().join("src"),
            tmp.path().join("dst"),
            tmp.path().join("elsewhere"),
        );
        for dir in [&src, &dst, &elsewhere] {
            std::fs::create_dir(dir).unwrap();
        }
        let paths = DirPaths {
            src_path: src.clone(),
            dst_path: dst.clone(),
            fresh: true,
            keeps_mode: false,
            src_id: id_of(&src),
            dst_id: id_of(&dst),
        };
        assert!(open_by_path(&paths).is_ok());

        std::fs::rename(&dst, tmp.path().join("moved")).unwrap();
        std::os::unix::fs::symlink(&elsewhere, &dst).unwrap();
        let refused = open_by_path(&paths)
            .err()
            .map(|(errno, _, on_src)| (errno, on_src));
        assert_eq!(refused, Some((Errno::STALE, false)));

        std::fs::remove_file(&dst).unwrap();
        std::fs::rename(tmp.path().join("moved"), &dst).unwrap();
        std::fs::rename(&src, tmp.path().join("src-moved")).unwrap();
        std::os::unix::fs::symlink(&elsewhere, &src).unwrap();
        let refused = open_by_path(&paths)
            .err()
            .map(|(errno, _, on_src)| (errno, on_src));
        assert_eq!(refused, Some((Errno::STALE, true)));
    }
}
