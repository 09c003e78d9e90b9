//! github-action-benchmark's custom format, `customSmallerIsBetter`
//! (<https://github.com/benchmark-action/github-action-benchmark>): a list of
//! `{"name", "unit", "value", "range", "extra"}`, every figure smaller-is-better: each entry's
//! median wall time (ms, with its 95 % interval in `range` and `extra`) and, where counted, its
//! syscalls and stat calls per file. Speedups are bigger-is-better, so they are not in this
//! list (the BMF export has them).

use copybench_result::{EntryResult, RunResult, SyscallSource, TimedAs};
use serde::Serialize;

use super::{benchmark_name, single};
use crate::{figures, format, RenderOptions, Renderer, ReportError};

/// Renders [`crate::Format::GithubBenchmark`].
pub struct GithubBenchmarkExporter;

/// One benchmark of the list.
#[derive(Debug, PartialEq, Serialize)]
struct Bench {
    name: String,
    unit: &'static str,
    value: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    range: Option<String>,
    extra: String,
}

impl Renderer for GithubBenchmarkExporter {
    fn render(&self, results: &[RunResult], _: &RenderOptions) -> Result<String, ReportError> {
        let result = single(results, "github-benchmark")?;
        let mut benches = Vec::new();
        for scenario in &result.scenarios {
            for entry in &scenario.entries {
                let name = benchmark_name(&scenario.name, &entry.id);
                let wall = &entry.summary.wall_s;
                let interval = match &wall.ci {
                    Some(ci) => format!(
                        "95% CI {} – {}",
                        format::duration(ci.low),
                        format::duration(ci.high)
                    ),
                    None => "no 95% CI (too few samples)".to_string(),
                };
                benches.push(Bench {
                    name: format!("{name} wall time"),
                    unit: "ms",
                    value: wall.median * 1e3,
                    range: wall.ci.as_ref().map(|ci| {
                        let half = (wall.median - ci.low).max(ci.high - wall.median);
                        format!("± {}", format::significant(half * 1e3, 3))
                    }),
                    extra: format!(
                        "{interval}, {} samples, {}",
                        entry.samples.len(),
                        timed_as(entry)
                    ),
                });
                if let Some(syscalls) = &entry.syscalls {
                    let (_, stat_family, total) = figures::syscall_totals(scenario, syscalls);
                    let extra = match syscalls.source {
                        SyscallSource::Counted => {
                            "exact count (copybench's counted syscall layer)".to_string()
                        }
                        SyscallSource::Strace => "exact count (strace)".to_string(),
                    };
                    benches.push(Bench {
                        name: format!("{name} syscalls per file"),
                        unit: "calls/file",
                        value: total,
                        range: None,
                        extra: extra.clone(),
                    });
                    benches.push(Bench {
                        name: format!("{name} stat calls per file"),
                        unit: "calls/file",
                        value: stat_family,
                        range: None,
                        extra,
                    });
                }
            }
        }
        Ok(serde_json::to_string_pretty(&benches).map_err(ReportError::Export)? + "\n")
    }
}

fn timed_as(entry: &EntryResult) -> &'static str {
    match entry.timed_as {
        TimedAs::InProcess => "timed in process",
        TimedAs::ChildProcess => "timed as a child process",
    }
}
