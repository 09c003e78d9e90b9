//! Every sample's wall time per entry (a strip plot over a box of the quartiles), so noise and
//! bimodal strategies are visible, not hidden behind a median. Samples flagged as outliers (MAD)
//! and cold-cache samples whose eviction did not take are marked.

use copybench_result::{EntryResult, Sample, ScenarioResult};
use plotters::prelude::*;

use super::frame::{axis_end, row_label_width, row_y, Frame};
use super::legend::{LegendItem, Mark};
use super::{chart_height, entry_color, render_svg, ENGINE, INK, PEER, WARNING, WIDTH};
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

fn wall_s(sample: &Sample) -> f64 {
    sample.wall_ns as f64 / 1e9
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
        .map(wall_s)
        .fold(0.0, f64::max);
    let x_end = axis_end(largest);
    let size = (WIDTH, chart_height(rows, &legend));
    let svg = render_svg("distribution", &scenario.name, size, &legend, |area| {
        let mut chart = Frame {
            caption: "Wall time of every sample",
            rows: &names,
            label_width: row_label_width(&names),
            x_desc: "wall time of one copy",
            x_labels: &|x| format::duration(*x),
            y_desc: "entry",
        }
        .draw(area, 0.0..x_end)?;
        for (index, entry) in entries.iter().enumerate() {
            let y = row_y(index, rows);
            let mut walls: Vec<f64> = entry.samples.iter().map(wall_s).collect();
            walls.sort_by(f64::total_cmp);
            let (q1, q3) = quartiles(&walls);
            let median = entry.summary.wall_s.median;
            chart.draw_series([Rectangle::new([(q1, y - 0.3), (q3, y + 0.3)], BOX.filled())])?;
            chart.draw_series([PathElement::new(
                vec![(median, y - 0.36), (median, y + 0.36)],
                INK.stroke_width(2),
            )])?;
            let color = entry_color(entry);
            let count = entry.samples.len().max(1) as f64;
            for (position, sample) in entry.samples.iter().enumerate() {
                // Spread the dots over the row (by order, not at random: the chart is
                // reproducible) so equal times stay visible.
                let jitter = (position as f64 + 0.5) / count * 0.44 - 0.22;
                let point = (wall_s(sample), y + jitter);
                chart.draw_series([Circle::new(point, 3, color.filled())])?;
                if sample.outlier {
                    chart.draw_series([Circle::new(point, 6, WARNING.stroke_width(2))])?;
                }
                if sample.cache_evicted == Some(false) {
                    chart.draw_series([Circle::new(point, 9, CACHE_KEPT.stroke_width(2))])?;
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
