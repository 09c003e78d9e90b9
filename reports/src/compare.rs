//! Comparing several results: which environments differ (a speedup measured on ext4 is not one
//! measured on tmpfs), and the same scenario's speedups side by side.

use std::collections::BTreeSet;

use copybench_gate::{CompareError, ScenarioVerdicts, Thresholds, SPEEDUP};
use copybench_result::{EntryResult, Environment, RunResult, ScenarioResult};

use crate::format::{self, ABSENT};
use crate::headline;
use crate::table::{Column, Note, Table};
use crate::verdicts;

/// The short name of the `index`th result in tables and legends: `#1`.
pub fn result_number(index: usize) -> String {
    format!("#{}", index + 1)
}

/// A label that tells runs apart: number, host, commit, filesystems copied on, start time:
/// `#1 bench-1 · ec21be2 · ext4 · 2026-11-21 23:10:04Z`.
pub fn result_label(index: usize, result: &RunResult) -> String {
    let mut parts = vec![format::host(&result.environment).to_string()];
    if let Some(commit) = &result.copybench.git_commit {
        parts.push(format::short_commit(commit).to_string());
    }
    let filesystems = copied_on(&result.environment);
    if !filesystems.is_empty() {
        parts.push(filesystems);
    }
    parts.push(format::time(&result.started_at));
    format!("{} {}", result_number(index), parts.join(" · "))
}

/// The filesystem types a run read from and wrote to (`ext4`, `ext4/tmpfs`).
fn copied_on(environment: &Environment) -> String {
    let mut types: Vec<&str> = vec![];
    for fs in environment
        .filesystems
        .iter()
        .filter(|fs| fs.role == "source" || fs.role == "target")
    {
        if !types.contains(&fs.fs_type.as_str()) {
            types.push(&fs.fs_type);
        }
    }
    types.join("/")
}

/// One line per environment property whose value differs between results:
/// `different kernel: #1 6.1.0 · #2 6.8.0`.
pub fn environment_differences(results: &[RunResult]) -> Vec<String> {
    let properties: [Property<RunResult>; 9] = [
        ("CPU", |r| {
            format::optional(r.environment.cpu_model.as_deref())
        }),
        ("logical cores", |r| {
            format::optional(r.environment.logical_cores)
        }),
        ("memory", |r| {
            format::optional(r.environment.memory_bytes.map(format::bytes))
        }),
        ("OS", |r| r.environment.os.clone()),
        ("kernel", |r| {
            format::optional(r.environment.kernel.as_deref())
        }),
        ("filesystems", |r| filesystems(&r.environment)),
        ("tools", |r| tools(&r.environment)),
        ("copybench version", |r| r.copybench.version.clone()),
        ("copybench commit", |r| {
            r.copybench
                .git_commit
                .as_deref()
                .map(|c| format::short_commit(c).to_string())
                .unwrap_or_else(|| "unknown".to_string())
        }),
    ];
    let all: Vec<Option<&RunResult>> = results.iter().map(Some).collect();
    differences(&all, &properties)
}

/// A property compared across results: its name, and its value in one of them.
type Property<T> = (&'static str, fn(&T) -> String);

/// One line per property whose value differs between the `items` present, each value listed
/// with its result's number (`None` items are results without it, skipped but still counted).
fn differences<T>(items: &[Option<&T>], properties: &[Property<T>]) -> Vec<String> {
    let mut differences = vec![];
    for (name, value_of) in properties {
        let values: Vec<(usize, String)> = items
            .iter()
            .enumerate()
            .filter_map(|(i, item)| item.map(|item| (i, value_of(item))))
            .collect();
        let distinct: BTreeSet<&String> = values.iter().map(|(_, v)| v).collect();
        if distinct.len() > 1 {
            let listed = values
                .iter()
                .map(|(i, v)| format!("#{} {v}", i + 1))
                .collect::<Vec<_>>()
                .join(" · ");
            differences.push(format!("different {name}: {listed}"));
        }
    }
    differences
}

fn filesystems(environment: &Environment) -> String {
    environment
        .filesystems
        .iter()
        .map(|fs| {
            format!(
                "{} {} ({})",
                fs.role,
                fs.fs_type,
                format::optional(fs.mount_options.as_deref())
            )
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn tools(environment: &Environment) -> String {
    environment
        .tools
        .iter()
        .map(|(name, tool)| {
            let version = tool.version.as_deref().unwrap_or("absent");
            format!("{name} {version}")
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Scenario names in the order they first appear across the results.
pub fn scenario_names(results: &[RunResult]) -> Vec<String> {
    let mut names: Vec<String> = vec![];
    for scenario in results.iter().flat_map(|r| &r.scenarios) {
        if !names.contains(&scenario.name) {
            names.push(scenario.name.clone());
        }
    }
    names
}

/// Each result's run of scenario `name`, `None` where a result did not run it.
pub fn runs_of<'a>(results: &'a [RunResult], name: &str) -> Vec<Option<&'a ScenarioResult>> {
    results
        .iter()
        .map(|r| r.scenarios.iter().find(|s| s.name == name))
        .collect()
}

/// Entry ids of the scenario in any of its runs, in first-seen order.
pub fn entry_ids(runs: &[Option<&ScenarioResult>]) -> Vec<String> {
    let mut ids: Vec<String> = vec![];
    for entry in runs.iter().flatten().flat_map(|s| &s.entries) {
        if !ids.contains(&entry.id) {
            ids.push(entry.id.clone());
        }
    }
    ids
}

/// Warnings about the same scenario run differently (another size, reference, cache state).
pub fn parameter_differences(runs: &[Option<&ScenarioResult>]) -> Vec<String> {
    let properties: [Property<ScenarioResult>; 6] = [
        ("reference", |s| s.reference.clone()),
        ("fixture size", |s| {
            format::bytes(s.parameters.fixture.bytes)
        }),
        ("files", |s| s.parameters.fixture.files.to_string()),
        ("target", |s| s.parameters.target.clone()),
        ("cache", |s| s.parameters.cache.clone()),
        ("samples", |s| s.parameters.samples.to_string()),
    ];
    differences(runs, &properties)
}

/// What one result measured of one entry.
enum Cell<'a> {
    NotRun,
    Skipped,
    Absent,
    Measured(&'a EntryResult, &'a ScenarioResult),
}

fn cell<'a>(run: Option<&'a ScenarioResult>, id: &str) -> Cell<'a> {
    let Some(scenario) = run else {
        return Cell::NotRun;
    };
    match scenario.entries.iter().find(|e| e.id == id) {
        Some(entry) => Cell::Measured(entry, scenario),
        None if scenario.skipped.iter().any(|s| s.id == id) => Cell::Skipped,
        None => Cell::Absent,
    }
}

/// The speedup of a measured entry: `1.26× [1.22, 1.30]`, `reference`, or `—`.
fn speedup_text(entry: &EntryResult, scenario: &ScenarioResult) -> String {
    match &entry.speedup {
        Some(s) => format::speedup(s),
        None if entry.id == scenario.reference => "reference".to_string(),
        None => ABSENT.to_string(),
    }
}

/// The gate's verdicts on each result's run of scenario `name` against the first result's,
/// the first result itself having none: `None` where either did not run it.
pub fn verdicts_against_first(
    results: &[RunResult],
    name: &str,
    thresholds: &Thresholds,
) -> Vec<Option<Result<ScenarioVerdicts, CompareError>>> {
    let runs = runs_of(results, name);
    let Some(first) = results.first() else {
        return Vec::new();
    };
    runs.iter()
        .enumerate()
        .map(|(index, run)| match (index, runs[0], run) {
            (0, _, _) | (_, None, _) | (_, _, None) => None,
            (_, Some(baseline), Some(run)) => {
                let pair = thresholds.for_pair(&first.environment, &results[index].environment);
                Some(copybench_gate::compare_scenario(baseline, run, &pair))
            }
        })
        .collect()
}

/// Entries (rows) × results: each result's speedup, its change from the first result with the
/// gate's verdict (the same `copybench gate` gives with these thresholds), then each result's
/// median wall time and its change. Skipped entries are noted with the reason.
pub fn comparison_table(results: &[RunResult], name: &str, thresholds: &Thresholds) -> Table {
    let runs = runs_of(results, name);
    let judged = verdicts_against_first(results, name, thresholds);
    let numbers: Vec<String> = (0..results.len()).map(result_number).collect();
    let mut columns = vec![Column::left("entry")];
    let changes = |what: &str| {
        numbers
            .iter()
            .skip(1)
            .map(|n| Column::right(format!("{what} {n} vs #1")))
            .collect::<Vec<_>>()
    };
    columns.extend(
        numbers
            .iter()
            .map(|n| Column::right(format!("{n} speedup"))),
    );
    columns.extend(changes("speedup"));
    columns.extend(numbers.iter().map(|n| Column::right(format!("{n} wall"))));
    columns.extend(changes("wall"));
    let mut table = Table {
        columns,
        ..Table::default()
    };
    for (index, verdicts) in judged.iter().enumerate() {
        if let Some(Err(e)) = verdicts {
            table.notes.push(Note {
                figure: "verdicts".to_string(),
                subject: format!("{} vs #1", result_number(index)),
                reason: e.to_string(),
            });
        }
    }
    for id in entry_ids(&runs) {
        let cells: Vec<Cell> = runs.iter().map(|run| cell(*run, &id)).collect();
        for (index, cell) in cells.iter().enumerate() {
            if let (Cell::Skipped, Some(run)) = (cell, runs[index]) {
                if let Some(skipped) = run.skipped.iter().find(|s| s.id == id) {
                    table.notes.push(Note {
                        figure: String::new(),
                        subject: format!("{id} in {}", result_number(index)),
                        reason: format!("skipped: {}", skipped.reason),
                    });
                }
            }
        }
        let text =
            |cell: &Cell, measured: &dyn Fn(&EntryResult, &ScenarioResult) -> String| match cell {
                Cell::NotRun => "not run".to_string(),
                Cell::Skipped => "skipped".to_string(),
                Cell::Absent => ABSENT.to_string(),
                Cell::Measured(entry, scenario) => measured(entry, scenario),
            };
        let speedup_of = |cell: &Cell| match cell {
            Cell::Measured(entry, _) => entry.speedup.as_ref().map(|s| s.median),
            _ => None,
        };
        let wall_of = |cell: &Cell| match cell {
            Cell::Measured(entry, _) => Some(entry.summary.wall_s.median),
            _ => None,
        };
        let change =
            |of: &dyn Fn(&Cell) -> Option<f64>, later: &Cell| match (of(&cells[0]), of(later)) {
                (Some(before), Some(after)) => format::change(before, after),
                _ => ABSENT.to_string(),
            };
        let mut row = vec![id.clone()];
        row.extend(cells.iter().map(|c| text(c, &speedup_text)));
        row.extend(cells.iter().enumerate().skip(1).map(|(index, c)| {
            match judged[index].as_ref().and_then(|j| j.as_ref().ok()) {
                Some(verdicts) => speedup_verdict(verdicts, &id),
                None => change(&speedup_of, c),
            }
        }));
        row.extend(
            cells
                .iter()
                .map(|c| text(c, &|e, _| format::duration(e.summary.wall_s.median))),
        );
        row.extend(cells.iter().skip(1).map(|c| change(&wall_of, c)));
        table.rows.push(row);
    }
    table
}

/// The change of `id`'s speedup against the first result with its interval and verdict:
/// `−50.0 % [−51.0, −49.0] regressed`.
fn speedup_verdict(verdicts: &ScenarioVerdicts, id: &str) -> String {
    match verdicts
        .checks
        .iter()
        .find(|c| c.entry == id && c.metric == SPEEDUP)
    {
        Some(check) => format!("{} {}", verdicts::change(check), verdicts::verdict(check)),
        None => ABSENT.to_string(),
    }
}

/// The exact metrics (syscalls by name, conformance outcomes, entries run) that changed in
/// each result against the first, with the gate's verdict.
pub fn exact_changes_table(results: &[RunResult], name: &str, thresholds: &Thresholds) -> Table {
    let mut table = Table {
        columns: vec![Column::left("result")],
        ..Table::default()
    };
    let mut columns = None;
    for (index, judged) in verdicts_against_first(results, name, thresholds)
        .into_iter()
        .enumerate()
    {
        let Some(Ok(verdicts)) = judged else {
            continue;
        };
        let changes = verdicts::exact_changes(&verdicts.checks);
        columns.get_or_insert(changes.columns);
        for row in changes.rows {
            let mut labelled = vec![format!("{} vs #1", result_number(index))];
            labelled.extend(row);
            table.rows.push(labelled);
        }
    }
    table.columns.extend(columns.unwrap_or_default());
    table
}

/// The fastest entry of scenario `name` in each result that ran it: `#1 copy_file_range 1.29×`.
pub fn winners(results: &[RunResult], name: &str) -> Vec<String> {
    runs_of(results, name)
        .iter()
        .enumerate()
        .filter_map(|(index, run)| {
            let headline = headline::headline((*run)?)?;
            let figure = headline
                .winner
                .speedup
                .map(|s| format!(" {}", format::speedup(s)))
                .unwrap_or_default();
            Some(format!(
                "{} {}{figure}",
                result_number(index),
                headline::name(&headline.winner)
            ))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    use copybench_testkit::results::result as fixture;

    #[test]
    fn identical_environments_have_no_differences() {
        let result = fixture("result.json");
        assert!(environment_differences(&[result.clone(), result]).is_empty());
    }

    #[test]
    fn differing_kernels_and_filesystems_are_named_with_each_value() {
        let differences =
            environment_differences(&[fixture("result.json"), fixture("result-tmpfs.json")]);
        assert!(differences
            .contains(&"different kernel: #1 6.1.0-26-cloud-amd64 · #2 6.8.0-45-generic".into()));
        assert!(differences
            .iter()
            .any(|d| d.starts_with("different filesystems") && d.contains("tmpfs")));
        assert!(!differences.iter().any(|d| d.starts_with("CPU")));
    }

    #[test]
    fn a_scenario_missing_from_one_result_is_not_run_there() {
        let mut second = fixture("result-tmpfs.json");
        second.scenarios.remove(1);
        let table = comparison_table(
            &[fixture("result.json"), second],
            "tree-800",
            &Thresholds::default(),
        );
        assert!(table.rows.iter().all(|row| row[2] == "not run"));
        assert!(
            table.rows.iter().all(|row| row[3] == "—"),
            "{:?}",
            table.rows
        );
    }

    #[test]
    fn a_later_result_gets_the_gates_verdict_against_the_first() {
        let first = fixture("result.json");
        let mut second = first.clone();
        let sendfile = &mut second.scenarios[0].entries[1];
        assert_eq!(sendfile.id, "sendfile");
        let s = sendfile.speedup.as_mut().unwrap();
        let median = s.median;
        s.median = median * 0.5;
        let ci = s.ci.as_mut().unwrap();
        (ci.low, ci.high) = (median * 0.49, median * 0.51);
        *sendfile
            .syscalls
            .as_mut()
            .unwrap()
            .calls
            .get_mut("openat")
            .unwrap() += 1;
        let results = [first, second];
        let name = &results[0].scenarios[0].name;
        let table = comparison_table(&results, name, &Thresholds::default());
        assert_eq!(table.columns[3].title, "speedup #2 vs #1");
        let row = table.rows.iter().find(|r| r[0] == "sendfile").unwrap();
        assert_eq!(row[3], "−50.0 % [−51.0, −49.0] regressed", "{row:?}");
        let exact = exact_changes_table(&results, name, &Thresholds::default());
        assert_eq!(
            exact.rows,
            vec![vec![
                "#2 vs #1".to_string(),
                "sendfile".into(),
                "syscalls.openat".into(),
                "2".into(),
                "3".into(),
                "regressed".into()
            ]]
        );
    }
}
