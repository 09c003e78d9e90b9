//! The runner through the library API, on KiB-sized fixtures: rounds, the trash, warnings.
//! No timing is asserted.

use copybench_harness::{parse, run, ConformLevel, RunOptions};

const SCENARIO: &str = r#"
[[scenario]]
name = "small"
reference = "buffered-64k"
strategies = ["buffered-64k", "readinto-64k", "sendfile"]
warmup = 1
samples = 3

[scenario.fixture]
kind = "file"
size = "96KiB"
seed = 11
"#;

fn options(work: &std::path::Path) -> RunOptions {
    let mut options = RunOptions::new(work.to_owned(), "test");
    options.conform = ConformLevel::None;
    // No round past the fewest samples: the tests count them.
    options.max_time = Some(std::time::Duration::from_millis(1));
    options.progress = copybench_harness::runner::ProgressDisplay::Quiet;
    options
}

#[test]
fn every_entry_has_one_sample_per_round_and_nothing_is_left_behind() {
    let tmp = tempfile::tempdir().unwrap();
    let work = tmp.path().join("work");
    let scenarios = parse(SCENARIO, "small.toml").unwrap();
    let result = run(&scenarios, &options(&work)).unwrap();
    let scenario = &result.scenarios[0];
    assert_eq!(scenario.entries.len(), 3, "skipped: {:?}", scenario.skipped);
    for entry in &scenario.entries {
        let rounds: Vec<u32> = entry.samples.iter().map(|s| s.round).collect();
        assert_eq!(rounds, [0, 1, 2], "{}", entry.id);
        assert!(entry
            .samples
            .iter()
            .all(|s| s.bytes == 96 * 1024 && s.files == 1));
    }
    // Copies went to the trash, and the trash was emptied after the run.
    let trash = std::fs::read_dir(work.join("trash")).unwrap().count();
    assert_eq!(trash, 0);
    assert!(!work.join("runs").exists());
    assert!(work.join("trash-emptied-at").is_file());
}

#[test]
fn a_trash_over_budget_is_emptied_between_rounds_and_the_result_says_so() {
    let tmp = tempfile::tempdir().unwrap();
    let mut options = options(&tmp.path().join("work"));
    options.trash_budget_bytes = Some(1);
    let scenarios = parse(SCENARIO, "small.toml").unwrap();
    let result = run(&scenarios, &options).unwrap();
    let warnings = &result.scenarios[0].warnings;
    // 4 rounds (1 warmup + 3): emptied after each but the last.
    assert!(
        warnings.iter().any(|w| w.contains("emptied 3 times")),
        "{warnings:?}"
    );
}

#[test]
fn overrides_and_scale_reach_the_parameters() {
    let tmp = tempfile::tempdir().unwrap();
    let mut options = options(&tmp.path().join("work"));
    options.samples = Some(2);
    options.warmup = Some(0);
    options.scale = 0.5;
    let scenarios = parse(SCENARIO, "small.toml").unwrap();
    let result = run(&scenarios, &options).unwrap();
    let parameters = &result.scenarios[0].parameters;
    assert_eq!((parameters.samples, parameters.warmup), (2, 0));
    assert_eq!(parameters.scale, 0.5);
    assert_eq!(parameters.fixture.bytes, 48 * 1024);
    assert!(result.scenarios[0]
        .entries
        .iter()
        .all(|e| e.samples.len() == 2));
}

#[test]
fn a_named_target_directory_gets_the_copies_and_is_left_as_found() {
    let tmp = tempfile::tempdir().unwrap();
    let target = tmp.path().join("elsewhere");
    std::fs::create_dir(&target).unwrap();
    std::fs::write(target.join("keep-me"), b"user data").unwrap();
    let text = SCENARIO.replace(
        "samples = 3",
        &format!("samples = 2\ntarget = \"{}\"", target.display()),
    );
    let scenarios = parse(&text, "small.toml").unwrap();
    let result = run(&scenarios, &options(&tmp.path().join("work"))).unwrap();
    let scenario = &result.scenarios[0];
    assert_eq!(scenario.parameters.target, target.display().to_string());
    assert!(scenario.entries.iter().all(|e| e.samples.len() == 2));
    assert!(result
        .environment
        .filesystems
        .iter()
        .any(|f| f.role == "target"
            && f.path
                .starts_with(&target.canonicalize().unwrap().display().to_string())));
    // Only what was there before remains.
    let left: Vec<_> = std::fs::read_dir(&target)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(left, ["keep-me"]);
}

const TREES: &str = r#"
[[scenario]]
name = "first"
reference = "listdir"
walkers = ["listdir", "lean"]
mode = "copyfile"
warmup = 0
samples = 2

[scenario.fixture]
kind = "tree"
files = 10
dirs = 2
size_min = "1KiB"
size_max = "1KiB"
seed = 3

[[scenario]]
name = "second"
reference = "listdir"
walkers = ["listdir", "lean"]
mode = "copyfile"
warmup = 0
samples = 2

[scenario.fixture]
kind = "tree"
files = 10
dirs = 2
size_min = "1KiB"
size_max = "1KiB"
seed = 4
"#;

/// Whether the rule applies to `dir` (ext4 without a journal), as the runner decides it.
fn ext4_without_journal(dir: &std::path::Path) -> bool {
    let ext4 = copybench_harness::environment::filesystem("work", dir)
        .is_some_and(|fs| fs.fs_type == "ext4");
    let device = copybench_harness::work_dir::freed::block_device_name(dir);
    let journaled = device.is_some_and(|name| {
        std::fs::read_dir("/proc/fs/jbd2").is_ok_and(|entries| {
            entries.flatten().any(|e| {
                e.file_name()
                    .to_string_lossy()
                    .starts_with(&format!("{name}-"))
            })
        })
    });
    ext4 && !journaled
}

/// Each placement's verdict is the pure decision's, on the groups it records.
fn assert_placements_follow_the_rule(wait: &copybench_result::DeleteWait) {
    use copybench_harness::runner::PLACEMENT_ATTEMPTS;
    use copybench_harness::work_dir::freed::among_freed;
    assert!(!wait.placements.is_empty(), "{wait:?}");
    for placement in &wait.placements {
        assert!(
            (1..=PLACEMENT_ATTEMPTS).contains(&placement.attempts),
            "{placement:?}"
        );
        let apart = among_freed(
            placement.group,
            placement.span_groups,
            &placement.freed_groups,
        )
        .is_none();
        assert_eq!(placement.apart, apart, "{placement:?}");
        // A refused try is made again; an accepted first try needs no second.
        assert!(
            placement.apart || placement.attempts == PLACEMENT_ATTEMPTS,
            "{placement:?}"
        );
    }
    // No wait where every scenario was placed apart.
    if wait.placements.iter().all(|p| p.apart) {
        assert_eq!(wait.wait_s, 0.0, "{wait:?}");
    }
}

#[test]
fn a_tree_run_right_after_another_is_placed_apart_from_the_inodes_it_freed() {
    let tmp = tempfile::tempdir().unwrap();
    let work = tmp.path().join("work");
    let mut options = options(&work);
    // Never a 6-minute wait in a test: where no try lands apart, the scenario warns instead.
    options.no_wait = true;
    let scenarios = parse(TREES, "trees.toml").unwrap();
    let first = run(&scenarios, &options).unwrap();
    assert_eq!(
        first.delete_wait, None,
        "a new work directory deleted nothing"
    );
    let second = run(&scenarios, &options).unwrap();
    if !ext4_without_journal(&work) {
        // btrfs, XFS, tmpfs, a journaled ext4: no recently-deleted rule, nothing to do.
        assert_eq!(second.delete_wait, None);
        return;
    }
    let wait = second
        .delete_wait
        .expect("the first run's copies were freed just now");
    assert_placements_follow_the_rule(&wait);
    assert!(!wait.placements[0].freed_groups.is_empty(), "{wait:?}");
    for (scenario, placement) in second.scenarios.iter().zip(&wait.placements) {
        assert_eq!(scenario.name, placement.scenario);
        // Only a scenario that could not be placed apart says its samples may be slow.
        let warned = scenario.warnings.iter().any(|w| w.contains("did not wait"));
        assert_eq!(warned, !placement.apart, "{:?}", scenario.warnings);
    }
}

#[test]
fn a_scenario_after_a_big_one_empties_the_trash_before_it_starts_not_among_its_rounds() {
    let tmp = tempfile::tempdir().unwrap();
    let work = tmp.path().join("work");
    let mut options = options(&work);
    options.no_wait = true;
    // The first scenario leaves 4 copies of 10 KiB in the trash; the second's 2 rounds need at
    // most 2 x 3 x 10 KiB more: over 50 KiB, so the trash is emptied before the second starts,
    // and its own 2 rounds (40 KiB) fit.
    options.trash_budget_bytes = Some(50 * 1024);
    let scenarios = parse(TREES, "trees.toml").unwrap();
    let result = run(&scenarios, &options).unwrap();
    for scenario in &result.scenarios {
        assert!(
            !scenario
                .warnings
                .iter()
                .any(|w| w.contains("between rounds")),
            "{}: {:?}",
            scenario.name,
            scenario.warnings
        );
    }
    if ext4_without_journal(&work) {
        // The emptying before `second` freed `first`'s copies: `second` was placed apart.
        let wait = result.delete_wait.expect("an emptying within the window");
        assert_placements_follow_the_rule(&wait);
        assert_eq!(wait.placements.len(), 1, "{wait:?}");
        assert_eq!(wait.placements[0].scenario, "second");
    } else {
        assert_eq!(result.delete_wait, None);
    }
}
