//! Bencher Metric Format (<https://bencher.dev/docs/reference/bencher-metric-format/>):
//! `{"<benchmark>": {"<measure>": {"value": v, "lower_value": lo, "upper_value": hi}}}`, one
//! benchmark per scenario and entry.
//!
//! Measures: `latency` (Bencher's built-in measure, wall time in nanoseconds, with its 95 %
//! interval), `throughput-mib-s` (MiB/s; not Bencher's built-in `throughput`, which counts
//! operations per second), `speedup` (over the scenario's reference, with its interval),
//! `syscalls-per-file` and `stat-calls-per-file` (exact counts, no interval). A figure that
//! was not measured is left out, never sent as 0.

use std::collections::BTreeMap;

use copybench_result::{Estimate, Interval, RunResult};
use serde::Serialize;

use super::{benchmark_name, single};
use crate::{figures, RenderOptions, Renderer, ReportError};

/// Renders [`crate::Format::Bmf`].
pub struct BmfExporter;

/// One measure of one benchmark.
#[derive(Debug, PartialEq, Serialize)]
struct Metric {
    value: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    lower_value: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    upper_value: Option<f64>,
}

impl Metric {
    fn exact(value: f64) -> Metric {
        Metric {
            value,
            lower_value: None,
            upper_value: None,
        }
    }

    /// A median with its 95 % interval, where the result has one (none below 6 samples).
    fn interval(value: f64, ci: Option<&Interval>, scale: f64) -> Metric {
        Metric {
            value: value * scale,
            lower_value: ci.map(|i| i.low * scale),
            upper_value: ci.map(|i| i.high * scale),
        }
    }

    fn estimate(e: &Estimate) -> Metric {
        Metric::interval(e.median, e.ci.as_ref(), 1.0)
    }

    /// Seconds as whole nanoseconds (the unit of Bencher's Latency; no float dust).
    fn nanoseconds(e: &Estimate) -> Metric {
        let ns = |s: f64| (s * 1e9).round();
        Metric {
            value: ns(e.median),
            lower_value: e.ci.map(|i| ns(i.low)),
            upper_value: e.ci.map(|i| ns(i.high)),
        }
    }

    fn is_finite(&self) -> bool {
        [Some(self.value), self.lower_value, self.upper_value]
            .into_iter()
            .flatten()
            .all(f64::is_finite)
    }
}

impl Renderer for BmfExporter {
    fn render(&self, results: &[RunResult], _: &RenderOptions) -> Result<String, ReportError> {
        let result = single(results, "bmf")?;
        let mut document: BTreeMap<String, BTreeMap<&'static str, Metric>> = BTreeMap::new();
        for scenario in &result.scenarios {
            for entry in &scenario.entries {
                let mut measures = BTreeMap::new();
                let mut insert = |measure: &'static str, metric: Metric| {
                    // BMF requires a number: a figure that is not one is left out.
                    if metric.is_finite() {
                        measures.insert(measure, metric);
                    }
                };
                insert("latency", Metric::nanoseconds(&entry.summary.wall_s));
                if let Some(throughput) = &entry.summary.throughput_mib_s {
                    insert("throughput-mib-s", Metric::estimate(throughput));
                }
                if let Some(s) = &entry.speedup {
                    insert("speedup", Metric::interval(s.median, s.ci.as_ref(), 1.0));
                }
                if let Some(syscalls) = &entry.syscalls {
                    let (_, stat_family, total) = figures::syscall_totals(scenario, syscalls);
                    insert("syscalls-per-file", Metric::exact(total));
                    insert("stat-calls-per-file", Metric::exact(stat_family));
                }
                document.insert(benchmark_name(&scenario.name, &entry.id), measures);
            }
        }
        Ok(serde_json::to_string_pretty(&document).map_err(ReportError::Export)? + "\n")
    }
}
