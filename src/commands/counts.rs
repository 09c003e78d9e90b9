//! How `copy --syscalls` and `copytree --syscalls` print what they made: the kernel's syscalls
//! by name and their total, then, apart, the stat-family calls split by what they named (a
//! path the kernel resolves again, or an open descriptor), which are a view of the same calls,
//! not more of them.

use copybench_engine::SyscallCounts;

/// The table, with `files` regular files copied for the per-file figures of a tree.
pub fn syscall_table(counts: &SyscallCounts, files: Option<u64>) -> String {
    let width = counts
        .calls
        .keys()
        .map(|name| name.chars().count())
        .max()
        .unwrap_or(0)
        .max("by descriptor".len());
    let per_file = |n: u64| match files {
        Some(files) if files > 0 => format!("  {:>8.2} per file", n as f64 / files as f64),
        _ => String::new(),
    };
    let row = |name: &str, n: u64| format!("  {name:<width$}  {n:>8}{}\n", per_file(n));
    let mut table = String::from("syscalls:\n");
    for (name, &n) in &counts.calls {
        table.push_str(&row(name, n));
    }
    table.push_str(&format!("  {}\n", "─".repeat(width + 10)));
    table.push_str(&row("total", counts.total()));
    table.push_str("of which stat family:\n");
    table.push_str(&row("by path", counts.path_stats));
    table.push_str(&row("by descriptor", counts.fd_stats));
    table
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derived_rows_are_apart_from_the_kernels_calls() {
        let mut counts = SyscallCounts::default();
        counts.calls.insert("openat".into(), 2);
        counts.calls.insert("fstat".into(), 2);
        counts.calls.insert("copy_file_range".into(), 3);
        counts.fd_stats = 2;
        let table = syscall_table(&counts, None);
        let words = |text: &str| -> Vec<String> {
            text.lines()
                .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
                .collect()
        };
        let (calls, derived) = table.split_once("of which").unwrap();
        assert!(words(calls).contains(&"total 7".to_string()), "{table}");
        assert!(!calls.contains("path"), "{table}");
        assert!(
            words(derived).contains(&"by descriptor 2".to_string()),
            "{table}"
        );
        let tree = syscall_table(&counts, Some(4));
        assert!(
            words(&tree).contains(&"total 7 1.75 per file".to_string()),
            "{tree}"
        );
    }
}
