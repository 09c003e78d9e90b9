//! The conformance catalogue (CONFORMANCE.md) run against strategies and walkers, with CPython's
//! `shutil` as the oracle where `python3` is present.
//!
//! Every case builds its fixture afresh for each subject and for the oracle, runs the same call
//! on it, and observes the outcome the same way (`outcome.rs`): what was returned or raised, and
//! the state of every file afterwards. With the oracle, a cell passes when the engine's outcome
//! equals CPython's; cases CPython cannot express (faults injected into our syscall layer) and
//! runs without `python3` are judged by the expectation written from CONFORMANCE.md, and say so
//! (`oracle_checked: false`).

mod case;
mod cases;
mod fixture;
mod isolated;
mod oracle;
mod outcome;
mod subject;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use copybench_engine::{Fault, Strategy, Syscall, Walker};
use copybench_result::{ConformanceCase, ConformanceCell, ConformanceMatrix, Verdict};

pub use isolated::run_isolated;

use case::{Case, FaultPlan, Requirement, SubjectId, Target, Variant};
use outcome::{EngineTrace, Observed, Returned};
use subject::{Copier, EngineCopier, Job};

/// Which cases to run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Catalogue {
    /// A few cases per subject, fast enough to run beside every scenario.
    Quick,
    /// All of CONFORMANCE.md.
    Full,
}

/// What to check, where.
#[derive(Clone, Debug)]
pub struct ConformOptions {
    pub strategies: Vec<Strategy>,
    pub walkers: Vec<Walker>,
    /// A directory on the filesystem to test (cases make their files below it).
    pub dir: PathBuf,
    /// Compare with CPython's shutil when `python3` is found.
    pub use_oracle: bool,
    pub catalogue: Catalogue,
}

/// How a run of the suite is bounded or, for tests of the suite itself, sabotaged.
#[derive(Clone, Debug, Default)]
pub struct Settings {
    /// Variants copying a larger file are skipped, saying so (tests, CI).
    pub max_file_size: Option<u64>,
    /// Breaks subjects on purpose, to show the suite catches a broken strategy or walker.
    pub sabotage: Vec<Sabotage>,
    /// A `copybench` binary to run checks that change process-wide state in a child process
    /// (`copybench conform --run-isolated NAME --dir DIR`); without one they are skipped.
    pub isolation_binary: Option<PathBuf>,
}

/// A fault injected into every copy one subject makes (a test-only knob).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sabotage {
    /// A strategy or walker name, as in the matrix.
    pub subject: String,
    pub fault: Fault,
}

impl std::str::FromStr for Sabotage {
    type Err = String;

    /// `SUBJECT:SYSCALL:N:ERRNO`, e.g. `buffered-64k:write:1:EIO`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (subject, fault) = s
            .split_once(':')
            .ok_or_else(|| format!("`{s}`: expected SUBJECT:SYSCALL:N:ERRNO"))?;
        Ok(Sabotage {
            subject: subject.to_owned(),
            fault: fault.parse()?,
        })
    }
}

/// Why the suite could not run at all (single cases fail into the matrix instead).
#[derive(Debug, thiserror::Error)]
pub enum ConformError {
    #[error("the conformance suite is not available: {0}")]
    Unavailable(String),
    #[error(
        "cannot prepare {path}: {}",
        copybench_engine::errno::describe_io(error)
    )]
    Setup {
        path: PathBuf,
        error: std::io::Error,
    },
}

/// Runs the catalogue and returns the matrix of cases × subjects.
pub fn run_matrix(options: &ConformOptions) -> Result<ConformanceMatrix, ConformError> {
    run_matrix_with(options, &Settings::default())
}

/// [`run_matrix`] within `settings`.
pub fn run_matrix_with(
    options: &ConformOptions,
    settings: &Settings,
) -> Result<ConformanceMatrix, ConformError> {
    let work = WorkDir::create(&options.dir)?;
    let cases = cases::catalogue(options.catalogue);
    let subjects: Vec<SubjectId> = options
        .strategies
        .iter()
        .map(|s| SubjectId::Strategy(*s))
        .chain(options.walkers.iter().map(|w| SubjectId::Walker(*w)))
        .collect();
    let runner = Runner {
        work: &work.path,
        settings,
        next: std::cell::Cell::new(0),
    };

    let (oracle_outcomes, oracle_name) = if options.use_oracle {
        match oracle::Oracle::find() {
            Ok(oracle) => {
                let (outcomes, failure) = runner.run_oracle(&oracle, &cases, &subjects);
                let name = match failure {
                    None => oracle.describe(),
                    Some(why) => format!(
                        "{} failed ({why}); cells judged by CONFORMANCE.md",
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
            let target = match subject {
                SubjectId::Strategy(_) => Target::File,
                SubjectId::Walker(_) => Target::Tree,
            };
            if !case.variants.iter().any(|v| v.target == target) {
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
                .filter(|(_, v)| v.target == target)
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

fn cell(
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

/// CPython's outcome of each variant it ran, by (case index, variant index).
type OracleOutcomes = HashMap<(usize, usize), Result<Observed, String>>;

/// The verdict of one variant for one subject.
struct VariantResult {
    verdict: Verdict,
    detail: Option<String>,
    oracle_checked: bool,
}

impl VariantResult {
    fn unsupported(why: String) -> VariantResult {
        VariantResult {
            verdict: Verdict::Unsupported,
            detail: Some(why),
            oracle_checked: false,
        }
    }
    fn skipped(why: String) -> VariantResult {
        VariantResult {
            verdict: Verdict::Skipped,
            detail: Some(why),
            oracle_checked: false,
        }
    }
    fn fail(why: String, oracle_checked: bool) -> VariantResult {
        VariantResult {
            verdict: Verdict::Fail,
            detail: Some(why),
            oracle_checked,
        }
    }
}

/// A cell from its variants: any failure fails it; otherwise a pass passes it (saying what was
/// skipped); otherwise it is skipped or unsupported, with the reasons.
fn combine(results: &[(&Variant, VariantResult)]) -> (Verdict, Option<String>, bool) {
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

/// A private directory for the run's fixtures, below the directory under test; removed after.
struct WorkDir {
    path: PathBuf,
}

impl WorkDir {
    fn create(parent: &Path) -> Result<WorkDir, ConformError> {
        let setup = |error| ConformError::Setup {
            path: parent.to_owned(),
            error,
        };
        let parent = std::fs::canonicalize(parent).map_err(setup)?;
        let stamp = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        for attempt in 0..100u32 {
            let path = parent.join(format!(
                ".copybench-conform-{}-{stamp:x}-{attempt}",
                std::process::id()
            ));
            match std::fs::create_dir(&path) {
                Ok(()) => return Ok(WorkDir { path }),
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
                Err(e) => return Err(setup(e)),
            }
        }
        Err(setup(std::io::Error::from(
            std::io::ErrorKind::AlreadyExists,
        )))
    }
}

impl Drop for WorkDir {
    fn drop(&mut self) {
        fixture::remove_tree(&self.path);
    }
}

/// Runs variants: builds fixtures below `work`, runs subjects, judges outcomes.
struct Runner<'a> {
    work: &'a Path,
    settings: &'a Settings,
    /// Numbers the fixture directories.
    next: std::cell::Cell<u64>,
}

impl Runner<'_> {
    /// Why a variant cannot run here at all (the same for every subject), if it cannot.
    fn precondition(&self, variant: &Variant) -> Option<String> {
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
        match self.settings.max_file_size {
            Some(max) if variant.largest_file > max => Some(format!(
                "copies {} bytes, above --max-size {max}",
                variant.largest_file
            )),
            _ => None,
        }
    }

    /// Runs an isolated check (`isolated.rs`) in a child `copybench`, for `auto` only.
    fn isolated(&self, check: &str, subject: SubjectId) -> (Verdict, Option<String>) {
        if subject != SubjectId::Strategy(Strategy::Auto) {
            return (
                Verdict::Unsupported,
                Some(format!(
                    "{} runs alone: the process-wide fallback state is auto's",
                    subject.name()
                )),
            );
        }
        let Some(binary) = &self.settings.isolation_binary else {
            return (
                Verdict::Skipped,
                Some(
                    "changes process-wide state: `copybench conform` runs it in a child process"
                        .to_owned(),
                ),
            );
        };
        self.next.set(self.next.get() + 1);
        let dir = self.work.join(format!("isolated-{}", self.next.get()));
        if let Err(e) = std::fs::create_dir(&dir) {
            return (
                Verdict::Fail,
                Some(format!("cannot make {}: {e}", dir.display())),
            );
        }
        let output = std::process::Command::new(binary)
            .args(["conform", "--run-isolated", check, "--dir"])
            .arg(&dir)
            .stdin(std::process::Stdio::null())
            .output();
        fixture::remove_tree(&dir);
        match output {
            Ok(out) if out.status.success() => (Verdict::Pass, None),
            Ok(out) => {
                let text = String::from_utf8_lossy(&out.stdout).trim().to_owned();
                let err = String::from_utf8_lossy(&out.stderr).trim().to_owned();
                (
                    Verdict::Fail,
                    Some(if text.is_empty() { err } else { text }),
                )
            }
            Err(e) => (
                Verdict::Fail,
                Some(format!("cannot run {}: {e}", binary.display())),
            ),
        }
    }

    /// Runs every oracle variant through CPython in one batch. Returns the outcomes by
    /// (case index, variant index) and why the batch failed, if it did.
    fn run_oracle(
        &self,
        oracle: &oracle::Oracle,
        cases: &[Case],
        subjects: &[SubjectId],
    ) -> (OracleOutcomes, Option<String>) {
        let wants = |t: Target| {
            subjects.iter().any(|s| {
                matches!(
                    (s, t),
                    (SubjectId::Strategy(_), Target::File) | (SubjectId::Walker(_), Target::Tree)
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
                    || !wants(variant.target)
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
        let jobs: Vec<Job<'_>> = built
            .iter()
            .map(|((ci, vi), b)| Job {
                root: &b.root,
                op: &cases[*ci].variants[*vi].op,
                faults: Vec::new(),
            })
            .collect();
        if jobs.is_empty() {
            return (outcomes, None);
        }
        let ran = match oracle.run_batch(&jobs) {
            Ok(ran) => ran,
            Err(why) => return (HashMap::new(), Some(why)),
        };
        for (((ci, vi), b), ran) in built.iter().zip(ran) {
            let variant = &cases[*ci].variants[*vi];
            let observed = outcome::snapshot(&b.root, &variant.plan)
                .map(|snapshot| Observed {
                    returned: ran.returned,
                    snapshot,
                    root: b.root.clone(),
                    engine: None,
                })
                .map_err(|e| format!("observing CPython's copy: {e}"));
            outcomes.insert((*ci, *vi), observed);
        }
        (outcomes, None)
    }

    /// Why `strategy` cannot be judged on this filesystem, as the engine finds by trying its
    /// syscall here (reflink on ext4, fcopyfile off macOS).
    fn unsupported(&self, strategy: Strategy) -> Option<String> {
        let support = strategy.support(self.work);
        (!support.supported).then(|| format!("not supported here: {}", support.reason))
    }

    /// Runs one variant for one subject. `None`: the variant is not this subject's (another
    /// buffer size's, say).
    fn evaluate(
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
        let copier = EngineCopier {
            subject,
            as_nobody: as_nobody(variant),
            sabotage: self
                .settings
                .sabotage
                .iter()
                .filter(|b| b.subject == subject.name())
                .map(|b| b.fault)
                .collect(),
        };
        self.next.set(self.next.get() + 1);
        let root = self.work.join(format!(
            "c{}-{}-{}",
            case.number,
            self.next.get(),
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
                Err(why) => return Some(VariantResult::fail(why, false)),
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
            Err(why) => return Some(VariantResult::fail(why, false)),
        };
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
    fn run_once(
        &self,
        copier: &EngineCopier,
        root: &Path,
        variant: &Variant,
        faults: Vec<Fault>,
    ) -> Result<Observed, String> {
        let built = fixture::build(root, &variant.fixture, variant.plan.atime)
            .map_err(|e| format!("cannot build the fixture: {e}"))?;
        if copier.as_nobody {
            fixture::give_to_nobody(&built.root)
                .map_err(|e| format!("cannot give the fixture to nobody: {e}"))?;
        }
        let ran = copier
            .run(&[Job {
                root: &built.root,
                op: &variant.op,
                faults,
            }])
            .pop()
            .ok_or("the subject ran nothing")?;
        let snapshot = outcome::snapshot(&built.root, &variant.plan)
            .map_err(|e| format!("cannot observe the copy: {e}"))?;
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

/// A named strategy that refused these files before writing a byte, with an errno on which
/// CPython gives up its fast path and copies another way (`_GiveupOnFastCopy`: EXDEV across
/// filesystems, ENODEV for mmap of sysfs, …). A named strategy runs alone, without fallback,
/// so for it the case is unsupported, not failed: where CPython copied, saying why.
fn refused(variant: &Variant, subject: SubjectId, observed: &Observed) -> Option<String> {
    let SubjectId::Strategy(strategy) = subject else {
        return None;
    };
    if strategy == Strategy::Auto || case::buffer_size(strategy).is_some() {
        return None;
    }
    let Returned::Raised {
        errno: Some(errno), ..
    } = observed.returned
    else {
        return None;
    };
    let errno = rustix::io::Errno::from_raw_os_error(errno);
    let gives_up = [
        rustix::io::Errno::XDEV,
        rustix::io::Errno::INVAL,
        rustix::io::Errno::NOSYS,
        rustix::io::Errno::OPNOTSUPP,
        rustix::io::Errno::NODEV,
        rustix::io::Errno::NOTSOCK,
        rustix::io::Errno::BADF,
    ];
    if !gives_up.contains(&errno) || variant.faults_injected() {
        return None;
    }
    let case::Operation::File { dst, .. } = &variant.op else {
        return None;
    };
    let nothing_written = match observed.snapshot.get(dst) {
        None => true,
        Some(entry) => matches!(
            entry.content,
            Some(outcome::ContentMark::Digest { len: 0, .. })
                | Some(outcome::ContentMark::Partial(outcome::PartialMark::Empty))
        ),
    };
    nothing_written.then(|| {
        format!(
            "{strategy} refuses these files before writing ({}); CPython gives up its fast \
             path on that and copies another way, a named strategy runs alone",
            copybench_engine::errno::name(errno)
        )
    })
}

/// Whether the variant runs with the engine's thread as `nobody` (root running a case whose
/// permission bits must bind).
fn as_nobody(variant: &Variant) -> bool {
    variant.requirement == Requirement::Unprivileged && fixture::is_root()
}

/// The syscall an in-kernel strategy copies with.
fn fast_syscall(strategy: Option<Strategy>) -> Option<Syscall> {
    match strategy? {
        Strategy::Sendfile => Some(Syscall::Sendfile),
        Strategy::CopyFileRange => Some(Syscall::CopyFileRange),
        Strategy::Splice => Some(Syscall::Splice),
        Strategy::Reflink => Some(Syscall::Ioctl),
        _ => None,
    }
}

/// Turns a fault plan into faults for this subject, from what its clean run did.
fn resolve_faults(plan: FaultPlan, trace: Option<&EngineTrace>) -> Result<Vec<Fault>, String> {
    let trace = trace.ok_or("no syscall counts from the clean run")?;
    let made = |call: Syscall| trace.counts.get(call);
    let fast = fast_syscall(trace.strategy_used);
    let used = trace
        .strategy_used
        .map(|s| s.name().to_owned())
        .unwrap_or_else(|| "an unknown strategy".to_owned());
    let fault = |syscall, nth, errno| {
        vec![Fault {
            syscall,
            nth,
            errno,
        }]
    };
    match plan {
        FaultPlan::None => Ok(Vec::new()),
        FaultPlan::FastFirst(errno) => fast
            .filter(|c| made(*c) > 0)
            .map(|c| fault(c, 1, errno))
            .ok_or_else(|| format!("copied by {used} in userspace: no in-kernel call to fail")),
        FaultPlan::ContentFirst(errno) => fast
            .into_iter()
            .chain([Syscall::Write, Syscall::Pwrite64])
            .find(|c| made(*c) > 0)
            .map(|c| fault(c, 1, errno))
            .ok_or_else(|| format!("{used} makes no content syscall through the counted layer")),
        FaultPlan::ContentLast(errno) => fast
            .into_iter()
            .chain([
                Syscall::Read,
                Syscall::Write,
                Syscall::Pread64,
                Syscall::Pwrite64,
            ])
            .find(|c| made(*c) >= 2)
            .map(|c| fault(c, made(c), errno))
            .ok_or_else(|| {
                format!("{used} makes each content syscall once: no call after progress to fail")
            }),
        FaultPlan::FirstOf(calls, errno) => calls
            .iter()
            .find(|c| made(**c) > 0)
            .map(|c| fault(*c, 1, errno))
            .ok_or_else(|| {
                let names: Vec<&str> = calls.iter().map(|c| c.name()).collect();
                format!("{used} makes none of {}", names.join(", "))
            }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The CONFORMANCE.md expectations written here hold for CPython's own outcomes: they were
    /// not copied from the engine, and they judge fairly when `python3` is absent.
    #[test]
    fn expectations_hold_for_cpython() {
        let oracle = match oracle::Oracle::find() {
            Ok(o) => o,
            Err(why) => {
                eprintln!("skipped: {why}");
                return;
            }
        };
        let tmp = tempfile::tempdir().unwrap();
        let settings = Settings {
            max_file_size: Some(1 << 20),
            ..Settings::default()
        };
        let runner = Runner {
            work: tmp.path(),
            settings: &settings,
            next: std::cell::Cell::new(0),
        };
        let cases = cases::catalogue(Catalogue::Full);
        let subjects = [
            SubjectId::Strategy(Strategy::Auto),
            SubjectId::Walker(Walker::Lean),
        ];
        let (outcomes, failure) = runner.run_oracle(&oracle, &cases, &subjects);
        assert_eq!(failure, None);
        assert!(
            outcomes.len() > 40,
            "only {} oracle outcomes",
            outcomes.len()
        );
        let mut wrong = Vec::new();
        for ((ci, vi), observed) in &outcomes {
            let (case, variant) = (&cases[*ci], &cases[*ci].variants[*vi]);
            let subject = match variant.target {
                Target::File => subjects[0],
                Target::Tree => subjects[1],
            };
            let observed = observed.as_ref().unwrap();
            if let Err(why) = (variant.expect)(observed, subject) {
                wrong.push(format!("case {} {}: {why}", case.number, variant.name));
            }
        }
        assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    }
}
