//! Things that copy: an engine strategy, an engine walker, and CPython's shutil (the oracle, in
//! `oracle.rs`). Each runs invocations (an operation on a fixture built for it) and says what
//! the call returned.

use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Duration;

use copybench_engine::{
    copy_file, copy_tree, CopyOptions, Fault, SyscallRecorder, TreeOptions, Walker,
};

use super::case::{Operation, SubjectId};
use super::fixture::join;
use super::outcome::{EngineTrace, Gathered, Returned};
use super::TreeSettings;

/// One operation to run on the fixture built at `root`.
pub(crate) struct Invocation<'a> {
    pub root: &'a Path,
    pub op: &'a Operation,
    /// Syscalls to fail on purpose (engine subjects only).
    pub faults: Vec<Fault>,
}

/// What running an invocation gave.
pub(crate) struct Ran {
    pub returned: Returned,
    pub trace: Option<EngineTrace>,
}

/// Something that copies the way CPython's shutil should.
pub(crate) trait Copier {
    /// As named in the matrix.
    fn name(&self) -> String;
    /// Runs every invocation, in order (the oracle runs them all in one interpreter).
    fn run(&self, invocations: &[Invocation<'_>]) -> Vec<Ran>;
}

/// How long a subject may take on a fixture with a FIFO before it is presumed blocked in `open`
/// and unblocked. A watchdog, not a measurement: nothing is judged on the time taken, and
/// fixtures with FIFOs are a few bytes.
const FIFO_WATCHDOG: Duration = Duration::from_secs(2);
/// How long any other copy may take before it is reported as hung.
const WATCHDOG: Duration = Duration::from_secs(300);

/// The uid of `nobody` on Debian.
pub(crate) const NOBODY: u32 = 65534;

/// The engine, with one strategy (file cases) or one walker (tree cases).
pub(crate) struct EngineCopier {
    pub subject: SubjectId,
    /// How tree calls copy (`ConformOptions::tree`).
    pub tree: TreeSettings,
    /// Run as `nobody` (filesystem uid), so that permission bits bind on a root run.
    pub as_nobody: bool,
    /// Faults added to every invocation: the suite's own tests break a subject on purpose.
    pub sabotage: Vec<Fault>,
}

impl Copier for EngineCopier {
    fn name(&self) -> String {
        self.subject.name()
    }

    fn run(&self, invocations: &[Invocation<'_>]) -> Vec<Ran> {
        invocations
            .iter()
            .map(|invocation| self.run_one(invocation))
            .collect()
    }
}

impl EngineCopier {
    fn run_one(&self, invocation: &Invocation<'_>) -> Ran {
        let mut faults = invocation.faults.clone();
        faults.extend(self.sabotage.iter().copied());
        let recorder = SyscallRecorder::with_faults(faults);
        let root = invocation.root.to_owned();
        let op = invocation.op.clone();
        let subject = self.subject;
        let tree = self.tree;
        let as_nobody = self.as_nobody;
        let (tx, rx) = mpsc::channel();
        let thread_recorder = recorder.clone();
        let spawned = std::thread::Builder::new()
            .name(format!("conform {}", subject.name()))
            .spawn(move || {
                if as_nobody {
                    // Per thread: the fsuid and the capabilities it drops (DAC override) are this
                    // thread's, and threads it starts inherit them; the thread ends after.
                    crate::os::set_thread_fsuid(NOBODY);
                }
                let result = thread_recorder.run(|| run_engine(subject, &root, &op, tree));
                let _ = tx.send(result);
            });
        let handle = match spawned {
            Ok(h) => h,
            Err(e) => {
                return Ran {
                    returned: Returned::Broken(format!("cannot start a thread: {e}")),
                    trace: None,
                }
            }
        };
        let has_fifo = !fifos(invocation.root).is_empty();
        let outcome = match rx.recv_timeout(if has_fifo { FIFO_WATCHDOG } else { WATCHDOG }) {
            Ok(outcome) => Some(outcome),
            Err(mpsc::RecvTimeoutError::Timeout) if has_fifo => {
                unblock_fifos(invocation.root);
                rx.recv_timeout(Duration::from_secs(5)).ok().map(|_| {
                    (
                        Returned::Broken(format!(
                            "blocked on a FIFO (for {}s, until it was opened from the other end)",
                            FIFO_WATCHDOG.as_secs()
                        )),
                        None,
                    )
                })
            }
            Err(mpsc::RecvTimeoutError::Timeout) => None,
            Err(mpsc::RecvTimeoutError::Disconnected) => None,
        };
        match outcome {
            Some((returned, mut trace)) => {
                let _ = handle.join();
                if let Some(t) = trace.as_mut() {
                    t.counts = recorder.counts();
                }
                Ran {
                    returned,
                    trace: trace.or_else(|| {
                        Some(EngineTrace {
                            counts: recorder.counts(),
                            ..EngineTrace::default()
                        })
                    }),
                }
            }
            None if handle.is_finished() => {
                let why = match handle.join() {
                    Err(panic) => panic
                        .downcast_ref::<String>()
                        .cloned()
                        .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                        .unwrap_or_else(|| "a panic".to_owned()),
                    Ok(()) => "no result".to_owned(),
                };
                Ran {
                    returned: Returned::Broken(format!("the engine panicked: {why}")),
                    trace: None,
                }
            }
            None => Ran {
                returned: Returned::Broken(format!(
                    "did not return within {}s (left running)",
                    WATCHDOG.as_secs()
                )),
                trace: None,
            },
        }
    }
}

/// Runs `op` below `root` with the engine as `subject` says.
fn run_engine(
    subject: SubjectId,
    root: &Path,
    op: &Operation,
    tree: TreeSettings,
) -> (Returned, Option<EngineTrace>) {
    match op {
        Operation::File {
            mode,
            src,
            dst,
            follow_symlinks,
        } => {
            let options = CopyOptions {
                strategy: subject.strategy(),
                mode: *mode,
                follow_symlinks: *follow_symlinks,
            };
            match copy_file(&join(root, src), &join(root, dst), &options) {
                Ok(report) => (
                    Returned::Path(relative(root, &report.dst)),
                    Some(EngineTrace {
                        strategy_used: Some(report.strategy_used),
                        fallbacks: report.fallbacks,
                        counts: Default::default(),
                    }),
                ),
                Err(e) => (raised(&e), Some(EngineTrace::default())),
            }
        }
        Operation::Tree(call) => {
            let options = TreeOptions {
                walker: match subject {
                    SubjectId::Walker(w) => w,
                    SubjectId::Strategy(_) => Walker::default(),
                },
                jobs: call.jobs.max(tree.jobs).max(1),
                strategy: match subject {
                    SubjectId::Strategy(s) => s,
                    SubjectId::Walker(_) => tree.strategy,
                },
                mode: copybench_engine::Mode::Copy2,
                symlinks: call.symlinks,
                ignore_dangling_symlinks: call.ignore_dangling_symlinks,
                dirs_exist_ok: call.dirs_exist_ok,
                ignore: call.ignore.clone(),
                record_latencies: false,
                xattrs: true,
            };
            match copy_tree(&join(root, &call.src), &join(root, &call.dst), &options) {
                Ok(report) if report.errors.is_empty() => (
                    Returned::Path(call.dst.clone()),
                    Some(EngineTrace::default()),
                ),
                Ok(report) => (
                    Returned::Gathered(
                        report
                            .errors
                            .iter()
                            .map(|entry| Gathered {
                                src: relative(root, &entry.src),
                                dst: relative(root, &entry.dst),
                                kind: entry.error.kind.as_str().to_owned(),
                                errno: entry.error.errno.map(|e| e.raw_os_error()),
                            })
                            .collect(),
                    ),
                    Some(EngineTrace::default()),
                ),
                Err(e) => (raised(&e), Some(EngineTrace::default())),
            }
        }
    }
}

fn raised(error: &copybench_engine::CopyError) -> Returned {
    Returned::Raised {
        kind: error.kind.as_str().to_owned(),
        errno: error.errno.map(|e| e.raw_os_error()),
        about: Vec::new(),
        message: error.to_string(),
    }
}

/// `path` relative to `root` (as bytes); absolute paths elsewhere stay absolute.
pub(crate) fn relative(root: &Path, path: &Path) -> Vec<u8> {
    let mut prefix = root.as_os_str().as_bytes().to_vec();
    if !prefix.ends_with(b"/") {
        prefix.push(b'/');
    }
    let bytes = path.as_os_str().as_bytes();
    bytes
        .strip_prefix(prefix.as_slice())
        .unwrap_or(bytes)
        .to_vec()
}

/// Every FIFO below `root`.
fn fifos(root: &Path) -> Vec<PathBuf> {
    use std::os::unix::fs::FileTypeExt;
    let mut found = Vec::new();
    let mut stack = vec![PathBuf::from(root)];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let Ok(ft) = entry.file_type() else { continue };
            if ft.is_dir() {
                stack.push(entry.path());
            } else if ft.is_fifo() {
                found.push(entry.path());
            }
        }
    }
    found
}

/// Opens and closes every FIFO below `root` from both ends without blocking: a subject blocked
/// in `open` on one returns, and then reads end of file (or writes fail with EPIPE; Rust
/// ignores SIGPIPE).
fn unblock_fifos(root: &Path) {
    use std::os::unix::fs::OpenOptionsExt;
    for fifo in fifos(root) {
        for write in [false, true] {
            let _ = std::fs::OpenOptions::new()
                .read(!write)
                .write(write)
                .custom_flags(libc::O_NONBLOCK)
                .open(&fifo);
        }
    }
}
