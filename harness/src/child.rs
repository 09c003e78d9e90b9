//! What the harness asks of a child `copybench`, as data.
//!
//! The harness times engine entries as child processes and runs the conformance suite's
//! process-wide checks in one, but the command line belongs to the CLI: the harness builds a
//! [`ChildRequest`] and the CLI's [`ChildProgram::args`] turns it into its own flags (the CLI
//! tests that every request parses back into the same request). So no flag of the CLI is
//! written in the harness.

use std::ffi::OsString;
use std::path::PathBuf;

use copybench_engine::{Mode, Strategy, Walker};

/// One thing a child `copybench` is asked to do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ChildRequest {
    /// Copy one file with one strategy (`copybench copy`).
    Copy {
        strategy: Strategy,
        mode: Mode,
        src: PathBuf,
        dst: PathBuf,
    },
    /// Copy a tree with one walker, links copied as links (`copybench copytree`).
    CopyTree {
        walker: Walker,
        jobs: u32,
        strategy: Strategy,
        mode: Mode,
        /// `false`: copy2 without extended attributes (`TreeOptions::xattrs`).
        xattrs: bool,
        src: PathBuf,
        dst: PathBuf,
    },
    /// Run one conformance check that changes process-wide state, below `dir`.
    RunIsolated { check: String, dir: PathBuf },
    /// Start and exit having done nothing: its time is what starting a child costs.
    NoOp,
}

/// How to start a child `copybench`: the executable, and the CLI's command-line format.
#[derive(Clone, Debug)]
pub struct ChildProgram {
    pub exe: PathBuf,
    /// The arguments after the program name that ask for a request (the CLI's own format).
    pub args: fn(&ChildRequest) -> Vec<OsString>,
}

impl ChildProgram {
    /// The whole command line for `request`, program first.
    pub fn command_line(&self, request: &ChildRequest) -> Vec<OsString> {
        let mut argv = vec![self.exe.clone().into_os_string()];
        argv.extend((self.args)(request));
        argv
    }

    /// A [`std::process::Command`] for `request`.
    pub fn command(&self, request: &ChildRequest) -> std::process::Command {
        let mut command = std::process::Command::new(&self.exe);
        command.args((self.args)(request));
        command
    }
}
