//! The same scenario across several results: each entry's speedup with its CI, one bar per
//! result, so machines, filesystems or commits can be compared side by side.

use copybench_result::{ScenarioResult, Speedup};
use plotters::prelude::*;

use super::frame::{axis_end, draw_reference_line, row_label_width, row_y, whisker, Frame};
use super::legend::{LegendItem, Mark};
use super::palette::{result_color, INK, REFERENCE};
use super::{chart_height, render_svg, WIDTH};
use crate::{format, ReportError};

/// Speedups of `entries` (rows) in each of `runs` (`(label, scenario)`, bars within a row).
pub fn chart<'a>(
    name: &str,
    entries: &[String],
    runs: &[(String, Option<&'a ScenarioResult>)],
) -> Result<Option<String>, ReportError> {
    if entries.is_empty() || runs.is_empty() {
        return Ok(None);
    }
    let speedup = |run: Option<&'a ScenarioResult>, id: &str| -> Option<&'a Speedup> {
        run?.entries.iter().find(|e| e.id == id)?.speedup.as_ref()
    };
    // Ranked by the first result that ran the scenario: fastest at the top, the reference at
    // 1.0, entries it did not measure at the bottom.
    let first = runs.iter().find_map(|(_, run)| *run);
    let rank = |id: &String| match first {
        Some(run) if &run.reference == id => 1.0,
        Some(run) => speedup(Some(run), id).map_or(f64::NEG_INFINITY, |s| s.median),
        None => f64::NEG_INFINITY,
    };
    let mut entries = entries.to_vec();
    entries.sort_by(|a, b| rank(b).total_cmp(&rank(a)));
    let entries = &entries;
    let largest = entries
        .iter()
        .flat_map(|id| runs.iter().filter_map(move |(_, run)| speedup(*run, id)))
        .map(|s| s.ci.map_or(s.median, |ci| ci.high.max(s.median)))
        .fold(1.0, f64::max);
    let mut legend: Vec<LegendItem> = runs
        .iter()
        .enumerate()
        .map(|(i, (label, _))| LegendItem::new(Mark::Bar(result_color(i)), label.clone()))
        .collect();
    legend.push(LegendItem::new(Mark::Line(INK), "95% CI"));
    legend.push(LegendItem::new(Mark::Dashed(REFERENCE), "1.0 = reference"));
    let rows = entries.len();
    let x_end = axis_end(largest);
    let row_height = runs.len().max(2) as u32 * 14;
    let height = chart_height(0, &legend) + row_height * rows as u32;
    // The reference has no bar (it is 1.0 by definition): say so in its label.
    let names: Vec<String> = entries
        .iter()
        .map(|id| {
            let is_reference = runs
                .iter()
                .filter_map(|(_, run)| *run)
                .all(|s| &s.reference == id);
            if is_reference {
                format!("{id} (reference)")
            } else {
                id.clone()
            }
        })
        .collect();
    let caption = format!("{name}: speedup in each result");
    let svg = render_svg("comparison", name, (WIDTH, height), &legend, |area| {
        let mut chart = Frame {
            caption: &caption,
            rows: &names,
            // Room for the ` (reference)` the widest id may get.
            label_width: row_label_width(entries) + 80,
            x_desc: "speedup over the scenario's reference",
            x_labels: &|x| format::ratio_tick(*x),
            y_desc: "entry",
        }
        .draw(area, 0.0..x_end)?;
        let band = 0.8 / runs.len() as f64;
        for (index, id) in entries.iter().enumerate() {
            let centre = row_y(index, rows);
            for (run_index, (_, run)) in runs.iter().enumerate() {
                let Some(s) = speedup(*run, id) else {
                    continue;
                };
                let top = centre + 0.4 - band * run_index as f64;
                chart.draw_series([Rectangle::new(
                    [(0.0, top - band * 0.1), (s.median, top - band * 0.9)],
                    result_color(run_index).filled(),
                )])?;
                let y = top - band / 2.0;
                if let Some(ci) = &s.ci {
                    chart.draw_series(whisker(y, (ci.low, ci.high), band * 0.3))?;
                }
            }
        }
        draw_reference_line(&mut chart, rows)?;
        Ok(())
    })?;
    Ok(Some(svg))
}
