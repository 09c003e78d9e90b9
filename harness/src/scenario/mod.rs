//! Scenario files (TOML): what to copy, what to compare, and how to measure it.
//!
//! A file holds one or more `[[scenario]]` tables. Every mistake — an unknown key, a size such as
//! `512 MB`, an unknown strategy, a combination that cannot run — is an error naming the file,
//! the line and the key; nothing falls back to a silent default. The schema is documented in
//! `scenarios/default.toml`.
//!
//! This file holds the validated types; `parse` reads the TOML, `validate` checks it, `expand`
//! turns its lists into entries.

mod claims;
mod expand;
mod parse;
pub mod sampling;
mod target;
mod validate;

pub use parse::parse;

use std::path::Path;

use copybench_engine::{Mode, Strategy, Walker};
use copybench_result::{FixtureKind, TimedAs};
use serde::Deserialize;

use crate::claim::ClaimSpec;
use crate::peer::PeerKind;
use crate::target::{Placement, TargetSpec};

/// The embedded default suite (`scenarios/default.toml`), so `copybench scenario` works anywhere.
pub const DEFAULT_SUITE: &str = include_str!("../../../scenarios/default.toml");
/// How the embedded suite is named in errors and results.
pub const DEFAULT_SUITE_NAME: &str = "<embedded default>";

/// A scenario file mistake, located.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{file}:{line}: `{key}`: {message}")]
pub struct ScenarioError {
    pub file: String,
    /// 1-based; 0 when the parser gave no position.
    pub line: usize,
    /// The dotted key, e.g. `scenario[1].fixture.size`.
    pub key: String,
    pub message: String,
}

/// Why a scenario file could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error(
        "cannot read scenario file {path}: {}",
        copybench_engine::errno::describe_io(error)
    )]
    Read {
        path: std::path::PathBuf,
        error: std::io::Error,
    },
    #[error(transparent)]
    Invalid(#[from] ScenarioError),
}

/// Warm: the source is in the page cache (read once before). Cold: evicted before every sample.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CacheState {
    #[default]
    Warm,
    Cold,
}

impl CacheState {
    pub fn name(self) -> &'static str {
        match self {
            CacheState::Warm => "warm",
            CacheState::Cold => "cold",
        }
    }
}

/// The fixture to generate: one file, or a tree.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FixtureSpec {
    File {
        size: u64,
        seed: u64,
        /// Data only in the first MiB of every 4 MiB, holes between (see `fixture.rs`).
        sparse: bool,
    },
    Tree {
        files: u64,
        dirs: u64,
        size_min: u64,
        size_max: u64,
        symlinks: u64,
        seed: u64,
    },
}

impl FixtureSpec {
    pub fn kind(&self) -> FixtureKind {
        match self {
            FixtureSpec::File { .. } => FixtureKind::File,
            FixtureSpec::Tree { .. } => FixtureKind::Tree,
        }
    }

    pub fn seed(&self) -> u64 {
        match self {
            FixtureSpec::File { seed, .. } | FixtureSpec::Tree { seed, .. } => *seed,
        }
    }

    /// The inodes one copy of it creates (its root included).
    pub fn inodes(&self) -> u64 {
        match self {
            FixtureSpec::File { .. } => 1,
            FixtureSpec::Tree {
                files,
                dirs,
                symlinks,
                ..
            } => files
                .saturating_add(*dirs)
                .saturating_add(*symlinks)
                .saturating_add(1),
        }
    }

    /// The most content bytes one copy of it holds (every file at `size_max`).
    pub fn most_bytes(&self) -> u64 {
        match self {
            FixtureSpec::File { size, .. } => *size,
            FixtureSpec::Tree {
                files, size_max, ..
            } => files.saturating_mul(*size_max),
        }
    }

    /// The same fixture at `scale`: a file's size, or a tree's file count (directories and the
    /// size range stay), rounded, never below one file per directory.
    pub fn scaled(&self, scale: f64) -> FixtureSpec {
        let times = |n: u64| ((n as f64) * scale).round().max(1.0) as u64;
        match *self {
            FixtureSpec::File { size, seed, sparse } => FixtureSpec::File {
                size: times(size),
                seed,
                sparse,
            },
            FixtureSpec::Tree {
                files,
                dirs,
                size_min,
                size_max,
                symlinks,
                seed,
            } => FixtureSpec::Tree {
                files: times(files).max(dirs),
                dirs,
                size_min,
                size_max,
                symlinks: symlinks.min(times(files).max(dirs)),
                seed,
            },
        }
    }
}

/// What an entry copies with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Subject {
    /// An engine strategy copying the file fixture.
    Strategy(Strategy),
    /// An engine walker copying the tree fixture.
    Walker {
        walker: Walker,
        jobs: u32,
        strategy: Strategy,
    },
    /// An external command.
    Peer(PeerKind),
}

/// One thing compared in a scenario.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EntrySpec {
    /// `sendfile`, `lean jobs=2`, `peer:cp`.
    pub id: String,
    pub subject: Subject,
    /// In-process or as a child process (peers always are children).
    pub timed_as: TimedAs,
}

/// A validated scenario, ready to run.
#[derive(Clone, Debug, PartialEq)]
pub struct Scenario {
    /// Checked by [`crate::scenario_name`]: one safe directory name, unique in a run.
    pub name: String,
    /// Where `name` is written in `file` (1-based), and which `[[scenario]]` of it this is.
    pub name_line: usize,
    pub index_in_file: usize,
    pub description: Option<String>,
    /// The file it came from (or [`DEFAULT_SUITE_NAME`]).
    pub file: String,
    pub fixture: FixtureSpec,
    /// Where it copies (`crate::target`), and whether the fixture and the copies are there.
    pub target: TargetSpec,
    pub placement: Placement,
    /// Strategies first, then walkers, then peers, in file order.
    pub entries: Vec<EntrySpec>,
    pub reference: String,
    pub mode: Mode,
    pub cache: CacheState,
    pub fsync: bool,
    pub warmup: u32,
    /// The fewest measured rounds; more run until `target_ci` or `max_time`.
    pub samples: u32,
    /// Wanted half-width of every speedup interval, relative (0.03: ±3 %).
    pub target_ci: f64,
    /// The time budget of the scenario's rounds.
    pub max_time: std::time::Duration,
    /// The file's `scale` times the command line's `--scale`.
    pub scale: f64,
    /// Count peers' and child entries' syscalls (strace), as `--count-syscalls` does.
    pub count_syscalls: bool,
    /// CPython interpreters the file names, beside those found on PATH and in pyenv's.
    pub pythons: Vec<std::path::PathBuf>,
    /// Its `[[scenario.claim]]` tables, in file order.
    pub claims: Vec<ClaimSpec>,
}

/// Reads and validates a scenario file.
pub fn load(path: &Path) -> Result<Vec<Scenario>, LoadError> {
    let text = std::fs::read_to_string(path).map_err(|error| LoadError::Read {
        path: path.to_owned(),
        error,
    })?;
    Ok(parse(&text, &path.display().to_string())?)
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"
[[scenario]]
name = "one"
reference = "buffered-64k"
strategies = ["buffered-64k", "sendfile"]
peers = ["cp"]
samples = 3

[scenario.fixture]
kind = "file"
size = "1MiB"
seed = 7

[[scenario]]
name = "two"
reference = "listdir"
walkers = ["listdir", "lean"]
jobs = [1, 2]
samples = 3
cache = "cold"

[scenario.fixture]
kind = "tree"
files = 10
dirs = 2
size_min = "1KiB"
size_max = "2KiB"
seed = 1
"#;

    fn err(text: &str) -> ScenarioError {
        parse(text, "s.toml").expect_err("the scenario should be refused")
    }

    #[test]
    fn a_good_file_parses_into_entries() {
        let scenarios = parse(GOOD, "s.toml").unwrap();
        assert_eq!(scenarios.len(), 2);
        let ids: Vec<&str> = scenarios[0].entries.iter().map(|e| e.id.as_str()).collect();
        assert_eq!(ids, ["buffered-64k", "sendfile", "peer:cp"]);
        let ids: Vec<&str> = scenarios[1].entries.iter().map(|e| e.id.as_str()).collect();
        assert_eq!(ids, ["listdir", "listdir jobs=2", "lean", "lean jobs=2"]);
        assert_eq!(scenarios[1].cache, CacheState::Cold);
        assert_eq!(
            scenarios[0].fixture,
            FixtureSpec::File {
                size: 1 << 20,
                seed: 7,
                sparse: false,
            }
        );
    }

    #[test]
    fn the_embedded_default_suite_is_valid() {
        let scenarios = parse(DEFAULT_SUITE, DEFAULT_SUITE_NAME).unwrap();
        assert!(scenarios
            .iter()
            .any(|s| s.fixture.kind() == FixtureKind::File));
        assert!(scenarios
            .iter()
            .any(|s| s.fixture.kind() == FixtureKind::Tree));
    }

    #[test]
    fn an_unknown_key_names_file_line_and_key() {
        let e = err(&GOOD.replace("seed = 7", "sed = 7"));
        assert_eq!(e.file, "s.toml");
        assert_eq!(e.line, 12);
        assert_eq!(e.key, "scenario[0].fixture.sed");
        assert!(e.message.contains("unknown field"), "{e}");
        assert!(
            e.to_string()
                .starts_with("s.toml:12: `scenario[0].fixture.sed`"),
            "{e}"
        );
    }

    #[test]
    fn a_decimal_size_is_refused_with_a_hint() {
        let e = err(&GOOD.replace("\"1MiB\"", "\"512 MB\""));
        assert_eq!((e.line, e.key.as_str()), (11, "scenario[0].fixture.size"));
        assert!(e.message.contains("512MiB"), "{e}");
    }

    #[test]
    fn an_unknown_strategy_is_named() {
        let e = err(&GOOD.replace("\"sendfile\"]", "\"sendfiel\"]"));
        assert_eq!((e.line, e.key.as_str()), (5, "scenario[0].strategies"));
        assert!(e.message.contains("sendfiel"), "{e}");
    }

    #[test]
    fn an_unknown_peer_and_walker_are_named() {
        let e = err(&GOOD.replace("peers = [\"cp\"]", "peers = [\"robocopy\"]"));
        assert_eq!((e.line, e.key.as_str()), (6, "scenario[0].peers"));
        let e = err(&GOOD.replace("\"lean\"]", "\"fast\"]"));
        assert_eq!((e.line, e.key.as_str()), (17, "scenario[1].walkers"));
    }

    #[test]
    fn impossible_combinations_are_refused() {
        // walkers on a file fixture
        let e = err(&GOOD.replace("peers = [\"cp\"]", "walkers = [\"lean\"]"));
        assert_eq!((e.line, e.key.as_str()), (6, "scenario[0].walkers"));
        // a reference that is not compared
        let e = err(&GOOD.replace("reference = \"listdir\"", "reference = \"scandir\""));
        assert_eq!((e.line, e.key.as_str()), (16, "scenario[1].reference"));
        assert!(e.message.contains("not compared"), "{e}");
        // a size on a tree
        let e = err(&GOOD.replace("dirs = 2", "dirs = 2\nsize = \"1KiB\""));
        assert_eq!(e.key, "scenario[1].fixture.size");
        // more directories than files
        let e = err(&GOOD.replace("files = 10", "files = 1"));
        assert_eq!((e.line, e.key.as_str()), (24, "scenario[1].fixture.files"));
        // size_min above size_max
        let e = err(&GOOD.replace("size_min = \"1KiB\"", "size_min = \"4KiB\""));
        assert_eq!(e.key, "scenario[1].fixture.size_max");
        // a single sample
        let e = err(&GOOD.replace("samples = 3\ncache", "samples = 1\ncache"));
        assert_eq!((e.line, e.key.as_str()), (19, "scenario[1].samples"));
        // a tree without its file count
        let e = err(&GOOD.replace("files = 10\n", ""));
        assert_eq!(e.key, "scenario[1].fixture.files");
        // a jobs list with zero
        let e = err(&GOOD.replace("jobs = [1, 2]", "jobs = [0]"));
        assert_eq!(e.key, "scenario[1].jobs");
    }

    #[test]
    fn child_entries_are_timed_as_children_beside_in_process_ones() {
        let text = GOOD.replace("peers = [\"cp\"]", "child_strategies = [\"sendfile\"]");
        let scenarios = parse(&text, "s.toml").unwrap();
        let child = scenarios[0]
            .entries
            .iter()
            .find(|e| e.id == "sendfile (child)")
            .unwrap();
        assert_eq!(child.timed_as, TimedAs::ChildProcess);
        assert_eq!(child.subject, Subject::Strategy(Strategy::Sendfile));
        let text = GOOD.replace("jobs = [1, 2]", "jobs = [1, 2]\nchild_walkers = [\"lean\"]");
        let ids: Vec<String> = parse(&text, "s.toml").unwrap()[1]
            .entries
            .iter()
            .map(|e| e.id.clone())
            .collect();
        assert!(ids.contains(&"lean jobs=2 (child)".to_owned()), "{ids:?}");
        let e = err(&GOOD.replace("peers = [\"cp\"]", "child_walkers = [\"lean\"]"));
        assert_eq!((e.line, e.key.as_str()), (6, "scenario[0].child_walkers"));
    }

    #[test]
    fn a_missing_required_key_is_named() {
        let e = err(&GOOD.replace(
            "samples = 3\n\n[scenario.fixture]\nkind = \"file\"",
            "\n[scenario.fixture]\nkind = \"file\"",
        ));
        assert!(e.message.contains("samples"), "{e}");
        assert!(e.key.starts_with("scenario"), "{e}");
    }

    #[test]
    fn scale_shrinks_a_file_or_a_tree() {
        let file = FixtureSpec::File {
            size: 1000,
            seed: 1,
            sparse: true,
        };
        assert_eq!(
            file.scaled(0.1),
            FixtureSpec::File {
                size: 100,
                seed: 1,
                sparse: true
            }
        );
        let tree = FixtureSpec::Tree {
            files: 8000,
            dirs: 40,
            size_min: 1,
            size_max: 2,
            symlinks: 0,
            seed: 1,
        };
        let FixtureSpec::Tree { files, dirs, .. } = tree.scaled(0.001) else {
            unreachable!()
        };
        assert_eq!((files, dirs), (40, 40));
    }
}
