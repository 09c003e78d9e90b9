//! Figures read from a result for the tables and charts: which unit syscalls are given in, and
//! the totals shown per file or per copy. Layout lives in `table`; this is the arithmetic.

use copybench_result::{FixtureKind, ScenarioResult, SyscallSummary};

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

/// The calls of one copy by syscall name.
pub fn named_calls(syscalls: &SyscallSummary) -> impl Iterator<Item = (&str, u64)> {
    syscalls
        .calls
        .iter()
        .map(|(name, &calls)| (name.as_str(), calls))
}

/// Whether the call `name` is in the stat family, as the entry's counter classified it.
pub fn is_stat_family(syscalls: &SyscallSummary, name: &str) -> bool {
    syscalls.stat_family_calls.iter().any(|n| n == name)
}

/// `(path stats, stat family, total)` syscalls in the scenario's unit.
pub type SyscallTotals = (Option<f64>, f64, f64);

/// Per file for trees, per copy for single files, as the result gives them.
pub fn syscall_totals(scenario: &ScenarioResult, syscalls: &SyscallSummary) -> SyscallTotals {
    if let (true, Some(per_file)) = (is_tree(scenario), &syscalls.per_file) {
        return (
            Some(per_file.path_stats),
            per_file.stat_family,
            per_file.total,
        );
    }
    let copy = &syscalls.per_copy;
    (
        Some(copy.path_stats as f64),
        copy.stat_family as f64,
        copy.total as f64,
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

    use copybench_result::{CopySyscalls, PerFileSyscalls, SyscallSource};

    use super::*;

    fn syscalls(per_copy: CopySyscalls, per_file: Option<PerFileSyscalls>) -> SyscallSummary {
        SyscallSummary {
            source: SyscallSource::Counted,
            calls: BTreeMap::from([("stat".to_owned(), per_copy.stat_family)]),
            stat_family_calls: vec!["stat".to_owned()],
            per_copy,
            per_file,
        }
    }

    #[test]
    fn a_tree_uses_the_per_file_figures_and_a_file_the_per_copy_ones() {
        let result = copybench_testkit::results::result("result.json");
        let tree = &result.scenarios[1];
        let given = PerFileSyscalls {
            path_stats: 8.0,
            stat_family: 10.0,
            total: 16.75,
            fd_stats: 2.0,
        };
        let copy = CopySyscalls {
            total: 2400,
            stat_family: 1600,
            path_stats: 1000,
            fd_stats: 600,
        };
        let s = syscalls(copy.clone(), Some(given));
        assert_eq!(syscall_totals(tree, &s), (Some(8.0), 10.0, 16.75));
        let file = &result.scenarios[0];
        let s = syscalls(copy, None);
        assert_eq!(syscall_totals(file, &s), (Some(1000.0), 1600.0, 2400.0));
        assert!(is_stat_family(&s, "stat") && !is_stat_family(&s, "openat"));
    }
}
