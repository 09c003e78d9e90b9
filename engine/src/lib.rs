//! copybench's copy engine: file-copy strategies with CPython `shutil` semantics, tree walkers,
//! and an exact count of every filesystem syscall made.
//!
//! - [`Strategy`]: one way of copying content each (`strategy/`, one file per strategy behind
//!   one trait), `auto` being reflink → copy_file_range → sendfile → readinto-256k with
//!   CPython's give-up rule; [`Strategy::support`] probes whether one works on a filesystem.
//! - [`copy_file`]: `shutil.copyfile` / `copy` / `copy2` outcomes, errors as CPython's
//!   exception kinds ([`CopyError`]), with the checks made on open descriptors.
//! - [`sys`]: the counted syscall layer, with fault injection ([`Fault`]).
//!
//! It knows nothing of scenarios or reports; the harness drives it. Count an operation's
//! syscalls by running it under a [`SyscallRecorder`]:
//!
//! ```no_run
//! use copybench_engine::{copy_file, CopyOptions, SyscallRecorder};
//! let recorder = SyscallRecorder::new();
//! let report = recorder.run(|| copy_file("a".as_ref(), "b".as_ref(), &CopyOptions::default()));
//! println!("{:?} {:?}", report, recorder.counts());
//! ```

// The layers, lowest first; each imports only those above it in this list (a test in
// tests/layers.rs holds them to it, so the modules have no cycle):
// errno ← sys ← error ← content ← {strategy, metadata} ← {file, tree}.
mod content;
pub mod errno;
mod error;
mod file;
mod metadata;
pub mod strategy;
pub mod sys;
pub mod tree;

pub use content::{Fallback, GiveUp, Strategy};
pub use error::{errno_text, CopyError, ErrorKind};
pub use file::{copy_file, CopyOptions, CopyReport};
pub use metadata::Mode;
pub use strategy::{sendfile_disabled_for_process, Support};
pub use sys::{Fault, Syscall, SyscallCounts, SyscallRecorder};
pub use tree::{copy_tree, default_jobs, TreeErrorEntry, TreeOptions, TreeReport, Walker};
