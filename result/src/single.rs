//! The JSON the single-operation commands print, one object on one line of stdout each:
//! `copy --json`, `copytree --json` and `list --json`. Like the run result, these types are the
//! format; `syscalls` has the same shape in `copy` and `copytree`.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::{CopySyscalls, PerFileSyscalls};

/// Calls by name, flat beside the stat split: `{"openat": 2, …, "path_stats": 1, "fd_stats": 1}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct SyscallCountsJson {
    #[serde(flatten)]
    pub calls: BTreeMap<String, u64>,
    /// Stat-family calls that resolved a path.
    pub path_stats: u64,
    /// Stat-family calls on an open descriptor.
    pub fd_stats: u64,
}

impl SyscallCountsJson {
    /// The totals of these counts (the stat family is `path_stats + fd_stats`).
    pub fn totals(&self) -> CopySyscalls {
        CopySyscalls {
            total: self.calls.values().sum(),
            stat_family: self.path_stats + self.fd_stats,
            path_stats: self.path_stats,
            fd_stats: self.fd_stats,
        }
    }
}

/// `copybench copy --json`: `ok` first, then what happened.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum CopyOutcome {
    Success(CopySuccess),
    Failure(CopyFailure),
}

/// A copy that worked.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct CopySuccess {
    /// Always `true`.
    pub ok: bool,
    pub bytes: u64,
    pub strategy_used: String,
    /// Strategies that gave up before the one that copied, in order.
    pub fallbacks: Vec<Fallback>,
    /// `None` when the strategy's syscalls cannot be counted, with the reason beside.
    pub syscalls: Option<SyscallCountsJson>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub syscalls_absent_reason: Option<String>,
    /// Where the copy went (`copy SRC DIR` writes `DIR/name`, as shutil.copy returns it).
    pub dst: String,
}

/// A strategy that gave up before writing anything.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Fallback {
    pub from: String,
    /// `None` when it gave up on a zero return at offset 0 rather than an error.
    pub errno: Option<String>,
}

/// A copy that failed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct CopyFailure {
    /// Always `false`.
    pub ok: bool,
    pub error: OperationError,
}

/// The error of a copy, as CPython names it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct OperationError {
    /// `FileNotFoundError`, `SameFileError`, …
    pub kind: String,
    /// `ENOENT`, …
    pub errno: Option<String>,
    pub message: String,
    pub src: String,
    pub dst: Option<String>,
}

/// `copybench copytree --json`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct CopytreeOutcome {
    /// No error was gathered.
    pub ok: bool,
    pub files: u64,
    pub dirs: u64,
    pub bytes: u64,
    /// Every gathered error, as in `shutil.Error`.
    pub errors: Vec<CopytreeError>,
    /// The syscalls of the whole copy, as `copy --json` gives them.
    pub syscalls: SyscallCountsJson,
    /// The same per regular file copied (the directories' own calls spread over the files);
    /// `None` when no file was copied.
    pub syscalls_per_file: Option<PerFileSyscalls>,
}

/// One gathered error of a tree copy.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct CopytreeError {
    pub src: String,
    pub dst: String,
    pub kind: String,
    pub errno: Option<String>,
    pub message: String,
}

/// `copybench list --json`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ListOutput {
    pub dir: String,
    /// The filesystem type of `dir`.
    pub filesystem: String,
    pub strategies: Vec<StrategySupport>,
}

/// Whether one strategy works on the listed directory's filesystem.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct StrategySupport {
    pub name: String,
    pub supported: bool,
    pub reason: String,
}
