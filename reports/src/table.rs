//! The tables every format shows, built once from a scenario and laid out by each format
//! (hyperfine's `markup.rs` idea): a cell is text, a column knows its alignment, and figures that
//! could not be measured are `—` with the reason in the table's notes, never a zero.

use std::collections::BTreeSet;

use copybench_result::{
    EntryResult, ExtentSharing, HoleKeeping, ScenarioResult, SyscallSource, SyscallSummary,
};

use crate::figures::{
    files_per_copy, is_tree, named_calls, syscall_totals, syscall_unit, SyscallTotals,
};
use crate::format::{self, ABSENT};

/// How a column's cells line up.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Align {
    Left,
    Right,
}

/// A column heading and its alignment.
#[derive(Clone, Debug)]
pub struct Column {
    pub title: String,
    pub align: Align,
}

impl Column {
    pub fn left(title: impl Into<String>) -> Column {
        Column {
            title: title.into(),
            align: Align::Left,
        }
    }

    pub fn right(title: impl Into<String>) -> Column {
        Column {
            title: title.into(),
            align: Align::Right,
        }
    }
}

/// A table of text cells, with notes saying why a `—` cell is empty.
#[derive(Clone, Debug, Default)]
pub struct Table {
    pub columns: Vec<Column>,
    pub rows: Vec<Vec<String>>,
    pub notes: Vec<Note>,
}

/// Why a cell is empty: `subject`'s `figure` was not measured (or not run), for `reason`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Note {
    /// What is missing, as a reader calls it (`syscalls`, `CPU s/GiB`); empty when the whole
    /// subject is (a skipped entry).
    pub figure: String,
    pub subject: String,
    pub reason: String,
}

/// The notes of several tables as lines, each reason once with every figure and subject it
/// applies to: `syscalls of auto (child), peer:cp: child processes are counted only with …`,
/// `user CPU and system CPU of lean, scandir: …`.
pub fn grouped_notes<'a>(notes: impl IntoIterator<Item = &'a Note>) -> Vec<String> {
    // First the subjects of each (figure, reason), then the figures of each (subjects, reason).
    let mut by_figure: Vec<(&str, &str, Vec<&str>)> = vec![];
    for note in notes {
        match by_figure
            .iter_mut()
            .find(|(figure, reason, _)| *figure == note.figure && *reason == note.reason)
        {
            Some((_, _, subjects)) => {
                if !subjects.contains(&note.subject.as_str()) {
                    subjects.push(&note.subject);
                }
            }
            None => by_figure.push((&note.figure, &note.reason, vec![&note.subject])),
        }
    }
    let mut lines: Vec<(Vec<&str>, &str, Vec<&str>)> = vec![];
    for (figure, reason, subjects) in by_figure {
        match lines
            .iter_mut()
            .find(|(s, r, _)| *r == reason && *s == subjects)
        {
            Some((_, _, figures)) => figures.push(figure),
            None => lines.push((subjects, reason, vec![figure])),
        }
    }
    lines
        .into_iter()
        .map(|(subjects, reason, figures)| {
            let subjects = subjects.join(", ");
            let figures: Vec<&str> = figures.into_iter().filter(|f| !f.is_empty()).collect();
            if figures.is_empty() {
                format!("{subjects}: {reason}")
            } else {
                format!("{} of {subjects}: {reason}", figures.join(" and "))
            }
        })
        .collect()
}

/// Every note of the tables a scenario shows, grouped ([`grouped_notes`]): what each format
/// prints once per scenario under "not measured".
pub fn scenario_notes(scenario: &ScenarioResult) -> Vec<String> {
    let mut tables = vec![
        summary(scenario),
        syscall_totals_table(scenario),
        figures(scenario).0,
    ];
    tables.extend(mechanism(scenario));
    grouped_notes(tables.iter().flat_map(|t| &t.notes))
}

impl Table {
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }
}

/// The reason an entry's figure (a key of its `unmeasured` map) is absent.
fn absent_note(entry: &EntryResult, figure: &str, fallback: &str) -> Note {
    let reason = entry
        .unmeasured
        .get(figure)
        .map(String::as_str)
        .unwrap_or(fallback);
    Note {
        figure: figure_name(figure).to_string(),
        subject: entry.id.clone(),
        reason: reason.to_string(),
    }
}

/// What a reader calls a figure of the result.
fn figure_name(key: &str) -> &str {
    match key {
        "cpu_s_per_gib" => "CPU s/GiB",
        "user_s" => "user CPU",
        "sys_s" => "system CPU",
        "ci" => "wall-time interval",
        "throughput_mib_s" => "throughput",
        "peak_rss_bytes" => "peak RSS",
        "path_stats" => "path stats",
        "latency" => "per-file latency",
        other => other,
    }
}

/// The summary every format leads with: wall time, speedup with its CI, CPU, syscalls.
pub fn summary(scenario: &ScenarioResult) -> Table {
    let unit = syscall_unit(scenario);
    let tree = is_tree(scenario);
    let mut columns = vec![
        Column::left("entry"),
        Column::left("kind"),
        Column::right("wall (median)"),
        Column::right("speedup [95% CI]"),
        Column::right("user"),
        Column::right("sys"),
        Column::right("CPU s/GiB"),
    ];
    if tree {
        columns.push(Column::right("stat/file"));
    }
    columns.push(Column::right(format!("syscalls/{unit}")));
    let (memcpy, start) = limit_columns(scenario, &mut columns);
    let mut table = Table {
        columns,
        ..Table::default()
    };
    for entry in &scenario.entries {
        let s = &entry.summary;
        let mut absent = |figure: &str| {
            table.notes.push(absent_note(entry, figure, "not recorded"));
            ABSENT.to_string()
        };
        let mut row = vec![
            entry.id.clone(),
            kind_name(entry).to_string(),
            format::duration(s.wall_s.median),
            match &entry.speedup {
                Some(speedup) => format!(
                    "{}{}",
                    format::speedup(speedup),
                    against_mark(scenario, speedup)
                ),
                None if entry.id == scenario.reference => "reference".to_string(),
                None => absent("speedup"),
            },
            s.user_s
                .as_ref()
                .map_or_else(|| absent("user_s"), |e| format::duration(e.median)),
            s.sys_s
                .as_ref()
                .map_or_else(|| absent("sys_s"), |e| format::duration(e.median)),
            s.cpu_s_per_gib.map_or_else(
                || absent("cpu_s_per_gib"),
                |cpu| format::significant(cpu, 3),
            ),
        ];
        let (stat_family, total) = match &entry.syscalls {
            Some(syscalls) => {
                let (_, stat_family, total) = syscall_totals(scenario, syscalls);
                (format::count(stat_family), format::count(total))
            }
            None => {
                let cell = absent("syscalls");
                (cell.clone(), cell)
            }
        };
        if tree {
            row.push(stat_family);
        }
        row.push(total);
        limit_cells(entry, memcpy, start, &mut row);
        table.rows.push(row);
    }
    table
}

/// Speedups only, for the Markdown summary: entry, speedup, CI, pairs, median wall.
pub fn speedups(scenario: &ScenarioResult) -> Table {
    let mut columns = vec![
        Column::left("entry"),
        Column::left("kind"),
        Column::right("speedup"),
        Column::right("95% CI"),
        Column::right("pairs"),
        Column::right("wall (median)"),
    ];
    let (memcpy, start) = limit_columns(scenario, &mut columns);
    let mut table = Table {
        columns,
        ..Table::default()
    };
    for entry in &scenario.entries {
        let (median, interval, pairs) = match &entry.speedup {
            Some(s) => (
                format!("{}{}", format::ratio(s.median), against_mark(scenario, s)),
                format::speedup_ci(s),
                s.pairs.to_string(),
            ),
            None if entry.id == scenario.reference => {
                ("reference".to_string(), String::new(), String::new())
            }
            None => {
                table
                    .notes
                    .push(absent_note(entry, "speedup", "not recorded"));
                (ABSENT.to_string(), String::new(), String::new())
            }
        };
        let mut row = vec![
            entry.id.clone(),
            kind_name(entry).to_string(),
            median,
            interval,
            pairs,
            format::duration(entry.summary.wall_s.median),
        ];
        limit_cells(entry, memcpy, start, &mut row);
        table.rows.push(row);
    }
    table
}

/// Syscall totals per file (trees) or per copy (files). The path-stat column is left out when
/// no entry's counter split stats by path and descriptor, and the "counted by" column when every
/// count came from copybench's own layer (it would say the same on every row).
pub fn syscall_totals_table(scenario: &ScenarioResult) -> Table {
    let unit = syscall_unit(scenario);
    let totals: Vec<(&EntryResult, Option<SyscallTotals>)> = scenario
        .entries
        .iter()
        .map(|e| (e, e.syscalls.as_ref().map(|s| syscall_totals(scenario, s))))
        .collect();
    let with_path_stats = totals
        .iter()
        .any(|(_, t)| matches!(t, Some((Some(_), _, _))));
    let with_source = scenario
        .entries
        .iter()
        .filter_map(|e| e.syscalls.as_ref())
        .any(|s| s.source != SyscallSource::Counted);
    let mut columns = vec![Column::left("entry")];
    if with_path_stats {
        columns.push(Column::right(format!("path stats/{unit}")));
    }
    columns.extend([
        Column::right(format!("stat family/{unit}")),
        Column::right(format!("total/{unit}")),
    ]);
    if with_source {
        columns.push(Column::left("counted by"));
    }
    let mut table = Table {
        columns,
        ..Table::default()
    };
    for (entry, totals) in totals {
        let (Some((path_stats, stat_family, total)), Some(syscalls)) = (totals, &entry.syscalls)
        else {
            table
                .notes
                .push(absent_note(entry, "syscalls", "not recorded"));
            continue;
        };
        let mut row = vec![entry.id.clone()];
        if with_path_stats {
            row.push(match path_stats {
                Some(calls) => format::count(calls),
                None => {
                    table.notes.push(absent_note(
                        entry,
                        "path_stats",
                        "its counter does not split stats by path and descriptor",
                    ));
                    ABSENT.to_string()
                }
            });
        }
        row.extend([format::count(stat_family), format::count(total)]);
        if with_source {
            row.push(counted_by(syscalls).to_string());
        }
        table.rows.push(row);
    }
    table
}

/// Where an entry's syscall counts came from, in words.
pub fn counted_by(syscalls: &SyscallSummary) -> &'static str {
    match syscalls.source {
        SyscallSource::Counted => "copybench",
        SyscallSource::Strace => "strace (untimed run)",
    }
}

/// Calls by syscall name (rows) for each entry with counts (columns), per file or per copy.
pub fn syscalls_by_name(scenario: &ScenarioResult) -> Table {
    let counted: Vec<&EntryResult> = scenario
        .entries
        .iter()
        .filter(|e| e.syscalls.is_some())
        .collect();
    let names: BTreeSet<&str> = counted
        .iter()
        .filter_map(|e| e.syscalls.as_ref())
        .flat_map(|s| named_calls(s).map(|(name, _)| name))
        .collect();
    let files = files_per_copy(scenario);
    let mut columns = vec![Column::left(format!(
        "syscall per {}",
        syscall_unit(scenario)
    ))];
    columns.extend(counted.iter().map(|e| Column::right(e.id.clone())));
    let mut table = Table {
        columns,
        ..Table::default()
    };
    for name in names {
        let mut row = vec![name.to_string()];
        for entry in &counted {
            let calls = entry
                .syscalls
                .as_ref()
                .and_then(|s| s.calls.get(name))
                .copied()
                .unwrap_or(0);
            row.push(format::count(calls as f64 / files));
        }
        table.rows.push(row);
    }
    table
}

/// Columns of [`figures`]' first table (the entry and its timing); the rest are costs.
const TIMING_COLUMNS: usize = 8;

/// Every figure of every entry, for the HTML report: its timing (samples, wall time, speedup),
/// then its costs (CPU, throughput, memory, outliers, per-file latency), each table narrow
/// enough to fit a page. The notes are on the first.
pub fn figures(scenario: &ScenarioResult) -> (Table, Table) {
    let all = all_figures(scenario);
    let split = |range: std::ops::Range<usize>, notes: Vec<Note>| Table {
        columns: std::iter::once(all.columns[0].clone())
            .chain(all.columns[range.clone()].iter().cloned())
            .collect(),
        rows: all
            .rows
            .iter()
            .map(|row| {
                std::iter::once(row[0].clone())
                    .chain(row[range.clone()].iter().cloned())
                    .collect()
            })
            .collect(),
        notes,
    };
    (
        split(1..TIMING_COLUMNS, all.notes.clone()),
        split(TIMING_COLUMNS..all.columns.len(), vec![]),
    )
}

fn all_figures(scenario: &ScenarioResult) -> Table {
    let tree = is_tree(scenario);
    let mut columns = vec![
        Column::left("entry"),
        Column::left("timed as"),
        Column::right("samples"),
        Column::right("wall median"),
        Column::right("wall 95% CI"),
        Column::right("wall min – max"),
        Column::right("speedup"),
        Column::right("speedup 95% CI"),
        Column::right("user"),
        Column::right("sys"),
        Column::right("throughput"),
        Column::right("CPU per GiB"),
        Column::right("peak RSS"),
        Column::right("outliers"),
    ];
    if tree {
        columns.extend(
            ["latency p50", "p90", "p99", "max"]
                .into_iter()
                .map(Column::right),
        );
    }
    let mut table = Table {
        columns,
        ..Table::default()
    };
    let span =
        |low: f64, high: f64| format!("{} – {}", format::duration(low), format::duration(high));
    for entry in &scenario.entries {
        let s = &entry.summary;
        let mut absent = |figure: &str| {
            table.notes.push(absent_note(entry, figure, "not recorded"));
            ABSENT.to_string()
        };
        let (speedup, speedup_ci) = match &entry.speedup {
            Some(sp) => (
                format::ratio(sp.median),
                format!("{} ({} pairs)", format::speedup_ci(sp), sp.pairs),
            ),
            None if entry.id == scenario.reference => ("reference".to_string(), String::new()),
            None => (absent("speedup"), String::new()),
        };
        let mut row = vec![
            entry.id.clone(),
            match entry.timed_as {
                copybench_result::TimedAs::InProcess => "in process",
                copybench_result::TimedAs::ChildProcess => "child process",
            }
            .to_string(),
            entry.samples.len().to_string(),
            format::duration(s.wall_s.median),
            s.wall_s
                .ci
                .as_ref()
                .map_or_else(|| absent("ci"), |ci| span(ci.low, ci.high)),
            span(s.wall_s.min, s.wall_s.max),
            speedup,
            speedup_ci,
            s.user_s
                .as_ref()
                .map_or_else(|| absent("user_s"), |e| format::duration(e.median)),
            s.sys_s
                .as_ref()
                .map_or_else(|| absent("sys_s"), |e| format::duration(e.median)),
            s.throughput_mib_s.as_ref().map_or_else(
                || absent("throughput_mib_s"),
                |t| format::throughput(t.median),
            ),
            s.cpu_s_per_gib
                .map_or_else(|| absent("cpu_s_per_gib"), format::cpu_per_gib),
            s.peak_rss_bytes
                .map_or_else(|| absent("peak_rss_bytes"), format::bytes),
            s.outliers.to_string(),
        ];
        if tree {
            match &s.latency {
                Some(l) => row.extend(
                    [l.p50_ns, l.p90_ns, l.p99_ns, l.max_ns]
                        .into_iter()
                        .map(format::duration_ns),
                ),
                None => {
                    let cell = absent("latency");
                    row.extend(std::iter::repeat_n(cell, 4));
                }
            }
        }
        table.rows.push(row);
    }
    table
}

/// `strategy`, `walker` or `peer`.
pub fn kind_name(entry: &EntryResult) -> &'static str {
    match entry.kind {
        copybench_result::EntryKind::Strategy => "strategy",
        copybench_result::EntryKind::Walker => "walker",
        copybench_result::EntryKind::Peer => "peer",
    }
}

/// What each entry's copies really did (`entries[].mechanism`) and, on an SMB share, the
/// requests one copy made: `None` when no entry was checked, so formats leave the section out.
pub fn mechanism(scenario: &ScenarioResult) -> Option<Table> {
    let entries: Vec<&EntryResult> = scenario
        .entries
        .iter()
        .filter(|e| e.mechanism.is_some() || e.requests.is_some())
        .collect();
    if entries.is_empty() {
        return None;
    }
    let holes = entries
        .iter()
        .any(|e| e.mechanism.as_ref().is_some_and(|m| m.holes.is_some()));
    let requests = entries.iter().any(|e| e.requests.is_some());
    let unit = syscall_unit(scenario);
    let mut columns = vec![
        Column::left("entry"),
        Column::left("extents"),
        Column::left("strategy used"),
    ];
    if holes {
        columns.push(Column::left("holes"));
    }
    if requests {
        columns.push(Column::right(format!("SMB2 requests/{unit}")));
    }
    let mut table = Table {
        columns,
        ..Table::default()
    };
    for entry in entries {
        let mut row = vec![entry.id.clone()];
        match &entry.mechanism {
            Some(m) => {
                row.push(match (m.extents, m.shared_fraction) {
                    (Some(extents), Some(fraction)) => {
                        let name = ExtentSharing::name(extents);
                        match extents {
                            ExtentSharing::PartlyShared | ExtentSharing::Varies => {
                                format!("{name} ({} shared)", format::percent(fraction))
                            }
                            _ => name.to_string(),
                        }
                    }
                    _ => {
                        table.notes.push(absent_note(
                            entry,
                            "mechanism.shared_bytes",
                            "not checked",
                        ));
                        ABSENT.to_string()
                    }
                });
                row.push(strategies_used(m));
                if holes {
                    row.push(match (m.holes, m.holes_kept_fraction) {
                        (Some(h), Some(f)) => {
                            format!("{} ({} kept)", holes_name(h), format::percent(f))
                        }
                        _ => ABSENT.to_string(),
                    });
                }
            }
            None => {
                row.push(ABSENT.to_string());
                row.push(ABSENT.to_string());
                if holes {
                    row.push(ABSENT.to_string());
                }
            }
        }
        if requests {
            row.push(match &entry.requests {
                Some(r) => match r.per_file {
                    Some(per_file) => format::significant(per_file, 3),
                    None => format::count(r.total as f64),
                },
                None => {
                    table
                        .notes
                        .push(absent_note(entry, "requests", "not counted"));
                    ABSENT.to_string()
                }
            });
        }
        table.rows.push(row);
    }
    Some(table)
}

fn holes_name(holes: HoleKeeping) -> &'static str {
    match holes {
        HoleKeeping::Kept => "kept",
        HoleKeeping::Filled => "filled",
        HoleKeeping::PartlyKept => "partly kept",
    }
}

/// `reflink`, or `copy_file_range (after reflink: EOPNOTSUPP)`; `—` for a peer, which does not
/// say.
fn strategies_used(m: &copybench_result::Mechanism) -> String {
    if m.strategies_used.is_empty() {
        return ABSENT.to_string();
    }
    let used: Vec<&str> = m.strategies_used.keys().map(String::as_str).collect();
    let mut text = used.join(", ");
    if !m.fallbacks.is_empty() {
        let gave_up: Vec<&str> = m.fallbacks.keys().map(String::as_str).collect();
        text.push_str(&format!(" (after {})", gave_up.join(", ")));
    }
    text
}

/// Adds the "× memcpy" and "start" columns when some entry has those figures; says which.
fn limit_columns(scenario: &ScenarioResult, columns: &mut Vec<Column>) -> (bool, bool) {
    let memcpy = scenario.entries.iter().any(|e| e.memcpy_multiple.is_some());
    let start = scenario.entries.iter().any(|e| e.startup_s.is_some());
    if memcpy {
        columns.push(Column::right("× memcpy"));
    }
    if start {
        columns.push(Column::right("start"));
    }
    (memcpy, start)
}

/// The cells of [`limit_columns`] for `entry`.
fn limit_cells(entry: &EntryResult, memcpy: bool, start: bool, row: &mut Vec<String>) {
    if memcpy {
        row.push(
            entry
                .memcpy_multiple
                .as_ref()
                .map_or_else(|| ABSENT.to_string(), |m| format!("{:.1}×", m.median)),
        );
    }
    if start {
        row.push(
            entry
                .startup_s
                .map_or_else(String::new, |s| format!("+{}", format::duration(s))),
        );
    }
}

/// `†` for a speedup against the reference timed as a child (see `calibration::lines`).
fn against_mark(scenario: &ScenarioResult, speedup: &copybench_result::Speedup) -> &'static str {
    if speedup.against.is_empty() || speedup.against == scenario.reference {
        ""
    } else {
        crate::calibration::AGAINST_CHILD
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn notes_with_the_same_reason_are_one_line() {
        let note = |subject: &str, figure: &str, reason: &str| Note {
            figure: figure.into(),
            subject: subject.into(),
            reason: reason.into(),
        };
        let notes = [
            note(
                "auto (child)",
                "syscalls",
                "children are counted with --count-syscalls",
            ),
            note(
                "peer:cp",
                "syscalls",
                "children are counted with --count-syscalls",
            ),
            note(
                "peer:cp",
                "syscalls",
                "children are counted with --count-syscalls",
            ),
            note("peer:cp", "peak RSS", "not recorded"),
            note("peer:rsync in #2", "", "skipped: rsync not found"),
            note("lean", "user CPU", "below the tick"),
            note("lean", "system CPU", "below the tick"),
        ];
        assert_eq!(
            grouped_notes(&notes),
            [
                "syscalls of auto (child), peer:cp: children are counted with --count-syscalls",
                "peak RSS of peer:cp: not recorded",
                "peer:rsync in #2: skipped: rsync not found",
                "user CPU and system CPU of lean: below the tick",
            ]
        );
    }

    #[test]
    fn all_figures_are_two_tables_that_share_the_entry_column() {
        let result = copybench_testkit::results::result("result.json");
        let tree = &result.scenarios[1];
        let (time, cost) = figures(tree);
        assert_eq!(time.columns[0].title, "entry");
        assert_eq!(cost.columns[0].title, "entry");
        assert_eq!(
            time.columns.len() + cost.columns.len(),
            all_figures(tree).columns.len() + 1
        );
        assert!(time.rows.iter().zip(&cost.rows).all(|(t, c)| t[0] == c[0]));
    }

    use super::*;

    #[test]
    fn an_absent_figure_is_a_dash_with_its_reason() {
        let mut result = copybench_testkit::results::result("result.json");
        let scenario = &mut result.scenarios[0];
        scenario.entries[1].speedup = None;
        scenario.entries[1]
            .unmeasured
            .insert("speedup".into(), "no paired rounds".into());
        let table = summary(scenario);
        assert_eq!(table.rows[1][3], ABSENT);
        assert!(scenario_notes(scenario).contains(&"speedup of sendfile: no paired rounds".into()));
        assert_eq!(table.rows[0][3], "reference");
    }

    #[test]
    fn the_mechanism_table_says_how_each_entry_copied_and_is_left_out_when_nothing_was_checked() {
        let mut result = copybench_testkit::results::result("result.json");
        let scenario = &mut result.scenarios[0];
        for entry in &mut scenario.entries {
            entry.mechanism = None;
            entry.requests = None;
        }
        assert!(mechanism(scenario).is_none());
        scenario.entries[0].mechanism = Some(copybench_result::Mechanism {
            extents: Some(ExtentSharing::PartlyShared),
            shared_fraction: Some(0.9975),
            source_data_bytes: Some(4 << 20),
            holes: Some(HoleKeeping::Filled),
            holes_kept_fraction: Some(0.0),
            strategies_used: [("copy_file_range".to_owned(), 3)].into(),
            fallbacks: [("reflink: EOPNOTSUPP".to_owned(), 1)].into(),
            contradiction: None,
        });
        let table = mechanism(scenario).unwrap();
        assert_eq!(table.rows.len(), 1);
        assert_eq!(table.rows[0][1], "partly shared (99.8 % shared)");
        assert_eq!(
            table.rows[0][2],
            "copy_file_range (after reflink: EOPNOTSUPP)"
        );
        assert_eq!(table.rows[0][3], "filled (0 % kept)");
    }
}
