//! The one wait of a run: before a tree scenario that would start within ext4's minute after
//! the previous run deleted its trash.
//!
//! ext4 without a journal skips inodes deleted less than 60 s ago, reading each one's dtime
//! (fs/ext4/ialloc.c, `recently_deleted`): right after the previous run emptied its trash,
//! creating a tree was 3-8x slower here. Trees wait out that minute, before any fixture or
//! warmup (not between samples, where a pause would be an idle gap).

use std::time::Duration;

use copybench_result::FixtureKind;

use super::progress::Progress;
use crate::scenario::Scenario;
use crate::work_dir::WorkDir;

/// How long ext4 (no journal) avoids reusing a deleted inode (`RECENTCY_MIN`).
const RECENTLY_DELETED: Duration = Duration::from_secs(60);

/// Waits out the minute when a tree scenario would start inside it. Returns how long ago the
/// trash was emptied when the run starts inside that minute without waiting (no tree
/// scenario), for a warning on the first result.
pub(super) fn wait_out_recent_deletes(
    work: &WorkDir,
    scenarios: &[Scenario],
    progress: &mut Progress,
) -> Option<Duration> {
    let ago = work.trash_emptied_within(RECENTLY_DELETED)?;
    let has_tree = scenarios
        .iter()
        .any(|s| s.fixture.kind() == FixtureKind::Tree);
    if !has_tree {
        return Some(ago);
    }
    let wait = RECENTLY_DELETED.saturating_sub(ago);
    progress.wait(
        wait,
        &format!(
            "ext4 creates files slowly for a minute after deleting many, and the previous run deleted its copies {} s ago",
            ago.as_secs()
        ),
    );
    None
}

/// The warning for a run that started within the minute without waiting.
pub(super) fn recent_deletes_warning(ago: Duration) -> String {
    format!(
        "the work directory's trash was deleted {} s before this run: on ext4, creating files within about a minute of deleting many was up to 20x slower here, so early samples may be slow (rerun a minute later for clean figures)",
        ago.as_secs()
    )
}
