//! `copybench gate` on hand-made results: its exit codes (0 pass, 1 regression, 2 usage or
//! input error naming the file, 3 inconclusive with --strict), its environment warning, its
//! formats, and `--save-baseline`.

mod common;

use common::{json_of, TestEnv};
use copybench_testkit::results;
use serde_json::Value;

/// The reports' fixture with every interval narrowed to ±1 % of its median, so that an
/// unchanged copy passes at the default 5 % threshold.
fn tight_result() -> Value {
    let result = results::with_tight_intervals(results::result("result.json"));
    serde_json::to_value(result).expect("a result serializes")
}

fn interval(low: f64, high: f64) -> Value {
    serde_json::json!({"low": low, "high": high, "coverage": 0.95})
}

/// A speedup of `median` with the interval [`low`, `high`] from 20 pairs.
fn speedup(median: f64, low: f64, high: f64) -> Value {
    serde_json::json!({
        "median": median,
        "ci": interval(low, high),
        "pairs": 20,
        "ratio_of_medians": median,
        "direction_conflict": null,
    })
}

/// `sendfile` of the first scenario (speedup 1.2602 in the baseline).
fn sendfile(result: &mut Value) -> &mut Value {
    let entry = &mut result["scenarios"][0]["entries"][1];
    assert_eq!(entry["id"], "sendfile");
    entry
}

fn write(env: &TestEnv, name: &str, result: &Value) -> String {
    env.file(name, serde_json::to_string_pretty(result).unwrap())
        .display()
        .to_string()
}

/// Runs `copybench gate --baseline baseline.json ARGS… result.json` against `tight_result()`.
fn gate(env: &TestEnv, result: &Value, args: &[&str]) -> std::process::Output {
    gate_against(env, &tight_result(), result, args)
}

fn gate_against(
    env: &TestEnv,
    baseline: &Value,
    result: &Value,
    args: &[&str],
) -> std::process::Output {
    let baseline = write(env, "baseline.json", baseline);
    let result = write(env, "result.json", result);
    let mut all = vec!["gate", "--baseline", &baseline];
    all.extend_from_slice(args);
    all.push(&result);
    env.run(all)
}

fn stdout(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn an_unchanged_result_passes() {
    let env = TestEnv::new();
    let out = gate(&env, &tight_result(), &[]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );
    assert!(
        stdout(&out).starts_with("copybench gate: pass"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn an_exact_count_regression_exits_1() {
    let env = TestEnv::new();
    let mut result = tight_result();
    sendfile(&mut result)["syscalls"]["calls"]["sendfile"] = 10.into();
    let out = gate(&env, &result, &[]);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    let text = stdout(&out);
    assert!(text.starts_with("copybench gate: regression"), "{text}");
    assert!(text.contains("syscalls.sendfile"), "{text}");
}

/// A proof of mechanism: `used` copied every file, after the give-ups `fallbacks`.
fn mechanism(used: &str, fallbacks: &[&str], extents: &str) -> Value {
    let fallbacks: serde_json::Map<String, Value> = fallbacks
        .iter()
        .map(|f| (f.to_string(), 3.into()))
        .collect();
    serde_json::json!({
        "extents": extents, "shared_fraction": 0.0, "source_data_bytes": 1024,
        "holes": null, "holes_kept_fraction": null,
        "strategies_used": {used: 3}, "fallbacks": fallbacks, "contradiction": null,
    })
}

#[test]
fn another_strategy_a_new_give_up_or_lost_sharing_exits_1() {
    let env = TestEnv::new();
    let mut baseline = tight_result();
    sendfile(&mut baseline)["mechanism"] = mechanism("sendfile", &[], "reflinked");
    let out = gate_against(&env, &baseline, &baseline, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));

    let mut result = baseline.clone();
    sendfile(&mut result)["mechanism"] = mechanism("buffered-64k", &["sendfile: EINVAL"], "copied");
    let out = gate_against(&env, &baseline, &result, &[]);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    let text = stdout(&out);
    for metric in [
        "mechanism.strategy",
        "mechanism.fallbacks",
        "mechanism.extents",
    ] {
        assert!(text.contains(metric), "{metric}: {text}");
    }
    assert!(text.contains("sendfile: EINVAL"), "{text}");
}

#[test]
fn a_speedup_drop_with_a_tight_interval_exits_1() {
    let env = TestEnv::new();
    let mut result = tight_result();
    sendfile(&mut result)["speedup"] = speedup(1.05, 1.04, 1.06);
    let out = gate(&env, &result, &[]);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
}

#[test]
fn the_same_drop_with_a_wide_interval_passes_unless_strict() {
    let env = TestEnv::new();
    let mut result = tight_result();
    sendfile(&mut result)["speedup"] = speedup(1.05, 0.85, 1.25);
    let out = gate(&env, &result, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert!(stdout(&out).contains("inconclusive"), "{}", stdout(&out));
    let strict = gate(&env, &result, &["--strict"]);
    assert_eq!(strict.status.code(), Some(3), "{}", stdout(&strict));
}

#[test]
fn noise_within_the_threshold_passes() {
    let env = TestEnv::new();
    let mut result = tight_result();
    sendfile(&mut result)["speedup"] = speedup(1.235, 1.21, 1.26);
    let out = gate(&env, &result, &["--strict"]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
}

#[test]
fn another_environment_warns_and_fails_with_strict() {
    let env = TestEnv::new();
    let mut result = tight_result();
    result["environment"]["cpu_model"] = "AMD EPYC 7763 64-Core Processor".into();
    let out = gate(&env, &result, &[]);
    assert_eq!(out.status.code(), Some(0));
    let warning = stderr(&out);
    assert!(warning.contains("warning"), "{warning}");
    assert!(warning.contains("CPU model"), "{warning}");
    assert!(warning.contains("AMD EPYC 7763"), "{warning}");
    let strict = gate(&env, &result, &["--strict"]);
    assert_eq!(strict.status.code(), Some(3));
    assert!(
        stdout(&strict).contains("fails with --strict"),
        "{}",
        stdout(&strict)
    );
}

#[test]
fn bad_input_exits_2_naming_the_file() {
    let env = TestEnv::new();
    let good = write(&env, "good.json", &tight_result());
    let bad_json = env.file("bad.json", "{ not json").display().to_string();
    let mut other_version = tight_result();
    other_version["schema_version"] = 99.into();
    let other_version = write(&env, "v99.json", &other_version);
    let missing = env.path("missing.json").display().to_string();
    for (baseline, result, named) in [
        (&good, &missing, &missing),
        (&bad_json, &good, &bad_json),
        (&good, &other_version, &other_version),
    ] {
        let out = env.run(["gate", "--baseline", baseline, result]);
        assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
        let message = stderr(&out);
        assert!(message.contains(named.as_str()), "{message}");
        assert_eq!(message.lines().count(), 1, "{message}");
    }
}

#[test]
fn a_bad_thresholds_file_exits_2_naming_the_file_the_line_and_the_key() {
    let env = TestEnv::new();
    let thresholds = env.file(
        "gates.toml",
        "[[rule]]\nentry = \"sendfile\"\nthreshold = 5\n",
    );
    let thresholds = thresholds.display().to_string();
    let out = gate(&env, &tight_result(), &["--thresholds", &thresholds]);
    assert_eq!(out.status.code(), Some(2));
    let message = stderr(&out);
    assert!(
        message.contains(&format!("{thresholds}:3: `rule[0].threshold`")),
        "{message}"
    );
}

#[test]
fn results_of_another_fixture_exit_2_naming_both_files() {
    let env = TestEnv::new();
    let mut result = tight_result();
    result["scenarios"][0]["parameters"]["fixture"]["bytes"] = 1024.into();
    let out = gate(&env, &result, &[]);
    assert_eq!(out.status.code(), Some(2));
    let message = stderr(&out);
    assert!(
        message.contains("result.json") && message.contains("baseline.json"),
        "{message}"
    );
    assert!(message.contains("fixture bytes"), "{message}");
}

#[test]
fn without_a_mode_it_is_a_usage_error() {
    let env = TestEnv::new();
    let result = write(&env, "result.json", &tight_result());
    let out = env.run(["gate", &result]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn json_and_markdown_formats() {
    let env = TestEnv::new();
    let out = gate(&env, &tight_result(), &["--format", "json"]);
    let report = json_of(&out);
    assert_eq!(report["overall"], "pass");
    assert_eq!(report["failure"], Value::Null);
    assert!(report["scenarios"][0]["checks"].as_array().unwrap().len() > 10);
    let out = gate(&env, &tight_result(), &["--format", "markdown"]);
    assert!(
        stdout(&out).starts_with("## copybench gate: **pass**"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn save_baseline_records_the_result_and_the_gate_then_passes() {
    let env = TestEnv::new();
    let result = write(&env, "result.json", &tight_result());
    let baseline = env.path("ci/baselines/default.json").display().to_string();
    let out = env.run(["gate", "--save-baseline", &baseline, &result]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        std::fs::read_to_string(&baseline).unwrap(),
        std::fs::read_to_string(&result).unwrap()
    );
    let out = env.run(["gate", "--baseline", &baseline, &result]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    // Never over its own input.
    let out = env.run(["gate", "--save-baseline", &result, &result]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("would destroy it"),
        "{}",
        stderr(&out)
    );
    // Never from something that is not a result.
    let bad = env.file("bad.json", "[]").display().to_string();
    let out = env.run(["gate", "--save-baseline", &baseline, &bad]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("bad.json"), "{}", stderr(&out));
}
