//! What one tree copy shares between its walker and its worker threads: the options, the
//! running totals, and the gathered errors in walk order.

use std::ffi::OsStr;
use std::path::Path;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::Instant;

use super::ignore::IgnorePatterns;
use super::{TreeErrorEntry, TreeOptions, TreeReport};
use crate::content::{ContentCopy, ContentError, ContentJob, Fallback, Strategy};
use crate::error::CopyError;
use crate::strategy::{copy_content, GivenUp};
use crate::sys::Fd;

/// Content copies of a tree, by what did them.
#[derive(Default)]
struct ContentTally {
    strategies_used: std::collections::BTreeMap<Strategy, u64>,
    fallbacks: Vec<(Fallback, u64)>,
}

impl ContentTally {
    fn add(&mut self, copied: &ContentCopy) {
        *self
            .strategies_used
            .entry(copied.strategy_used)
            .or_insert(0) += 1;
        for fallback in &copied.fallbacks {
            match self.fallbacks.iter_mut().find(|(f, _)| f == fallback) {
                Some((_, n)) => *n += 1,
                None => self.fallbacks.push((fallback.clone(), 1)),
            }
        }
    }

    fn merge(&mut self, other: ContentTally) {
        for (strategy, n) in other.strategies_used {
            *self.strategies_used.entry(strategy).or_insert(0) += n;
        }
        for (fallback, n) in other.fallbacks {
            match self.fallbacks.iter_mut().find(|(f, _)| *f == fallback) {
                Some((_, total)) => *total += n,
                None => self.fallbacks.push((fallback, n)),
            }
        }
    }
}

/// What the files of one worker's job add to the totals, kept apart until the job ends: two
/// workers bumping the shared counters and taking the tally's lock for every file make those
/// cache lines bounce between the cores.
#[derive(Default)]
pub(crate) struct JobTotals {
    files: u64,
    bytes: u64,
    latencies: Vec<u64>,
    content: ContentTally,
}

/// The state of one `copy_tree` call.
pub(crate) struct Run<'a> {
    pub(crate) options: &'a TreeOptions,
    ignore: IgnorePatterns,
    files: AtomicU64,
    dirs: AtomicU64,
    symlinks: AtomicU64,
    bytes: AtomicU64,
    /// Hands out positions in walk order, so errors gathered on worker threads are reported in
    /// the order `shutil.copytree` would list them.
    next_seq: AtomicU64,
    errors: Mutex<Vec<(u64, TreeErrorEntry)>>,
    latencies: Mutex<Vec<u64>>,
    /// Which strategy copied each file's content, and every give-up before it.
    content: Mutex<ContentTally>,
    /// The steps of `auto` that gave up for good on an earlier file (FICLONE refused between
    /// the tree's filesystems): later files skip them, one failed call per tree instead of
    /// one per file; the copies are the same.
    given_up: GivenUp,
}

impl<'a> Run<'a> {
    pub(crate) fn new(options: &'a TreeOptions) -> Run<'a> {
        Run {
            options,
            ignore: IgnorePatterns::new(&options.ignore),
            files: AtomicU64::new(0),
            dirs: AtomicU64::new(0),
            symlinks: AtomicU64::new(0),
            bytes: AtomicU64::new(0),
            next_seq: AtomicU64::new(0),
            errors: Mutex::new(Vec::new()),
            latencies: Mutex::new(Vec::new()),
            content: Mutex::new(ContentTally::default()),
            given_up: GivenUp::default(),
        }
    }

    /// Whether `name` is excluded by the ignore globs.
    pub(crate) fn ignored(&self, name: &OsStr) -> bool {
        self.ignore.matches(name)
    }

    /// The next position in walk order (take it where CPython would reach the step).
    pub(crate) fn seq(&self) -> u64 {
        self.next_seq.fetch_add(1, Ordering::Relaxed)
    }

    /// Gathers an error at walk position `seq`, as `errors.append((srcname, dstname, why))`.
    pub(crate) fn gather(&self, seq: u64, src: &Path, dst: &Path, error: CopyError) {
        let entry = TreeErrorEntry {
            src: src.to_owned(),
            dst: dst.to_owned(),
            error,
        };
        // A poisoned lock only means another worker panicked; the list itself is intact.
        let mut errors = self.errors.lock().unwrap_or_else(|e| e.into_inner());
        errors.push((seq, entry));
    }

    /// A file of a job copied: counted in the job's totals.
    pub(crate) fn job_file_copied(totals: &mut JobTotals, bytes: u64, started: Option<Instant>) {
        totals.files += 1;
        totals.bytes += bytes;
        if let Some(started) = started {
            totals
                .latencies
                .push(u64::try_from(started.elapsed().as_nanos()).unwrap_or(u64::MAX));
        }
    }

    /// A file of a job whose content was copied outside [`Run::copy_job_content`] (the
    /// `io_uring` batches of `batch.rs`): tallied the same way.
    pub(crate) fn job_content_copied(totals: &mut JobTotals, copied: &ContentCopy) {
        totals.content.add(copied);
    }

    /// Adds a finished job's totals to the copy's.
    pub(crate) fn merge(&self, totals: JobTotals) {
        let JobTotals {
            files,
            bytes,
            latencies,
            content,
        } = totals;
        self.files.fetch_add(files, Ordering::Relaxed);
        self.bytes.fetch_add(bytes, Ordering::Relaxed);
        if !latencies.is_empty() {
            let mut all = self.latencies.lock().unwrap_or_else(|e| e.into_inner());
            all.extend(latencies);
        }
        let mut tally = self.content.lock().unwrap_or_else(|e| e.into_inner());
        tally.merge(content);
    }

    pub(crate) fn file_copied(&self, bytes: u64, started: Option<Instant>) {
        self.files.fetch_add(1, Ordering::Relaxed);
        self.bytes.fetch_add(bytes, Ordering::Relaxed);
        if let Some(started) = started {
            let ns = u64::try_from(started.elapsed().as_nanos()).unwrap_or(u64::MAX);
            self.latencies
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .push(ns);
        }
    }

    /// When to start a file's latency clock (only if latencies were asked for).
    pub(crate) fn clock(&self) -> Option<Instant> {
        self.options.record_latencies.then(Instant::now)
    }

    /// Copies one file's content with the tree's strategy, through the engine's one content
    /// path. `trust_size`: stop at `src_size` without the call that says end of file (see
    /// `ContentJob::complete_at`).
    pub(crate) fn copy_content(
        &self,
        src: &Fd,
        dst: &Fd,
        src_size: Option<u64>,
        trust_size: bool,
    ) -> Result<ContentCopy, ContentError> {
        let copied = self.copy_content_only(src, dst, src_size, trust_size)?;
        let mut tally = self.content.lock().unwrap_or_else(|e| e.into_inner());
        tally.add(&copied);
        Ok(copied)
    }

    /// [`Run::copy_content`] for a file of a job: tallied in the job's totals.
    pub(crate) fn copy_job_content(
        &self,
        totals: &mut JobTotals,
        src: &Fd,
        dst: &Fd,
        src_size: Option<u64>,
        trust_size: bool,
    ) -> Result<ContentCopy, ContentError> {
        let copied = self.copy_content_only(src, dst, src_size, trust_size)?;
        totals.content.add(&copied);
        Ok(copied)
    }

    fn copy_content_only(
        &self,
        src: &Fd,
        dst: &Fd,
        src_size: Option<u64>,
        trust_size: bool,
    ) -> Result<ContentCopy, ContentError> {
        let job = ContentJob {
            trust_size,
            ..ContentJob::new(src, dst, src_size)
        };
        copy_content(self.options.strategy, &job, &self.given_up)
    }

    pub(crate) fn dir_created(&self) {
        self.dirs.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn symlink_created(&self) {
        self.symlinks.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn into_report(self) -> TreeReport {
        let content = self.content.into_inner().unwrap_or_else(|e| e.into_inner());
        let mut errors = self.errors.into_inner().unwrap_or_else(|e| e.into_inner());
        errors.sort_by_key(|(seq, _)| *seq);
        TreeReport {
            files: self.files.into_inner(),
            dirs: self.dirs.into_inner(),
            symlinks: self.symlinks.into_inner(),
            bytes: self.bytes.into_inner(),
            errors: errors.into_iter().map(|(_, e)| e).collect(),
            file_latencies_ns: self
                .latencies
                .into_inner()
                .unwrap_or_else(|e| e.into_inner()),
            strategies_used: content.strategies_used,
            fallbacks: content.fallbacks,
        }
    }
}
