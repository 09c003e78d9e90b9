//! The command line of a child `copybench`, owned here beside the flags it uses.
//!
//! The harness asks for a child as a [`ChildRequest`]; [`args`] writes it in this CLI's flags,
//! and the tests below parse every request back with the CLI's own parser, so the two cannot
//! drift apart.

use std::ffi::OsString;
use std::path::PathBuf;

use copybench_harness::child::{ChildProgram, ChildRequest};

/// This executable as a child program, when it can be found.
pub fn this_program() -> Option<ChildProgram> {
    Some(ChildProgram {
        exe: std::env::current_exe().ok()?,
        args,
    })
}

/// The arguments (after the program name) that ask this CLI for `request`.
pub fn args(request: &ChildRequest) -> Vec<OsString> {
    let mut out: Vec<OsString> = Vec::new();
    let mut push = |arg: &str| out.push(arg.into());
    match request {
        ChildRequest::Copy {
            strategy,
            mode,
            src,
            dst,
        } => {
            for arg in ["copy", "--strategy", strategy.name(), "--mode", mode.name()] {
                push(arg);
            }
            out.extend([src.into(), dst.into()]);
        }
        ChildRequest::CopyTree {
            walker,
            jobs,
            strategy,
            mode,
            xattrs,
            src,
            dst,
        } => {
            let jobs = jobs.to_string();
            for arg in [
                "copytree",
                "--walker",
                walker.name(),
                "--jobs",
                &jobs,
                "--strategy",
                strategy.name(),
                "--mode",
                mode.name(),
                // Peers copy links as links (`cp -R`, `rsync -l`, copytree(symlinks=True)).
                "--symlinks",
            ] {
                push(arg);
            }
            if !xattrs {
                push("--no-xattrs");
            }
            out.extend([src.into(), dst.into()]);
        }
        ChildRequest::RunIsolated { check, dir } => {
            for arg in ["conform", "--run-isolated", check, "--dir"] {
                push(arg);
            }
            out.push(PathBuf::from(dir).into());
        }
        ChildRequest::NoOp => push("--version"),
    }
    out
}

#[cfg(test)]
mod tests {
    use clap::Parser;
    use copybench_engine::{Mode, Strategy, Walker};

    use super::*;
    use crate::cli::{Cli, Command};

    fn parse(request: &ChildRequest) -> Result<Cli, clap::Error> {
        let mut argv: Vec<OsString> = vec!["copybench".into()];
        argv.extend(args(request));
        Cli::try_parse_from(argv)
    }

    #[test]
    fn a_copy_request_parses_back_into_the_same_copy() {
        let request = ChildRequest::Copy {
            strategy: Strategy::Sendfile,
            mode: Mode::Copy2,
            src: "a b".into(),
            dst: "c".into(),
        };
        let Command::Copy(copy) = parse(&request).unwrap().command else {
            panic!("not a copy");
        };
        assert_eq!(
            ChildRequest::Copy {
                strategy: copy.strategy,
                mode: copy.mode,
                src: copy.src,
                dst: copy.dst,
            },
            request
        );
        assert!(!copy.json && !copy.no_follow_symlinks && copy.inject_fault.is_empty());
    }

    #[test]
    fn a_tree_request_parses_back_into_the_same_copytree_with_links_as_links() {
        let request = ChildRequest::CopyTree {
            walker: Walker::Scandir,
            jobs: 3,
            strategy: Strategy::CopyFileRange,
            mode: Mode::Copy,
            xattrs: false,
            src: "src".into(),
            dst: "dst".into(),
        };
        let Command::Copytree(tree) = parse(&request).unwrap().command else {
            panic!("not a copytree");
        };
        assert_eq!(
            ChildRequest::CopyTree {
                walker: tree.walker,
                jobs: u32::from(tree.jobs),
                strategy: tree.strategy,
                mode: tree.mode,
                xattrs: !tree.no_xattrs,
                src: tree.src,
                dst: tree.dst,
            },
            request
        );
        assert!(tree.symlinks && !tree.dirs_exist_ok && tree.ignore.is_empty());
    }

    #[test]
    fn an_isolated_check_and_the_no_op_parse_back() {
        let request = ChildRequest::RunIsolated {
            check: "sendfile-disabled".into(),
            dir: "/tmp/x".into(),
        };
        let Command::Conform(conform) = parse(&request).unwrap().command else {
            panic!("not a conform");
        };
        assert_eq!(conform.run_isolated.as_deref(), Some("sendfile-disabled"));
        assert_eq!(conform.dir, Some(PathBuf::from("/tmp/x")));
        let version = parse(&ChildRequest::NoOp).unwrap_err();
        assert_eq!(version.kind(), clap::error::ErrorKind::DisplayVersion);
    }
}
