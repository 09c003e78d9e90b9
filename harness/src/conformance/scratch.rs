//! The suite's private directory for its fixtures, below the directory under test.
//!
//! Not a work directory (that is `crate::work_dir::WorkDir`, which copybench owns and marks):
//! the directory under test may be any filesystem the user names, so the suite only makes a
//! fresh, uniquely named directory inside it and removes it afterwards.

use std::path::{Path, PathBuf};

use super::{fixture, ConformError};

/// A fresh directory below the directory under test; removed, with all it holds, on drop.
pub(super) struct Scratch {
    path: PathBuf,
}

impl Scratch {
    /// Makes `.copybench-conform-<pid>-<random>` below `parent`.
    pub(super) fn create(parent: &Path) -> Result<Scratch, ConformError> {
        let setup = |error| ConformError::Setup {
            path: parent.to_owned(),
            error,
        };
        let parent = std::fs::canonicalize(parent).map_err(setup)?;
        let dir = tempfile::Builder::new()
            .prefix(&format!(".copybench-conform-{}-", std::process::id()))
            .tempdir_in(&parent)
            .map_err(setup)?;
        // Removed by `fixture::remove_tree`, which also clears the permission bits that cases
        // take away (tempfile's own removal would stop at a mode-000 directory).
        Ok(Scratch { path: dir.keep() })
    }

    pub(super) fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        fixture::remove_tree(&self.path);
    }
}
