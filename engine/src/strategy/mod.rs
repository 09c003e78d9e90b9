//! The ways of copying a file's content, one file each, behind one trait.
//!
//! Every strategy copies from the source descriptor's current position to the destination's,
//! through the counted [`crate::sys`] layer, and says how many bytes it wrote before failing so
//! that `auto` can apply CPython's give-up rule (see `auto.rs`).

pub(crate) mod auto;
mod buffered;
mod copy_file_range;
mod fcopyfile;
mod mmap;
mod probe;
mod readinto;
mod reflink;
mod sendfile;
mod splice;
mod std_copy;

use std::path::Path;

use rustix::io::Errno;
use serde::{Deserialize, Serialize};

use crate::file::{ContentCopy, ContentError, Side};
use crate::sys::Fd;

pub(crate) use auto::copy_auto;
pub use probe::filesystem_name;
pub(crate) use probe::Probe;
pub use sendfile::sendfile_disabled_for_process;

/// A way of copying file content. Names are those of the CLI and the scenario files.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum Strategy {
    Sendfile,
    CopyFileRange,
    Splice,
    Reflink,
    Fcopyfile,
    Buffered16k,
    Buffered64k,
    Buffered1m,
    Readinto64k,
    Readinto256k,
    Readinto1m,
    Mmap,
    Std,
    Auto,
}

impl Strategy {
    /// Every strategy, in the order `copybench list` prints them.
    pub const ALL: &'static [Strategy] = &[
        Strategy::Auto,
        Strategy::Reflink,
        Strategy::CopyFileRange,
        Strategy::Sendfile,
        Strategy::Splice,
        Strategy::Fcopyfile,
        Strategy::Readinto64k,
        Strategy::Readinto256k,
        Strategy::Readinto1m,
        Strategy::Buffered16k,
        Strategy::Buffered64k,
        Strategy::Buffered1m,
        Strategy::Mmap,
        Strategy::Std,
    ];

    /// The name used on the command line, in scenario files and in results.
    pub fn name(self) -> &'static str {
        match self {
            Strategy::Sendfile => "sendfile",
            Strategy::CopyFileRange => "copy_file_range",
            Strategy::Splice => "splice",
            Strategy::Reflink => "reflink",
            Strategy::Fcopyfile => "fcopyfile",
            Strategy::Buffered16k => "buffered-16k",
            Strategy::Buffered64k => "buffered-64k",
            Strategy::Buffered1m => "buffered-1m",
            Strategy::Readinto64k => "readinto-64k",
            Strategy::Readinto256k => "readinto-256k",
            Strategy::Readinto1m => "readinto-1m",
            Strategy::Mmap => "mmap",
            Strategy::Std => "std",
            Strategy::Auto => "auto",
        }
    }
}

impl std::fmt::Display for Strategy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for Strategy {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Strategy::ALL
            .iter()
            .copied()
            .find(|st| st.name() == s)
            .ok_or_else(|| {
                let names: Vec<&str> = Strategy::ALL.iter().map(|s| s.name()).collect();
                format!("unknown strategy `{s}` (known: {})", names.join(", "))
            })
    }
}

impl TryFrom<String> for Strategy {
    type Error = String;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl From<Strategy> for String {
    fn from(s: Strategy) -> String {
        s.name().to_owned()
    }
}

/// Whether a strategy can copy here, and why (or why not), as `copybench list` prints it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Support {
    pub supported: bool,
    /// What was tried and what came back, e.g. "FICLONE on ext4: EOPNOTSUPP".
    pub reason: String,
}

impl Support {
    pub(crate) fn yes(reason: impl Into<String>) -> Support {
        Support {
            supported: true,
            reason: reason.into(),
        }
    }

    pub(crate) fn no(reason: impl Into<String>) -> Support {
        Support {
            supported: false,
            reason: reason.into(),
        }
    }
}

impl Strategy {
    /// Whether this strategy works for files in `dir`, found by trying its syscall on two small
    /// probe files created in `dir` and removed again (reflink depends on the filesystem:
    /// unsupported on ext4 and tmpfs, supported on btrfs and xfs).
    pub fn support(self, dir: &Path) -> Support {
        if let Some(reason) = self.unsupported_on_platform() {
            return Support::no(reason);
        }
        match Probe::create(dir) {
            Ok(probe) => self.content_strategy().probe(&probe),
            Err(errno) => Support::no(format!(
                "cannot create a probe file in {}: {} ({})",
                dir.display(),
                crate::errno_text(errno),
                crate::errno::name(errno)
            )),
        }
    }

    /// Why this strategy cannot exist on this platform at all, if it cannot.
    pub fn unsupported_on_platform(self) -> Option<&'static str> {
        match self {
            Strategy::Fcopyfile => fcopyfile::UNSUPPORTED_REASON,
            _ => None,
        }
    }

    /// Why the counted layer cannot see this strategy's content syscalls, if it cannot: `std`
    /// makes them inside the standard library. Its syscall counts are then absent, not zero.
    pub fn uncounted_reason(self) -> Option<&'static str> {
        match self {
            Strategy::Std => Some(std_copy::UNCOUNTED_REASON),
            _ => None,
        }
    }

    /// The implementation behind this name (`auto` has its own driver, [`copy_auto`]).
    pub(crate) fn content_strategy(self) -> &'static dyn ContentStrategy {
        match self {
            Strategy::Sendfile => &sendfile::Sendfile,
            Strategy::CopyFileRange => &copy_file_range::CopyFileRange,
            Strategy::Splice => &splice::Splice,
            Strategy::Reflink => &reflink::Reflink,
            Strategy::Fcopyfile => &fcopyfile::Fcopyfile,
            Strategy::Buffered16k => &buffered::Buffered { chunk: 16 * 1024 },
            Strategy::Buffered64k => &buffered::Buffered { chunk: 64 * 1024 },
            Strategy::Buffered1m => &buffered::Buffered { chunk: 1024 * 1024 },
            Strategy::Readinto64k => &readinto::Readinto { chunk: 64 * 1024 },
            Strategy::Readinto256k => &readinto::Readinto { chunk: 256 * 1024 },
            Strategy::Readinto1m => &readinto::Readinto { chunk: 1024 * 1024 },
            Strategy::Mmap => &mmap::Mmap,
            Strategy::Std => &std_copy::StdCopy,
            Strategy::Auto => &auto::Auto,
        }
    }
}

/// The two open files of one content copy.
pub(crate) struct ContentJob<'a> {
    pub src: &'a Fd,
    pub dst: &'a Fd,
    /// The source's size from an earlier stat, if any (in-kernel loops size blocks from it).
    pub src_size: Option<u64>,
}

/// A strategy that failed, and how many bytes it had written by then (CPython's give-up rule
/// depends on whether that is zero).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct StrategyError {
    pub error: ContentError,
    pub written: u64,
}

impl StrategyError {
    pub(crate) fn new(op: &'static str, errno: Errno, side: Side, written: u64) -> StrategyError {
        StrategyError {
            error: ContentError { op, errno, side },
            written,
        }
    }
}

/// One way of copying content between two open descriptors.
pub(crate) trait ContentStrategy: Sync {
    /// Copies everything from `job.src`'s position to its end; returns the bytes written.
    fn copy(&self, job: &ContentJob<'_>) -> Result<u64, StrategyError>;

    /// True when copying nothing at all means "this syscall silently does not work here"
    /// rather than "the source is empty" (copy_file_range, see its file).
    fn gives_up_on_empty_copy(&self) -> bool {
        false
    }

    /// Tries the strategy's syscall on the probe files.
    fn probe(&self, probe: &Probe) -> Support;
}

/// Runs a single strategy as the whole content copy (no fallback).
pub(crate) fn copy_with(
    strategy: Strategy,
    job: &ContentJob<'_>,
) -> Result<ContentCopy, ContentError> {
    if strategy == Strategy::Auto {
        return copy_auto(job);
    }
    let bytes = strategy.content_strategy().copy(job).map_err(|e| e.error)?;
    Ok(ContentCopy {
        bytes,
        strategy_used: strategy,
        fallbacks: Vec::new(),
    })
}

/// CPython's block size for the in-kernel loops (`shutil._determine_linux_fastcopy_blocksize`):
/// max(st_size, 8 MiB); 128 MiB when the size could not be read; at most 1 GiB on 32-bit.
pub(crate) fn kernel_block_size(src_size: Option<u64>) -> usize {
    const MIN: u64 = 8 * 1024 * 1024;
    const UNKNOWN: u64 = 128 * 1024 * 1024;
    let size = src_size.map_or(UNKNOWN, |s| s.max(MIN));
    let size = if usize::BITS < 64 {
        size.min(1 << 30)
    } else {
        size
    };
    usize::try_from(size).unwrap_or(usize::MAX)
}

/// Writes all of `buf` to `dst` with `write(2)` (short writes continue where they stopped),
/// adding to `written` as it goes so a failure reports the true progress.
pub(crate) fn write_all(dst: &Fd, mut buf: &[u8], written: &mut u64) -> Result<(), StrategyError> {
    while !buf.is_empty() {
        match crate::sys::write(dst, buf) {
            // write(2) returning 0 for a non-empty buffer: no progress is possible.
            Ok(0) => return Err(StrategyError::new("write", Errno::IO, Side::Dst, *written)),
            Ok(n) => {
                *written += n as u64;
                buf = &buf[n..];
            }
            Err(Errno::INTR) => continue,
            Err(errno) => return Err(StrategyError::new("write", errno, Side::Dst, *written)),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use rustix::fs::{Mode, OFlags};

    use super::*;
    use crate::sys;

    #[test]
    fn block_size_follows_cpython() {
        assert_eq!(kernel_block_size(Some(0)), 8 << 20);
        assert_eq!(kernel_block_size(Some(100)), 8 << 20);
        assert_eq!(kernel_block_size(Some(512 << 20)), 512 << 20);
        assert_eq!(kernel_block_size(None), 128 << 20);
    }

    #[test]
    fn every_name_parses_back() {
        for s in Strategy::ALL {
            assert_eq!(s.name().parse::<Strategy>(), Ok(*s));
        }
        assert!("nope".parse::<Strategy>().unwrap_err().contains("sendfile"));
    }

    fn content(size: usize) -> Vec<u8> {
        (0..size).map(|i| (i * 7 + i / 251) as u8).collect()
    }

    fn supported_here(dir: &Path) -> Vec<Strategy> {
        Strategy::ALL
            .iter()
            .copied()
            .filter(|s| s.support(dir).supported)
            .collect()
    }

    /// `open(path, "wb")`: the destination a content copy writes into.
    fn create(path: &Path) -> Fd {
        sys::open(
            path,
            OFlags::WRONLY | OFlags::CREATE | OFlags::TRUNC,
            Mode::from_raw_mode(0o644),
        )
        .unwrap()
    }

    /// Copies `src` to a new file with `strategy`, telling it the source's size is `claimed`.
    fn copy_claiming(strategy: Strategy, src: &Path, dst: &Path, claimed: Option<u64>) -> u64 {
        let src_fd = sys::open(src, OFlags::RDONLY, Mode::empty()).unwrap();
        let dst_fd = create(dst);
        let job = ContentJob {
            src: &src_fd,
            dst: &dst_fd,
            src_size: claimed,
        };
        copy_with(strategy, &job)
            .unwrap_or_else(|e| panic!("{strategy}: {e:?}"))
            .bytes
    }

    /// docs/conformance.md cases 18 and 19 (test_small_chunks, test_big_chunk): whatever size the stat
    /// claimed (far too small, zero, far too big, unknown), every strategy copies to the end.
    #[test]
    fn cases_18_19_loops_run_to_the_end_whatever_the_claimed_size() {
        let dir = tempfile::tempdir().unwrap();
        let data = content(3 * 1024 * 1024 + 5);
        let src = dir.path().join("src");
        std::fs::write(&src, &data).unwrap();
        for strategy in supported_here(dir.path()) {
            for claimed in [Some(1), Some(0), Some(1 << 40), None] {
                // A clone and a mapping are of the whole file, sized by the kernel / the tail
                // loop, so they are held to the same outcome.
                let dst = dir.path().join(format!("dst-{strategy}"));
                let bytes = copy_claiming(strategy, &src, &dst, claimed);
                if strategy != Strategy::Reflink {
                    assert_eq!(bytes, data.len() as u64, "{strategy} claiming {claimed:?}");
                }
                assert!(
                    std::fs::read(&dst).unwrap() == data,
                    "{strategy} claiming {claimed:?}"
                );
            }
        }
    }

    /// docs/conformance.md case 23 (test_file_offset): a source positioned at N copies its tail, and both
    /// positions end at their file's end. Holds for every strategy that works on positions;
    /// reflink and mmap copy whole files (a clone and a mapping are of the file).
    #[test]
    fn case_23_positioned_source_copies_its_tail() {
        let dir = tempfile::tempdir().unwrap();
        let data = content(300 * 1024 + 11);
        let src = dir.path().join("src");
        std::fs::write(&src, &data).unwrap();
        let offset = 100 * 1024 + 3;
        for strategy in supported_here(dir.path()) {
            if matches!(strategy, Strategy::Reflink | Strategy::Mmap) {
                continue;
            }
            let dst = dir.path().join(format!("dst-{strategy}"));
            let src_fd = sys::open(&src, OFlags::RDONLY, Mode::empty()).unwrap();
            sys::seek(&src_fd, rustix::fs::SeekFrom::Start(offset as u64)).unwrap();
            let dst_fd = create(&dst);
            let job = ContentJob {
                src: &src_fd,
                dst: &dst_fd,
                src_size: Some(data.len() as u64),
            };
            let copied = copy_with(strategy, &job).unwrap();
            assert_eq!(copied.bytes, (data.len() - offset) as u64, "{strategy}");
            let src_pos = sys::seek(&src_fd, rustix::fs::SeekFrom::Current(0)).unwrap();
            let dst_pos = sys::seek(&dst_fd, rustix::fs::SeekFrom::Current(0)).unwrap();
            assert_eq!(src_pos, data.len() as u64, "{strategy}: source position");
            assert_eq!(
                dst_pos,
                (data.len() - offset) as u64,
                "{strategy}: destination position"
            );
            assert!(std::fs::read(&dst).unwrap() == data[offset..], "{strategy}");
        }
    }

    #[test]
    fn probes_leave_nothing_behind() {
        let dir = tempfile::tempdir().unwrap();
        for s in Strategy::ALL {
            let _ = s.support(dir.path());
        }
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }
}
