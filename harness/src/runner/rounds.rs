//! One scenario: its target and fixture, warmup and sample rounds in a shuffled round-robin,
//! the proof of what each copy did, then the summaries of its entries.
//!
//! Each round runs every entry once, in a new shuffled order, so drift hits all alike and
//! speedups can be taken pair by pair within a round. No sleeps between samples: they follow
//! each other (idle memory is handed back to the host, and the next copy pays to get it back).

use std::collections::BTreeMap;
use std::path::Path;

use copybench_engine::{Mode, SyscallCounts};
use copybench_result::{
    Environment, FixtureKind, Sample, SampleProof, ScenarioParameters, ScenarioResult, Skipped,
};
use rand::seq::SliceRandom;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use super::executor::{self, Executor};
use super::progress::{Progress, SampleStep, StepOutcome};
use super::requests;
use super::sample::{flush, Bench};
use super::seed::seed;
use super::summary::{summarize, syscall_summary, walls};
use super::{push_filesystem, RunContext, RunError};
use crate::cache;
use crate::claim;
use crate::fixture;
use crate::interpreters::Origin;
use crate::mechanism::{self, ContentTally};
use crate::scenario::{CacheState, EntrySpec, Scenario, Subject};
use crate::target::{self, SetUpContext, SetUpError, Side, TargetSpec};
use crate::work_dir::{Dir, Trash};

/// An entry being measured.
pub(super) struct Active {
    pub(super) spec: EntrySpec,
    pub(super) executor: Box<dyn Executor>,
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
    pub(super) fn new(spec: EntrySpec, executor: Box<dyn Executor>) -> Active {
        Active {
            spec,
            executor,
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
    let samples = options.samples.unwrap_or(scenario.samples).max(2);
    let warmup = options.warmup.unwrap_or(scenario.warmup);
    let rounds = warmup.checked_add(samples).ok_or_else(|| {
        invalid(format!(
            "{warmup} warmup rounds and {samples} samples are more rounds than copybench counts ({})",
            u32::MAX
        ))
    })?;
    let mut warnings = Vec::new();

    progress.scenario(&scenario.name, scale);
    // The directories set-up is given are made from the work directory's descriptor, never
    // through a symlink planted below it.
    let context = SetUpContext {
        scenario: scenario.name.clone(),
        dir: work
            .targets()?
            .new_child(format!("{run_id}-{index}"))?
            .path()
            .to_owned(),
        local_destination: work
            .runs()?
            .child(run_id)?
            .child(&scenario.name)?
            .path()
            .to_owned(),
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
    let target_dir = layout.destination.clone();
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
        match executor::for_entry(
            entry,
            scenario,
            options,
            interpreters,
            fixture.info.kind,
            no_xattrs.is_none(),
        ) {
            Ok(executor) => active.push(Active::new(entry.clone(), executor)),
            Err(why) => skipped.push(Skipped {
                id: entry.id.clone(),
                reason: why.to_string(),
            }),
        }
    }

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
    super::room::check(&fixture, active.len(), &room).map_err(invalid)?;
    // A trash on the target's own filesystem is emptied before the copies of the rounds could
    // fill half of what was free there.
    let budget = match &own_trash {
        Some(_) => {
            let free = room.free_space().map(|f| f.bytes / 2).unwrap_or(u64::MAX);
            options.trash_budget_bytes.unwrap_or(u64::MAX).min(free)
        }
        None => options.trash_budget_bytes.unwrap_or(u64::MAX),
    };
    progress.rounds(u64::from(rounds) * active.len() as u64);
    let mut rng = ChaCha8Rng::seed_from_u64(seed(&scenario.name));
    let mut evictions_failed = 0u32;
    let mut early_empties = 0u32;
    for step in schedule(active.len(), rounds, &mut rng) {
        let trash = own_trash.as_mut().unwrap_or(&mut *main_trash);
        match step {
            Step::Sample { round, index } => {
                crate::interrupt::check().map_err(RunError::Interrupted)?;
                let entry = &mut active[index];
                let mut step = |entry: &Active, outcome| {
                    progress.sample(&SampleStep {
                        entry: &entry.spec.id,
                        round,
                        warmup,
                        rounds,
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
            // Only between rounds, and only when the disk would otherwise fill.
            Step::BetweenRounds => {
                if trash.held_bytes() > budget {
                    trash.empty().map_err(trash_error)?;
                    flush(&bench.target_fd);
                    early_empties += 1;
                }
            }
        }
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
        let consequence = match fixture.info.kind {
            FixtureKind::File => "outside the timing",
            FixtureKind::Tree => "outside the timing, but on ext4 creating files within a minute of deleting many is slower: the rounds after each emptying may be slow (free disk space, or fewer samples, avoids it)",
        };
        warnings.push(format!(
            "the trash was emptied {early_empties} times between rounds to stay under {} MiB of disk, {consequence}",
            budget >> 20
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
    for ((entry, requests), mut unmeasured) in
        active.into_iter().zip(requests_of).zip(unmeasured_of)
    {
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
        let id = entry.spec.id.clone();
        match summarize(
            entry,
            scenario,
            &fixture,
            &reference_walls,
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
        claims,
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

/// One step of a scenario's rounds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Step {
    /// Sample entry `index` in `round`.
    Sample { round: u32, index: usize },
    /// Between two rounds (never after the last): where the trash may be emptied.
    BetweenRounds,
}

/// `rounds` rounds of `entries` entries, each round every entry once in a new shuffled order.
pub(super) fn schedule(entries: usize, rounds: u32, rng: &mut ChaCha8Rng) -> Vec<Step> {
    let mut steps = Vec::new();
    for round in 0..rounds {
        if round > 0 {
            steps.push(Step::BetweenRounds);
        }
        let mut order: Vec<usize> = (0..entries).collect();
        order.shuffle(rng);
        steps.extend(order.into_iter().map(|index| Step::Sample { round, index }));
    }
    steps
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
