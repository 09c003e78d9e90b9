//! `copybench scenario` end to end: a tiny scenario (KiB-sized, 2 samples) run through the
//! binary, its result checked against every field `docs/result-schema.md` documents, and the
//! parser's errors as a user sees them. No timing is asserted.

mod common;

use std::collections::BTreeMap;
use std::path::Path;

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

/// One documented field: its path and whether it may be null (or empty).
struct Documented {
    path: String,
    nullable: bool,
    map: bool,
}

/// The field rows of docs/result-schema.md: `| \`path\` | type | null / empty | meaning |`.
fn documented_fields() -> Vec<Documented> {
    let doc = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/result-schema.md"),
    )
    .expect("docs/result-schema.md");
    let fields: Vec<Documented> = doc
        .lines()
        .filter(|l| l.starts_with("| `"))
        .map(|l| {
            let cells: Vec<&str> = l.split('|').map(str::trim).collect();
            Documented {
                path: cells[1].trim_matches('`').to_owned(),
                map: cells[2] == "map",
                nullable: match cells[3] {
                    "yes" => true,
                    "no" => false,
                    other => panic!(
                        "`{}`: null / empty must be yes or no, not `{other}`",
                        cells[1]
                    ),
                },
            }
        })
        .collect();
    assert!(
        fields.len() > 100,
        "the schema doc lists {} fields",
        fields.len()
    );
    fields
}

/// `scenarios[].entries[].id` → [("scenarios", "[]"), ("entries", "[]"), ("id", "")].
fn segments(path: &str) -> Vec<(&str, &str)> {
    path.split('.')
        .map(|s| {
            if let Some(name) = s.strip_suffix("[]") {
                (name, "[]")
            } else if let Some(name) = s.strip_suffix("{}") {
                (name, "{}")
            } else {
                (s, "")
            }
        })
        .collect()
}

/// Every non-null value at `path` (arrays and maps spread).
fn instances<'a>(root: &'a Value, path: &str) -> Vec<&'a Value> {
    let mut nodes = vec![root];
    for (name, spread) in segments(path) {
        let mut next = Vec::new();
        for node in nodes {
            let Some(value) = node.get(name) else {
                continue;
            };
            match (spread, value) {
                (_, Value::Null) => {}
                ("[]", Value::Array(items)) => next.extend(items.iter()),
                ("{}", Value::Object(map)) => next.extend(map.values()),
                ("", v) => next.push(v),
                (_, other) => panic!("`{path}`: `{name}` is {other}, not a collection"),
            }
        }
        nodes = next;
    }
    nodes
}

/// Checks `result` against the documented fields, both ways.
fn check_against_doc(result: &Value) {
    let fields = documented_fields();
    let by_path: BTreeMap<&str, &Documented> =
        fields.iter().map(|f| (f.path.as_str(), f)).collect();
    let mut problems = Vec::new();
    for field in &fields {
        let (parent, last) = match field.path.rsplit_once('.') {
            Some((parent, last)) => (Some(parent), last),
            None => (None, field.path.as_str()),
        };
        let key = last.trim_end_matches("[]").trim_end_matches("{}");
        let parents = match parent {
            Some(p) => instances(result, p),
            None => vec![result],
        };
        for p in &parents {
            match p.get(key) {
                None => problems.push(format!("`{}` is documented but missing", field.path)),
                Some(Value::Null) if !field.nullable => problems.push(format!(
                    "`{}` is null but documented as never null",
                    field.path
                )),
                Some(_) => {}
            }
        }
        // Reached at least once, unless it sits below something that may be null or empty.
        let below_nullable = fields
            .iter()
            .any(|a| a.nullable && field.path.starts_with(&format!("{}.", a.path)));
        if parents.is_empty() && !below_nullable {
            problems.push(format!("`{}` was never reached", field.path));
        }
    }
    // And nothing undocumented.
    fn walk(
        value: &Value,
        path: &str,
        by_path: &BTreeMap<&str, &Documented>,
        problems: &mut Vec<String>,
    ) {
        let Value::Object(map) = value else { return };
        for (key, child) in map {
            let plain = if path.is_empty() {
                key.clone()
            } else {
                format!("{path}.{key}")
            };
            let documented = [plain.clone(), format!("{plain}[]"), format!("{plain}{{}}")]
                .into_iter()
                .find(|p| by_path.contains_key(p.as_str()));
            let Some(documented) = documented else {
                problems.push(format!(
                    "`{plain}` is in the result but not in docs/result-schema.md"
                ));
                continue;
            };
            if by_path[documented.as_str()].map && !documented.ends_with("{}") {
                continue;
            }
            match child {
                Value::Array(items) => items
                    .iter()
                    .for_each(|i| walk(i, &documented, by_path, problems)),
                Value::Object(values) if documented.ends_with("{}") => values
                    .values()
                    .for_each(|v| walk(v, &documented, by_path, problems)),
                other => walk(other, &documented, by_path, problems),
            }
        }
    }
    walk(result, "", &by_path, &mut problems);
    problems.sort();
    problems.dedup();
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn a_tiny_scenario_writes_a_result_matching_the_documented_schema() {
    let env = TestEnv::new();
    env.file("tiny.toml", TINY);
    let output = env
        .copybench()
        .args([
            "scenario",
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
    check_against_doc(&serde_json::from_str(&text).unwrap());

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
        .per_copy;
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
    assert_eq!(tree.entries.len() + tree.skipped.len(), 7);

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
            .args(["scenario", "tiny.toml", "--work-dir", "wd"])
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
