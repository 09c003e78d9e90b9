//! One sample: a copy of the fixture by one entry, with everything around it kept outside the
//! timing (eviction, flushes, the check, the move into the trash).

use std::os::fd::AsFd;
use std::path::Path;

use copybench_result::Sample;

use super::job::{check_copy, destination_files, measure_one};
use super::rounds::Active;
use crate::cache;
use crate::fixture::Fixture;
use crate::measure;
use crate::scenario::CacheState;
use crate::work_dir::Trash;

/// What every sample of a scenario shares.
pub(super) struct Bench<'a> {
    pub(super) fixture: &'a Fixture,
    pub(super) cache: CacheState,
    pub(super) fsync: bool,
    pub(super) source_fd: std::fs::File,
    pub(super) target_fd: std::fs::File,
}

impl Bench<'_> {
    /// One copy of the fixture by `entry` into `dst`: evict the source (cold cache), flush, time
    /// the copy, check it, write it back and drop its pages, move it into the trash. From round
    /// `warmup` on the sample is recorded; a failed copy marks the entry failed. Returns whether
    /// the eviction took (cold cache); errs only when the run cannot go on.
    pub(super) fn sample(
        &self,
        entry: &mut Active,
        dst: &Path,
        round: u32,
        warmup: u32,
        trash: &mut Trash,
    ) -> Result<Option<bool>, String> {
        let fixture = self.fixture;
        let cache_evicted = match self.cache {
            CacheState::Warm => None,
            CacheState::Cold => Some(
                cache::evict(&fixture.files)
                    .map_err(|e| e.to_string())?
                    .evicted(),
            ),
        };
        // Every sample starts with nothing dirty (outside the timing).
        flush(&self.source_fd);
        flush(&self.target_fd);
        let measured = measure_one(entry, fixture, dst, self.fsync, &self.target_fd);
        let checked = measured.and_then(|m| check_copy(fixture, dst).map(|()| m));
        // Written back, then its pages freed for the next sample to reuse at once.
        flush(&self.target_fd);
        cache::drop_cached(&destination_files(fixture, dst));
        trash
            .take(dst, fixture.info.bytes)
            .map_err(|e| e.to_string())?;
        match checked {
            Err(reason) => {
                entry.failed = Some(if round < warmup {
                    reason
                } else {
                    format!("failed in round {}: {reason}", round - warmup)
                });
            }
            Ok(m) if round >= warmup => {
                if entry.counts.is_none() {
                    entry.counts = m.counts;
                }
                entry.latencies.extend_from_slice(&m.latencies);
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
                });
            }
            Ok(_) => {}
        }
        Ok(cache_evicted)
    }
}

/// `syncfs` of the filesystem `fd` is on. A failure only costs honesty of the next sample, so
/// it is reported and the run goes on.
pub(super) fn flush(fd: &std::fs::File) {
    if let Err(e) = copybench_engine::sys::syncfs(fd.as_fd()) {
        eprintln!("copybench: warning: syncfs failed: {e}");
    }
}
