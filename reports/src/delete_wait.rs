//! The run's ext4 recently-deleted window (docs/design.md, "Measuring honestly"): why it
//! applied, what the run did about it, and where each tree scenario's copies were placed. Tree
//! figures made among freshly freed inodes are slower with tight intervals, so a reader is told
//! how the run kept apart from them, in words every format prints.

use copybench_result::{Placement, RunResult};

use crate::format;

/// One line for the window, one per placement; none when no deletion was recent.
pub fn lines(result: &RunResult) -> Vec<String> {
    let Some(wait) = &result.delete_wait else {
        return Vec::new();
    };
    let mut lines = vec![format!("recently deleted inodes: {}", wait.reason)];
    if wait.wait_s > 0.0 {
        lines.push(if wait.waited {
            format!(
                "waited {} before the tree scenarios",
                format::duration(wait.wait_s)
            )
        } else {
            format!(
                "a wait of {} was due and skipped (--no-wait): tree samples may be slow",
                format::duration(wait.wait_s)
            )
        });
    }
    lines.extend(wait.placements.iter().map(placement));
    lines
}

fn placement(p: &Placement) -> String {
    let freed = p
        .freed_groups
        .iter()
        .map(|[low, high]| {
            if low == high {
                low.to_string()
            } else {
                format!("{low}-{high}")
            }
        })
        .collect::<Vec<_>>()
        .join(", ");
    if p.apart {
        format!(
            "{}: copies in ext4 block group {} and the {} after it, apart from the freed groups ({freed}), at try {}",
            p.scenario, p.group, p.span_groups, p.attempts
        )
    } else {
        format!(
            "{}: no directory apart from the freed groups ({freed}) in {} tries",
            p.scenario, p.attempts
        )
    }
}

#[cfg(test)]
mod tests {
    use copybench_result::DeleteWait;

    use super::*;

    fn with(wait: Option<DeleteWait>) -> RunResult {
        let mut result = copybench_testkit::results::result("result.json");
        result.delete_wait = wait;
        result
    }

    fn placement(attempts: u32, apart: bool) -> Placement {
        Placement {
            scenario: "tree-800".into(),
            attempts,
            group: 1138,
            span_groups: 6,
            freed_groups: vec![[216, 255], [442, 442]],
            apart,
        }
    }

    #[test]
    fn no_recent_deletion_says_nothing() {
        assert!(lines(&with(None)).is_empty());
    }

    #[test]
    fn each_placement_names_its_group_the_freed_ones_and_the_tries() {
        let wait = DeleteWait {
            wait_s: 0.0,
            waited: true,
            reason: "the trash was emptied 9 s ago".into(),
            placements: vec![
                placement(1, true),
                placement(12, true),
                placement(32, false),
            ],
        };
        let lines = lines(&with(Some(wait)));
        assert_eq!(
            lines,
            [
                "recently deleted inodes: the trash was emptied 9 s ago",
                "tree-800: copies in ext4 block group 1138 and the 6 after it, apart from the freed groups (216-255, 442), at try 1",
                "tree-800: copies in ext4 block group 1138 and the 6 after it, apart from the freed groups (216-255, 442), at try 12",
                "tree-800: no directory apart from the freed groups (216-255, 442) in 32 tries",
            ]
        );
    }

    #[test]
    fn a_wait_is_said_and_a_skipped_one_warns() {
        let wait = |waited| DeleteWait {
            wait_s: 300.0,
            waited,
            reason: "r".into(),
            placements: Vec::new(),
        };
        assert_eq!(
            lines(&with(Some(wait(true))))[1],
            "waited 300 s before the tree scenarios"
        );
        assert!(lines(&with(Some(wait(false))))[1].contains("skipped (--no-wait)"));
    }
}
