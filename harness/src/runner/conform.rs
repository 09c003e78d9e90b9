//! The conformance matrix of a scenario's timed strategies and walkers, checked after all
//! timing (its files are made and deleted, and a deletion must not land right before another
//! scenario's samples).

use copybench_result::ConformanceMatrix;

use super::catch::catch;
use super::{ConformLevel, RunOptions};
use crate::conformance::{self, Catalogue, ConformOptions};
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
    let mut strategies = Vec::new();
    let mut walkers = Vec::new();
    // An entry and its `(child)` twin run the same engine code: one subject of the matrix.
    for entry in &scenario.entries {
        match entry.subject {
            Subject::Strategy(s) => {
                if !strategies.contains(&s) {
                    strategies.push(s);
                }
            }
            Subject::Walker {
                walker, strategy, ..
            } => {
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
    // Below the work directory's descriptor, never through a planted symlink; deleted the
    // same way.
    let parent = work.conformance();
    let outcome = parent
        .as_ref()
        .map_err(|e| e.to_string())
        .and_then(|p| p.child(&scenario.name).map_err(|e| e.to_string()))
        .and_then(|dir| {
            catch(|| {
                conformance::run_matrix(&ConformOptions::new(
                    strategies,
                    walkers,
                    dir.path().to_owned(),
                    catalogue,
                ))
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
