//! The results the report, gate and CLI tests read: real runs' `result.json`, kept in
//! `testkit/fixtures/`, and the one way to narrow their intervals for the gate's tests.

use std::path::PathBuf;

use copybench_result::{Interval, RunResult};

/// Where fixture `name` (`result.json`, `result-tmpfs.json`) is.
pub fn result_path(name: &str) -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures")).join(name)
}

/// Fixture `name`'s text, as a run wrote it.
pub fn result_text(name: &str) -> String {
    let path = result_path(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Fixture `name`, parsed.
pub fn result(name: &str) -> RunResult {
    RunResult::from_json(&result_text(name)).expect("the fixture is a valid result")
}

/// `result` with every speedup's and wall time's interval narrowed to ±1 % of its median, as a
/// run sampled to a tight precision gives: the gate can then judge every figure, and an
/// unchanged copy passes at its thresholds.
pub fn with_tight_intervals(mut result: RunResult) -> RunResult {
    let around = |median: f64| Interval {
        low: median * 0.99,
        high: median * 1.01,
        coverage: 0.95,
    };
    for entry in result.scenarios.iter_mut().flat_map(|s| &mut s.entries) {
        if let Some(speedup) = &mut entry.speedup {
            speedup.ci = Some(around(speedup.median));
        }
        let wall = &mut entry.summary.wall_s;
        wall.ci = Some(around(wall.median));
    }
    result
}
