//! Which ext4 block groups the trash's recent emptyings freed inodes in, and whether a new
//! directory sits among them.
//!
//! ext4 without a journal avoids reusing an inode deleted less than 60 s ago, or 360 s while its
//! inode table block is dirty (fs/ext4/ialloc.c, `recently_deleted`), and every allocation walks
//! past such inodes one by one (`find_inode_bit`): files created among thousands of them were 3x
//! slower here. Where a directory's files go is known from its own inode: ext4 puts a file in
//! the first group of its parent's flex group with free inodes (`find_group_other`), and the
//! directories of a tree in the parent's flex group until it fills, then in the following ones
//! (`find_group_orlov`, non-top-level branch). So the inodes the walker frees are recorded by
//! group (`d_ino` from the listing, no extra call), and a run's directory whose group is in or
//! next to a freed one is made again elsewhere ([`Dir::place_child`](super::Dir::place_child)).
//!
//! Only ext4 has the rule: btrfs numbers inodes by an ever-growing object id
//! (`btrfs_find_free_objectid`), XFS and tmpfs reuse at once, a journaled ext4 skips the check.

use std::os::unix::fs::MetadataExt as _;
use std::path::Path;
use std::time::Duration;

use serde::{Deserialize, Serialize};

/// How long ext4 (no journal) avoids reusing a deleted inode whose inode table block is dirty
/// (`RECENTCY_MIN` 60 s + `RECENTCY_DIRTY` 300 s): the blocks a run creates files in are.
pub const RECENTLY_DELETED: Duration = Duration::from_secs(60 + 300);

/// Groups on either side of a freed one that a new directory must also keep out of: the
/// groups of one flex group (mke2fs's default `-G 16`), since files go to the first group of
/// their parent's flex group that has a free inode, which may be a freed one before the
/// directory's own group.
pub const NEIGHBOURHOOD_GROUPS: u64 = 16;

/// Inode numbers a removal freed, as it went.
#[derive(Debug, Default)]
pub struct FreedInodes {
    inodes: Vec<u64>,
}

impl FreedInodes {
    pub fn push(&mut self, inode: u64) {
        self.inodes.push(inode);
    }

    pub fn append(&mut self, other: FreedInodes) {
        self.inodes.extend(other.inodes);
    }

    pub fn count(&self) -> u64 {
        self.inodes.len() as u64
    }

    /// The block groups they were in, as sorted, merged inclusive ranges (ext4 numbers inodes
    /// from 1: inode `i` is in group `(i - 1) / inodes_per_group`).
    pub fn groups(&self, inodes_per_group: u64) -> Vec<[u64; 2]> {
        let mut groups: Vec<u64> = self
            .inodes
            .iter()
            .map(|&i| i.saturating_sub(1) / inodes_per_group.max(1))
            .collect();
        groups.sort_unstable();
        groups.dedup();
        let mut ranges: Vec<[u64; 2]> = Vec::new();
        for group in groups {
            match ranges.last_mut() {
                Some(last) if last[1] + 1 == group => last[1] = group,
                _ => ranges.push([group, group]),
            }
        }
        ranges
    }
}

/// What `trash-emptied-at` holds: each emptying of the last [`RECENTLY_DELETED`], newest last.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct DeletionRecord {
    pub emptyings: Vec<Emptying>,
}

/// One emptying: when (seconds since the epoch, once written back), how many inodes it freed and
/// in which block groups; `groups` is `None` where the filesystem's geometry was unknown.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Emptying {
    pub at: u64,
    pub inodes: u64,
    pub inodes_per_group: Option<u64>,
    pub groups: Option<Vec<[u64; 2]>>,
}

impl DeletionRecord {
    /// Reads the record; a bare number is the older layout (a time, no groups).
    pub fn parse(text: &str) -> Option<DeletionRecord> {
        if let Ok(at) = text.trim().parse::<u64>() {
            return Some(DeletionRecord {
                emptyings: vec![Emptying {
                    at,
                    inodes: 0,
                    inodes_per_group: None,
                    groups: None,
                }],
            });
        }
        serde_json::from_str(text).ok()
    }

    /// The emptyings less than `within` before `now` (seconds since the epoch).
    pub fn within(&self, now: u64, within: Duration) -> Vec<&Emptying> {
        self.emptyings
            .iter()
            .filter(|e| e.at <= now && now - e.at < within.as_secs())
            .collect()
    }

    /// Keeps the emptyings still inside the window at `now`, then adds `emptying`.
    pub fn push(&mut self, now: u64, emptying: Emptying) {
        self.emptyings
            .retain(|e| e.at <= now && now - e.at < RECENTLY_DELETED.as_secs());
        self.emptyings.push(emptying);
    }
}

/// The freed groups a new directory is checked against: `None` when some recent emptying's
/// groups are unknown (or were counted with another geometry), so nothing can be checked.
pub fn freed_groups(recent: &[&Emptying], inodes_per_group: u64) -> Option<Vec<[u64; 2]>> {
    let mut all = Vec::new();
    for emptying in recent {
        if emptying.inodes == 0 && emptying.groups.as_ref().is_some_and(Vec::is_empty) {
            continue;
        }
        if emptying.inodes_per_group != Some(inodes_per_group) {
            return None;
        }
        all.extend(emptying.groups.as_ref()?.iter().copied());
    }
    Some(merged(all))
}

/// `ranges` sorted, with overlapping and adjacent ones merged (emptyings free the same groups
/// again and again).
fn merged(mut ranges: Vec<[u64; 2]>) -> Vec<[u64; 2]> {
    ranges.sort_unstable();
    let mut out: Vec<[u64; 2]> = Vec::with_capacity(ranges.len());
    for [first, last] in ranges {
        match out.last_mut() {
            Some(prev) if first <= prev[1].saturating_add(1) => prev[1] = prev[1].max(last),
            _ => out.push([first, last]),
        }
    }
    out
}

/// Where a directory's copies would meet recently freed inodes: the first freed range within
/// [`NEIGHBOURHOOD_GROUPS`] of the groups `[group, group + span]` its creations fill (`span`:
/// the groups they need beyond the first), or `None` when it is apart from all of them. Pure:
/// the placement retries and the tests share it.
pub fn among_freed(group: u64, span: u64, freed: &[[u64; 2]]) -> Option<[u64; 2]> {
    let low = group.saturating_sub(NEIGHBOURHOOD_GROUPS);
    let high = group
        .saturating_add(span)
        .saturating_add(NEIGHBOURHOOD_GROUPS);
    freed
        .iter()
        .find(|[first, last]| *first <= high && *last >= low)
        .copied()
}

/// The groups beyond the first that `inodes` new inodes fill, packed as ext4 packs them.
pub fn span_groups(inodes: u64, inodes_per_group: u64) -> u64 {
    inodes.div_ceil(inodes_per_group.max(1)).saturating_sub(1)
}

/// ext4's inodes per block group for the filesystem of `dir`, without reading the device (which
/// needs root): the group count is the number of rows of `/proc/fs/ext4/<device>/mb_groups`
/// (world-readable), and ext4's `statfs` reports `s_inodes_count` as `f_files`, which is
/// inodes per group times groups. `None` anywhere that is not ext4 or cannot be read.
pub fn inodes_per_group(dir: &Path) -> Option<u64> {
    let device = block_device_name(dir)?;
    let table = std::fs::read_to_string(format!("/proc/fs/ext4/{device}/mb_groups")).ok()?;
    let groups = table
        .lines()
        .filter(|l| l.starts_with("#") && !l.starts_with("#group"))
        .count() as u64;
    let files = rustix::fs::statvfs(dir).ok()?.f_files;
    (groups > 0 && files % groups == 0).then(|| files / groups)
}

/// The kernel's name of the block device `dir` is on (`vda`, `dm-0`), from `/sys/dev/block`.
pub fn block_device_name(dir: &Path) -> Option<String> {
    let dev = std::fs::metadata(dir).ok()?.dev();
    let link = std::fs::read_link(format!(
        "/sys/dev/block/{}:{}",
        libc::major(dev),
        libc::minor(dev)
    ))
    .ok()?;
    Some(link.file_name()?.to_string_lossy().into_owned())
}

/// The block group of `inode`.
pub fn group_of(inode: u64, inodes_per_group: u64) -> u64 {
    inode.saturating_sub(1) / inodes_per_group.max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn freed_inodes_are_merged_into_group_ranges() {
        let mut freed = FreedInodes::default();
        for inode in [1, 8192, 8193, 3 * 8192 + 1, 5 * 8192 + 7, 4 * 8192 + 2] {
            freed.push(inode);
        }
        // Inodes 1..=8192 are group 0, 8193.. group 1.
        assert_eq!(freed.groups(8192), vec![[0, 1], [3, 5]]);
        assert_eq!(freed.count(), 6);
    }

    #[test]
    fn a_directory_in_or_next_to_a_freed_group_is_among_them() {
        let freed = [[100, 110]];
        // In the range, and within a flex group before or after it.
        assert_eq!(among_freed(105, 0, &freed), Some([100, 110]));
        assert_eq!(among_freed(84, 0, &freed), Some([100, 110]));
        assert_eq!(among_freed(126, 0, &freed), Some([100, 110]));
        // Far enough on either side.
        assert_eq!(among_freed(83, 0, &freed), None);
        assert_eq!(among_freed(127, 0, &freed), None);
        // Before it, but its creations spill forward into it.
        assert_eq!(among_freed(50, 33, &freed), None);
        assert_eq!(among_freed(50, 34, &freed), Some([100, 110]));
        // Near group 0 nothing underflows.
        assert_eq!(among_freed(3, 0, &[[0, 0]]), Some([0, 0]));
        assert_eq!(among_freed(0, 0, &[]), None);
    }

    #[test]
    fn spans_count_the_groups_beyond_the_first() {
        assert_eq!(span_groups(0, 8192), 0);
        assert_eq!(span_groups(8192, 8192), 0);
        assert_eq!(span_groups(8193, 8192), 1);
        assert_eq!(span_groups(160_000, 8192), 19);
        assert_eq!(group_of(1, 8192), 0);
        assert_eq!(group_of(8193, 8192), 1);
    }

    #[test]
    fn the_record_keeps_only_the_window_and_reads_the_older_layout() {
        let old = DeletionRecord::parse("1700000000\n").unwrap();
        assert_eq!(old.emptyings[0].at, 1_700_000_000);
        assert_eq!(old.emptyings[0].groups, None);
        // A time without groups cannot be checked.
        assert_eq!(
            freed_groups(&old.within(1_700_000_010, RECENTLY_DELETED), 8192),
            None
        );

        let emptying = |at, groups: Vec<[u64; 2]>| Emptying {
            at,
            inodes: 10,
            inodes_per_group: Some(8192),
            groups: Some(groups),
        };
        let mut record = DeletionRecord::default();
        record.push(1000, emptying(1000, vec![[1, 2]]));
        record.push(1100, emptying(1100, vec![[7, 7]]));
        // Past the window at 1400: only the second is kept.
        record.push(1400, emptying(1400, vec![[9, 9]]));
        assert_eq!(record.emptyings.len(), 2);
        let text = serde_json::to_string(&record).unwrap();
        let back = DeletionRecord::parse(&text).unwrap();
        assert_eq!(back, record);
        let recent = back.within(1400, RECENTLY_DELETED);
        assert_eq!(freed_groups(&recent, 8192), Some(vec![[7, 7], [9, 9]]));
        // The same groups freed again, and neighbours, are one range.
        record.push(1401, emptying(1401, vec![[8, 8], [9, 12], [20, 21]]));
        let recent = record.within(1401, RECENTLY_DELETED);
        assert_eq!(freed_groups(&recent, 8192), Some(vec![[7, 12], [20, 21]]));
        // Counted with another geometry: unknown.
        assert_eq!(freed_groups(&recent, 4096), None);
        assert!(back.within(2000, RECENTLY_DELETED).is_empty());
    }
}
