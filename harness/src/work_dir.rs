//! The work directory (default `target/copybench/`): fixtures, sample destinations, the trash,
//! results. copybench creates and deletes files only below it (and below a target directory a
//! scenario names).
//!
//! Destinations are never deleted between samples: on ext4 without a journal, for about a minute
//! after a tree is deleted every new inode creation walks the recently freed ones (`cp -r` of
//! 8000 files: 6 s right after `rm -rf`, 0.26 s a minute later). They are renamed into a trash
//! directory, which is emptied after the run, outside all timing.

use std::path::{Path, PathBuf};

/// Where `scenario` and `conform` work unless `--work-dir` / `--dir` say otherwise: inside the
/// project's own `target/`, which `cargo clean` and `.gitignore` already cover.
pub const DEFAULT_WORK_DIR: &str = "target/copybench";

/// Held for a whole run: the work directory's lock.
#[derive(Debug)]
pub struct RunLock {
    _file: std::fs::File,
}

/// Why the work directory could not be used.
#[derive(Debug, thiserror::Error)]
pub enum WorkDirError {
    #[error(
        "another copybench run is using {path}: wait for it, or give this one its own --work-dir"
    )]
    Busy { path: PathBuf },
    #[error("cannot {op} {path}: {source}")]
    Io {
        op: &'static str,
        path: PathBuf,
        source: std::io::Error,
    },
}

fn io(op: &'static str, path: &Path) -> impl FnOnce(std::io::Error) -> WorkDirError {
    let path = path.to_owned();
    move |source| WorkDirError::Io { op, path, source }
}

/// The work directory's layout.
#[derive(Clone, Debug)]
pub struct WorkDir {
    root: PathBuf,
}

impl WorkDir {
    /// Uses (and creates) `root`.
    pub fn open(root: &Path) -> Result<WorkDir, WorkDirError> {
        std::fs::create_dir_all(root).map_err(io("create", root))?;
        let root = root.canonicalize().map_err(io("resolve", root))?;
        Ok(WorkDir { root })
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Takes the work directory for one run (an exclusive `flock` on `<work>/lock`, released
    /// when the guard drops): two runs sharing a trash would delete each other's copies in the
    /// middle of their timing.
    pub fn lock(&self) -> Result<RunLock, WorkDirError> {
        let path = self.root.join("lock");
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(io("open", &path))?;
        rustix::fs::flock(&file, rustix::fs::FlockOperation::NonBlockingLockExclusive).map_err(
            |_| WorkDirError::Busy {
                path: self.root.clone(),
            },
        )?;
        Ok(RunLock { _file: file })
    }

    /// Cached fixtures, one directory per parameter key.
    pub fn fixtures(&self) -> PathBuf {
        self.root.join("fixtures")
    }

    /// Where a run's sample destinations are written (same filesystem as the fixtures).
    pub fn runs(&self) -> PathBuf {
        self.root.join("runs")
    }

    /// Result documents and reports.
    pub fn results(&self) -> PathBuf {
        self.root.join("results")
    }

    /// Filesystems and servers set up for scenarios (`crate::target`), one directory each;
    /// whatever a killed run left there is swept at the start of the next.
    pub fn targets(&self) -> PathBuf {
        self.root.join("targets")
    }

    /// Scratch space for the conformance suite.
    pub fn conformance(&self) -> PathBuf {
        self.root.join("conformance")
    }

    /// Where destinations go after their sample; emptied at the end of the run.
    pub fn trash(&self) -> PathBuf {
        self.root.join("trash")
    }

    fn trash_marker(&self) -> PathBuf {
        self.root.join("trash-emptied-at")
    }

    /// Records that the trash was emptied now (a run starting soon after may create files
    /// slowly: see the module docs).
    pub fn note_trash_emptied(&self) {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0);
        let _ = std::fs::write(self.trash_marker(), now.to_string());
    }

    /// How long ago the trash was last emptied, if less than `within` ago.
    pub fn trash_emptied_within(&self, within: std::time::Duration) -> Option<std::time::Duration> {
        let text = std::fs::read_to_string(self.trash_marker()).ok()?;
        let then =
            std::time::UNIX_EPOCH + std::time::Duration::from_secs(text.trim().parse().ok()?);
        let ago = std::time::SystemTime::now().duration_since(then).ok()?;
        (ago < within).then_some(ago)
    }
}

/// Collects sample destinations by renaming, and deletes them later, outside the timing.
///
/// A trash lives on the filesystem of the destinations it takes (a rename cannot cross
/// filesystems), so a scenario with its own target directory gets its own trash there.
#[derive(Debug)]
pub struct Trash {
    dir: PathBuf,
    next: u64,
    /// Content bytes held, to empty it before it fills the disk.
    held_bytes: u64,
    /// How many times it had to be emptied before the end of the run.
    pub early_empties: u32,
}

impl Trash {
    /// A trash directory at `dir` (created; earlier contents are kept and deleted with the rest).
    pub fn new(dir: PathBuf) -> Result<Trash, WorkDirError> {
        std::fs::create_dir_all(&dir).map_err(io("create", &dir))?;
        Ok(Trash {
            dir,
            next: 0,
            held_bytes: 0,
            early_empties: 0,
        })
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Renames `path` (a file or a tree of `bytes` content bytes) into the trash. A missing path
    /// (a copy that failed before creating it) is fine.
    pub fn take(&mut self, path: &Path, bytes: u64) -> Result<(), WorkDirError> {
        if std::fs::symlink_metadata(path).is_err() {
            return Ok(());
        }
        self.next += 1;
        let to = self.dir.join(format!("{:06}", self.next));
        std::fs::rename(path, &to).map_err(io("move into the trash", path))?;
        self.held_bytes += bytes;
        Ok(())
    }

    pub fn held_bytes(&self) -> u64 {
        self.held_bytes
    }

    /// Deletes everything in the trash.
    pub fn empty(&mut self) -> Result<(), WorkDirError> {
        let entries = std::fs::read_dir(&self.dir).map_err(io("list", &self.dir))?;
        for entry in entries {
            let entry = entry.map_err(io("list", &self.dir))?;
            let path = entry.path();
            let is_dir = entry
                .file_type()
                .map(|t| t.is_dir())
                .map_err(io("stat", &path))?;
            if is_dir {
                std::fs::remove_dir_all(&path).map_err(io("delete", &path))?;
            } else {
                std::fs::remove_file(&path).map_err(io("delete", &path))?;
            }
        }
        self.held_bytes = 0;
        Ok(())
    }

    /// Empties the trash and removes its directory.
    pub fn destroy(mut self) -> Result<(), WorkDirError> {
        self.empty()?;
        std::fs::remove_dir(&self.dir).map_err(io("delete", &self.dir))
    }
}

/// Writes `bytes` to `path` atomically: a temporary name in the same directory, fsync, rename.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), WorkDirError> {
    use std::io::Write;
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(io("create", dir))?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.tmp-{}", std::process::id()));
    let mut file = std::fs::File::create(&tmp).map_err(io("create", &tmp))?;
    file.write_all(bytes).map_err(io("write", &tmp))?;
    file.sync_all().map_err(io("fsync", &tmp))?;
    drop(file);
    std::fs::rename(&tmp, path).map_err(io("rename into place", path))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_trash_takes_by_renaming_and_empties_later() {
        let tmp = tempfile::tempdir().unwrap();
        let mut trash = Trash::new(tmp.path().join("trash")).unwrap();
        let file = tmp.path().join("copy");
        std::fs::write(&file, b"abc").unwrap();
        let tree = tmp.path().join("tree");
        std::fs::create_dir_all(tree.join("a/b")).unwrap();
        std::fs::write(tree.join("a/b/f"), b"x").unwrap();
        trash.take(&file, 3).unwrap();
        trash.take(&tree, 1).unwrap();
        trash.take(&tmp.path().join("never-made"), 0).unwrap();
        assert!(!file.exists() && !tree.exists());
        assert_eq!(std::fs::read_dir(trash.dir()).unwrap().count(), 2);
        assert_eq!(trash.held_bytes(), 4);
        trash.empty().unwrap();
        assert_eq!(std::fs::read_dir(trash.dir()).unwrap().count(), 0);
        let dir = trash.dir().to_owned();
        trash.destroy().unwrap();
        assert!(!dir.exists());
    }

    #[test]
    fn a_recent_emptying_is_remembered() {
        let tmp = tempfile::tempdir().unwrap();
        let work = WorkDir::open(tmp.path()).unwrap();
        let minute = std::time::Duration::from_secs(60);
        assert_eq!(work.trash_emptied_within(minute), None);
        work.note_trash_emptied();
        assert!(work.trash_emptied_within(minute).is_some());
        assert_eq!(work.trash_emptied_within(std::time::Duration::ZERO), None);
    }

    #[test]
    fn a_second_run_cannot_take_a_busy_work_dir() {
        let tmp = tempfile::tempdir().unwrap();
        let work = WorkDir::open(tmp.path()).unwrap();
        let held = work.lock().unwrap();
        let second = WorkDir::open(tmp.path()).unwrap().lock().unwrap_err();
        assert!(second.to_string().contains("--work-dir"), "{second}");
        drop(held);
        assert!(work.lock().is_ok());
    }

    #[test]
    fn atomic_writes_leave_no_temporary() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("r/result.json");
        write_atomically(&path, b"{}").unwrap();
        write_atomically(&path, b"{\"a\":1}").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"{\"a\":1}");
        assert_eq!(
            std::fs::read_dir(path.parent().unwrap()).unwrap().count(),
            1
        );
    }
}
