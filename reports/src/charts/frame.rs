//! The frame every chart is drawn in: a horizontal chart with one row per entry (entry 0 at the
//! top, names on the left stay readable however long they are), a value axis along the bottom,
//! both axes described; and the marks several charts draw on a row (a bar, a CI whisker, a
//! label after them, the reference line at 1.0), so each looks the same in every chart.

use std::error::Error;

use plotters::coord::ranged1d::{AsRangedCoord, DefaultFormatting, KeyPointHint, ValueFormatter};
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::palette::{INK, REFERENCE};
use super::{Area, DrawResult, FONT};

/// A chart in the rows frame; `X` is its value axis (linear unless a chart says otherwise).
pub type RowChart<'a, 'b, X = RangedCoordf64> =
    ChartContext<'a, SVGBackend<'b>, Cartesian2d<X, RowsAxis>>;

/// Half a bar's thickness, in rows.
const BAR_HALF_HEIGHT: f64 = 0.32;
pub const GRID: RGBColor = RGBColor(0xf2, 0xf2, 0xf2);

/// What a chart's frame says around its marks.
pub struct Frame<'a> {
    pub caption: &'a str,
    /// The rows' names, top to bottom.
    pub rows: &'a [String],
    /// Width of the names' area left of the plot (usually [`row_label_width`] of `rows`).
    pub label_width: u32,
    /// What the value axis measures.
    pub x_desc: &'a str,
    /// How a value on the value axis is written.
    pub x_labels: &'a dyn Fn(&f64) -> String,
    /// What a row is.
    pub y_desc: &'a str,
}

impl Frame<'_> {
    /// Draws the caption, axes and grid on `area` with `x` as the value axis, and returns the
    /// chart to draw the marks in (row `i` centred at [`row_y`]`(i, rows)`).
    pub fn draw<'a, 'b, X>(
        &self,
        area: &Area<'b>,
        x: X,
    ) -> Result<RowChart<'a, 'b, X::CoordDescType>, Box<dyn Error>>
    where
        X: AsRangedCoord<Value = f64>,
        X::CoordDescType: ValueFormatter<f64>,
    {
        let rows = self.rows.len();
        let mut chart = ChartBuilder::on(area)
            .caption(self.caption, caption_style())
            .margin(12)
            .x_label_area_size(44)
            .y_label_area_size(self.label_width)
            .build_cartesian_2d(x, rows_axis(rows))?;
        let row_label = row_label(self.rows);
        chart
            .configure_mesh()
            .disable_y_mesh()
            .y_labels(rows)
            .y_label_formatter(&row_label)
            .x_label_formatter(self.x_labels)
            .x_desc(self.x_desc)
            .y_desc(self.y_desc)
            .label_style(label_style())
            .axis_desc_style(label_style())
            .max_light_lines(2)
            .light_line_style(GRID)
            .draw()?;
        Ok(chart)
    }
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
fn row_label(names: &[String]) -> impl Fn(&f64) -> String + '_ {
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

/// A bar on row `y` from `from` to `to` (bars stack by starting where the previous one ended).
pub fn bar(y: f64, from: f64, to: f64, style: impl Into<ShapeStyle>) -> Rectangle<(f64, f64)> {
    Rectangle::new(
        [(from, y - BAR_HALF_HEIGHT), (to, y + BAR_HALF_HEIGHT)],
        style,
    )
}

/// A confidence interval on row `y`: a line from `low` to `high` with end caps reaching `cap`
/// rows above and below it.
pub fn whisker(y: f64, (low, high): (f64, f64), cap: f64) -> [PathElement<(f64, f64)>; 3] {
    let style = INK.stroke_width(2);
    [
        PathElement::new(vec![(low, y), (high, y)], style),
        PathElement::new(vec![(low, y - cap), (low, y + cap)], style),
        PathElement::new(vec![(high, y - cap), (high, y + cap)], style),
    ]
}

/// `text` on row `y` just right of `x` (the end of a bar or whisker); the gap is a fraction of
/// the value axis, which ends at `x_end`.
pub fn label_after(text: String, x: f64, y: f64, x_end: f64) -> Text<'static, (f64, f64), String> {
    let style = TextStyle::from((FONT, 12).into_font())
        .color(&INK)
        .pos(Pos::new(HPos::Left, VPos::Center));
    Text::new(text, (x + x_end * 0.01, y), style)
}

/// The dashed line at 1.0 (as fast as the reference) across all `rows`.
pub fn draw_reference_line(chart: &mut RowChart, rows: usize) -> DrawResult {
    chart.draw_series(DashedLineSeries::new(
        vec![(1.0, -0.5), (1.0, rows as f64 - 0.5)],
        6,
        4,
        REFERENCE.stroke_width(2),
    ))?;
    Ok(())
}

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
}
