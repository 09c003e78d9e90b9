//! The work directory (default `target/copybench/`): fixtures, sample destinations, the trash,
//! results. copybench creates and deletes files only below it (and below a target directory a
//! scenario names).
//!
//! copybench owns it (docs/design.md, "The work directory"): a marker file naming copybench
//! and the layout is written when copybench creates it, and a non-empty directory without the
//! marker is refused, so a mistyped `--work-dir` cannot lose anyone's files. Everything inside
//! is reached from an open descriptor of it ([`Dir`]) with `*at` calls that never follow a
//! symlink, and deleting never follows one.
//!
//! Destinations are never deleted between samples: on ext4 without a journal, for 60 s after a
//! tree is deleted (360 s where the inode table blocks are dirty, as creating files makes them)
//! every new inode creation walks the recently freed ones (`cp -r` of 8000 files: 6 s right
//! after `rm -rf`, 0.26 s a minute later). They are renamed into a trash directory, which is
//! emptied after the run, outside all timing, recording the block groups of the inodes freed
//! ([`freed`]), and each scenario's copies are placed apart from them ([`spread_children`],
//! [`Dir::place_child`]).

mod dir;
pub mod freed;
mod remove;
mod trash;

use std::path::{Path, PathBuf};

use rustix::io::Errno;

pub use dir::{is_temporary_name, Dir, FreeSpace, Placed};
pub use freed::{DeletionRecord, Emptying, FreedInodes};
pub use trash::Trash;

/// Where `scenario` and `conform` work unless `--work-dir` / `--dir` say otherwise: inside the
/// project's own `target/`, which `cargo clean` and `.gitignore` already cover.
pub const DEFAULT_WORK_DIR: &str = "target/copybench";

/// The marker file that makes a directory copybench's.
pub const MARKER: &str = ".copybench-work-dir";

/// Bumped when the layout below the work directory changes incompatibly.
pub const LAYOUT_VERSION: u32 = 1;

/// The marker's first line, before the layout number.
const MARKER_TITLE: &str = "copybench work directory, layout ";

/// Held for a whole run: the work directory's lock.
#[derive(Debug)]
pub struct RunLock {
    _file: std::fs::File,
}

/// Why the work directory could not be used. Every message is one line naming the path.
#[derive(Debug, thiserror::Error)]
pub enum WorkDirError {
    #[error(
        "another copybench run is using {path}: wait for it, or give this one its own --work-dir"
    )]
    Busy { path: PathBuf },
    #[error("{path} is not empty and is not a copybench work directory (it has no {MARKER} file): name a new or empty directory with --work-dir")]
    NotOurs { path: PathBuf },
    #[error("{path} was made by a newer copybench (layout {found}; this one knows layout {LAYOUT_VERSION}): use that version, or another --work-dir")]
    NewerLayout { path: PathBuf, found: u32 },
    #[error("{path} has a {MARKER} file that copybench did not write: name another --work-dir")]
    BadMarker { path: PathBuf },
    #[error("{path} is not a directory: copybench keeps its work in a directory it owns (name one with --work-dir)")]
    NotADirectory { path: PathBuf },
    #[error("{path} is a symlink to {target}, which does not exist: name an existing directory or a new path with --work-dir")]
    Dangling { path: PathBuf, target: PathBuf },
    #[error("{path} is a symlink where copybench keeps its own file or directory: it is not followed; remove it")]
    Symlink { path: PathBuf },
    #[error("cannot {op} {path}: {}", copybench_engine::errno::describe(*errno))]
    Io {
        op: &'static str,
        path: PathBuf,
        errno: Errno,
    },
}

impl WorkDirError {
    pub(crate) fn io(op: &'static str, path: &Path, errno: Errno) -> WorkDirError {
        WorkDirError::Io {
            op,
            path: path.to_owned(),
            errno,
        }
    }

    pub(crate) fn from_io(op: &'static str, path: &Path, error: &std::io::Error) -> WorkDirError {
        let errno = Errno::from_io_error(error).unwrap_or(Errno::IO);
        WorkDirError::io(op, path, errno)
    }

    /// The errno behind it, if a syscall failed.
    pub fn errno(&self) -> Option<Errno> {
        match self {
            WorkDirError::Io { errno, .. } => Some(*errno),
            _ => None,
        }
    }
}

/// A run's directory in `runs/`, where each scenario's copies get a directory.
#[derive(Debug)]
pub struct RunDestinations {
    pub dir: Dir,
    /// Whether it took `FS_TOPDIR_FL` ([`spread_children`]): each directory made in it is
    /// placed anew, so placing it again can land elsewhere.
    pub places_apart: bool,
}

/// How long a busy run lock is tried again before the run is refused ([`WorkDir::lock`]).
const LOCK_PATIENCE: std::time::Duration = std::time::Duration::from_millis(500);

/// The work directory, held open.
#[derive(Debug)]
pub struct WorkDir {
    root: Dir,
}

impl WorkDir {
    /// Uses `root` if it is copybench's (it has the marker) or new or empty (then it is made
    /// and marked); refuses anything else, naming it.
    pub fn open(root: &Path) -> Result<WorkDir, WorkDirError> {
        match std::fs::symlink_metadata(root) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                std::fs::create_dir_all(root)
                    .map_err(|e| WorkDirError::from_io("create", root, &e))?;
            }
            Err(e) => return Err(WorkDirError::from_io("inspect", root, &e)),
            Ok(meta) if meta.is_symlink() => {
                // The user may name a symlink to a directory; not one to nothing.
                if std::fs::metadata(root).is_err() {
                    let target = std::fs::read_link(root).unwrap_or_default();
                    return Err(WorkDirError::Dangling {
                        path: root.to_owned(),
                        target,
                    });
                }
            }
            Ok(_) => {}
        }
        if !std::fs::metadata(root).is_ok_and(|m| m.is_dir()) {
            return Err(WorkDirError::NotADirectory {
                path: root.to_owned(),
            });
        }
        // Absolute, so the paths handed to the engine, to children and to the user hold from
        // any directory.
        let root =
            std::fs::canonicalize(root).map_err(|e| WorkDirError::from_io("resolve", root, &e))?;
        let dir = Dir::open_named(&root)?;
        claim(&dir)?;
        Ok(WorkDir { root: dir })
    }

    pub fn root(&self) -> &Path {
        self.root.path()
    }

    /// The work directory itself, open.
    pub fn dir(&self) -> &Dir {
        &self.root
    }

    /// Takes the work directory for one run (an exclusive `flock` on `<work>/lock`, released
    /// when the guard drops): two runs sharing a trash would delete each other's copies in the
    /// middle of their timing.
    pub fn lock(&self) -> Result<RunLock, WorkDirError> {
        use rustix::fs::{Mode, OFlags};
        let flags = OFlags::WRONLY | OFlags::CREATE | OFlags::NOFOLLOW | OFlags::CLOEXEC;
        let fd = rustix::fs::openat(self.root.fd(), "lock", flags, Mode::from_raw_mode(0o666))
            .map_err(|errno| self.root.error("open", "lock".as_ref(), errno))?;
        let file = std::fs::File::from(fd);
        // A lock just released can still be held for a moment by a child another thread of
        // this process is starting: between its fork and its exec the child shares the lock's
        // open file description (O_CLOEXEC closes it only at the exec). So a busy lock is tried
        // again for a short while before the run is refused.
        let deadline = std::time::Instant::now() + LOCK_PATIENCE;
        loop {
            match rustix::fs::flock(&file, rustix::fs::FlockOperation::NonBlockingLockExclusive) {
                Ok(()) => return Ok(RunLock { _file: file }),
                Err(Errno::WOULDBLOCK | Errno::INTR) if std::time::Instant::now() < deadline => {
                    std::thread::sleep(std::time::Duration::from_millis(10));
                }
                Err(_) => {
                    return Err(WorkDirError::Busy {
                        path: self.root().to_owned(),
                    })
                }
            }
        }
    }

    /// Removes what an interrupted run left: sample destinations, trash, half-written
    /// fixtures and results. Only with the lock held (no other run is using them). Returns
    /// whether copies were deleted (a run creating trees right after should wait: module docs).
    pub fn remove_leftovers(&self, _lock: &RunLock) -> Result<bool, WorkDirError> {
        // Refused now, not at the end of the run, if someone planted a link there.
        self.root.read(TRASH_EMPTIED_AT)?;
        let mut deleted = false;
        let mut freed = FreedInodes::default();
        for name in ["runs", "trash", "conformance"] {
            if let Some(dir) = self.root.existing_child(name)? {
                deleted |= !dir.names()?.is_empty();
                self.root.remove_counting(name, &mut freed)?;
            }
        }
        if let Some(fixtures) = self.root.existing_child("fixtures")? {
            remove_temporaries(&fixtures)?;
        }
        if let Some(results) = self.root.existing_child("results")? {
            for name in results.names()? {
                if let Ok(Some(run)) = results.existing_child(&name) {
                    remove_temporaries(&run)?;
                }
            }
            remove_temporaries(&results)?;
        }
        if deleted {
            self.note_trash_emptied(&freed)?;
        }
        Ok(deleted)
    }

    /// Cached fixtures, one directory per parameter key.
    pub fn fixtures(&self) -> Result<Dir, WorkDirError> {
        self.root.child("fixtures")
    }

    /// Where a run's sample destinations are written (same filesystem as the fixtures), one
    /// directory per run, each placed apart from the last run's (see [`spread_children`]).
    pub fn runs(&self) -> Result<Dir, WorkDirError> {
        let runs = self.root.child("runs")?;
        spread_children(&runs);
        Ok(runs)
    }

    /// This run's directory in `runs`, marked so that each scenario's directory made in it is
    /// placed anew ([`spread_children`]), and whether the filesystem took the mark.
    pub fn run_destinations(&self, run_id: &str) -> Result<RunDestinations, WorkDirError> {
        let dir = self.runs()?.child(run_id)?;
        let places_apart = spread_children(&dir);
        Ok(RunDestinations { dir, places_apart })
    }

    /// Result documents and reports.
    pub fn results(&self) -> Result<Dir, WorkDirError> {
        self.root.child("results")
    }

    /// Filesystems and servers set up for scenarios (`crate::target`), one directory each;
    /// what a killed run left there is swept at the start of the next
    /// (`target::sweep_leftovers`).
    pub fn targets(&self) -> Result<Dir, WorkDirError> {
        self.root.child("targets")
    }

    /// Scratch space for the conformance suite.
    pub fn conformance(&self) -> Result<Dir, WorkDirError> {
        self.root.child("conformance")
    }

    /// Where destinations go after their sample; emptied at the end of the run.
    pub fn trash(&self) -> Result<Dir, WorkDirError> {
        self.root.child("trash")
    }

    /// Records that the trash was emptied now, freeing `freed`, once the deletions are written
    /// back (`syncfs`): ext4 without a journal counts a freed inode as recently deleted for 60 s
    /// after its deletion while its inode table block is clean, 360 s while it is dirty
    /// (fs/ext4/ialloc.c, `recently_deleted`), so the time recorded is when the blocks were
    /// clean. The block groups of the freed inodes are recorded beside it ([`freed`]), and the
    /// emptyings of the last 360 s are kept (a run may empty its trash more than once).
    pub fn note_trash_emptied(&self, freed: &FreedInodes) -> Result<(), WorkDirError> {
        rustix::fs::syncfs(self.root.fd())
            .map_err(|errno| WorkDirError::io("write back (syncfs)", self.root.path(), errno))?;
        let now = now_s();
        let inodes_per_group = freed::inodes_per_group(self.root());
        let mut record = self.deletion_record().unwrap_or_default();
        record.push(
            now,
            Emptying {
                at: now,
                inodes: freed.count(),
                inodes_per_group,
                groups: inodes_per_group.map(|ipg| freed.groups(ipg)),
            },
        );
        let json = serde_json::to_vec(&record).unwrap_or_default();
        self.root.write_atomically(TRASH_EMPTIED_AT, &json)
    }

    /// The emptyings of the trash less than `within` ago, oldest first.
    pub fn trash_emptyings_within(&self, within: std::time::Duration) -> Vec<Emptying> {
        let Some(record) = self.deletion_record() else {
            return Vec::new();
        };
        record
            .within(now_s(), within)
            .into_iter()
            .cloned()
            .collect()
    }

    /// How long ago the trash was last emptied, if less than `within` ago.
    pub fn trash_emptied_within(&self, within: std::time::Duration) -> Option<std::time::Duration> {
        let last = self
            .trash_emptyings_within(within)
            .into_iter()
            .map(|e| e.at)
            .max()?;
        Some(std::time::Duration::from_secs(now_s().saturating_sub(last)))
    }

    fn deletion_record(&self) -> Option<DeletionRecord> {
        let bytes = self.root.read(TRASH_EMPTIED_AT).ok()??;
        DeletionRecord::parse(&String::from_utf8(bytes).ok()?)
    }
}

/// Seconds since the epoch (0 for a clock before it).
fn now_s() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// Marks `dir` as the top of directory hierarchies (`FS_TOPDIR_FL`, `chattr +T`), so ext4
/// places every directory made in it as it places one made in the root: in a block group
/// chosen from a hash of its name among those with the fewest directories and above-average
/// free inodes (the Orlov allocator, fs/ext4/ialloc.c `find_group_orlov`), and the files
/// below it beside it. Without the mark each scenario's directory lands where the last run's
/// was, among the inodes that run just freed, and on ext4 without a journal those stay
/// "recently deleted" for up to 6 minutes: every creation walks past them (`find_inode_bit`),
/// and a tree run started a minute after the previous one copied 3x slower for as many rounds
/// as that run had made (58 ms against 19 ms for 37 rounds here). The mark alone lowers the
/// odds without ruling a collision out (a freed group has no directories left, which Orlov
/// prefers: 1 run in 2 to 1 in 8 landed there again), so the group a directory got is checked
/// and the directory made again where it is among freed ones ([`Dir::place_child`],
/// [`freed`]).
///
/// Best effort: filesystems without the flag (btrfs, XFS, tmpfs) refuse it, and nothing
/// depends on it but where inodes land.
pub(crate) fn spread_children(dir: &Dir) -> bool {
    use rustix::fs::IFlags;
    match rustix::fs::ioctl_getflags(dir.fd()) {
        Ok(flags) if flags.contains(IFlags::TOPDIR) => true,
        Ok(flags) => rustix::fs::ioctl_setflags(dir.fd(), flags | IFlags::TOPDIR).is_ok(),
        Err(_) => false,
    }
}

/// When the trash was last emptied, in seconds since the epoch.
const TRASH_EMPTIED_AT: &str = "trash-emptied-at";

/// Checks the marker of `dir`, or writes it when `dir` is empty.
fn claim(dir: &Dir) -> Result<(), WorkDirError> {
    match dir.read(MARKER)? {
        Some(bytes) => {
            let text = String::from_utf8_lossy(&bytes);
            let found = text
                .lines()
                .next()
                .and_then(|l| l.strip_prefix(MARKER_TITLE))
                .and_then(|n| n.trim().parse::<u32>().ok())
                .ok_or_else(|| WorkDirError::BadMarker {
                    path: dir.join(MARKER),
                })?;
            if found > LAYOUT_VERSION {
                return Err(WorkDirError::NewerLayout {
                    path: dir.path().to_owned(),
                    found,
                });
            }
            Ok(())
        }
        None if dir.names()?.is_empty() => dir.write_atomically(
            MARKER,
            format!(
                "{MARKER_TITLE}{LAYOUT_VERSION}\n\
                 Everything in this directory was made by copybench, which may delete it.\n"
            )
            .as_bytes(),
        ),
        None => Err(WorkDirError::NotOurs {
            path: dir.path().to_owned(),
        }),
    }
}

/// Deletes the `.NAME.tmp-PID` entries of `dir` (an interrupted run's).
fn remove_temporaries(dir: &Dir) -> Result<(), WorkDirError> {
    for name in dir.names()? {
        if is_temporary_name(&name) {
            dir.remove(&name)?;
        }
    }
    Ok(())
}

/// Writes `bytes` to a path a user named (`report -o`) atomically: a temporary name in the
/// same directory, fsync, rename. A symlink at `path` is resolved first, so the file it points
/// to is replaced and the link kept, as a plain write through it would.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), WorkDirError> {
    let path = match std::fs::canonicalize(path) {
        Ok(resolved) => resolved,
        Err(_) => path.to_owned(),
    };
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let name = path
        .file_name()
        .ok_or_else(|| WorkDirError::NotADirectory {
            path: path.to_owned(),
        })?
        .to_string_lossy()
        .into_owned();
    Dir::open_named(parent)?.write_atomically(&name, bytes)
}

#[cfg(test)]
mod tests;
