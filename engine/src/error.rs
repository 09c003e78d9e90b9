//! Typed copy errors that carry the paths and the errno, classified by CPython's exception names
//! so that results compare one to one with `shutil`.

use std::path::{Path, PathBuf};

use rustix::io::Errno;
use serde::{Deserialize, Serialize};

/// CPython's exception class for an error: what `shutil` would have raised.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ErrorKind {
    SameFileError,
    SpecialFileError,
    FileNotFoundError,
    IsADirectoryError,
    NotADirectoryError,
    FileExistsError,
    PermissionError,
    /// Any other `OSError` (ENOSPC, EIO, EXDEV, …): the errno tells which.
    OSError,
}

impl ErrorKind {
    /// The `OSError` subclass CPython raises for `errno` (see `Objects/exceptions.c`).
    pub fn from_errno(errno: Errno) -> ErrorKind {
        match errno {
            Errno::NOENT => ErrorKind::FileNotFoundError,
            Errno::ISDIR => ErrorKind::IsADirectoryError,
            Errno::NOTDIR => ErrorKind::NotADirectoryError,
            Errno::EXIST => ErrorKind::FileExistsError,
            Errno::ACCESS | Errno::PERM => ErrorKind::PermissionError,
            _ => ErrorKind::OSError,
        }
    }

    /// The class name, as Python prints it.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::SameFileError => "SameFileError",
            ErrorKind::SpecialFileError => "SpecialFileError",
            ErrorKind::FileNotFoundError => "FileNotFoundError",
            ErrorKind::IsADirectoryError => "IsADirectoryError",
            ErrorKind::NotADirectoryError => "NotADirectoryError",
            ErrorKind::FileExistsError => "FileExistsError",
            ErrorKind::PermissionError => "PermissionError",
            ErrorKind::OSError => "OSError",
        }
    }
}

impl std::fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A failed copy: what CPython would raise, the errno if the kernel gave one, and both paths.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct CopyError {
    pub kind: ErrorKind,
    pub errno: Option<Errno>,
    /// One line for a person: the operation, the path(s) and the errno's text.
    pub message: String,
    pub src: PathBuf,
    pub dst: Option<PathBuf>,
}

impl CopyError {
    /// A syscall on `path` failed with `errno` while copying `src` to `dst`.
    pub fn io(errno: Errno, op: &str, path: &Path, src: &Path, dst: Option<&Path>) -> CopyError {
        CopyError {
            kind: ErrorKind::from_errno(errno),
            errno: Some(errno),
            message: format!(
                "{op} {}: {} ({})",
                path.display(),
                errno_text(errno),
                crate::errno::name(errno)
            ),
            src: src.to_owned(),
            dst: dst.map(Path::to_owned),
        }
    }

    /// An in-kernel copy from `src` to `dst` (sendfile, copy_file_range, FICLONE) failed with
    /// `errno`: both paths are named, as CPython's `OSError` carries `filename` and `filename2`.
    pub fn io_pair(errno: Errno, op: &str, src: &Path, dst: &Path) -> CopyError {
        CopyError {
            kind: ErrorKind::from_errno(errno),
            errno: Some(errno),
            message: format!(
                "{op} {} -> {}: {} ({})",
                src.display(),
                dst.display(),
                errno_text(errno),
                crate::errno::name(errno)
            ),
            src: src.to_owned(),
            dst: Some(dst.to_owned()),
        }
    }

    /// `strategy` cannot run on this platform at all (fcopyfile off macOS).
    pub fn unsupported(
        strategy: impl std::fmt::Display,
        reason: &str,
        src: &Path,
        dst: &Path,
    ) -> CopyError {
        CopyError {
            kind: ErrorKind::OSError,
            errno: Some(Errno::NOSYS),
            message: format!("strategy {strategy} is unsupported here: {reason}"),
            src: src.to_owned(),
            dst: Some(dst.to_owned()),
        }
    }

    /// Only `started` of the `wanted` worker threads of a parallel copy could be started
    /// (`error` is why the next one could not): nothing was copied.
    pub fn threads(
        started: usize,
        wanted: usize,
        error: &std::io::Error,
        src: &Path,
        dst: &Path,
    ) -> CopyError {
        let errno = Errno::from_io_error(error).unwrap_or(Errno::AGAIN);
        CopyError {
            kind: ErrorKind::from_errno(errno),
            errno: Some(errno),
            message: format!(
                "could start only {started} of {wanted} worker threads to copy {}: {} ({}); try fewer jobs",
                src.display(),
                errno_text(errno),
                crate::errno::name(errno)
            ),
            src: src.to_owned(),
            dst: Some(dst.to_owned()),
        }
    }

    /// `shutil.SameFileError`.
    pub fn same_file(src: &Path, dst: &Path) -> CopyError {
        CopyError {
            kind: ErrorKind::SameFileError,
            errno: None,
            message: format!("{} and {} are the same file", src.display(), dst.display()),
            src: src.to_owned(),
            dst: Some(dst.to_owned()),
        }
    }

    /// `shutil.SpecialFileError` for a named pipe at `fifo`.
    pub fn named_pipe(fifo: &Path, src: &Path, dst: &Path) -> CopyError {
        CopyError {
            kind: ErrorKind::SpecialFileError,
            errno: None,
            message: format!("`{}` is a named pipe", fifo.display()),
            src: src.to_owned(),
            dst: Some(dst.to_owned()),
        }
    }

    /// The errno's symbolic name, if any (`"ENOSPC"`).
    pub fn errno_name(&self) -> Option<String> {
        self.errno.map(crate::errno::name)
    }
}

/// The C library's text for an errno ("No space left on device"); lives with the names.
pub use crate::errno::text as errno_text;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_follow_cpython_errno_mapping() {
        assert_eq!(
            ErrorKind::from_errno(Errno::NOENT),
            ErrorKind::FileNotFoundError
        );
        assert_eq!(
            ErrorKind::from_errno(Errno::PERM),
            ErrorKind::PermissionError
        );
        assert_eq!(ErrorKind::from_errno(Errno::NOSPC), ErrorKind::OSError);
    }

    #[test]
    fn io_error_names_path_errno_and_text() {
        let e = CopyError::io(
            Errno::NOSPC,
            "write",
            Path::new("/d"),
            Path::new("/s"),
            Some(Path::new("/d")),
        );
        assert_eq!(e.to_string(), "write /d: No space left on device (ENOSPC)");
        assert_eq!(e.errno_name().as_deref(), Some("ENOSPC"));
    }
}
