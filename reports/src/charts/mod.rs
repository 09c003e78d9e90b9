//! The HTML report's charts, one file per chart (criterion's `plot/plotters_backend/` layout),
//! each drawn with plotters' SVG backend into a string that is inlined in the page.
//!
//! A chart draws its marks in the shared rows [`frame`] and lists them in a [`legend`] under
//! the plot; [`render_svg`] puts the two together on one surface.

pub mod comparison;
pub mod cpu;
pub mod distribution;
mod frame;
pub mod latency;
mod legend;
pub mod speedup;
pub mod syscalls;

use copybench_result::{EntryKind, EntryResult};
use plotters::coord::Shift;
use plotters::prelude::*;

use crate::ReportError;
use legend::LegendItem;

/// The drawing surface every chart draws on.
pub type Area<'a> = DrawingArea<SVGBackend<'a>, Shift>;

/// What a chart's drawing code may fail with (plotters' errors, boxed).
pub type DrawResult = Result<(), Box<dyn std::error::Error>>;

const FONT: &str = "sans-serif";
const WIDTH: u32 = 960;
/// Height of one entry's row.
const ROW_HEIGHT: u32 = 34;

/// Engine strategies and walkers.
const ENGINE: RGBColor = RGBColor(0x1f, 0x77, 0xb4);
/// External programs (`cp`, CPython's shutil, rsync).
const PEER: RGBColor = RGBColor(0xff, 0x7f, 0x0e);
/// The reference entry, and reference lines.
const REFERENCE: RGBColor = RGBColor(0x7f, 0x7f, 0x7f);
const INK: RGBColor = RGBColor(0x22, 0x22, 0x22);
const WARNING: RGBColor = RGBColor(0xd6, 0x27, 0x28);

/// Distinct colours for series (syscall names, percentiles, results compared).
const SERIES: [RGBColor; 12] = [
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

/// The colour of an entry's marks: engine strategies and walkers apart from peer programs.
fn entry_color(entry: &EntryResult) -> RGBColor {
    if entry.kind == EntryKind::Peer {
        PEER
    } else {
        ENGINE
    }
}

/// A chart's size for `rows` entries and its legend.
fn chart_height(rows: usize, legend: &[LegendItem]) -> u32 {
    110 + ROW_HEIGHT * rows.max(1) as u32 + legend::height(legend)
}

/// Draws a chart into an SVG string: `draw` gets the plot area, the legend is laid out under it.
/// `chart` and `scenario` name the chart in the error if plotters fails.
fn render_svg(
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
        let (plot, legend_area) = root.split_vertically(size.1 - legend::height(legend));
        draw(&plot)?;
        legend::draw(&legend_area, legend)?;
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
