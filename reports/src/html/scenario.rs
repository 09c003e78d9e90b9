//! A scenario's section: its parameters, tables, charts, samples to look at and warnings.

use copybench_result::ScenarioResult;

use super::conformance::write_conformance;
use super::markup::{escape, prose, write_figure, write_notes, write_table, write_warnings};
use super::Page;
use crate::charts;
use crate::{figures, table};
use crate::{format, ReportError};

pub(super) fn write_scenario(
    page: &mut Page,
    id: &str,
    level: usize,
    scenario: &ScenarioResult,
) -> Result<(), ReportError> {
    let sub = level + 1;
    let p = &scenario.parameters;
    page.line(&format!(r#"<section class="scenario" id="{id}">"#));
    page.line(&format!(
        "<h{level}>{}</h{level}>",
        escape(&format::scenario_title(scenario))
    ));
    if let Some(description) = &scenario.description {
        page.line(&format!("<p>{}</p>", escape(description)));
    }
    let fixture = if figures::is_tree(scenario) {
        format!(
            "a tree of {} files in {} directories ({} symlinks), {} in all, file sizes {}–{}",
            p.fixture.files,
            p.fixture.dirs,
            p.fixture.symlinks,
            format::bytes(p.fixture.bytes),
            p.fixture.size_min.map_or("?".to_string(), format::bytes),
            p.fixture.size_max.map_or("?".to_string(), format::bytes),
        )
    } else {
        format!("one file of {}", format::bytes(p.fixture.bytes))
    };
    page.line(&format!(
        r#"<p class="params">Copies {fixture} (seed {}); target {}; {} cache; fsync {}; {} warmup and {} samples (scale {}); reference <code>{}</code>; from <code>{}</code>.</p>"#,
        p.fixture.seed,
        escape(&p.target),
        escape(&p.cache),
        if p.fsync { "inside the timing" } else { "not timed" },
        p.warmup,
        p.samples,
        p.scale,
        escape(&scenario.reference),
        escape(&scenario.file),
    ));
    write_warnings(page, "Warnings", &scenario.warnings);

    page.line(&format!(r#"<h{sub} id="{id}-speedup">Speedup</h{sub}>"#));
    match charts::speedup::chart(scenario)? {
        Some(svg) => write_figure(
            page,
            "speedup",
            &svg,
            "Wall-time speedup over the reference: reference time ÷ entry time, paired within \
             each round; whiskers are the distribution-free 95% CI. Above 1.0 is faster.",
        ),
        None => page.line("<p>No speedups were measured.</p>"),
    }
    write_table(page, &table::summary(scenario));
    if let Some(mechanism) = table::mechanism(scenario) {
        page.line(&format!(
            r#"<h{sub} id="{id}-mechanism">What the copies did</h{sub}>"#
        ));
        page.line(
            "<p>Checked after every sample, outside the timing: whether a copy shares its \
             source's extents (FIEMAP; an O(1) reflink), whether a sparse source's holes \
             stayed holes, which strategy the engine's copies used, and on an SMB share the \
             requests the server answered for one copy.</p>",
        );
        write_table(page, &mechanism);
    }
    let calibration = crate::calibration::lines(scenario);
    if !calibration.is_empty() {
        page.line(r#"<ul class="calibration">"#);
        for line in calibration {
            page.line(&format!("<li>{}</li>", escape(&line)));
        }
        page.line("</ul>");
    }
    write_notes(page, "not measured: ", &table::scenario_notes(scenario));

    page.line(&format!(r#"<h{sub} id="{id}-cpu">CPU time</h{sub}>"#));
    if let Some(svg) = charts::cpu::chart(scenario)? {
        write_figure(
            page,
            "cpu",
            &svg,
            "Median user and system CPU time of one copy (in-process entries: getrusage; \
             peers: wait4 rusage of the child), and CPU seconds per GiB copied.",
        );
    }

    let unit = figures::syscall_unit(scenario);
    page.line(&format!(
        r#"<h{sub} id="{id}-syscalls">Syscalls per {unit}</h{sub}>"#
    ));
    match charts::syscalls::chart(scenario)? {
        Some(svg) => {
            write_figure(
                page,
                "syscalls",
                &svg,
                "Calls by syscall name, stat family first, fewest calls at the top; counted by \
                 copybench's own syscall layer, or by strace in a separate untimed run where \
                 marked [strace].",
            );
            write_table(page, &table::syscall_totals_table(scenario));
            write_table(page, &table::syscalls_by_name(scenario));
        }
        None => page.line("<p>No syscalls were counted for this scenario.</p>"),
    }

    if figures::is_tree(scenario) {
        page.line(&format!(
            r#"<h{sub} id="{id}-latency">Per-file latency</h{sub}>"#
        ));
        match charts::latency::chart(scenario)? {
            Some(svg) => write_figure(
                page,
                "latency",
                &svg,
                "Percentiles of the time to copy one file, from each entry's latency histogram.",
            ),
            None => page.line("<p>No per-file latencies were recorded.</p>"),
        }
    }

    page.line(&format!(r#"<h{sub} id="{id}-samples">Samples</h{sub}>"#));
    if let Some(svg) = charts::distribution::chart(scenario)? {
        write_figure(
            page,
            "distribution",
            &svg,
            "Every sample's wall time (dots), the quartiles (box) and the median (line); \
             outliers are flagged by the MAD rule and kept.",
        );
    }
    let sample_warnings: Vec<String> = scenario
        .entries
        .iter()
        .flat_map(charts::distribution::sample_warnings)
        .collect();
    write_warnings(page, "Samples to look at", &sample_warnings);

    page.line(&format!(
        r#"<h{sub} id="{id}-figures">All figures</h{sub}>"#
    ));
    // Two tables of about eight columns each fit the page; one of sixteen would not.
    let (time, cost) = table::figures(scenario);
    write_table(page, &time);
    write_table(page, &cost);

    if !scenario.skipped.is_empty() {
        page.line(&format!(r#"<h{sub} id="{id}-skipped">Skipped</h{sub}>"#));
        page.line(r#"<ul class="skipped">"#);
        for skipped in &scenario.skipped {
            page.line(&format!(
                "<li><code>{}</code>: {}</li>",
                escape(&skipped.id),
                prose(&skipped.reason)
            ));
        }
        page.line("</ul>");
    }

    page.line(&format!(
        r#"<h{sub} id="{id}-conformance">Conformance</h{sub}>"#
    ));
    match &scenario.conformance {
        Some(matrix) => write_conformance(page, matrix),
        None => page.line("<p>Conformance was not checked for this scenario.</p>"),
    }
    page.line("</section>");
    Ok(())
}
