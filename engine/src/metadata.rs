//! `shutil.copymode` / `copystat` on open descriptors: what `copy` and `copy2` add to content,
//! and [`Mode`], which of them a copy matches. Below both the file and the tree copy, which
//! call it; it calls neither.

use std::ffi::OsStr;
use std::path::Path;

use rustix::fs::{AtFlags, Mode as FileMode, Stat, Timespec, Timestamps, CWD};
use rustix::io::Errno;

use serde::{Deserialize, Serialize};

use crate::content::{ContentError, Side};
use crate::sys::{self, Fd};

/// Which of CPython's copy functions to match: they differ in what they copy beyond content.
#[derive(
    Clone,
    Copy,
    Debug,
    Default,
    PartialEq,
    Eq,
    Hash,
    Serialize,
    Deserialize,
    strum::EnumString,
    strum::Display,
    strum::EnumIter,
    strum::IntoStaticStr,
)]
#[serde(rename_all = "lowercase")]
#[strum(
    serialize_all = "lowercase",
    parse_err_ty = String,
    parse_err_fn = unknown_mode
)]
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
    /// Every mode, in declaration order (a test holds it equal to `strum::EnumIter`'s).
    pub const ALL: &'static [Mode] = &[Mode::Copyfile, Mode::Copy, Mode::Copy2];

    /// The name on the command line, in scenario files and in results.
    pub fn name(self) -> &'static str {
        self.into()
    }
}

fn unknown_mode(name: &str) -> String {
    format!("unknown mode `{name}` (known: copyfile, copy, copy2)")
}

/// Copies what `mode` asks for beyond content from `src` (whose stat is `src_stat`) to `dst`,
/// in CPython's order (`shutil.copystat`): times, then extended attributes, then the
/// permission bits last (a read-only mode set first would forbid setting the rest). Call it
/// after the content copy: `copy2` re-stats `src` (one `fstat`) for the times, as CPython does.
///
/// `xattrs` false leaves extended attributes alone (never listed): see `TreeOptions::xattrs`.
pub(crate) fn copy_metadata_fd(
    src: &Fd,
    src_stat: &Stat,
    dst: &Fd,
    mode: Mode,
    xattrs: bool,
) -> Result<(), ContentError> {
    if mode == Mode::Copy2 {
        // CPython's copystat stats the source after copyfile has read it, so the atime it
        // copies is the one that read just set (relatime updates an atime older than the
        // mtime): stat again here, on the descriptor, to copy the same times.
        let restat = sys::fstat(src).map_err(on(Side::Src, "fstat"))?;
        return copy_metadata_from_stat(src, &restat, dst, mode, xattrs, true);
    }
    copy_metadata_from_stat(src, src_stat, dst, mode, xattrs, true)
}

/// [`copy_metadata_fd`] with `src_stat` used as it is, without the re-stat: what
/// `shutil.copytree` (3.8+) does, whose `copy2(srcentry, ...)` copies the times of the
/// `os.DirEntry`'s stat cached before the content was read.
///
/// `chmod` false leaves out the mode, for a file created with its final one (see
/// `tree/isolation.rs`).
pub(crate) fn copy_metadata_from_stat(
    src: &Fd,
    src_stat: &Stat,
    dst: &Fd,
    mode: Mode,
    xattrs: bool,
    chmod: bool,
) -> Result<(), ContentError> {
    if mode == Mode::Copy2 {
        sys::futimens(dst, &timestamps(src_stat)).map_err(on(Side::Dst, "utimensat"))?;
    }
    if mode == Mode::Copy2 && xattrs {
        copy_xattrs(
            || sys::flistxattr(src),
            |name| sys::fgetxattr(src, name),
            |name, value| sys::fsetxattr(dst, name, value),
        )?;
    }
    if mode != Mode::Copyfile && chmod {
        let bits = FileMode::from_raw_mode(src_stat.st_mode & 0o7777);
        sys::fchmod(dst, bits).map_err(on(Side::Dst, "fchmod"))?;
    }
    Ok(())
}

/// What `copy` / `copy2` do after copying the symlink `src` as the link `dst`
/// (`follow_symlinks=False`) on Linux: `copymode` does nothing (no `lchmod`); `copystat` sets
/// the link's own times and copies its xattrs; its chmod is a no-op.
pub(crate) fn copy_metadata_symlink(
    src: &Path,
    dst: &Path,
    mode: Mode,
) -> Result<(), ContentError> {
    if mode != Mode::Copy2 {
        return Ok(());
    }
    let st = sys::lstat(src).map_err(on(Side::Src, "lstat"))?;
    sys::utimensat(CWD, dst, &timestamps(&st), AtFlags::SYMLINK_NOFOLLOW)
        .map_err(on(Side::Dst, "utimensat"))?;
    copy_xattrs(
        || sys::llistxattr(src),
        |name| sys::lgetxattr(src, name),
        |name, value| sys::lsetxattr(dst, name, value),
    )
}

/// `shutil._copyxattr`: every attribute the source lists. A source whose filesystem has no
/// xattrs (ENOTSUP, ENODATA, EINVAL from listxattr) has none to copy; one attribute refused
/// (EPERM for `security.*`/`trusted.*` without privilege, ENOTSUP, ENODATA, EINVAL, EACCES) is
/// skipped and the others are still copied (test_copyxattr).
fn copy_xattrs(
    list: impl FnOnce() -> rustix::io::Result<Vec<std::ffi::OsString>>,
    get: impl Fn(&OsStr) -> rustix::io::Result<Vec<u8>>,
    set: impl Fn(&OsStr, &[u8]) -> rustix::io::Result<()>,
) -> Result<(), ContentError> {
    let names = match list() {
        Ok(names) => names,
        Err(Errno::OPNOTSUPP | Errno::NODATA | Errno::INVAL) => return Ok(()),
        Err(errno) => return Err(on(Side::Src, "listxattr")(errno)),
    };
    for name in names {
        let copied = get(&name)
            .map_err(|e| (Side::Src, "getxattr", e))
            .and_then(|value| set(&name, &value).map_err(|e| (Side::Dst, "setxattr", e)));
        match copied {
            Ok(()) => {}
            Err((
                _,
                _,
                Errno::PERM | Errno::OPNOTSUPP | Errno::NODATA | Errno::INVAL | Errno::ACCESS,
            )) => {}
            Err((side, op, errno)) => return Err(ContentError { op, errno, side }),
        }
    }
    Ok(())
}

/// `(st_atime_ns, st_mtime_ns)` as `utimensat` takes them (`os.utime(ns=...)` in copystat).
pub(crate) fn timestamps(st: &Stat) -> Timestamps {
    Timestamps {
        last_access: Timespec {
            tv_sec: st.st_atime as _,
            tv_nsec: st.st_atime_nsec as _,
        },
        last_modification: Timespec {
            tv_sec: st.st_mtime as _,
            tv_nsec: st.st_mtime_nsec as _,
        },
    }
}

/// Turns an errno of `op` on `side` into a [`ContentError`].
fn on(side: Side, op: &'static str) -> impl Fn(Errno) -> ContentError {
    move |errno| ContentError { op, errno, side }
}

#[cfg(test)]
mod tests {
    use strum::IntoEnumIterator;

    use super::Mode;

    #[test]
    fn mode_names_on_the_wire_are_unchanged() {
        assert_eq!(Mode::iter().collect::<Vec<_>>(), Mode::ALL);
        let names: Vec<&str> = Mode::ALL.iter().map(|m| m.name()).collect();
        assert_eq!(names, ["copyfile", "copy", "copy2"]);
        for m in Mode::ALL {
            assert_eq!(m.name().parse::<Mode>(), Ok(*m));
            assert_eq!(m.to_string(), m.name());
            assert_eq!(serde_json::to_string(m).unwrap(), format!("\"{m}\""));
        }
        assert!("copy3".parse::<Mode>().unwrap_err().contains("copy2"));
    }
}
