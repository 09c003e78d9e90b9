//! Checks that change process-wide state, run in a child `copybench conform --run-isolated`
//! so that the process that times strategies is left as it was: the child's side
//! ([`run_isolated`]) and the parent's (starting the child, judging its answer).
//!
//! Case 16: CPython clears `shutil._USE_CP_SENDFILE` for the rest of the process the first time
//! sendfile says ENOTSOCK; the engine's `auto` does the same, and there is no way back.

use std::path::Path;

use copybench_engine::{
    copy_file, sendfile_disabled_for_process, CopyOptions, Fault, Strategy, Syscall,
    SyscallRecorder,
};
use rustix::io::Errno;

use copybench_result::Verdict;

use super::case::SubjectId;
use super::case_runner::CaseRunner;
use super::fixture::{self, build, Content, Node, FIXTURE_ATIME};
use crate::child::ChildRequest;

/// The name of case 16's check.
pub(crate) const SENDFILE_DISABLED: &str = "sendfile-disabled";

/// Runs the check called `name` below `dir`: `Err` says what went wrong.
pub fn run_isolated(name: &str, dir: &Path) -> Result<(), String> {
    match name {
        SENDFILE_DISABLED => sendfile_disabled(dir),
        other => Err(format!("no isolated check called `{other}`")),
    }
}

fn sendfile_disabled(dir: &Path) -> Result<(), String> {
    let built = build(
        &dir.join("sendfile-disabled"),
        &[Node::file(
            "src",
            Content::Random {
                len: 100_000,
                seed: 16,
            },
        )],
        FIXTURE_ATIME,
    )
    .map_err(|e| format!("cannot build the fixture: {e}"))?;
    let src = built.root.join("src");
    let expected = std::fs::read(&src).map_err(|e| e.to_string())?;
    if sendfile_disabled_for_process() {
        return Err("sendfile was already disabled before the check".to_owned());
    }
    // Make auto reach sendfile: the steps before it give up as on a filesystem without them.
    let before_sendfile = || {
        vec![
            Fault {
                syscall: Syscall::Ioctl,
                nth: 1,
                errno: Errno::OPNOTSUPP,
            },
            Fault {
                syscall: Syscall::CopyFileRange,
                nth: 1,
                errno: Errno::XDEV,
            },
        ]
    };
    let options = CopyOptions {
        strategy: Strategy::Auto,
        ..CopyOptions::default()
    };
    let copy = |faults: Vec<Fault>, dst: &str| {
        let recorder = SyscallRecorder::with_faults(faults);
        let dst = built.root.join(dst);
        let report = recorder
            .run(|| copy_file(&src, &dst, &options))
            .map_err(|e| format!("copy to {}: {e}", dst.display()))?;
        let content = std::fs::read(&dst).map_err(|e| e.to_string())?;
        if content != expected {
            return Err(format!("{} differs from its source", dst.display()));
        }
        Ok((report, recorder.counts()))
    };
    let mut first_faults = before_sendfile();
    first_faults.push(Fault {
        syscall: Syscall::Sendfile,
        nth: 1,
        errno: Errno::NOTSOCK,
    });
    let (report, _) = copy(first_faults, "first")?;
    if !report
        .fallbacks
        .iter()
        .any(|f| f.from == Strategy::Sendfile && f.errno == Some(Errno::NOTSOCK))
    {
        return Err(format!(
            "auto did not give up sendfile on ENOTSOCK: fallbacks {:?}",
            report.fallbacks
        ));
    }
    if !sendfile_disabled_for_process() {
        return Err("sendfile is not disabled after ENOTSOCK".to_owned());
    }
    let (_, counts) = copy(before_sendfile(), "second")?;
    match counts.get(Syscall::Sendfile) {
        0 => Ok(()),
        n => Err(format!("the next copy still made {n} sendfile calls")),
    }
}

impl CaseRunner<'_> {
    /// Runs an isolated check (`isolated.rs`) in a child `copybench`, for `auto` only.
    pub(super) fn isolated(&self, check: &str, subject: SubjectId) -> (Verdict, Option<String>) {
        if subject != SubjectId::Strategy(Strategy::Auto) {
            return (
                Verdict::Unsupported,
                Some(format!(
                    "{} runs alone: the process-wide fallback state is auto's",
                    subject.name()
                )),
            );
        }
        let Some(program) = &self.options.isolation else {
            return (
                Verdict::Skipped,
                Some(
                    "changes process-wide state: `copybench conform` runs it in a child process"
                        .to_owned(),
                ),
            );
        };
        let dir = self.work.join(format!("isolated-{}", self.next_number()));
        if let Err(e) = std::fs::create_dir(&dir) {
            return (
                Verdict::Fail,
                Some(format!("cannot make {}: {e}", dir.display())),
            );
        }
        let output = program
            .command(&ChildRequest::RunIsolated {
                check: check.to_owned(),
                dir: dir.clone(),
            })
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
                Some(format!("cannot run {}: {e}", program.exe.display())),
            ),
        }
    }
}
