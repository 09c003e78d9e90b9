//! `shutil.copyfile` / `copy` / `copy2` semantics over any [`Strategy`].

use std::ffi::OsStr;
use std::path::{Path, PathBuf};

use rustix::fs::{FileType, Mode as FileMode, OFlags, Stat, CWD};
use rustix::io::Errno;

use crate::content::{ContentJob, Fallback, Strategy};
use crate::error::{CopyError, ErrorKind};
use crate::metadata::{copy_metadata_fd, copy_metadata_symlink, Mode};
use crate::strategy::{copy_content, GivenUp};
use crate::sys::{self, Fd};

/// How to copy one file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CopyOptions {
    pub strategy: Strategy,
    pub mode: Mode,
    /// CPython's `follow_symlinks`: false copies a symlink source as a symlink.
    pub follow_symlinks: bool,
}

impl Default for CopyOptions {
    fn default() -> Self {
        CopyOptions {
            strategy: Strategy::Auto,
            mode: Mode::Copyfile,
            follow_symlinks: true,
        }
    }
}

/// What a successful copy did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CopyReport {
    /// The destination path, as CPython's functions return it (`copy(src, dir)` → `dir/name`).
    pub dst: PathBuf,
    /// Content bytes written (0 for a symlink copied as a link).
    pub bytes: u64,
    /// The strategy that copied the content (for `auto`, the one that worked).
    pub strategy_used: Strategy,
    /// Strategies that gave up before it, in order.
    pub fallbacks: Vec<Fallback>,
}

/// Copies `src` to `dst` as `options` say, with `shutil.copyfile` / `copy` / `copy2`'s outcomes.
/// Count its syscalls by running it under a [`crate::sys::SyscallRecorder`].
///
/// CPython stats both paths (twice) before it opens anything; here the checks are made on the
/// open descriptors instead (the source opened `O_NONBLOCK` so a FIFO cannot block, the
/// destination opened without `O_TRUNC` until it is known not to be the source), and the path
/// stats CPython would have made are made only on error paths, to raise exactly its error.
pub fn copy_file(src: &Path, dst: &Path, options: &CopyOptions) -> Result<CopyReport, CopyError> {
    if let Some(reason) = options.strategy.unsupported_on_platform() {
        return Err(CopyError::unsupported(options.strategy, reason, src, dst));
    }
    let mut src_flags = OFlags::RDONLY | OFlags::NONBLOCK;
    if !options.follow_symlinks {
        src_flags |= OFlags::NOFOLLOW;
    }
    let src_fd = match sys::open(src, src_flags, FileMode::empty()) {
        Ok(fd) => fd,
        // O_NOFOLLOW on a symlink: ELOOP. Its target tells it from a real loop.
        Err(Errno::LOOP) if !options.follow_symlinks => match sys::readlinkat(CWD, src) {
            Ok(target) => return copy_symlink(src, &target, dst, options),
            Err(_) => return Err(src_open_failure(Errno::LOOP, src, dst, options.mode)),
        },
        Err(errno) => return Err(src_open_failure(errno, src, dst, options.mode)),
    };
    let src_stat =
        sys::fstat(&src_fd).map_err(|e| CopyError::io(e, "fstat", src, src, Some(dst)))?;
    match FileType::from_raw_mode(src_stat.st_mode) {
        FileType::Fifo => {
            let dst = destination_in_dir(src, dst, options.mode);
            return Err(cpython_prechecks(src, Some(&src_stat), &dst)
                .unwrap_or_else(|| CopyError::named_pipe(src, src, &dst)));
        }
        // CPython opens a directory and FileIO refuses it with EISDIR, after its path checks.
        FileType::Directory => {
            let dst = destination_in_dir(src, dst, options.mode);
            return Err(cpython_prechecks(src, Some(&src_stat), &dst)
                .unwrap_or_else(|| CopyError::io(Errno::ISDIR, "open", src, src, Some(&dst))));
        }
        _ => {}
    }
    let (dst, dst_fd) = open_destination(src, &src_stat, dst, options.mode)?;
    let dst = dst.as_path();
    // CPython's loops run until their call says end of file: the size is not trusted here.
    let job = ContentJob::new(&src_fd, &dst_fd, Some(src_stat.st_size as u64));
    let content = copy_content(options.strategy, &job, &GivenUp::default())
        .map_err(|e| e.into_copy_error(src, dst))?;
    copy_metadata_fd(&src_fd, &src_stat, &dst_fd, options.mode, true)
        .map_err(|e| e.into_copy_error(src, dst))?;
    // close(2) is where some filesystems (NFS, FUSE) report a failed write-back: not ignored.
    dst_fd
        .close()
        .map_err(|e| CopyError::io(e, "close", dst, src, Some(dst)))?;
    drop(src_fd);
    Ok(CopyReport {
        dst: dst.to_owned(),
        bytes: content.bytes,
        strategy_used: content.strategy_used,
        fallbacks: content.fallbacks,
    })
}

/// Opens the destination for writing, after ruling out that it is the source or a FIFO, and
/// empties it. Returns the path really used (`copy(src, dir)` writes `dir/name`).
fn open_destination(
    src: &Path,
    src_stat: &Stat,
    dst: &Path,
    mode: Mode,
) -> Result<(PathBuf, Fd), CopyError> {
    // No O_TRUNC yet: the destination may be the source under another name (a hard link or
    // a symlink to it), and CPython raises SameFileError with the source intact. O_NONBLOCK:
    // a FIFO with no reader fails (ENXIO) instead of blocking.
    let flags = OFlags::WRONLY | OFlags::CREATE | OFlags::NONBLOCK;
    let create_mode = FileMode::from_raw_mode(0o666);
    let (dst, dst_fd) = match sys::open(dst, flags, create_mode) {
        Ok(fd) => (dst.to_owned(), fd),
        // shutil.copy / copy2: a directory destination gets the source's name inside it.
        Err(Errno::ISDIR) if mode != Mode::Copyfile && is_dir(dst) => {
            let inside = inside_dir(src, dst);
            match sys::open(&inside, flags, create_mode) {
                Ok(fd) => (inside, fd),
                Err(errno) => return Err(dst_open_failure(errno, src, src_stat, &inside)),
            }
        }
        Err(errno) => return Err(dst_open_failure(errno, src, src_stat, dst)),
    };
    let dst_stat =
        sys::fstat(&dst_fd).map_err(|e| CopyError::io(e, "fstat", &dst, src, Some(&dst)))?;
    if same_file(src_stat, &dst_stat) {
        return Err(CopyError::same_file(src, &dst));
    }
    match FileType::from_raw_mode(dst_stat.st_mode) {
        // A FIFO that had a reader, so the open did not fail.
        FileType::Fifo => return Err(CopyError::named_pipe(&dst, src, &dst)),
        // What O_TRUNC would have done; a new file (the usual case) needs no call.
        FileType::RegularFile if dst_stat.st_size > 0 => {
            sys::ftruncate(&dst_fd, 0)
                .map_err(|e| CopyError::io(e, "ftruncate", &dst, src, Some(&dst)))?;
        }
        _ => {}
    }
    Ok((dst, dst_fd))
}

/// `follow_symlinks=False` on a symlink: `os.symlink(os.readlink(src), dst)`, then what
/// `copymode` / `copystat` do to a link on Linux.
fn copy_symlink(
    src: &Path,
    target: &OsStr,
    dst: &Path,
    options: &CopyOptions,
) -> Result<CopyReport, CopyError> {
    // CPython's FIFO check stats through the link: a link to a FIFO is a SpecialFileError.
    if let Ok(st) = sys::stat(src) {
        if FileType::from_raw_mode(st.st_mode) == FileType::Fifo {
            let dst = destination_in_dir(src, dst, options.mode);
            return Err(cpython_prechecks(src, Some(&st), &dst)
                .unwrap_or_else(|| CopyError::named_pipe(src, src, &dst)));
        }
    }
    let target = Path::new(target);
    let dst = match sys::symlinkat(target, CWD, dst) {
        Ok(()) => dst.to_owned(),
        Err(Errno::EXIST) if options.mode != Mode::Copyfile && is_dir(dst) => {
            let inside = inside_dir(src, dst);
            sys::symlinkat(target, CWD, &inside).map_err(|errno| {
                cpython_prechecks(src, None, &inside)
                    .unwrap_or_else(|| CopyError::io(errno, "symlink", &inside, src, Some(&inside)))
            })?;
            inside
        }
        Err(errno) => {
            return Err(cpython_prechecks(src, None, dst)
                .unwrap_or_else(|| CopyError::io(errno, "symlink", dst, src, Some(dst))))
        }
    };
    copy_metadata_symlink(src, &dst, options.mode).map_err(|e| e.into_copy_error(src, &dst))?;
    Ok(CopyReport {
        dst,
        bytes: 0,
        strategy_used: options.strategy,
        fallbacks: Vec::new(),
    })
}

/// The error CPython raises when opening the source failed with `errno`: its earlier path checks
/// (same file, FIFOs) come first.
fn src_open_failure(errno: Errno, src: &Path, dst: &Path, mode: Mode) -> CopyError {
    let dst = destination_in_dir(src, dst, mode);
    cpython_prechecks(src, None, &dst)
        .unwrap_or_else(|| CopyError::io(errno, "open", src, src, Some(&dst)))
}

/// The error CPython raises when opening the destination failed with `errno`.
fn dst_open_failure(errno: Errno, src: &Path, src_stat: &Stat, dst: &Path) -> CopyError {
    if let Some(error) = cpython_prechecks(src, Some(src_stat), dst) {
        return error;
    }
    match errno {
        // bpo-43219: `missing-dir/` fails to open with EISDIR; CPython says what is missing.
        Errno::ISDIR if sys::stat(dst).is_err() => CopyError {
            kind: ErrorKind::FileNotFoundError,
            errno: Some(Errno::NOENT),
            message: format!("Directory does not exist: {}", dst.display()),
            src: src.to_owned(),
            dst: Some(dst.to_owned()),
        },
        _ => CopyError::io(errno, "open", dst, src, Some(dst)),
    }
}

/// CPython's checks before it opens anything (`shutil._samefile`, then `S_ISFIFO` of the source
/// and of the destination, all following symlinks): the error they raise, if any.
fn cpython_prechecks(src: &Path, src_stat: Option<&Stat>, dst: &Path) -> Option<CopyError> {
    let src_stat = match src_stat {
        Some(st) => Some(*st),
        None => sys::stat(src).ok(),
    };
    let dst_stat = sys::stat(dst).ok();
    if let (Some(s), Some(d)) = (&src_stat, &dst_stat) {
        if same_file(s, d) {
            return Some(CopyError::same_file(src, dst));
        }
    }
    for (path, st) in [(src, &src_stat), (dst, &dst_stat)] {
        if st.is_some_and(|st| FileType::from_raw_mode(st.st_mode) == FileType::Fifo) {
            return Some(CopyError::named_pipe(path, src, dst));
        }
    }
    None
}

/// Where `copy` / `copy2` would write: `dst/name` when `dst` is a directory (error paths only;
/// the happy path learns it from the open).
fn destination_in_dir(src: &Path, dst: &Path, mode: Mode) -> PathBuf {
    if mode != Mode::Copyfile && is_dir(dst) {
        inside_dir(src, dst)
    } else {
        dst.to_owned()
    }
}

/// `os.path.join(dst, os.path.basename(src))`: where `copy` / `copy2` put `src` when `dst` is a
/// directory.
fn inside_dir(src: &Path, dst: &Path) -> PathBuf {
    dst.join(src.file_name().unwrap_or(src.as_os_str()))
}

fn is_dir(path: &Path) -> bool {
    sys::stat(path).is_ok_and(|st| FileType::from_raw_mode(st.st_mode) == FileType::Directory)
}

/// `os.path.samestat`.
fn same_file(a: &Stat, b: &Stat) -> bool {
    a.st_dev == b.st_dev && a.st_ino == b.st_ino
}
