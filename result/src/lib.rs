//! The result JSON of a copybench run: written by the harness, read by the reports and the gate.
//!
//! These types *are* the schema (documented in `docs/result-schema.md`). A figure that could not
//! be measured is `None` here and named, with the reason, in an `unmeasured` map beside it;
//! it is never a zero.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

mod single;

pub use single::{
    CopyFailure, CopyOutcome, CopySuccess, CopytreeError, CopytreeOutcome, Fallback, ListOutput,
    OperationError, StrategySupport, SyscallCountsJson,
};

fn yes() -> bool {
    true
}

/// Bumped on every change that an older reader would misread.
pub const SCHEMA_VERSION: u32 = 3;

/// One run of `copybench scenario`: its environment and every scenario it ran.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct RunResult {
    pub schema_version: u32,
    pub copybench: ToolInfo,
    /// RFC 3339, UTC.
    pub started_at: String,
    pub finished_at: String,
    pub environment: Environment,
    pub scenarios: Vec<ScenarioResult>,
    /// Scenarios not run here, with why (a target this machine cannot make: no root, a
    /// program missing).
    #[serde(default)]
    pub skipped_scenarios: Vec<Skipped>,
    /// What was done about ext4's recently-deleted window (360 s) after the previous run deleted
    /// its copies, for a run with tree scenarios: `None` when no deletion was that recent.
    #[serde(default)]
    pub delete_wait: Option<DeleteWait>,
}

/// A wait for ext4's recently-deleted window after the previous run deleted its copies, or why
/// none was due.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct DeleteWait {
    /// How long the wait was, or would have been; 0 when the run's copies were placed apart
    /// from the freed inodes.
    pub wait_s: f64,
    /// `false` when `--no-wait` skipped a wait that was due (tree samples may then be slow).
    pub waited: bool,
    /// Why it applies (the work directory's filesystem, ext4 without a journal) and what was
    /// done.
    pub reason: String,
    /// Where each tree scenario's copies were placed, checked against the block groups of the
    /// inodes freed within the window; empty where nothing could be checked.
    #[serde(default)]
    pub placements: Vec<Placement>,
}

/// One tree scenario's destination directory, made until its ext4 block group was apart from
/// the recently freed inodes' (or the tries ran out).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Placement {
    pub scenario: String,
    /// Directories made, the last being the one used (1: the first was apart).
    pub attempts: u32,
    /// The ext4 block group of the directory used.
    pub group: u64,
    /// The block groups its creations were expected to fill beyond its own (the fewest rounds'
    /// copies, packed).
    pub span_groups: u64,
    /// The block groups of the inodes freed within the window, as inclusive ranges.
    pub freed_groups: Vec<[u64; 2]>,
    /// `false` when every try landed in or next to a freed group (the scenario then waited out
    /// the window, or said it did not).
    pub apart: bool,
}

impl RunResult {
    /// Parses a result document, refusing one of another schema version with a clear message.
    pub fn from_json(text: &str) -> Result<RunResult, SchemaError> {
        #[derive(Deserialize)]
        struct Version {
            schema_version: u32,
        }
        let version: Version = serde_json::from_str(text).map_err(SchemaError::Json)?;
        if version.schema_version != SCHEMA_VERSION {
            return Err(SchemaError::Version {
                found: version.schema_version,
                expected: SCHEMA_VERSION,
            });
        }
        serde_json::from_str(text).map_err(SchemaError::Json)
    }
}

/// Why a result document could not be read.
#[derive(Debug, thiserror::Error)]
pub enum SchemaError {
    #[error("not a copybench result: {0}")]
    Json(serde_json::Error),
    #[error("result schema version {found}, but this copybench reads version {expected}")]
    Version { found: u32, expected: u32 },
}

/// The JSON Schema of [`RunResult`], generated from these types (the document
/// `docs/result-schema.md` describes, checked against it by a test).
pub fn json_schema() -> schemars::Schema {
    schemars::schema_for!(RunResult)
}

/// Which copybench produced the result.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ToolInfo {
    pub version: String,
    /// `None` when built outside a git checkout.
    pub git_commit: Option<String>,
}

/// The machine and software a result was measured on.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Environment {
    pub hostname: Option<String>,
    /// `None` when sysinfo found no CPU brand string.
    pub cpu_model: Option<String>,
    /// `None` when the OS would not say (never a made-up 0).
    pub logical_cores: Option<usize>,
    pub physical_cores: Option<usize>,
    /// `None` when sysinfo could not read it.
    pub memory_bytes: Option<u64>,
    /// The OS release, or the build's target OS when it cannot be read.
    pub os: String,
    /// `None` when the OS would not say.
    pub kernel: Option<String>,
    /// Filesystems of the work directory, the sources and the targets.
    pub filesystems: Vec<FilesystemInfo>,
    /// Versions of the peer programs and tools found (`cp`, `python3`, `rsync`, `strace`).
    pub tools: BTreeMap<String, ToolVersion>,
    /// The targets scenarios set up or used, one per scenario run.
    #[serde(default)]
    pub targets: Vec<TargetRecord>,
    /// Every CPython found (PATH, pyenv, `--python`, scenarios), in order of preference.
    #[serde(default)]
    pub interpreters: Vec<InterpreterInfo>,
}

/// A CPython interpreter found on the machine, resolved to its real executable.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct InterpreterInfo {
    /// `3.7.16`; empty when `unavailable`.
    pub version: String,
    /// The real program (`sys.executable`, symlinks resolved), never a shim; empty when
    /// `unavailable`.
    pub executable: String,
    /// The path it was found as: a PATH entry, a pyenv `bin/python`, a `--python` argument.
    pub found_as: String,
    /// `command-line`, `scenario`, `path` or `pyenv`.
    pub origin: String,
    /// Whether this is what `python3` on PATH runs (the `python-shutil` peer).
    pub default_python3: bool,
    /// Why a candidate named with `--python` or a scenario's `pythons` is not usable.
    pub unavailable: Option<String>,
}

/// A filesystem a scenario read from or wrote to (`statfs` and `/proc/self/mountinfo`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct FilesystemInfo {
    /// `work`, `source`, `target`.
    pub role: String,
    pub path: String,
    /// `ext4`, `tmpfs`, `btrfs`, `fuse.smbnetfs`, …
    pub fs_type: String,
    /// `None` without a mountinfo line for it (a container without `/proc`).
    pub mount_point: Option<String>,
    pub mount_options: Option<String>,
    pub device: String,
}

/// A program found (or not) on this machine.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ToolVersion {
    /// Resolved path of the real program (a pyenv shim resolved to its interpreter).
    pub path: Option<String>,
    pub version: Option<String>,
    /// Why it is missing or its version could not be read.
    pub unavailable: Option<String>,
}

/// Whether a scenario copies one file or a tree.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum FixtureKind {
    File,
    Tree,
}

/// The fixture a scenario copies, after `--scale`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct FixtureInfo {
    pub kind: FixtureKind,
    /// Total content bytes.
    pub bytes: u64,
    pub files: u64,
    pub dirs: u64,
    pub symlinks: u64,
    /// For trees: the range each file's size is drawn from.
    pub size_min: Option<u64>,
    pub size_max: Option<u64>,
    pub seed: u64,
    /// A file with holes (data in the first MiB of every 4 MiB).
    #[serde(default)]
    pub sparse: bool,
    /// Where the fixture lives (its cache, or the target it was generated on).
    pub path: String,
}

/// A scenario's settings as they were run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ScenarioParameters {
    pub fixture: FixtureInfo,
    /// `same-fs`, the target directory, a filesystem made for it (`btrfs`, `xfs`, `ext4`,
    /// `tmpfs`) or `smb`; `environment.targets[]` describes it.
    pub target: String,
    /// Whether the fixture was on the target (else in the work directory).
    #[serde(default)]
    pub source_on_target: bool,
    /// Whether the copies were written to the target (else to the work directory).
    #[serde(default = "yes")]
    pub destination_on_target: bool,
    /// `warm` or `cold`.
    pub cache: String,
    /// Whether an fsync of the copy is inside the timing.
    pub fsync: bool,
    pub warmup: u32,
    pub samples: u32,
    pub scale: f64,
}

/// One scenario's outcome.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ScenarioResult {
    pub name: String,
    /// The scenario file (or `<embedded default>`).
    pub file: String,
    pub description: Option<String>,
    pub parameters: ScenarioParameters,
    /// The `id` of the entry speedups are measured against.
    pub reference: String,
    pub entries: Vec<EntryResult>,
    /// Entries that were not run, with why (a missing peer program, an unsupported strategy).
    pub skipped: Vec<Skipped>,
    /// Correctness of what was timed; `None` when not checked, with the reason in `warnings`.
    pub conformance: Option<ConformanceMatrix>,
    /// For a person: wide confidence intervals, cache eviction that did not take, …
    pub warnings: Vec<String>,
    /// The scenario's claims (`[[scenario.claim]]`), each with its verdict, in file order.
    #[serde(default)]
    pub claims: Vec<ClaimResult>,
    /// How many rounds ran and why sampling stopped.
    #[serde(default)]
    pub sampling: Option<Sampling>,
    /// What the machine and the harness cost, measured in the same rounds as the entries.
    #[serde(default)]
    pub calibration: Option<Calibration>,
}

/// Rounds continue past `min_samples` until every speedup interval is within the target
/// half-width, or the time budget is spent.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Sampling {
    pub min_samples: u32,
    /// Measured rounds run.
    pub rounds: u32,
    /// Wanted half-width of every speedup interval, relative to its median (0.03: ±3 %).
    pub target_half_width: f64,
    pub max_time_s: f64,
    /// Time spent in the measured rounds.
    pub elapsed_s: f64,
    pub stopped: SamplingStop,
    /// Entries whose speedup interval is wider than the target (or has none).
    pub short_of_target: Vec<String>,
}

/// Why sampling stopped.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum SamplingStop {
    /// Every speedup interval is within the target.
    TargetReached,
    /// Another round would not have fit in the time budget.
    TimeBudget,
    /// No entry has a speedup to aim at (the reference failed, or nothing else ran).
    NothingToTarget,
}

/// The machine's limits and the harness's own costs, timed in the scenario's rounds.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Calibration {
    /// `memcpy` of the fixture's bytes between two touched buffers (file fixtures).
    pub memcpy_s: Option<Estimate>,
    /// `read` of the source file into a touched buffer (file fixtures).
    pub read_s: Option<Estimate>,
    /// The syscall recorder's cost on the in-process reference.
    pub counting_layer: Option<CountingLayerCost>,
    /// A no-op start of each program the child and peer entries run.
    pub startup: Vec<StartupCost>,
    /// Figures above that could not be measured, with the reason.
    pub unmeasured: BTreeMap<String, String>,
}

/// The same in-process copy with the syscall recorder over without it, pair by pair.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct CountingLayerCost {
    /// The entry timed both ways.
    pub entry: String,
    /// Per round `with / without`: above 1 is what counting costs.
    pub ratio: Estimate,
}

/// What starting a program costs: its no-op invocation, timed as the copies are.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct StartupCost {
    /// `copybench --version`, `python3 -c pass`, `cp --version`.
    pub command: Vec<String>,
    pub wall_s: Estimate,
    /// The entries that start this program.
    pub entries: Vec<String>,
}

/// A published claim checked against this run (docs/design.md, "Claims and verdicts").
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ClaimResult {
    /// The entry the claim is about (`peer:python-shutil@3.8`).
    pub subject: String,
    /// The entry it is compared with (`peer:python-shutil@3.7`).
    pub baseline: String,
    pub metric: ClaimMetric,
    pub claimed: ClaimedFigure,
    /// Where the claim was published, as the scenario file quotes it.
    pub source: String,
    pub verdict: ClaimVerdict,
    /// The same figure measured here; `None` when not checked (the reason is in `detail`).
    pub measured: Option<MeasuredFigure>,
    /// The verdict in words: the interval against the claim, or why it was not checked.
    pub detail: String,
}

/// What a claim is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum ClaimMetric {
    /// Wall time of one copy, paired round by round.
    WallTime,
    /// User + system CPU time of one copy, paired round by round.
    CpuTime,
    /// Stat-family calls (path and descriptor stats) per regular file: an exact count.
    StatCallsPerFile,
    /// Every syscall per regular file: an exact count.
    SyscallsPerFile,
}

impl ClaimMetric {
    /// The name in scenario files.
    pub fn name(self) -> &'static str {
        match self {
            ClaimMetric::WallTime => "wall-time",
            ClaimMetric::CpuTime => "cpu-time",
            ClaimMetric::StatCallsPerFile => "stat-calls-per-file",
            ClaimMetric::SyscallsPerFile => "syscalls-per-file",
        }
    }

    /// Counts are exact: one untimed count each, no interval.
    pub fn is_exact(self) -> bool {
        matches!(
            self,
            ClaimMetric::StatCallsPerFile | ClaimMetric::SyscallsPerFile
        )
    }
}

/// The figure as claimed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ClaimedFigure {
    pub kind: FigureKind,
    /// A speedup (`1.26`) or a fractional change (`-0.38`).
    pub value: f64,
    /// As written in the scenario file (`1.26`, `-38%`): its last digit sets the precision the
    /// claim is judged at (`-38%` holds -38.5 % to -37.5 %).
    pub text: String,
}

/// How a figure is stated.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum FigureKind {
    /// baseline ÷ subject: above 1, the subject takes less (time, calls).
    Speedup,
    /// subject ÷ baseline − 1: below 0, the subject takes less.
    Change,
}

impl FigureKind {
    /// A figure in these terms as people write it: `1.34×`, `-29.9 %`.
    pub fn show(self, value: f64) -> String {
        match self {
            FigureKind::Speedup => format!("{value:.2}×"),
            FigureKind::Change => format!("{:+.1} %", value * 100.0),
        }
    }
}

/// A claimed figure as measured, in the claim's own terms (a speedup or a change).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct MeasuredFigure {
    /// The median of paired ratios, or the exact ratio of counts.
    pub value: f64,
    /// The 95 % interval; `None` for exact counts and when too few pairs give none.
    pub ci_low: Option<f64>,
    pub ci_high: Option<f64>,
    /// Counts (no interval needed).
    pub exact: bool,
    /// Rounds in which both entries ran (timed metrics).
    pub pairs: Option<u32>,
    /// The metric of each side: median seconds, or calls per file.
    pub baseline_value: f64,
    pub subject_value: f64,
}

/// A claim's verdict.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum ClaimVerdict {
    /// The interval holds the claim, or lies beyond it in the claimed direction.
    Reproduces,
    /// The claimed direction, but the interval falls short of the claim.
    SmallerEffect,
    /// The interval holds no change and not the claim.
    NoEffect,
    /// The interval lies wholly on the other side of no change.
    Opposite,
    /// The interval holds both no change and the claim, or there is no interval: more samples
    /// are needed to decide.
    Inconclusive,
    /// Not measured here (an interpreter missing, an entry that failed), with the reason.
    NotChecked,
}

impl ClaimVerdict {
    /// As the JSON writes it: `smaller-effect`.
    pub fn name(self) -> &'static str {
        match self {
            ClaimVerdict::Reproduces => "reproduces",
            ClaimVerdict::SmallerEffect => "smaller-effect",
            ClaimVerdict::NoEffect => "no-effect",
            ClaimVerdict::Opposite => "opposite",
            ClaimVerdict::Inconclusive => "inconclusive",
            ClaimVerdict::NotChecked => "not-checked",
        }
    }

    /// As a person reads it.
    pub fn label(self) -> &'static str {
        match self {
            ClaimVerdict::Reproduces => "reproduces",
            ClaimVerdict::SmallerEffect => "smaller effect",
            ClaimVerdict::NoEffect => "no effect",
            ClaimVerdict::Opposite => "opposite",
            ClaimVerdict::Inconclusive => "inconclusive",
            ClaimVerdict::NotChecked => "not checked",
        }
    }
}

/// What is being compared.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum EntryKind {
    /// An engine strategy copying one file.
    Strategy,
    /// An engine walker copying a tree.
    Walker,
    /// An external command (`cp`, CPython's shutil, rsync).
    Peer,
}

/// How an entry's samples were timed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum TimedAs {
    /// Inside copybench's process: `getrusage(RUSAGE_THREAD/SELF)` around the call.
    InProcess,
    /// As a child process: `wait4` rusage, whole-process wall time.
    ChildProcess,
}

/// One thing compared in a scenario, with its samples and summaries.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct EntryResult {
    /// Unique in the scenario: `sendfile`, `lean jobs=2`, `peer:cp`.
    pub id: String,
    pub kind: EntryKind,
    pub timed_as: TimedAs,
    /// For peers and child-process entries: the command line run.
    pub command: Option<Vec<String>>,
    pub samples: Vec<Sample>,
    pub summary: Summary,
    /// Against the scenario's reference; `None` for the reference itself.
    pub speedup: Option<Speedup>,
    pub syscalls: Option<SyscallSummary>,
    /// What the copies really did (shared extents, holes, strategies used), checked after every
    /// sample; `null` when no sample was checked.
    #[serde(default)]
    pub mechanism: Option<Mechanism>,
    /// Protocol requests of one copy, from the server's own counters (SMB targets).
    #[serde(default)]
    pub requests: Option<ProtocolRequests>,
    /// Figures that could not be measured for this entry, with the reason.
    pub unmeasured: BTreeMap<String, String>,
    /// Per round this entry's wall time over a `memcpy` of the same bytes in that round: how
    /// many memory copies the copy costs (file fixtures).
    #[serde(default)]
    pub memcpy_multiple: Option<Estimate>,
    /// Child processes: the median no-op start of the program, part of every sample's wall time.
    #[serde(default)]
    pub startup_s: Option<f64>,
}

/// One timed copy.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Sample {
    /// The round of the shuffled round-robin this sample was in (pairs for speedups).
    pub round: u32,
    pub wall_ns: u64,
    /// User plus system CPU time, exact (CPU clocks in process, `wait4` for children).
    pub cpu_ns: u64,
    /// The tick-sampled split of `cpu_ns`; `None` where it is below the accounting resolution
    /// (the entry's `unmeasured` says why).
    pub user_ns: Option<u64>,
    pub sys_ns: Option<u64>,
    pub bytes: u64,
    pub files: u64,
    pub peak_rss_bytes: Option<u64>,
    /// Per-file copy latencies of a tree copy.
    pub latency: Option<LatencySummary>,
    /// Flagged by the MAD rule (kept, not dropped).
    pub outlier: bool,
    /// Cold-cache samples: whether `mincore` showed the source's pages gone before the copy.
    pub cache_evicted: Option<bool>,
    /// What this sample's copy really did, checked after it.
    #[serde(default)]
    pub proof: Option<SampleProof>,
}

/// Percentiles of per-file latencies (from an hdrhistogram).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct LatencySummary {
    pub count: u64,
    pub p50_ns: u64,
    pub p90_ns: u64,
    pub p99_ns: u64,
    pub max_ns: u64,
}

/// Median, range and a distribution-free 95 % confidence interval of the median.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Estimate {
    pub median: f64,
    pub min: f64,
    pub max: f64,
    /// `None` with fewer than 6 samples, where no 95 % interval exists (the entry's
    /// `unmeasured` says why).
    pub ci: Option<Interval>,
}

/// A confidence interval of a median from two order statistics of the sample: it holds the true
/// median with probability `coverage` (at least 0.95) whatever the distribution.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Interval {
    pub low: f64,
    pub high: f64,
    /// Exact for any continuous distribution (binomial), higher with ties.
    pub coverage: f64,
}

/// Summaries of an entry's samples.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Summary {
    pub wall_s: Estimate,
    /// User plus system CPU, exact.
    pub cpu_s: Estimate,
    /// `None` unless every sample has a user/system split.
    pub user_s: Option<Estimate>,
    pub sys_s: Option<Estimate>,
    pub throughput_mib_s: Option<Estimate>,
    /// (user + system) CPU seconds per GiB copied, median.
    pub cpu_s_per_gib: Option<f64>,
    pub peak_rss_bytes: Option<u64>,
    /// Latency percentiles over all samples' files (trees).
    pub latency: Option<LatencySummary>,
    pub outliers: u32,
}

/// Wall-time speedup of an entry over the reference: `reference / entry`, pair by pair within a
/// round, then the median of those ratios and its distribution-free interval. Above 1 is faster.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Speedup {
    /// The median of the paired ratios.
    pub median: f64,
    /// `None` below 6 pairs, where no 95 % interval exists (the entry's `unmeasured` says why).
    pub ci: Option<Interval>,
    pub pairs: u32,
    /// The reference's median wall time over the entry's.
    pub ratio_of_medians: f64,
    /// The entry this speedup is against: the scenario's reference, or for a child or peer that
    /// reference timed as a child in the same rounds.
    #[serde(default)]
    pub against: String,
    /// Set when the paired ratios and the medians point in opposite directions: says which
    /// way each points.
    pub direction_conflict: Option<String>,
}

/// Syscalls of an entry, per copy (one file or one tree) and, for trees, per file. The totals
/// are computed once, by the harness, from the counter that classified each call: readers take
/// them from here and never recount them from names.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct SyscallSummary {
    pub source: SyscallSource,
    /// Calls of one copy by the name strace prints.
    pub calls: BTreeMap<String, u64>,
    /// The names in `calls` that read a file's status (the stat family), as the counter
    /// classified them.
    pub stat_family_calls: Vec<String>,
    pub per_copy: CopySyscalls,
    /// Trees: the same totals per regular file.
    pub per_file: Option<PerFileSyscalls>,
}

/// Who counted an entry's syscalls.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum SyscallSource {
    /// The engine's counted layer, during the first measured sample.
    Counted,
    /// A separate, untimed `strace -f` run of the same command.
    Strace,
}

impl SyscallSource {
    pub fn name(self) -> &'static str {
        match self {
            SyscallSource::Counted => "counted",
            SyscallSource::Strace => "strace",
        }
    }
}

/// Syscall totals of one copy.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct CopySyscalls {
    /// Every call counted.
    pub total: u64,
    /// Stat-family calls: `path_stats + fd_stats`.
    pub stat_family: u64,
    /// Stat-family calls that resolved a path.
    pub path_stats: u64,
    /// Stat-family calls on an open descriptor.
    pub fd_stats: u64,
}

/// Syscall totals per regular file of a tree copy.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct PerFileSyscalls {
    pub total: f64,
    pub stat_family: f64,
    pub path_stats: f64,
    pub fd_stats: f64,
}

impl PerFileSyscalls {
    /// `copy`'s totals spread over `files` regular files (the directories' own calls
    /// included); `None` when no file was copied.
    pub fn of(copy: &CopySyscalls, files: u64) -> Option<PerFileSyscalls> {
        (files > 0).then(|| {
            let n = files as f64;
            PerFileSyscalls {
                total: copy.total as f64 / n,
                stat_family: copy.stat_family as f64 / n,
                path_stats: copy.path_stats as f64 / n,
                fd_stats: copy.fd_stats as f64 / n,
            }
        })
    }
}

/// An entry that was not run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Skipped {
    pub id: String,
    pub reason: String,
}

/// Conformance of strategies and walkers: cases × subjects.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ConformanceMatrix {
    pub cases: Vec<ConformanceCase>,
    /// Strategies and walkers, as named in `EntryResult::id`.
    pub subjects: Vec<String>,
    pub cells: Vec<ConformanceCell>,
    /// The oracle used, e.g. `CPython 3.11.7 (/usr/bin/python3.11)`, or why none was.
    pub oracle: String,
}

/// A case of docs/conformance.md.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ConformanceCase {
    /// The number in docs/conformance.md.
    pub number: u32,
    pub title: String,
}

/// The outcome of one case for one subject.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    Pass,
    Fail,
    Unsupported,
    Skipped,
}

/// One cell of the matrix.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ConformanceCell {
    pub case: u32,
    pub subject: String,
    pub verdict: Verdict,
    /// The difference (fail), or why (unsupported, skipped).
    pub detail: Option<String>,
    /// Whether CPython's outcome was compared for this cell.
    pub oracle_checked: bool,
}

/// A target a scenario set up (a loop-mounted filesystem, an SMB share) or used (the work
/// directory, a named directory), as it was when the scenario ran.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct TargetRecord {
    /// The scenario it was set up for.
    pub scenario: String,
    /// `work-dir`, `dir`, `btrfs`, `xfs`, `ext4`, `tmpfs` or `smb`.
    pub kind: String,
    /// The filesystem type the copies met (`mountinfo`), when known.
    pub fs_type: Option<String>,
    /// The image's (or tmpfs's) size.
    pub size_bytes: Option<u64>,
    /// The `mkfs` command line run.
    pub mkfs: Option<Vec<String>>,
    /// What `mkfs -V` says.
    pub mkfs_version: Option<String>,
    /// The mount options in effect (`mountinfo`: per-mount, then the superblock's).
    pub mount_options: Option<String>,
    /// Where the fixture was read from when it was placed on the target.
    pub source: Option<String>,
    /// Where the copies were written.
    pub destination: String,
    pub smb: Option<SmbRecord>,
    /// What copies there left out, with why (e.g. xattrs on smbnetfs).
    pub limits: Vec<String>,
    /// Fields that could not be read, with the reason.
    pub unavailable: BTreeMap<String, String>,
}

/// The SMB server and client of an `smb` target.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct SmbRecord {
    /// `smbd --version`.
    pub server_version: Option<String>,
    /// The server's process id (stopped by the teardown; a test checks it is gone).
    pub server_pid: Option<u32>,
    /// The dialect negotiated with the client (`smbstatus`), e.g. `SMB3_11`.
    pub protocol: Option<String>,
    /// The FUSE client and its version.
    pub client: Option<String>,
    /// `127.0.0.1:PORT`.
    pub address: String,
    pub share: String,
    /// The share's directory on the server's disk.
    pub share_path: String,
    /// The server's settings (`smb.conf`, as written).
    pub server_config: Vec<String>,
    /// The client's settings (`~/.smb/smbnetfs.conf` in the private HOME).
    pub client_config: Vec<String>,
}

/// What one sample's copy really did, checked after it, outside the timing.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct SampleProof {
    /// Bytes of the copy whose extents are shared with another file (`FIEMAP_EXTENT_SHARED`):
    /// reflinked, or cloned by a server. `null` where FIEMAP is not answered (tmpfs), with the
    /// reason in the entry's `unmeasured` under `mechanism.shared_bytes`.
    pub shared_bytes: Option<u64>,
    /// Bytes of the copy that are data, not holes (`SEEK_DATA`/`SEEK_HOLE`).
    pub data_bytes: Option<u64>,
}

/// Whether an entry's copies shared their source's extents, over all its samples.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum ExtentSharing {
    /// Every byte of every copy shares extents: an O(1) reflink (or server-side clone).
    Reflinked,
    /// No byte does: the data was written again.
    Copied,
    /// Some bytes do, in every sample alike.
    PartlyShared,
    /// Samples disagree.
    Varies,
}

impl ExtentSharing {
    /// In words, as the reports and the gate show it: `reflinked`, `partly shared`.
    pub fn name(self) -> &'static str {
        match self {
            ExtentSharing::Reflinked => "reflinked",
            ExtentSharing::Copied => "copied",
            ExtentSharing::PartlyShared => "partly shared",
            ExtentSharing::Varies => "varies",
        }
    }
}

/// Whether the holes of a sparse source stayed holes in the copies.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum HoleKeeping {
    /// At least 99 % of the source's hole bytes are holes in every copy.
    Kept,
    /// At most 1 % are: the copy is fully allocated.
    Filled,
    PartlyKept,
}

/// The proof of mechanism of an entry: what its copies really did, from every sample.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Mechanism {
    /// `null` when FIEMAP could not be read (reason in `unmeasured`).
    pub extents: Option<ExtentSharing>,
    /// The smallest fraction of a copy's bytes that shared extents, over the samples (a tree's
    /// smallest files may be stored inline, where nothing is shared).
    pub shared_fraction: Option<f64>,
    /// Source bytes that are data (`SEEK_DATA`); below the fixture's bytes for a sparse one.
    pub source_data_bytes: Option<u64>,
    /// For a source with holes: whether the copies kept them (`null` for a dense source).
    pub holes: Option<HoleKeeping>,
    /// The smallest fraction of the source's hole bytes a copy kept as holes.
    pub holes_kept_fraction: Option<f64>,
    /// Engine entries: files by the strategy that copied them (for `auto`, its choice).
    pub strategies_used: BTreeMap<String, u64>,
    /// Engine entries: give-ups before a strategy that worked, `"reflink: EXDEV"` → files.
    pub fallbacks: BTreeMap<String, u64>,
    /// What the entry claims about itself that the proof contradicts (e.g. `cp
    /// --reflink=never` whose copies share extents).
    pub contradiction: Option<String>,
}

/// SMB2 requests the server answered for one copy, from its own counters.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ProtocolRequests {
    /// Where the counts come from: `smbd profiling (smbstatus -P)`.
    pub source: String,
    /// Requests by command (`create`, `close`, `getinfo`, `find`, `write`, …) for one copy.
    pub per_copy: BTreeMap<String, u64>,
    /// All requests of one copy.
    pub total: u64,
    /// For trees: `total` per regular file.
    pub per_file: Option<f64>,
}
