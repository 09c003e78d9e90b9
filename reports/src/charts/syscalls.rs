//! Syscalls per file (trees) or per copy (files) by syscall name: one stacked bar per entry,
//! stat-family calls first so the share CPython 3.8 cut in copytree is visible at a glance.

use std::collections::BTreeMap;

use copybench_result::{ScenarioResult, SyscallSummary};
use plotters::prelude::*;

use super::frame::{axis_end, bar, label_after, row_label_width, row_y, Frame};
use super::legend::{LegendItem, Mark};
use super::{chart_height, render_svg, SERIES, WIDTH};
use crate::figures::{self, STAT_FAMILY};
use crate::{format, ReportError};

const OTHER_COLOR: RGBColor = RGBColor(0xc7, 0xc7, 0xc7);

/// At most this many series; rarer calls are drawn together as `other`.
const MAX_SERIES: usize = 11;
const OTHER: &str = "other";

/// Syscall names in the chart's stacking order: stat family first, then by total count; past
/// [`MAX_SERIES`] the rarest non-stat calls are merged into `other` so colours stay distinct.
fn series_in_order(scenario: &ScenarioResult) -> Vec<String> {
    let mut totals: BTreeMap<&str, u64> = BTreeMap::new();
    for syscalls in scenario.entries.iter().filter_map(|e| e.syscalls.as_ref()) {
        for (name, calls) in figures::named_calls(syscalls) {
            *totals.entry(name).or_default() += calls;
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
fn calls_in(series: &str, all: &[String], syscalls: &SyscallSummary) -> u64 {
    if series == OTHER {
        figures::named_calls(syscalls)
            .filter(|(name, _)| !all.iter().any(|named| named == name))
            .map(|(_, calls)| calls)
            .sum()
    } else {
        syscalls.per_copy.get(series).copied().unwrap_or(0)
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
    let unit = figures::syscall_unit(scenario);
    let files_per_copy = figures::files_per_copy(scenario);
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
        .map(|(_, s)| figures::total_syscalls(s) as f64 / files_per_copy)
        .fold(0.0, f64::max);
    let x_end = axis_end(largest) * 1.25;
    let size = (WIDTH, chart_height(rows, &legend));
    let caption = format!("Syscalls per {unit} by name (stat family first)");
    let svg = render_svg("syscalls", &scenario.name, size, &legend, |area| {
        let mut chart = Frame {
            caption: &caption,
            rows: &names,
            label_width: row_label_width(&names),
            x_desc: &format!("syscalls per {unit}"),
            x_labels: &|x| format::count(*x),
            y_desc: "entry [counted by]",
        }
        .draw(area, 0.0..x_end)?;
        for (index, (_, syscalls)) in counted.iter().enumerate() {
            let y = row_y(index, rows);
            let mut start = 0.0;
            for (series, name) in syscall_names.iter().enumerate() {
                let calls = calls_in(name, &syscall_names, syscalls);
                if calls == 0 {
                    continue;
                }
                let end = start + calls as f64 / files_per_copy;
                chart.draw_series([bar(y, start, end, color_of(series).filled())])?;
                start = end;
            }
            let (_, stat_family, total) = figures::syscall_totals(scenario, syscalls);
            let text = format!(
                "{} total, {} stat family",
                format::count(total),
                format::count(stat_family)
            );
            chart.draw_series([label_after(text, start, y, x_end)])?;
        }
        Ok(())
    })?;
    Ok(Some(svg))
}
