//! Every sample's wall time per entry (a strip plot over a box of the quartiles), so noise and
//! bimodal strategies are visible, not hidden behind a median. Each entry has its own scale:
//! on one shared axis nine samples near 10 ms collapse into a dot beside a 100 ms peer; the
//! tables compare entries, this chart shows each one's spread. Fastest median at the top.
//! Samples flagged as outliers (MAD) and cold-cache samples whose eviction did not take are
//! marked.

use copybench_result::{EntryResult, Sample, ScenarioResult};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::frame::{caption_style, label_style, row_label_width, rows_axis, GRID};
use super::legend::{LegendItem, Mark};
use super::palette::{CACHE_KEPT, ENGINE, INK, OUTLIER, PEER, QUARTILES, REFERENCE};
use super::{entry_color, legend, render_svg, FONT, WIDTH};
use crate::{format, ReportError};

/// Height of one entry's strip, with its own axis.
const STRIP_HEIGHT: u32 = 62;
/// Room for the caption above the strips and the axis description below.
const CAPTION_HEIGHT: u32 = 44;
const FOOTER_HEIGHT: u32 = 30;

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

/// The range of one entry's axis: its samples with some room, never empty.
fn strip_range(walls: &[f64]) -> std::ops::Range<f64> {
    let low = walls.iter().copied().fold(f64::INFINITY, f64::min);
    let high = walls.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let room = ((high - low) * 0.08).max(high.abs() * 0.005).max(1e-9);
    (low - room).max(0.0)..high + room
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
    // (entry, its median wall time) for every entry with samples.
    let mut entries: Vec<(&EntryResult, f64)> = scenario
        .entries
        .iter()
        .filter(|e| !e.samples.is_empty())
        .map(|e| (e, e.summary.wall_s.median))
        .collect();
    if entries.is_empty() {
        return Ok(None);
    }
    entries.sort_by(|a, b| a.1.total_cmp(&b.1));
    let legend = vec![
        LegendItem::new(Mark::Dot(ENGINE), "sample (engine)"),
        LegendItem::new(Mark::Dot(PEER), "sample (peer)"),
        LegendItem::new(Mark::Dot(REFERENCE), "sample (reference)"),
        LegendItem::new(Mark::Ring(OUTLIER), "outlier (MAD), kept"),
        LegendItem::new(Mark::Ring(CACHE_KEPT), "cold cache not evicted"),
        LegendItem::new(Mark::Bar(QUARTILES), "quartiles"),
        LegendItem::new(Mark::Line(INK), "median"),
    ];
    let names: Vec<String> = entries.iter().map(|(e, _)| e.id.clone()).collect();
    let label_width = row_label_width(&names);
    let strips = STRIP_HEIGHT * entries.len() as u32;
    let height = CAPTION_HEIGHT + strips + FOOTER_HEIGHT + legend::height(&legend);
    let svg = render_svg(
        "distribution",
        &scenario.name,
        (WIDTH, height),
        &legend,
        |area| {
            let area = area.titled("Wall time of every sample", caption_style())?;
            let (strips_area, footer) = area.split_vertically(strips);
            let rows = strips_area
                .margin(0, 0, 28, 0)
                .split_evenly((entries.len(), 1));
            for ((entry, median), (row, name)) in entries.iter().zip(rows.iter().zip(&names)) {
                draw_strip(row, entry, *median, name, label_width, &scenario.reference)?;
            }
            let left = TextStyle::from((FONT, 13).into_font())
                .color(&INK)
                .transform(FontTransform::Rotate270)
                .pos(Pos::new(HPos::Center, VPos::Top));
            strips_area.draw(&Text::new(
                "entry".to_string(),
                (4, (strips / 2) as i32),
                left,
            ))?;
            let centred = label_style().pos(Pos::new(HPos::Center, VPos::Center));
            footer.draw(&Text::new(
                "wall time of one copy (each entry on its own scale: compare entries in the \
                 tables)"
                    .to_string(),
                ((WIDTH / 2) as i32, (FOOTER_HEIGHT / 2) as i32),
                centred,
            ))?;
            Ok(())
        },
    )?;
    Ok(Some(svg))
}

/// One entry's strip: its name on the left, its own time axis, the quartile box, the median
/// and every sample.
fn draw_strip(
    area: &super::Area,
    entry: &EntryResult,
    median_wall: f64,
    name: &str,
    label_width: u32,
    reference: &str,
) -> super::DrawResult {
    let mut walls: Vec<f64> = entry.samples.iter().map(wall_s).collect();
    walls.sort_by(f64::total_cmp);
    let mut chart = ChartBuilder::on(area)
        .margin_right(24)
        .margin_top(4)
        .x_label_area_size(20)
        .y_label_area_size(label_width)
        .build_cartesian_2d(strip_range(&walls), rows_axis(1))?;
    let label = |_: &f64| name.to_string();
    chart
        .configure_mesh()
        .disable_y_mesh()
        .y_labels(1)
        .y_label_formatter(&label)
        .x_labels(6)
        .x_label_formatter(&|x| format::duration(*x))
        .label_style(label_style())
        .max_light_lines(1)
        .light_line_style(GRID)
        .draw()?;
    let (q1, q3) = quartiles(&walls);
    let median = median_wall;
    chart.draw_series([Rectangle::new(
        [(q1, -0.34), (q3, 0.34)],
        QUARTILES.filled(),
    )])?;
    chart.draw_series([PathElement::new(
        vec![(median, -0.4), (median, 0.4)],
        INK.stroke_width(2),
    )])?;
    let color = entry_color(entry, reference);
    let count = entry.samples.len().max(1) as f64;
    for (position, sample) in entry.samples.iter().enumerate() {
        // Spread the dots over the strip (by order, not at random: the chart is
        // reproducible) so equal times stay visible.
        let jitter = (position as f64 + 0.5) / count * 0.5 - 0.25;
        let point = (wall_s(sample), jitter);
        chart.draw_series([Circle::new(point, 3, color.filled())])?;
        if sample.outlier {
            chart.draw_series([Circle::new(point, 6, OUTLIER.stroke_width(2))])?;
        }
        if sample.cache_evicted == Some(false) {
            chart.draw_series([Circle::new(point, 9, CACHE_KEPT.stroke_width(2))])?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::{quartiles, strip_range};

    #[test]
    fn quartiles_interpolate() {
        assert_eq!(quartiles(&[1.0, 2.0, 3.0, 4.0, 5.0]), (2.0, 4.0));
        assert_eq!(quartiles(&[1.0]), (1.0, 1.0));
        assert_eq!(quartiles(&[0.0, 4.0]), (1.0, 3.0));
    }

    #[test]
    fn a_strip_spans_its_own_samples_and_is_never_empty() {
        let range = strip_range(&[0.010, 0.0104, 0.0102]);
        assert!(range.start < 0.010 && range.start > 0.009, "{range:?}");
        assert!(range.end > 0.0104 && range.end < 0.011, "{range:?}");
        let point = strip_range(&[0.5, 0.5]);
        assert!(point.start < 0.5 && 0.5 < point.end);
    }
}
