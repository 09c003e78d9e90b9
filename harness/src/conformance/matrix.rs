//! The matrix loop: every case against every subject, each cell judged from its variants.

use std::collections::HashMap;

use copybench_engine::Strategy;
use copybench_result::{ConformanceCase, ConformanceMatrix, Verdict};

use super::case::{Copies, SubjectId, Variant};
use super::case_runner::CaseRunner;
use super::scratch::Scratch;
use super::verdict::{cell, combine, VariantResult};
use super::{cases, oracle, ConformError, ConformOptions};

/// Runs the catalogue and returns the matrix of cases × subjects.
pub fn run_matrix(options: &ConformOptions) -> Result<ConformanceMatrix, ConformError> {
    let work = Scratch::create(&options.dir)?;
    let cases = cases::catalogue(options.catalogue);
    let subjects: Vec<SubjectId> = options
        .strategies
        .iter()
        .map(|s| SubjectId::Strategy(*s))
        .chain(options.walkers.iter().map(|w| SubjectId::Walker(*w)))
        .collect();
    let runner = CaseRunner::new(work.path(), options);

    let (oracle_outcomes, oracle_name) = if options.use_oracle {
        match oracle::Oracle::find() {
            Ok(oracle) => {
                let (outcomes, failure) = runner.run_oracle(&oracle, &cases, &subjects);
                let name = match failure {
                    None => oracle.describe(),
                    Some(why) => format!(
                        "{} failed ({why}); cells judged by docs/conformance.md",
                        oracle.describe()
                    ),
                };
                (outcomes, name)
            }
            Err(why) => (HashMap::new(), format!("none: {why}")),
        }
    } else {
        (
            HashMap::new(),
            "none: not asked for (--oracle none)".to_owned(),
        )
    };

    let support: HashMap<Strategy, String> = options
        .strategies
        .iter()
        .filter_map(|s| runner.unsupported(*s).map(|why| (*s, why)))
        .collect();

    let mut cells = Vec::new();
    for (ci, case) in cases.iter().enumerate() {
        for subject in &subjects {
            let copies = match subject {
                SubjectId::Strategy(_) => Copies::File,
                SubjectId::Walker(_) => Copies::Tree,
            };
            if !case.variants.iter().any(|v| v.copies == copies) {
                continue;
            }
            if let Some(check) = case.isolated {
                let (verdict, detail) = runner.isolated(check, *subject);
                cells.push(cell(case, *subject, verdict, detail, false));
                continue;
            }
            if let Some(why) = case.not_run {
                cells.push(cell(
                    case,
                    *subject,
                    Verdict::Skipped,
                    Some(why.to_owned()),
                    false,
                ));
                continue;
            }
            let unsupported = match subject {
                SubjectId::Strategy(s) => support.get(s),
                SubjectId::Walker(_) => None,
            };
            let results: Vec<(&Variant, VariantResult)> = case
                .variants
                .iter()
                .enumerate()
                .filter(|(_, v)| v.copies == copies)
                .filter_map(|(vi, v)| {
                    let result = match unsupported {
                        Some(why) => VariantResult::unsupported(why.clone()),
                        None => runner.evaluate(
                            case,
                            v,
                            *subject,
                            oracle_outcomes.get(&(ci, vi)).and_then(|o| o.as_ref().ok()),
                        )?,
                    };
                    Some((v, result))
                })
                .collect();
            if results.is_empty() {
                continue;
            }
            let (verdict, detail, oracle_checked) = combine(&results);
            cells.push(cell(case, *subject, verdict, detail, oracle_checked));
        }
    }

    Ok(ConformanceMatrix {
        cases: cases
            .iter()
            .map(|c| ConformanceCase {
                number: c.number,
                title: c.title.to_owned(),
            })
            .collect(),
        subjects: subjects.iter().map(|s| s.name()).collect(),
        cells,
        oracle: oracle_name,
    })
}
