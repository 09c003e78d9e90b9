//! One file through an io_uring: [`DEPTH`] registered buffers, each round reading up to that
//! many chunks in one `io_uring_enter` and writing them back in another, so a 512 MiB copy takes
//! a few hundred syscalls instead of thousands, and the kernel pins the buffers once instead of
//! mapping user pages on every call. No peer benchmarks it (docs/design.md, "Strategies").
//!
//! Each thread keeps its ring (and its pinned buffers) for its next io_uring copy: a tree of
//! small files pays `io_uring_setup` and `io_uring_register` once per thread, not per file.
//!
//! The reads and writes carry explicit offsets (several are in flight at once), so the files'
//! positions are read first and set to where a sequential loop would have left them at the end.

use rustix::fs::SeekFrom;
use rustix::io::Errno;

use super::{ContentStrategy, Probe, Support};
use crate::content::{ContentJob, GiveUp, Side, StrategyError};
use crate::sys::{self, Completion, Ring, Syscall};

/// Operations in flight per round.
const DEPTH: u16 = 8;
/// Bytes per registered buffer: 8 × 256 KiB = 2 MiB per round.
const CHUNK: usize = 256 * 1024;

pub(crate) struct IoUring;

/// Runs `copy` with this thread's ring, made on its first use; one a copy failed with is
/// dropped.
fn with_ring<T>(
    copy: impl FnOnce(&mut Ring) -> Result<T, StrategyError>,
) -> Result<T, StrategyError> {
    let mut ring = Ring::cached(u32::from(DEPTH), DEPTH, CHUNK)
        .map_err(|e| StrategyError::new("io_uring_setup", e, Side::Both, 0))?;
    let result = copy(&mut ring);
    if result.is_ok() {
        ring.put_back();
    }
    result
}

impl ContentStrategy for IoUring {
    fn copy(&self, job: &ContentJob<'_>) -> Result<u64, StrategyError> {
        with_ring(|ring| copy_file(ring, job))
    }

    fn syscall(&self) -> Option<Syscall> {
        Some(Syscall::IoUringEnter)
    }

    fn content_syscalls(&self) -> &'static [Syscall] {
        &[
            Syscall::IoUringSetup,
            Syscall::IoUringRegister,
            Syscall::IoUringEnter,
            Syscall::Lseek,
        ]
    }

    /// Refused before the first byte, io_uring is refused for every file here: EPERM (disabled
    /// by `sysctl kernel.io_uring_disabled`, or a container's seccomp profile), ENOSYS (a
    /// kernel without it), ENOMEM (no room to pin the buffers under RLIMIT_MEMLOCK), EINVAL
    /// and EOPNOTSUPP (an opcode the kernel or file does not take). Any other error is the
    /// copy's, as for the read/write loops it otherwise is.
    fn give_up(&self, errno: Errno, written: u64) -> GiveUp {
        let refused = matches!(
            errno,
            Errno::PERM | Errno::NOSYS | Errno::NOMEM | Errno::INVAL | Errno::OPNOTSUPP
        );
        if written == 0 && refused {
            GiveUp::ForGood
        } else {
            GiveUp::No
        }
    }

    fn probe(&self, probe: &Probe) -> Support {
        let mut ring = match Ring::with_buffers(1, 4096) {
            Ok(ring) => ring,
            Err(errno) => {
                let mut support = probe.failed("io_uring_setup", errno);
                if errno == Errno::PERM {
                    support.reason.push_str(
                        " (io_uring disabled: see `sysctl kernel.io_uring_disabled`, or the \
                         container's seccomp profile)",
                    );
                }
                return support;
            }
        };
        let read = ring
            .queue_read(&probe.src, 0, 0, 0)
            .and_then(|()| ring.submit_and_wait_all())
            .and_then(single);
        let n = match read {
            Ok(n) => n,
            Err(errno) => return probe.failed("io_uring READ_FIXED", errno),
        };
        let write = ring
            .queue_write(&probe.dst, 0, 0..n, 0, 0)
            .and_then(|()| ring.submit_and_wait_all())
            .and_then(single);
        match write {
            Ok(n) => probe.copied("io_uring READ_FIXED/WRITE_FIXED", n),
            Err(errno) => probe.failed("io_uring WRITE_FIXED", errno),
        }
    }
}

/// One file through `ring`, round after round until the end of the file.
fn copy_file(ring: &mut Ring, job: &ContentJob<'_>) -> Result<u64, StrategyError> {
    let src_start = position(job.src, Side::Src, 0)?;
    let dst_start = position(job.dst, Side::Dst, 0)?;
    let mut copied = 0u64;
    loop {
        let round = copy_round(ring, job, src_start + copied, dst_start + copied).map_err(
            |(e, written)| StrategyError {
                written: copied + written,
                ..e
            },
        )?;
        copied += round;
        if round == 0 || job.complete_at(copied) {
            break;
        }
    }
    // Where read(2)/write(2) loops leave the two positions.
    seek(job.src, src_start + copied, Side::Src, copied)?;
    seek(job.dst, dst_start + copied, Side::Dst, copied)?;
    Ok(copied)
}

/// The result of the one operation of a batch of one.
fn single(done: Vec<Completion>) -> rustix::io::Result<usize> {
    done.first().ok_or(Errno::IO)?.result
}

/// One round: up to [`DEPTH`] chunks read from `src_at` in one enter, then the bytes read up
/// to the first short or failed read written to `dst_at` in another. Returns the bytes copied
/// (0 at the end of the file); on failure, the error and the bytes of this round written.
fn copy_round(
    ring: &mut Ring,
    job: &ContentJob<'_>,
    src_at: u64,
    dst_at: u64,
) -> Result<u64, (StrategyError, u64)> {
    let chunk = ring.buffer_size() as u64;
    // With a size to go by, no reads far past the end; the loop still ends on an empty read
    // (or a trusted size), so a wrong size only costs rounds.
    let reads = match job.src_size {
        None => DEPTH,
        Some(size) if size > src_at => (size - src_at).div_ceil(chunk).min(DEPTH.into()) as u16,
        // Past the size it reported (a /proc file's 0, a file that grew): a chunk a round.
        Some(_) => 1,
    };
    let fail = |op, errno, side, written| (StrategyError::new(op, errno, side, 0), written);
    for i in 0..reads {
        ring.queue_read(job.src, i, src_at + u64::from(i) * chunk, u64::from(i))
            .map_err(|e| fail("io_uring_enter", e, Side::Src, 0))?;
    }
    let mut lengths = vec![None; usize::from(reads)];
    for done in ring
        .submit_and_wait_all()
        .map_err(|e| fail("io_uring_enter", e, Side::Src, 0))?
    {
        lengths[done.tag as usize] = Some(done.result);
    }
    // The bytes read contiguously from `src_at`: up to the first short read or error.
    let mut take = Vec::new();
    let mut read_error = None;
    for (i, length) in lengths.into_iter().enumerate() {
        match length.unwrap_or(Err(Errno::IO)) {
            Ok(n) => {
                take.push((i as u16, n));
                if (n as u64) < chunk {
                    break;
                }
            }
            Err(errno) => {
                read_error = Some(errno);
                break;
            }
        }
    }
    let written = write_chunks(ring, job, dst_at, &take)?;
    match read_error {
        Some(errno) => Err(fail("read (io_uring)", errno, Side::Src, written)),
        None => Ok(written),
    }
}

/// Writes `(buffer, length)` chunks back to back from `dst_at`, resubmitting the rest of any
/// short write. Returns the bytes written.
fn write_chunks(
    ring: &mut Ring,
    job: &ContentJob<'_>,
    dst_at: u64,
    chunks: &[(u16, usize)],
) -> Result<u64, (StrategyError, u64)> {
    let chunk = ring.buffer_size() as u64;
    let fail = |errno, written| {
        (
            StrategyError::new("write (io_uring)", errno, Side::Dst, 0),
            written,
        )
    };
    // (buffer, bytes of it written so far, its length)
    let mut pending: Vec<(u16, usize, usize)> = chunks
        .iter()
        .filter(|(_, n)| *n > 0)
        .map(|&(i, n)| (i, 0, n))
        .collect();
    let mut written = 0u64;
    while !pending.is_empty() {
        for &(i, done, len) in &pending {
            let at = dst_at + u64::from(i) * chunk + done as u64;
            ring.queue_write(job.dst, i, done..len, at, u64::from(i))
                .map_err(|e| fail(e, written))?;
        }
        let completions = ring.submit_and_wait_all().map_err(|e| fail(e, written))?;
        let mut first_error = None;
        for c in completions {
            let Some(entry) = pending.iter_mut().find(|p| u64::from(p.0) == c.tag) else {
                continue;
            };
            match c.result {
                // write(2) returning 0 for a non-empty buffer: no progress is possible.
                Ok(0) => first_error = first_error.or(Some(Errno::IO)),
                Ok(n) => {
                    entry.1 += n;
                    written += n as u64;
                }
                Err(errno) => first_error = first_error.or(Some(errno)),
            }
        }
        if let Some(errno) = first_error {
            return Err(fail(errno, written));
        }
        pending.retain(|&(_, done, len)| done < len);
    }
    Ok(written)
}

/// The file's position (`lseek(fd, 0, SEEK_CUR)`).
fn position(fd: &sys::Fd, side: Side, written: u64) -> Result<u64, StrategyError> {
    sys::seek(fd, SeekFrom::Current(0)).map_err(|e| StrategyError::new("lseek", e, side, written))
}

/// Moves the file's position to `to`.
fn seek(fd: &sys::Fd, to: u64, side: Side, written: u64) -> Result<(), StrategyError> {
    sys::seek(fd, SeekFrom::Start(to))
        .map(drop)
        .map_err(|e| StrategyError::new("lseek", e, side, written))
}
