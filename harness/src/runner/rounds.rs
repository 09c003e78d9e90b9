//! One scenario: its fixture and target, warmup and sample rounds in a shuffled round-robin,
//! then the summaries of its entries.
//!
//! Each round runs every entry once, in a new shuffled order, so drift hits all alike and
//! speedups can be taken pair by pair within a round. No sleeps between samples: they follow
//! each other (idle memory is handed back to the host, and the next copy pays to get it back).

use std::collections::BTreeMap;
use std::path::Path;

use copybench_engine::SyscallCounts;
use copybench_result::{
    Environment, FixtureKind, Sample, ScenarioParameters, ScenarioResult, Skipped,
};
use rand::seq::SliceRandom;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use super::executor::{self, Executor};
use super::progress::progress_bar;
use super::sample::{flush, Bench};
use super::seed::seed;
use super::summary::{summarize, syscall_summary, walls};
use super::{push_filesystem, RunError, RunOptions};
use crate::cache;
use crate::fixture;
use crate::scenario::{CacheState, EntrySpec, Scenario, Target};
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
    pub(super) failed: Option<String>,
}

/// Runs one scenario. Returns its result (conformance not yet checked) and the trash on its own
/// target filesystem, if it has one, to be emptied after every scenario's timing.
pub(super) fn run_scenario(
    scenario: &Scenario,
    options: &RunOptions,
    work: &WorkDir,
    run_id: &str,
    main_trash: &mut Trash,
    environment: &mut Environment,
) -> Result<(ScenarioResult, Option<Trash>), RunError> {
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
    std::fs::create_dir_all(&target_dir).map_err(io("create", &target_dir))?;
    push_filesystem(environment, "source", &fixture.path);
    push_filesystem(environment, "target", &target_dir);
    let target_fd = std::fs::File::open(&target_dir).map_err(io("open", &target_dir))?;
    let source_fd = std::fs::File::open(&fixture.path).map_err(io("open", &fixture.path))?;

    let mut skipped = Vec::new();
    let mut active: Vec<Active> = Vec::new();
    for entry in &scenario.entries {
        match executor::for_entry(entry, scenario, options, fixture.info.kind) {
            Ok(executor) => active.push(Active {
                spec: entry.clone(),
                executor,
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
        cache::warm(&fixture.files).map_err(|source| RunError::Cache {
            scenario: scenario.name.clone(),
            source,
        })?;
    }

    let bench = Bench {
        scenario: &scenario.name,
        fixture: &fixture,
        cache: scenario.cache,
        fsync: scenario.fsync,
        source_fd,
        target_fd,
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
                let budget = options.trash_budget_bytes.unwrap_or(u64::MAX);
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
            target: target_name(&scenario.target),
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

/// How the result names a target.
fn target_name(target: &Target) -> String {
    match target {
        Target::SameFs => "same-fs".to_owned(),
        Target::Dir(d) => d.display().to_string(),
    }
}
