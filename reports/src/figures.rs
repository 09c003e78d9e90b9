//! Figures read from a result for the tables and charts: which unit syscalls are given in, and
//! the totals shown per file or per copy. Layout lives in `table`; this is the arithmetic.

use copybench_result::{FixtureKind, ScenarioResult, SyscallSummary};

/// Syscall names that read a file's status (the calls CPython 3.8 saved in copytree).
pub const STAT_FAMILY: [&str; 6] = ["stat", "lstat", "fstat", "newfstatat", "fstatat64", "statx"];

/// Keys of `per_copy` that are aggregates of other calls, not syscalls themselves.
const AGGREGATE_KEYS: [&str; 2] = ["path_stats", "fd_stats"];

/// Whether a scenario's figures are per file (a tree) or per copy (one file).
pub fn is_tree(scenario: &ScenarioResult) -> bool {
    scenario.parameters.fixture.kind == FixtureKind::Tree
}

/// Files one copy copies: what per-copy syscall counts are divided by to give the figures'
/// unit ([`syscall_unit`]).
pub fn files_per_copy(scenario: &ScenarioResult) -> f64 {
    if is_tree(scenario) {
        scenario.parameters.fixture.files.max(1) as f64
    } else {
        1.0
    }
}

/// The calls of one copy by syscall name, without the aggregate keys.
pub fn named_calls(syscalls: &SyscallSummary) -> impl Iterator<Item = (&str, u64)> {
    syscalls
        .per_copy
        .iter()
        .map(|(name, &calls)| (name.as_str(), calls))
        .filter(|(name, _)| !AGGREGATE_KEYS.contains(name))
}

/// Syscalls of one copy: every named call, without the aggregate keys.
pub fn total_syscalls(syscalls: &SyscallSummary) -> u64 {
    named_calls(syscalls).map(|(_, calls)| calls).sum()
}

/// Stat-family syscalls of one copy.
pub fn stat_family_syscalls(syscalls: &SyscallSummary) -> u64 {
    named_calls(syscalls)
        .filter(|(name, _)| STAT_FAMILY.contains(name))
        .map(|(_, calls)| calls)
        .sum()
}

/// `(path stats, stat family, total)` syscalls; path stats where the counter split them.
pub type SyscallTotals = (Option<f64>, f64, f64);

/// Per file for trees (as the result gives it), per copy for single files.
pub fn syscall_totals(scenario: &ScenarioResult, syscalls: &SyscallSummary) -> SyscallTotals {
    if let (true, Some(per_file)) = (is_tree(scenario), &syscalls.per_file) {
        return (
            Some(per_file.path_stats),
            per_file.stat_family,
            per_file.total,
        );
    }
    let files = files_per_copy(scenario);
    (
        syscalls
            .per_copy
            .get("path_stats")
            .map(|&n| n as f64 / files),
        stat_family_syscalls(syscalls) as f64 / files,
        total_syscalls(syscalls) as f64 / files,
    )
}

/// `per file` for trees, `per copy` for files: the unit syscall figures are given in.
pub fn syscall_unit(scenario: &ScenarioResult) -> &'static str {
    if is_tree(scenario) {
        "file"
    } else {
        "copy"
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use copybench_result::PerFileSyscalls;

    use super::*;

    fn syscalls(calls: &[(&str, u64)], per_file: Option<PerFileSyscalls>) -> SyscallSummary {
        SyscallSummary {
            source: "counted".into(),
            per_copy: calls
                .iter()
                .map(|&(name, n)| (name.to_string(), n))
                .collect::<BTreeMap<_, _>>(),
            per_file,
        }
    }

    #[test]
    fn totals_leave_out_the_aggregate_keys() {
        let s = syscalls(
            &[
                ("stat", 5),
                ("lstat", 3),
                ("fstat", 2),
                ("openat", 4),
                ("path_stats", 8),
                ("fd_stats", 2),
            ],
            None,
        );
        assert_eq!(total_syscalls(&s), 14);
        assert_eq!(stat_family_syscalls(&s), 10);
    }

    #[test]
    fn a_tree_uses_the_per_file_figures_of_the_result() {
        let path = format!("{}/tests/fixtures/result.json", env!("CARGO_MANIFEST_DIR"));
        let result =
            copybench_result::RunResult::from_json(&std::fs::read_to_string(path).unwrap())
                .unwrap();
        let tree = &result.scenarios[1];
        let given = PerFileSyscalls {
            path_stats: 8.0,
            stat_family: 10.0,
            total: 16.75,
        };
        let s = syscalls(&[("stat", 1)], Some(given));
        assert_eq!(syscall_totals(tree, &s), (Some(8.0), 10.0, 16.75));
        // Without them, the per-copy counts are divided by the fixture's file count.
        let s = syscalls(&[("stat", 1600), ("openat", 800)], None);
        assert_eq!(syscall_totals(tree, &s), (None, 2.0, 3.0));
        let file = &result.scenarios[0];
        assert_eq!(syscall_totals(file, &s), (None, 1600.0, 2400.0));
    }
}
