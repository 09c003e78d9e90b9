//! The legend every chart has, in its own band under the plot so it never hides a bar: items
//! left to right, wrapping to further lines at the chart's width.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::palette::INK;
use super::{Area, DrawResult, FONT, WIDTH};

const LINE_HEIGHT: u32 = 22;

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

/// One item of a legend.
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

/// The height of the band `legend` takes under the plot.
pub fn height(legend: &[LegendItem]) -> u32 {
    LINE_HEIGHT * legend_rows(legend).len() as u32 + 8
}

/// The legend's items, split into lines that fit the chart's width.
fn legend_rows(legend: &[LegendItem]) -> Vec<Vec<&LegendItem>> {
    let mut lines: Vec<Vec<&LegendItem>> = vec![];
    let mut used = u32::MAX;
    for item in legend {
        let width = item_width(item);
        if used.saturating_add(width) > WIDTH - 40 {
            lines.push(vec![]);
            used = 0;
        }
        used += width;
        if let Some(line) = lines.last_mut() {
            line.push(item);
        }
    }
    lines
}

fn item_width(item: &LegendItem) -> u32 {
    34 + 7 * item.label.chars().count() as u32
}

/// Draws `legend` into its band.
pub fn draw(area: &Area, legend: &[LegendItem]) -> DrawResult {
    let style = TextStyle::from((FONT, 13).into_font())
        .color(&INK)
        .pos(Pos::new(HPos::Left, VPos::Center));
    for (line, items) in legend_rows(legend).into_iter().enumerate() {
        let y = (LINE_HEIGHT * line as u32 + LINE_HEIGHT / 2) as i32;
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
            x += item_width(item) as i32;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::charts::palette::ENGINE;

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
