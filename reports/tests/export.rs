//! The exports checked against the shapes their services read: Bencher Metric Format
//! (`{"<benchmark>": {"<measure>": {"value", "lower_value", "upper_value"}}}`) and
//! github-action-benchmark's `customSmallerIsBetter` (`[{"name", "unit", "value", "range",
//! "extra"}]`).

use copybench_reports::{render, Format, ReportError};
use copybench_result::RunResult;
use serde_json::Value;

fn fixture() -> RunResult {
    copybench_testkit::results::result("result.json")
}

fn export(format: Format) -> Value {
    let text = render(&[fixture()], format).unwrap();
    serde_json::from_str(&text).expect("the export is JSON")
}

#[test]
fn bmf_has_one_benchmark_per_scenario_and_entry_with_numeric_metrics() {
    let bmf = export(Format::Bmf);
    let benchmarks = bmf.as_object().expect("an object of benchmarks");
    let result = fixture();
    let expected: usize = result.scenarios.iter().map(|s| s.entries.len()).sum();
    assert_eq!(benchmarks.len(), expected);
    for (name, measures) in benchmarks {
        assert!(name.contains('/'), "{name}: scenario/entry");
        let measures = measures.as_object().expect("an object of measures");
        assert!(measures.contains_key("latency"), "{name}");
        for (measure, metric) in measures {
            let metric = metric.as_object().expect("a metric object");
            assert!(metric["value"].is_f64(), "{name} {measure}");
            for key in metric.keys() {
                assert!(
                    ["value", "lower_value", "upper_value"].contains(&key.as_str()),
                    "{name} {measure}: {key}"
                );
            }
            if let (Some(lo), Some(hi)) = (metric.get("lower_value"), metric.get("upper_value")) {
                let (lo, v, hi) = (
                    lo.as_f64().unwrap(),
                    metric["value"].as_f64().unwrap(),
                    hi.as_f64().unwrap(),
                );
                assert!(lo <= v && v <= hi, "{name} {measure}: {lo} {v} {hi}");
            }
        }
    }
}

#[test]
fn bmf_figures_are_the_results_in_their_units() {
    let bmf = export(Format::Bmf);
    let sendfile = &bmf["single-64mib/sendfile"];
    // The median wall time, in nanoseconds.
    let wall = fixture().scenarios[0].entries[1].summary.wall_s.median;
    assert_eq!(sendfile["latency"]["value"], (wall * 1e9).round());
    let given = fixture().scenarios[0].entries[1].speedup.clone().unwrap();
    assert_eq!(sendfile["speedup"]["value"], given.median);
    assert_eq!(sendfile["speedup"]["lower_value"], given.ci.unwrap().low);
    // One file: 9 sendfile + 2 openat + 2 close + 2 fstat per copy; 2 of them stats.
    assert_eq!(sendfile["syscalls-per-file"]["value"], 15.0);
    assert_eq!(sendfile["stat-calls-per-file"]["value"], 2.0);
    assert!(
        sendfile["syscalls-per-file"].get("lower_value").is_none(),
        "exact: no interval"
    );
    // The reference has no speedup, and a figure that was not measured is left out.
    assert!(bmf["single-64mib/buffered-64k"].get("speedup").is_none());
    assert!(bmf["single-64mib/peer:python3-shutil"]
        .get("syscalls-per-file")
        .is_none());
    // Trees: per regular file, as the result gives them.
    let lean = &bmf["tree-800/lean"];
    let given = &fixture().scenarios[1].entries[2];
    assert_eq!(given.id, "lean");
    let per_file = given.syscalls.as_ref().unwrap().per_file.as_ref().unwrap();
    assert_eq!(lean["syscalls-per-file"]["value"], per_file.total);
    assert_eq!(lean["stat-calls-per-file"]["value"], per_file.stat_family);
}

#[test]
fn github_benchmark_is_a_list_of_smaller_is_better_figures() {
    let list = export(Format::GithubBenchmark);
    let benches = list.as_array().expect("an array");
    assert!(!benches.is_empty());
    for bench in benches {
        let bench = bench.as_object().unwrap();
        assert!(bench["name"].is_string());
        assert!(bench["unit"].is_string());
        assert!(bench["value"].is_number());
        assert!(bench["extra"].is_string());
        if let Some(range) = bench.get("range") {
            assert!(range.as_str().unwrap().starts_with("± "), "{range}");
        }
        for key in bench.keys() {
            assert!(
                ["name", "unit", "value", "range", "extra"].contains(&key.as_str()),
                "{key}"
            );
        }
    }
    let names: Vec<&str> = benches
        .iter()
        .map(|b| b["name"].as_str().unwrap())
        .collect();
    assert!(names.contains(&"single-64mib/sendfile wall time"));
    assert!(names.contains(&"tree-800/lean stat calls per file"));
    assert!(
        !names.iter().any(|n| n.contains("speedup")),
        "bigger is better: not in this list"
    );
    let wall = benches
        .iter()
        .find(|b| b["name"] == "single-64mib/sendfile wall time")
        .unwrap();
    assert_eq!(wall["unit"], "ms");
    let median = fixture().scenarios[0].entries[1].summary.wall_s.median;
    assert!((wall["value"].as_f64().unwrap() - median * 1e3).abs() < 1e-9);
}

#[test]
fn exports_take_one_result() {
    let two = [fixture(), fixture()];
    for format in [Format::Bmf, Format::GithubBenchmark] {
        match render(&two, format) {
            Err(ReportError::OneResultOnly { given: 2, .. }) => {}
            other => panic!("{other:?}"),
        }
    }
}
