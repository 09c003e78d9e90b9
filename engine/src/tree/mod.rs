//! `shutil.copytree` semantics with three walkers and an optional parallel copy.
//!
//! - [`Walker::Listdir`] (`listdir.rs`) and [`Walker::Scandir`] (`scandir.rs`) replay CPython
//!   3.7's and 3.8+'s syscalls call for call (`cpython.rs` holds the `shutil`/`os` functions
//!   they share): they are the baselines the 3.8 claims and the lean walker are measured against.
//! - [`Walker::Lean`] (`lean.rs`) gives the same results and errors with directory descriptors,
//!   `*at` calls, d_type and checks on open descriptors.
//! - `parallel.rs` runs file copies on `jobs` threads and sets each directory's metadata after
//!   everything inside it; `run.rs` is the state one copy shares (totals, gathered errors in walk
//!   order, the content path); `ignore.rs` is `fnmatch` for `ignore_patterns`.
//!
//! File content always goes through the engine's `copy_content`, metadata through
//! `metadata.rs` (lean) or the path calls CPython makes (the CPython walkers).

mod batch;
mod cpython;
mod file_list;
mod ignore;
mod isolation;
mod lean;
mod listdir;
mod parallel;
mod run;
mod scandir;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::content::{Fallback, Strategy};
use crate::error::CopyError;
use crate::metadata::Mode;
use run::Run;

/// How a tree is read and its files are checked.
#[derive(
    Clone,
    Copy,
    Debug,
    Default,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    strum::EnumString,
    strum::Display,
    strum::EnumIter,
    strum::IntoStaticStr,
)]
#[serde(rename_all = "lowercase")]
#[strum(
    serialize_all = "lowercase",
    parse_err_ty = String,
    parse_err_fn = unknown_walker
)]
pub enum Walker {
    /// CPython 3.7: list names, then stat each path several times (8 path stats per file).
    Listdir,
    /// CPython 3.8+: `os.scandir` with d_type and cached stat (4 path stats per file).
    Scandir,
    /// Ours: directory descriptors, `*at` calls, checks on open descriptors.
    #[default]
    Lean,
}

impl Walker {
    /// Every walker, in declaration order (a test holds it equal to `strum::EnumIter`'s).
    pub const ALL: &'static [Walker] = &[Walker::Listdir, Walker::Scandir, Walker::Lean];

    /// The name on the command line, in scenario files and in results.
    pub fn name(self) -> &'static str {
        self.into()
    }
}

fn unknown_walker(name: &str) -> String {
    format!("unknown walker `{name}` (known: listdir, scandir, lean)")
}

/// `shutil.copytree`'s options, plus the walker, the threads and the file copy to use.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TreeOptions {
    pub walker: Walker,
    /// Threads copying files; 1 copies in walk order on the calling thread. Default:
    /// [`default_jobs`].
    pub jobs: usize,
    pub strategy: Strategy,
    pub mode: Mode,
    pub symlinks: bool,
    pub ignore_dangling_symlinks: bool,
    pub dirs_exist_ok: bool,
    /// Globs matched against the names in each directory, like `shutil.ignore_patterns`.
    pub ignore: Vec<String>,
    /// Record each regular file's copy time (nanoseconds) in [`TreeReport::file_latencies_ns`].
    pub record_latencies: bool,
    /// `copy2` and copytree's `copystat` copy extended attributes (CPython always does).
    /// `false` never lists them, for a filesystem where listing fails and must not be tried
    /// (smbnetfs answers EIO after a ~4 s stall and drops its connection); times and mode are
    /// still copied.
    pub xattrs: bool,
}

impl Default for TreeOptions {
    fn default() -> Self {
        TreeOptions {
            walker: Walker::Lean,
            jobs: default_jobs(),
            strategy: Strategy::Auto,
            mode: Mode::Copy2,
            symlinks: false,
            ignore_dangling_symlinks: false,
            dirs_exist_ok: false,
            ignore: Vec::new(),
            record_latencies: false,
            xattrs: true,
        }
    }
}

/// The threads a tree copy uses unless told otherwise: the CPUs this process may run on
/// (`std::thread::available_parallelism`, which counts the affinity mask and cgroup quota), or
/// 1 where that cannot be read. The lean walker's workers each take one directory at a time, so
/// more threads than cores only wait on each other.
pub fn default_jobs() -> usize {
    std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get)
}

/// One gathered error, as an entry of `shutil.Error`'s list: (src, dst, error).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TreeErrorEntry {
    pub src: PathBuf,
    pub dst: PathBuf,
    pub error: CopyError,
}

/// What a tree copy did. Gathered errors do not stop it: everything else is still copied.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TreeReport {
    pub files: u64,
    pub dirs: u64,
    pub symlinks: u64,
    pub bytes: u64,
    pub errors: Vec<TreeErrorEntry>,
    /// Per regular file copy time, when [`TreeOptions::record_latencies`] asked for it.
    pub file_latencies_ns: Vec<u64>,
    /// Regular files by the strategy that copied their content (for `auto`, its choice).
    pub strategies_used: BTreeMap<Strategy, u64>,
    /// Each distinct give-up (strategy and errno) before a content copy, and for how many
    /// files it happened.
    pub fallbacks: Vec<(Fallback, u64)>,
}

/// Copies the tree at `src` to `dst`. An error that stops the walk before it starts (the
/// destination exists without `dirs_exist_ok`, the source is missing) is `Err`; errors on single
/// entries are gathered in the report, as `shutil.Error`'s list is, and everything else is still
/// copied. The report's counts are the same whatever `jobs` is; errors are in walk order.
pub fn copy_tree(src: &Path, dst: &Path, options: &TreeOptions) -> Result<TreeReport, CopyError> {
    let run = Run::new(options);
    let jobs = options.jobs.max(1);
    parallel::with_executor(
        jobs,
        options.walker == Walker::Lean,
        |executor| match options.walker {
            Walker::Listdir => listdir::copy_tree(&run, executor, src, dst),
            Walker::Scandir => scandir::copy_tree(&run, executor, src, dst),
            Walker::Lean => lean::copy_tree(&run, executor, src, dst),
        },
    )
    .map_err(|e| CopyError::threads(e.started, e.wanted, &e.error, src, dst))??;
    Ok(run.into_report())
}

#[cfg(test)]
mod tests {
    use strum::IntoEnumIterator;

    use super::Walker;

    #[test]
    fn walker_names_on_the_wire_are_unchanged() {
        assert_eq!(Walker::iter().collect::<Vec<_>>(), Walker::ALL);
        let names: Vec<&str> = Walker::ALL.iter().map(|w| w.name()).collect();
        assert_eq!(names, ["listdir", "scandir", "lean"]);
        for w in Walker::ALL {
            assert_eq!(w.name().parse::<Walker>(), Ok(*w));
            assert_eq!(w.to_string(), w.name());
            assert_eq!(serde_json::to_string(w).unwrap(), format!("\"{w}\""));
        }
        assert!("walk".parse::<Walker>().unwrap_err().contains("lean"));
    }
}
