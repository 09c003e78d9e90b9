//! Comparing several results: which environments differ (a speedup measured on ext4 is not one
//! measured on tmpfs), and the same scenario's speedups side by side.

use std::collections::BTreeSet;

use copybench_gate::{CompareError, ScenarioVerdicts, Thresholds, SPEEDUP};
use copybench_result::{Environment, RunResult, ScenarioResult};

use crate::format::{self, ABSENT};
use crate::table::{Column, Table};
use crate::verdicts;

/// A short name for the `index`th result: `#1 bench-1 ec21be2`.
pub fn result_label(index: usize, result: &RunResult) -> String {
    let host = format::host(&result.environment);
    let commit = result
        .copybench
        .git_commit
        .as_deref()
        .map(|c| format!(" {}", format::short_commit(c)))
        .unwrap_or_default();
    format!("#{} {host}{commit}", index + 1)
}

/// One line per environment property whose value differs between results:
/// `different kernel: #1 6.1.0 · #2 6.8.0`.
pub fn environment_differences(results: &[RunResult]) -> Vec<String> {
    let properties: [Property<RunResult>; 9] = [
        ("CPU", |r| r.environment.cpu_model.clone()),
        ("logical cores", |r| {
            format::optional(r.environment.logical_cores)
        }),
        ("memory", |r| {
            format::optional(r.environment.memory_bytes.map(format::bytes))
        }),
        ("OS", |r| r.environment.os.clone()),
        ("kernel", |r| r.environment.kernel.clone()),
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
        .map(|fs| format!("{} {} ({})", fs.role, fs.fs_type, fs.mount_options))
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

/// Entries (rows) × results (columns): the speedup with its CI in each, and for every result
/// after the first its change against the first with the gate's verdict.
pub fn speedup_table(results: &[RunResult], name: &str, thresholds: &Thresholds) -> Table {
    let runs = runs_of(results, name);
    let judged = verdicts_against_first(results, name, thresholds);
    let mut columns = vec![Column::left("entry")];
    for (i, r) in results.iter().enumerate() {
        columns.push(Column::right(result_label(i, r)));
        if i > 0 {
            columns.push(Column::right(format!("#{} vs #1", i + 1)));
        }
    }
    let mut table = Table {
        columns,
        ..Table::default()
    };
    for (index, verdicts) in judged.iter().enumerate() {
        if let Some(Err(e)) = verdicts {
            table.notes.push(format!("#{} vs #1: {e}", index + 1));
        }
    }
    for id in entry_ids(&runs) {
        let mut row = vec![id.clone()];
        for (index, run) in runs.iter().enumerate() {
            let cell = match run {
                None => "not run".to_string(),
                Some(scenario) => match scenario.entries.iter().find(|e| e.id == id) {
                    Some(entry) => match &entry.speedup {
                        Some(s) => format::speedup(s),
                        None if entry.id == scenario.reference => "reference".to_string(),
                        None => ABSENT.to_string(),
                    },
                    None => match scenario.skipped.iter().find(|s| s.id == id) {
                        Some(skipped) => {
                            table.notes.push(format!(
                                "#{} {id} skipped: {}",
                                index + 1,
                                skipped.reason
                            ));
                            "skipped".to_string()
                        }
                        None => ABSENT.to_string(),
                    },
                },
            };
            row.push(cell);
            if index > 0 {
                row.push(verdict_cell(judged[index].as_ref(), &id, run.is_some()));
            }
        }
        table.rows.push(row);
    }
    table
}

/// The change of `id`'s speedup against the first result, with its verdict.
fn verdict_cell(
    judged: Option<&Result<ScenarioVerdicts, CompareError>>,
    id: &str,
    ran: bool,
) -> String {
    match judged {
        None if !ran => "not run".to_string(),
        None => ABSENT.to_string(),
        Some(Err(_)) => "not comparable".to_string(),
        Some(Ok(verdicts)) => {
            match verdicts
                .checks
                .iter()
                .find(|c| c.entry == id && c.metric == SPEEDUP)
            {
                Some(check) => format!("{} {}", verdicts::change(check), verdicts::verdict(check)),
                None if id == verdicts.reference => "reference".to_string(),
                None => ABSENT.to_string(),
            }
        }
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
            let mut labelled = vec![format!("#{} vs #1", index + 1)];
            labelled.extend(row);
            table.rows.push(labelled);
        }
    }
    table.columns.extend(columns.unwrap_or_default());
    table
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> RunResult {
        let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
        RunResult::from_json(&std::fs::read_to_string(path).unwrap()).unwrap()
    }

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
    fn a_later_result_gets_the_gates_verdict_against_the_first() {
        let first = fixture("result.json");
        let mut second = first.clone();
        let sendfile = &mut second.scenarios[0].entries[1];
        assert_eq!(sendfile.id, "sendfile");
        let s = sendfile.speedup.as_mut().unwrap();
        (s.median, s.ci_low, s.ci_high) = (s.median * 0.5, s.median * 0.49, s.median * 0.51);
        *sendfile
            .syscalls
            .as_mut()
            .unwrap()
            .per_copy
            .get_mut("openat")
            .unwrap() += 1;
        let results = [first, second];
        let name = &results[0].scenarios[0].name;
        let table = speedup_table(&results, name, &Thresholds::default());
        let row = table.rows.iter().find(|r| r[0] == "sendfile").unwrap();
        assert!(row[3].starts_with("-50.0 % [-51.0, -49.0]"), "{row:?}");
        assert!(row[3].ends_with("regressed"), "{row:?}");
        let reference = table.rows.iter().find(|r| r[0] == "buffered-64k").unwrap();
        assert_eq!(reference[3], "reference");
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

    #[test]
    fn a_scenario_missing_from_one_result_is_not_run_there() {
        let mut second = fixture("result-tmpfs.json");
        second.scenarios.remove(1);
        let table = speedup_table(
            &[fixture("result.json"), second],
            "tree-800",
            &Thresholds::default(),
        );
        assert!(table.rows.iter().all(|row| row[2] == "not run"));
        assert!(table.rows.iter().all(|row| row[3] == "not run"));
    }
}
