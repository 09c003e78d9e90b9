//! Comparing several results: which environments differ (a speedup measured on ext4 is not one
//! measured on tmpfs), and the same scenario's speedups side by side.

use std::collections::BTreeSet;

use copybench_result::{Environment, RunResult, ScenarioResult};

use crate::format::{self, ABSENT};
use crate::table::{Column, Table};

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

/// Entries (rows) × results (columns): the speedup with its CI in each.
pub fn speedup_table(results: &[RunResult], name: &str) -> Table {
    let runs = runs_of(results, name);
    let mut columns = vec![Column::left("entry")];
    columns.extend(
        results
            .iter()
            .enumerate()
            .map(|(i, r)| Column::right(result_label(i, r))),
    );
    let mut table = Table {
        columns,
        ..Table::default()
    };
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
        }
        table.rows.push(row);
    }
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
    fn a_scenario_missing_from_one_result_is_not_run_there() {
        let mut second = fixture("result-tmpfs.json");
        second.scenarios.remove(1);
        let table = speedup_table(&[fixture("result.json"), second], "tree-800");
        assert!(table.rows.iter().all(|row| row[2] == "not run"));
    }
}
