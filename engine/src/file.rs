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
    let _ = (src, dst, options);
    unimplemented!("issue 2: the engine")
}
