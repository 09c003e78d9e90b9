//! Where a scenario copies: the work directory's filesystem, a directory the user names, a
//! filesystem the harness makes on a loop device (btrfs, xfs, ext4) or in memory (tmpfs), or an
//! SMB share it serves with Samba and mounts through FUSE.
//!
//! Each kind is one [`Target`]: set up for one scenario, it gives the directories the fixture is
//! read from and the copies are written to, describes itself for the environment record, and
//! is torn down on every exit path — success, failure, panic and interrupt (see [`teardown`]).
//! A target this machine cannot make (no root, a program missing) is not an error: set-up says
//! [`SetUpError::Unavailable`] with what to install, and the scenario is skipped with that.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use copybench_result::TargetRecord;
use serde::Deserialize;

mod leftovers;
mod local;
mod loopfs;
mod smb;
mod smb_profile;
mod teardown;
mod tool;

pub use leftovers::sweep_leftovers;
pub use smb_profile::RequestCounts;
pub use teardown::{live_in_group, tear_down_all};

/// A target as a scenario file asks for it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TargetSpec {
    /// A directory inside the work directory (the fixture's filesystem).
    WorkDir,
    /// A directory the user names (another filesystem, a share mounted by hand).
    Dir(PathBuf),
    /// A filesystem made for the scenario and mounted under the work directory.
    Filesystem(FilesystemSpec),
    /// A Samba share on the loopback interface, mounted through smbnetfs.
    Smb,
}

/// Which filesystem to make.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FilesystemKind {
    Btrfs,
    Xfs,
    Ext4,
    Tmpfs,
}

impl FilesystemKind {
    pub fn name(self) -> &'static str {
        match self {
            FilesystemKind::Btrfs => "btrfs",
            FilesystemKind::Xfs => "xfs",
            FilesystemKind::Ext4 => "ext4",
            FilesystemKind::Tmpfs => "tmpfs",
        }
    }
}

/// A loop-mounted (or tmpfs) filesystem's parameters.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FilesystemSpec {
    pub kind: FilesystemKind,
    /// The image's size (a sparse file), or tmpfs's `size=`.
    pub size: u64,
    /// Extra arguments to `mkfs.*` (none for tmpfs).
    pub mkfs_options: Vec<String>,
    /// `mount -o` options, e.g. `noatime`.
    pub mount_options: Option<String>,
}

/// Where the fixture is read from and the copies are written: on the target, or in the work
/// directory ("local").
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Side {
    Local,
    Target,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Placement {
    pub source: Side,
    pub destination: Side,
}

impl TargetSpec {
    /// How the scenario's parameters name it: `same-fs`, the directory, `btrfs`, `smb`.
    pub fn name(&self) -> String {
        match self {
            TargetSpec::WorkDir => "same-fs".to_owned(),
            TargetSpec::Dir(dir) => dir.display().to_string(),
            TargetSpec::Filesystem(fs) => fs.kind.name().to_owned(),
            TargetSpec::Smb => "smb".to_owned(),
        }
    }
}

/// What set-up is given: the target's own directory (under `<work>/targets/`, empty, made by
/// the caller) and the local directory copies go to when the destination is not the target.
#[derive(Clone, Debug)]
pub struct SetUpContext {
    pub scenario: String,
    pub dir: PathBuf,
    pub local_destination: PathBuf,
    /// The run's id, naming the directory made inside a user's target directory.
    pub run_id: String,
    /// Where teardown moves what it made instead of deleting it during the run (see
    /// `teardown::Undo::Retire`); the run deletes it after every timing.
    pub graveyard: PathBuf,
}

/// The directories a target gives a scenario.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Layout {
    /// Where the fixture is placed for the scenario; `None`: it is read where it is cached.
    pub source: Option<PathBuf>,
    /// Where each sample's copy is written.
    pub destination: PathBuf,
    /// A trash on the destination's filesystem (a rename cannot cross filesystems); `None`:
    /// the work directory's own.
    pub trash: Option<PathBuf>,
}

impl Layout {
    /// The layout of a target whose own directory (on its filesystem) is `on_target`.
    fn of(placement: Placement, on_target: &Path, context: &SetUpContext) -> Layout {
        let (destination, trash) = match placement.destination {
            Side::Target => (on_target.join("copies"), Some(on_target.join("trash"))),
            Side::Local => (context.local_destination.clone(), None),
        };
        Layout {
            source: (placement.source == Side::Target).then(|| on_target.join("source")),
            destination,
            trash,
        }
    }
}

/// What copies reading from or writing to a target must leave out there, with why.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Limits {
    /// Why extended attributes cannot be listed on the target (copy2 then copies times and
    /// mode only, and the result says so).
    pub no_xattrs: Option<&'static str>,
}

/// A target set up for one scenario.
pub trait Target {
    /// The directories the scenario uses.
    fn layout(&self) -> &Layout;
    /// The environment record of this target.
    fn record(&self) -> TargetRecord;
    /// Where `path` (on the target) is stored on a filesystem this machine can inspect with
    /// FIEMAP and SEEK_HOLE: the share's directory on the server's disk for SMB, else `path`.
    fn backing_path(&self, path: &Path) -> PathBuf {
        path.to_owned()
    }
    /// What copies there must leave out.
    fn limits(&self) -> Limits {
        Limits::default()
    }
    /// The server's protocol request counters now, for targets served over a protocol: `None`
    /// for a local filesystem, `Some(Err(why))` when the server does not give them.
    fn request_counts(&self) -> Option<Result<RequestCounts, String>> {
        None
    }
    /// Unmounts, detaches, stops and deletes what set-up made. Idempotent: dropping the target
    /// does the same, and [`tear_down_all`] on an interrupt.
    fn tear_down(&mut self) -> Result<(), TargetError>;
}

/// Why a target was not set up.
#[derive(Debug, thiserror::Error)]
pub enum SetUpError {
    /// This machine cannot make it (no root, a program or kernel filesystem missing): the
    /// scenario is skipped with this reason.
    #[error("{0}")]
    Unavailable(String),
    /// Set-up failed; what it had made is already undone.
    #[error(transparent)]
    Failed(#[from] TargetError),
}

/// A step of set-up or teardown that failed.
#[derive(Debug, thiserror::Error)]
pub enum TargetError {
    #[error("`{command}` failed ({status}): {stderr}")]
    Tool {
        command: String,
        status: String,
        stderr: String,
    },
    #[error("cannot run {program}: {source}")]
    Spawn {
        program: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot {op} {path}: {source}")]
    Io {
        op: &'static str,
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{what} did not happen within {seconds} s{detail}")]
    Timeout {
        what: String,
        seconds: u64,
        detail: String,
    },
    #[error("not deleting {path}: {mount_point} is still mounted there")]
    StillMounted { path: PathBuf, mount_point: PathBuf },
    #[error("teardown incomplete: {failures}")]
    Teardown { failures: String },
    #[error("{0}")]
    Unavailable(String),
}

impl From<SetUpError> for TargetError {
    fn from(e: SetUpError) -> TargetError {
        match e {
            SetUpError::Unavailable(why) => TargetError::Unavailable(why),
            SetUpError::Failed(e) => e,
        }
    }
}

fn io(op: &'static str, path: &Path) -> impl FnOnce(std::io::Error) -> TargetError {
    let path = path.to_owned();
    move |source| TargetError::Io { op, path, source }
}

/// Sets up `spec` for one scenario.
pub fn set_up(
    spec: &TargetSpec,
    placement: Placement,
    context: &SetUpContext,
) -> Result<Box<dyn Target>, SetUpError> {
    Ok(match spec {
        TargetSpec::WorkDir => Box::new(local::Local::work_dir(context)?),
        TargetSpec::Dir(dir) => Box::new(local::Local::named(dir, placement, context)?),
        TargetSpec::Filesystem(fs) => Box::new(loopfs::LoopFs::set_up(fs, placement, context)?),
        TargetSpec::Smb => Box::new(smb::SmbShare::set_up(placement, context)?),
    })
}

/// Root is needed to attach loop devices, mount, and run smbd.
fn require_root(what: &str) -> Result<(), SetUpError> {
    if rustix::process::geteuid().is_root() {
        Ok(())
    } else {
        Err(SetUpError::Unavailable(format!(
            "{what} needs root (run copybench as root, or skip this scenario)"
        )))
    }
}

/// The kernel must know the filesystem type (`/proc/filesystems`), else `mount` fails late.
fn require_kernel_filesystem(fs_type: &str) -> Result<(), SetUpError> {
    let known = std::fs::read_to_string("/proc/filesystems")
        .map(|t| {
            t.lines()
                .any(|l| l.split_whitespace().last() == Some(fs_type))
        })
        // Without /proc, let mount say.
        .unwrap_or(true);
    if known {
        Ok(())
    } else {
        Err(SetUpError::Unavailable(format!(
            "this kernel has no `{fs_type}` filesystem (not in /proc/filesystems)"
        )))
    }
}

/// A record with only the fields every target has.
fn base_record(context: &SetUpContext, kind: &str, layout: &Layout) -> TargetRecord {
    TargetRecord {
        scenario: context.scenario.clone(),
        kind: kind.to_owned(),
        fs_type: None,
        size_bytes: None,
        mkfs: None,
        mkfs_version: None,
        mount_options: None,
        source: layout.source.as_ref().map(|p| p.display().to_string()),
        destination: layout.destination.display().to_string(),
        smb: None,
        limits: Vec::new(),
        unavailable: BTreeMap::new(),
    }
}
