//! `copybench scenario` end to end: a tiny scenario (KiB-sized, 2 samples, a 1 ms budget so that
//! no round runs past them) run through the binary, its result read back with the result types
//! (whose schema `result/tests/schema.rs` checks against `docs/result-schema.md`), and the
//! parser's errors as a user sees them. No timing is asserted.

mod common;

use common::TestEnv;
use copybench_result::RunResult;
use serde_json::Value;

const TINY: &str = r#"
[[scenario]]
name = "tiny-file"
reference = "buffered-64k"
strategies = ["buffered-64k", "readinto-64k", "sendfile", "copy_file_range", "auto"]
peers = ["cp", "python-shutil", "rsync"]
warmup = 0
samples = 2

[scenario.fixture]
kind = "file"
size = "192KiB"
seed = 1

[[scenario]]
name = "tiny-tree"
reference = "listdir"
walkers = ["listdir", "scandir", "lean"]
jobs = [1, 2]
peers = ["cp"]
mode = "copy2"
cache = "cold"
warmup = 0
samples = 2

[scenario.fixture]
kind = "tree"
files = 24
dirs = 3
size_min = "1KiB"
size_max = "8KiB"
symlinks = 2
seed = 3

[[scenario.claim]]
subject = "scandir"
baseline = "listdir"
metric = "stat-calls-per-file"
change = "-38%"
source = "What's New In Python 3.8 (shutil.copytree, os.scandir)"

[[scenario.claim]]
subject = "scandir"
baseline = "listdir"
metric = "wall-time"
speedup = 1.09
source = "What's New In Python 3.8 (shutil.copytree, os.scandir)"

[[scenario]]
name = "tiny-tree-children"
reference = "lean"
walkers = ["lean", "scandir"]
timed_as = "child-process"
fsync = true
warmup = 0
samples = 2

[scenario.fixture]
kind = "tree"
files = 24
dirs = 3
size_min = "1KiB"
size_max = "8KiB"
symlinks = 2
seed = 3

[[scenario]]
name = "tiny-file-children"
reference = "buffered-64k"
strategies = ["buffered-64k", "sendfile"]
timed_as = "child-process"
warmup = 0
samples = 2

[scenario.fixture]
kind = "file"
size = "192KiB"
seed = 1
"#;

#[test]
fn a_tiny_scenario_writes_a_result_matching_the_documented_schema() {
    let env = TestEnv::new();
    env.file("tiny.toml", TINY);
    let output = env
        .copybench()
        .args([
            "scenario",
            "--max-time",
            "1ms",
            "tiny.toml",
            "--work-dir",
            "wd",
            "--conform",
            "quick",
            "--no-progress",
            "--count-syscalls",
        ])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "stdout:\n{stdout}\nstderr:\n{stderr}"
    );

    // The last line names the result and the report, inside the work directory.
    let path = common::result_file(&stdout);
    assert!(
        path.is_file(),
        "{} is not the result file\n{stderr}",
        path.display()
    );
    assert!(path.with_file_name("report.html").is_file());
    assert!(
        path.starts_with(env.path("wd").canonicalize().unwrap()),
        "{}",
        path.display()
    );

    let text = std::fs::read_to_string(&path).unwrap();
    let typed = RunResult::from_json(&text).expect("the result reads back with the schema types");
    // Nothing in the document is outside the types (whose schema `result/tests/schema.rs`
    // checks against docs/result-schema.md): written back, the typed result is the document.
    let document: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(serde_json::to_value(&typed).unwrap(), document);

    let file = &typed.scenarios[0];
    assert_eq!(file.parameters.fixture.bytes, 192 * 1024);
    let ids: Vec<&str> = file.entries.iter().map(|e| e.id.as_str()).collect();
    for id in [
        "buffered-64k",
        "readinto-64k",
        "sendfile",
        "copy_file_range",
        "auto",
        "peer:cp",
    ] {
        assert!(
            ids.contains(&id),
            "{id} missing from {ids:?}; skipped: {:?}",
            file.skipped
        );
    }
    for entry in &file.entries {
        assert_eq!(entry.samples.len(), 2, "{}", entry.id);
        let rounds: Vec<u32> = entry.samples.iter().map(|s| s.round).collect();
        assert_eq!(rounds, [0, 1], "{}", entry.id);
        assert!(
            entry.samples.iter().all(|s| s.bytes == 192 * 1024),
            "{}",
            entry.id
        );
        match entry.id.as_str() {
            "buffered-64k" => assert!(entry.speedup.is_none()),
            _ => assert_eq!(
                entry.speedup.as_ref().map(|s| s.pairs),
                Some(2),
                "{}",
                entry.id
            ),
        }
    }
    // The engine's strategies were counted by the counted layer: the buffered loop reads.
    let reference = &file.entries[ids.iter().position(|i| *i == "buffered-64k").unwrap()];
    let counts = &reference
        .syscalls
        .as_ref()
        .expect("engine syscalls are counted")
        .calls;
    let calls = |name: &str| counts.get(name).copied().unwrap_or(0);
    assert!(
        calls("read") >= 2 && calls("write") >= 1 && calls("openat") >= 2,
        "{counts:?}"
    );
    // Peers are children with their own rusage.
    let cp = &file.entries[ids.iter().position(|i| *i == "peer:cp").unwrap()];
    assert!(cp.samples.iter().all(|s| s.peak_rss_bytes.is_some()));
    // The conformance of what was timed, checked beside it.
    let matrix = file
        .conformance
        .as_ref()
        .expect("quick conformance of the timed strategies");
    assert!(
        matrix.subjects.iter().any(|s| s == "sendfile"),
        "{:?}",
        matrix.subjects
    );

    // Nothing was written outside the work directory, and no copy or trash is left in it.
    let mut top: Vec<String> = std::fs::read_dir(env.root())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    top.sort();
    assert_eq!(top, ["tiny.toml", "wd"]);
    for leftover in ["runs", "trash"] {
        let dir = env.path("wd").join(leftover);
        let count = std::fs::read_dir(&dir).map(|d| d.count()).unwrap_or(0);
        assert_eq!(count, 0, "{} is not empty", dir.display());
    }

    // The tree scenario: the cold cache was checked for every sample measured.
    let tree = &typed.scenarios[1];
    assert_eq!(
        (
            tree.parameters.fixture.files,
            tree.parameters.fixture.symlinks
        ),
        (24, 2)
    );
    for entry in &tree.entries {
        assert!(
            entry.samples.iter().all(|s| s.cache_evicted.is_some()),
            "{}",
            entry.id
        );
    }
    // Its 7 entries, and the reference timed as a child for its child and peer entries.
    assert_eq!(tree.entries.len() + tree.skipped.len(), 8);
    // Its claims were judged: the stat calls exactly, from the counted layer.
    let [stats, wall] = &tree.claims[..] else {
        panic!("{:?}", tree.claims)
    };
    let counted = stats.measured.as_ref().expect("stat calls are counted");
    assert!(counted.exact && counted.ci_low.is_none(), "{stats:?}");
    assert!(counted.subject_value < counted.baseline_value, "{stats:?}");
    assert_ne!(stats.verdict, copybench_result::ClaimVerdict::NotChecked);
    assert_eq!(
        wall.measured.as_ref().and_then(|m| m.pairs),
        Some(2),
        "{wall:?}"
    );
    // And shown first, at the top of the summary.
    let claims_at = stdout.find("Summary\n  Claims\n").expect("a claims block");
    assert!(claims_at < stdout.find("tiny-file").unwrap(), "{stdout}");

    // Engine walkers timed as `copybench copytree` children: their command and wait4 rusage.
    let children = &typed.scenarios[2];
    assert_eq!(children.entries.len() + children.skipped.len(), 2);
    for entry in &children.entries {
        assert_eq!(
            entry.timed_as,
            copybench_result::TimedAs::ChildProcess,
            "{}",
            entry.id
        );
        let command = entry.command.as_ref().expect("a child's command line");
        assert_eq!(command[1], "copytree", "{command:?}");
        assert!(entry.samples.iter().all(|s| s.peak_rss_bytes.is_some()));
    }
    assert!(children.parameters.fsync);

    // Strategies timed as `copybench copy` children.
    let file_children = &typed.scenarios[3];
    assert_eq!(
        file_children.entries.len(),
        2,
        "skipped: {:?}",
        file_children.skipped
    );
    for entry in &file_children.entries {
        assert_eq!(entry.timed_as, copybench_result::TimedAs::ChildProcess);
        let command = entry.command.as_ref().expect("a child's command line");
        assert_eq!(
            command[1..4],
            ["copy", "--strategy", entry.id.as_str()],
            "{command:?}"
        );
    }
}

#[test]
fn a_second_run_reuses_the_cached_fixture() {
    let env = TestEnv::new();
    env.file(
        "tiny.toml",
        TINY.split("[[scenario]]\nname = \"tiny-tree\"")
            .next()
            .unwrap(),
    );
    for _ in 0..2 {
        env.copybench()
            .args([
                "scenario",
                "--max-time",
                "1ms",
                "tiny.toml",
                "--work-dir",
                "wd",
                "--conform",
                "none",
                "--no-progress",
            ])
            .assert()
            .success();
    }
    let fixtures = std::fs::read_dir(env.path("wd/fixtures")).unwrap().count();
    assert_eq!(fixtures, 1);
    let results = std::fs::read_dir(env.path("wd/results")).unwrap().count();
    assert_eq!(results, 2);
    // `--conform none` is recorded as a warning, and the matrix is absent.
    let output = env
        .copybench()
        .args([
            "scenario",
            "--max-time",
            "1ms",
            "tiny.toml",
            "--work-dir",
            "wd",
            "--conform",
            "none",
            "--no-progress",
        ])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let result =
        RunResult::from_json(&std::fs::read_to_string(common::result_file(&stdout)).unwrap())
            .unwrap();
    assert!(result.scenarios[0].conformance.is_none());
    assert!(result.scenarios[0]
        .warnings
        .iter()
        .any(|w| w.contains("--conform none")));
}

/// `--export-json` and `--export-markdown` put the result where CI wants it; `--quiet` prints
/// only the line saying where everything went.
#[test]
fn exports_go_where_asked_and_quiet_prints_one_line() {
    let env = TestEnv::new();
    env.file(
        "tiny.toml",
        TINY.split("[[scenario]]\nname = \"tiny-tree\"")
            .next()
            .unwrap(),
    );
    let output = env
        .copybench()
        .args([
            "--quiet",
            "scenario",
            "--max-time",
            "1ms",
            "tiny.toml",
            "-d",
            "wd",
            "-n",
            "2",
            "-w",
            "0",
            "--conform",
            "none",
            "--export-json",
            "ci/result.json",
            "--export-markdown",
            "ci/summary.md",
        ])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{output:?}");
    assert_eq!(stdout.lines().count(), 1, "{stdout}");
    assert!(
        output.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let written = std::fs::read(common::result_file(&stdout)).unwrap();
    assert_eq!(std::fs::read(env.path("ci/result.json")).unwrap(), written);
    let summary = std::fs::read_to_string(env.path("ci/summary.md")).unwrap();
    assert!(summary.starts_with("## copybench results"));
    assert!(summary.contains("tiny-file"));
    // An export never overwrites the scenario file it read.
    let output = env.run([
        "scenario",
        "--max-time",
        "1ms",
        "tiny.toml",
        "-d",
        "wd",
        "--export-json",
        "tiny.toml",
    ]);
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("is the scenario file"));
}

/// Without a terminal on stderr the progress line is hidden and only the notes that explain a
/// pause are printed; `--verbose` prints a plain line per sample.
#[test]
fn progress_is_hidden_without_a_terminal_and_lines_with_verbose() {
    let env = TestEnv::new();
    env.file(
        "tiny.toml",
        TINY.split("[[scenario]]\nname = \"tiny-tree\"")
            .next()
            .unwrap(),
    );
    let run = |verbose: bool| {
        let mut command = env.copybench();
        if verbose {
            command.arg("-v");
        }
        let output = command
            .args([
                "scenario",
                "--max-time",
                "1ms",
                "tiny.toml",
                "-d",
                "wd",
                "-n",
                "2",
                "-w",
                "1",
                "--conform",
                "none",
            ])
            .output()
            .unwrap();
        assert!(output.status.success(), "{output:?}");
        String::from_utf8(output.stderr).unwrap()
    };
    let quiet = run(false);
    assert!(
        quiet.contains("[1/1] tiny-file: preparing the fixture"),
        "{quiet}"
    );
    assert!(!quiet.contains("round "), "{quiet}");
    assert!(
        !quiet.contains('\r') && !quiet.contains('\u{1b}'),
        "no redrawn line: {quiet:?}"
    );
    let verbose = run(true);
    for line in ["warmup 1/1 · sendfile", "round 2/2 · sendfile", "(median "] {
        assert!(verbose.contains(line), "{line} in {verbose}");
    }
}

#[test]
fn scenario_file_errors_name_the_file_line_and_key() {
    let env = TestEnv::new();
    let cases = [
        (
            "size = \"192KiB\"",
            "size = \"192 KB\"",
            "tiny.toml:12: `scenario[0].fixture.size`",
            "did you mean `192KiB`",
        ),
        (
            "\"auto\"]",
            "\"automatic\"]",
            "tiny.toml:5: `scenario[0].strategies`",
            "automatic",
        ),
        (
            "warmup = 0\nsamples = 2\n\n[scenario.fixture]\nkind = \"file\"",
            "warmup = 0\nsamples = 2\nsampels = 3\n\n[scenario.fixture]\nkind = \"file\"",
            "tiny.toml:9: `scenario[0].sampels`",
            "unknown field",
        ),
        (
            "reference = \"listdir\"",
            "reference = \"sendfile\"",
            "tiny.toml:17: `scenario[1].reference`",
            "not compared",
        ),
    ];
    for (from, to, location, detail) in cases {
        assert!(TINY.contains(from), "{from}");
        env.file("tiny.toml", TINY.replacen(from, to, 1));
        let output = env
            .copybench()
            .args([
                "scenario",
                "tiny.toml",
                "--max-time",
                "1ms",
                "--work-dir",
                "wd",
            ])
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{stderr}");
        assert!(
            stderr.contains(location),
            "expected `{location}` in:\n{stderr}"
        );
        assert!(stderr.contains(detail), "expected `{detail}` in:\n{stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
    // A bad file is refused before anything is made.
    assert!(!env.path("wd").exists());
}

#[test]
fn a_bad_scale_is_refused() {
    let env = TestEnv::new();
    env.copybench()
        .args(["scenario", "--scale", "0", "--work-dir", "wd"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("--scale"));
}

#[test]
fn a_missing_peer_is_skipped_naming_its_program_and_package() {
    let env = TestEnv::new();
    env.file(
        "tiny.toml",
        TINY.split("[[scenario]]\nname = \"tiny-tree\"")
            .next()
            .unwrap(),
    );
    let empty_path = env.dir("no-programs");
    let output = env
        .copybench()
        .env("PATH", &empty_path)
        .args([
            "scenario",
            "--max-time",
            "1ms",
            "tiny.toml",
            "--work-dir",
            "wd",
            "--conform",
            "none",
            "--no-progress",
        ])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let result =
        RunResult::from_json(&std::fs::read_to_string(common::result_file(&stdout)).unwrap())
            .unwrap();
    let file = &result.scenarios[0];
    let reason = |id: &str| {
        file.skipped
            .iter()
            .find(|s| s.id == id)
            .map(|s| s.reason.clone())
            .unwrap_or_default()
    };
    assert!(
        reason("peer:cp").contains("`cp`") && reason("peer:cp").contains("coreutils"),
        "{:?}",
        file.skipped
    );
    assert!(
        reason("peer:rsync").contains("`rsync`"),
        "{:?}",
        file.skipped
    );
    assert!(
        reason("peer:python-shutil").contains("`python3`"),
        "{:?}",
        file.skipped
    );
    // The engine's own strategies still ran, and the missing tools are recorded as such.
    assert_eq!(file.entries.len(), 5);
    assert!(result.environment.tools["rsync"].unavailable.is_some());
}

#[test]
fn a_missing_interpreter_makes_its_claims_not_checked_and_the_run_succeeds() {
    let env = TestEnv::new();
    env.file(
        "claims.toml",
        r#"
[[scenario]]
name = "missing-python"
reference = "peer:cp"
peers = ["cp", "python-shutil@3.99"]
warmup = 0
samples = 2

[scenario.fixture]
kind = "file"
size = "64KiB"
seed = 1

[[scenario.claim]]
subject = "peer:python-shutil@3.99"
baseline = "peer:cp"
metric = "wall-time"
speedup = 1.26
source = "a claim about an interpreter this machine does not have"
"#,
    );
    let output = env.run([
        "scenario",
        "--max-time",
        "1ms",
        "claims.toml",
        "--work-dir",
        "wd",
        "--conform",
        "none",
        "--no-progress",
    ]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let result =
        RunResult::from_json(&std::fs::read_to_string(common::result_file(&stdout)).unwrap())
            .unwrap();
    let scenario = &result.scenarios[0];
    let [claim] = &scenario.claims[..] else {
        panic!("{:?}", scenario.claims)
    };
    assert_eq!(claim.verdict, copybench_result::ClaimVerdict::NotChecked);
    assert!(claim.measured.is_none());
    assert!(
        claim.detail.contains("CPython 3.99 not found"),
        "{}",
        claim.detail
    );
    assert!(
        claim.detail.contains("`pyenv install 3.99`"),
        "{}",
        claim.detail
    );
    assert!(
        scenario
            .skipped
            .iter()
            .any(|s| s.id == "peer:python-shutil@3.99"),
        "{:?}",
        scenario.skipped
    );
    // The summary leads with it.
    let claims_at = stdout.find("Summary\n  Claims\n").expect("a claims block");
    assert!(
        claims_at < stdout.find("missing-python").unwrap(),
        "{stdout}"
    );
    assert!(stdout.contains("not checked"), "{stdout}");
}

#[test]
fn a_python_that_is_not_an_interpreter_is_refused_by_name() {
    let env = TestEnv::new();
    let fake = env.file("python3.9", "#!/bin/sh\necho not python\n");
    let output = env.run([
        "scenario",
        "--max-time",
        "1ms",
        "--python",
        fake.to_str().unwrap(),
        "--work-dir",
        "wd",
        "--no-progress",
    ]);
    assert_eq!(output.status.code(), Some(2), "an input error");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("--python") && stderr.contains("python3.9"),
        "{stderr}"
    );
}
