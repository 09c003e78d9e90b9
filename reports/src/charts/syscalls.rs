//! Syscalls per file (trees) or per copy (files) by syscall name: one stacked bar per entry,
//! stat-family calls first (in greens) so the share CPython 3.8 cut in copytree is visible at a
//! glance; fewest calls at the top.

use std::collections::BTreeMap;

use copybench_result::{ScenarioResult, SyscallSource, SyscallSummary};
use plotters::prelude::*;

use super::frame::{axis_end, bar, label_after, row_label_width, row_y, Frame};
use super::legend::{LegendItem, Mark};
use super::palette::{OTHER_CALLS, RARE_CALLS, STAT_CALLS};
use super::{chart_height, render_svg, WIDTH};
use crate::figures;
use crate::{format, ReportError};

const OTHER: &str = "other";

/// A series of the chart: a syscall name (or `other`) and its colour.
struct Series {
    name: String,
    color: RGBColor,
}

/// Syscall names in the chart's stacking order: stat family first (in greens), then the other
/// calls by total count (in browns); past the browns the rarest are merged into `other`.
fn series_in_order(scenario: &ScenarioResult) -> Vec<Series> {
    let mut totals: BTreeMap<&str, u64> = BTreeMap::new();
    let mut stat_family: Vec<&str> = Vec::new();
    for syscalls in scenario.entries.iter().filter_map(|e| e.syscalls.as_ref()) {
        for (name, calls) in figures::named_calls(syscalls) {
            *totals.entry(name).or_default() += calls;
            if figures::is_stat_family(syscalls, name) && !stat_family.contains(&name) {
                stat_family.push(name);
            }
        }
    }
    let mut names: Vec<(&str, u64)> = totals.into_iter().collect();
    names.sort_by_key(|&(name, calls)| (std::cmp::Reverse(calls), name));
    let (stat, other): (Vec<_>, Vec<_>) = names
        .into_iter()
        .partition(|(name, _)| stat_family.contains(name));
    let mut series: Vec<Series> = stat
        .iter()
        .zip(STAT_CALLS)
        .map(|((name, _), color)| Series {
            name: name.to_string(),
            color,
        })
        .collect();
    let room = if other.len() > OTHER_CALLS.len() {
        OTHER_CALLS.len() - 1
    } else {
        OTHER_CALLS.len()
    };
    series.extend(
        other
            .iter()
            .take(room)
            .zip(OTHER_CALLS)
            .map(|((name, _), color)| Series {
                name: name.to_string(),
                color,
            }),
    );
    if other.len() > room {
        series.push(Series {
            name: OTHER.to_string(),
            color: RARE_CALLS,
        });
    }
    series
}

/// Calls of one copy in `series` (`other` gathers every call not named in `all`).
fn calls_in(series: &str, all: &[Series], syscalls: &SyscallSummary) -> u64 {
    if series == OTHER {
        figures::named_calls(syscalls)
            .filter(|(name, _)| !all.iter().any(|named| named.name == *name))
            .map(|(_, calls)| calls)
            .sum()
    } else {
        syscalls.calls.get(series).copied().unwrap_or(0)
    }
}

/// The syscall chart of `scenario`, or `None` when no entry's syscalls were counted.
pub fn chart(scenario: &ScenarioResult) -> Result<Option<String>, ReportError> {
    let mut counted: Vec<_> = scenario
        .entries
        .iter()
        .filter_map(|e| e.syscalls.as_ref().map(|s| (e, s)))
        .collect();
    if counted.is_empty() {
        return Ok(None);
    }
    // Fewest calls at the top.
    counted.sort_by_key(|(_, s)| s.per_copy.total);
    let unit = figures::syscall_unit(scenario);
    let files_per_copy = figures::files_per_copy(scenario);
    let series = series_in_order(scenario);
    let legend: Vec<LegendItem> = series
        .iter()
        .map(|s| {
            let in_family = scenario
                .entries
                .iter()
                .filter_map(|e| e.syscalls.as_ref())
                .any(|syscalls| figures::is_stat_family(syscalls, &s.name));
            let family = if in_family { " (stat family)" } else { "" };
            LegendItem::new(Mark::Bar(s.color), format!("{}{family}", s.name))
        })
        .collect();
    // Counts from strace (peers, child processes) are marked; copybench's own are the rule.
    let names: Vec<String> = counted
        .iter()
        .map(|(e, s)| match s.source {
            SyscallSource::Counted => e.id.clone(),
            other => format!("{} [{}]", e.id, other.name()),
        })
        .collect();
    let rows = names.len();
    let largest = counted
        .iter()
        .map(|(_, s)| s.per_copy.total as f64 / files_per_copy)
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
            y_desc: "entry",
        }
        .draw(area, 0.0..x_end)?;
        for (index, (_, syscalls)) in counted.iter().enumerate() {
            let y = row_y(index, rows);
            let mut start = 0.0;
            for s in &series {
                let calls = calls_in(&s.name, &series, syscalls);
                if calls == 0 {
                    continue;
                }
                let end = start + calls as f64 / files_per_copy;
                chart.draw_series([bar(y, start, end, s.color.filled())])?;
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
