//! The `io_uring` strategy's tree path: a directory's small files in batches of [`BATCH`],
//! each step of the batch one `io_uring_enter` for every file in it, instead of one syscall
//! per file per step (docs/design.md, "Strategies").
//!
//! For a worker's job in a directory this copy created (the lean walker with `--jobs` ≥ 2):
//!
//! 1. `IORING_OP_OPENAT` of every source;
//! 2. `fstat` of each (a syscall: the lean walker's checks and copy2's times need it), then
//!    `IORING_OP_OPENAT` of each destination (`O_CREAT|O_EXCL`, as `lean.rs` creates it),
//!    linked to a `READ_FIXED` of the source into the file's registered buffer;
//! 3. `WRITE_FIXED` of what each read;
//! 4. the metadata calls of `lean.rs` (syscalls), then `IORING_OP_CLOSE` of both ends.
//!
//! What the batch does not copy goes the plain way (`lean::copy_one` for the whole file, or the
//! content path on the descriptors already open), which makes CPython's checks and reports
//! its errors as the other strategies do: a source the batch could not open or stat, one that
//! is not a regular file or is [`SMALL`] bytes or more (its read filled the buffer), a short
//! write. Where the kernel refuses an opcode (EINVAL, EOPNOTSUPP: a kernel older than 5.6),
//! the file goes the plain way with a [`Fallback`] from `io_uring` carrying the errno, and the
//! thread stops batching.
//!
//! The kernel does most of the work either way: ext4 takes neither `O_CREAT` opens nor
//! buffered writes without blocking, so io_uring hands both to its worker threads (`iou-wrk`,
//! about 70 % of the CPU of a batched copy of the 8000-file tree under `perf record -a`), where
//! the same inode creation, page copy and tail zeroing happen as under `copy_file_range`.

use std::cell::Cell;
use std::ffi::{CString, OsStr};
use std::os::fd::AsFd;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

use rustix::fs::{FileType, Mode as FileMode, OFlags, Stat};
use rustix::io::Errno;

use super::cpython::file_type;
use super::isolation;
use super::lean::{copy_one, io, too_long, Dir};
use super::run::{JobTotals, Run};
use crate::content::{ContentCopy, Fallback, Strategy};
use crate::error::CopyError;
use crate::metadata::copy_metadata_from_stat;
use crate::sys::{self, Fd, Ring};

/// Files per batch: the registered buffers of one ring (2 MiB pinned per thread with
/// [`SMALL`]), and 2 × BATCH operations queued at most.
pub(super) const BATCH: u16 = 32;

/// Bytes per registered buffer. A file whose read fills it is copied the plain way.
pub(super) const SMALL: usize = 64 * 1024;

thread_local! {
    /// Set once the kernel refused a batch opcode on this thread: its later files go plain.
    static REFUSED: Cell<bool> = const { Cell::new(false) };
}

/// Whether an errno from a batch operation means the kernel does not take it (not that the
/// file cannot be copied): the file goes the plain way, reported as a fallback.
fn refused(errno: Errno) -> bool {
    matches!(errno, Errno::INVAL | Errno::OPNOTSUPP | Errno::NOSYS)
}

/// Where a file of a batch is going.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Fate {
    /// `lean::copy_one` copies it (the batch did not open it, or it is not small and regular).
    Plain,
    /// The batch is copying it.
    Batch,
    /// Its error is gathered: nothing more to do.
    Gathered,
}

/// One file of a batch, from its source's open to its close.
struct Slot<'f> {
    name: &'f OsStr,
    c_name: CString,
    seq: u64,
    started: Option<std::time::Instant>,
    fate: Fate,
    src: Option<Fd>,
    stat: Option<Stat>,
    dst: Option<Fd>,
    /// The creation mode is the final one (no fchmod), see `isolation::creation_mode`.
    final_mode: bool,
    /// Bytes the read returned, when the batch copies the content itself.
    read: Option<usize>,
    /// Bytes copied, once the file is finished.
    copied: u64,
}

impl Slot<'_> {
    /// Gathers this file's error (made from its source and destination paths) and closes what
    /// it has open: nothing more is done for it.
    fn gather(&mut self, run: &Run<'_>, dir: &Dir, error: impl FnOnce(&Path, &Path) -> CopyError) {
        let (s, d) = (dir.src_name(self.name), dir.dst_name(self.name));
        run.gather(self.seq, &s, &d, error(&s, &d));
        self.fate = Fate::Gathered;
        self.src = None;
        self.dst = None;
    }
}

/// Copies `files` of `dir` (created by this copy) in batches; what a batch cannot copy goes
/// through `lean::copy_one`. Without a ring (io_uring refused on this thread), every file does.
pub(super) fn copy_files(
    run: &Run<'_>,
    totals: &mut JobTotals,
    dir: &Dir,
    files: &[(&OsStr, u64)],
) {
    let plain = |totals: &mut JobTotals, files: &[(&OsStr, u64)]| {
        for &(name, seq) in files {
            copy_one(run, totals, dir, name, seq);
        }
    };
    if REFUSED.with(Cell::get) {
        return plain(totals, files);
    }
    let mut ring = match Ring::cached(2 * u32::from(BATCH), BATCH, SMALL) {
        Ok(ring) => ring,
        // The per-file `io_uring` content copy that `copy_one` runs reports why.
        Err(_) => {
            REFUSED.with(|r| r.set(true));
            return plain(totals, files);
        }
    };
    for (k, batch) in files.chunks(usize::from(BATCH)).enumerate() {
        if REFUSED.with(Cell::get) {
            plain(totals, batch);
            continue;
        }
        let mut slots = slots_of(run, batch, totals, dir);
        if let Err(step) = copy_batch(run, totals, dir, &mut ring, &mut slots) {
            // A submission failed: dropping the ring submits and waits for what was queued,
            // so nothing is in flight when each file's outcome is settled.
            drop(ring);
            REFUSED.with(|r| r.set(true));
            settle_failed_batch(run, totals, dir, &mut slots, step);
            let rest = files.len().min((k + 1) * usize::from(BATCH));
            return plain(totals, &files[rest..]);
        }
    }
    ring.put_back();
}

/// The slots of a batch; a name with a NUL (which no directory lists) goes plain at once.
fn slots_of<'f>(
    run: &Run<'_>,
    files: &[(&'f OsStr, u64)],
    totals: &mut JobTotals,
    dir: &Dir,
) -> Vec<Slot<'f>> {
    let mut slots = Vec::with_capacity(files.len());
    for &(name, seq) in files {
        match CString::new(name.as_bytes()) {
            Ok(c_name) => slots.push(Slot {
                name,
                c_name,
                seq,
                started: run.clock(),
                fate: Fate::Plain,
                src: None,
                stat: None,
                dst: None,
                final_mode: false,
                read: None,
                copied: 0,
            }),
            Err(_) => copy_one(run, totals, dir, name, seq),
        }
    }
    slots
}

/// Tags: the file's index in the batch, times 2, plus which of its two operations.
fn tag(index: usize, second: bool) -> u64 {
    index as u64 * 2 + u64::from(second)
}

fn untag(tag: u64) -> (usize, bool) {
    ((tag / 2) as usize, tag % 2 == 1)
}

/// The step of a batch whose submission failed, with its errno.
#[derive(Clone, Copy, Debug)]
enum FailedStep {
    OpenSources,
    CreateAndRead(Errno),
    Write,
    Close,
}

/// One batch of at most [`BATCH`] files. `Err` only when a submission itself failed (the
/// caller settles each file then); every other outcome is copied, gathered or left `Plain`
/// and copied here the plain way.
fn copy_batch(
    run: &Run<'_>,
    totals: &mut JobTotals,
    dir: &Dir,
    ring: &mut Ring,
    slots: &mut [Slot<'_>],
) -> Result<(), FailedStep> {
    let options = run.options;

    // 1. Open every source.
    let fail = |_| FailedStep::OpenSources;
    for (i, slot) in slots.iter().enumerate() {
        let flags = OFlags::RDONLY | OFlags::NOCTTY;
        // SAFETY: `slot.c_name` and `dir.src` live until the completions are collected.
        unsafe {
            ring.queue_openat(
                dir.src.as_fd(),
                &slot.c_name,
                flags,
                FileMode::empty(),
                false,
                tag(i, false),
            )
        }
        .map_err(fail)?;
    }
    for done in ring.submit_and_wait_all().map_err(fail)? {
        let (i, _) = untag(done.tag);
        let Some(slot) = slots.get_mut(i) else {
            continue;
        };
        match done.result.and_then(Ring::take_descriptor) {
            Ok(fd) => slot.src = Some(fd),
            // The plain path opens it again and reports its error, as CPython would.
            Err(e) if refused(e) => note_refusal(totals, e),
            Err(_) => {}
        }
    }

    // 2. Stat each source; create the destinations of the small regular ones, each linked to
    // the read of its source.
    let fail = FailedStep::CreateAndRead;
    for (i, slot) in slots.iter_mut().enumerate() {
        let Some(src) = &slot.src else { continue };
        let st = match sys::fstat(src) {
            Ok(st) => st,
            Err(e) => {
                slot.gather(run, dir, |s, d| io(e, "stat", s, s, d));
                continue;
            }
        };
        let small = file_type(&st) == FileType::RegularFile && (st.st_size as u64) < SMALL as u64;
        if !small || too_long(&dir.paths.dst_path, slot.name) {
            // Checked and reported the plain way (a directory, a FIFO, a big file).
            slot.src = None;
            continue;
        }
        let (perm, final_mode) =
            isolation::creation_mode(dir.paths.keeps_mode, options.mode, st.st_mode);
        slot.final_mode = final_mode;
        slot.stat = Some(st);
        slot.fate = Fate::Batch;
        let flags = OFlags::WRONLY | OFlags::CREATE | OFlags::EXCL | OFlags::NOCTTY;
        // SAFETY: as above, for `dir.dst`.
        unsafe {
            ring.queue_openat(
                dir.dst.as_fd(),
                &slot.c_name,
                flags,
                perm,
                true,
                tag(i, false),
            )
        }
        .map_err(fail)?;
        ring.queue_read(src, i as u16, 0, tag(i, true))
            .map_err(fail)?;
    }
    for done in ring.submit_and_wait_all().map_err(fail)? {
        let (i, is_read) = untag(done.tag);
        let Some(slot) = slots.get_mut(i) else {
            continue;
        };
        if !is_read {
            match done.result.and_then(Ring::take_descriptor) {
                Ok(fd) => slot.dst = Some(fd),
                Err(e) => slot.gather(run, dir, |s, d| io(e, "open", d, s, d)),
            }
            continue;
        }
        match done.result {
            Ok(n) if n < SMALL => slot.read = Some(n),
            // Filled the buffer (the file grew) or failed: the content path copies it from
            // the start (the read had its own offset, so both positions are still 0) and
            // reports its error.
            _ => {}
        }
    }

    // 3. Write what each read.
    let fail = |_| FailedStep::Write;
    for (i, slot) in slots.iter().enumerate() {
        if let (Some(dst), Some(n)) = (&slot.dst, slot.read) {
            if n > 0 {
                ring.queue_write(dst, i as u16, 0..n, 0, tag(i, false))
                    .map_err(fail)?;
            }
        }
    }
    for done in ring.submit_and_wait_all().map_err(fail)? {
        let (i, _) = untag(done.tag);
        let Some(slot) = slots.get_mut(i) else {
            continue;
        };
        if done.result != Ok(slot.read.unwrap_or(0)) {
            // A short or failed write: the content path writes it all again from offset 0.
            slot.read = None;
        }
    }

    // 4. Content left to the content path, metadata, then both ends closed through the ring.
    let fail = |_| FailedStep::Close;
    for (i, slot) in slots.iter_mut().enumerate() {
        if slot.fate != Fate::Batch {
            continue;
        }
        match finish_file(run, totals, dir, slot) {
            Ok(bytes) => {
                slot.copied = bytes;
                if let Some(dst) = slot.dst.take() {
                    ring.queue_close(dst, tag(i, true)).map_err(fail)?;
                }
                if let Some(src) = slot.src.take() {
                    ring.queue_close(src, tag(i, false)).map_err(fail)?;
                }
            }
            Err(e) => slot.gather(run, dir, |_, _| e),
        }
    }
    let mut close_errors: Vec<(usize, bool, Errno)> = Vec::new();
    for done in ring.submit_and_wait_all().map_err(fail)? {
        if let Err(e) = done.result {
            let (i, is_dst) = untag(done.tag);
            close_errors.push((i, is_dst, e));
        }
    }
    for (i, slot) in slots.iter().enumerate() {
        match slot.fate {
            Fate::Gathered => {}
            Fate::Plain => copy_one(run, totals, dir, slot.name, slot.seq),
            Fate::Batch => {
                let (s, d) = (dir.src_name(slot.name), dir.dst_name(slot.name));
                // The destination's close first, as `lean.rs` closes it first.
                let failed = close_errors
                    .iter()
                    .filter(|(j, _, _)| *j == i)
                    .min_by_key(|(_, is_dst, _)| !is_dst);
                match failed {
                    Some(&(_, true, e)) => run.gather(slot.seq, &s, &d, io(e, "close", &d, &s, &d)),
                    Some(&(_, false, e)) => {
                        run.gather(slot.seq, &s, &d, io(e, "close", &s, &s, &d))
                    }
                    None => Run::job_file_copied(totals, slot.copied, slot.started),
                }
            }
        }
    }
    Ok(())
}

/// Each file of a batch whose submission failed at `step`, once nothing is in flight.
fn settle_failed_batch(
    run: &Run<'_>,
    totals: &mut JobTotals,
    dir: &Dir,
    slots: &mut [Slot<'_>],
    step: FailedStep,
) {
    for slot in slots.iter_mut() {
        let (s, d) = (dir.src_name(slot.name), dir.dst_name(slot.name));
        match (step, slot.fate) {
            (_, Fate::Gathered) => {}
            // Nothing was created yet (sources opened by the last submission are closed when
            // the process ends: their descriptors never came back).
            (FailedStep::OpenSources, _) | (_, Fate::Plain) => {
                copy_one(run, totals, dir, slot.name, slot.seq)
            }
            // The destination may have been created by the queued open: reported, not redone.
            (FailedStep::CreateAndRead(e), Fate::Batch) => {
                run.gather(slot.seq, &s, &d, io(e, "io_uring_enter", &d, &s, &d))
            }
            // Both ends are open: the content path copies it all.
            (FailedStep::Write, Fate::Batch) => {
                slot.read = None;
                match finish_file(run, totals, dir, slot) {
                    Ok(bytes) => Run::job_file_copied(totals, bytes, slot.started),
                    Err(e) => run.gather(slot.seq, &s, &d, e),
                }
            }
            // Copied; its close went to the ring, which the drop submitted.
            (FailedStep::Close, Fate::Batch) => {
                Run::job_file_copied(totals, slot.copied, slot.started)
            }
        }
    }
}

/// The kernel refused a batch opcode: this thread stops batching, and the tally says why.
fn note_refusal(totals: &mut JobTotals, errno: Errno) {
    REFUSED.with(|r| r.set(true));
    let copied = ContentCopy {
        bytes: 0,
        strategy_used: Strategy::IoUring,
        fallbacks: vec![Fallback {
            from: Strategy::IoUring,
            errno: Some(errno),
        }],
    };
    Run::job_content_copied(totals, &copied);
}

/// The content (when the batch did not copy it) and the metadata of one file whose two ends
/// are open, as `lean::copy_file_at` finishes it. Returns the bytes copied.
fn finish_file(
    run: &Run<'_>,
    totals: &mut JobTotals,
    dir: &Dir,
    slot: &Slot<'_>,
) -> Result<u64, CopyError> {
    let options = run.options;
    let (s, d) = (dir.src_name(slot.name), dir.dst_name(slot.name));
    let (Some(src), Some(dst), Some(st)) = (&slot.src, &slot.dst, &slot.stat) else {
        return Err(io(Errno::BADF, "open", &d, &s, &d));
    };
    let copied = match slot.read {
        Some(n) => {
            let copied = ContentCopy {
                bytes: n as u64,
                strategy_used: Strategy::IoUring,
                fallbacks: Vec::new(),
            };
            Run::job_content_copied(totals, &copied);
            Ok(copied)
        }
        None => run.copy_job_content(totals, src, dst, Some(st.st_size as u64), true),
    };
    let done = copied.and_then(|content| {
        copy_metadata_from_stat(src, st, dst, options.mode, options.xattrs, !slot.final_mode)?;
        Ok(content.bytes)
    });
    done.map_err(|e| {
        // CPython's half-made file never got its chmod: it keeps `0o666 & ~umask`.
        if slot.final_mode {
            let _ = sys::fchmod(dst, isolation::cpython_creation_mode());
        }
        e.into_copy_error(&s, &d)
    })
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::sys::{Syscall, SyscallCounts, SyscallRecorder};
    use crate::tree::{copy_tree, TreeOptions, TreeReport};

    /// Whether this kernel lets the process make a batch ring; a test that needs one says so
    /// when it cannot (io_uring disabled by `sysctl kernel.io_uring_disabled` or seccomp).
    fn ring_available() -> bool {
        let made = Ring::with_depth(2 * u32::from(BATCH), BATCH, SMALL).is_ok();
        if !made {
            eprintln!("skipped: io_uring is refused here (kernel.io_uring_disabled, seccomp)");
        }
        made
    }

    /// One directory (so one worker's job) of `n` files of 0 to ~5 KiB, and a file bigger
    /// than a batch buffer.
    fn tree(root: &Path, n: usize) {
        std::fs::create_dir(root).unwrap();
        for i in 0..n {
            let bytes: Vec<u8> = (0..i * 97).map(|b| (b * 31 + i) as u8).collect();
            std::fs::write(root.join(format!("f{i:02}")), bytes).unwrap();
        }
        std::fs::write(root.join("big"), vec![7u8; SMALL + 1]).unwrap();
    }

    fn options() -> TreeOptions {
        TreeOptions {
            strategy: Strategy::IoUring,
            jobs: 2,
            ..TreeOptions::default()
        }
    }

    fn copied(faults: &[&str], n: usize) -> (tempfile::TempDir, TreeReport, SyscallCounts) {
        let t = tempfile::tempdir().unwrap();
        let (src, dst) = (t.path().join("src"), t.path().join("dst"));
        tree(&src, n);
        let faults = faults.iter().map(|f| f.parse().unwrap()).collect();
        let recorder = SyscallRecorder::with_faults(faults);
        let report = recorder.run(|| copy_tree(&src, &dst, &options())).unwrap();
        (t, report, recorder.counts())
    }

    fn same_content(t: &Path, name: &str) -> bool {
        std::fs::read(t.join("src").join(name)).ok() == std::fs::read(t.join("dst").join(name)).ok()
    }

    #[test]
    fn small_files_are_opened_copied_and_closed_through_the_ring() {
        if !ring_available() {
            return;
        }
        let files = 40;
        let (t, report, counts) = copied(&[], files);
        assert!(report.errors.is_empty(), "{:?}", report.errors);
        assert_eq!(report.files as usize, files + 1);
        for i in 0..files {
            assert!(same_content(t.path(), &format!("f{i:02}")), "f{i:02}");
        }
        assert!(same_content(t.path(), "big"));
        // The small ones in two batches (32 + 8), four submissions each; the big one the plain
        // way, with the per-file io_uring copy.
        assert_eq!(
            report.strategies_used.get(&Strategy::IoUring),
            Some(&(files as u64 + 1))
        );
        assert!(report.fallbacks.is_empty(), "{:?}", report.fallbacks);
        // No openat or close of its own per small file: the directories' (a few per job) and
        // the big file's, and the one source the batch opened and handed to the plain path.
        assert!(counts.get(Syscall::Openat) < 10, "{counts:?}");
        assert!(counts.get(Syscall::Close) < 10, "{counts:?}");
        // One fstat per file in the batch, the big one's again on the plain path, and the two
        // directories', each opened by the walker and again by the worker.
        assert_eq!(
            counts.get(Syscall::Fstat) as usize,
            files + 2 + 4,
            "{counts:?}"
        );
        // Four per batch, and the big file's read and write rounds.
        assert_eq!(counts.get(Syscall::IoUringEnter), 2 * 4 + 2, "{counts:?}");
    }

    #[test]
    fn a_failed_submission_still_copies_or_reports_every_file() {
        if !ring_available() {
            return;
        }
        let files = 40;
        // The first enter of the batch path (opening the sources): everything goes the plain way.
        let (t, report, _) = copied(&["io_uring_enter:1:EIO"], files);
        assert!(report.errors.is_empty(), "{:?}", report.errors);
        assert_eq!(report.files as usize, files + 1);
        assert!((0..files).all(|i| same_content(t.path(), &format!("f{i:02}"))));
        // The second (creating the destinations): the first batch's files are reported, each
        // once, never silently lost; the rest are copied.
        let (t, report, _) = copied(&["io_uring_enter:2:EIO"], files);
        assert_eq!(
            report.errors.len(),
            usize::from(BATCH),
            "{:?}",
            report.errors
        );
        assert_eq!(report.files as usize, files + 1 - usize::from(BATCH));
        assert!(report
            .errors
            .iter()
            .all(|e| e.error.to_string().contains("io_uring_enter")));
        assert!(same_content(t.path(), "big"));
        // The third (writing): the content path rewrites the batch's files in full.
        let (t, report, _) = copied(&["io_uring_enter:3:EIO"], files);
        assert!(report.errors.is_empty(), "{:?}", report.errors);
        assert!((0..files).all(|i| same_content(t.path(), &format!("f{i:02}"))));
    }

    #[test]
    fn tags_name_a_file_and_which_of_its_two_operations() {
        for i in [0, 1, 31] {
            assert_eq!(untag(tag(i, false)), (i, false));
            assert_eq!(untag(tag(i, true)), (i, true));
        }
    }
}
