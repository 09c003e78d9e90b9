//! CPU time per entry: median user and system time as stacked bars, annotated with the CPU
//! seconds per GiB copied (the cost that stays when wall time is hidden by I/O); cheapest at
//! the top.

use copybench_result::{EntryResult, ScenarioResult};
use plotters::prelude::*;

use super::frame::{axis_end, bar, label_after, row_label_width, row_y, Frame};
use super::legend::{LegendItem, Mark};
use super::palette::{SYSTEM_CPU, TOTAL_CPU, USER_CPU};
use super::{chart_height, render_svg, WIDTH};
use crate::{format, ReportError};

/// The CPU chart of `scenario`, or `None` when it has no entries.
pub fn chart(scenario: &ScenarioResult) -> Result<Option<String>, ReportError> {
    if scenario.entries.is_empty() {
        return Ok(None);
    }
    let legend = vec![
        LegendItem::new(Mark::Bar(USER_CPU), "user CPU (median)"),
        LegendItem::new(Mark::Bar(SYSTEM_CPU), "system CPU (median)"),
        LegendItem::new(Mark::Bar(TOTAL_CPU), "CPU, split unknown (median)"),
    ];
    let cpu = |e: &EntryResult| e.summary.cpu_s.median;
    let mut entries: Vec<&EntryResult> = scenario.entries.iter().collect();
    entries.sort_by(|a, b| cpu(a).total_cmp(&cpu(b)));
    let names: Vec<String> = entries.iter().map(|e| e.id.clone()).collect();
    let rows = names.len();
    let largest = entries.iter().map(|e| cpu(e)).fold(0.0, f64::max);
    let x_end = axis_end(largest) * 1.3;
    let size = (WIDTH, chart_height(rows, &legend));
    let svg = render_svg("cpu", &scenario.name, size, &legend, |area| {
        let mut chart = Frame {
            caption: "CPU time per copy (user + system), and CPU seconds per GiB",
            rows: &names,
            label_width: row_label_width(&names),
            x_desc: "CPU time per copy (median of samples)",
            x_labels: &|x| format::duration(*x),
            y_desc: "entry",
        }
        .draw(area, 0.0..x_end)?;
        for (index, entry) in entries.iter().enumerate() {
            let y = row_y(index, rows);
            let total = entry.summary.cpu_s.median;
            match (&entry.summary.user_s, &entry.summary.sys_s) {
                (Some(user), Some(_)) => chart.draw_series([
                    bar(y, 0.0, user.median, USER_CPU.filled()),
                    bar(y, user.median, total, SYSTEM_CPU.filled()),
                ])?,
                // The split is below the accounting resolution: the exact total alone.
                _ => chart.draw_series([bar(y, 0.0, total, TOTAL_CPU.filled())])?,
            };
            let per_gib = entry
                .summary
                .cpu_s_per_gib
                .map(|cpu| format!(" · {}", format::cpu_per_gib(cpu)))
                .unwrap_or_default();
            let text = format!("{}{per_gib}", format::duration(total));
            chart.draw_series([label_after(text, total, y, x_end)])?;
        }
        Ok(())
    })?;
    Ok(Some(svg))
}
