//! The ways of copying a file's content, one file each, behind one trait.
//!
//! Every strategy copies from the source descriptor's current position to the destination's,
//! through the counted [`crate::sys`] layer, and says how many bytes it wrote before failing.
//! Each one states its own give-up rule ([`Strategy::give_up`]: CPython's, unless it knows
//! better) and the syscall it is named after ([`Strategy::syscall`]); `auto`, the tree copy and
//! the harness's conformance suite ask it rather than keep lists of errnos.

pub(crate) mod auto;
mod buffered;
mod copy_file_range;
mod dontcache;
mod fcopyfile;
mod io_uring;
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

use crate::content::{
    ContentCopy, ContentError, ContentJob, GiveUp, Side, Strategy, StrategyError,
};
use crate::sys::{Fd, Syscall};

pub(crate) use auto::GivenUp;
pub use probe::filesystem_name;
pub(crate) use probe::Probe;
pub use sendfile::sendfile_disabled_for_process;

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
                crate::error::errno_text(errno),
                crate::errno::name(errno)
            )),
        }
    }

    /// Why this strategy cannot exist on this platform at all, if it cannot (the syscall
    /// layer's backend says: see `sys/mod.rs`).
    pub fn unsupported_on_platform(self) -> Option<&'static str> {
        crate::sys::BACKEND_MISSING.or(self.content_strategy().unsupported_on_platform())
    }

    /// Why the counted layer cannot see this strategy's content syscalls, if it cannot: `std`
    /// makes them inside the standard library. Its syscall counts are then absent, not zero.
    pub fn uncounted_reason(self) -> Option<&'static str> {
        match self {
            Strategy::Std => Some(std_copy::UNCOUNTED_REASON),
            _ => None,
        }
    }

    /// The syscall this strategy is named after and moves its bytes with (`sendfile`,
    /// `ioctl` for FICLONE), as the counted layer and strace name it; `None` for the
    /// read/write loops, `std` and `auto`, which are named after no one call.
    pub fn syscall(self) -> Option<Syscall> {
        self.content_strategy().syscall()
    }

    /// What it means when this strategy failed with `errno` after writing `written` bytes:
    /// the rule each strategy states for itself (each implementation's `give_up`). `auto`
    /// moves on to its next step, and a tree copy stops trying a step, on its say.
    pub fn give_up(self, errno: Errno, written: u64) -> GiveUp {
        self.content_strategy().give_up(errno, written)
    }

    /// Why `fault` can never fire when a file is copied with this strategy, if it cannot: it
    /// names a content syscall of another strategy that this one never makes
    /// (`copy_file_range:1:EXDEV` with `buffered-64k`), or any content syscall of a strategy
    /// whose calls the counted layer cannot see (`std`). Faults on the calls every copy makes
    /// (openat, fstat, the metadata calls) can fire whatever the strategy.
    pub fn unreachable_fault(self, fault: &crate::sys::Fault) -> Option<String> {
        let any_content = Strategy::ALL
            .iter()
            .any(|s| s.content_syscalls().contains(&fault.syscall));
        if !any_content || self.content_syscalls().contains(&fault.syscall) {
            return None;
        }
        let made: Vec<&str> = self.content_syscalls().iter().map(|c| c.name()).collect();
        let made = match (made.is_empty(), self.uncounted_reason()) {
            (_, Some(why)) => format!("its content calls are not counted: {why}"),
            (true, None) => "it makes no content call the counted layer sees".to_owned(),
            (false, None) => format!("its content calls are {}", made.join(", ")),
        };
        Some(format!(
            "the fault {}:{}:{} can never fire: {self} makes no {} call ({made})",
            fault.syscall,
            fault.nth,
            crate::errno::name(fault.errno),
            fault.syscall
        ))
    }

    /// The content syscalls this strategy can make (each implementation's `content_syscalls`; for
    /// `auto`, those of every step of its chain).
    pub fn content_syscalls(self) -> Vec<Syscall> {
        if self == Strategy::Auto {
            let mut calls: Vec<Syscall> =
                auto::steps().flat_map(Strategy::content_syscalls).collect();
            calls.sort();
            calls.dedup();
            return calls;
        }
        self.content_strategy().content_syscalls().to_vec()
    }

    /// The implementation behind this name (`auto` has its own driver, [`auto::copy_chain`]).
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
            Strategy::Dontcache => &dontcache::Dontcache { chunk: 1024 * 1024 },
            Strategy::IoUring => &io_uring::IoUring,
            Strategy::Std => &std_copy::StdCopy,
            Strategy::Auto => &auto::Auto,
        }
    }
}

/// CPython's give-up rule for its fast paths, word for word from CPython 3.11's
/// `shutil._fastcopy_sendfile` (and 3.14's `_fastcopy_copy_file_range`, which repeats it):
///
/// ```python
/// if err.errno == errno.ENOSPC:  # filesystem is full
///     raise err from None
/// # Give up on first call and if no data was copied.
/// if offset == 0 and os.lseek(outfd, 0, os.SEEK_CUR) == 0:
///     raise _GiveupOnFastCopy(err)
/// raise err
/// ```
///
/// So any `OSError` before the first byte falls back, except ENOSPC: a smaller syscall would
/// not find room either. After a byte, the error is final and the partial destination stays.
pub(crate) fn cpython_give_up(errno: Errno, written: u64) -> GiveUp {
    if errno == Errno::NOSPC || written > 0 {
        GiveUp::No
    } else {
        GiveUp::ThisFile
    }
}

/// One way of copying content between two open descriptors.
pub(crate) trait ContentStrategy: Sync {
    /// Copies everything from `job.src`'s position to its end; returns the bytes written.
    fn copy(&self, job: &ContentJob<'_>) -> Result<u64, StrategyError>;

    /// The syscall the strategy is named after (see [`Strategy::syscall`]).
    fn syscall(&self) -> Option<Syscall>;

    /// The content syscalls it can make through the counted layer, beyond those of every
    /// copy (open, fstat, close, metadata): what a fault can reach in it.
    fn content_syscalls(&self) -> &'static [Syscall] {
        &[]
    }

    /// Whether a failure with `errno` after `written` bytes hands over to another way.
    /// By default CPython's rule for its fast paths ([`cpython_give_up`]); the loops that are
    /// the last resort never give up, and a strategy that knows an errno means "never here"
    /// says [`GiveUp::ForGood`].
    fn give_up(&self, errno: Errno, written: u64) -> GiveUp {
        cpython_give_up(errno, written)
    }

    /// True when copying nothing at all means "this syscall silently does not work here"
    /// rather than "the source is empty" (copy_file_range, see its file).
    fn gives_up_on_empty_copy(&self) -> bool {
        false
    }

    /// Why the strategy cannot exist on this platform, if it cannot (fcopyfile off macOS).
    fn unsupported_on_platform(&self) -> Option<&'static str> {
        None
    }

    /// Tries the strategy's syscall on the probe files.
    fn probe(&self, probe: &Probe) -> Support;
}

/// Copies the content of the open `src` (from its current position) into the open, empty `dst`
/// with `strategy`: a named strategy alone, `auto` as its chain with each step's give-up rule.
/// `job.src_size` is the size an earlier stat reported, if any: in-kernel loops size their
/// blocks from it, and every loop runs until its call says end of file, unless the job trusts
/// that size (`ContentJob::complete_at`). `reflink` and `mmap`
/// copy the whole file whatever the position (a clone and a mapping are of the file).
/// `given_up` carries the steps a tree copy has seen give up for good across its files.
///
/// This is the one entry point both `copy_file` and the tree walkers use for content.
pub(crate) fn copy_content(
    strategy: Strategy,
    job: &ContentJob<'_>,
    given_up: &GivenUp,
) -> Result<ContentCopy, ContentError> {
    if strategy == Strategy::Auto {
        return auto::copy_chain(job, given_up);
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
    fn each_strategy_names_its_syscall_and_states_its_give_up_rule() {
        assert_eq!(Strategy::Sendfile.syscall(), Some(Syscall::Sendfile));
        assert_eq!(Strategy::Reflink.syscall(), Some(Syscall::Ioctl));
        assert_eq!(Strategy::Readinto64k.syscall(), None);
        // CPython's rule: anything but ENOSPC before the first byte gives up.
        for s in [
            Strategy::CopyFileRange,
            Strategy::Sendfile,
            Strategy::Splice,
        ] {
            assert_eq!(s.give_up(Errno::XDEV, 0), GiveUp::ThisFile, "{s}");
            assert_eq!(s.give_up(Errno::IO, 0), GiveUp::ThisFile, "{s}");
            assert_eq!(s.give_up(Errno::NOSPC, 0), GiveUp::No, "{s}");
            assert_eq!(s.give_up(Errno::INVAL, 1), GiveUp::No, "{s}");
        }
        assert_eq!(
            Strategy::Sendfile.give_up(Errno::NOTSOCK, 0),
            GiveUp::ForGood
        );
        assert_eq!(
            Strategy::Reflink.give_up(Errno::OPNOTSUPP, 0),
            GiveUp::ForGood
        );
        // The last resorts and auto's own result never give up.
        for s in [
            Strategy::Buffered64k,
            Strategy::Readinto256k,
            Strategy::Std,
            Strategy::Auto,
        ] {
            assert_eq!(s.give_up(Errno::XDEV, 0), GiveUp::No, "{s}");
        }
        // CPython's _fastcopy_fcopyfile: EINVAL and ENOTSUP only.
        assert_eq!(
            Strategy::Fcopyfile.give_up(Errno::INVAL, 0),
            GiveUp::ThisFile
        );
        assert_eq!(Strategy::Fcopyfile.give_up(Errno::IO, 0), GiveUp::No);
    }

    #[test]
    fn a_fault_that_can_never_fire_is_named_with_why() {
        let fault = |spec: &str| spec.parse::<crate::sys::Fault>().unwrap();
        let why = Strategy::Buffered64k
            .unreachable_fault(&fault("copy_file_range:1:EXDEV"))
            .expect("buffered-64k makes no copy_file_range call");
        assert!(
            why.contains("buffered-64k") && why.contains("read, write"),
            "{why}"
        );
        assert_eq!(
            Strategy::Auto.unreachable_fault(&fault("copy_file_range:1:EXDEV")),
            None
        );
        assert_eq!(Strategy::Auto.unreachable_fault(&fault("read:2:EIO")), None);
        // Calls every copy makes can always fail.
        assert_eq!(
            Strategy::Sendfile.unreachable_fault(&fault("openat:1:EACCES")),
            None
        );
        assert_eq!(
            Strategy::Std.unreachable_fault(&fault("fchmod:1:EPERM")),
            None
        );
        let why = Strategy::Std
            .unreachable_fault(&fault("write:1:EIO"))
            .unwrap();
        assert!(why.contains("not counted"), "{why}");
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
        let job = ContentJob::new(&src_fd, &dst_fd, claimed);
        copy_content(strategy, &job, &GivenUp::default())
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
            let size = Some(data.len() as u64);
            let job = ContentJob::new(&src_fd, &dst_fd, size);
            let copied = copy_content(strategy, &job, &GivenUp::default()).unwrap();
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
