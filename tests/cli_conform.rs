//! Black-box tests of `copybench conform`: the matrix, its JSON, the oracle, and a strategy
//! broken on purpose. Files stay small (`--max-size`), so the full catalogue runs in seconds.

mod common;

use common::{require_program, TestEnv};
use serde_json::Value;

/// Runs `copybench conform` in a fresh directory with `args`; returns (exit code, stdout).
fn conform(env: &TestEnv, args: &[&str]) -> (i32, String) {
    let output = env
        .copybench()
        .arg("conform")
        .arg("--dir")
        .arg(env.root())
        .args(args)
        .output()
        .expect("run copybench conform");
    let stdout = String::from_utf8(output.stdout).expect("UTF-8 output");
    let stderr = String::from_utf8_lossy(&output.stderr);
    (
        output.status.code().unwrap_or(-1),
        format!(
            "{stdout}{}",
            if stderr.is_empty() {
                String::new()
            } else {
                format!("\n[stderr]\n{stderr}")
            }
        ),
    )
}

fn cells(json: &Value) -> &Vec<Value> {
    json["cells"].as_array().expect("a cells array")
}

fn failures(json: &Value) -> Vec<String> {
    cells(json)
        .iter()
        .filter(|c| c["verdict"] == "fail")
        .map(|c| format!("case {} {}: {}", c["case"], c["subject"], c["detail"]))
        .collect()
}

#[test]
fn full_catalogue_passes_every_supported_case_for_every_strategy_and_walker() {
    if !require_program("python3", "python3") {
        return;
    }
    let env = TestEnv::new();
    let (code, out) = conform(&env, &["--json", "--max-size", "1MiB"]);
    let json: Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}"));
    assert_eq!(failures(&json), Vec::<String>::new());
    assert_eq!(code, 0, "{out}");
    // Every strategy and walker is a subject, and every file case has a cell for each strategy.
    let subjects: Vec<&str> = json["subjects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap())
        .collect();
    for name in [
        "auto",
        "sendfile",
        "copy_file_range",
        "buffered-64k",
        "std",
        "listdir",
        "scandir",
        "lean",
    ] {
        assert!(subjects.contains(&name), "{name} missing from {subjects:?}");
    }
    let case_1: Vec<&Value> = cells(&json).iter().filter(|c| c["case"] == 1).collect();
    assert_eq!(
        case_1.len(),
        copybench_engine::Strategy::ALL.len(),
        "one cell per strategy for case 1"
    );
    // Something was really judged, and against CPython.
    let passed_with_oracle = cells(&json)
        .iter()
        .filter(|c| c["verdict"] == "pass" && c["oracle_checked"] == true)
        .count();
    assert!(
        passed_with_oracle > 100,
        "{passed_with_oracle} cells passed against CPython"
    );
    assert!(
        json["oracle"].as_str().unwrap().starts_with("CPython 3."),
        "{}",
        json["oracle"]
    );
}

/// At `--jobs 2` the lean walker copies through its workers, which create files with their
/// final mode instead of chmodding them (`--jobs 1` never does): the same catalogue, the same
/// expectations, the same CPython outcomes.
/// With `--tree-strategy io_uring` as well, the workers copy through the batched tree path
/// (engine/src/tree/batch.rs), which must end every case as CPython does too.
#[test]
fn the_lean_walkers_parallel_workers_pass_the_tree_catalogue() {
    if !require_program("python3", "python3") {
        return;
    }
    let env = TestEnv::new();
    for tree_strategy in ["auto", "io_uring"] {
        let (code, out) = conform(
            &env,
            &[
                "--json",
                "--max-size",
                "1MiB",
                "--walker",
                "lean",
                "--jobs",
                "2",
                "--tree-strategy",
                tree_strategy,
            ],
        );
        let json: Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}"));
        assert_eq!(failures(&json), Vec::<String>::new(), "{tree_strategy}");
        assert_eq!(code, 0, "{tree_strategy}: {out}");
        let passed_with_oracle = cells(&json)
            .iter()
            .filter(|c| {
                c["subject"] == "lean" && c["verdict"] == "pass" && c["oracle_checked"] == true
            })
            .count();
        assert!(
            passed_with_oracle >= 10,
            "{tree_strategy}: {passed_with_oracle} lean cells passed against CPython: {out}"
        );
    }
}

#[test]
fn the_table_says_how_the_tree_cases_copied_when_not_as_each_case_asks() {
    let env = TestEnv::new();
    let args = [
        "--oracle",
        "none",
        "--walker",
        "lean",
        "--catalogue",
        "quick",
    ];
    let (code, out) = conform(
        &env,
        &[&args[..], &["--jobs", "2", "--tree-strategy", "io_uring"]].concat(),
    );
    assert_eq!(code, 0, "{out}");
    assert!(
        out.lines().next().is_some_and(
            |l| l == "tree cases: the walkers copy with at least 2 jobs, content by io_uring"
        ),
        "{out}"
    );
    let (code, out) = conform(&env, &args);
    assert_eq!(code, 0, "{out}");
    assert!(!out.contains("tree cases:"), "{out}");
}

#[test]
fn a_jobs_count_of_zero_is_a_usage_error() {
    let env = TestEnv::new();
    let (code, out) = conform(&env, &["--walker", "lean", "--jobs", "0"]);
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("--jobs"), "{out}");
}

#[test]
fn json_lists_every_cell_with_its_oracle_use() {
    if !require_program("python3", "python3") {
        return;
    }
    let env = TestEnv::new();
    let (_, out) = conform(&env, &["--json", "--catalogue", "quick"]);
    let json: Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}"));
    let all = cells(&json);
    let subjects = json["subjects"].as_array().unwrap().len();
    assert_eq!(
        subjects,
        copybench_engine::Strategy::ALL.len() + copybench_engine::Walker::ALL.len(),
        "every strategy and walker"
    );
    for cell in all {
        assert!(cell["oracle_checked"].is_boolean(), "{cell}");
        assert!(
            ["pass", "fail", "unsupported", "skipped"].contains(&cell["verdict"].as_str().unwrap())
        );
    }
    // CPython can run every quick case, so every judged cell was compared with it.
    for cell in all
        .iter()
        .filter(|c| c["verdict"] == "pass" || c["verdict"] == "fail")
    {
        assert_eq!(cell["oracle_checked"], true, "{cell}");
    }
    // Fault injection cannot go through CPython: those cells say so.
    let (_, out) = conform(
        &env,
        &["--json", "--strategy", "auto", "--max-size", "1MiB"],
    );
    let json: Value = serde_json::from_str(&out).unwrap();
    let case_14 = cells(&json)
        .iter()
        .find(|c| c["case"] == 14)
        .expect("case 14");
    assert_eq!(case_14["verdict"], "pass", "{case_14}");
    assert_eq!(case_14["oracle_checked"], false);
    // Case 16 changes process-wide state: it ran in a child copybench, and passed.
    let case_16 = cells(&json)
        .iter()
        .find(|c| c["case"] == 16)
        .expect("case 16");
    assert_eq!(case_16["verdict"], "pass", "{case_16}");
    // A strategy that cannot work here is unsupported with the reason, never a pass.
    let fcopyfile = env_cells_for(&env, "fcopyfile");
    assert!(
        fcopyfile.iter().all(|c| c["verdict"] == "unsupported"),
        "{fcopyfile:?}"
    );
    assert!(fcopyfile[0]["detail"].as_str().unwrap().contains("macOS"));
}

fn env_cells_for(env: &TestEnv, strategy: &str) -> Vec<Value> {
    let (_, out) = conform(
        env,
        &["--json", "--catalogue", "quick", "--strategy", strategy],
    );
    let json: Value = serde_json::from_str(&out).unwrap();
    cells(&json).clone()
}

#[test]
fn a_strategy_broken_on_purpose_fails_its_cells_and_the_exit_status() {
    let env = TestEnv::new();
    // Every write of buffered-64k fails with EIO; readinto-64k is left alone.
    let args = [
        "--json",
        "--catalogue",
        "quick",
        "--oracle",
        "none",
        "--strategy",
        "buffered-64k",
        "--strategy",
        "readinto-64k",
        "--sabotage",
        "buffered-64k:write:1:EIO",
    ];
    let (code, out) = conform(&env, &args);
    assert_eq!(code, 1, "{out}");
    let json: Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}"));
    let failed = failures(&json);
    assert!(
        failed
            .iter()
            .any(|f| f.starts_with("case 1 \"buffered-64k\"") && f.contains("EIO")),
        "{failed:?}"
    );
    assert!(
        failed.iter().all(|f| f.contains("buffered-64k")),
        "{failed:?}"
    );
    // The table says so too.
    let (code, table) = conform(&env, &args[1..]);
    assert_eq!(code, 1);
    assert!(table.contains("✗ case 1 buffered-64k:"), "{table}");
}

#[test]
fn without_the_oracle_cells_are_judged_by_conformance_md_and_say_so() {
    let env = TestEnv::new();
    let (code, out) = conform(
        &env,
        &[
            "--json",
            "--catalogue",
            "quick",
            "--oracle",
            "none",
            "--walker",
            "lean",
        ],
    );
    assert_eq!(code, 0, "{out}");
    let json: Value = serde_json::from_str(&out).unwrap();
    assert!(json["oracle"].as_str().unwrap().starts_with("none"));
    assert!(!cells(&json).is_empty());
    assert!(cells(&json)
        .iter()
        .all(|c| c["oracle_checked"] == false && c["verdict"] == "pass"));
}

#[test]
fn table_has_a_legend_and_leaves_no_files_behind() {
    let env = TestEnv::new();
    let (code, out) = conform(
        &env,
        &[
            "--catalogue",
            "quick",
            "--oracle",
            "none",
            "--strategy",
            "sendfile",
        ],
    );
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("legend: ✓ pass  ✗ fail  - unsupported  s skipped"),
        "{out}"
    );
    assert!(out.contains("a=sendfile"), "{out}");
    let left: Vec<_> = std::fs::read_dir(env.root()).unwrap().collect();
    assert!(left.is_empty(), "left behind: {left:?}");
}

#[test]
fn a_bad_directory_is_a_one_line_error() {
    let env = TestEnv::new();
    let output = env
        .copybench()
        .args(["conform", "--dir", "does-not-exist"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("does-not-exist"), "{stderr}");
}
