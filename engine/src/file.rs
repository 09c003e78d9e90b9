//! `shutil.copyfile` / `copy` / `copy2` semantics over any [`Strategy`].

use std::path::{Path, PathBuf};

use rustix::io::Errno;
use serde::{Deserialize, Serialize};

use crate::{CopyError, Strategy};

/// Which of CPython's copy functions to match.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// `shutil.copyfile`: content only.
    Copyfile,
    /// `shutil.copy`: content and permission bits; a directory destination gets the basename.
    Copy,
    /// `shutil.copy2`: also atime/mtime to the nanosecond and `user.*` xattrs, then the mode.
    #[default]
    Copy2,
}

impl Mode {
    pub const ALL: &'static [Mode] = &[Mode::Copyfile, Mode::Copy, Mode::Copy2];

    pub fn name(self) -> &'static str {
        match self {
            Mode::Copyfile => "copyfile",
            Mode::Copy => "copy",
            Mode::Copy2 => "copy2",
        }
    }
}

impl std::fmt::Display for Mode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for Mode {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Mode::ALL
            .iter()
            .copied()
            .find(|m| m.name() == s)
            .ok_or_else(|| format!("unknown mode `{s}` (known: copyfile, copy, copy2)"))
    }
}

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

/// A strategy that gave up before writing anything, and the errno that made it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fallback {
    pub from: Strategy,
    /// `None` when it gave up on a zero return at offset 0 (copy_file_range on some
    /// filesystems), not on an error.
    pub errno: Option<Errno>,
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

/// Copies `src` to `dst` as `options` say. Count its syscalls by running it under a
/// [`crate::SyscallRecorder`].
pub fn copy_file(src: &Path, dst: &Path, options: &CopyOptions) -> Result<CopyReport, CopyError> {
    // Placeholder until the engine lands: no same-file, special-file or symlink checks yet.
    use rustix::fs::{Mode as FileMode, OFlags};
    let io = |op: &str, path: &Path| {
        let (op, path) = (op.to_owned(), path.to_owned());
        move |errno| CopyError::io(errno, &op, &path, src, Some(dst))
    };
    let src_fd =
        crate::sys::open(src, OFlags::RDONLY, FileMode::empty()).map_err(io("open", src))?;
    let src_stat = crate::sys::fstat(&src_fd).map_err(io("fstat", src))?;
    let dst_fd = crate::sys::open(
        dst,
        OFlags::WRONLY | OFlags::CREATE | OFlags::TRUNC,
        FileMode::from_raw_mode(0o666),
    )
    .map_err(io("open", dst))?;
    let content = copy_content(
        options.strategy,
        &src_fd,
        &dst_fd,
        Some(src_stat.st_size as u64),
    )
    .map_err(|e| e.into_copy_error(src, dst))?;
    crate::metadata::copy_metadata_fd(&src_fd, &src_stat, &dst_fd, options.mode)
        .map_err(|e| e.into_copy_error(src, dst))?;
    Ok(CopyReport {
        dst: dst.to_owned(),
        bytes: content.bytes,
        strategy_used: content.strategy_used,
        fallbacks: content.fallbacks,
    })
}

/// Which end of a content copy a failed syscall was on (to name the right path).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Side {
    Src,
    Dst,
}

/// A content copy that failed: the syscall, its errno and which file it was about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct ContentError {
    pub op: &'static str,
    pub errno: Errno,
    pub side: Side,
}

impl ContentError {
    /// Names the path of the side that failed, for the user.
    pub(crate) fn into_copy_error(self, src: &Path, dst: &Path) -> CopyError {
        let path = match self.side {
            Side::Src => src,
            Side::Dst => dst,
        };
        CopyError::io(self.errno, self.op, path, src, Some(dst))
    }
}

/// What a content copy did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ContentCopy {
    pub bytes: u64,
    pub strategy_used: Strategy,
    pub fallbacks: Vec<Fallback>,
}

/// Copies the content of the open `src` (from its current position) into the open, empty `dst`
/// with `strategy` (for `auto`, the fallback chain with CPython's give-up rule). `src_size` is
/// the size an earlier stat reported, if any: in-kernel loops size their blocks from it.
///
/// This is the one entry point both `copy_file` and the tree walkers use for content.
pub(crate) fn copy_content(
    strategy: Strategy,
    src: &crate::sys::Fd,
    dst: &crate::sys::Fd,
    src_size: Option<u64>,
) -> Result<ContentCopy, ContentError> {
    // Placeholder until the strategies land: a reused 256 KiB buffer.
    let _ = (strategy, src_size);
    let mut buf = vec![0u8; 256 * 1024];
    let mut bytes = 0u64;
    loop {
        let n = crate::sys::read(src, &mut buf).map_err(|errno| ContentError {
            op: "read",
            errno,
            side: Side::Src,
        })?;
        if n == 0 {
            break;
        }
        let mut written = 0;
        while written < n {
            written += crate::sys::write(dst, &buf[written..n]).map_err(|errno| ContentError {
                op: "write",
                errno,
                side: Side::Dst,
            })?;
        }
        bytes += n as u64;
    }
    Ok(ContentCopy {
        bytes,
        strategy_used: Strategy::Readinto256k,
        fallbacks: Vec::new(),
    })
}
