//! The conformance matrix of a scenario's timed strategies and walkers, checked after all
//! timing (its files are made and deleted, and a deletion must not land right before another
//! scenario's samples).

use copybench_result::ConformanceMatrix;

use super::catch::catch;
use super::{ConformLevel, RunOptions};
use crate::conformance::{self, Catalogue, ConformOptions, TreeSettings};
use copybench_engine::{Strategy, Walker};

use crate::scenario::{Scenario, Subject};
use crate::work_dir::WorkDir;

/// The matrix for `scenario`'s subjects, or `None` with a warning saying why there is none.
pub(super) fn conformance_of(
    scenario: &Scenario,
    options: &RunOptions,
    work: &WorkDir,
    warnings: &mut Vec<String>,
) -> Option<ConformanceMatrix> {
    let catalogue = match options.conform {
        ConformLevel::None => {
            warnings.push("conformance not checked (--conform none)".to_owned());
            return None;
        }
        ConformLevel::Quick => Catalogue::Quick,
        ConformLevel::Full => Catalogue::Full,
    };
    let (strategies, walkers, tree) = subjects_of(scenario);
    // Below the work directory's descriptor, never through a planted symlink; deleted the
    // same way.
    let parent = work.conformance();
    let outcome = parent
        .as_ref()
        .map_err(|e| e.to_string())
        .and_then(|p| p.child(&scenario.name).map_err(|e| e.to_string()))
        .and_then(|dir| {
            catch(|| {
                conformance::run_matrix(&ConformOptions {
                    tree,
                    ..ConformOptions::new(strategies, walkers, dir.path().to_owned(), catalogue)
                })
            })
        });
    if let Ok(parent) = &parent {
        if let Err(e) = parent.remove(&scenario.name) {
            warnings.push(format!("conformance files not removed: {e}"));
        }
    }
    let why = match outcome {
        Ok(Ok(matrix)) => return Some(matrix),
        Ok(Err(e)) => e.to_string(),
        Err(panic) => format!("the engine panicked: {panic}"),
    };
    warnings.push(format!(
        "conformance of the timed strategies not checked: {why}"
    ));
    None
}

/// The strategies and walkers `scenario` times (an entry and its `(child)` twin run the same
/// engine code: one subject of the matrix), and how its walkers copied: the tree cases copy as
/// the scenario timed them, with its most jobs (the parallel path, where lean's workers create
/// files with their final mode) and its tree strategy (io_uring's batches).
fn subjects_of(scenario: &Scenario) -> (Vec<Strategy>, Vec<Walker>, TreeSettings) {
    let mut strategies = Vec::new();
    let mut walkers = Vec::new();
    let mut tree = TreeSettings::default();
    for entry in &scenario.entries {
        match entry.subject {
            Subject::Strategy(s) => {
                if !strategies.contains(&s) {
                    strategies.push(s);
                }
            }
            Subject::Walker {
                walker,
                jobs,
                strategy,
            } => {
                tree.jobs = tree.jobs.max(jobs as usize);
                tree.strategy = strategy;
                if !walkers.contains(&walker) {
                    walkers.push(walker);
                }
                if !strategies.contains(&strategy) {
                    strategies.push(strategy);
                }
            }
            Subject::Peer(_) => {}
        }
    }
    (strategies, walkers, tree)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::parse;

    fn subjects(toml: &str) -> (Vec<Strategy>, Vec<Walker>, TreeSettings) {
        subjects_of(&parse(toml, "test.toml").unwrap()[0])
    }

    const TREE: &str = r#"
[[scenario]]
name = "t"
reference = "lean"
walkers = ["listdir", "lean"]
jobs = [1, 2]
child_walkers = ["lean"]
tree_strategy = "io_uring"
samples = 2
[scenario.fixture]
kind = "tree"
files = 10
dirs = 2
size_min = "1KiB"
size_max = "2KiB"
symlinks = 0
seed = 1
"#;

    #[test]
    fn tree_cases_copy_with_the_scenarios_most_jobs_and_its_tree_strategy() {
        let (strategies, walkers, tree) = subjects(TREE);
        assert_eq!(walkers, [Walker::Listdir, Walker::Lean]);
        assert_eq!(strategies, [Strategy::IoUring]);
        assert_eq!(
            tree,
            TreeSettings {
                jobs: 2,
                strategy: Strategy::IoUring
            }
        );
        let serial = TREE.replace("jobs = [1, 2]", "jobs = [1]");
        let serial = serial.replace("tree_strategy = \"io_uring\"\n", "");
        assert_eq!(subjects(&serial).2, TreeSettings::default());
    }

    #[test]
    fn a_file_scenarios_tree_settings_stay_as_each_case_asks() {
        let (strategies, walkers, tree) = subjects(
            r#"
[[scenario]]
name = "f"
reference = "buffered-64k"
strategies = ["buffered-64k", "sendfile"]
child_strategies = ["sendfile"]
samples = 2
[scenario.fixture]
kind = "file"
size = "1KiB"
seed = 1
"#,
        );
        assert_eq!(strategies, [Strategy::Buffered64k, Strategy::Sendfile]);
        assert!(walkers.is_empty());
        assert_eq!(tree, TreeSettings::default());
    }
}
