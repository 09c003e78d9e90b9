//! `shutil.copymode` / `copystat` on open descriptors: what `copy` and `copy2` add to content.

use rustix::fs::{Mode as FileMode, Stat, Timespec, Timestamps};

use crate::file::{ContentError, Side};
use crate::sys::{self, Fd};
use crate::Mode;

/// Copies what `mode` asks for beyond content from `src` (whose stat is `src_stat`) to `dst`,
/// in CPython's order: times, then `user.*` xattrs, then the permission bits last (a read-only
/// mode set first would forbid the rest).
pub(crate) fn copy_metadata_fd(
    src: &Fd,
    src_stat: &Stat,
    dst: &Fd,
    mode: Mode,
) -> Result<(), ContentError> {
    let dst_err = |op| {
        move |errno| ContentError {
            op,
            errno,
            side: Side::Dst,
        }
    };
    if mode == Mode::Copy2 {
        let times = Timestamps {
            last_access: Timespec {
                tv_sec: src_stat.st_atime as _,
                tv_nsec: src_stat.st_atime_nsec as _,
            },
            last_modification: Timespec {
                tv_sec: src_stat.st_mtime as _,
                tv_nsec: src_stat.st_mtime_nsec as _,
            },
        };
        sys::futimens(dst, &times).map_err(dst_err("utimensat"))?;
        let _ = src; // xattrs: placeholder until the engine lands.
    }
    if mode != Mode::Copyfile {
        let bits = FileMode::from_raw_mode(src_stat.st_mode & 0o7777);
        sys::fchmod(dst, bits).map_err(dst_err("fchmod"))?;
    }
    Ok(())
}
