//! The claims a run checked and their verdicts, the first thing every format shows: a
//! published figure reproduced or not is the answer a claims scenario exists to give.

use copybench_result::{ClaimResult, ClaimVerdict, MeasuredFigure, RunResult};

use crate::format::ABSENT;
use crate::table::{Column, Table};

/// The column of [`table`] that holds the verdict.
pub const VERDICT_COLUMN: usize = 4;

/// One row per claim of every scenario, in file order (why a claim was not checked is in
/// [`not_checked`]). The source is a last column where there is room for it (not in a terminal).
pub fn table(result: &RunResult, with_source: bool) -> Table {
    let mut columns = vec![
        Column::left("claim"),
        Column::left("metric"),
        Column::right("claimed"),
        Column::right("measured [95% CI]"),
        Column::left("verdict"),
        Column::left("scenario"),
    ];
    if with_source {
        columns.push(Column::left("source"));
    }
    let mut table = Table {
        columns,
        ..Table::default()
    };
    for scenario in &result.scenarios {
        for claim in &scenario.claims {
            let mut row = vec![
                name(claim),
                claim.metric.name().to_owned(),
                claimed(claim),
                claim
                    .measured
                    .as_ref()
                    .map(|m| measured(claim, m))
                    .unwrap_or_else(|| ABSENT.to_owned()),
                claim.verdict.label().to_owned(),
                scenario.name.clone(),
            ];
            if with_source {
                row.push(claim.source.clone());
            }
            table.rows.push(row);
        }
    }
    table
}

/// `claim: why`, for every claim that was not checked.
pub fn not_checked(result: &RunResult) -> Vec<String> {
    result
        .scenarios
        .iter()
        .flat_map(|s| &s.claims)
        .filter(|c| c.verdict == ClaimVerdict::NotChecked)
        .map(|c| format!("{}: {}", name(c), c.detail))
        .collect()
}

/// `subject vs baseline`.
pub fn name(claim: &ClaimResult) -> String {
    format!("{} vs {}", claim.subject, claim.baseline)
}

/// The figure as the scenario states it: `1.26×`, `-38%`.
fn claimed(claim: &ClaimResult) -> String {
    match claim.claimed.kind {
        copybench_result::FigureKind::Speedup => format!("{}×", claim.claimed.text),
        copybench_result::FigureKind::Change => claim.claimed.text.clone(),
    }
}

/// The measured figure with its interval, or its exact counts per file.
fn measured(claim: &ClaimResult, m: &MeasuredFigure) -> String {
    let show = |value: f64| claim.claimed.kind.show(value);
    match (m.exact, m.ci_low, m.ci_high) {
        (true, _, _) => format!(
            "{} ({:.2} → {:.2} per file)",
            show(m.value),
            m.baseline_value,
            m.subject_value
        ),
        (false, Some(low), Some(high)) => {
            format!("{} [{}, {}]", show(m.value), show(low), show(high))
        }
        (false, _, _) => format!("{} (no interval)", show(m.value)),
    }
}

/// Whether the run has any claim to show.
pub fn any(result: &RunResult) -> bool {
    result.scenarios.iter().any(|s| !s.claims.is_empty())
}
