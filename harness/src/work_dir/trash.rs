//! The trash: sample destinations are renamed into it and deleted later, outside the timing.

use std::ffi::OsString;
use std::path::Path;

use super::{Dir, FreedInodes, WorkDirError};

/// How often, and how far apart, a rename refused as busy is tried again (5 s in all).
const RENAME_RETRIES: u32 = 100;
const RENAME_RETRY_PAUSE: std::time::Duration = std::time::Duration::from_millis(50);

/// Collects sample destinations by renaming, and deletes them later, outside the timing.
///
/// A trash lives on the filesystem of the destinations it takes (a rename cannot cross
/// filesystems), so a scenario with its own target directory gets its own trash there.
#[derive(Debug)]
pub struct Trash {
    dir: Dir,
    /// A directory deleted whole with the trash, from its parent (a scenario's
    /// `<target>/copybench-<run id>/`).
    removed_with: Option<(Dir, OsString)>,
    next: u64,
    /// Content bytes held, to empty it before it fills the disk.
    held_bytes: u64,
    /// How many times it had to be emptied before the end of the run.
    pub early_empties: u32,
    /// The inode of the last destination taken, to see where the copies are landing.
    last_inode: Option<u64>,
}

impl Trash {
    /// A trash in `dir` (earlier contents are kept and deleted with the rest).
    pub fn new(dir: Dir) -> Trash {
        Trash {
            dir,
            removed_with: None,
            next: 0,
            held_bytes: 0,
            early_empties: 0,
            last_inode: None,
        }
    }

    /// [`Trash::destroy`] also deletes `name` in `parent` (the directory holding the trash).
    pub fn removed_with(mut self, parent: Dir, name: impl Into<OsString>) -> Trash {
        self.removed_with = Some((parent, name.into()));
        self
    }

    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// Renames `path` (a file or a tree of `bytes` content bytes) into the trash. A missing path
    /// (a copy that failed before creating it) is fine. A symlink is moved, not followed.
    pub fn take(&mut self, path: &Path, bytes: u64) -> Result<(), WorkDirError> {
        let Ok(meta) = std::fs::symlink_metadata(path) else {
            return Ok(());
        };
        self.next += 1;
        let to = format!("{:06}", self.next);
        let rename = || rustix::fs::renameat(rustix::fs::CWD, path, self.dir.fd(), to.as_str());
        // Samba refuses to rename a directory while a handle inside it is open (Windows
        // semantics, EACCES through the client), and a FUSE client such as smbnetfs closes a
        // file's handle a moment after the copying process closed it: wait for it, briefly.
        let mut result = rename();
        for _ in 0..RENAME_RETRIES {
            match result {
                Err(rustix::io::Errno::ACCESS | rustix::io::Errno::BUSY) => {
                    std::thread::sleep(RENAME_RETRY_PAUSE);
                    result = rename();
                }
                _ => break,
            }
        }
        result.map_err(|errno| WorkDirError::io("move into the trash", path, errno))?;
        self.held_bytes = self.held_bytes.saturating_add(bytes);
        self.last_inode = Some(std::os::unix::fs::MetadataExt::ino(&meta));
        Ok(())
    }

    /// The inode number of the last destination taken (a rename keeps it).
    pub fn last_inode(&self) -> Option<u64> {
        self.last_inode
    }

    pub fn held_bytes(&self) -> u64 {
        self.held_bytes
    }

    /// Deletes everything in the trash, never following a symlink; returns the inodes freed.
    pub fn empty(&mut self) -> Result<FreedInodes, WorkDirError> {
        let freed = self.dir.empty()?;
        self.held_bytes = 0;
        Ok(freed)
    }

    /// Empties the trash and removes its directory (and the one it was made with).
    pub fn destroy(mut self) -> Result<(), WorkDirError> {
        self.empty()?;
        if let Some((parent, name)) = &self.removed_with {
            parent.remove(name)?;
        }
        Ok(())
    }
}
