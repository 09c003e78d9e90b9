//! The one wait of a run: before a tree scenario that would start within ext4's minute after
//! the previous run deleted its trash.
//!
//! ext4 without a journal skips inodes deleted less than 60 s ago, reading each one's dtime
//! (fs/ext4/ialloc.c, `recently_deleted`): right after the previous run emptied its trash,
//! creating a tree was 3-8x slower here. Trees wait out that minute, before any fixture or
//! warmup (not between samples, where a pause would be an idle gap), but only where the effect
//! applies: the work directory on ext4 without a journal (a journaled ext4 reuses inodes at once,
//! and other filesystems have no such rule). `--no-wait` skips it; the result records either.

use std::os::unix::fs::MetadataExt;
use std::path::Path;
use std::time::Duration;

use copybench_result::{DeleteWait, FixtureKind};

use super::progress::Progress;
use crate::scenario::Scenario;
use crate::work_dir::WorkDir;

/// How long ext4 (no journal) avoids reusing a deleted inode (`RECENTCY_MIN`).
const RECENTLY_DELETED: Duration = Duration::from_secs(60);

/// Waits out the minute when a tree scenario would start inside it on a filesystem where it
/// applies, unless `no_wait`. Returns how long ago the trash was emptied when the run starts
/// inside that minute without waiting, for a warning on the first result, and what was done.
pub(super) fn wait_out_recent_deletes(
    work: &WorkDir,
    scenarios: &[Scenario],
    no_wait: bool,
    progress: &mut Progress,
) -> (Option<Duration>, Option<DeleteWait>) {
    let Some(ago) = work.trash_emptied_within(RECENTLY_DELETED) else {
        return (None, None);
    };
    let has_tree = scenarios
        .iter()
        .any(|s| s.fixture.kind() == FixtureKind::Tree);
    if !has_tree {
        return (Some(ago), None);
    }
    let why = match applies(work.root()) {
        Ok(why) => why,
        Err(_) => return (None, None),
    };
    let wait = RECENTLY_DELETED.saturating_sub(ago);
    let record = DeleteWait {
        wait_s: wait.as_secs_f64(),
        waited: !no_wait,
        reason: why.clone(),
    };
    if no_wait {
        return (Some(ago), Some(record));
    }
    progress.wait(
        wait,
        &format!(
            "{why}: it creates files slowly for a minute after deleting many, and the previous run deleted its copies {} s ago",
            ago.as_secs()
        ),
    );
    (None, Some(record))
}

/// Whether the slow minute applies to the filesystem of `dir`: `Ok` with what it is, or `Err`
/// saying why not. A journaled ext4 has a directory under `/proc/fs/jbd2/` named after its
/// block device; where the device cannot be named, the journal is taken as absent (waiting
/// costs a minute, not waiting a wrong figure).
fn applies(dir: &Path) -> Result<String, String> {
    let fs = crate::environment::filesystem("work", dir)
        .ok_or_else(|| "the work directory's filesystem is unknown".to_owned())?;
    if fs.fs_type != "ext4" {
        return Err(format!("the work directory is on {}, not ext4", fs.fs_type));
    }
    let device = block_device_name(dir);
    let journaled = device.as_deref().is_some_and(|name| {
        std::fs::read_dir("/proc/fs/jbd2").is_ok_and(|entries| {
            entries.flatten().any(|e| {
                e.file_name()
                    .to_string_lossy()
                    .starts_with(&format!("{name}-"))
            })
        })
    });
    if journaled {
        return Err(format!("{} is ext4 with a journal", fs.device));
    }
    Ok(format!("{} is ext4 without a journal", fs.device))
}

/// The kernel's name of the block device `dir` is on (`vda`, `dm-0`), from `/sys/dev/block`.
fn block_device_name(dir: &Path) -> Option<String> {
    let dev = std::fs::metadata(dir).ok()?.dev();
    let link = std::fs::read_link(format!(
        "/sys/dev/block/{}:{}",
        libc::major(dev),
        libc::minor(dev)
    ))
    .ok()?;
    Some(link.file_name()?.to_string_lossy().into_owned())
}

/// The warning for a run that started within the minute without waiting.
pub(super) fn recent_deletes_warning(ago: Duration) -> String {
    format!(
        "the work directory's trash was deleted {} s before this run: on ext4, creating files within about a minute of deleting many was up to 20x slower here, so early samples may be slow (rerun a minute later for clean figures)",
        ago.as_secs()
    )
}
