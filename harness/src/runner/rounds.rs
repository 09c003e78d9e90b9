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
use super::progress::progress_bar;
use super::requests;
use super::sample::{flush, Bench};
use super::seed::seed;
use super::summary::{summarize, syscall_summary, walls};
use super::{push_filesystem, RunError, RunOptions};
use crate::cache;
use crate::fixture;
use crate::mechanism::{self, ContentTally};
use crate::scenario::{CacheState, EntrySpec, Scenario, Subject};
use crate::target::{self, SetUpContext, SetUpError, Side, TargetSpec};
use crate::work_dir::{Trash, WorkDir};

/// An entry being measured.
pub(super) struct Active {
    pub(super) spec: EntrySpec,
    pub(super) executor: Box<dyn Executor>,
    pub(super) samples: Vec<Sample>,
    /// Per-sample per-file latencies (trees copied in-process).
    pub(super) latencies: Vec<u64>,
    /// Counts of the first measured sample (engine entries in-process).
    pub(super) counts: Option<SyscallCounts>,
    /// Strategies used and give-ups, over the measured samples (engine entries in-process).
    pub(super) content: Option<ContentTally>,
    /// Why a figure of the proof of mechanism could not be read.
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

/// Runs one scenario, the `index`th of the run: sets up its target, places or prepares its
/// fixture, runs its rounds, proves what each copy did, summarises, and tears the target down
/// (on an error or a panic too: the target tears itself down when dropped).
pub(super) fn run_scenario(
    scenario: &Scenario,
    index: usize,
    options: &RunOptions,
    work: &WorkDir,
    run_id: &str,
    main_trash: &mut Trash,
    environment: &mut Environment,
) -> Result<Outcome, RunError> {
    let io = |action: &'static str, path: &Path| {
        let path = path.to_owned();
        let scenario = scenario.name.clone();
        move |source| RunError::Io {
            scenario,
            action,
            path,
            source,
        }
    };
    let trash_error = |source| RunError::Trash {
        scenario: scenario.name.clone(),
        source,
    };
    let scale = scenario.scale * options.scale;
    let spec = scenario.fixture.scaled(scale);
    let samples = options.samples.unwrap_or(scenario.samples).max(2);
    let warmup = options.warmup.unwrap_or(scenario.warmup);
    let mut warnings = Vec::new();

    let context = SetUpContext {
        scenario: scenario.name.clone(),
        dir: work.targets().join(format!("{run_id}-{index}")),
        local_destination: work.runs().join(run_id).join(&scenario.name),
        run_id: run_id.to_owned(),
        graveyard: work.trash().join(format!("{run_id}-targets")),
    };
    if !matches!(scenario.target, TargetSpec::WorkDir | TargetSpec::Dir(_)) {
        eprintln!(
            "copybench: scenario `{}`: setting up its {} target",
            scenario.name,
            scenario.target.name()
        );
    }
    let mut target = match target::set_up(&scenario.target, scenario.placement, &context) {
        Ok(target) => target,
        Err(SetUpError::Unavailable(why)) => return Ok(Outcome::Skipped(why)),
        Err(SetUpError::Failed(source)) => {
            return Err(RunError::Target {
                scenario: scenario.name.clone(),
                source,
            })
        }
    };
    let layout = target.layout().clone();

    eprintln!(
        "copybench: scenario `{}`: preparing the fixture",
        scenario.name
    );
    let fixture = match &layout.source {
        // Generated where its blocks live (an SMB share's directory on the server's disk) and
        // copied where the scenario reads it.
        Some(dir) => {
            let backing = target.backing_path(dir);
            fixture::generate_in(&spec, &backing).map(|f| f.rebased(&backing, dir))
        }
        None => fixture::prepare(&spec, work),
    }
    .map_err(|source| RunError::Fixture {
        scenario: scenario.name.clone(),
        source,
    })?;
    let target_dir = layout.destination.clone();
    let mut own_trash = match &layout.trash {
        Some(dir) => Some(Trash::new(dir.clone()).map_err(trash_error)?),
        None => None,
    };
    push_filesystem(environment, "source", &fixture.path);
    push_filesystem(environment, "target", &target_dir);
    environment.targets.push(target.record());
    let target_fd = std::fs::File::open(&target_dir).map_err(io("open", &target_dir))?;
    let source_fd = std::fs::File::open(&fixture.path).map_err(io("open", &fixture.path))?;

    // copy2 from a filesystem that cannot list xattrs leaves them out, and says so.
    let no_xattrs = target
        .limits()
        .no_xattrs
        .filter(|_| scenario.placement.source == Side::Target);
    if let (Some(why), Mode::Copy2) = (no_xattrs, scenario.mode) {
        warnings.push(format!("{why}: copy2 copied times and mode only"));
    }

    let mut skipped = Vec::new();
    let mut active: Vec<Active> = Vec::new();
    for entry in &scenario.entries {
        match executor::for_entry(
            entry,
            scenario,
            options,
            fixture.info.kind,
            no_xattrs.is_none(),
        ) {
            Ok(executor) => active.push(Active::new(entry.clone(), executor)),
            Err(reason) => skipped.push(Skipped {
                id: entry.id.clone(),
                reason,
            }),
        }
    }

    if scenario.cache == CacheState::Warm {
        cache::warm(&fixture.files).map_err(|source| RunError::Cache {
            scenario: scenario.name.clone(),
            source,
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
    // A trash on the target's own filesystem is emptied before one round's copies could fill
    // half of what was free there.
    let budget = match &own_trash {
        Some(_) => {
            // The server's disk for a share (smbnetfs reports no free space).
            let free = rustix::fs::statvfs(target.backing_path(&target_dir))
                .map(|s| s.f_bavail.saturating_mul(s.f_frsize))
                .unwrap_or(0);
            options.trash_budget_bytes.unwrap_or(u64::MAX).min(free / 2)
        }
        None => options.trash_budget_bytes.unwrap_or(u64::MAX),
    };
    let rounds = warmup + samples;
    let progress = progress_bar(
        options.progress,
        &scenario.name,
        u64::from(rounds) * active.len() as u64,
    );
    let mut rng = ChaCha8Rng::seed_from_u64(seed(&scenario.name));
    let mut evictions_failed = 0u32;
    let mut early_empties = 0u32;
    for step in schedule(active.len(), rounds, &mut rng) {
        let trash = own_trash.as_mut().unwrap_or(&mut *main_trash);
        match step {
            Step::Sample { round, index } => {
                progress.inc(1);
                let entry = &mut active[index];
                if entry.failed.is_some() {
                    continue;
                }
                progress.set_message(entry.spec.id.clone());
                let dst = target_dir.join(format!("r{round:03}-e{index:02}"));
                if bench.sample(entry, &dst, round, warmup, trash)? == Some(false) {
                    evictions_failed += 1;
                }
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
        let trash = own_trash.as_mut().unwrap_or(&mut *main_trash);
        let syscalls = syscall_summary(
            &entry,
            &fixture,
            options,
            strace_path.as_deref(),
            &target_dir,
            trash,
            &mut unmeasured,
        );
        let proofs: Vec<SampleProof> = entry.samples.iter().filter_map(|s| s.proof).collect();
        let claim = match entry.spec.subject {
            Subject::Strategy(s) => mechanism::strategy_claim(s),
            Subject::Walker { strategy, .. } => mechanism::strategy_claim(strategy),
            Subject::Peer(p) => mechanism::peer_claim(p),
        };
        let proven = (!proofs.is_empty())
            .then(|| mechanism::summarize(&proofs, &source_profile, claim, entry.content.as_ref()));
        if let Some(flag) = proven.as_ref().and_then(|m| m.contradiction.as_ref()) {
            warnings.push(format!("`{}`: {flag}", entry.spec.id));
        }
        unmeasured.extend(entry.proof_unmeasured.clone());
        let mut result = summarize(
            entry,
            scenario,
            &fixture,
            &reference_walls,
            syscalls,
            unmeasured,
            &mut warnings,
        );
        result.mechanism = proven;
        result.requests = requests;
        entries.push(result);
    }

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
