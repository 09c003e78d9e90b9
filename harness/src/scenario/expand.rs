//! Expansion: a scenario's lists (strategies, walkers × jobs, child entries, peers) turned into
//! the entries it compares, each with its id.

use copybench_engine::Strategy;
use copybench_result::{FixtureKind, TimedAs};

use super::parse::ScenarioToml;
use super::{EntrySpec, Subject};

/// The entries of a validated scenario: strategies first, then walkers, then peers, in file
/// order; `timed_as` is the scenario's, child entries and peers are children.
pub(super) fn entries(
    raw: &ScenarioToml,
    kind: FixtureKind,
    timed_as: TimedAs,
    jobs: &[u32],
) -> Vec<EntrySpec> {
    let mut entries = Vec::new();
    match kind {
        FixtureKind::File => {
            for strategy in raw.strategies.iter().flat_map(|s| s.get_ref()) {
                entries.push(EntrySpec {
                    id: strategy.name().to_owned(),
                    subject: Subject::Strategy(*strategy),
                    timed_as,
                });
            }
            // The same strategies as `copybench copy` children: timed as the peers are.
            for strategy in raw.child_strategies.iter().flat_map(|s| s.get_ref()) {
                entries.push(EntrySpec {
                    id: format!("{} (child)", strategy.name()),
                    subject: Subject::Strategy(*strategy),
                    timed_as: TimedAs::ChildProcess,
                });
            }
        }
        FixtureKind::Tree => {
            let strategy = raw
                .tree_strategy
                .as_ref()
                .map(|s| *s.get_ref())
                .unwrap_or(Strategy::Auto);
            let in_process = raw
                .walkers
                .iter()
                .flat_map(|w| w.get_ref())
                .map(|w| (w, timed_as, ""));
            // The same walkers as `copybench copytree` children: timed as the peers are.
            let children = raw
                .child_walkers
                .iter()
                .flat_map(|w| w.get_ref())
                .map(|w| (w, TimedAs::ChildProcess, " (child)"));
            for (walker, timed_as, suffix) in in_process.chain(children) {
                for &n in jobs {
                    let id = if n == 1 {
                        format!("{}{suffix}", walker.name())
                    } else {
                        format!("{} jobs={n}{suffix}", walker.name())
                    };
                    entries.push(EntrySpec {
                        id,
                        subject: Subject::Walker {
                            walker: *walker,
                            jobs: n,
                            strategy,
                        },
                        timed_as,
                    });
                }
            }
        }
    }
    for peer in raw.peers.iter().flat_map(|p| p.get_ref()) {
        entries.push(EntrySpec {
            id: peer.entry_id(),
            subject: Subject::Peer(peer.clone()),
            timed_as: TimedAs::ChildProcess,
        });
    }
    entries
}
