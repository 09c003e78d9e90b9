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

/// Syscall names in the chart's stacking order: stat family first, then by total count.
fn names_in_order(scenario: &ScenarioResult) -> Vec<String> {
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
    names.into_iter().map(|(n, _)| n.to_string()).collect()
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
    let syscall_names = names_in_order(scenario);
    let color_of = |index: usize| SERIES[index % SERIES.len()];
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
                let Some(&calls) = syscalls.per_copy.get(name) else {
                    continue;
                };
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
