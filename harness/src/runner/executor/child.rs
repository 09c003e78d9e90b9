//! Copies made by another process, reaped with `wait4` so its CPU time and peak RSS are its
//! own: a child `copybench` (an engine entry timed as the peers are) or a peer program.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use copybench_result::FixtureKind;

use super::{Executor, Measured, SampleError, Setting};
use crate::child::{ChildProgram, ChildRequest};
use crate::interpreters::Interpreters;
use crate::measure::{self, CpuScope};
use crate::peer::{NoOp, Peer, PeerError, PeerKind};

/// Builds the request for one copy of (source, destination).
type RequestFor = Box<dyn Fn(&Path, &Path) -> ChildRequest>;

/// A child `copybench`, asked through a [`ChildRequest`] in the CLI's own format.
pub(in crate::runner) struct CopybenchChild {
    program: ChildProgram,
    request: RequestFor,
}

impl CopybenchChild {
    pub(in crate::runner) fn new(
        program: ChildProgram,
        request: impl Fn(&Path, &Path) -> ChildRequest + 'static,
    ) -> CopybenchChild {
        CopybenchChild {
            program,
            request: Box::new(request),
        }
    }
}

impl Executor for CopybenchChild {
    fn sample(
        &self,
        src: &Path,
        dst: &Path,
        setting: &Setting<'_>,
    ) -> Result<Measured, SampleError> {
        time_command(
            &self.program.command_line(&(self.request)(src, dst)),
            setting,
        )
    }

    fn command_line(&self, src: &Path, dst: &Path) -> Option<Vec<OsString>> {
        Some(self.program.command_line(&(self.request)(src, dst)))
    }

    fn startup_command(&self) -> Option<NoOp> {
        Some(NoOp::exiting_0(
            self.program.command_line(&ChildRequest::NoOp),
        ))
    }
}

/// A peer program (`cp`, CPython's `shutil`, `rsync`), resolved once per scenario.
pub(in crate::runner) struct PeerProgram {
    peer: Box<dyn Peer>,
    /// The real program (a pyenv shim is resolved to its interpreter).
    program: PathBuf,
    kind: FixtureKind,
    /// `false`: the copy must not list extended attributes (see `Peer::command_without_xattrs`).
    xattrs: bool,
}

impl PeerProgram {
    /// Finds the peer's program, or says why it is not here (the entry is skipped).
    pub(in crate::runner) fn resolve(
        peer: &PeerKind,
        interpreters: &Interpreters,
        kind: FixtureKind,
        xattrs: bool,
    ) -> Result<PeerProgram, PeerError> {
        let peer = peer.peer();
        let program = peer.resolve(interpreters)?.path;
        Ok(PeerProgram {
            peer,
            program,
            kind,
            xattrs,
        })
    }

    fn argv(&self, src: &Path, dst: &Path) -> Vec<OsString> {
        if self.xattrs {
            self.peer.command(&self.program, self.kind, src, dst)
        } else {
            self.peer
                .command_without_xattrs(&self.program, self.kind, src, dst)
        }
    }
}

impl Executor for PeerProgram {
    fn sample(
        &self,
        src: &Path,
        dst: &Path,
        setting: &Setting<'_>,
    ) -> Result<Measured, SampleError> {
        time_command(&self.argv(src, dst), setting)
    }

    fn command_line(&self, src: &Path, dst: &Path) -> Option<Vec<OsString>> {
        Some(self.argv(src, dst))
    }

    fn startup_command(&self) -> Option<NoOp> {
        Some(self.peer.noop_command(&self.program))
    }
}

/// Runs `argv` as a timed child; the scenario's fsync, made by this process after the child
/// ends, is added to the sample.
fn time_command(argv: &[OsString], setting: &Setting<'_>) -> Result<Measured, SampleError> {
    let program = argv.first().cloned().unwrap_or_default();
    let (outcome, mut timing) = measure::time_child(argv).map_err(|error| SampleError::Spawn {
        program: program.clone(),
        error,
    })?;
    if !outcome.success {
        return Err(SampleError::ChildFailed {
            program: program.to_string_lossy().into_owned(),
            detail: outcome.detail,
        });
    }
    if setting.fsync {
        let (synced, sync_timing) = measure::time_in_process(CpuScope::Thread, || {
            copybench_engine::sys::syncfs(setting.target)
        })
        .map_err(SampleError::Rusage)?;
        synced.map_err(SampleError::Syncfs)?;
        timing = timing.then(sync_timing);
    }
    Ok(Measured {
        timing,
        bytes: setting.fixture_bytes,
        latencies: Vec::new(),
        counts: None,
        content: None,
    })
}
