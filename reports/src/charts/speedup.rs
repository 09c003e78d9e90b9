//! Speedup of each entry over the scenario's reference: a bar to the median ratio, its
//! distribution-free 95 % CI as whiskers, and the reference line at 1.0; fastest at the top. Engine entries, peers
//! and the reference differ in colour.

use copybench_result::{ScenarioResult, Speedup};
use plotters::prelude::*;

use super::frame::{
    axis_end, bar, draw_reference_line, label_after, row_label_width, row_y, whisker, Frame,
};
use super::legend::{LegendItem, Mark};
use super::palette::{ENGINE, INK, PEER, REFERENCE};
use super::{chart_height, entry_color, render_svg, WIDTH};
use crate::{format, headline, ReportError};

/// One bar of the chart: an entry with its speedup, or the reference itself (`None`, at 1.0).
struct Bar<'a> {
    name: String,
    speedup: Option<&'a Speedup>,
    color: RGBColor,
}

/// The speedup chart of `scenario`, bars ranked fastest first (the reference at its place at
/// 1.0), or `None` when no entry has a speedup.
pub fn chart(scenario: &ScenarioResult) -> Result<Option<String>, ReportError> {
    let bars: Vec<Bar> = headline::ranking(scenario)
        .into_iter()
        .filter_map(|ranked| {
            let entry = scenario.entries.iter().find(|e| e.id == ranked.id)?;
            Some(Bar {
                name: headline::name(&ranked),
                speedup: ranked.speedup,
                color: entry_color(entry, &scenario.reference),
            })
        })
        .collect();
    if bars.iter().all(|b| b.speedup.is_none()) {
        return Ok(None);
    }
    let legend = vec![
        LegendItem::new(Mark::Bar(ENGINE), "engine strategy / walker"),
        LegendItem::new(Mark::Bar(PEER), "peer program"),
        LegendItem::new(Mark::Bar(REFERENCE), "reference"),
        LegendItem::new(Mark::Line(INK), "95% CI"),
        LegendItem::new(Mark::Dashed(REFERENCE), "1.0 = as fast as the reference"),
    ];
    let names: Vec<String> = bars.iter().map(|b| b.name.clone()).collect();
    let rows = bars.len();
    let largest = bars
        .iter()
        .map(|b| {
            b.speedup
                .map_or(1.0, |s| s.ci.map_or(s.median, |ci| ci.high.max(s.median)))
        })
        .fold(1.0, f64::max);
    let x_end = axis_end(largest) * 1.12;
    let size = (WIDTH, chart_height(rows, &legend));
    let caption = format!(
        "Speedup over {} (wall time, higher is faster)",
        scenario.reference
    );
    let svg = render_svg("speedup", &scenario.name, size, &legend, |area| {
        let mut chart = Frame {
            caption: &caption,
            rows: &names,
            label_width: row_label_width(&names),
            x_desc: "speedup over the reference (reference time ÷ entry time, median of pairs)",
            x_labels: &|x| format::ratio_tick(*x),
            y_desc: "entry",
        }
        .draw(area, 0.0..x_end)?;
        for (index, row) in bars.iter().enumerate() {
            let y = row_y(index, rows);
            let median = row.speedup.map_or(1.0, |s| s.median);
            chart.draw_series([bar(y, 0.0, median, row.color.mix(0.85).filled())])?;
            let (label_x, text) = match row.speedup {
                Some(s) => {
                    let mut end = median;
                    if let Some(ci) = &s.ci {
                        chart.draw_series(whisker(y, (ci.low, ci.high), 0.18))?;
                        end = end.max(ci.high);
                    }
                    (end, format::speedup(s))
                }
                None => (median, "1.00× (reference)".to_string()),
            };
            chart.draw_series([label_after(text, label_x, y, x_end)])?;
        }
        draw_reference_line(&mut chart, rows)?;
        Ok(())
    })?;
    Ok(Some(svg))
}
