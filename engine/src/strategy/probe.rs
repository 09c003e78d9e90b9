//! Probe files: two small files created in the directory `copybench list` asks about, on which
//! each strategy tries its syscall once, then removed.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use rustix::fs::{AtFlags, Mode, OFlags};
use rustix::io::Errno;

use crate::sys::{self, Fd};

/// The probe source's content: a few bytes, enough to see a copy happen.
pub(crate) const PROBE_CONTENT: &[u8] = b"copybench probe\n";

/// A source with [`PROBE_CONTENT`] and an empty destination, both removed on drop.
pub(crate) struct Probe {
    pub src: Fd,
    pub dst: Fd,
    /// The filesystem both are on, by name ("ext4", "btrfs", or the magic number in hex).
    pub filesystem: String,
    paths: [PathBuf; 2],
}

impl Probe {
    /// Creates the two probe files in `dir` (exclusively, under names nothing else uses).
    pub(crate) fn create(dir: &Path) -> Result<Probe, Errno> {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let stem = format!(
            ".copybench-probe-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        );
        let src_path = dir.join(format!("{stem}-src"));
        let dst_path = dir.join(format!("{stem}-dst"));
        let create = OFlags::RDWR | OFlags::CREATE | OFlags::EXCL;
        let mode = Mode::from_raw_mode(0o600);
        let src = sys::open(&src_path, create, mode)?;
        let dst = match sys::open(&dst_path, create, mode) {
            Ok(fd) => fd,
            Err(errno) => {
                let _ = sys::unlinkat(rustix::fs::CWD, &src_path, AtFlags::empty());
                return Err(errno);
            }
        };
        // From here on, dropping the probe removes both files.
        let mut probe = Probe {
            src,
            dst,
            filesystem: String::new(),
            paths: [src_path, dst_path],
        };
        let mut written = 0;
        crate::strategy::write_all(&probe.src, PROBE_CONTENT, &mut written)
            .map_err(|e| e.error.errno)?;
        sys::seek(&probe.src, rustix::fs::SeekFrom::Start(0))?;
        probe.filesystem = filesystem_name(sys::fstatfs(&probe.src)?.f_type as i64);
        Ok(probe)
    }
}

impl Drop for Probe {
    fn drop(&mut self) {
        for path in &self.paths {
            let _ = sys::unlinkat(rustix::fs::CWD, path, AtFlags::empty());
        }
    }
}

/// The name of a filesystem by its `statfs` magic number ([`sys::filesystem_type`]), or the
/// number in hex.
pub fn filesystem_name(magic: i64) -> String {
    match sys::filesystem_type(magic as u64) {
        Some(name) => name.to_owned(),
        None => format!("0x{magic:x}"),
    }
}

impl Probe {
    /// Support verdict for `call` failing with `errno` on the probe files.
    pub(crate) fn failed(&self, call: &str, errno: Errno) -> super::Support {
        super::Support::no(format!(
            "{call} on {} failed: {} ({})",
            self.filesystem,
            crate::errno::name(errno),
            crate::error::errno_text(errno)
        ))
    }

    /// Support verdict for `call` having copied `n` of the probe's bytes.
    pub(crate) fn copied(&self, call: &str, n: usize) -> super::Support {
        if n == PROBE_CONTENT.len() {
            super::Support::yes(format!(
                "{call} copied the probe file on {}",
                self.filesystem
            ))
        } else {
            super::Support::no(format!(
                "{call} on {} copied {n} of {} probe bytes",
                self.filesystem,
                PROBE_CONTENT.len()
            ))
        }
    }
}
