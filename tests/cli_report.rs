//! `copybench report`: renders result files in each format, picks the format from `-o`, and
//! names the file in one line when it cannot read one.

mod common;

use common::TestEnv;
use predicates::prelude::*;

fn fixture(name: &str) -> String {
    copybench_testkit::results::result_path(name)
        .to_string_lossy()
        .into_owned()
}

/// The error lines of a failed run.
fn error_lines(output: &std::process::Output) -> Vec<String> {
    String::from_utf8_lossy(&output.stderr)
        .lines()
        .map(str::to_string)
        .collect()
}

#[test]
fn prints_the_terminal_summary_by_default() {
    let env = TestEnv::new();
    env.copybench()
        .args(["report", &fixture("result.json")])
        .assert()
        .success()
        .stdout(predicate::str::contains("single-64mib"))
        .stdout(predicate::str::contains("1.26× [1.19, 1.31]"))
        .stdout(predicate::str::contains("skipped:"));
}

#[test]
fn writes_html_to_the_output_file() {
    let env = TestEnv::new();
    env.copybench()
        .args(["report", &fixture("result.json"), "-o", "report.html"])
        .assert()
        .success()
        .stdout(predicate::str::is_empty());
    let page = std::fs::read_to_string(env.path("report.html")).unwrap();
    assert!(page.starts_with("<!DOCTYPE html>"));
    assert!(page.contains("<svg"));
    assert!(page.trim_end().ends_with("</html>"));
}

#[test]
fn output_extension_md_means_markdown() {
    let env = TestEnv::new();
    env.copybench()
        .args(["report", &fixture("result.json"), "-o", "summary.md"])
        .assert()
        .success();
    let summary = std::fs::read_to_string(env.path("summary.md")).unwrap();
    assert!(summary.starts_with("## copybench results"));
}

#[test]
fn format_flag_wins_over_the_extension() {
    let env = TestEnv::new();
    env.copybench()
        .args(["report", &fixture("result.json"), "--format", "markdown"])
        .assert()
        .success()
        .stdout(predicate::str::starts_with("## copybench results"))
        .stdout(predicate::str::contains(
            "| `sendfile` | strategy | 1.26× |",
        ));
    env.copybench()
        .args([
            "report",
            &fixture("result.json"),
            "--format",
            "terminal",
            "-o",
            "out.html",
        ])
        .assert()
        .success();
    let text = std::fs::read_to_string(env.path("out.html")).unwrap();
    assert!(text.starts_with("copybench 0.1.0"));
}

#[test]
fn several_results_are_compared() {
    let env = TestEnv::new();
    env.copybench()
        .args([
            "report",
            &fixture("result.json"),
            &fixture("result-tmpfs.json"),
            "-o",
            "both.html",
        ])
        .assert()
        .success();
    let page = std::fs::read_to_string(env.path("both.html")).unwrap();
    assert!(page.contains(r#"<section id="comparison">"#));
    assert!(page.contains("different kernel"));
}

#[test]
fn a_missing_file_is_named_in_one_line() {
    let env = TestEnv::new();
    let output = env
        .copybench()
        .args(["report", &fixture("result.json"), "missing.json"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let lines = error_lines(&output);
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(
        lines[0].contains("cannot read the result file `missing.json`"),
        "{lines:?}"
    );
    assert!(output.stdout.is_empty());
}

#[test]
fn a_file_that_is_not_a_result_is_named_in_one_line() {
    let env = TestEnv::new();
    env.file(
        "notes.txt",
        "these are not the results\nyou are looking for\n",
    );
    // The version this copybench reads, so only the content is wrong.
    let other = format!(
        r#"{{"schema_version": {}, "hello": "world"}}"#,
        copybench_result::SCHEMA_VERSION
    );
    env.file("other.json", &other);
    env.file("future.json", r#"{"schema_version": 99}"#);
    for (file, wanted) in [
        ("notes.txt", "not a copybench result"),
        ("other.json", "not a copybench result"),
        ("future.json", "schema version 99"),
    ] {
        let output = env.copybench().args(["report", file]).output().unwrap();
        assert_eq!(output.status.code(), Some(2), "{file}");
        let lines = error_lines(&output);
        assert_eq!(lines.len(), 1, "{file}: {lines:?}");
        assert!(lines[0].contains(&format!("`{file}`")), "{lines:?}");
        assert!(lines[0].contains(wanted), "{lines:?}");
    }
}

#[test]
fn an_unwritable_output_is_named() {
    let env = TestEnv::new();
    env.copybench()
        .args([
            "report",
            &fixture("result.json"),
            "-o",
            "no-such-dir/report.html",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "cannot write the report to `no-such-dir/report.html`",
        ));
}

#[test]
fn at_least_one_result_is_required() {
    let env = TestEnv::new();
    env.copybench()
        .arg("report")
        .assert()
        .failure()
        .stderr(predicate::str::contains("RESULT.json"));
}

#[test]
fn exports_bmf_and_github_benchmark_json() {
    let env = TestEnv::new();
    for (format, opening) in [("bmf", '{'), ("github-benchmark", '[')] {
        let output = env.run(["report", &fixture("result.json"), "--format", format]);
        assert!(output.status.success(), "{format}");
        let text = String::from_utf8(output.stdout).unwrap();
        assert!(text.starts_with(opening), "{format}: {text}");
        serde_json::from_str::<serde_json::Value>(&text).expect("JSON");
    }
    let output = env.run([
        "report",
        &fixture("result.json"),
        &fixture("result.json"),
        "--format",
        "bmf",
    ]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("one result"));
}

#[test]
fn the_comparison_uses_the_thresholds_file_it_is_given() {
    let env = TestEnv::new();
    let thresholds = env.file("gates.toml", "threshold = \"50%\"\n");
    let output = env.run([
        "report",
        &fixture("result.json"),
        &fixture("result-tmpfs.json"),
        "--thresholds",
        thresholds.to_str().unwrap(),
    ]);
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(text.contains("#2 vs #1"), "{text}");
    assert!(!text.contains("regressed"), "{text}");
    let bad = env.file("bad.toml", "threshold = 5\n");
    let output = env.run([
        "report",
        &fixture("result.json"),
        &fixture("result-tmpfs.json"),
        "--thresholds",
        bad.to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("bad.toml:1: `threshold`"));
}

#[test]
fn md_is_markdown() {
    let env = TestEnv::new();
    env.copybench()
        .args(["report", &fixture("result.json"), "-f", "md"])
        .assert()
        .success()
        .stdout(predicate::str::starts_with("## copybench results"));
}

/// Colour on request, never by default into a pipe, and never under `NO_COLOR` unless asked.
#[test]
fn colour_follows_the_color_flag_and_no_color() {
    let env = TestEnv::new();
    let run = |args: &[&str], no_color: bool| {
        let mut command = env.copybench();
        command.args(["report", &fixture("result.json")]).args(args);
        if no_color {
            command.env("NO_COLOR", "1");
        } else {
            command.env_remove("NO_COLOR");
        }
        String::from_utf8(command.output().unwrap().stdout).unwrap()
    };
    let escape = '\u{1b}';
    assert!(!run(&[], false).contains(escape), "a pipe gets no colour");
    assert!(run(&["--color", "always"], false).contains(escape));
    assert!(
        run(&["--color", "always"], true).contains(escape),
        "asked for"
    );
    assert!(!run(&["--color", "never"], false).contains(escape));
    // Colour never reaches a file.
    env.copybench()
        .args([
            "report",
            &fixture("result.json"),
            "--color",
            "always",
            "-o",
            "out.txt",
        ])
        .assert()
        .success();
    assert!(!std::fs::read_to_string(env.path("out.txt"))
        .unwrap()
        .contains(escape));
}
