//! The oracle's batch: every variant CPython can run, built and run in one interpreter, and
//! observed the same way as the engine's copies.

use std::collections::HashMap;

use super::case::{Case, Copies, SubjectId};
use super::case_runner::{as_nobody, CaseRunner};
use super::fixture;
use super::oracle;
use super::outcome::{self, Observed};
use super::subject::{Copier, Invocation};

/// CPython's outcome of each variant it ran, by (case index, variant index).
pub(super) type OracleOutcomes = HashMap<(usize, usize), Result<Observed, String>>;

impl CaseRunner<'_> {
    /// Runs every oracle variant through CPython in one batch. Returns the outcomes by
    /// (case index, variant index) and why the batch failed, if it did.
    pub(super) fn run_oracle(
        &self,
        oracle: &oracle::Oracle,
        cases: &[Case],
        subjects: &[SubjectId],
    ) -> (OracleOutcomes, Option<String>) {
        let wants = |t: Copies| {
            subjects.iter().any(|s| {
                matches!(
                    (s, t),
                    (SubjectId::Strategy(_), Copies::File) | (SubjectId::Walker(_), Copies::Tree)
                )
            })
        };
        let mut outcomes = HashMap::new();
        let mut built = Vec::new();
        for (ci, case) in cases.iter().enumerate() {
            if case.not_run.is_some() || case.isolated.is_some() {
                continue;
            }
            for (vi, variant) in case.variants.iter().enumerate() {
                if !variant.oracle
                    || !wants(variant.copies)
                    || self.precondition(variant).is_some()
                    || as_nobody(variant)
                {
                    continue;
                }
                let root = self
                    .work
                    .join(format!("c{}-v{vi}-{}", case.number, oracle.name()));
                match fixture::build(&root, &variant.fixture, variant.plan.atime) {
                    Ok(b) => built.push(((ci, vi), b)),
                    Err(e) => {
                        outcomes.insert((ci, vi), Err(format!("fixture for CPython: {e}")));
                    }
                }
            }
        }
        let invocations: Vec<Invocation<'_>> = built
            .iter()
            .map(|((ci, vi), b)| Invocation {
                root: &b.root,
                op: &cases[*ci].variants[*vi].op,
                faults: Vec::new(),
            })
            .collect();
        if invocations.is_empty() {
            return (outcomes, None);
        }
        let ran = match oracle.run_batch(&invocations) {
            Ok(ran) => ran,
            Err(why) => return (HashMap::new(), Some(why.to_string())),
        };
        // Each variant's files are removed as soon as they are observed.
        for (((ci, vi), b), ran) in built.into_iter().zip(ran) {
            let variant = &cases[ci].variants[vi];
            let observed = outcome::snapshot(&b.root, &variant.plan)
                .map(|snapshot| Observed {
                    returned: ran.returned,
                    snapshot,
                    root: b.root.clone(),
                    engine: None,
                })
                .map_err(|e| format!("observing CPython's copy: {e}"));
            outcomes.insert((ci, vi), observed);
            drop(b);
        }
        (outcomes, None)
    }
}
