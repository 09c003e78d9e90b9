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
pub mod palette;
pub mod speedup;
pub mod syscalls;

use copybench_result::{EntryKind, EntryResult};
use plotters::coord::Shift;
use plotters::prelude::*;

use crate::ReportError;
use legend::LegendItem;
use palette::{ENGINE, PEER, REFERENCE};

/// The drawing surface every chart draws on.
pub type Area<'a> = DrawingArea<SVGBackend<'a>, Shift>;

/// What a chart's drawing code may fail with (plotters' errors, boxed).
pub type DrawResult = Result<(), Box<dyn std::error::Error>>;

const FONT: &str = "sans-serif";
const WIDTH: u32 = 960;
/// Height of one entry's row.
const ROW_HEIGHT: u32 = 34;

/// The colour of an entry's marks: the reference, engine strategies and walkers, and peer
/// programs apart.
fn entry_color(entry: &EntryResult, reference: &str) -> RGBColor {
    if entry.id == reference {
        REFERENCE
    } else if entry.kind == EntryKind::Peer {
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
