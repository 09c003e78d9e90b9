//! The round loop through the measuring seam with mock executors: no filesystem, no process.

use std::collections::BTreeMap;
use std::os::fd::AsFd;
use std::path::{Path, PathBuf};

use copybench_result::{FixtureInfo, FixtureKind};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use super::calibration::Role;
use super::executor::mock::Mock;
use super::executor::{Executor, Setting};
use super::rounds::{shuffled_round, stop, Active};
use super::sample::record;
use super::summary::{summarize, walls, Comparison};
use crate::fixture::Fixture;
use crate::scenario::parse;

const SCENARIO: &str = r#"
[[scenario]]
name = "mocked"
reference = "buffered-64k"
strategies = ["buffered-64k", "sendfile"]
warmup = 1
samples = 3

[scenario.fixture]
kind = "file"
size = "1MiB"
seed = 1
"#;

/// A fixture that exists only as a description: the mocks never open it.
fn fixture() -> Fixture {
    Fixture {
        path: PathBuf::from("/nonexistent/fixture"),
        files: vec![PathBuf::from("/nonexistent/fixture")],
        info: FixtureInfo {
            kind: FixtureKind::File,
            bytes: 1 << 20,
            files: 1,
            dirs: 0,
            symlinks: 0,
            size_min: None,
            size_max: None,
            seed: 1,
            sparse: false,
            path: "/nonexistent/fixture".to_owned(),
        },
        reused: true,
    }
}

/// Runs the scenario's rounds with `mocks` as its entries, as the runner does, minus the
/// filesystem around each sample.
fn run_mocked(mocks: Vec<Mock>, warmup: u32, samples: u32) -> Vec<Active> {
    let scenario = &parse(SCENARIO, "mocked.toml").unwrap()[0];
    let fixture = fixture();
    let mut active: Vec<Active> = scenario
        .entries
        .iter()
        .zip(mocks)
        .map(|(spec, mock)| {
            Active::new(
                spec.clone(),
                Box::new(mock) as Box<dyn Executor>,
                Role::Entry,
            )
        })
        .collect();
    let stderr = std::io::stderr();
    let setting = Setting {
        fsync: false,
        target: stderr.as_fd(),
        fixture_bytes: fixture.info.bytes,
    };
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    for round in 0..warmup + samples {
        for index in shuffled_round(active.len(), &mut rng) {
            let entry = &mut active[index];
            if entry.failed.is_some() {
                continue;
            }
            let outcome =
                entry
                    .executor
                    .sample(&fixture.path, Path::new("/nonexistent/dst"), &setting);
            record(entry, &fixture, round, warmup, None, outcome, None);
        }
    }
    active
}

#[test]
fn every_round_samples_every_entry_once_in_a_shuffled_order() {
    let mut rng = ChaCha8Rng::seed_from_u64(3);
    let orders: Vec<Vec<usize>> = (0..6).map(|_| shuffled_round(4, &mut rng)).collect();
    for order in &orders {
        let mut sorted = order.clone();
        sorted.sort();
        assert_eq!(sorted, [0, 1, 2, 3]);
    }
    assert!(
        orders.windows(2).any(|w| w[0] != w[1]),
        "the order is reshuffled: {orders:?}"
    );
}

#[test]
fn warmup_rounds_are_not_recorded_and_each_sample_keeps_its_round() {
    let active = run_mocked(vec![Mock::new(20), Mock::new(10)], 1, 3);
    for entry in &active {
        let rounds: Vec<u32> = entry.samples.iter().map(|s| s.round).collect();
        assert_eq!(rounds, [0, 1, 2], "{}", entry.spec.id);
        assert!(entry.samples.iter().all(|s| s.bytes == 1 << 20));
    }
}

#[test]
fn a_failing_entry_is_not_sampled_again_and_says_in_which_round() {
    let mut failing = Mock::new(10);
    failing.fail_at = Some(2);
    let active = run_mocked(vec![Mock::new(20), failing], 1, 3);
    let failed = &active[1];
    assert_eq!(failed.samples.len(), 1);
    let reason = failed.failed.as_deref().unwrap();
    assert!(
        reason.starts_with("failed in round 1: sendfile gave up (EINVAL)"),
        "{reason}"
    );
    assert!(active[0].failed.is_none());
}

#[test]
fn a_mock_twice_as_fast_as_the_reference_has_a_speedup_of_two() {
    let scenario = &parse(SCENARIO, "mocked.toml").unwrap()[0];
    let mut active = run_mocked(vec![Mock::new(20), Mock::new(10)], 0, 6);
    let reference = walls(&active[0].samples);
    let fast = active.pop().unwrap();
    let mut warnings = Vec::new();
    let comparison = Comparison {
        against: Some((scenario.reference.as_str(), reference.as_slice())),
        memcpy: None,
        startup_s: None,
    };
    let result = summarize(
        fast,
        &fixture(),
        &comparison,
        None,
        BTreeMap::new(),
        &mut warnings,
    )
    .unwrap();
    let speedup = result.speedup.unwrap();
    assert!((speedup.median - 2.0).abs() < 1e-9, "{speedup:?}");
    assert_eq!(result.command, None, "in process: no command line");
}

#[test]
fn a_child_copybench_says_its_command_line_and_its_no_op_in_the_clis_format() {
    use crate::child::{ChildProgram, ChildRequest};
    let program = ChildProgram {
        exe: PathBuf::from("/bin/copybench"),
        args: |request| match request {
            ChildRequest::NoOp => vec!["--version".into()],
            _ => vec!["copy".into()],
        },
    };
    let child = super::executor::CopybenchChild::new(program, |src, dst| ChildRequest::Copy {
        strategy: copybench_engine::Strategy::Sendfile,
        mode: copybench_engine::Mode::Copyfile,
        src: src.to_owned(),
        dst: dst.to_owned(),
    });
    let argv = child.command_line(Path::new("S"), Path::new("D")).unwrap();
    assert_eq!(argv, ["/bin/copybench", "copy"]);
    assert_eq!(
        child.startup_command().unwrap().argv,
        ["/bin/copybench", "--version"]
    );
    assert_eq!(
        Mock::new(1).startup_command(),
        None,
        "in process: nothing starts"
    );
}

#[test]
fn sampling_stops_at_the_target_or_when_another_round_would_not_fit() {
    use copybench_result::SamplingStop;
    let short = vec!["sendfile".to_owned()];
    assert_eq!(stop(Some(&[]), true), Some(SamplingStop::TargetReached));
    assert_eq!(stop(Some(&[]), false), Some(SamplingStop::TargetReached));
    assert_eq!(
        stop(Some(&short), true),
        None,
        "short, and time is left: go on"
    );
    assert_eq!(stop(Some(&short), false), Some(SamplingStop::TimeBudget));
    assert_eq!(stop(None, true), Some(SamplingStop::NothingToTarget));
}
