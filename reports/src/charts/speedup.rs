//! Speedup of each entry over the scenario's reference: a bar to the median ratio, the bootstrap
//! 95 % CI as whiskers, and the reference line at 1.0. Engine entries and peers differ in colour.

use copybench_result::{EntryKind, ScenarioResult};
use plotters::prelude::*;

use super::{
    annotation_style, axis_end, caption_style, chart_height, label_style, render_svg, row_label,
    row_label_width, row_y, rows_axis, LegendItem, Mark, ENGINE, INK, PEER, REFERENCE, WIDTH,
};
use crate::{format, ReportError};

/// One bar of the chart (one entry with a speedup, or the reference itself at 1.0).
struct Bar {
    name: String,
    median: f64,
    interval: Option<(f64, f64)>,
    color: RGBColor,
}

/// The speedup chart of `scenario`, or `None` when no entry has a speedup.
pub fn chart(scenario: &ScenarioResult) -> Result<Option<String>, ReportError> {
    let bars: Vec<Bar> = scenario
        .entries
        .iter()
        .filter_map(|entry| {
            if let Some(s) = &entry.speedup {
                Some(Bar {
                    name: entry.id.clone(),
                    median: s.median,
                    interval: Some((s.ci_low, s.ci_high)),
                    color: if entry.kind == EntryKind::Peer {
                        PEER
                    } else {
                        ENGINE
                    },
                })
            } else if entry.id == scenario.reference {
                Some(Bar {
                    name: format!("{} (reference)", entry.id),
                    median: 1.0,
                    interval: None,
                    color: REFERENCE,
                })
            } else {
                None
            }
        })
        .collect();
    if bars.iter().all(|b| b.interval.is_none()) {
        return Ok(None);
    }
    let legend = vec![
        LegendItem::new(Mark::Bar(ENGINE), "engine strategy / walker"),
        LegendItem::new(Mark::Bar(PEER), "peer program"),
        LegendItem::new(Mark::Bar(REFERENCE), "reference"),
        LegendItem::new(Mark::Line(INK), "bootstrap 95% CI"),
        LegendItem::new(Mark::Dashed(REFERENCE), "1.0 = as fast as the reference"),
    ];
    let names: Vec<String> = bars.iter().map(|b| b.name.clone()).collect();
    let rows = bars.len();
    let largest = bars
        .iter()
        .map(|b| b.interval.map_or(b.median, |(_, high)| high.max(b.median)))
        .fold(1.0, f64::max);
    let x_end = axis_end(largest) * 1.12;
    let size = (WIDTH, chart_height(rows, &legend));
    let caption = format!(
        "Speedup over {} (wall time, higher is faster)",
        scenario.reference
    );
    let svg = render_svg("speedup", &scenario.name, size, &legend, |area| {
        let mut chart = ChartBuilder::on(area)
            .caption(caption, caption_style())
            .margin(12)
            .x_label_area_size(44)
            .y_label_area_size(row_label_width(&names))
            .build_cartesian_2d(0.0..x_end, rows_axis(rows))?;
        let label = row_label(&names);
        let ratio = |x: &f64| format!("{x:.1}×");
        chart
            .configure_mesh()
            .disable_y_mesh()
            .y_labels(rows)
            .y_label_formatter(&label)
            .x_label_formatter(&ratio)
            .x_desc("speedup over the reference (reference time ÷ entry time, median of pairs)")
            .y_desc("entry")
            .label_style(label_style())
            .axis_desc_style(label_style())
            .max_light_lines(2)
            .light_line_style(RGBColor(0xf2, 0xf2, 0xf2))
            .draw()?;
        for (index, bar) in bars.iter().enumerate() {
            let y = row_y(index, rows);
            chart.draw_series(std::iter::once(Rectangle::new(
                [(0.0, y - 0.32), (bar.median, y + 0.32)],
                bar.color.mix(0.85).filled(),
            )))?;
            let mut label_x = bar.median;
            if let Some((low, high)) = bar.interval {
                let whisker = INK.stroke_width(2);
                chart.draw_series([
                    PathElement::new(vec![(low, y), (high, y)], whisker),
                    PathElement::new(vec![(low, y - 0.18), (low, y + 0.18)], whisker),
                    PathElement::new(vec![(high, y - 0.18), (high, y + 0.18)], whisker),
                ])?;
                label_x = label_x.max(high);
            }
            let text = match bar.interval {
                Some((low, high)) => format!("{} [{low:.2}, {high:.2}]", format::ratio(bar.median)),
                None => "1.00× (reference)".to_string(),
            };
            chart.draw_series(std::iter::once(Text::new(
                text,
                (label_x + x_end * 0.01, y),
                annotation_style(),
            )))?;
        }
        let top = rows as f64 - 0.5;
        chart.draw_series(DashedLineSeries::new(
            vec![(1.0, -0.5), (1.0, top)],
            6,
            4,
            REFERENCE.stroke_width(2),
        ))?;
        Ok(())
    })?;
    Ok(Some(svg))
}
