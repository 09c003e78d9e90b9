//! Every sample's wall time per entry (a strip plot over a box of the quartiles), so noise and
//! bimodal strategies are visible, not hidden behind a median. Samples flagged as outliers (MAD)
//! and cold-cache samples whose eviction did not take are marked.

use copybench_result::{EntryResult, ScenarioResult};
use plotters::prelude::*;

use super::{
    axis_end, caption_style, chart_height, label_style, render_svg, row_label, row_label_width,
    row_y, rows_axis, LegendItem, Mark, ENGINE, INK, PEER, WARNING, WIDTH,
};
use crate::{format, ReportError};

const BOX: RGBColor = RGBColor(0xdd, 0xe6, 0xf0);
const CACHE_KEPT: RGBColor = RGBColor(0x94, 0x67, 0xbd);

/// The lower and upper quartile of `values` (sorted), by linear interpolation.
fn quartiles(sorted: &[f64]) -> (f64, f64) {
    let at = |q: f64| {
        let position = q * (sorted.len() - 1) as f64;
        let below = position.floor() as usize;
        let above = position.ceil() as usize;
        sorted[below] + (sorted[above] - sorted[below]) * (position - below as f64)
    };
    (at(0.25), at(0.75))
}

/// Warnings about an entry's samples, for the text beside the chart.
pub fn sample_warnings(entry: &EntryResult) -> Vec<String> {
    let mut warnings = vec![];
    let outliers = entry.samples.iter().filter(|s| s.outlier).count();
    if outliers > 0 {
        warnings.push(format!(
            "{}: {outliers} of {} samples flagged as outliers (MAD rule), kept in every figure",
            entry.id,
            entry.samples.len()
        ));
    }
    let not_evicted = entry
        .samples
        .iter()
        .filter(|s| s.cache_evicted == Some(false))
        .count();
    if not_evicted > 0 {
        warnings.push(format!(
            "{}: in {not_evicted} of {} cold-cache samples the source's pages were still cached \
             (eviction did not take): those samples are warm",
            entry.id,
            entry.samples.len()
        ));
    }
    warnings
}

/// The distribution chart of `scenario`, or `None` when no entry has samples.
pub fn chart(scenario: &ScenarioResult) -> Result<Option<String>, ReportError> {
    let entries: Vec<&EntryResult> = scenario
        .entries
        .iter()
        .filter(|e| !e.samples.is_empty())
        .collect();
    if entries.is_empty() {
        return Ok(None);
    }
    let legend = vec![
        LegendItem::new(Mark::Dot(ENGINE), "sample (engine)"),
        LegendItem::new(Mark::Dot(PEER), "sample (peer)"),
        LegendItem::new(Mark::Ring(WARNING), "outlier (MAD), kept"),
        LegendItem::new(Mark::Ring(CACHE_KEPT), "cold cache not evicted"),
        LegendItem::new(Mark::Bar(BOX), "quartiles"),
        LegendItem::new(Mark::Line(INK), "median"),
    ];
    let names: Vec<String> = entries.iter().map(|e| e.id.clone()).collect();
    let rows = names.len();
    let largest = entries
        .iter()
        .flat_map(|e| e.samples.iter())
        .map(|s| s.wall_ns as f64 / 1e9)
        .fold(0.0, f64::max);
    let x_end = axis_end(largest);
    let size = (WIDTH, chart_height(rows, &legend));
    let svg = render_svg("distribution", &scenario.name, size, &legend, |area| {
        let mut chart = ChartBuilder::on(area)
            .caption("Wall time of every sample", caption_style())
            .margin(12)
            .x_label_area_size(44)
            .y_label_area_size(row_label_width(&names))
            .build_cartesian_2d(0.0..x_end, rows_axis(rows))?;
        let label = row_label(&names);
        let time = |x: &f64| format::duration(*x);
        chart
            .configure_mesh()
            .disable_y_mesh()
            .y_labels(rows)
            .y_label_formatter(&label)
            .x_label_formatter(&time)
            .x_desc("wall time of one copy")
            .y_desc("entry")
            .label_style(label_style())
            .axis_desc_style(label_style())
            .max_light_lines(2)
            .light_line_style(RGBColor(0xf2, 0xf2, 0xf2))
            .draw()?;
        for (index, entry) in entries.iter().enumerate() {
            let y = row_y(index, rows);
            let mut walls: Vec<f64> = entry
                .samples
                .iter()
                .map(|s| s.wall_ns as f64 / 1e9)
                .collect();
            walls.sort_by(f64::total_cmp);
            let (q1, q3) = quartiles(&walls);
            let median = entry.summary.wall_s.median;
            chart.draw_series([Rectangle::new([(q1, y - 0.3), (q3, y + 0.3)], BOX.filled())])?;
            chart.draw_series([PathElement::new(
                vec![(median, y - 0.36), (median, y + 0.36)],
                INK.stroke_width(2),
            )])?;
            let color = if entry.kind == copybench_result::EntryKind::Peer {
                PEER
            } else {
                ENGINE
            };
            let count = entry.samples.len().max(1) as f64;
            for (position, sample) in entry.samples.iter().enumerate() {
                // Spread the dots over the row (by order, not at random: the chart is
                // reproducible) so equal times stay visible.
                let jitter = (position as f64 + 0.5) / count * 0.44 - 0.22;
                let point = (sample.wall_ns as f64 / 1e9, y + jitter);
                chart.draw_series(std::iter::once(Circle::new(point, 3, color.filled())))?;
                if sample.outlier {
                    chart.draw_series(std::iter::once(Circle::new(
                        point,
                        6,
                        WARNING.stroke_width(2),
                    )))?;
                }
                if sample.cache_evicted == Some(false) {
                    chart.draw_series(std::iter::once(Circle::new(
                        point,
                        9,
                        CACHE_KEPT.stroke_width(2),
                    )))?;
                }
            }
        }
        Ok(())
    })?;
    Ok(Some(svg))
}

#[cfg(test)]
mod tests {
    use super::quartiles;

    #[test]
    fn quartiles_interpolate() {
        assert_eq!(quartiles(&[1.0, 2.0, 3.0, 4.0, 5.0]), (2.0, 4.0));
        assert_eq!(quartiles(&[1.0]), (1.0, 1.0));
        assert_eq!(quartiles(&[0.0, 4.0]), (1.0, 3.0));
    }
}
