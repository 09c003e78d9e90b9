//! Copies made by the engine in this process, timed with the CPU clocks around the call (on a
//! thread of its own, see `measure`) and counted by its syscall layer.

use std::path::Path;

use copybench_engine::{copy_file, copy_tree, CopyOptions, Strategy, SyscallRecorder, TreeOptions};

use super::{Executor, Measured, SampleError, Setting};
use crate::measure::{self, CpuScope, Timing};
use crate::mechanism::ContentTally;
use crate::runner::catch::catch;

/// One file copied with one strategy; `counted`: with the syscall recorder installed (without
/// it, the same copy measures what counting costs).
pub(in crate::runner) struct FileCopy(
    pub(in crate::runner) CopyOptions,
    pub(in crate::runner) Counted,
);

/// A tree copied with one walker.
pub(in crate::runner) struct TreeCopy(
    pub(in crate::runner) TreeOptions,
    pub(in crate::runner) Counted,
);

/// Whether an in-process copy runs with the engine's syscall recorder installed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(in crate::runner) enum Counted {
    Yes,
    /// Only to measure the recorder's own cost: the copy's syscalls are not counted.
    No,
}

/// Runs `copy` with `recorder` installed when `counted` says so.
fn maybe_recorded<T>(counted: Counted, recorder: &SyscallRecorder, copy: impl FnOnce() -> T) -> T {
    match counted {
        Counted::Yes => recorder.run(copy),
        Counted::No => copy(),
    }
}

/// The counts, where the recorder was installed.
fn counts_of(
    counted: Counted,
    recorder: &SyscallRecorder,
) -> Option<copybench_engine::SyscallCounts> {
    (counted == Counted::Yes).then(|| recorder.counts())
}

impl Executor for FileCopy {
    fn sample(
        &self,
        src: &Path,
        dst: &Path,
        setting: &Setting<'_>,
    ) -> Result<Measured, SampleError> {
        let (options, counted) = (&self.0, self.1);
        let recorder = SyscallRecorder::new();
        let (report, timing) = timed(CpuScope::Thread, setting, || {
            maybe_recorded(counted, &recorder, || copy_file(src, dst, options))
        })?;
        if options.strategy != Strategy::Auto && report.strategy_used != options.strategy {
            let why = report
                .fallbacks
                .first()
                .and_then(|f| f.errno)
                .map(|e| format!(" ({})", copybench_engine::errno::name(e)))
                .unwrap_or_default();
            return Err(SampleError::HandedOver {
                named: options.strategy,
                used: report.strategy_used,
                why,
            });
        }
        let mut content = ContentTally::default();
        content.add_file(&report);
        Ok(Measured {
            timing,
            bytes: report.bytes,
            latencies: Vec::new(),
            counts: counts_of(counted, &recorder),
            content: Some(content),
        })
    }
}

impl Executor for TreeCopy {
    fn sample(
        &self,
        src: &Path,
        dst: &Path,
        setting: &Setting<'_>,
    ) -> Result<Measured, SampleError> {
        let (options, counted) = (&self.0, self.1);
        let recorder = SyscallRecorder::new();
        // Worker threads take part: the process's CPU time is the copy's (the runner starts
        // no other threads).
        let scope = if options.jobs > 1 {
            CpuScope::Process
        } else {
            CpuScope::Thread
        };
        let (report, timing) = timed(scope, setting, || {
            maybe_recorded(counted, &recorder, || copy_tree(src, dst, options))
        })?;
        if let Some(first) = report.errors.first() {
            return Err(SampleError::TreeErrors {
                count: report.errors.len(),
                first: first.error.to_string(),
            });
        }
        let mut content = ContentTally::default();
        content.add_tree(&report);
        Ok(Measured {
            timing,
            bytes: report.bytes,
            latencies: report.file_latencies_ns,
            counts: counts_of(counted, &recorder),
            content: Some(content),
        })
    }
}

/// Times `copy` (and the scenario's fsync) in `scope`; an engine panic (a part not built yet)
/// becomes an error.
fn timed<T: Send>(
    scope: CpuScope,
    setting: &Setting<'_>,
    copy: impl FnOnce() -> Result<T, copybench_engine::CopyError> + Send,
) -> Result<(T, Timing), SampleError> {
    let (outcome, timing) = measure::time_in_process(scope, || {
        let copied = catch(copy).map_err(SampleError::Panicked)?;
        if setting.fsync {
            copybench_engine::sys::syncfs(setting.target).map_err(SampleError::Syncfs)?;
        }
        copied.map_err(SampleError::from)
    })
    .map_err(SampleError::Rusage)?;
    Ok((outcome?, timing))
}
