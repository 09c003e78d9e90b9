//! CPU time per entry: median user and system time as stacked bars, annotated with the CPU
//! seconds per GiB copied (the cost that stays when wall time is hidden by I/O).

use copybench_result::ScenarioResult;
use plotters::prelude::*;

use super::{
    annotation_style, axis_end, caption_style, chart_height, label_style, render_svg, row_label,
    row_label_width, row_y, rows_axis, LegendItem, Mark, SYSTEM_CPU, USER_CPU, WIDTH,
};
use crate::{format, ReportError};

/// The CPU chart of `scenario`, or `None` when it has no entries.
pub fn chart(scenario: &ScenarioResult) -> Result<Option<String>, ReportError> {
    if scenario.entries.is_empty() {
        return Ok(None);
    }
    let legend = vec![
        LegendItem::new(Mark::Bar(USER_CPU), "user CPU (median)"),
        LegendItem::new(Mark::Bar(SYSTEM_CPU), "system CPU (median)"),
    ];
    let names: Vec<String> = scenario.entries.iter().map(|e| e.id.clone()).collect();
    let rows = names.len();
    let largest = scenario
        .entries
        .iter()
        .map(|e| e.summary.user_s.median + e.summary.sys_s.median)
        .fold(0.0, f64::max);
    let x_end = axis_end(largest) * 1.3;
    let size = (WIDTH, chart_height(rows, &legend));
    let svg = render_svg("cpu", &scenario.name, size, &legend, |area| {
        let mut chart = ChartBuilder::on(area)
            .caption(
                "CPU time per copy (user + system), and CPU seconds per GiB",
                caption_style(),
            )
            .margin(12)
            .x_label_area_size(44)
            .y_label_area_size(row_label_width(&names))
            .build_cartesian_2d(0.0..x_end, rows_axis(rows))?;
        let label = row_label(&names);
        let seconds = |x: &f64| format::duration(*x);
        chart
            .configure_mesh()
            .disable_y_mesh()
            .y_labels(rows)
            .y_label_formatter(&label)
            .x_label_formatter(&seconds)
            .x_desc("CPU time per copy (median of samples)")
            .y_desc("entry")
            .label_style(label_style())
            .axis_desc_style(label_style())
            .max_light_lines(2)
            .light_line_style(RGBColor(0xf2, 0xf2, 0xf2))
            .draw()?;
        for (index, entry) in scenario.entries.iter().enumerate() {
            let y = row_y(index, rows);
            let user = entry.summary.user_s.median;
            let system = entry.summary.sys_s.median;
            chart.draw_series([
                Rectangle::new([(0.0, y - 0.32), (user, y + 0.32)], USER_CPU.filled()),
                Rectangle::new(
                    [(user, y - 0.32), (user + system, y + 0.32)],
                    SYSTEM_CPU.filled(),
                ),
            ])?;
            let per_gib = entry
                .summary
                .cpu_s_per_gib
                .map(|cpu| format!(" · {}", format::cpu_per_gib(cpu)))
                .unwrap_or_default();
            chart.draw_series(std::iter::once(Text::new(
                format!("{}{per_gib}", format::duration(user + system)),
                (user + system + x_end * 0.01, y),
                annotation_style(),
            )))?;
        }
        Ok(())
    })?;
    Ok(Some(svg))
}
