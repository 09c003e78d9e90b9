//! Whether the target filesystem can hold what a scenario writes before its trash may be
//! emptied: one round of samples, one copy of the fixture per entry. Checked before the first
//! sample, so a run too big for the disk says so instead of failing half-way with ENOSPC.

use crate::fixture::Fixture;
use crate::size::ByteSize;
use crate::work_dir::Dir;

pub(super) fn check(fixture: &Fixture, entries: usize, target: &Dir) -> Result<(), String> {
    let free = target.free_space().map_err(|e| e.to_string())?;
    let copies = entries as u64;
    let bytes = fixture.info.bytes.saturating_mul(copies);
    let inodes =
        (fixture.info.files + fixture.info.dirs + fixture.info.symlinks + 1).saturating_mul(copies);
    if bytes > free.bytes || free.inodes.is_some_and(|free| inodes > free) {
        return Err(format!(
            "one round of samples writes {copies} copies of the fixture ({} and {inodes} files), \
             but the filesystem of {} has {} free: lower --scale or free some space",
            ByteSize(bytes).human(),
            target.path().display(),
            free.describe()
        ));
    }
    Ok(())
}
