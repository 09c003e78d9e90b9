//! Keeping a tree scenario's copies away from the inodes the trash freed less than 360 s ago,
//! and the one wait of a run where that cannot be done.
//!
//! ext4 without a journal avoids reusing an inode deleted less than 60 s ago, or less than
//! 360 s ago while its inode table block is dirty (fs/ext4/ialloc.c, `recently_deleted`:
//! `RECENTCY_MIN` 60 s, plus `RECENTCY_DIRTY` 300 s), and each allocation walks past such
//! inodes one by one (`find_inode_bit`). Creating files dirties the very blocks that hold them,
//! so the longer window is the one a tree run meets: one started 65 s after the previous run
//! (its deletions written back) copied 3x slower (58 ms against 19 ms a sample) for as many
//! rounds as that run had made (37), then at full speed.
//!
//! Every emptying of the trash records the block groups of the inodes it freed
//! (`work_dir::freed`). Each tree scenario's destination directory is made in a directory
//! marked for ext4 to place it anew (`FS_TOPDIR_FL`, the Orlov allocator), and its group is
//! checked against the freed ones, allowing for the groups its copies will fill; one in or next
//! to them is made again under another name (Orlov starts from a hash of the name, and the
//! refused directory, kept, makes its group less attractive), up to [`PLACEMENT_ATTEMPTS`]
//! times. Only where no try lands apart, or where nothing can be checked (the mark refused, the
//! groups unknown), does the scenario wait out the rest of the window with a countdown, before
//! its fixture and warmup (not between samples, where a pause would be an idle gap), and only
//! where the rule applies: the work directory on ext4 without a journal (a journaled ext4
//! reuses inodes at once, btrfs never reuses an inode number, XFS and tmpfs have no such rule).
//! `--no-wait` skips it, with a warning on the scenario; the result records all of it
//! (`delete_wait`).

use std::path::Path;
use std::time::Duration;

use copybench_result::{DeleteWait, Placement};

use super::progress::Progress;
use crate::work_dir::freed::{self, RECENTLY_DELETED};
use crate::work_dir::{Dir, RunDestinations, WorkDir, WorkDirError};

/// Directories made before giving up on placing one apart (each is one `mkdir` and `stat`, and
/// the refused ones stay as empty directories until the run ends). The freed groups of the
/// last 360 s grow with every run: in six back-to-back runs of the default suite the first
/// directory apart was the 1st, 3rd, 4th, 5th, 6th and 7th made, so 8 would soon have fallen
/// back to the 6-minute wait; there are 128 flex groups on a 256 GiB ext4 to try.
pub const PLACEMENT_ATTEMPTS: u32 = 32;

/// When a directory for a tree scenario's copies is made.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Moment {
    /// Before its fixture and warmup: where it cannot be placed apart, the window is waited out.
    BeforeFixture,
    /// Between its rounds (after the trash was emptied, or the copies drifted towards freed
    /// groups): never a wait, which would be an idle gap between samples; a warning instead.
    BetweenRounds,
}

/// What a run did about ext4's recently-deleted window, scenario by scenario.
#[derive(Debug)]
pub(super) struct RecentDeletes {
    /// Why the rule applies (`/dev/vda is ext4 without a journal`), or `None` where it does not.
    applies: Option<String>,
    no_wait: bool,
    record: Option<DeleteWait>,
    /// The work directory's, read once (`None` inside: not ext4, or unreadable).
    inodes_per_group: Option<Option<u64>>,
}

/// Where a tree scenario's copies go, and the warning it carries if they may be slow.
pub(super) struct Destination {
    pub(super) dir: Dir,
    pub(super) warning: Option<String>,
}

impl RecentDeletes {
    pub(super) fn new(work: &WorkDir, no_wait: bool) -> RecentDeletes {
        RecentDeletes {
            applies: applies(work.root()).ok(),
            no_wait,
            record: None,
            inodes_per_group: None,
        }
    }

    /// Makes `name` in `run` (this run's directory in `runs/`) for a tree scenario whose fewest rounds create `inodes` inodes: placed
    /// apart from the inodes freed within the window, or else after waiting the window out.
    pub(super) fn place(
        &mut self,
        work: &WorkDir,
        run: &RunDestinations,
        name: &str,
        inodes: u64,
        moment: Moment,
        progress: &mut Progress,
    ) -> Result<Destination, WorkDirError> {
        let plain = |parent: &Dir| -> Result<Destination, WorkDirError> {
            Ok(Destination {
                dir: parent.new_child(name)?,
                warning: None,
            })
        };
        let parent = &run.dir;
        let Some(why) = self.applies.clone() else {
            return plain(parent);
        };
        let recent = work.trash_emptyings_within(RECENTLY_DELETED);
        let Some(last) = recent.iter().map(|e| e.at).max() else {
            return plain(parent);
        };
        let now = now_s();
        let ago = Duration::from_secs(now.saturating_sub(last));
        let freed_count: u64 = recent.iter().map(|e| e.inodes).sum();
        let subject = format!(
            "{why}, and the trash was emptied {} s ago ({freed_count} inodes freed)",
            ago.as_secs()
        );
        let geometry = self.inodes_per_group(work).and_then(|ipg| {
            let refs: Vec<_> = recent.iter().collect();
            freed::freed_groups(&refs, ipg).map(|groups| (ipg, groups))
        });
        let record = self.record.get_or_insert_with(|| DeleteWait {
            wait_s: 0.0,
            waited: true,
            reason: String::new(),
            placements: Vec::new(),
        });
        let unplaced = match (run.places_apart, geometry) {
            (true, Some((ipg, groups))) => {
                let span = freed::span_groups(inodes, ipg);
                let (dir, placed) = parent.place_child(name, PLACEMENT_ATTEMPTS, |inode| {
                    freed::among_freed(freed::group_of(inode, ipg), span, &groups).is_none()
                })?;
                record.placements.push(Placement {
                    scenario: name.to_owned(),
                    attempts: placed.attempts,
                    group: freed::group_of(placed.inode, ipg),
                    span_groups: span,
                    freed_groups: groups.clone(),
                    apart: placed.accepted,
                });
                if placed.accepted {
                    if record.reason.is_empty() {
                        record.reason = format!("{subject}: each tree scenario's copies were placed in block groups apart from the freed ones (checked, see placements), so there was no wait");
                    }
                    return Ok(Destination { dir, warning: None });
                }
                (dir, format!("{subject}: {} directories made for `{name}` all landed in or next to the freed block groups", placed.attempts))
            }
            (true, None) => (
                parent.new_child(name)?,
                format!("{subject}, and the block groups of the freed inodes are unknown"),
            ),
            (false, _) => (
                parent.new_child(name)?,
                format!("{subject}, and the runs directory cannot be marked to place copies apart"),
            ),
        };
        let (dir, reason) = unplaced;
        if moment == Moment::BetweenRounds {
            return Ok(Destination {
                dir,
                warning: Some(format!("{reason}: the rounds after it copied among inodes ext4 counts as recently deleted, which ext4 creates files among more slowly (samples may be slow)")),
            });
        }
        let wait = RECENTLY_DELETED.saturating_sub(ago);
        record.wait_s += wait.as_secs_f64();
        record.reason = reason.clone();
        if self.no_wait {
            record.waited = false;
            return Ok(Destination {
                dir,
                warning: Some(recent_deletes_warning(ago)),
            });
        }
        progress.wait(
            wait,
            &format!(
                "{reason}: for {} s after a deletion it creates files slowly among the inodes freed",
                RECENTLY_DELETED.as_secs()
            ),
        );
        Ok(Destination { dir, warning: None })
    }

    /// Whether a copy just made (`inode`, in the work directory) is in or next to the block
    /// groups freed within the window: a scenario's copies fill the groups after its
    /// directory's, round after round, and may drift towards freed ones it started apart
    /// from. Checked between rounds (one read of the record, no extra call on the copies).
    pub(super) fn drifting_among_freed(&mut self, work: &WorkDir, inode: u64) -> bool {
        if self.applies.is_none() {
            return false;
        }
        let recent = work.trash_emptyings_within(RECENTLY_DELETED);
        if recent.is_empty() {
            return false;
        }
        let Some(ipg) = self.inodes_per_group(work) else {
            return false;
        };
        let refs: Vec<_> = recent.iter().collect();
        freed::freed_groups(&refs, ipg).is_some_and(|groups| {
            freed::among_freed(freed::group_of(inode, ipg), 0, &groups).is_some()
        })
    }

    /// The work directory's inodes per block group, read once for the run.
    fn inodes_per_group(&mut self, work: &WorkDir) -> Option<u64> {
        *self
            .inodes_per_group
            .get_or_insert_with(|| freed::inodes_per_group(work.root()))
    }

    /// What the result records (`None` when no tree scenario started inside the window).
    pub(super) fn into_record(self) -> Option<DeleteWait> {
        self.record
    }
}

/// Seconds since the epoch (0 for a clock before it).
fn now_s() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
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
    let device = freed::block_device_name(dir);
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

/// The warning on a tree scenario that started inside the window, its copies not placed apart,
/// without waiting (`--no-wait`).
pub(super) fn recent_deletes_warning(ago: Duration) -> String {
    format!(
        "the work directory's trash was emptied {} s before this scenario, which did not wait (--no-wait) and whose copies could not be placed apart from the freed inodes: on ext4 without a journal, creating files among inodes freed less than {} s before is slower (for every entry of a tree, compressing their speedups towards 1), so samples may be slow (rerun later for clean figures)",
        ago.as_secs(),
        RECENTLY_DELETED.as_secs()
    )
}
