//! The result JSON of a copybench run: written by the harness, read by the reports and the gate.
//!
//! These types *are* the schema (documented in `docs/result-schema.md`). A figure that could not
//! be measured is `None` here and named, with the reason, in an `unmeasured` map beside it;
//! it is never a zero.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

fn yes() -> bool {
    true
}

/// Bumped on every change that an older reader would misread.
pub const SCHEMA_VERSION: u32 = 1;

/// One run of `copybench scenario`: its environment and every scenario it ran.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
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
#[derive(Debug)]
pub enum SchemaError {
    Json(serde_json::Error),
    Version { found: u32, expected: u32 },
}

impl std::fmt::Display for SchemaError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SchemaError::Json(e) => write!(f, "not a copybench result: {e}"),
            SchemaError::Version { found, expected } => write!(
                f,
                "result schema version {found}, but this copybench reads version {expected}"
            ),
        }
    }
}

impl std::error::Error for SchemaError {}

/// Which copybench produced the result.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ToolInfo {
    pub version: String,
    /// `None` when built outside a git checkout.
    pub git_commit: Option<String>,
}

/// The machine and software a result was measured on.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Environment {
    pub hostname: Option<String>,
    pub cpu_model: String,
    /// `None` when the OS would not say (never a made-up 0).
    pub logical_cores: Option<usize>,
    pub physical_cores: Option<usize>,
    /// `None` when sysinfo could not read it.
    pub memory_bytes: Option<u64>,
    pub os: String,
    pub kernel: String,
    /// Filesystems of the work directory, the sources and the targets.
    pub filesystems: Vec<FilesystemInfo>,
    /// Versions of the peer programs and tools found (`cp`, `python3`, `rsync`, `strace`).
    pub tools: BTreeMap<String, ToolVersion>,
    /// The targets scenarios set up or used, one per scenario run.
    #[serde(default)]
    pub targets: Vec<TargetRecord>,
}

/// A filesystem a scenario read from or wrote to (`statfs` and `/proc/self/mountinfo`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FilesystemInfo {
    /// `work`, `source`, `target`.
    pub role: String,
    pub path: String,
    /// `ext4`, `tmpfs`, `btrfs`, `fuse.smbnetfs`, …
    pub fs_type: String,
    pub mount_point: String,
    pub mount_options: String,
    pub device: String,
}

/// A program found (or not) on this machine.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ToolVersion {
    /// Resolved path of the real program (a pyenv shim resolved to its interpreter).
    pub path: Option<String>,
    pub version: Option<String>,
    /// Why it is missing or its version could not be read.
    pub unavailable: Option<String>,
}

/// Whether a scenario copies one file or a tree.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FixtureKind {
    File,
    Tree,
}

/// The fixture a scenario copies, after `--scale`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
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
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
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
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
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
}

/// What is being compared.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
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
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum TimedAs {
    /// Inside copybench's process: `getrusage(RUSAGE_THREAD/SELF)` around the call.
    InProcess,
    /// As a child process: `wait4` rusage, whole-process wall time.
    ChildProcess,
}

/// One thing compared in a scenario, with its samples and summaries.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
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
}

/// One timed copy.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Sample {
    /// The round of the shuffled round-robin this sample was in (pairs for speedups).
    pub round: u32,
    pub wall_ns: u64,
    pub user_ns: u64,
    pub sys_ns: u64,
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
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LatencySummary {
    pub count: u64,
    pub p50_ns: u64,
    pub p90_ns: u64,
    pub p99_ns: u64,
    pub max_ns: u64,
}

/// Median, range and a bootstrap 95 % confidence interval of the median.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Estimate {
    pub median: f64,
    pub min: f64,
    pub max: f64,
    pub ci_low: f64,
    pub ci_high: f64,
}

/// Summaries of an entry's samples.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    pub wall_s: Estimate,
    pub user_s: Estimate,
    pub sys_s: Estimate,
    pub throughput_mib_s: Option<Estimate>,
    /// (user + system) CPU seconds per GiB copied, median.
    pub cpu_s_per_gib: Option<f64>,
    pub peak_rss_bytes: Option<u64>,
    /// Latency percentiles over all samples' files (trees).
    pub latency: Option<LatencySummary>,
    pub outliers: u32,
}

/// Wall-time speedup of an entry over the reference: `reference / entry`, pair by pair within a
/// round, then the median and bootstrap CI of those ratios. Above 1 is faster.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Speedup {
    pub median: f64,
    pub ci_low: f64,
    pub ci_high: f64,
    pub pairs: u32,
}

/// Syscalls of an entry, per copy (one file or one tree) and, for trees, per file.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SyscallSummary {
    /// `counted` (the engine's layer) or `strace` (a separate, untimed run).
    pub source: String,
    /// Calls by name for one copy, plus `path_stats` and `fd_stats` where known.
    pub per_copy: BTreeMap<String, u64>,
    pub per_file: Option<PerFileSyscalls>,
}

/// Syscalls per regular file of a tree copy.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PerFileSyscalls {
    pub path_stats: f64,
    pub stat_family: f64,
    pub total: f64,
}

/// An entry that was not run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Skipped {
    pub id: String,
    pub reason: String,
}

/// Conformance of strategies and walkers: cases × subjects.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ConformanceMatrix {
    pub cases: Vec<ConformanceCase>,
    /// Strategies and walkers, as named in `EntryResult::id`.
    pub subjects: Vec<String>,
    pub cells: Vec<ConformanceCell>,
    /// The oracle used, e.g. `CPython 3.11.7 (/usr/bin/python3.11)`, or why none was.
    pub oracle: String,
}

/// A case of docs/conformance.md.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ConformanceCase {
    /// The number in docs/conformance.md.
    pub number: u32,
    pub title: String,
}

/// The outcome of one case for one subject.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    Pass,
    Fail,
    Unsupported,
    Skipped,
}

/// One cell of the matrix.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
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
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
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
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
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
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SampleProof {
    /// Bytes of the copy whose extents are shared with another file (`FIEMAP_EXTENT_SHARED`):
    /// reflinked, or cloned by a server. `null` where FIEMAP is not answered (tmpfs), with the
    /// reason in the entry's `unmeasured` under `mechanism.shared_bytes`.
    pub shared_bytes: Option<u64>,
    /// Bytes of the copy that are data, not holes (`SEEK_DATA`/`SEEK_HOLE`).
    pub data_bytes: Option<u64>,
}

/// Whether an entry's copies shared their source's extents, over all its samples.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
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

/// Whether the holes of a sparse source stayed holes in the copies.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum HoleKeeping {
    /// At least 99 % of the source's hole bytes are holes in every copy.
    Kept,
    /// At most 1 % are: the copy is fully allocated.
    Filled,
    PartlyKept,
}

/// The proof of mechanism of an entry: what its copies really did, from every sample.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
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
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
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
