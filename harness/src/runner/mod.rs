//! The run loop: fixtures, warmup, then samples in a shuffled round-robin across every entry,
//! and the summaries of each scenario.
//!
//! Traps of this kind of machine it avoids by design (DESIGN.md, "Measuring honestly"):
//! - no destination is deleted during a scenario: it is renamed into the trash, emptied at the
//!   end of the run (deleting a tree slows inode creation for about a minute);
//! - no sleeps between samples: they follow each other (idle memory is handed back to the
//!   host, and the next copy pays to get it back); the only wait is before a tree run that
//!   starts within ext4's 60 s after the previous run deleted its trash;
//! - a `syncfs` before every sample, outside the timing, so no sample is throttled by the dirty
//!   pages of earlier ones; after each sample its copy is written back and its pages dropped,
//!   so the next copy reuses them rather than taking fresh memory;
//! - each round runs every entry once, in a new shuffled order, so drift hits all alike and
//!   speedups can be taken pair by pair within a round.

use std::collections::BTreeMap;
use std::os::fd::AsFd;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use copybench_engine::SyscallCounts;
use copybench_result::{
    ConformanceMatrix, Environment, FixtureKind, RunResult, Sample, ScenarioParameters,
    ScenarioResult, Skipped, SCHEMA_VERSION,
};
use rand::seq::SliceRandom;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

mod job;
mod room;
mod summary;

use job::{
    catch, check_copy, destination_files, install_quiet_panic_hook, measure_one, prepare_job, Job,
};
use summary::{summarize, syscall_summary, walls};

use crate::cache;
use crate::conformance::{self, Catalogue, ConformOptions};
use crate::environment;
use crate::fixture::{self, Fixture};
use crate::measure;
use crate::scenario::{CacheState, EntrySpec, Scenario, Subject, Target};
use crate::timestamp::rfc3339;
use crate::work_dir::{Dir, Trash, WorkDir, WorkDirError};

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
    #[error(transparent)]
    Invalid(#[from] crate::scenario::ScenarioError),
    #[error("interrupted by {0}: the run's copies were removed and no result was written")]
    Interrupted(crate::interrupt::Signal),
    // Not a `source`: the message already says it, and a chain would say it twice.
    #[error("scenario `{scenario}`: {error}")]
    Fixture {
        scenario: String,
        error: fixture::FixtureError,
    },
    #[error("scenario `{scenario}`: {message}")]
    Scenario { scenario: String, message: String },
    #[error("cannot encode the result: {0}")]
    Encode(serde_json::Error),
}

impl From<serde_json::Error> for RunError {
    fn from(error: serde_json::Error) -> RunError {
        RunError::Encode(error)
    }
}

/// How long ext4 (no journal) avoids reusing a deleted inode (`RECENTCY_MIN`).
const RECENTLY_DELETED: Duration = Duration::from_secs(60);

/// Runs `scenarios` and returns the result (not yet written).
pub fn run(scenarios: &[Scenario], options: &RunOptions) -> Result<RunResult, RunError> {
    let started_at = rfc3339(SystemTime::now());
    crate::scenario_name::check_run(scenarios)?;
    install_quiet_panic_hook();
    crate::interrupt::install().map_err(|e| RunError::Scenario {
        scenario: "(all)".to_owned(),
        message: format!("cannot handle SIGINT and SIGTERM: {e}"),
    })?;
    let work = WorkDir::open(&options.work_dir)?;
    let lock = work.lock()?;
    work.remove_leftovers(&lock)?;
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
        let free = work.dir().free_space().map(|f| f.bytes).unwrap_or(0);
        (free / 4).min(16 << 30)
    });
    options.trash_budget_bytes = Some(budget);
    let options = &options;
    let mut trash = Trash::new(work.trash()?.child(&run_id)?);
    let mut results = Vec::new();
    let mut outcome = Ok(());
    // Trashes on scenarios' own target filesystems, emptied with the main one at the end.
    let mut other_trashes = Vec::new();
    for scenario in scenarios {
        match run_scenario(
            scenario,
            options,
            &work,
            &run_id,
            &mut trash,
            &mut environment,
        ) {
            Ok((mut result, own_trash)) => {
                other_trashes.extend(own_trash);
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
    if outcome.is_ok() {
        for (scenario, result) in scenarios.iter().zip(results.iter_mut()) {
            if let Err(signal) = crate::interrupt::check() {
                outcome = Err(RunError::Interrupted(signal));
                break;
            }
            result.conformance = conformance_of(scenario, options, &work, &mut result.warnings);
        }
    }
    for trash in other_trashes {
        let dir = trash.dir().to_owned();
        if let Err(e) = trash.destroy() {
            eprintln!(
                "copybench: warning: could not empty the trash {}: {e}",
                dir.display()
            );
        }
    }
    // Deleting happens only now, after every timing (and also takes trash left by runs that
    // were interrupted).
    drop(trash);
    match work.trash().and_then(|all| all.empty()) {
        Ok(()) => {
            if let Err(e) = work.note_trash_emptied() {
                eprintln!("copybench: warning: {e}");
            }
        }
        Err(e) => eprintln!("copybench: warning: could not empty the trash: {e}"),
    }
    // This run's destination directories (the lock says no other run is using them).
    if let Err(e) = work.dir().remove("runs") {
        eprintln!("copybench: warning: {e}");
    }
    drop(lock);
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

/// A result written into the work directory, and its directory for the files beside it.
#[derive(Debug)]
pub struct WrittenResult {
    /// `…/results/<started_at>-<pid>/result.json`.
    pub path: PathBuf,
    dir: Dir,
}

impl WrittenResult {
    /// Writes `name` (the HTML report) atomically beside the result.
    pub fn write_beside(&self, name: &str, bytes: &[u8]) -> Result<(), WorkDirError> {
        self.dir.write_atomically(name, bytes)
    }
}

/// Writes `result` atomically as `results/<started_at>/result.json` under the work directory.
pub fn write_result(work_dir: &Path, result: &RunResult) -> Result<WrittenResult, RunError> {
    let work = WorkDir::open(work_dir)?;
    let stamp: String = result
        .started_at
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect();
    let dir = work
        .results()?
        .child(format!("{stamp}-{}", std::process::id()))?;
    let json = serde_json::to_vec_pretty(result)?;
    dir.write_atomically("result.json", &json)?;
    Ok(WrittenResult {
        path: dir.join("result.json"),
        dir,
    })
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

fn run_scenario(
    scenario: &Scenario,
    options: &RunOptions,
    work: &WorkDir,
    run_id: &str,
    main_trash: &mut Trash,
    environment: &mut Environment,
) -> Result<(ScenarioResult, Option<Trash>), RunError> {
    let fail = |message: String| RunError::Scenario {
        scenario: scenario.name.clone(),
        message,
    };
    let scale = scenario.scale * options.scale;
    if !scale.is_finite() {
        return Err(fail(format!(
            "the scale {} × --scale {} is too large to count",
            scenario.scale, options.scale
        )));
    }
    let spec = scenario.fixture.scaled(scale);
    let samples = options.samples.unwrap_or(scenario.samples).max(2);
    let warmup = options.warmup.unwrap_or(scenario.warmup);
    let rounds = warmup.checked_add(samples).ok_or_else(|| {
        fail(format!(
            "{warmup} warmup rounds and {samples} samples are more rounds than copybench counts ({})",
            u32::MAX
        ))
    })?;
    let mut warnings = Vec::new();

    eprintln!(
        "copybench: scenario `{}`: preparing the fixture",
        scenario.name
    );
    let fixture = fixture::prepare(&spec, work).map_err(|error| match error {
        fixture::FixtureError::Interrupted(signal) => RunError::Interrupted(signal),
        error => RunError::Fixture {
            scenario: scenario.name.clone(),
            error,
        },
    })?;
    let (target, mut own_trash) = match &scenario.target {
        Target::SameFs => (work.runs()?.child(run_id)?.child(&scenario.name)?, None),
        Target::Dir(dir) => {
            let named = Dir::open_named(dir)?;
            let base_name = format!("copybench-{run_id}");
            let base = named.child(&base_name)?;
            let trash = Trash::new(base.child("trash")?).removed_with(named, base_name);
            (base.child(&scenario.name)?, Some(trash))
        }
    };
    let target_dir = target.path().to_owned();
    push_filesystem(environment, "source", &fixture.path);
    push_filesystem(environment, "target", &target_dir);
    let target_fd = target.try_clone_file()?;
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

    let bench = Bench {
        fixture: &fixture,
        cache: scenario.cache,
        fsync: scenario.fsync,
        source_fd,
        target_fd,
    };
    room::check(&fixture, active.len(), &target).map_err(fail)?;
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
            crate::interrupt::check().map_err(RunError::Interrupted)?;
            progress.inc(1);
            if active[index].failed.is_some() {
                continue;
            }
            let entry = &mut active[index];
            progress.set_message(entry.spec.id.clone());
            let dst = target_dir.join(format!("r{round:03}-e{index:02}"));
            let trash = own_trash.as_mut().unwrap_or(&mut *main_trash);
            let evicted = bench.sample(entry, &dst, round, warmup, trash);
            // A sample an interrupt cut short is not a failure of its entry.
            crate::interrupt::check().map_err(RunError::Interrupted)?;
            let evicted = evicted.map_err(fail)?;
            if evicted == Some(false) {
                evictions_failed += 1;
            }
        }
        // Only between rounds, and only when the disk would otherwise fill.
        let trash = own_trash.as_mut().unwrap_or(&mut *main_trash);
        let budget = options.trash_budget_bytes.unwrap_or(u64::MAX);
        if trash.held_bytes() > budget && round + 1 < rounds {
            trash.empty().map_err(|e| fail(e.to_string()))?;
            flush(&bench.target_fd);
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
        // A few big files deleted cost little; thousands of inodes slow ext4's next creations.
        let consequence = match fixture.info.kind {
            FixtureKind::File => "outside the timing",
            FixtureKind::Tree => "outside the timing, but on ext4 creating files within a minute of deleting many is slower: the rounds after each emptying may be slow (free disk space, or fewer samples, avoids it)",
        };
        warnings.push(format!(
            "the trash was emptied {early_empties} times between rounds to stay under {} MiB of disk, {consequence}",
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

    let result = ScenarioResult {
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
        // Checked after every scenario's timing: its files are made and deleted, and a
        // deletion must not land right before another scenario's samples.
        conformance: None,
        warnings,
    };
    Ok((result, own_trash))
}

/// What every sample of a scenario shares.
struct Bench<'a> {
    fixture: &'a Fixture,
    cache: CacheState,
    fsync: bool,
    source_fd: std::fs::File,
    target_fd: std::fs::File,
}

impl Bench<'_> {
    /// One copy of the fixture by `entry` into `dst`: evict the source (cold cache), flush, time
    /// the copy, check it, write it back and drop its pages, move it into the trash. From round
    /// `warmup` on the sample is recorded; a failed copy marks the entry failed. Returns whether
    /// the eviction took (cold cache); errs only when the run cannot go on.
    fn sample(
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
        Ok(cache_evicted)
    }
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

/// `syncfs` of the filesystem `fd` is on. A failure only costs honesty of the next sample, so
/// it is reported and the run goes on.
fn flush(fd: &std::fs::File) {
    if let Err(e) = copybench_engine::sys::syncfs(fd.as_fd()) {
        eprintln!("copybench: warning: syncfs failed: {e}");
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
    let parent = work.conformance();
    let outcome = parent
        .as_ref()
        .map_err(|e| e.to_string())
        .and_then(|p| p.child(&scenario.name).map_err(|e| e.to_string()))
        .and_then(|dir| {
            catch(|| {
                conformance::run_matrix(&ConformOptions {
                    strategies,
                    walkers,
                    dir: dir.path().to_owned(),
                    use_oracle: true,
                    catalogue,
                })
            })
        });
    if let Ok(parent) = &parent {
        if let Err(e) = parent.remove(&scenario.name) {
            warnings.push(format!("conformance files not removed: {e}"));
        }
    }
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
