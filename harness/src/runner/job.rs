//! How an entry copies, and timing one copy of it.

use std::ffi::OsString;
use std::os::fd::AsFd;
use std::path::{Path, PathBuf};

use copybench_engine::{
    copy_file, copy_tree, CopyOptions, Strategy, SyscallCounts, SyscallRecorder, TreeOptions,
    Walker,
};
use copybench_result::{FixtureKind, TimedAs};

use super::rounds::Active;
use super::RunOptions;
use crate::fixture::Fixture;
use crate::measure::{self, CpuScope, Timing};
use crate::scenario::{EntrySpec, Scenario, Subject};

/// Builds a child's command line from (source, destination).
pub(super) type CommandLine = Box<dyn Fn(&Path, &Path) -> Vec<OsString>>;

/// How an entry copies.
pub(super) enum Job {
    File(CopyOptions),
    Tree(TreeOptions),
    Child(CommandLine),
}

/// Turns an entry into something runnable, or the reason it cannot run here.
pub(super) fn prepare_job(
    entry: &EntrySpec,
    scenario: &Scenario,
    options: &RunOptions,
    kind: FixtureKind,
) -> Result<Job, String> {
    let mode = scenario.mode;
    match (&entry.subject, entry.timed_as) {
        (Subject::Strategy(strategy), TimedAs::InProcess) => Ok(Job::File(CopyOptions {
            strategy: *strategy,
            mode,
            follow_symlinks: true,
        })),
        (
            Subject::Walker {
                walker,
                jobs,
                strategy,
            },
            TimedAs::InProcess,
        ) => Ok(Job::Tree(TreeOptions {
            walker: *walker,
            jobs: *jobs as usize,
            strategy: *strategy,
            mode,
            // Peers copy links as links (`cp -R`, `rsync -l`, copytree(symlinks=True)).
            symlinks: true,
            record_latencies: true,
            ..TreeOptions::default()
        })),
        (Subject::Strategy(strategy), TimedAs::ChildProcess) => {
            let exe = options
                .copybench_exe
                .clone()
                .ok_or("no copybench executable to time as a child process")?;
            let strategy = *strategy;
            Ok(Job::Child(Box::new(move |src: &Path, dst: &Path| {
                engine_child_copy(&exe, strategy, mode, src, dst)
            })))
        }
        (
            Subject::Walker {
                walker,
                jobs,
                strategy,
            },
            TimedAs::ChildProcess,
        ) => {
            let exe = options
                .copybench_exe
                .clone()
                .ok_or("no copybench executable to time as a child process")?;
            let (walker, jobs, strategy) = (*walker, *jobs, *strategy);
            Ok(Job::Child(Box::new(move |src: &Path, dst: &Path| {
                engine_child_copytree(&exe, walker, jobs, strategy, mode, src, dst)
            })))
        }
        (Subject::Peer(peer_kind), _) => {
            let peer = peer_kind.peer();
            // Resolved once per scenario (a pyenv shim becomes its real interpreter here).
            let program = peer.resolve()?.path;
            Ok(Job::Child(Box::new(move |src: &Path, dst: &Path| {
                peer.command(&program, kind, src, dst)
            })))
        }
    }
}

fn engine_child_copy(
    exe: &Path,
    strategy: Strategy,
    mode: copybench_engine::Mode,
    src: &Path,
    dst: &Path,
) -> Vec<OsString> {
    vec![
        exe.into(),
        "copy".into(),
        "--strategy".into(),
        strategy.name().into(),
        "--mode".into(),
        mode.name().into(),
        src.into(),
        dst.into(),
    ]
}

fn engine_child_copytree(
    exe: &Path,
    walker: Walker,
    jobs: u32,
    strategy: Strategy,
    mode: copybench_engine::Mode,
    src: &Path,
    dst: &Path,
) -> Vec<OsString> {
    vec![
        exe.into(),
        "copytree".into(),
        "--walker".into(),
        walker.name().into(),
        "--jobs".into(),
        jobs.to_string().into(),
        "--strategy".into(),
        strategy.name().into(),
        "--mode".into(),
        mode.name().into(),
        "--symlinks".into(),
        src.into(),
        dst.into(),
    ]
}

/// What one sample measured.
pub(super) struct Measured {
    pub(super) timing: Timing,
    pub(super) bytes: u64,
    pub(super) latencies: Vec<u64>,
    pub(super) counts: Option<SyscallCounts>,
}

/// Times one copy of the fixture to `dst`. Engine panics (a part not built yet) become errors.
pub(super) fn measure_one(
    entry: &Active,
    fixture: &Fixture,
    dst: &Path,
    fsync: bool,
    target: &std::fs::File,
) -> Result<Measured, String> {
    let src = fixture.path.as_path();
    match &entry.job {
        Job::File(options) => {
            let recorder = SyscallRecorder::new();
            let (outcome, timing) = measure::time_in_process(CpuScope::Thread, || {
                let copied = catch(|| recorder.run(|| copy_file(src, dst, options)))?;
                if fsync {
                    copybench_engine::sys::syncfs(target.as_fd())
                        .map_err(|e| format!("syncfs: {e}"))?;
                }
                copied.map_err(|e| e.to_string())
            })
            .map_err(|e| format!("cannot start the sample's thread: {e}"))?;
            let report = outcome?;
            // A named strategy must time its own syscall: one that handed over to another is
            // not measured under its name (auto's chain is its point, so it may).
            if options.strategy != Strategy::Auto && report.strategy_used != options.strategy {
                let why = report
                    .fallbacks
                    .first()
                    .and_then(|f| f.errno)
                    .map(|e| format!(" ({})", copybench_engine::errno::name(e)))
                    .unwrap_or_default();
                return Err(format!(
                    "{} gave up{why} and {} copied instead: not timed under its name",
                    options.strategy, report.strategy_used
                ));
            }
            Ok(Measured {
                timing,
                bytes: report.bytes,
                latencies: Vec::new(),
                counts: Some(recorder.counts()),
            })
        }
        Job::Tree(options) => {
            let recorder = SyscallRecorder::new();
            let scope = if options.jobs > 1 {
                CpuScope::Process
            } else {
                CpuScope::Thread
            };
            let (outcome, timing) = measure::time_in_process(scope, || {
                let copied = catch(|| recorder.run(|| copy_tree(src, dst, options)))?;
                if fsync {
                    copybench_engine::sys::syncfs(target.as_fd())
                        .map_err(|e| format!("syncfs: {e}"))?;
                }
                copied.map_err(|e| e.to_string())
            })
            .map_err(|e| format!("cannot start the sample's thread: {e}"))?;
            let report = outcome?;
            if let Some(first) = report.errors.first() {
                return Err(format!(
                    "{} errors, the first: {}",
                    report.errors.len(),
                    first.error
                ));
            }
            Ok(Measured {
                timing,
                bytes: report.bytes,
                latencies: report.file_latencies_ns,
                counts: Some(recorder.counts()),
            })
        }
        Job::Child(command) => {
            let argv = command(src, dst);
            let (outcome, mut timing) =
                measure::time_child(&argv).map_err(|e| format!("cannot run {:?}: {e}", argv[0]))?;
            if !outcome.success {
                return Err(format!("{}: {}", argv[0].to_string_lossy(), outcome.detail));
            }
            if fsync {
                let (synced, sync_timing) = measure::time_in_process(CpuScope::Thread, || {
                    copybench_engine::sys::syncfs(target.as_fd())
                })
                .map_err(|e| format!("cannot start the sample's thread: {e}"))?;
                synced.map_err(|e| format!("syncfs: {e}"))?;
                timing = timing.then(sync_timing);
            }
            Ok(Measured {
                timing,
                bytes: fixture.info.bytes,
                latencies: Vec::new(),
                counts: None,
            })
        }
    }
}

thread_local! {
    /// Set while [`catch`] runs: its panics become skip reasons, so the hook stays quiet.
    static QUIET_PANICS: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Installs (once) a panic hook that is silent inside [`catch`] and the previous hook elsewhere.
pub(super) fn install_quiet_panic_hook() {
    static INSTALLED: std::sync::Once = std::sync::Once::new();
    INSTALLED.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !QUIET_PANICS.with(|q| q.get()) {
                previous(info);
            }
        }));
    });
}

/// Runs `f`, turning a panic (an engine part still `unimplemented!`) into an error.
pub(super) fn catch<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    QUIET_PANICS.with(|q| q.set(true));
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
    QUIET_PANICS.with(|q| q.set(false));
    outcome.map_err(|payload| {
        let text = payload
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "a panic".to_owned());
        format!("the engine panicked: {text}")
    })
}

/// Checks a copy against the fixture, outside the timing: sizes always; content too in debug
/// builds (docs/design.md: byte-identical output checked after every sample in debug builds).
pub(super) fn check_copy(fixture: &Fixture, dst: &Path) -> Result<(), String> {
    let copies = destination_files(fixture, dst);
    for (src, copy) in fixture.files.iter().zip(&copies) {
        let expected = std::fs::metadata(src)
            .map_err(|e| format!("{}: {e}", src.display()))?
            .len();
        let got = std::fs::metadata(copy)
            .map_err(|e| format!("the copy {} is missing: {e}", copy.display()))?
            .len();
        if expected != got {
            return Err(format!(
                "{} has {got} bytes, the source {expected}",
                copy.display()
            ));
        }
        if cfg!(debug_assertions) {
            let same = std::fs::read(src).ok() == std::fs::read(copy).ok();
            if !same {
                return Err(format!("{} differs from its source", copy.display()));
            }
        }
    }
    Ok(())
}

/// The regular files a copy of the fixture at `dst` has.
pub(super) fn destination_files(fixture: &Fixture, dst: &Path) -> Vec<PathBuf> {
    match fixture.info.kind {
        FixtureKind::File => vec![dst.to_owned()],
        FixtureKind::Tree => fixture
            .files
            .iter()
            .filter_map(|f| f.strip_prefix(&fixture.path).ok())
            .map(|rel| dst.join(rel))
            .collect(),
    }
}
