//! The rules for exact figures: counts and outcomes have no noise, so any increase of a count,
//! or any change of an outcome for the worse, is a regression, and the gate needs no threshold.

use std::collections::BTreeSet;

use copybench_result::{ClaimVerdict, ConformanceCell, Verdict as CellVerdict};

use crate::verdict::Verdict;

/// A count (syscalls of one copy): more is a regression, fewer an improvement.
pub fn judge_count(baseline: u64, result: u64) -> Verdict {
    match result.cmp(&baseline) {
        std::cmp::Ordering::Greater => Verdict::Regressed,
        std::cmp::Ordering::Less => Verdict::Improved,
        std::cmp::Ordering::Equal => Verdict::NoChange,
    }
}

/// An outcome named by a set of names (the strategies that copied, the extent sharing): any
/// change is a regression, since the copy no longer does what it was measured doing.
pub fn judge_outcome(baseline: &BTreeSet<String>, result: &BTreeSet<String>) -> Verdict {
    if baseline == result {
        Verdict::NoChange
    } else {
        Verdict::Regressed
    }
}

/// The give-ups before the strategy that worked (`reflink: EOPNOTSUPP`): losing some and gaining
/// none improves; any new one regresses.
pub fn judge_fallbacks(baseline: &BTreeSet<String>, result: &BTreeSet<String>) -> Verdict {
    if baseline == result {
        Verdict::NoChange
    } else if result.is_subset(baseline) {
        Verdict::Improved
    } else {
        Verdict::Regressed
    }
}

/// Whether an entry of the baseline ran: one that stopped running (skipped, or gone from the
/// scenario) regressed; one that started running improved.
pub fn judge_ran(baseline_ran: bool, result_ran: bool) -> Verdict {
    match (baseline_ran, result_ran) {
        (true, false) => Verdict::Regressed,
        (false, true) => Verdict::Improved,
        _ => Verdict::NoChange,
    }
}

/// A conformance cell: becoming a pass (or gaining the CPython oracle) improves; any other
/// change of outcome regresses, including a pass that is now skipped, since what is no longer
/// checked can no longer be trusted.
pub fn judge_conformance(baseline: &ConformanceCell, result: &ConformanceCell) -> Verdict {
    let (before, after) = (cell_rank(baseline), cell_rank(result));
    if (baseline.verdict, baseline.oracle_checked) == (result.verdict, result.oracle_checked) {
        Verdict::NoChange
    } else if after > before {
        Verdict::Improved
    } else {
        Verdict::Regressed
    }
}

/// A claim's verdict: becoming *reproduces* improves; becoming *inconclusive* cannot be judged;
/// any other change of verdict regresses (a claim that is no longer checked included).
pub fn judge_claim(baseline: ClaimVerdict, result: ClaimVerdict) -> Verdict {
    match (baseline, result) {
        (a, b) if a == b => Verdict::NoChange,
        (_, ClaimVerdict::Reproduces) => Verdict::Improved,
        (_, ClaimVerdict::Inconclusive) => Verdict::Inconclusive,
        _ => Verdict::Regressed,
    }
}

/// Better outcomes rank higher; outcomes of equal rank that differ are still a change.
fn cell_rank(cell: &ConformanceCell) -> u8 {
    match (cell.verdict, cell.oracle_checked) {
        (CellVerdict::Pass, true) => 3,
        (CellVerdict::Pass, false) => 2,
        (CellVerdict::Unsupported | CellVerdict::Skipped, _) => 1,
        (CellVerdict::Fail, _) => 0,
    }
}

/// A cell's outcome in words, with the difference of a failure and whether CPython was
/// compared: `pass`, `pass without the CPython oracle`, `fail: mode 644 ≠ 755`.
pub fn cell_outcome(cell: &ConformanceCell) -> String {
    let verdict = match cell.verdict {
        CellVerdict::Pass => "pass",
        CellVerdict::Fail => "fail",
        CellVerdict::Unsupported => "unsupported",
        CellVerdict::Skipped => "skipped",
    };
    let oracle = if cell.oracle_checked || cell.verdict != CellVerdict::Pass {
        ""
    } else {
        " without the CPython oracle"
    };
    match (&cell.detail, cell.verdict) {
        (Some(detail), CellVerdict::Fail | CellVerdict::Unsupported | CellVerdict::Skipped) => {
            format!("{verdict}{oracle}: {detail}")
        }
        _ => format!("{verdict}{oracle}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cell(verdict: CellVerdict, oracle_checked: bool) -> ConformanceCell {
        ConformanceCell {
            case: 1,
            subject: "sendfile".into(),
            verdict,
            detail: None,
            oracle_checked,
        }
    }

    #[test]
    fn any_increase_of_a_count_regresses() {
        assert_eq!(judge_count(2, 3), Verdict::Regressed);
        assert_eq!(judge_count(3, 2), Verdict::Improved);
        assert_eq!(judge_count(2, 2), Verdict::NoChange);
    }

    #[test]
    fn an_entry_that_stops_running_regresses() {
        assert_eq!(judge_ran(true, false), Verdict::Regressed);
        assert_eq!(judge_ran(false, true), Verdict::Improved);
        assert_eq!(judge_ran(true, true), Verdict::NoChange);
    }

    fn names(names: &[&str]) -> BTreeSet<String> {
        names.iter().map(|n| n.to_string()).collect()
    }

    #[test]
    fn another_strategy_or_extent_outcome_regresses() {
        let cfr = names(&["copy_file_range"]);
        assert_eq!(judge_outcome(&cfr, &cfr), Verdict::NoChange);
        assert_eq!(
            judge_outcome(&cfr, &names(&["sendfile"])),
            Verdict::Regressed
        );
        assert_eq!(
            judge_outcome(&cfr, &names(&["copy_file_range", "sendfile"])),
            Verdict::Regressed
        );
    }

    #[test]
    fn a_new_give_up_regresses_and_a_lost_one_improves() {
        let reflink = names(&["reflink: EOPNOTSUPP"]);
        let both = names(&["reflink: EOPNOTSUPP", "copy_file_range: EXDEV"]);
        assert_eq!(judge_fallbacks(&reflink, &reflink), Verdict::NoChange);
        assert_eq!(judge_fallbacks(&reflink, &both), Verdict::Regressed);
        assert_eq!(judge_fallbacks(&both, &reflink), Verdict::Improved);
        assert_eq!(judge_fallbacks(&reflink, &names(&[])), Verdict::Improved);
        assert_eq!(
            judge_fallbacks(&reflink, &names(&["sendfile: EINVAL"])),
            Verdict::Regressed
        );
    }

    #[test]
    fn conformance_outcomes_change_for_better_or_worse() {
        let pass = cell(CellVerdict::Pass, true);
        let fail = cell(CellVerdict::Fail, true);
        let unchecked = cell(CellVerdict::Pass, false);
        let skipped = cell(CellVerdict::Skipped, false);
        let unsupported = cell(CellVerdict::Unsupported, false);
        assert_eq!(judge_conformance(&pass, &fail), Verdict::Regressed);
        assert_eq!(judge_conformance(&fail, &pass), Verdict::Improved);
        assert_eq!(judge_conformance(&pass, &unchecked), Verdict::Regressed);
        assert_eq!(judge_conformance(&pass, &skipped), Verdict::Regressed);
        assert_eq!(
            judge_conformance(&skipped, &unsupported),
            Verdict::Regressed
        );
        assert_eq!(judge_conformance(&pass, &pass), Verdict::NoChange);
    }

    #[test]
    fn claim_verdicts_change_for_better_or_worse() {
        use ClaimVerdict::*;
        assert_eq!(judge_claim(Reproduces, Reproduces), Verdict::NoChange);
        assert_eq!(judge_claim(SmallerEffect, Reproduces), Verdict::Improved);
        assert_eq!(judge_claim(Reproduces, SmallerEffect), Verdict::Regressed);
        assert_eq!(judge_claim(Reproduces, NotChecked), Verdict::Regressed);
        assert_eq!(judge_claim(Reproduces, Inconclusive), Verdict::Inconclusive);
    }

    #[test]
    fn outcomes_read_as_words() {
        let mut failed = cell(CellVerdict::Fail, true);
        failed.detail = Some("mode 644 ≠ 755".into());
        assert_eq!(cell_outcome(&failed), "fail: mode 644 ≠ 755");
        assert_eq!(
            cell_outcome(&cell(CellVerdict::Pass, false)),
            "pass without the CPython oracle"
        );
    }
}
