//! The check of every copy against the fixture, outside the timing: sizes always; content too
//! in debug builds (docs/design.md: byte-identical output checked after every sample in debug
//! builds).

use std::path::{Path, PathBuf};

use copybench_result::FixtureKind;

use crate::fixture::Fixture;

/// How a copy differs from its fixture.
#[derive(Debug, thiserror::Error)]
pub(super) enum CheckError {
    // Causes are fields, not `source`s: each message says its cause once.
    #[error("{}: {}", path.display(), copybench_engine::errno::describe_io(error))]
    Source {
        path: PathBuf,
        error: std::io::Error,
    },
    #[error("the copy {} is missing: {}", path.display(), copybench_engine::errno::describe_io(error))]
    Missing {
        path: PathBuf,
        error: std::io::Error,
    },
    #[error("{} has {got} bytes, the source {expected}", path.display())]
    Size {
        path: PathBuf,
        got: u64,
        expected: u64,
    },
    #[error("{} differs from its source", path.display())]
    Content { path: PathBuf },
}

/// Checks the copy of `fixture` at `dst`.
pub(super) fn check_copy(fixture: &Fixture, dst: &Path) -> Result<(), CheckError> {
    let copies = destination_files(fixture, dst);
    for (src, copy) in fixture.files.iter().zip(&copies) {
        let expected = std::fs::metadata(src)
            .map_err(|error| CheckError::Source {
                path: src.clone(),
                error,
            })?
            .len();
        let got = std::fs::metadata(copy)
            .map_err(|error| CheckError::Missing {
                path: copy.clone(),
                error,
            })?
            .len();
        if expected != got {
            return Err(CheckError::Size {
                path: copy.clone(),
                got,
                expected,
            });
        }
        if cfg!(debug_assertions) {
            let same = std::fs::read(src).ok() == std::fs::read(copy).ok();
            if !same {
                return Err(CheckError::Content { path: copy.clone() });
            }
        }
    }
    Ok(())
}

/// The regular files a copy of the fixture at `dst` has.
pub(super) fn destination_files(fixture: &Fixture, dst: &Path) -> Vec<PathBuf> {
    match fixture.info.kind {
        FixtureKind::File => vec![dst.to_owned()],
        FixtureKind::Tree => fixture
            .files
            .iter()
            .filter_map(|f| f.strip_prefix(&fixture.path).ok())
            .map(|rel| dst.join(rel))
            .collect(),
    }
}
