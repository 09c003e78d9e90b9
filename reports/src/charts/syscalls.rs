//! Syscalls per file (trees) or per copy (files) by syscall name: one stacked bar per entry,
//! stat-family calls first so the share CPython 3.8 cut in copytree is visible at a glance.

use copybench_result::ScenarioResult;
use plotters::prelude::*;

use super::{
    annotation_style, axis_end, caption_style, chart_height, label_style, render_svg, row_label,
    row_label_width, row_y, rows_axis, LegendItem, Mark, SERIES, WIDTH,
};
use crate::table::{self, STAT_FAMILY};
use crate::{format, ReportError};

const OTHER_COLOR: RGBColor = RGBColor(0xc7, 0xc7, 0xc7);

/// At most this many series; rarer calls are drawn together as `other`.
const MAX_SERIES: usize = 11;
const OTHER: &str = "other";

/// Syscall names in the chart's stacking order: stat family first, then by total count; past
/// [`MAX_SERIES`] the rarest non-stat calls are merged into `other` so colours stay distinct.
fn series_in_order(scenario: &ScenarioResult) -> Vec<String> {
    let mut totals: std::collections::BTreeMap<&str, u64> = Default::default();
    for syscalls in scenario.entries.iter().filter_map(|e| e.syscalls.as_ref()) {
        for (name, &calls) in &syscalls.per_copy {
            if name != "path_stats" && name != "fd_stats" {
                *totals.entry(name).or_default() += calls;
            }
        }
    }
    let mut names: Vec<(&str, u64)> = totals.into_iter().collect();
    names.sort_by_key(|&(name, calls)| (!STAT_FAMILY.contains(&name), std::cmp::Reverse(calls)));
    let mut series: Vec<String> = names.into_iter().map(|(n, _)| n.to_string()).collect();
    if series.len() > MAX_SERIES {
        series.truncate(MAX_SERIES - 1);
        series.push(OTHER.to_string());
    }
    series
}

/// Calls of one copy in `series` (`other` gathers every call not named in `all`).
fn calls_in(
    series: &str,
    all: &[String],
    per_copy: &std::collections::BTreeMap<String, u64>,
) -> u64 {
    if series == OTHER {
        per_copy
            .iter()
            .filter(|(name, _)| {
                !all.contains(name) && name.as_str() != "path_stats" && name.as_str() != "fd_stats"
            })
            .map(|(_, calls)| calls)
            .sum()
    } else {
        per_copy.get(series).copied().unwrap_or(0)
    }
}

/// The syscall chart of `scenario`, or `None` when no entry's syscalls were counted.
pub fn chart(scenario: &ScenarioResult) -> Result<Option<String>, ReportError> {
    let counted: Vec<_> = scenario
        .entries
        .iter()
        .filter_map(|e| e.syscalls.as_ref().map(|s| (e, s)))
        .collect();
    if counted.is_empty() {
        return Ok(None);
    }
    let unit = table::syscall_unit(scenario);
    let divisor = if table::is_tree(scenario) {
        scenario.parameters.fixture.files.max(1) as f64
    } else {
        1.0
    };
    let syscall_names = series_in_order(scenario);
    let color_of = |index: usize| {
        if syscall_names.get(index).is_some_and(|n| n == OTHER) {
            OTHER_COLOR
        } else {
            SERIES[index % SERIES.len()]
        }
    };
    let legend: Vec<LegendItem> = syscall_names
        .iter()
        .enumerate()
        .map(|(i, name)| {
            let family = if STAT_FAMILY.contains(&name.as_str()) {
                " (stat family)"
            } else {
                ""
            };
            LegendItem::new(Mark::Bar(color_of(i)), format!("{name}{family}"))
        })
        .collect();
    let names: Vec<String> = counted
        .iter()
        .map(|(e, s)| format!("{} [{}]", e.id, s.source))
        .collect();
    let rows = names.len();
    let largest = counted
        .iter()
        .map(|(_, s)| table::total_syscalls(s) as f64 / divisor)
        .fold(0.0, f64::max);
    let x_end = axis_end(largest) * 1.25;
    let size = (WIDTH, chart_height(rows, &legend));
    let caption = format!("Syscalls per {unit} by name (stat family first)");
    let svg = render_svg("syscalls", &scenario.name, size, &legend, |area| {
        let mut chart = ChartBuilder::on(area)
            .caption(caption, caption_style())
            .margin(12)
            .x_label_area_size(44)
            .y_label_area_size(row_label_width(&names))
            .build_cartesian_2d(0.0..x_end, rows_axis(rows))?;
        let label = row_label(&names);
        let calls = |x: &f64| format::count(*x);
        chart
            .configure_mesh()
            .disable_y_mesh()
            .y_labels(rows)
            .y_label_formatter(&label)
            .x_label_formatter(&calls)
            .x_desc(format!("syscalls per {unit}"))
            .y_desc("entry [counted by]")
            .label_style(label_style())
            .axis_desc_style(label_style())
            .max_light_lines(2)
            .light_line_style(RGBColor(0xf2, 0xf2, 0xf2))
            .draw()?;
        for (index, (_, syscalls)) in counted.iter().enumerate() {
            let y = row_y(index, rows);
            let mut start = 0.0;
            for (series, name) in syscall_names.iter().enumerate() {
                let calls = calls_in(name, &syscall_names, &syscalls.per_copy);
                if calls == 0 {
                    continue;
                }
                let width = calls as f64 / divisor;
                chart.draw_series(std::iter::once(Rectangle::new(
                    [(start, y - 0.32), (start + width, y + 0.32)],
                    color_of(series).filled(),
                )))?;
                start += width;
            }
            let (_, stat_family, total) = table::syscall_totals(scenario, syscalls);
            chart.draw_series(std::iter::once(Text::new(
                format!(
                    "{} total, {} stat family",
                    format::count(total),
                    format::count(stat_family)
                ),
                (start + x_end * 0.01, y),
                annotation_style(),
            )))?;
        }
        Ok(())
    })?;
    Ok(Some(svg))
}
