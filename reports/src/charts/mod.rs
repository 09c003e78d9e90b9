//! The HTML report's charts, one file per chart (criterion's `plot/plotters_backend/` layout),
//! each drawn with plotters' SVG backend into a string that is inlined in the page.
//!
//! Every chart is a horizontal chart with one row per entry (entry names stay readable however
//! long they are), axis descriptions on both axes, and a legend in its own band under the plot
//! so it never hides a bar.

pub mod comparison;
pub mod cpu;
pub mod distribution;
pub mod latency;
pub mod speedup;
pub mod syscalls;

use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::ReportError;

/// The drawing surface every chart draws on.
pub type Area<'a> = DrawingArea<SVGBackend<'a>, Shift>;

/// What a chart's drawing code may fail with (plotters' errors, boxed).
pub type DrawResult = Result<(), Box<dyn std::error::Error>>;

pub const FONT: &str = "sans-serif";
pub const WIDTH: u32 = 960;
/// Height of one entry's row.
pub const ROW_HEIGHT: u32 = 34;
const LEGEND_LINE_HEIGHT: u32 = 22;

/// Engine strategies and walkers.
pub const ENGINE: RGBColor = RGBColor(0x1f, 0x77, 0xb4);
/// External programs (`cp`, CPython's shutil, rsync).
pub const PEER: RGBColor = RGBColor(0xff, 0x7f, 0x0e);
/// The reference entry, and reference lines.
pub const REFERENCE: RGBColor = RGBColor(0x7f, 0x7f, 0x7f);
pub const INK: RGBColor = RGBColor(0x22, 0x22, 0x22);
pub const WARNING: RGBColor = RGBColor(0xd6, 0x27, 0x28);
pub const USER_CPU: RGBColor = RGBColor(0x1f, 0x77, 0xb4);
pub const SYSTEM_CPU: RGBColor = RGBColor(0xff, 0x7f, 0x0e);

/// Distinct colours for series (syscall names, percentiles, results compared).
pub const SERIES: [RGBColor; 12] = [
    RGBColor(0xd6, 0x27, 0x28),
    RGBColor(0xff, 0x7f, 0x0e),
    RGBColor(0xbc, 0xbd, 0x22),
    RGBColor(0x8c, 0x56, 0x4b),
    RGBColor(0x1f, 0x77, 0xb4),
    RGBColor(0x2c, 0xa0, 0x2c),
    RGBColor(0x94, 0x67, 0xbd),
    RGBColor(0x17, 0xbe, 0xcf),
    RGBColor(0xe3, 0x77, 0xc2),
    RGBColor(0x7f, 0x7f, 0x7f),
    RGBColor(0x39, 0x3b, 0x79),
    RGBColor(0x63, 0x79, 0x39),
];

/// How a legend item is drawn.
#[derive(Clone, Copy, Debug)]
pub enum Mark {
    /// A filled box, for bars.
    Bar(RGBColor),
    /// A line, for reference lines and whiskers.
    Line(RGBColor),
    /// A dashed-looking line for reference lines.
    Dashed(RGBColor),
    /// A dot, for samples and markers.
    Dot(RGBColor),
    /// A hollow ring, for flagged samples.
    Ring(RGBColor),
}

/// One line of a legend.
#[derive(Clone, Debug)]
pub struct LegendItem {
    pub mark: Mark,
    pub label: String,
}

impl LegendItem {
    pub fn new(mark: Mark, label: impl Into<String>) -> LegendItem {
        LegendItem {
            mark,
            label: label.into(),
        }
    }
}

/// A chart's size for `rows` entries and its legend.
pub fn chart_height(rows: usize, legend: &[LegendItem]) -> u32 {
    110 + ROW_HEIGHT * rows.max(1) as u32 + legend_height(legend)
}

/// Draws a chart into an SVG string: `draw` gets the plot area, the legend is laid out under it.
pub fn render_svg(
    chart: &'static str,
    scenario: &str,
    size: (u32, u32),
    legend: &[LegendItem],
    draw: impl FnOnce(&Area) -> DrawResult,
) -> Result<String, ReportError> {
    let mut svg = String::new();
    let drawn = (|| -> DrawResult {
        let root = SVGBackend::with_string(&mut svg, size).into_drawing_area();
        root.fill(&WHITE)?;
        let (plot, legend_area) = root.split_vertically(size.1 - legend_height(legend));
        draw(&plot)?;
        draw_legend(&legend_area, legend)?;
        root.present()?;
        Ok(())
    })();
    drawn.map_err(|error| ReportError::Chart {
        chart,
        scenario: scenario.to_string(),
        message: error.to_string(),
    })?;
    Ok(svg)
}

fn legend_rows(legend: &[LegendItem]) -> Vec<Vec<&LegendItem>> {
    let mut rows: Vec<Vec<&LegendItem>> = vec![];
    let mut used = u32::MAX;
    for item in legend {
        let width = legend_item_width(item);
        if used.saturating_add(width) > WIDTH - 40 {
            rows.push(vec![]);
            used = 0;
        }
        used += width;
        if let Some(row) = rows.last_mut() {
            row.push(item);
        }
    }
    rows
}

fn legend_item_width(item: &LegendItem) -> u32 {
    34 + 7 * item.label.chars().count() as u32
}

fn legend_height(legend: &[LegendItem]) -> u32 {
    LEGEND_LINE_HEIGHT * legend_rows(legend).len() as u32 + 8
}

/// The legend, left to right, wrapping to further lines.
fn draw_legend(area: &Area, legend: &[LegendItem]) -> DrawResult {
    let style = TextStyle::from((FONT, 13).into_font())
        .color(&INK)
        .pos(Pos::new(HPos::Left, VPos::Center));
    for (line, items) in legend_rows(legend).into_iter().enumerate() {
        let y = (LEGEND_LINE_HEIGHT * line as u32 + LEGEND_LINE_HEIGHT / 2) as i32;
        let mut x = 20i32;
        for item in items {
            match item.mark {
                Mark::Bar(color) => area.draw(&Rectangle::new(
                    [(x, y - 6), (x + 16, y + 6)],
                    color.filled(),
                ))?,
                Mark::Line(color) => area.draw(&PathElement::new(
                    vec![(x, y), (x + 16, y)],
                    color.stroke_width(2),
                ))?,
                Mark::Dashed(color) => {
                    for dash in [0, 6, 12] {
                        area.draw(&PathElement::new(
                            vec![(x + dash, y), (x + dash + 4, y)],
                            color.stroke_width(2),
                        ))?;
                    }
                }
                Mark::Dot(color) => area.draw(&Circle::new((x + 8, y), 4, color.filled()))?,
                Mark::Ring(color) => {
                    area.draw(&Circle::new((x + 8, y), 5, color.stroke_width(2)))?
                }
            }
            area.draw(&Text::new(item.label.clone(), (x + 22, y), style.clone()))?;
            x += legend_item_width(item) as i32;
        }
    }
    Ok(())
}

/// The vertical axis of a horizontal chart: one row per entry, entry 0 at the top, a tick and a
/// label at each row's centre (plotters' own f64 axis would put ticks at round numbers).
#[derive(Clone, Copy, Debug)]
pub struct RowsAxis {
    rows: usize,
}

impl Ranged for RowsAxis {
    type FormatOption = DefaultFormatting;
    type ValueType = f64;

    fn map(&self, value: &f64, limit: (i32, i32)) -> i32 {
        let range = self.range();
        let fraction = (value - range.start) / (range.end - range.start);
        limit.0 + (fraction * (limit.1 - limit.0) as f64).round() as i32
    }

    fn key_points<Hint: KeyPointHint>(&self, _hint: Hint) -> Vec<f64> {
        (0..self.rows).map(|i| i as f64).collect()
    }

    fn range(&self) -> std::ops::Range<f64> {
        -0.5..self.rows.max(1) as f64 - 0.5
    }
}

/// The rows axis for `rows` entries.
pub fn rows_axis(rows: usize) -> RowsAxis {
    RowsAxis { rows }
}

/// The y coordinate of row `index`'s centre (row 0 at the top).
pub fn row_y(index: usize, rows: usize) -> f64 {
    (rows.max(1) - 1 - index.min(rows.max(1) - 1)) as f64
}

/// Labels the rows axis with `names` (row 0 at the top).
pub fn row_label(names: &[String]) -> impl Fn(&f64) -> String + '_ {
    move |y: &f64| {
        let rows = names.len();
        let from_bottom = y.round();
        if from_bottom < 0.0 || (y - from_bottom).abs() > 0.01 {
            return String::new();
        }
        let from_bottom = from_bottom as usize;
        if from_bottom >= rows {
            return String::new();
        }
        names[rows - 1 - from_bottom].clone()
    }
}

/// Width of the label area left of the plot, enough for the longest entry name.
pub fn row_label_width(names: &[String]) -> u32 {
    let longest = names.iter().map(|n| n.chars().count()).max().unwrap_or(4) as u32;
    (longest * 8 + 16).clamp(60, 320)
}

/// The upper end of a value axis starting at zero, with room past the largest value.
pub fn axis_end(largest: f64) -> f64 {
    if largest.is_finite() && largest > 0.0 {
        largest * 1.12
    } else {
        1.0
    }
}

/// The text style of labels drawn next to bars.
pub fn annotation_style() -> TextStyle<'static> {
    TextStyle::from((FONT, 12).into_font())
        .color(&INK)
        .pos(Pos::new(HPos::Left, VPos::Center))
}

/// Chart caption style.
pub fn caption_style() -> TextStyle<'static> {
    TextStyle::from((FONT, 17).into_font()).color(&INK)
}

/// Style of tick labels and axis descriptions.
pub fn label_style() -> TextStyle<'static> {
    TextStyle::from((FONT, 13).into_font()).color(&INK)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_run_from_the_top() {
        let names: Vec<String> = ["first", "second", "third"].map(String::from).to_vec();
        let label = row_label(&names);
        assert_eq!(label(&row_y(0, 3)), "first");
        assert_eq!(label(&row_y(2, 3)), "third");
        assert_eq!(label(&0.5), "");
        assert_eq!(label(&3.0), "");
        let axis = rows_axis(3);
        assert_eq!(axis.key_points(10usize), vec![0.0, 1.0, 2.0]);
        assert!(axis.map(&row_y(0, 3), (0, 300)) > axis.map(&row_y(2, 3), (0, 300)));
    }

    #[test]
    fn legends_wrap_to_the_chart_width() {
        let items: Vec<LegendItem> = (0..30)
            .map(|i| LegendItem::new(Mark::Bar(ENGINE), format!("series number {i}")))
            .collect();
        assert!(legend_rows(&items).len() > 1);
        assert_eq!(legend_rows(&items).iter().map(Vec::len).sum::<usize>(), 30);
        assert!(legend_rows(&[]).is_empty());
    }
}
