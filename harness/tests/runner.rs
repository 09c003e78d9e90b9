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
