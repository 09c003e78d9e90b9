//! One sample: a copy of the fixture by one entry, with everything around it kept outside the
//! timing (eviction, flushes, the check, the move into the trash), and its recording.

use std::os::fd::AsFd;
use std::path::{Path, PathBuf};

use copybench_result::Sample;

use super::check::{check_copy, destination_files};
use super::executor::{Measured, SampleError, Setting};
use super::rounds::Active;
use super::RunError;
use crate::cache;
use crate::fixture::Fixture;
use crate::measure;
use crate::mechanism::{self, ContentTally, CopyCheck};
use crate::scenario::CacheState;
use crate::work_dir::Trash;

/// What every sample of a scenario shares.
pub(super) struct Bench<'a> {
    pub(super) scenario: &'a str,
    pub(super) fixture: &'a Fixture,
    pub(super) cache: CacheState,
    pub(super) fsync: bool,
    pub(super) source_fd: std::fs::File,
    pub(super) target_fd: std::fs::File,
    /// Where a copy's blocks can be inspected (the target's `backing_path`).
    pub(super) resolve: &'a dyn Fn(&Path) -> PathBuf,
}

impl Bench<'_> {
    /// One copy of the fixture by `entry` into `dst`: evict the source (cold cache), flush, time
    /// the copy, check it and prove what it did (`crate::mechanism`), write it back and drop its
    /// pages, move it into the trash, and record it (see [`record`]). Returns whether the eviction took (cold cache); errs only when the
    /// run cannot go on.
    pub(super) fn sample(
        &self,
        entry: &mut Active,
        dst: &Path,
        round: u32,
        warmup: u32,
        trash: &mut Trash,
    ) -> Result<Option<bool>, RunError> {
        let fixture = self.fixture;
        let cache_evicted = match self.cache {
            CacheState::Warm => None,
            CacheState::Cold => Some(
                cache::evict(&fixture.files)
                    .map_err(|error| RunError::Cache {
                        scenario: self.scenario.to_owned(),
                        error,
                    })?
                    .evicted(),
            ),
        };
        // Every sample starts with nothing dirty (outside the timing).
        flush(&self.source_fd);
        flush(&self.target_fd);
        let setting = Setting {
            fsync: self.fsync,
            target: self.target_fd.as_fd(),
            fixture_bytes: fixture.info.bytes,
        };
        let measured = entry.executor.sample(&fixture.path, dst, &setting);
        if !entry.executor.writes_copy() {
            record(entry, fixture, round, warmup, cache_evicted, measured, None);
            return Ok(cache_evicted);
        }
        let checked =
            measured.and_then(|m| check_copy(fixture, dst).map(|()| m).map_err(Into::into));
        let proof = checked
            .is_ok()
            .then(|| mechanism::check_copy(&destination_files(fixture, dst), self.resolve));
        // Written back, then its pages freed for the next sample to reuse at once.
        flush(&self.target_fd);
        cache::drop_cached(&destination_files(fixture, dst));
        trash
            .take(dst, fixture.info.bytes)
            .map_err(|error| RunError::Trash {
                scenario: self.scenario.to_owned(),
                error,
            })?;
        record(entry, fixture, round, warmup, cache_evicted, checked, proof);
        Ok(cache_evicted)
    }
}

/// Records one sample's outcome: from round `warmup` on a success is a sample; a failure in
/// any round marks the entry failed (it is not sampled again and is skipped with the reason).
pub(super) fn record(
    entry: &mut Active,
    fixture: &Fixture,
    round: u32,
    warmup: u32,
    cache_evicted: Option<bool>,
    outcome: Result<Measured, SampleError>,
    proof: Option<CopyCheck>,
) {
    match outcome {
        Err(reason) => {
            entry.failed = Some(if round < warmup {
                reason.to_string()
            } else {
                format!("failed in round {}: {reason}", round - warmup)
            });
        }
        Ok(m) if round >= warmup => {
            if entry.counts.is_none() {
                entry.counts = m.counts;
            }
            entry.latencies.extend_from_slice(&m.latencies);
            if let Some(content) = &m.content {
                entry
                    .content
                    .get_or_insert_with(ContentTally::default)
                    .add(content);
            }
            if let Some(check) = &proof {
                for (key, why) in &check.unmeasured {
                    entry
                        .proof_unmeasured
                        .entry(key.clone())
                        .or_insert_with(|| why.clone());
                }
            }
            let split = match &m.timing.split {
                Ok(split) => Some(split),
                Err(why) => {
                    entry
                        .split_unavailable
                        .get_or_insert_with(|| why.to_string());
                    None
                }
            };
            entry.samples.push(Sample {
                round: round - warmup,
                wall_ns: m.timing.wall.as_nanos() as u64,
                cpu_ns: m.timing.cpu.as_nanos() as u64,
                user_ns: split.map(|s| s.user.as_nanos() as u64),
                sys_ns: split.map(|s| s.sys.as_nanos() as u64),
                bytes: m.bytes,
                files: fixture.info.files,
                peak_rss_bytes: m.timing.peak_rss_bytes,
                latency: measure::latency_summary(&m.latencies),
                outlier: false,
                cache_evicted,
                proof: proof.map(|c| c.proof),
            });
        }
        Ok(_) => {}
    }
}

/// `syncfs` of the filesystem `fd` is on. A failure only costs honesty of the next sample, so
/// it is reported and the run goes on.
pub(super) fn flush(fd: &std::fs::File) {
    if let Err(e) = copybench_engine::sys::syncfs(fd.as_fd()) {
        eprintln!("copybench: warning: syncfs failed: {e}");
    }
}
