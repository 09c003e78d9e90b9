//! Per-file copy latency of tree copies: p50, p90, p99 and max of each entry's histogram on a
//! logarithmic time axis (the tail is often tens of times the median); fastest median at the top.

use copybench_result::ScenarioResult;
use plotters::prelude::*;

use super::frame::{row_label_width, row_y, Frame};
use super::legend::{LegendItem, Mark};
use super::palette::{LATENCY, LATENCY_SPREAD as SPREAD};
use super::{chart_height, render_svg, WIDTH};
use crate::{format, ReportError};

const PERCENTILES: [&str; 4] = ["p50", "p90", "p99", "max"];

/// The latency chart of `scenario`, or `None` when no entry recorded latencies.
pub fn chart(scenario: &ScenarioResult) -> Result<Option<String>, ReportError> {
    let mut measured: Vec<_> = scenario
        .entries
        .iter()
        .filter_map(|e| e.summary.latency.as_ref().map(|l| (e, l)))
        .collect();
    if measured.is_empty() {
        return Ok(None);
    }
    // Fastest median file at the top.
    measured.sort_by_key(|(_, l)| l.p50_ns);
    let mut legend: Vec<LegendItem> = PERCENTILES
        .iter()
        .zip(LATENCY)
        .map(|(name, color)| LegendItem::new(Mark::Dot(color), *name))
        .collect();
    legend.push(LegendItem::new(Mark::Line(SPREAD), "p50 to max"));
    let names: Vec<String> = measured.iter().map(|(e, _)| e.id.clone()).collect();
    let rows = names.len();
    let seconds = |ns: u64| (ns.max(1)) as f64 / 1e9;
    let smallest = measured
        .iter()
        .map(|(_, l)| seconds(l.p50_ns))
        .fold(f64::INFINITY, f64::min);
    let largest = measured
        .iter()
        .map(|(_, l)| seconds(l.max_ns))
        .fold(0.0, f64::max);
    let x_range = (smallest / 2.0)..(largest * 3.0);
    let size = (WIDTH, chart_height(rows, &legend));
    let svg = render_svg("latency", &scenario.name, size, &legend, |area| {
        let mut chart = Frame {
            caption: "Per-file copy latency (all samples' files)",
            rows: &names,
            label_width: row_label_width(&names),
            x_desc: "latency of one file's copy (log scale)",
            x_labels: &|x| format::duration(*x),
            y_desc: "entry",
        }
        .draw(area, x_range.log_scale())?;
        for (index, (_, latency)) in measured.iter().enumerate() {
            let y = row_y(index, rows);
            chart.draw_series([PathElement::new(
                vec![(seconds(latency.p50_ns), y), (seconds(latency.max_ns), y)],
                SPREAD.stroke_width(2),
            )])?;
            let values = [
                latency.p50_ns,
                latency.p90_ns,
                latency.p99_ns,
                latency.max_ns,
            ];
            for (color, value) in LATENCY.into_iter().zip(values) {
                chart.draw_series([Circle::new((seconds(value), y), 6, color.filled())])?;
            }
        }
        Ok(())
    })?;
    Ok(Some(svg))
}
