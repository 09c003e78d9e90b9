//! What the machine and the harness cost, measured in a scenario's own rounds so that every
//! figure beside it is read against the same conditions: a memcpy and a read of the fixture's
//! bytes (file fixtures), each program's no-op start (child and peer entries), the in-process
//! reference without the syscall recorder, and the reference timed as a child (the like-for-like
//! reference of child and peer entries).

use std::collections::BTreeMap;
use std::sync::Arc;

use copybench_result::{Calibration, CountingLayerCost, FixtureKind, StartupCost, TimedAs};

use super::executor::{self, Counted, Memcpy, MemoryBuffers, ReadInto, Startup};
use super::rounds::Active;
use super::summary::walls;
use super::RunContext;
use crate::fixture::Fixture;
use crate::peer::NoOp;
use crate::scenario::{EntrySpec, Scenario, Subject};
use crate::stats;

/// What an [`Active`] measures.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Role {
    /// An entry of the result.
    Entry,
    /// The in-process reference without the syscall recorder.
    Uncounted,
    /// `memcpy` of the fixture's bytes.
    Memcpy,
    /// `read` of the source into memory.
    Read,
    /// A program's no-op start (`command`), for the entries that start it.
    Startup {
        command: Vec<String>,
        entries: Vec<String>,
    },
}

impl Role {
    /// Whether a sample leaves a copy of the fixture on the target (what the room check counts);
    /// the memcpy, the read and a program's no-op start write nothing.
    pub(super) fn writes_copy(&self) -> bool {
        matches!(self, Role::Entry | Role::Uncounted)
    }
}

/// The id of the reference timed as a child: what `child_strategies` / `child_walkers` name it.
pub(super) fn child_reference_id(scenario: &Scenario) -> String {
    format!("{} (child)", scenario.reference)
}

/// Adds the calibration's measurements to `active` (after the scenario's entries); what cannot
/// be measured here goes into `unmeasured` with the reason. `xattrs` as for the entries
/// (`executor::for_entry`).
pub(super) fn add(
    active: &mut Vec<Active>,
    scenario: &Scenario,
    run: &RunContext<'_>,
    fixture: &Fixture,
    xattrs: bool,
    unmeasured: &mut BTreeMap<String, String>,
) {
    let kind = fixture.info.kind;
    let executor = |entry: &EntrySpec, counted| {
        executor::for_entry(
            entry,
            scenario,
            run.options,
            run.interpreters,
            kind,
            counted,
            xattrs,
        )
        .map_err(|why| why.to_string())
    };
    let reference = scenario
        .entries
        .iter()
        .find(|e| e.id == scenario.reference)
        .filter(|e| e.timed_as == TimedAs::InProcess && !matches!(e.subject, Subject::Peer(_)));
    match reference {
        Some(reference) => {
            let uncounted = EntrySpec {
                id: format!("{} (uncounted)", reference.id),
                ..reference.clone()
            };
            match executor(reference, Counted::No) {
                Ok(e) => active.push(Active::new(uncounted, e, Role::Uncounted)),
                Err(why) => {
                    unmeasured.insert("counting_layer".to_owned(), why);
                }
            }
            let has_children = active
                .iter()
                .any(|a| a.role == Role::Entry && a.spec.timed_as == TimedAs::ChildProcess);
            let child_id = child_reference_id(scenario);
            if has_children && !active.iter().any(|a| a.spec.id == child_id) {
                let child = EntrySpec {
                    id: child_id,
                    subject: reference.subject.clone(),
                    timed_as: TimedAs::ChildProcess,
                };
                match executor(&child, Counted::Yes) {
                    Ok(e) => active.push(Active::new(child, e, Role::Entry)),
                    Err(why) => {
                        unmeasured.insert("child_reference".to_owned(), why);
                    }
                }
            }
        }
        None => {
            unmeasured.insert(
                "counting_layer".to_owned(),
                "the reference is not an engine entry in process, where the recorder is installed"
                    .to_owned(),
            );
        }
    }
    match kind {
        FixtureKind::File => match memory_for(fixture.info.bytes) {
            Ok(bytes) => {
                let buffers = Arc::new(MemoryBuffers::touched(bytes));
                let spec = |id: &str| EntrySpec {
                    id: id.to_owned(),
                    subject: Subject::Strategy(copybench_engine::Strategy::Auto),
                    timed_as: TimedAs::InProcess,
                };
                active.push(Active::new(
                    spec("memcpy"),
                    Box::new(Memcpy(buffers.clone())),
                    Role::Memcpy,
                ));
                active.push(Active::new(
                    spec("read"),
                    Box::new(ReadInto(buffers)),
                    Role::Read,
                ));
            }
            Err(why) => {
                unmeasured.insert("memcpy_s".to_owned(), why.clone());
                unmeasured.insert("read_s".to_owned(), why);
            }
        },
        FixtureKind::Tree => {
            let why = "a tree's files are copied one by one, not as one block of memory".to_owned();
            unmeasured.insert("memcpy_s".to_owned(), why.clone());
            unmeasured.insert("read_s".to_owned(), why);
        }
    }
    // One no-op start per distinct program, for all the entries that start it.
    let mut startups: Vec<(NoOp, Vec<String>, EntrySpec)> = Vec::new();
    for entry in active.iter().filter(|a| a.role == Role::Entry) {
        let Some(noop) = entry.executor.startup_command() else {
            continue;
        };
        match startups.iter_mut().find(|(known, _, _)| *known == noop) {
            Some((_, entries, _)) => entries.push(entry.spec.id.clone()),
            None => startups.push((noop, vec![entry.spec.id.clone()], entry.spec.clone())),
        }
    }
    for (noop, entries, owner) in startups {
        let command: Vec<String> = noop
            .argv
            .iter()
            .map(|a| a.to_string_lossy().into_owned())
            .collect();
        let spec = EntrySpec {
            id: format!("start of {}", command.join(" ")),
            ..owner
        };
        active.push(Active::new(
            spec,
            Box::new(Startup(noop)),
            Role::Startup { command, entries },
        ));
    }
}

/// The bytes two buffers of the fixture's size take, or why they are not allocated: both
/// together must stay within a quarter of the machine's memory.
fn memory_for(bytes: u64) -> Result<usize, String> {
    let info = rustix::system::sysinfo();
    let total = u64::from(info.mem_unit).saturating_mul(info.totalram as u64);
    if bytes.saturating_mul(2) > total / 4 {
        return Err(format!(
            "two buffers of {} MiB would take more than a quarter of this machine's {} MiB",
            bytes >> 20,
            total >> 20
        ));
    }
    usize::try_from(bytes)
        .map_err(|_| "the fixture is larger than this machine's address space".to_owned())
}

/// The calibration's figures from its measurements in `active`.
pub(super) fn summarize(
    active: &[Active],
    scenario: &Scenario,
    mut unmeasured: BTreeMap<String, String>,
) -> Calibration {
    let mut figure = |role: &Role, key: &str| {
        let measured = active.iter().find(|a| &a.role == role)?;
        if let Some(why) = &measured.failed {
            unmeasured.insert(key.to_owned(), why.clone());
            return None;
        }
        wall_sample(measured).map(|s| s.estimate())
    };
    let memcpy_s = figure(&Role::Memcpy, "memcpy_s");
    let read_s = figure(&Role::Read, "read_s");
    let counted = active
        .iter()
        .find(|a| a.role == Role::Entry && a.spec.id == scenario.reference && a.failed.is_none());
    let uncounted = active
        .iter()
        .find(|a| a.role == Role::Uncounted && a.failed.is_none());
    let counting_layer = match (counted, uncounted) {
        (Some(counted), Some(uncounted)) => stats::Sample::new(stats::paired_ratios(
            &walls(&counted.samples),
            &walls(&uncounted.samples),
        ))
        .ok()
        .map(|ratio| CountingLayerCost {
            entry: counted.spec.id.clone(),
            ratio: ratio.estimate(),
        }),
        _ => None,
    };
    if counting_layer.is_none() {
        unmeasured
            .entry("counting_layer".to_owned())
            .or_insert_with(|| "the reference failed, with or without the recorder".to_owned());
    }
    let startup = active
        .iter()
        .filter_map(|a| match &a.role {
            Role::Startup { command, entries } => Some((a, command, entries)),
            _ => None,
        })
        .filter_map(|(a, command, entries)| {
            if let Some(why) = &a.failed {
                unmeasured.insert(a.spec.id.clone(), why.clone());
                return None;
            }
            Some(StartupCost {
                command: command.clone(),
                wall_s: wall_sample(a)?.estimate(),
                entries: entries.clone(),
            })
        })
        .collect();
    Calibration {
        memcpy_s,
        read_s,
        counting_layer,
        startup,
        unmeasured,
    }
}

fn wall_sample(active: &Active) -> Option<stats::Sample> {
    stats::Sample::new(
        active
            .samples
            .iter()
            .map(|s| s.wall_ns as f64 / 1e9)
            .collect::<Vec<_>>(),
    )
    .ok()
}

/// The median no-op start of the program `entry` runs.
pub(super) fn startup_of(calibration: &Calibration, entry: &str) -> Option<f64> {
    calibration
        .startup
        .iter()
        .find(|s| s.entries.iter().any(|e| e == entry))
        .map(|s| s.wall_s.median)
}
