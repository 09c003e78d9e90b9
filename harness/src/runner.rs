//! The run loop: fixtures, warmup, then samples in a shuffled round-robin across every entry,
//! and the summaries of each scenario.
//!
//! Traps of this kind of machine it avoids by design (DESIGN.md, "Measuring honestly"):
//! - no destination is deleted during a scenario: it is renamed into the trash, emptied at the
//!   end of the run (deleting a tree slows inode creation for about a minute);
//! - no sleeps: samples follow each other (idle memory is handed back to the host, and the next
//!   copy pays to get it back);
//! - a `syncfs` before every sample, outside the timing, so no sample is throttled by the dirty
//!   pages of earlier ones;
//! - each round runs every entry once, in a new shuffled order, so drift hits all alike and
//!   speedups can be taken pair by pair within a round.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::os::fd::AsFd;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use copybench_engine::{
    copy_file, copy_tree, CopyOptions, Strategy, SyscallCounts, SyscallRecorder, TreeOptions,
    Walker,
};
use copybench_result::{
    ConformanceMatrix, EntryKind, EntryResult, Environment, FixtureKind, PerFileSyscalls,
    RunResult, Sample, ScenarioParameters, ScenarioResult, Skipped, Summary, SyscallSummary,
    TimedAs, SCHEMA_VERSION,
};
use rand::seq::SliceRandom;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use crate::cache;
use crate::conformance::{self, Catalogue, ConformOptions};
use crate::environment;
use crate::fixture::{self, Fixture};
use crate::measure::{self, CpuScope, Timing};
use crate::peer::PeerKind;
use crate::scenario::{CacheState, EntrySpec, Scenario, Subject, Target};
use crate::stats;
use crate::strace;
use crate::work_dir::{write_atomically, Trash, WorkDir, WorkDirError};

/// How much conformance checking to run beside the timing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConformLevel {
    None,
    Quick,
    Full,
}

/// Settings of one `copybench scenario` run.
#[derive(Clone, Debug)]
pub struct RunOptions {
    pub work_dir: PathBuf,
    /// Multiplies every scenario's own `scale`.
    pub scale: f64,
    /// Overrides of every scenario's counts (for quick checks and tests).
    pub samples: Option<u32>,
    pub warmup: Option<u32>,
    /// Count the syscalls of child-process entries with a separate, untimed strace run.
    pub count_syscalls: bool,
    pub conform: ConformLevel,
    /// The `copybench` executable, for engine entries timed as child processes.
    pub copybench_exe: Option<PathBuf>,
    /// copybench's version, for the result.
    pub version: String,
    /// Progress bars on stderr.
    pub progress: bool,
    /// Trash content above which it is emptied between rounds (keeps big runs within the disk);
    /// `None`: a quarter of the work directory's free space, at most 16 GiB.
    pub trash_budget_bytes: Option<u64>,
}

impl RunOptions {
    /// Defaults for `work_dir`: scale 1, counts from the files, quick conformance.
    pub fn new(work_dir: PathBuf, version: &str) -> RunOptions {
        RunOptions {
            work_dir,
            scale: 1.0,
            samples: None,
            warmup: None,
            count_syscalls: false,
            conform: ConformLevel::Quick,
            copybench_exe: None,
            version: version.to_owned(),
            progress: true,
            trash_budget_bytes: None,
        }
    }
}

/// Why a run could not complete (a single entry failing is a skip in the result instead).
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error(transparent)]
    WorkDir(#[from] WorkDirError),
    #[error("scenario `{scenario}`: {source}")]
    Fixture {
        scenario: String,
        source: fixture::FixtureError,
    },
    #[error("scenario `{scenario}`: {message}")]
    Scenario { scenario: String, message: String },
    #[error("cannot encode the result: {0}")]
    Encode(#[from] serde_json::Error),
}

/// How long ext4 (no journal) avoids reusing a deleted inode (`RECENTCY_MIN`).
const RECENTLY_DELETED: Duration = Duration::from_secs(60);

/// Runs `scenarios` and returns the result (not yet written).
pub fn run(scenarios: &[Scenario], options: &RunOptions) -> Result<RunResult, RunError> {
    let started_at = rfc3339(SystemTime::now());
    install_quiet_panic_hook();
    let work = WorkDir::open(&options.work_dir)?;
    let run_id = run_id();
    let mut environment = environment::environment();
    push_filesystem(&mut environment, "work", work.root());
    // ext4 without a journal skips inodes deleted less than 60 s ago, reading each one's dtime
    // (fs/ext4/ialloc.c, recently_deleted): right after the previous run emptied its trash,
    // creating a tree was 3-8x slower here. Trees wait out that minute, before any fixture or
    // warmup (not between samples, where a pause would be an idle gap).
    let mut recently_emptied = work.trash_emptied_within(RECENTLY_DELETED);
    let has_tree = scenarios
        .iter()
        .any(|s| s.fixture.kind() == FixtureKind::Tree);
    if let (Some(ago), true) = (recently_emptied, has_tree) {
        let wait = RECENTLY_DELETED.saturating_sub(ago);
        eprintln!(
            "copybench: waiting {} s: the previous run deleted its copies {} s ago, and ext4 creates files slowly for a minute after deleting many",
            wait.as_secs(),
            ago.as_secs()
        );
        std::thread::sleep(wait);
        recently_emptied = None;
    }
    let mut options = options.clone();
    let budget = options.trash_budget_bytes.unwrap_or_else(|| {
        let free = rustix::fs::statvfs(work.root())
            .map(|s| s.f_bavail.saturating_mul(s.f_frsize))
            .unwrap_or(0);
        (free / 4).min(16 << 30)
    });
    options.trash_budget_bytes = Some(budget);
    let options = &options;
    let mut trash = Trash::new(work.trash().join(&run_id))?;
    let mut results = Vec::new();
    let mut outcome = Ok(());
    for scenario in scenarios {
        match run_scenario(
            scenario,
            options,
            &work,
            &run_id,
            &mut trash,
            &mut environment,
        ) {
            Ok(mut result) => {
                if let (Some(ago), true) = (recently_emptied, results.is_empty()) {
                    result.warnings.insert(0, format!(
                        "the work directory's trash was deleted {} s before this run: on ext4, creating files within about a minute of deleting many was up to 20x slower here, so early samples may be slow (rerun a minute later for clean figures)",
                        ago.as_secs()
                    ));
                }
                results.push(result);
            }
            Err(e) => {
                outcome = Err(e);
                break;
            }
        }
    }
    // Deleting happens only now, after every timing (and also takes trash left by runs that
    // were interrupted).
    let trash_root = work.trash();
    drop(trash);
    if let Ok(mut all) = Trash::new(trash_root) {
        match all.empty() {
            Ok(()) => work.note_trash_emptied(),
            Err(e) => eprintln!("copybench: warning: could not empty the trash: {e}"),
        }
    }
    let _ = std::fs::remove_dir_all(work.runs().join(&run_id));
    outcome?;
    Ok(RunResult {
        schema_version: SCHEMA_VERSION,
        copybench: environment::tool_info(&options.version),
        started_at,
        finished_at: rfc3339(SystemTime::now()),
        environment,
        scenarios: results,
    })
}

/// Writes `result` atomically as `results/<started_at>/result.json` under the work directory.
pub fn write_result(work_dir: &Path, result: &RunResult) -> Result<PathBuf, RunError> {
    let work = WorkDir::open(work_dir)?;
    let stamp: String = result
        .started_at
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect();
    let dir = work
        .results()
        .join(format!("{stamp}-{}", std::process::id()));
    let path = dir.join("result.json");
    let json = serde_json::to_vec_pretty(result)?;
    write_atomically(&path, &json)?;
    Ok(path)
}

fn push_filesystem(environment: &mut Environment, role: &str, path: &Path) {
    if let Some(fs) = environment::filesystem(role, path) {
        if !environment
            .filesystems
            .iter()
            .any(|f| f.role == fs.role && f.path == fs.path)
        {
            environment.filesystems.push(fs);
        }
    }
}

/// An entry being measured.
struct Active {
    spec: EntrySpec,
    job: Job,
    samples: Vec<Sample>,
    /// Per-sample per-file latencies (trees copied in-process).
    latencies: Vec<u64>,
    /// Counts of the first measured sample (engine entries in-process).
    counts: Option<SyscallCounts>,
    failed: Option<String>,
}

/// Builds a child's command line from (source, destination).
type CommandLine = Box<dyn Fn(&Path, &Path) -> Vec<OsString>>;

/// How an entry copies.
enum Job {
    File(CopyOptions),
    Tree(TreeOptions),
    Child(CommandLine),
}

fn run_scenario(
    scenario: &Scenario,
    options: &RunOptions,
    work: &WorkDir,
    run_id: &str,
    main_trash: &mut Trash,
    environment: &mut Environment,
) -> Result<ScenarioResult, RunError> {
    let fail = |message: String| RunError::Scenario {
        scenario: scenario.name.clone(),
        message,
    };
    let scale = scenario.scale * options.scale;
    let spec = scenario.fixture.scaled(scale);
    let samples = options.samples.unwrap_or(scenario.samples).max(2);
    let warmup = options.warmup.unwrap_or(scenario.warmup);
    let mut warnings = Vec::new();

    eprintln!(
        "copybench: scenario `{}`: preparing the fixture",
        scenario.name
    );
    let fixture = fixture::prepare(&spec, work).map_err(|source| RunError::Fixture {
        scenario: scenario.name.clone(),
        source,
    })?;
    let (target_dir, mut own_trash) = match &scenario.target {
        Target::SameFs => (work.runs().join(run_id).join(&scenario.name), None),
        Target::Dir(dir) => {
            let base = dir.join(format!("copybench-{run_id}"));
            let trash = Trash::new(base.join("trash"))?;
            (base.join(&scenario.name), Some(trash))
        }
    };
    std::fs::create_dir_all(&target_dir)
        .map_err(|e| fail(format!("cannot create {}: {e}", target_dir.display())))?;
    push_filesystem(environment, "source", &fixture.path);
    push_filesystem(environment, "target", &target_dir);
    let target_fd = std::fs::File::open(&target_dir)
        .map_err(|e| fail(format!("cannot open {}: {e}", target_dir.display())))?;
    let source_fd = std::fs::File::open(&fixture.path)
        .map_err(|e| fail(format!("cannot open {}: {e}", fixture.path.display())))?;

    let mut skipped = Vec::new();
    let mut active: Vec<Active> = Vec::new();
    for entry in &scenario.entries {
        match prepare_job(entry, scenario, options, fixture.info.kind) {
            Ok(job) => active.push(Active {
                spec: entry.clone(),
                job,
                samples: Vec::new(),
                latencies: Vec::new(),
                counts: None,
                failed: None,
            }),
            Err(reason) => skipped.push(Skipped {
                id: entry.id.clone(),
                reason,
            }),
        }
    }

    if scenario.cache == CacheState::Warm {
        cache::warm(&fixture.files).map_err(|e| fail(e.to_string()))?;
    }

    let rounds = warmup + samples;
    let progress = progress_bar(
        options.progress,
        &scenario.name,
        u64::from(rounds) * active.len() as u64,
    );
    let mut rng = ChaCha8Rng::seed_from_u64(fnv(scenario.name.as_bytes()));
    let mut evictions_failed = 0u32;
    let mut early_empties = 0u32;
    for round in 0..rounds {
        let mut order: Vec<usize> = (0..active.len()).collect();
        order.shuffle(&mut rng);
        for index in order {
            progress.inc(1);
            if active[index].failed.is_some() {
                continue;
            }
            let dst = target_dir.join(format!("r{round:03}-e{index:02}"));
            let cache_evicted = match scenario.cache {
                CacheState::Warm => None,
                CacheState::Cold => match cache::evict(&fixture.files) {
                    Ok(r) => {
                        if !r.evicted() {
                            evictions_failed += 1;
                        }
                        Some(r.evicted())
                    }
                    Err(e) => return Err(fail(e.to_string())),
                },
            };
            // Every sample starts with nothing dirty (outside the timing).
            flush(&source_fd);
            flush(&target_fd);
            let entry = &mut active[index];
            progress.set_message(entry.spec.id.clone());
            let measured = measure_one(entry, &fixture, &dst, scenario.fsync, &target_fd);
            let checked = measured.and_then(|m| check_copy(&fixture, &dst).map(|()| m));
            // Written back, then its pages freed for the next sample to reuse at once.
            flush(&target_fd);
            cache::drop_cached(&destination_files(&fixture, &dst));
            let trash = own_trash.as_mut().unwrap_or(&mut *main_trash);
            if let Err(e) = trash.take(&dst, fixture.info.bytes) {
                return Err(fail(e.to_string()));
            }
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
                    entry.samples.push(Sample {
                        round: round - warmup,
                        wall_ns: m.timing.wall.as_nanos() as u64,
                        user_ns: m.timing.user.as_nanos() as u64,
                        sys_ns: m.timing.sys.as_nanos() as u64,
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
        }
        // Only between rounds, and only when the disk would otherwise fill.
        let trash = own_trash.as_mut().unwrap_or(&mut *main_trash);
        let budget = options.trash_budget_bytes.unwrap_or(u64::MAX);
        if trash.held_bytes() > budget && round + 1 < rounds {
            trash.empty().map_err(|e| fail(e.to_string()))?;
            flush(&target_fd);
            early_empties += 1;
        }
    }
    progress.finish_and_clear();

    if evictions_failed > 0 {
        warnings.push(format!(
            "cold cache: {evictions_failed} samples started with some of the source's pages still cached (posix_fadvise(DONTNEED) did not drop them; the samples are marked cache_evicted = false)"
        ));
    }
    if scenario.cache == CacheState::Cold && fixture.info.kind == FixtureKind::Tree {
        warnings.push("cold cache evicts file content only: directory entries and inodes stay cached (dropping them needs root)".to_owned());
    }
    if early_empties > 0 {
        warnings.push(format!(
            "the trash was emptied {early_empties} times between rounds to stay under {} MiB; on ext4, creating files soon after deleting many can be slower for the samples that followed",
            options.trash_budget_bytes.unwrap_or(0) >> 20
        ));
    }

    let mut entries = Vec::new();
    let reference_walls: Vec<(u32, f64)> = active
        .iter()
        .find(|a| a.spec.id == scenario.reference && a.failed.is_none())
        .map(|a| walls(&a.samples))
        .unwrap_or_default();
    if reference_walls.is_empty() {
        warnings.push(format!(
            "the reference `{}` was not measured, so there are no speedups",
            scenario.reference
        ));
    }
    let strace_path = crate::peer::find_on_path("strace");
    for entry in active {
        if let Some(reason) = entry.failed {
            skipped.push(Skipped {
                id: entry.spec.id.clone(),
                reason,
            });
            continue;
        }
        let mut unmeasured = BTreeMap::new();
        let syscalls = syscall_summary(
            &entry,
            &fixture,
            options,
            strace_path.as_deref(),
            &target_dir,
            own_trash.as_mut().unwrap_or(&mut *main_trash),
            &mut unmeasured,
        );
        let result = summarize(
            entry,
            scenario,
            &fixture,
            &reference_walls,
            syscalls,
            unmeasured,
            &mut warnings,
        );
        entries.push(result);
    }

    let conformance = conformance_of(scenario, options, work, &mut warnings);
    if let Some(trash) = own_trash.take() {
        let base = trash.dir().parent().map(Path::to_owned);
        trash.destroy().map_err(|e| fail(e.to_string()))?;
        if let Some(base) = base {
            let _ = std::fs::remove_dir(&target_dir);
            let _ = std::fs::remove_dir(base);
        }
    }

    Ok(ScenarioResult {
        name: scenario.name.clone(),
        file: scenario.file.clone(),
        description: scenario.description.clone(),
        parameters: ScenarioParameters {
            fixture: fixture.info.clone(),
            target: match &scenario.target {
                Target::SameFs => "same-fs".to_owned(),
                Target::Dir(d) => d.display().to_string(),
            },
            cache: scenario.cache.name().to_owned(),
            fsync: scenario.fsync,
            warmup,
            samples,
            scale,
        },
        reference: scenario.reference.clone(),
        entries,
        skipped,
        conformance,
        warnings,
    })
}

fn progress_bar(enabled: bool, name: &str, len: u64) -> indicatif::ProgressBar {
    if !enabled {
        return indicatif::ProgressBar::hidden();
    }
    // No steady tick: it would start a thread, and RUSAGE_SELF deltas of parallel copies must
    // hold only the copy's threads.
    let bar = indicatif::ProgressBar::with_draw_target(
        Some(len),
        indicatif::ProgressDrawTarget::stderr(),
    );
    if let Ok(style) =
        indicatif::ProgressStyle::with_template("{prefix} [{bar:30}] {pos}/{len} {msg}")
    {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.set_prefix(name.to_owned());
    bar
}

/// Turns an entry into something runnable, or the reason it cannot run here.
fn prepare_job(
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
        (Subject::Peer(kind_of_peer), _) => {
            let peer = kind_of_peer.peer();
            let resolved = peer.resolve()?;
            let program = resolved.path;
            let peer_kind: PeerKind = *kind_of_peer;
            Ok(Job::Child(Box::new(move |src: &Path, dst: &Path| {
                peer_kind.peer().command(&program, kind, src, dst)
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
struct Measured {
    timing: Timing,
    bytes: u64,
    latencies: Vec<u64>,
    counts: Option<SyscallCounts>,
}

/// `syncfs` of the filesystem `fd` is on. A failure only costs honesty of the next sample, so
/// it is reported and the run goes on.
fn flush(fd: &std::fs::File) {
    if let Err(e) = copybench_engine::sys::syncfs(fd.as_fd()) {
        eprintln!("copybench: warning: syncfs failed: {e}");
    }
}

/// Times one copy of the fixture to `dst`. Engine panics (a part not built yet) become errors.
fn measure_one(
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
            .map_err(|e| format!("getrusage: {e}"))?;
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
            .map_err(|e| format!("getrusage: {e}"))?;
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
                .map_err(|e| format!("getrusage: {e}"))?;
                synced.map_err(|e| format!("syncfs: {e}"))?;
                timing.wall += sync_timing.wall;
                timing.user += sync_timing.user;
                timing.sys += sync_timing.sys;
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
fn install_quiet_panic_hook() {
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
fn catch<T>(f: impl FnOnce() -> T) -> Result<T, String> {
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
/// builds (DESIGN.md: byte-identical output checked after every sample in debug builds).
fn check_copy(fixture: &Fixture, dst: &Path) -> Result<(), String> {
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
fn destination_files(fixture: &Fixture, dst: &Path) -> Vec<PathBuf> {
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

fn walls(samples: &[Sample]) -> Vec<(u32, f64)> {
    samples
        .iter()
        .map(|s| (s.round, s.wall_ns as f64 / 1e9))
        .collect()
}

/// Syscalls per copy and per file: the engine's counted layer for in-process entries; strace
/// (only with `--count-syscalls`) for child processes.
fn syscall_summary(
    entry: &Active,
    fixture: &Fixture,
    options: &RunOptions,
    strace_path: Option<&Path>,
    target_dir: &Path,
    trash: &mut Trash,
    unmeasured: &mut BTreeMap<String, String>,
) -> Option<SyscallSummary> {
    let (source, calls, path_stats, fd_stats) = match (&entry.job, &entry.counts) {
        (Job::File(_) | Job::Tree(_), Some(counts)) => (
            "counted",
            counts.calls.clone(),
            counts.path_stats,
            counts.fd_stats,
        ),
        (Job::Child(command), _) => {
            if !options.count_syscalls {
                unmeasured.insert("syscalls".to_owned(), "child processes are counted only with --count-syscalls (a separate, untimed run under strace)".to_owned());
                return None;
            }
            let Some(strace_path) = strace_path else {
                unmeasured.insert(
                    "syscalls".to_owned(),
                    "`strace` not found (install the Debian package `strace`)".to_owned(),
                );
                return None;
            };
            let dst = target_dir.join("strace-copy");
            let argv = command(&fixture.path, &dst);
            let traced = strace::trace(strace_path, &argv, &target_dir.join("strace.out"));
            let _ = trash.take(&dst, fixture.info.bytes);
            match traced {
                Ok(t) => ("strace", t.calls, t.path_stats, t.fd_stats),
                Err(why) => {
                    unmeasured.insert("syscalls".to_owned(), why);
                    return None;
                }
            }
        }
        _ => {
            unmeasured.insert("syscalls".to_owned(), "no sample was counted".to_owned());
            return None;
        }
    };
    let total: u64 = calls.values().sum();
    let mut per_copy = calls;
    per_copy.insert("path_stats".to_owned(), path_stats);
    per_copy.insert("fd_stats".to_owned(), fd_stats);
    let per_file = (fixture.info.kind == FixtureKind::Tree && fixture.info.files > 0).then(|| {
        let files = fixture.info.files as f64;
        PerFileSyscalls {
            path_stats: path_stats as f64 / files,
            stat_family: (path_stats + fd_stats) as f64 / files,
            total: total as f64 / files,
        }
    });
    Some(SyscallSummary {
        source: source.to_owned(),
        per_copy,
        per_file,
    })
}

fn summarize(
    mut entry: Active,
    scenario: &Scenario,
    fixture: &Fixture,
    reference_walls: &[(u32, f64)],
    syscalls: Option<SyscallSummary>,
    mut unmeasured: BTreeMap<String, String>,
    warnings: &mut Vec<String>,
) -> EntryResult {
    let seed = fnv(format!("{}/{}", scenario.name, entry.spec.id).as_bytes());
    let wall: Vec<f64> = entry
        .samples
        .iter()
        .map(|s| s.wall_ns as f64 / 1e9)
        .collect();
    let user: Vec<f64> = entry
        .samples
        .iter()
        .map(|s| s.user_ns as f64 / 1e9)
        .collect();
    let sys: Vec<f64> = entry
        .samples
        .iter()
        .map(|s| s.sys_ns as f64 / 1e9)
        .collect();
    let flags = stats::mad_outliers(&wall);
    for (sample, flag) in entry.samples.iter_mut().zip(&flags) {
        sample.outlier = *flag;
    }
    let mib = fixture.info.bytes as f64 / (1u64 << 20) as f64;
    let throughput: Vec<f64> = wall.iter().filter(|w| **w > 0.0).map(|w| mib / w).collect();
    let gib = fixture.info.bytes as f64 / (1u64 << 30) as f64;
    let cpu_per_gib: Vec<f64> = user.iter().zip(&sys).map(|(u, s)| (u + s) / gib).collect();
    let empty = copybench_result::Estimate {
        median: 0.0,
        min: 0.0,
        max: 0.0,
        ci_low: 0.0,
        ci_high: 0.0,
    };
    let peak_rss_bytes = entry.samples.iter().filter_map(|s| s.peak_rss_bytes).max();
    if peak_rss_bytes.is_none() {
        unmeasured.insert("peak_rss_bytes".to_owned(), "in-process: ru_maxrss is the whole process's lifetime peak, not this copy's (time it as a child process to measure it)".to_owned());
    }
    let latency = measure::latency_summary(&entry.latencies);
    if latency.is_none() && fixture.info.kind == FixtureKind::Tree {
        unmeasured.insert("latency".to_owned(), "per-file latencies are recorded only inside copybench's engine (an external command copies as one opaque process)".to_owned());
    }
    let is_reference = entry.spec.id == scenario.reference;
    let speedup = if is_reference {
        None
    } else {
        stats::speedup(reference_walls, &walls(&entry.samples), seed)
    };
    if let Some(s) = &speedup {
        let half = (s.ci_high - s.ci_low) / 2.0 / s.median;
        if half > stats::CI_WARN_HALF_WIDTH {
            warnings.push(format!(
                "`{}`: the speedup's 95 % CI {:.3}–{:.3} is wider than ±5 % (±{:.1} %): run more samples (e.g. samples = {}) or on a quieter machine",
                entry.spec.id, s.ci_low, s.ci_high, half * 100.0, scenario.samples.max(entry.samples.len() as u32) * 2
            ));
        }
    }
    let outliers = flags.iter().filter(|f| **f).count() as u32;
    let command = match &entry.job {
        Job::Child(command) => Some(
            command(&fixture.path, Path::new("DST"))
                .iter()
                .map(|a| a.to_string_lossy().into_owned())
                .collect(),
        ),
        _ => None,
    };
    EntryResult {
        id: entry.spec.id.clone(),
        kind: match entry.spec.subject {
            Subject::Strategy(_) => EntryKind::Strategy,
            Subject::Walker { .. } => EntryKind::Walker,
            Subject::Peer(_) => EntryKind::Peer,
        },
        timed_as: entry.spec.timed_as,
        command,
        summary: Summary {
            wall_s: stats::estimate(&wall, seed).unwrap_or(empty.clone()),
            user_s: stats::estimate(&user, seed ^ 1).unwrap_or(empty.clone()),
            sys_s: stats::estimate(&sys, seed ^ 2).unwrap_or(empty),
            throughput_mib_s: stats::estimate(&throughput, seed ^ 3),
            cpu_s_per_gib: (gib > 0.0).then(|| stats::median(&cpu_per_gib)).flatten(),
            peak_rss_bytes,
            latency,
            outliers,
        },
        samples: entry.samples,
        speedup,
        syscalls,
        unmeasured,
    }
}

fn conformance_of(
    scenario: &Scenario,
    options: &RunOptions,
    work: &WorkDir,
    warnings: &mut Vec<String>,
) -> Option<ConformanceMatrix> {
    let catalogue = match options.conform {
        ConformLevel::None => {
            warnings.push("conformance not checked (--conform none)".to_owned());
            return None;
        }
        ConformLevel::Quick => Catalogue::Quick,
        ConformLevel::Full => Catalogue::Full,
    };
    let mut strategies = Vec::new();
    let mut walkers = Vec::new();
    for entry in &scenario.entries {
        match entry.subject {
            Subject::Strategy(s) => strategies.push(s),
            Subject::Walker {
                walker, strategy, ..
            } => {
                if !walkers.contains(&walker) {
                    walkers.push(walker);
                }
                if !strategies.contains(&strategy) {
                    strategies.push(strategy);
                }
            }
            Subject::Peer(_) => {}
        }
    }
    let dir = work.conformance().join(&scenario.name);
    let outcome = std::fs::create_dir_all(&dir)
        .map_err(|e| e.to_string())
        .and_then(|()| {
            catch(|| {
                conformance::run_matrix(&ConformOptions {
                    strategies,
                    walkers,
                    dir: dir.clone(),
                    use_oracle: true,
                    catalogue,
                })
            })
        });
    let _ = std::fs::remove_dir_all(&dir);
    match outcome {
        Ok(Ok(matrix)) => Some(matrix),
        Ok(Err(e)) => {
            warnings.push(format!(
                "conformance of the timed strategies not checked: {e}"
            ));
            None
        }
        Err(e) => {
            warnings.push(format!(
                "conformance of the timed strategies not checked: {e}"
            ));
            None
        }
    }
}

/// FNV-1a: a stable seed from a name (shuffles and bootstraps repeat between runs).
fn fnv(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    })
}

fn run_id() -> String {
    let stamp: String = rfc3339(SystemTime::now())
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect();
    format!("{stamp}-{}", std::process::id())
}

/// RFC 3339 in UTC, to the second (`2026-11-22T00:15:00Z`).
pub fn rfc3339(time: SystemTime) -> String {
    let secs = time
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap_or(Duration::ZERO)
        .as_secs() as i64;
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    // Howard Hinnant's days-to-civil.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_dates() {
        assert_eq!(rfc3339(SystemTime::UNIX_EPOCH), "1970-01-01T00:00:00Z");
        let t = SystemTime::UNIX_EPOCH + Duration::from_secs(1_795_305_900);
        assert_eq!(rfc3339(t), "2026-11-22T00:05:00Z");
        let leap = SystemTime::UNIX_EPOCH + Duration::from_secs(951_782_400);
        assert_eq!(rfc3339(leap), "2000-02-29T00:00:00Z");
    }
}
