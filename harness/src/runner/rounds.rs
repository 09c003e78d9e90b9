//! One scenario: its target and fixture, warmup and sample rounds in a shuffled round-robin,
//! the proof of what each copy did, then the summaries of its entries.
//!
//! Each round runs every entry once, in a new shuffled order, so drift hits all alike and
//! speedups can be taken pair by pair within a round. No sleeps between samples: they follow
//! each other (idle memory is handed back to the host, and the next copy pays to get it back).
//! `samples` is the fewest measured rounds: rounds go on until every speedup interval is within
//! the scenario's target half-width, or another round would not fit in its time budget.
//!
//! Like for like: a child or peer entry is compared with the reference timed as a child in the
//! same rounds, and beside the entries the same rounds time what the machine and the harness
//! cost (`calibration`): a memcpy and a read of the fixture's bytes, each program's no-op
//! start, and the reference without the syscall recorder.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Instant;

use copybench_engine::{Mode, SyscallCounts};
use copybench_result::{
    Environment, FixtureKind, Sample, SampleProof, Sampling, SamplingStop, ScenarioParameters,
    ScenarioResult, Skipped, TimedAs,
};
use rand::seq::SliceRandom;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use super::calibration::{self, Role};
use super::executor::{self, Counted, Executor};
use super::ext4_wait::{Moment, RecentDeletes};
use super::progress::{Progress, SampleStep, StepOutcome};
use super::requests;
use super::sample::{flush, Bench};
use super::seed::seed;
use super::summary::{summarize, syscall_summary, walls, Comparison};
use super::{push_filesystem, RunContext, RunError};
use crate::cache;
use crate::claim;
use crate::fixture;
use crate::interpreters::Origin;
use crate::mechanism::{self, ContentTally};
use crate::scenario::{CacheState, EntrySpec, Scenario, Subject};
use crate::stats;
use crate::target::{self, SetUpContext, SetUpError, Side, TargetSpec};
use crate::work_dir::{Dir, Trash};

/// An entry being measured.
pub(super) struct Active {
    pub(super) spec: EntrySpec,
    pub(super) executor: Box<dyn Executor>,
    /// An entry of the result, or one of the calibration's measurements.
    pub(super) role: Role,
    pub(super) samples: Vec<Sample>,
    /// Per-sample per-file latencies (trees copied in-process).
    pub(super) latencies: Vec<u64>,
    /// Counts of the first measured sample (engine entries in-process).
    pub(super) counts: Option<SyscallCounts>,
    /// Why some sample has no user/system split (the first reason seen).
    pub(super) split_unavailable: Option<String>,
    /// Strategies used and give-ups, over the measured samples (engine entries in-process).
    pub(super) content: Option<ContentTally>,
    /// Why a figure of the proof of mechanism could not be read (the first reason seen).
    pub(super) proof_unmeasured: BTreeMap<String, String>,
    pub(super) failed: Option<String>,
}

impl Active {
    pub(super) fn new(spec: EntrySpec, executor: Box<dyn Executor>, role: Role) -> Active {
        Active {
            spec,
            executor,
            role,
            samples: Vec::new(),
            latencies: Vec::new(),
            counts: None,
            split_unavailable: None,
            content: None,
            proof_unmeasured: BTreeMap::new(),
            failed: None,
        }
    }
}

/// What became of a scenario.
pub(super) enum Outcome {
    /// Its result (conformance not yet checked).
    Ran(Box<ScenarioResult>),
    /// Its target cannot be made here: why, and what to install.
    Skipped(String),
}

/// Runs the `index`th scenario of the run: sets up its target, places or prepares its fixture,
/// runs its rounds, proves what each copy did, summarises, and tears the target down (after an
/// error, a panic or an interrupt too: a target tears itself down when dropped).
pub(super) fn run_scenario(
    scenario: &Scenario,
    index: usize,
    run: &RunContext<'_>,
    main_trash: &mut Trash,
    recent_deletes: &mut RecentDeletes,
    environment: &mut Environment,
    progress: &mut Progress,
) -> Result<Outcome, RunError> {
    let io = |action: &'static str, path: &Path| {
        let path = path.to_owned();
        let scenario = scenario.name.clone();
        move |error| RunError::Io {
            scenario,
            action,
            path,
            error,
        }
    };
    let RunContext {
        options,
        interpreters,
        work,
        run_id,
    } = *run;
    let trash_error = |error| RunError::Trash {
        scenario: scenario.name.clone(),
        error,
    };
    let invalid = |message: String| RunError::TooLarge {
        scenario: scenario.name.clone(),
        message,
    };
    let scale = scenario.scale * options.scale;
    if !scale.is_finite() {
        return Err(invalid(format!(
            "the scale {} × --scale {} is too large to count",
            scenario.scale, options.scale
        )));
    }
    let spec = scenario.fixture.scaled(scale);
    let min_samples = options.samples.unwrap_or(scenario.samples).max(2);
    let warmup = options.warmup.unwrap_or(scenario.warmup);
    let target_ci = options.target_ci.unwrap_or(scenario.target_ci);
    let budget = options.max_time.unwrap_or(scenario.max_time);
    let fewest_rounds = warmup.checked_add(min_samples).ok_or_else(|| {
        invalid(format!(
            "{warmup} warmup rounds and {min_samples} samples are more rounds than copybench counts ({})",
            u32::MAX
        ))
    })?;
    let mut warnings = Vec::new();

    progress.scenario(&scenario.name, scale);
    let copies_in_work_dir = matches!(scenario.target, TargetSpec::WorkDir)
        || scenario.placement.destination == Side::Local;
    // What the fewest rounds write: one copy per entry and the reference's child twin.
    let fewest_copies =
        (scenario.entries.len() as u64 + 1).saturating_mul(u64::from(fewest_rounds));
    // The inodes a placed directory is expected to fill (see `ext4_wait`).
    let placed_inodes = spec.inodes().saturating_mul(fewest_copies);
    let main_trash_budget = options.trash_budget_bytes.unwrap_or(u64::MAX);
    // The trash is emptied here, before this scenario makes its directory (placed apart from
    // what this frees), rather than after its first round, among its own copies, when its
    // fewest rounds would take the trash past its budget (a big tree scenario after another).
    if copies_in_work_dir && main_trash.held_bytes() > 0 {
        let need = spec.most_bytes().saturating_mul(fewest_copies);
        if main_trash.held_bytes().saturating_add(need) > main_trash_budget {
            progress.note("emptying the trash before this scenario, to stay within the disk");
            let freed = main_trash.empty().map_err(trash_error)?;
            work.note_trash_emptied(&freed).map_err(trash_error)?;
        }
    }
    let run_dir = work.run_destinations(run_id)?;
    // A tree's copies are kept away from the inodes the trash freed within ext4's window
    // (`ext4_wait`); a file's few inodes are not slowed by them.
    let destination = if copies_in_work_dir && spec.kind() == FixtureKind::Tree {
        let placed = recent_deletes
            .place(
                work,
                &run_dir,
                &scenario.name,
                placed_inodes,
                Moment::BeforeFixture,
                progress,
            )
            .map_err(trash_error)?;
        warnings.extend(placed.warning);
        placed.dir
    } else {
        run_dir.dir.child(&scenario.name)?
    };
    // The directories set-up is given are made from the work directory's descriptor, never
    // through a symlink planted below it.
    let context = SetUpContext {
        scenario: scenario.name.clone(),
        dir: work
            .targets()?
            .new_child(format!("{run_id}-{index}"))?
            .path()
            .to_owned(),
        local_destination: destination.path().to_owned(),
        run_id: run_id.to_owned(),
        graveyard: work
            .trash()?
            .child(format!("{run_id}-targets"))?
            .path()
            .to_owned(),
    };
    if !matches!(scenario.target, TargetSpec::WorkDir | TargetSpec::Dir(_)) {
        progress.note(&format!("setting up its {} target", scenario.target.name()));
    }
    let mut target = match target::set_up(&scenario.target, scenario.placement, &context) {
        Ok(target) => target,
        Err(SetUpError::Unavailable(why)) => return Ok(Outcome::Skipped(why)),
        Err(SetUpError::Failed(error)) => {
            return Err(RunError::Target {
                scenario: scenario.name.clone(),
                error,
            })
        }
    };
    let layout = target.layout().clone();
    progress.note("preparing the fixture");
    let fixture = match &layout.source {
        // Generated where its blocks live (an SMB share's directory on the server's disk) and
        // copied where the scenario reads it.
        Some(dir) => {
            let backing = target.backing_path(dir);
            Dir::open_named(&backing)
                .map_err(fixture::FixtureError::from)
                .and_then(|dir| fixture::generate_in(&spec, &dir))
                .map(|f| f.rebased(&backing, dir))
        }
        None => fixture::prepare_reporting(&spec, work, &mut |step| progress.fixture(step)),
    }
    .map_err(|error| match error {
        fixture::FixtureError::Interrupted(signal) => RunError::Interrupted(signal),
        error => RunError::Fixture {
            scenario: scenario.name.clone(),
            error,
        },
    })?;
    let mut target_dir = layout.destination.clone();
    // The main trash's copies are the work directory's: after emptying it between rounds, the
    // next rounds' copies go to a directory placed apart from what it freed.
    let replaceable = layout.trash.is_none() && target_dir == destination.path();
    drop(destination);
    let mut moves = 0u32;
    // A share's free space is its server's disk's (smbnetfs reports none).
    let room = Dir::open_named(&target.backing_path(&target_dir))?;
    let mut own_trash = match &layout.trash {
        Some(dir) => Some(Trash::new(Dir::open_named(dir)?)),
        None => None,
    };
    push_filesystem(environment, "source", &fixture.path);
    push_filesystem(environment, "target", &target_dir);
    environment.targets.push(target.record());
    let target_fd = Dir::open_named(&target_dir)?.try_clone_file()?;
    let source_fd = std::fs::File::open(&fixture.path).map_err(io("open", &fixture.path))?;

    // copy2 from a filesystem that cannot list xattrs leaves them out, and says so.
    let no_xattrs = target
        .limits()
        .no_xattrs
        .filter(|_| scenario.placement.source == Side::Target);
    if let (Some(why), Mode::Copy2) = (no_xattrs, scenario.mode) {
        warnings.push(format!("{why}: copy2 copied times and mode only"));
    }

    for (path, _, why) in interpreters
        .refused
        .iter()
        .filter(|(path, origin, _)| *origin == Origin::Scenario && scenario.pythons.contains(path))
    {
        warnings.push(format!("`pythons`: {} is not used: {why}", path.display()));
    }
    let mut skipped = Vec::new();
    let mut active: Vec<Active> = Vec::new();
    for entry in &scenario.entries {
        let counted = Counted::Yes;
        match executor::for_entry(
            entry,
            scenario,
            options,
            interpreters,
            fixture.info.kind,
            counted,
            no_xattrs.is_none(),
        ) {
            Ok(executor) => active.push(Active::new(entry.clone(), executor, Role::Entry)),
            Err(why) => skipped.push(Skipped {
                id: entry.id.clone(),
                reason: why.to_string(),
            }),
        }
    }

    let mut calibration_unmeasured = BTreeMap::new();
    calibration::add(
        &mut active,
        scenario,
        run,
        &fixture,
        no_xattrs.is_none(),
        &mut calibration_unmeasured,
    );

    if scenario.cache == CacheState::Warm {
        cache::warm(&fixture.files).map_err(|error| RunError::Cache {
            scenario: scenario.name.clone(),
            error,
        })?;
    }

    let resolve = |path: &Path| target.backing_path(path);
    let source_profile = mechanism::profile_source(&fixture.files, &resolve);
    let bench = Bench {
        scenario: &scenario.name,
        fixture: &fixture,
        cache: scenario.cache,
        fsync: scenario.fsync,
        source_fd,
        target_fd,
        resolve: &resolve,
    };
    let copies_per_round = active.iter().filter(|a| a.role.writes_copy()).count();
    super::room::check(&fixture, copies_per_round, &room).map_err(invalid)?;
    // A trash on the target's own filesystem is emptied before the copies of the rounds could
    // fill half of what was free there.
    let trash_budget = match &own_trash {
        Some(_) => {
            let free = room.free_space().map(|f| f.bytes / 2).unwrap_or(u64::MAX);
            options.trash_budget_bytes.unwrap_or(u64::MAX).min(free)
        }
        None => options.trash_budget_bytes.unwrap_or(u64::MAX),
    };
    // Its descriptor would keep a mounted target busy at tear-down.
    drop(room);
    progress.rounds(u64::from(fewest_rounds) * active.len() as u64, budget);
    let mut rng = ChaCha8Rng::seed_from_u64(seed(&scenario.name));
    let mut evictions_failed = 0u32;
    let mut early_empties = 0u32;
    let started = Instant::now();
    let mut round = 0u32;
    // The rounds planned so far, for the progress line: the fewest, then one more at a time.
    let mut planned = fewest_rounds;
    let mut round_started = started;
    let (stopped, short) = loop {
        for index in shuffled_round(active.len(), &mut rng) {
            crate::interrupt::check().map_err(RunError::Interrupted)?;
            let entry = &mut active[index];
            let mut step = |entry: &Active, outcome| {
                progress.sample(&SampleStep {
                    entry: &entry.spec.id,
                    round,
                    warmup,
                    rounds: planned,
                    outcome,
                    median_s: median_wall(&entry.samples),
                })
            };
            if entry.failed.is_some() {
                step(entry, StepOutcome::Failed);
                continue;
            }
            let dst = target_dir.join(format!("r{round:03}-e{index:02}"));
            let kept = entry.samples.len();
            let trash = own_trash.as_mut().unwrap_or(&mut *main_trash);
            let evicted = bench.sample(entry, &dst, round, warmup, trash);
            // A sample an interrupt cut short is not a failure of its entry.
            crate::interrupt::check().map_err(RunError::Interrupted)?;
            if evicted? == Some(false) {
                evictions_failed += 1;
            }
            let outcome = match (entry.samples.get(kept), &entry.failed) {
                (Some(sample), _) => StepOutcome::Measured(sample.wall_ns as f64 / 1e9),
                (None, Some(_)) => StepOutcome::Failed,
                (None, None) => StepOutcome::Warmup,
            };
            step(entry, outcome);
        }
        round += 1;
        if round.saturating_sub(warmup) >= min_samples {
            let short = short_of_target(&active, scenario, target_ci);
            // The round just run (with the trash emptied before it) estimates the next one.
            let next_round_fits = started.elapsed() + round_started.elapsed() <= budget;
            if let Some(stop) = stop(short.as_deref(), next_round_fits) {
                break (stop, short.unwrap_or_default());
            }
            planned += 1;
            progress.more(active.len() as u64);
        }
        round_started = Instant::now();
        // Only between rounds, and only when the disk would otherwise fill.
        let trash = own_trash.as_mut().unwrap_or(&mut *main_trash);
        let mut move_on = false;
        if trash.held_bytes() > trash_budget {
            let freed = trash.empty().map_err(trash_error)?;
            flush(&bench.target_fd);
            early_empties += 1;
            if replaceable {
                work.note_trash_emptied(&freed).map_err(trash_error)?;
                move_on = spec.kind() == FixtureKind::Tree;
            }
        } else if replaceable && spec.kind() == FixtureKind::Tree {
            move_on = trash
                .last_inode()
                .is_some_and(|inode| recent_deletes.drifting_among_freed(work, inode));
        }
        // The next rounds' copies go to a directory placed apart from the inodes just freed,
        // or from freed ones the copies were filling groups towards.
        if move_on {
            moves += 1;
            let placed = recent_deletes
                .place(
                    work,
                    &run_dir,
                    &format!("{}.{moves}", scenario.name),
                    placed_inodes,
                    Moment::BetweenRounds,
                    progress,
                )
                .map_err(trash_error)?;
            warnings.extend(placed.warning);
            target_dir = placed.dir.path().to_owned();
        }
    };
    let elapsed = started.elapsed();
    let sampling = Sampling {
        min_samples,
        rounds: round - warmup,
        target_half_width: target_ci,
        max_time_s: budget.as_secs_f64(),
        elapsed_s: elapsed.as_secs_f64(),
        stopped,
        short_of_target: short.clone(),
    };
    if !short.is_empty() {
        warnings.push(format!(
            "{} short of the ±{:.1} % target after {} rounds ({:.0} s of a {:.0} s budget): {}; raise `max_time` (or `--max-time`) or run on a quieter machine",
            if short.len() == 1 { "one speedup interval is" } else { "speedup intervals are" },
            target_ci * 100.0,
            sampling.rounds,
            elapsed.as_secs_f64(),
            budget.as_secs_f64(),
            short.iter().map(|id| format!("`{id}`")).collect::<Vec<_>>().join(", ")
        ));
    }
    progress.note("summarising the samples");

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
        let trash_dir = own_trash.as_ref().map_or(main_trash.dir(), |t| t.dir());
        let consequence = match fixture.info.kind {
            FixtureKind::Tree if replaceable && super::ext4_wait::applies(trash_dir).is_ok() => "outside the timing; on ext4 without a journal creating files among inodes deleted minutes before is slower, so the rounds after each emptying copied into a directory placed apart from the inodes it freed (`delete_wait.placements`)",
            FixtureKind::Tree if super::ext4_wait::applies(trash_dir).is_ok() => "outside the timing, but on ext4 without a journal creating files within minutes of deleting many is slower: the rounds after each emptying may be slow (free disk space, or fewer samples, avoids it)",
            FixtureKind::File | FixtureKind::Tree => "outside the timing",
        };
        warnings.push(format!(
            "the trash was emptied {early_empties} times between rounds to stay under {} MiB of disk, {consequence}",
            trash_budget >> 20
        ));
    }

    let references = References::of(&active, scenario);
    if references.in_process.is_none() {
        warnings.push(format!(
            "the reference `{}` was not measured, so there are no speedups",
            scenario.reference
        ));
    }
    let calibration = calibration::summarize(&active, scenario, calibration_unmeasured);
    let memcpy = active
        .iter()
        .find(|a| a.role == Role::Memcpy && a.failed.is_none())
        .map(|a| walls(&a.samples));
    let mut unmeasured_of: Vec<BTreeMap<String, String>> =
        active.iter().map(|_| BTreeMap::new()).collect();
    let requests_of = requests::of_one_copy_each(
        target.as_ref(),
        &bench,
        &active,
        &target_dir,
        own_trash.as_mut().unwrap_or(&mut *main_trash),
        &mut unmeasured_of,
        progress,
    )?;
    let strace_path = crate::peer::find_on_path("strace");
    let mut entries = Vec::new();
    for ((entry, requests), mut unmeasured) in
        active.into_iter().zip(requests_of).zip(unmeasured_of)
    {
        if entry.role != Role::Entry {
            continue;
        }
        if let Some(reason) = entry.failed {
            skipped.push(Skipped {
                id: entry.spec.id.clone(),
                reason,
            });
            continue;
        }
        let proofs: Vec<SampleProof> = entry.samples.iter().filter_map(|s| s.proof).collect();
        let claim = match &entry.spec.subject {
            Subject::Strategy(s) => mechanism::strategy_claim(*s),
            Subject::Walker { strategy, .. } => mechanism::strategy_claim(*strategy),
            Subject::Peer(p) => mechanism::peer_claim(p),
        };
        let proven = (!proofs.is_empty())
            .then(|| mechanism::summarize(&proofs, &source_profile, claim, entry.content.as_ref()));
        if let Some(flag) = proven.as_ref().and_then(|m| m.contradiction.as_ref()) {
            warnings.push(format!("`{}`: {flag}", entry.spec.id));
        }
        unmeasured.extend(entry.proof_unmeasured.clone());
        let syscalls = syscall_summary(
            &entry,
            &fixture,
            options.count_syscalls || scenario.count_syscalls,
            strace_path.as_deref(),
            &target_dir,
            own_trash.as_mut().unwrap_or(&mut *main_trash),
            &mut unmeasured,
        );
        let against = references.against(&entry.spec, scenario);
        let startup_s = calibration::startup_of(&calibration, &entry.spec.id);
        let comparison = Comparison {
            against: against.map(|(id, w)| (id, w.as_slice())),
            memcpy: memcpy.as_deref(),
            startup_s,
        };
        let id = entry.spec.id.clone();
        match summarize(
            entry,
            &fixture,
            &comparison,
            syscalls,
            unmeasured,
            &mut warnings,
        ) {
            Ok(mut result) => {
                result.mechanism = proven;
                result.requests = requests;
                entries.push(result);
            }
            Err(reason) => skipped.push(Skipped { id, reason }),
        }
    }

    let claims = scenario
        .claims
        .iter()
        .map(|c| claim::judge(c, &entries, &skipped))
        .collect();
    let result = ScenarioResult {
        name: scenario.name.clone(),
        file: scenario.file.clone(),
        description: scenario.description.clone(),
        parameters: ScenarioParameters {
            fixture: fixture.info.clone(),
            target: scenario.target.name(),
            source_on_target: layout.source.is_some(),
            destination_on_target: layout.trash.is_some(),
            cache: scenario.cache.name().to_owned(),
            fsync: scenario.fsync,
            warmup,
            samples: sampling.rounds,
            scale,
        },
        reference: scenario.reference.clone(),
        entries,
        skipped,
        // Checked after every scenario's timing: its files are made and deleted, and a
        // deletion must not land right before another scenario's samples.
        conformance: None,
        warnings,
        claims,
        sampling: Some(sampling),
        calibration: Some(calibration),
    };
    drop(bench);
    drop(own_trash);
    let mut result = result;
    if let Err(e) = target.tear_down() {
        eprintln!("copybench: warning: scenario `{}`: {e}", scenario.name);
        result
            .warnings
            .push(format!("the target was not fully torn down: {e}"));
    }
    Ok(Outcome::Ran(Box::new(result)))
}

/// The entries speedups are measured against: the scenario's reference, and the same
/// reference timed as a child (for child and peer entries), each with its wall times.
struct References {
    in_process: Option<(String, Vec<(u32, f64)>)>,
    child: Option<(String, Vec<(u32, f64)>)>,
}

impl References {
    fn of(active: &[Active], scenario: &Scenario) -> References {
        let measured = |id: &str| {
            active
                .iter()
                .find(|a| a.role == Role::Entry && a.spec.id == id && a.failed.is_none())
                .map(|a| (id.to_owned(), walls(&a.samples)))
        };
        References {
            in_process: measured(&scenario.reference),
            child: measured(&calibration::child_reference_id(scenario)),
        }
    }

    /// What `entry`'s speedup is against; `None` for the reference itself. A child or a peer
    /// is against the reference timed as a child where there is one: both then pay a start.
    fn against<'a>(
        &'a self,
        entry: &EntrySpec,
        scenario: &'a Scenario,
    ) -> Option<(&'a str, &'a Vec<(u32, f64)>)> {
        if entry.id == scenario.reference {
            return None;
        }
        let reference = match (&self.child, entry.timed_as) {
            (Some(child), TimedAs::ChildProcess) if child.0 != entry.id => Some(child),
            _ => self.in_process.as_ref(),
        };
        Some(match reference {
            Some((id, walls)) => (id.as_str(), walls),
            None => (scenario.reference.as_str(), &EMPTY),
        })
    }
}

/// The wall times of a reference that was not measured: every speedup against it says so.
static EMPTY: Vec<(u32, f64)> = Vec::new();

/// The entries whose speedup interval is wider than `target` (or has none yet); `None` when no
/// entry has a speedup to aim at.
fn short_of_target(active: &[Active], scenario: &Scenario, target: f64) -> Option<Vec<String>> {
    let references = References::of(active, scenario);
    let mut any = false;
    let mut short = Vec::new();
    for entry in active
        .iter()
        .filter(|a| a.role == Role::Entry && a.failed.is_none())
    {
        let Some((against, reference)) = references.against(&entry.spec, scenario) else {
            continue;
        };
        if reference.is_empty() {
            continue;
        }
        any = true;
        let within = stats::speedup(reference, &walls(&entry.samples), against)
            .is_ok_and(|s| stats::within_target(&s, target));
        if !within {
            short.push(entry.spec.id.clone());
        }
    }
    any.then_some(short)
}

/// Whether to stop after a round that reached the fewest samples: `short` the entries short of
/// the target (`None`: nothing to aim at), `next_round_fits` whether another round of the same
/// length stays within the time budget.
pub(super) fn stop(short: Option<&[String]>, next_round_fits: bool) -> Option<SamplingStop> {
    match short {
        None => Some(SamplingStop::NothingToTarget),
        Some([]) => Some(SamplingStop::TargetReached),
        Some(_) if !next_round_fits => Some(SamplingStop::TimeBudget),
        Some(_) => None,
    }
}

/// One round's order: every one of `entries` once, shuffled.
pub(super) fn shuffled_round(entries: usize, rng: &mut ChaCha8Rng) -> Vec<usize> {
    let mut order: Vec<usize> = (0..entries).collect();
    order.shuffle(rng);
    order
}

/// The median wall time of `samples` so far, for the progress line (the result's figures are
/// computed once at the end, by `summary`).
fn median_wall(samples: &[Sample]) -> Option<f64> {
    let mut walls: Vec<u64> = samples.iter().map(|s| s.wall_ns).collect();
    walls.sort_unstable();
    let middle = walls.len() / 2;
    let median = match walls.len() {
        0 => return None,
        n if n % 2 == 1 => walls[middle] as f64,
        _ => (walls[middle - 1] + walls[middle]) as f64 / 2.0,
    };
    Some(median / 1e9)
}
