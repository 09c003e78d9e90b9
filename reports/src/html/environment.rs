//! The environment a result was measured in: machine, kernel, filesystems, tools, and the
//! CPython interpreters found.

use copybench_result::RunResult;

use super::markup::{escape, write_table};
use super::Page;
use crate::format;
use crate::table::{self, Table};

pub(super) fn write_environment(page: &mut Page, index: usize, level: usize, result: &RunResult) {
    let env = &result.environment;
    let sub = level + 1;
    page.line(&format!(
        r#"<section class="environment" id="r{}-environment">"#,
        index + 1
    ));
    page.line(&format!("<h{level}>Environment</h{level}>"));
    let commit = result.copybench.git_commit.as_deref().unwrap_or("unknown");
    let rows = [
        (
            "host",
            env.hostname
                .clone()
                .unwrap_or_else(|| "unknown".to_string()),
        ),
        ("CPU", format::optional(env.cpu_model.as_deref())),
        (
            "cores",
            match env.physical_cores {
                Some(physical) => format!(
                    "{} logical, {physical} physical",
                    format::optional(env.logical_cores)
                ),
                None => format!("{} logical", format::optional(env.logical_cores)),
            },
        ),
        (
            "memory",
            format::optional(env.memory_bytes.map(format::bytes)),
        ),
        ("OS", env.os.clone()),
        ("kernel", format::optional(env.kernel.as_deref())),
        (
            "copybench",
            format!("{} (commit {commit})", result.copybench.version),
        ),
        (
            "run",
            format!("{} to {}", result.started_at, result.finished_at),
        ),
    ];
    page.line(r#"<table class="environment">"#);
    page.line("<tbody>");
    for (key, value) in rows {
        page.line(&format!(
            r#"<tr><th scope="row">{key}</th><td>{}</td></tr>"#,
            escape(&value)
        ));
    }
    for line in crate::delete_wait::lines(result) {
        page.line(&format!(
            r#"<tr><th scope="row">recent deletions</th><td>{}</td></tr>"#,
            escape(&line)
        ));
    }
    page.line("</tbody>");
    page.line("</table>");

    page.line(&format!("<h{sub}>Filesystems</h{sub}>"));
    let mut filesystems = Table {
        columns: [
            "role",
            "path",
            "type",
            "mount point",
            "mount options",
            "device",
        ]
        .into_iter()
        .map(table::Column::left)
        .collect(),
        ..Table::default()
    };
    for fs in &env.filesystems {
        filesystems.rows.push(vec![
            fs.role.clone(),
            fs.path.clone(),
            fs.fs_type.clone(),
            format::optional(fs.mount_point.as_deref()),
            format::optional(fs.mount_options.as_deref()),
            fs.device.clone(),
        ]);
    }
    write_table(page, &filesystems);

    page.line(&format!("<h{sub}>Tools</h{sub}>"));
    let mut tools = Table {
        columns: ["tool", "path", "version"]
            .into_iter()
            .map(table::Column::left)
            .collect(),
        ..Table::default()
    };
    for (name, tool) in &env.tools {
        tools.rows.push(vec![
            name.clone(),
            tool.path
                .clone()
                .unwrap_or_else(|| format::ABSENT.to_string()),
            match (&tool.version, &tool.unavailable) {
                (Some(version), _) => version.clone(),
                (None, Some(why)) => format!("unavailable: {why}"),
                (None, None) => format::ABSENT.to_string(),
            },
        ]);
    }
    write_table(page, &tools);

    if !env.interpreters.is_empty() {
        page.line(&format!("<h{sub}>CPython interpreters</h{sub}>"));
        let mut interpreters = Table {
            columns: ["version", "executable", "found as", "found by"]
                .into_iter()
                .map(table::Column::left)
                .collect(),
            ..Table::default()
        };
        for i in &env.interpreters {
            let version = match (&i.unavailable, i.default_python3) {
                (Some(why), _) => format!("unavailable: {why}"),
                (None, true) => format!("{} (python3)", i.version),
                (None, false) => i.version.clone(),
            };
            interpreters.rows.push(vec![
                version,
                i.executable.clone(),
                i.found_as.clone(),
                i.origin.clone(),
            ]);
        }
        write_table(page, &interpreters);
    }
    page.line("</section>");
}
