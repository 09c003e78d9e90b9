//! The gate's verdicts as tables, built once for `copybench gate`'s output and for the
//! comparison page of `copybench report a.json b.json`, so both say the same thing the same way.

use std::collections::BTreeSet;

use copybench_gate::{Check, MetricKind, Observed, Verdict, SPEEDUP, WALL_TIME};

use crate::format::{self, ABSENT};
use crate::table::{Column, Table};

/// A verdict as a cell: `regressed`, or `regressed (not gated)` when it does not count.
pub fn verdict(check: &Check) -> String {
    if check.gated() {
        check.verdict.to_string()
    } else {
        format!("{} (not gated)", check.verdict)
    }
}

/// The change with its interval, or `—` when the figures could not be compared.
pub fn change(check: &Check) -> String {
    check
        .change
        .as_ref()
        .map_or_else(|| ABSENT.to_string(), format::change_interval)
}

/// A figure as one side observed it, in the unit its metric has.
pub fn observed(observed: &Observed, kind: MetricKind) -> String {
    match observed {
        Observed::Count { value } => value.to_string(),
        Observed::Outcome { value } => value.clone(),
        Observed::Estimate { median, low, high } => match (low, high, kind) {
            (Some(low), Some(high), MetricKind::WallTime) => format!(
                "{} [{}, {}]",
                format::duration(*median),
                format::duration(*low),
                format::duration(*high)
            ),
            (Some(low), Some(high), _) => {
                format!("{} [{low:.2}, {high:.2}]", format::ratio(*median))
            }
            // No interval (too few samples): the median alone, and the check says why.
            _ => self::median(observed, kind),
        },
        Observed::Absent { .. } => ABSENT.to_string(),
    }
}

/// A figure's median alone (the baseline's side, judged by its median only).
pub fn median(observed: &Observed, kind: MetricKind) -> String {
    match observed {
        Observed::Estimate { median, .. } => match kind {
            MetricKind::WallTime => format::duration(*median),
            _ => format::ratio(*median),
        },
        other => self::observed(other, kind),
    }
}

/// One row per entry with a speedup or a wall time: the speedup then and now, its change and
/// verdict, and the wall time's change (a verdict only where it is gated).
pub fn interval_table(checks: &[Check], reference: &str) -> Table {
    let mut table = Table {
        columns: vec![
            Column::left("entry"),
            Column::right("speedup then"),
            Column::right("now [95% CI]"),
            Column::right("change [95% CI]"),
            Column::right("threshold"),
            Column::left("verdict"),
            Column::right("wall time change"),
        ],
        ..Table::default()
    };
    let mut entries: Vec<&str> = Vec::new();
    for check in checks.iter().filter(|c| c.kind != MetricKind::Exact) {
        if !entries.contains(&check.entry.as_str()) {
            entries.push(&check.entry);
        }
    }
    for entry in entries {
        let find = |metric: &str| {
            checks
                .iter()
                .find(|c| c.entry == entry && c.metric == metric)
        };
        let mut row = vec![entry.to_string()];
        match find(SPEEDUP) {
            Some(speedup) => row.extend([
                median(&speedup.baseline, speedup.kind),
                observed(&speedup.result, speedup.kind),
                change(speedup),
                speedup.threshold.map_or_else(String::new, format::percent),
                verdict(speedup),
            ]),
            None if entry == reference => {
                row.extend(["reference".to_string()]);
                row.extend(std::iter::repeat_n(String::new(), 4));
            }
            None => row.extend(std::iter::repeat_n(ABSENT.to_string(), 5)),
        }
        row.push(match find(WALL_TIME) {
            Some(wall) if wall.gated() => format!("{} {}", change(wall), wall.verdict),
            Some(wall) => wall
                .change
                .map_or_else(|| ABSENT.to_string(), |c| format::signed_percent(c.median)),
            None => ABSENT.to_string(),
        });
        table.rows.push(row);
    }
    table
}

/// Exact metrics that changed (or could not be compared): entry, metric, then, now, verdict.
pub fn exact_changes(checks: &[Check]) -> Table {
    let mut table = Table {
        columns: vec![
            Column::left("entry"),
            Column::left("metric"),
            Column::right("then"),
            Column::right("now"),
            Column::left("verdict"),
        ],
        ..Table::default()
    };
    for check in checks
        .iter()
        .filter(|c| c.kind == MetricKind::Exact && c.verdict != Verdict::NoChange)
    {
        table.rows.push(vec![
            check.entry.clone(),
            check.metric.clone(),
            observed(&check.baseline, check.kind),
            observed(&check.result, check.kind),
            verdict(check),
        ]);
    }
    table
}

/// How many exact metrics are unchanged.
pub fn unchanged_exact(checks: &[Check]) -> usize {
    checks
        .iter()
        .filter(|c| c.kind == MetricKind::Exact && c.verdict == Verdict::NoChange)
        .count()
}

/// Why checks are inconclusive, one line each (`entry metric: reason`), and why some are not
/// gated, once per reason.
pub fn explanations(checks: &[Check]) -> Vec<String> {
    let mut lines = Vec::new();
    for check in checks
        .iter()
        .filter(|c| c.gated() && c.verdict == Verdict::Inconclusive)
    {
        if let Some(reason) = &check.reason {
            lines.push(format!("{} {}: {reason}", check.entry, check.metric));
        }
    }
    let mut not_gated: BTreeSet<(String, &str)> = BTreeSet::new();
    for check in checks.iter() {
        if let Some(reason) = &check.not_gated {
            let what = if check.kind == MetricKind::WallTime {
                "wall times".to_string()
            } else {
                format!("{} {}", check.entry, check.metric)
            };
            not_gated.insert((what, reason));
        }
    }
    lines.extend(
        not_gated
            .into_iter()
            .map(|(what, reason)| format!("not gated: {what}: {reason}")),
    );
    lines
}
