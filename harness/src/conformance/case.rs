//! What a case is: fixtures, the operation run on them, and what is expected of the outcome.

use copybench_engine::{Mode, Strategy, Syscall, Walker};
use rustix::io::Errno;

use super::fixture::Node;
use super::outcome::{Observed, SnapshotPlan};

/// A case of docs/conformance.md: one or more variants, all of which must pass.
pub(crate) struct Case {
    pub number: u32,
    pub title: &'static str,
    /// In the quick catalogue that runs beside every scenario.
    pub quick: bool,
    pub variants: Vec<Variant>,
    /// Why the case cannot be run by this suite at all (every cell is skipped with it).
    pub not_run: Option<&'static str>,
    /// A check that changes process-wide state, run in a child `copybench` for `auto` only
    /// (the name the child is given; see `isolated.rs`).
    pub isolated: Option<&'static str>,
}

impl Case {
    pub(crate) fn new(number: u32, title: &'static str, variants: Vec<Variant>) -> Case {
        Case {
            number,
            title,
            quick: false,
            variants,
            not_run: None,
            isolated: None,
        }
    }

    /// Also in the quick catalogue.
    pub(crate) fn quick(mut self) -> Case {
        self.quick = true;
        self
    }

    /// A case this suite cannot run, with why; its cells are skipped (`copies` says for whom).
    pub(crate) fn not_run(
        number: u32,
        title: &'static str,
        copies: Copies,
        why: &'static str,
    ) -> Case {
        let mut variant = Variant::file(
            "-",
            Vec::new(),
            Operation::copyfile("src", "dst"),
            |_, _| Ok(()),
        );
        variant.copies = copies;
        Case {
            number,
            title,
            quick: false,
            variants: vec![variant],
            not_run: Some(why),
            isolated: None,
        }
    }

    /// A case run by the named check in a child process (it changes process-wide state).
    pub(crate) fn isolated(number: u32, title: &'static str, check: &'static str) -> Case {
        let mut case = Case::not_run(number, title, Copies::File, "");
        case.not_run = None;
        case.isolated = Some(check);
        case
    }
}

/// What a variant copies, which decides the subjects it is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Copies {
    /// Strategies copying one file (copyfile / copy / copy2).
    File,
    /// Walkers copying a tree (copytree).
    Tree,
}

/// The call a variant makes, in CPython's terms. Paths are relative to the fixture's root
/// (or absolute, for `/proc` sources).
#[derive(Clone, Debug)]
pub(crate) enum Operation {
    File {
        mode: Mode,
        src: Vec<u8>,
        dst: Vec<u8>,
        follow_symlinks: bool,
    },
    Tree(TreeCall),
}

/// `shutil.copytree`'s arguments (the copy function is always `copy2`, its default).
#[derive(Clone, Debug, Default)]
pub(crate) struct TreeCall {
    pub src: Vec<u8>,
    pub dst: Vec<u8>,
    pub symlinks: bool,
    pub ignore_dangling_symlinks: bool,
    pub dirs_exist_ok: bool,
    pub ignore: Vec<String>,
    /// Threads of the engine's copy (CPython has one).
    pub jobs: usize,
}

impl Operation {
    pub(crate) fn copyfile(src: &str, dst: &str) -> Operation {
        Operation::file(Mode::Copyfile, src, dst)
    }
    pub(crate) fn copy(src: &str, dst: &str) -> Operation {
        Operation::file(Mode::Copy, src, dst)
    }
    pub(crate) fn copy2(src: &str, dst: &str) -> Operation {
        Operation::file(Mode::Copy2, src, dst)
    }
    pub(crate) fn file(mode: Mode, src: impl AsRef<[u8]>, dst: impl AsRef<[u8]>) -> Operation {
        Operation::File {
            mode,
            src: src.as_ref().to_vec(),
            dst: dst.as_ref().to_vec(),
            follow_symlinks: true,
        }
    }
    /// The same call with `follow_symlinks=False`.
    pub(crate) fn no_follow(mut self) -> Operation {
        if let Operation::File {
            follow_symlinks, ..
        } = &mut self
        {
            *follow_symlinks = false;
        }
        self
    }
    pub(crate) fn copytree(src: &str, dst: &str) -> TreeCall {
        TreeCall {
            src: src.as_bytes().to_vec(),
            dst: dst.as_bytes().to_vec(),
            jobs: 1,
            ..TreeCall::default()
        }
    }
}

impl From<TreeCall> for Operation {
    fn from(call: TreeCall) -> Operation {
        Operation::Tree(call)
    }
}

/// The subject a variant runs against, as far as expectations care.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum SubjectId {
    Strategy(Strategy),
    Walker(Walker),
}

impl SubjectId {
    pub(crate) fn name(self) -> String {
        match self {
            SubjectId::Strategy(s) => s.name().to_owned(),
            SubjectId::Walker(w) => w.name().to_owned(),
        }
    }

    pub(crate) fn strategy(self) -> Strategy {
        match self {
            SubjectId::Strategy(s) => s,
            SubjectId::Walker(_) => Strategy::Auto,
        }
    }
}

/// How to make a subject fail on purpose, resolved per subject from a clean run of the same
/// variant (which syscalls it made).
#[derive(Clone, Copy, Debug)]
pub(crate) enum FaultPlan {
    None,
    /// The first call of the in-kernel syscall that copied the content (sendfile,
    /// copy_file_range, splice, FICLONE); subjects without one are unsupported.
    FastFirst(Errno),
    /// The first call of the syscall that writes the content (in-kernel or `write`).
    ContentFirst(Errno),
    /// The last call of a content syscall made at least twice: an error after progress.
    ContentLast(Errno),
    /// The first call of whichever of these syscalls the clean run made.
    FirstOf(&'static [Syscall], Errno),
}

/// What a variant needs of the machine beyond the directory under test.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Requirement {
    None,
    /// Permission bits must bind. Root reads everything, so as root the fixture is given to
    /// `nobody` and the engine's thread drops to it with `setfsuid` (CPython, run as root, is
    /// then not comparable: the case is judged by docs/conformance.md).
    Unprivileged,
    /// A system file the case reads (`/sys/...`), which not every kernel has.
    Exists(&'static str),
}

/// A judgement: `Err` says what is wrong.
pub(crate) type Check = Result<(), String>;
/// An expectation from docs/conformance.md, applied to an outcome.
pub(crate) type Expect = Box<dyn Fn(&Observed, SubjectId) -> Check>;
/// Whether a variant applies to a subject; `Err` is why not (the cell is unsupported).
pub(crate) type Applies = Box<dyn Fn(SubjectId) -> Check>;
/// A remark on a passing outcome.
pub(crate) type Note = Box<dyn Fn(&Observed) -> Option<String>>;

/// One concrete run of a case: a fixture, a call and expectations.
pub(crate) struct Variant {
    /// Tells variants of a case apart in a failure's detail.
    pub name: String,
    pub copies: Copies,
    pub fixture: Vec<Node>,
    pub op: Operation,
    pub plan: SnapshotPlan,
    /// Whether CPython's shutil can run it (not for faults in our syscall layer).
    pub oracle: bool,
    pub faults: FaultPlan,
    pub requirement: Requirement,
    /// The docs/conformance.md expectation: the judge when the oracle cannot be, and held against
    /// CPython's own outcome by the tests so it cannot drift from CPython.
    pub expect: Expect,
    /// What only the engine can show (fallbacks, syscall counts), checked beside the oracle.
    pub engine_check: Option<Expect>,
    pub applies: Applies,
    /// The largest file it copies (for `--max-size`).
    pub largest_file: u64,
    /// Something worth saying about a passing outcome (whether holes were kept).
    pub note: Option<Note>,
}

impl Variant {
    /// A variant for strategies, checked against the oracle and `expect`.
    pub(crate) fn file(
        name: impl Into<String>,
        fixture: Vec<Node>,
        op: Operation,
        expect: impl Fn(&Observed, SubjectId) -> Check + 'static,
    ) -> Variant {
        let largest_file = fixture
            .iter()
            .map(|n| match n {
                Node::File { content, .. } => content.len(),
                _ => 0,
            })
            .max()
            .unwrap_or(0);
        // Times are related to the source's only where the call copies them: for copyfile
        // and copy, a new file's atime equal to its source's is a coincidence of the clock
        // tick, not behaviour.
        let mirror = match &op {
            Operation::File { mode, src, dst, .. } => {
                (*mode == Mode::Copy2).then(|| (dst.clone(), src.clone()))
            }
            Operation::Tree(call) => Some((call.dst.clone(), call.src.clone())),
        };
        let plan = SnapshotPlan {
            mirror,
            partial: Vec::new(),
            atime: super::fixture::FIXTURE_ATIME,
        };
        Variant {
            name: name.into(),
            copies: match op {
                Operation::File { .. } => Copies::File,
                Operation::Tree(_) => Copies::Tree,
            },
            fixture,
            op,
            plan,
            oracle: true,
            faults: FaultPlan::None,
            requirement: Requirement::None,
            expect: Box::new(expect),
            engine_check: None,
            applies: Box::new(|_| Ok(())),
            largest_file,
            note: None,
        }
    }

    /// A variant for walkers (the same constructor: the operation says which).
    pub(crate) fn tree(
        name: impl Into<String>,
        fixture: Vec<Node>,
        call: TreeCall,
        expect: impl Fn(&Observed, SubjectId) -> Check + 'static,
    ) -> Variant {
        Variant::file(name, fixture, call.into(), expect)
    }

    /// Fails syscalls on purpose: CPython cannot express this, so no oracle.
    pub(crate) fn with_faults(mut self, faults: FaultPlan) -> Variant {
        self.faults = faults;
        self.oracle = false;
        self
    }

    pub(crate) fn without_oracle(mut self) -> Variant {
        self.oracle = false;
        self
    }

    pub(crate) fn engine_check(
        mut self,
        check: impl Fn(&Observed, SubjectId) -> Check + 'static,
    ) -> Variant {
        self.engine_check = Some(Box::new(check));
        self
    }

    pub(crate) fn applies(mut self, applies: impl Fn(SubjectId) -> Check + 'static) -> Variant {
        self.applies = Box::new(applies);
        self
    }

    pub(crate) fn requires(mut self, requirement: Requirement) -> Variant {
        self.requirement = requirement;
        self
    }

    pub(crate) fn note(mut self, note: impl Fn(&Observed) -> Option<String> + 'static) -> Variant {
        self.note = Some(Box::new(note));
        self
    }

    /// Whether syscalls are failed on purpose (their errnos are the case, not a refusal).
    pub(crate) fn faults_injected(&self) -> bool {
        !matches!(self.faults, FaultPlan::None)
    }

    /// Builds the fixture with an atime that reads move (see [`super::fixture::PAST_ATIME`]).
    pub(crate) fn past_atime(mut self) -> Variant {
        self.plan.atime = super::fixture::PAST_ATIME;
        self
    }

    /// `dst` may hold a partial copy of `src`: compare how it relates to `src`, not its bytes.
    pub(crate) fn partial(mut self, dst: &str, src: &str) -> Variant {
        self.plan
            .partial
            .push((dst.as_bytes().to_vec(), src.as_bytes().to_vec()));
        self
    }
}

/// Whether `subject`'s errors name both files, as CPython's in-kernel copy does; a copy through
/// a userspace buffer or a pipe names the side whose syscall failed.
pub(crate) fn names_both_files(subject: SubjectId) -> bool {
    matches!(
        subject.strategy(),
        Strategy::Auto | Strategy::Sendfile | Strategy::CopyFileRange | Strategy::Reflink
    )
}

/// Strategies whose content loop is in the kernel.
pub(crate) fn is_in_kernel(strategy: Strategy) -> bool {
    matches!(
        strategy,
        Strategy::Sendfile | Strategy::CopyFileRange | Strategy::Splice | Strategy::Reflink
    )
}

/// Strategies that loop over a userspace buffer, and the buffer's size (`dontcache` is such a
/// loop, over `preadv2`/`pwritev2`; `io_uring` one over registered buffers of this size).
pub(crate) fn buffer_size(strategy: Strategy) -> Option<u64> {
    match strategy {
        Strategy::Buffered16k => Some(16 << 10),
        Strategy::Buffered64k | Strategy::Readinto64k => Some(64 << 10),
        Strategy::Readinto256k | Strategy::IoUring => Some(256 << 10),
        Strategy::Buffered1m | Strategy::Readinto1m | Strategy::Dontcache => Some(1 << 20),
        _ => None,
    }
}
