//! The one wait of a run, and why it is rarely due: a tree scenario that would create its copies
//! among the inodes the previous run freed while ext4 still counts them as recently deleted.
//!
//! ext4 without a journal avoids reusing an inode deleted less than 60 s ago, or less than
//! 360 s ago while its inode table block is dirty (fs/ext4/ialloc.c, `recently_deleted`:
//! `RECENTCY_MIN` 60 s, plus `RECENTCY_DIRTY` 300 s), and each allocation walks past such
//! inodes one by one (`find_inode_bit`). Creating files dirties the very blocks that hold them,
//! so the longer window is the one a tree run meets: one started 65 s after the previous run
//! (its deletions written back) copied 3x slower (58 ms against 19 ms a sample) for as many
//! rounds as that run had made (37), then at full speed.
//!
//! So the runs directory is marked for ext4 to place each run's copies in block groups chosen
//! anew, mostly away from those inodes (`WorkDir::places_runs_apart`, which says how often it
//! missed): then nothing is waited for and the result says why. Only where the mark cannot be set does a tree run wait out the window,
//! before any fixture or warmup (not between samples, where a pause would be an idle gap),
//! and only where the rule applies: the work directory on ext4 without a journal (a journaled
//! ext4 reuses inodes at once, other filesystems have no such rule). `--no-wait` skips it; the
//! result records either.

use std::os::unix::fs::MetadataExt;
use std::path::Path;
use std::time::Duration;

use copybench_result::{DeleteWait, FixtureKind};

use super::progress::Progress;
use crate::scenario::Scenario;
use crate::work_dir::WorkDir;

/// How long ext4 (no journal) avoids reusing a deleted inode whose inode table block is dirty
/// (`RECENTCY_MIN` + `RECENTCY_DIRTY`): the blocks a run creates files in are.
const RECENTLY_DELETED: Duration = Duration::from_secs(60 + 300);

/// Waits out the window when a tree scenario would start inside it on a filesystem where it
/// applies and the copies cannot be placed apart, unless `no_wait`. Returns how long ago the
/// trash was emptied when the run starts inside the window without waiting, for a warning on
/// the first result, and what was done.
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
    let why = match applies(work.root()) {
        Ok(why) => why,
        Err(_) => return (None, None),
    };
    let freed = format!(
        "{why}, and the previous run deleted its copies {} s ago",
        ago.as_secs()
    );
    if work.places_runs_apart() {
        // Placed apart is likely, not certain (a freed group has no directories left, which
        // Orlov favours): the tree scenarios still say the run started inside the window.
        return (
            Some(ago),
            has_tree.then(|| DeleteWait {
                wait_s: 0.0,
                waited: true,
                reason: format!("{freed}: this run's copies are placed in block groups chosen anew (FS_TOPDIR_FL on the runs directory), so they rarely land among the inodes it freed, and there is no wait (where they do, the tree rounds are slow)"),
            }),
        );
    }
    if !has_tree {
        return (Some(ago), None);
    }
    let wait = RECENTLY_DELETED.saturating_sub(ago);
    let record = DeleteWait {
        wait_s: wait.as_secs_f64(),
        waited: !no_wait,
        reason: format!("{freed}, and the runs directory cannot be marked to place copies apart"),
    };
    if no_wait {
        return (Some(ago), Some(record));
    }
    progress.wait(
        wait,
        &format!(
            "{freed}: for {} s after a deletion it creates files slowly among the inodes freed",
            RECENTLY_DELETED.as_secs()
        ),
    );
    (None, Some(record))
}

/// Whether the recently-deleted rule applies to the filesystem of `dir`: `Ok` with what it is, or `Err`
/// saying why not. A journaled ext4 has a directory under `/proc/fs/jbd2/` named after its
/// block device; where the device cannot be named, the journal is taken as absent (waiting
/// costs minutes, not waiting a wrong figure).
pub(super) fn applies(dir: &Path) -> Result<String, String> {
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

/// The warning, on every tree scenario, for a run that started inside the window without
/// waiting.
pub(super) fn recent_deletes_warning(ago: Duration) -> String {
    format!(
        "the work directory's trash was deleted {} s before this run, which did not wait: on ext4 without a journal, creating files among inodes freed less than {} s before was 3x slower here (every entry of a tree, compressing their speedups towards 1), so samples may be slow if this run's copies landed there (rerun later for clean figures)",
        ago.as_secs(),
        RECENTLY_DELETED.as_secs()
    )
}
