//! Verdicts: of one variant for one subject, and of a cell from its variants.

use copybench_result::{ConformanceCell, Verdict};

use super::case::{Case, SubjectId, Variant};

pub(super) fn cell(
    case: &Case,
    subject: SubjectId,
    verdict: Verdict,
    detail: Option<String>,
    oracle_checked: bool,
) -> ConformanceCell {
    ConformanceCell {
        case: case.number,
        subject: subject.name(),
        verdict,
        detail,
        oracle_checked,
    }
}

/// The verdict of one variant for one subject.
pub(super) struct VariantResult {
    pub(super) verdict: Verdict,
    pub(super) detail: Option<String>,
    pub(super) oracle_checked: bool,
}

impl VariantResult {
    pub(super) fn unsupported(why: String) -> VariantResult {
        VariantResult {
            verdict: Verdict::Unsupported,
            detail: Some(why),
            oracle_checked: false,
        }
    }
    pub(super) fn skipped(why: String) -> VariantResult {
        VariantResult {
            verdict: Verdict::Skipped,
            detail: Some(why),
            oracle_checked: false,
        }
    }
    pub(super) fn fail(why: String, oracle_checked: bool) -> VariantResult {
        VariantResult {
            verdict: Verdict::Fail,
            detail: Some(why),
            oracle_checked,
        }
    }
}

/// A cell from its variants: any failure fails it; otherwise a pass passes it (saying what was
/// skipped); otherwise it is skipped or unsupported, with the reasons.
pub(super) fn combine(results: &[(&Variant, VariantResult)]) -> (Verdict, Option<String>, bool) {
    let named = |v: &Variant, text: &str| {
        if results.len() > 1 {
            format!("{}: {text}", v.name)
        } else {
            text.to_owned()
        }
    };
    let judged: Vec<&VariantResult> = results
        .iter()
        .map(|(_, r)| r)
        .filter(|r| matches!(r.verdict, Verdict::Pass | Verdict::Fail))
        .collect();
    let oracle_checked = !judged.is_empty() && judged.iter().all(|r| r.oracle_checked);
    let collect = |wanted: Verdict, with_names: bool| {
        let mut texts: Vec<String> = Vec::new();
        for (v, r) in results.iter().filter(|(_, r)| r.verdict == wanted) {
            if let Some(d) = &r.detail {
                let text = if with_names { named(v, d) } else { d.clone() };
                if !texts.contains(&text) {
                    texts.push(text);
                }
            }
        }
        texts
    };
    let fails = collect(Verdict::Fail, true);
    if results.iter().any(|(_, r)| r.verdict == Verdict::Fail) {
        return (Verdict::Fail, Some(fails.join("; ")), oracle_checked);
    }
    if results.iter().any(|(_, r)| r.verdict == Verdict::Pass) {
        let mut notes = collect(Verdict::Pass, true);
        notes.extend(
            collect(Verdict::Skipped, true)
                .into_iter()
                .map(|s| format!("skipped {s}")),
        );
        notes.extend(
            collect(Verdict::Unsupported, true)
                .into_iter()
                .map(|s| format!("unsupported {s}")),
        );
        let detail = (!notes.is_empty()).then(|| notes.join("; "));
        return (Verdict::Pass, detail, oracle_checked);
    }
    if results.iter().any(|(_, r)| r.verdict == Verdict::Skipped) {
        return (
            Verdict::Skipped,
            Some(collect(Verdict::Skipped, false).join("; ")),
            false,
        );
    }
    (
        Verdict::Unsupported,
        Some(collect(Verdict::Unsupported, false).join("; ")),
        false,
    )
}
