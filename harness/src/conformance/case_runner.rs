//! Evaluation: runs one variant for one subject on a fixture built for it, and judges the
//! outcome against CPython's (the oracle) or, without it, the written expectation.

use std::path::Path;

use copybench_engine::{Fault, Strategy};

use super::case::{self, Case, FaultPlan, Requirement, SubjectId, Variant};
use super::fault_plan::resolve_faults;
use super::fixture;
use super::full_disk;
use super::outcome::{self, Observed, Returned};
use super::refusal::refused;
use super::subject::{Copier, EngineCopier, Invocation};
use super::verdict::VariantResult;
use super::ConformOptions;

/// Runs variants: builds fixtures below `work`, runs subjects, judges outcomes.
pub(super) struct CaseRunner<'a> {
    pub(super) work: &'a Path,
    pub(super) options: &'a ConformOptions,
    /// Numbers the fixture directories.
    next: std::cell::Cell<u64>,
}

impl<'a> CaseRunner<'a> {
    pub(super) fn new(work: &'a Path, options: &'a ConformOptions) -> CaseRunner<'a> {
        CaseRunner {
            work,
            options,
            next: std::cell::Cell::new(0),
        }
    }

    /// A fresh number for a fixture directory.
    pub(super) fn next_number(&self) -> u64 {
        self.next.set(self.next.get() + 1);
        self.next.get()
    }

    /// Why a variant cannot run here at all (the same for every subject), if it cannot.
    pub(super) fn precondition(&self, variant: &Variant) -> Option<String> {
        let root = fixture::is_root();
        match variant.requirement {
            Requirement::Unprivileged if root => {
                if let Err(why) = fixture::nobody_can_reach(self.work) {
                    return Some(why);
                }
            }
            Requirement::Exists(path) if !Path::new(path).exists() => {
                return Some(format!("{path} does not exist on this kernel"))
            }
            _ => {}
        }
        if fixture::needs_root(&variant.fixture) && !root {
            return Some("needs root to mount a small tmpfs".to_owned());
        }
        match self.options.max_file_size {
            Some(max) if variant.largest_file > max => Some(format!(
                "copies {} bytes, above --max-size {max}",
                variant.largest_file
            )),
            _ => None,
        }
    }

    /// Why `strategy` cannot be judged on this filesystem, as the engine finds by trying its
    /// syscall here (reflink on ext4, fcopyfile off macOS).
    pub(super) fn unsupported(&self, strategy: Strategy) -> Option<String> {
        let support = strategy.support(self.work);
        (!support.supported).then(|| format!("not supported here: {}", support.reason))
    }

    /// Runs one variant for one subject. `None`: the variant is not this subject's (another
    /// buffer size's, say).
    pub(super) fn evaluate(
        &self,
        case: &Case,
        variant: &Variant,
        subject: SubjectId,
        oracle: Option<&Observed>,
    ) -> Option<VariantResult> {
        if let Err(why) = (variant.applies)(subject) {
            return (!why.is_empty()).then(|| VariantResult::unsupported(why));
        }
        if let Some(why) = self.precondition(variant) {
            return Some(VariantResult::skipped(why));
        }
        if let Some(why) =
            oracle.and_then(|o| full_disk::skip_reason(variant, "CPython's", &o.returned))
        {
            return Some(VariantResult::skipped(why));
        }
        let copier = EngineCopier {
            subject,
            tree: self.options.tree,
            as_nobody: as_nobody(variant),
            sabotage: self
                .options
                .sabotage
                .iter()
                .filter(|b| b.subject == subject.name())
                .map(|b| b.fault)
                .collect(),
        };
        let root = self.work.join(format!(
            "c{}-{}-{}",
            case.number,
            self.next_number(),
            copier.name()
        ));
        // Faults in the content syscalls cannot reach a strategy that makes them out of the
        // counted layer's sight (its metadata syscalls, xattrs among them, still can).
        let content_faults = matches!(
            variant.faults,
            FaultPlan::FastFirst(_) | FaultPlan::ContentFirst(_) | FaultPlan::ContentLast(_)
        );
        if let (true, Some(why)) = (content_faults, subject.strategy().uncounted_reason()) {
            return Some(VariantResult::unsupported(format!(
                "faults cannot reach {}: {why}",
                subject.strategy()
            )));
        }
        let faults = match variant.faults {
            FaultPlan::None => Vec::new(),
            plan => match self.run_once(&copier, &root, variant, Vec::new()) {
                Err(not_run) => return Some(not_run),
                Ok(clean) => {
                    if let Returned::Path(_) = clean.returned {
                    } else {
                        return Some(VariantResult::fail(
                            format!(
                                "without faults the copy already fails: {}",
                                clean.returned.describe()
                            ),
                            false,
                        ));
                    }
                    match resolve_faults(plan, clean.engine.as_ref()) {
                        Ok(faults) => faults,
                        Err(why) => return Some(VariantResult::unsupported(why)),
                    }
                }
            },
        };
        let observed = match self.run_once(&copier, &root, variant, faults) {
            Ok(o) => o,
            Err(not_run) => return Some(not_run),
        };
        let who = format!("{}'s", copier.name());
        if let Some(why) = full_disk::skip_reason(variant, &who, &observed.returned) {
            return Some(VariantResult::skipped(why));
        }
        if let Returned::Broken(why) = &observed.returned {
            return Some(VariantResult::fail(why.clone(), oracle.is_some()));
        }
        let use_oracle = variant.oracle && oracle.is_some();
        let mut problems = match oracle.filter(|_| variant.oracle) {
            Some(cpython) => {
                outcome::differences(cpython, &observed, case::names_both_files(subject))
            }
            None => (variant.expect)(&observed, subject)
                .err()
                .into_iter()
                .collect(),
        };
        if let Some(check) = &variant.engine_check {
            problems.extend(check(&observed, subject).err());
        }
        if !problems.is_empty() {
            if let Some(why) = refused(variant, subject, &observed) {
                return Some(VariantResult::unsupported(why));
            }
        }
        if problems.is_empty() {
            Some(VariantResult {
                verdict: copybench_result::Verdict::Pass,
                detail: variant.note.as_ref().and_then(|n| n(&observed)),
                oracle_checked: use_oracle,
            })
        } else {
            Some(VariantResult::fail(problems.join("; "), use_oracle))
        }
    }

    /// Builds the fixture at `root`, runs the subject on it, observes the outcome, removes it.
    /// Errs with the verdict when it could not (skipped when the disk was full).
    pub(super) fn run_once(
        &self,
        copier: &EngineCopier,
        root: &Path,
        variant: &Variant,
        faults: Vec<Fault>,
    ) -> Result<Observed, VariantResult> {
        let built = fixture::build(root, &variant.fixture, variant.plan.atime).map_err(|e| {
            match full_disk::fixture_skip_reason(&e) {
                Some(why) => VariantResult::skipped(why),
                None => VariantResult::fail(format!("cannot build the fixture: {e}"), false),
            }
        })?;
        let failed = |why: String| VariantResult::fail(why, false);
        if copier.as_nobody {
            fixture::give_to_nobody(&built.root)
                .map_err(|e| failed(format!("cannot give the fixture to nobody: {e}")))?;
        }
        let ran = copier
            .run(&[Invocation {
                root: &built.root,
                op: &variant.op,
                faults,
            }])
            .pop()
            .ok_or_else(|| failed("the subject ran nothing".to_owned()))?;
        let snapshot = outcome::snapshot(&built.root, &variant.plan)
            .map_err(|e| failed(format!("cannot observe the copy: {e}")))?;
        let observed = Observed {
            returned: ran.returned,
            snapshot,
            root: built.root.clone(),
            engine: ran.trace,
        };
        built.remove();
        Ok(observed)
    }
}

/// Whether the variant runs with the engine's thread as `nobody` (root running a case whose
/// permission bits must bind).
pub(super) fn as_nobody(variant: &Variant) -> bool {
    variant.requirement == Requirement::Unprivileged && fixture::is_root()
}
