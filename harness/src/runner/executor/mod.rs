//! The measuring seam: one trait for "something that can be sampled" (hyperfine's
//! `Executor`), so the round loop neither knows nor cares how an entry copies.
//!
//! Four kinds: an in-process file copy and an in-process tree copy (`in_process.rs`, timed with
//! the CPU clocks around the engine and counted by its syscall layer), a child `copybench` and a
//! peer program (`child.rs`, reaped with `wait4`). The runner's tests use a mock that touches no
//! filesystem. A child's start-up cost belongs here too: [`Executor::startup_command`] is the
//! no-op invocation of the same program, timed the same way as the copies.

mod baseline;
mod child;
mod in_process;
#[cfg(test)]
pub(super) mod mock;

use std::ffi::OsString;
use std::path::Path;

use copybench_engine::{CopyOptions, Strategy, SyscallCounts, TreeOptions};
use copybench_result::{FixtureKind, TimedAs};

pub(super) use baseline::{Memcpy, MemoryBuffers, ReadInto, Startup};
pub(super) use child::{CopybenchChild, PeerProgram};
pub(super) use in_process::{Counted, FileCopy, TreeCopy};

use super::RunOptions;
use crate::child::ChildRequest;
use crate::interpreters::Interpreters;
use crate::measure::Timing;
use crate::mechanism::ContentTally;
use crate::peer::NoOp;
use crate::scenario::{EntrySpec, Scenario, Subject};

/// Something the runner can sample: one copy of the fixture per call.
pub(super) trait Executor {
    /// Copies `src` to `dst` (which does not exist yet) once and measures it; anything the
    /// scenario wants inside the timing (its fsync) happens inside.
    fn sample(
        &self,
        src: &Path,
        dst: &Path,
        setting: &Setting<'_>,
    ) -> Result<Measured, SampleError>;

    /// The command line a child runs for (`src`, `dst`): shown in the result, and run under
    /// strace to count a child's syscalls. `None` in process.
    fn command_line(&self, _src: &Path, _dst: &Path) -> Option<Vec<OsString>> {
        None
    }

    /// Whether a sample leaves a copy at `dst` to check and move into the trash (the
    /// machine's baselines copy into memory, a program's no-op start copies nothing).
    fn writes_copy(&self) -> bool {
        true
    }

    /// The no-op invocation of the same program (`copybench --version`, `python3 -c pass`,
    /// `cp --version`): its time is what starting this entry costs, part of every sample's wall
    /// time. `None` in process, where nothing is started.
    fn startup_command(&self) -> Option<NoOp> {
        None
    }
}

/// What every sample of a scenario shares, as the executors see it.
pub(super) struct Setting<'a> {
    /// `syncfs` of the target inside the timing.
    pub(super) fsync: bool,
    /// The target directory, for that `syncfs`.
    pub(super) target: std::os::fd::BorrowedFd<'a>,
    /// The fixture's bytes: what a child, which reports nothing, is credited with copying.
    pub(super) fixture_bytes: u64,
}

/// What one sample measured.
#[derive(Clone, Debug)]
pub(super) struct Measured {
    pub(super) timing: Timing,
    pub(super) bytes: u64,
    /// Per-file latencies (trees copied in process).
    pub(super) latencies: Vec<u64>,
    /// The engine's counted syscalls (in process); `None` for a child.
    pub(super) counts: Option<SyscallCounts>,
    /// Which strategy copied each file, and the give-ups before it (in process); `None` for a
    /// child, which does not say.
    pub(super) content: Option<ContentTally>,
}

/// Why one sample failed (the entry is then skipped with this as its reason).
#[derive(Debug, thiserror::Error)]
pub(super) enum SampleError {
    #[error("cannot start the sample's thread: {0}")]
    Rusage(std::io::Error),
    #[error("syncfs: {0}")]
    Syncfs(rustix::io::Errno),
    #[error("{0}")]
    Copy(#[from] copybench_engine::CopyError),
    #[error("the engine panicked: {0}")]
    Panicked(String),
    /// A named strategy must time its own syscall: one that handed over to another is not
    /// measured under its name (auto's chain is its point, so it may).
    #[error("{named} gave up{why} and {used} copied instead: not timed under its name")]
    HandedOver {
        named: Strategy,
        used: Strategy,
        /// ` (ERRNO)` when the fallback said why, else empty.
        why: String,
    },
    #[error("{count} errors, the first: {first}")]
    TreeErrors { count: usize, first: String },
    #[error(
        "cannot run {program:?}: {}",
        copybench_engine::errno::describe_io(error)
    )]
    Spawn {
        program: OsString,
        error: std::io::Error,
    },
    #[error("{program}: {detail}")]
    ChildFailed { program: String, detail: String },
    #[error(transparent)]
    Check(#[from] super::check::CheckError),
    #[error("reading {}: {error}", path.display())]
    Read {
        path: std::path::PathBuf,
        error: std::io::Error,
    },
}

/// Why an entry cannot be sampled here (it is skipped with this as the reason).
#[derive(Debug, thiserror::Error)]
pub(super) enum Unavailable {
    #[error("no copybench executable to time as a child process")]
    NoChildProgram,
    #[error(transparent)]
    Peer(#[from] crate::peer::PeerError),
}

/// The executor for `entry`, or why it cannot run here; in process `counted` says whether the
/// syscall recorder is installed. `xattrs` false: copy2 must leave extended attributes alone
/// (the source's filesystem fails listxattr, as an SMB share through smbnetfs does).
pub(super) fn for_entry(
    entry: &EntrySpec,
    scenario: &Scenario,
    options: &RunOptions,
    interpreters: &Interpreters,
    kind: FixtureKind,
    counted: Counted,
    xattrs: bool,
) -> Result<Box<dyn Executor>, Unavailable> {
    let mode = scenario.mode;
    let child = || options.copybench.clone().ok_or(Unavailable::NoChildProgram);
    Ok(match (&entry.subject, entry.timed_as) {
        (Subject::Strategy(strategy), TimedAs::InProcess) => Box::new(FileCopy(
            CopyOptions {
                strategy: *strategy,
                mode,
                follow_symlinks: true,
            },
            counted,
        )),
        (
            Subject::Walker {
                walker,
                jobs,
                strategy,
            },
            TimedAs::InProcess,
        ) => Box::new(TreeCopy(
            TreeOptions {
                walker: *walker,
                jobs: *jobs as usize,
                strategy: *strategy,
                mode,
                // Peers copy links as links (`cp -R`, `rsync -l`, copytree(symlinks=True)).
                symlinks: true,
                record_latencies: true,
                xattrs,
                ..TreeOptions::default()
            },
            counted,
        )),
        (Subject::Strategy(strategy), TimedAs::ChildProcess) => {
            let strategy = *strategy;
            Box::new(CopybenchChild::new(child()?, move |src, dst| {
                ChildRequest::Copy {
                    strategy,
                    mode,
                    src: src.to_owned(),
                    dst: dst.to_owned(),
                }
            }))
        }
        (
            Subject::Walker {
                walker,
                jobs,
                strategy,
            },
            TimedAs::ChildProcess,
        ) => {
            let (walker, jobs, strategy) = (*walker, *jobs, *strategy);
            Box::new(CopybenchChild::new(child()?, move |src, dst| {
                ChildRequest::CopyTree {
                    walker,
                    jobs,
                    strategy,
                    mode,
                    xattrs,
                    src: src.to_owned(),
                    dst: dst.to_owned(),
                }
            }))
        }
        (Subject::Peer(peer_kind), _) => {
            Box::new(PeerProgram::resolve(peer_kind, interpreters, kind, xattrs)?)
        }
    })
}
