//! The answer first: per scenario, which entry was fastest, by how much over the reference and
//! over the runner-up, and which entries are tied with it. Every format leads with it (hyperfine's
//! "auto ran 1.16 ± 0.02 times faster than buffered-64k").
//!
//! Entries are ranked by their speedup over the reference (the median of paired ratios); the
//! reference itself stands at exactly 1. An entry is *tied* with the winner when their 95 %
//! intervals overlap: the data cannot tell them apart. The winner's margin over another entry
//! divides the two speedups (both are against the same reference), and its interval divides the
//! ends of the two intervals crosswise — wider than either, and holding 1 exactly when the two
//! overlap, so "tied" and "a margin whose interval holds 1" always agree.
//!
//! Only speedups against the same entry are ranked together: child processes and peers are
//! measured against the reference timed as a child in the same rounds (`Speedup::against`),
//! so they get a headline of their own.

use copybench_result::{ScenarioResult, Speedup};

use crate::format;

/// An entry's place in the ranking: its speedup, or `None` for the reference (exactly 1).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Ranked<'a> {
    pub id: &'a str,
    pub speedup: Option<&'a Speedup>,
}

impl Ranked<'_> {
    pub fn is_reference(&self) -> bool {
        self.speedup.is_none()
    }

    fn median(&self) -> f64 {
        self.speedup.map_or(1.0, |s| s.median)
    }

    /// The 95 % interval of the speedup; a point at 1 for the reference; `None` for a speedup
    /// without one (below 6 pairs).
    fn interval(&self) -> Option<(f64, f64)> {
        match self.speedup {
            None => Some((1.0, 1.0)),
            Some(s) => s.ci.map(|ci| (ci.low, ci.high)),
        }
    }

    /// Whether the data can tell the two apart: not when their intervals overlap, nor when
    /// either has none (it could be anything).
    fn overlaps(&self, other: &Ranked) -> bool {
        match (self.interval(), other.interval()) {
            (Some((low, high)), Some((other_low, other_high))) => {
                low <= other_high && other_low <= high
            }
            _ => true,
        }
    }
}

/// How much faster one entry is than another: a ratio of wall times with its interval.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Margin {
    pub median: f64,
    /// `None` when either side has no interval: then neither has the margin.
    pub interval: Option<(f64, f64)>,
}

impl Margin {
    /// `faster` over `slower` (see the module comment for the interval).
    fn between(faster: &Ranked, slower: &Ranked) -> Margin {
        Margin {
            median: faster.median() / slower.median(),
            interval: faster.interval().zip(slower.interval()).map(
                |((low, high), (slower_low, slower_high))| (low / slower_high, high / slower_low),
            ),
        }
    }

    /// ` [1.25, 1.33]`, or ` (no 95% CI)`.
    fn interval_text(&self) -> String {
        match self.interval {
            Some((low, high)) => format!(" [{low:.2}, {high:.2}]"),
            None => " (no 95% CI)".to_string(),
        }
    }
}

/// The headline of one scenario.
#[derive(Clone, Debug, PartialEq)]
pub struct Headline<'a> {
    pub scenario: &'a str,
    /// The fastest entry (the reference when no entry beat it).
    pub winner: Ranked<'a>,
    /// The entry speedups are measured against.
    pub reference: &'a str,
    /// The winner over the reference; `None` when the winner is the reference.
    pub over_reference: Option<Margin>,
    /// The second-fastest entry and the winner's margin over it (`None` with one entry ranked).
    pub runner_up: Option<(Ranked<'a>, Margin)>,
    /// Entries whose intervals overlap the winner's, fastest first.
    pub tied: Vec<Ranked<'a>>,
    /// Entries left out of the ranking because their speedup was not measured.
    pub unranked: Vec<&'a str>,
    /// Whether these are child processes and peers, against the reference timed as a child
    /// (start-up included), rather than the scenario's own reference.
    pub as_children: bool,
}

/// The scenario's entries ranked fastest first: those with a speedup, and the reference.
pub fn ranking(scenario: &ScenarioResult) -> Vec<Ranked<'_>> {
    let mut ranked: Vec<Ranked> = scenario
        .entries
        .iter()
        .filter_map(|entry| match &entry.speedup {
            Some(speedup) => Some(Ranked {
                id: &entry.id,
                speedup: Some(speedup),
            }),
            None if entry.id == scenario.reference => Some(Ranked {
                id: &entry.id,
                speedup: None,
            }),
            None => None,
        })
        .collect();
    // Stable: equal medians keep the scenario file's order.
    ranked.sort_by(|a, b| b.median().total_cmp(&a.median()));
    ranked
}

/// The entry `speedup` is against: its `against`, or the scenario's reference in results
/// written before speedups said.
fn against<'a>(speedup: &'a Speedup, scenario: &'a ScenarioResult) -> &'a str {
    if speedup.against.is_empty() {
        &scenario.reference
    } else {
        &speedup.against
    }
}

/// The entries measured against `reference`, ranked fastest first, with `reference` at 1.
fn ranking_against<'a>(scenario: &'a ScenarioResult, reference: &str) -> Vec<Ranked<'a>> {
    let mut ranked: Vec<Ranked> = scenario
        .entries
        .iter()
        .filter_map(|entry| {
            if entry.id == reference {
                return Some(Ranked {
                    id: &entry.id,
                    speedup: None,
                });
            }
            let speedup = entry.speedup.as_ref()?;
            (against(speedup, scenario) == reference).then_some(Ranked {
                id: &entry.id,
                speedup: Some(speedup),
            })
        })
        .collect();
    ranked.sort_by(|a, b| b.median().total_cmp(&a.median()));
    ranked
}

/// The headline of `scenario` against its reference, or `None` when fewer than two entries
/// could be ranked (nothing was compared).
pub fn headline(scenario: &ScenarioResult) -> Option<Headline<'_>> {
    headline_against(scenario, &scenario.reference)
}

/// Every headline of `scenario`: against its reference, then against each other entry that
/// speedups were measured against (the reference timed as a child).
pub fn headlines(scenario: &ScenarioResult) -> Vec<Headline<'_>> {
    let mut references: Vec<&str> = vec![&scenario.reference];
    for speedup in scenario.entries.iter().filter_map(|e| e.speedup.as_ref()) {
        let reference = against(speedup, scenario);
        if !references.contains(&reference) {
            references.push(reference);
        }
    }
    references
        .into_iter()
        .filter_map(|reference| headline_against(scenario, reference))
        .collect()
}

fn headline_against<'a>(scenario: &'a ScenarioResult, reference: &'a str) -> Option<Headline<'a>> {
    let ranked = ranking_against(scenario, reference);
    let (winner, rest) = ranked.split_first()?;
    let runner_up = *rest.first()?;
    let at_one = Ranked {
        id: reference,
        speedup: None,
    };
    let main = reference == scenario.reference;
    Some(Headline {
        scenario: &scenario.name,
        winner: *winner,
        reference,
        over_reference: winner.speedup.map(|_| Margin::between(winner, &at_one)),
        runner_up: Some((runner_up, Margin::between(winner, &runner_up))),
        tied: rest
            .iter()
            .filter(|other| winner.overlaps(other))
            .copied()
            .collect(),
        // Said once, under the scenario's own headline.
        unranked: if main {
            scenario
                .entries
                .iter()
                .filter(|e| e.speedup.is_none() && e.id != scenario.reference)
                .map(|e| e.id.as_str())
                .collect()
        } else {
            vec![]
        },
        as_children: !main,
    })
}

/// A piece of headline text; each format marks names and figures its own way.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Part {
    Text(String),
    /// An entry's id (code in Markdown and HTML).
    Name(String),
    /// The figure the line is about (bold in Markdown and HTML).
    Figure(String),
}

/// One line of a headline, as parts.
pub type Line = Vec<Part>;

fn text(s: impl Into<String>) -> Part {
    Part::Text(s.into())
}

/// The words of a headline, shared by every format so they say the same thing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Wording {
    /// `as child processes (start-up included), against buffered-64k (child)`: what a
    /// headline other than the scenario's own compares.
    pub context: Option<Line>,
    /// `copy_file_range ran`
    pub lead: Line,
    /// `1.29× [1.25, 1.33] faster than buffered-64k (reference)`, then over the runner-up.
    pub margins: Vec<Line>,
    /// `tied (95% intervals overlap): sendfile 1.26× [1.22, 1.30]`
    pub tied: Option<Line>,
    /// `not ranked (no speedup measured): peer:rsync`
    pub unranked: Option<Line>,
}

impl Headline<'_> {
    pub fn wording(&self) -> Wording {
        let mut margins = vec![];
        let runner_up_is_reference = self
            .runner_up
            .as_ref()
            .is_some_and(|(r, _)| r.is_reference());
        if let Some(margin) = &self.over_reference {
            let role = if runner_up_is_reference {
                " (reference, runner-up)"
            } else {
                " (reference)"
            };
            margins.push(margin_line(margin, self.reference, role));
        }
        if let Some((runner_up, margin)) = &self.runner_up {
            if !runner_up_is_reference {
                margins.push(margin_line(margin, runner_up.id, " (runner-up)"));
            }
        }
        let tied = (!self.tied.is_empty()).then(|| {
            let without_interval = std::iter::once(&self.winner)
                .chain(&self.tied)
                .any(|entry| entry.interval().is_none());
            let mut line = vec![text(if without_interval {
                "not told apart (95% intervals overlap, or too few pairs for one): "
            } else {
                "tied (95% intervals overlap): "
            })];
            for (i, entry) in self.tied.iter().enumerate() {
                if i > 0 {
                    line.push(text(", "));
                }
                line.push(Part::Name(entry.id.to_string()));
                line.push(text(match entry.speedup {
                    Some(s) => format!(" {}", format::speedup(s)),
                    None => " (reference)".to_string(),
                }));
            }
            line
        });
        let unranked = (!self.unranked.is_empty()).then(|| {
            let mut line = vec![text("not ranked (no speedup measured): ")];
            for (i, id) in self.unranked.iter().enumerate() {
                if i > 0 {
                    line.push(text(", "));
                }
                line.push(Part::Name(id.to_string()));
            }
            line
        });
        let mut lead = vec![Part::Name(self.winner.id.to_string())];
        if self.winner.is_reference() {
            lead.push(text(" (reference)"));
        }
        lead.push(text(" ran"));
        let context = self.as_children.then(|| {
            vec![
                text("as child processes (start-up included), against "),
                Part::Name(self.reference.to_string()),
            ]
        });
        Wording {
            context,
            lead,
            margins,
            tied,
            unranked,
        }
    }
}

impl Headline<'_> {
    /// The headline in one line: `copy_file_range 1.29× [1.25, 1.33] over buffered-64k, tied
    /// with sendfile`.
    pub fn recap(&self) -> Line {
        let mut line = vec![Part::Name(self.winner.id.to_string())];
        match &self.over_reference {
            Some(margin) => {
                line.push(text(" "));
                line.push(Part::Figure(format::ratio(margin.median)));
                line.push(text(format!("{} over ", margin.interval_text())));
                line.push(Part::Name(self.reference.to_string()));
            }
            None => line.push(text(" (the reference)")),
        }
        for (i, entry) in self.tied.iter().enumerate() {
            line.push(text(if i == 0 { ", tied with " } else { ", " }));
            line.push(Part::Name(entry.id.to_string()));
        }
        line
    }
}

fn margin_line(margin: &Margin, other: &str, role: &str) -> Line {
    vec![
        Part::Figure(format::ratio(margin.median)),
        text(format!("{} faster than ", margin.interval_text())),
        Part::Name(other.to_string()),
        text(role),
    ]
}

/// An entry's name in a headline, marked when it is the reference.
pub fn name(entry: &Ranked) -> String {
    if entry.is_reference() {
        format!("{} (reference)", entry.id)
    } else {
        entry.id.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An entry's id and its speedup as (median, low, high); `None` for no speedup.
    type Entry<'a> = (&'a str, Option<(f64, f64, f64)>);

    fn scenario(entries: &[Entry]) -> ScenarioResult {
        let result = copybench_testkit::results::result("result.json");
        let mut scenario = result.scenarios[0].clone();
        let template = scenario.entries[0].clone();
        scenario.reference = entries[0].0.to_string();
        scenario.entries = entries
            .iter()
            .map(|&(id, speedup)| {
                let mut entry = template.clone();
                entry.id = id.to_string();
                entry.speedup = speedup.map(|(median, low, high)| Speedup {
                    median,
                    ci: Some(copybench_result::Interval {
                        low,
                        high,
                        coverage: 0.961,
                    }),
                    pairs: 9,
                    ratio_of_medians: median,
                    against: entries[0].0.to_owned(),
                    direction_conflict: None,
                });
                entry
            })
            .collect();
        scenario
    }

    #[test]
    fn overlapping_intervals_are_ties_and_the_runner_up_margin_holds_one() {
        let s = scenario(&[
            ("ref", None),
            ("a", Some((1.16, 1.15, 1.18))),
            ("b", Some((1.16, 1.12, 1.19))),
            ("c", Some((1.15, 1.12, 1.17))),
            ("d", Some((1.05, 1.02, 1.08))),
        ]);
        let h = headline(&s).unwrap();
        assert_eq!(h.winner.id, "a");
        assert_eq!(h.tied.iter().map(|t| t.id).collect::<Vec<_>>(), ["b", "c"]);
        let (runner_up, margin) = h.runner_up.unwrap();
        assert_eq!(runner_up.id, "b");
        let (low, high) = margin.interval.unwrap();
        assert!(low < 1.0 && 1.0 < high, "{margin:?}");
        let over = h.over_reference.unwrap();
        assert_eq!((over.median, over.interval), (1.16, Some((1.15, 1.18))));
    }

    #[test]
    fn a_clear_winner_has_no_ties_and_a_margin_above_one() {
        let s = scenario(&[
            ("ref", None),
            ("fast", Some((1.6, 1.53, 1.66))),
            ("slow", Some((1.27, 1.23, 1.31))),
        ]);
        let h = headline(&s).unwrap();
        assert!(h.tied.is_empty());
        let (_, margin) = h.runner_up.unwrap();
        assert!(margin.interval.unwrap().0 > 1.0);
        assert!((margin.median - 1.6 / 1.27).abs() < 1e-12);
    }

    /// A line's parts as plain text.
    fn plain(line: &Line) -> String {
        line.iter()
            .map(|part| match part {
                Part::Text(t) | Part::Name(t) | Part::Figure(t) => t.as_str(),
            })
            .collect()
    }

    #[test]
    fn without_intervals_there_is_no_margin_interval_and_nothing_is_told_apart() {
        let mut s = scenario(&[
            ("ref", None),
            ("fast", Some((1.33, 1.0, 1.0))),
            ("slow", Some((1.11, 1.0, 1.0))),
        ]);
        for entry in &mut s.entries[1..] {
            entry.speedup.as_mut().unwrap().ci = None;
        }
        let h = headline(&s).unwrap();
        assert_eq!(h.over_reference.unwrap().interval, None);
        assert_eq!(h.tied.len(), 2, "{:?}", h.tied);
        let wording = h.wording();
        let margins: Vec<String> = wording.margins.iter().map(plain).collect();
        assert_eq!(margins[0], "1.33× (no 95% CI) faster than ref (reference)");
        let tied = plain(wording.tied.as_ref().unwrap());
        assert!(tied.starts_with("not told apart"), "{tied}");
        assert!(!plain(&h.recap()).contains("inf"), "{}", plain(&h.recap()));
    }

    #[test]
    fn the_reference_can_win_and_be_tied() {
        let s = scenario(&[
            ("ref", None),
            ("slower", Some((0.7, 0.68, 0.73))),
            ("same", Some((0.99, 0.95, 1.02))),
            ("unmeasured", None),
        ]);
        let h = headline(&s).unwrap();
        assert!(h.winner.is_reference());
        assert_eq!(h.over_reference, None);
        assert_eq!(h.tied.iter().map(|t| t.id).collect::<Vec<_>>(), ["same"]);
        let (runner_up, margin) = h.runner_up.unwrap();
        assert_eq!(runner_up.id, "same");
        assert!((margin.median - 1.0 / 0.99).abs() < 1e-12);
        assert_eq!(h.unranked, ["unmeasured"]);
    }

    #[test]
    fn children_are_ranked_against_the_reference_timed_as_a_child() {
        let mut s = scenario(&[
            ("ref", None),
            ("fast", Some((1.2, 1.15, 1.25))),
            ("ref (child)", Some((0.8, 0.75, 0.85))),
            ("fast (child)", Some((1.5, 1.4, 1.6))),
            ("peer:cp", Some((1.1, 1.0, 1.2))),
        ]);
        for entry in &mut s.entries[3..] {
            if let Some(speedup) = &mut entry.speedup {
                speedup.against = "ref (child)".into();
            }
        }
        let all = headlines(&s);
        assert_eq!(all.len(), 2);
        // Against `ref`: the children's 1.5× against another reference is not in this race.
        assert_eq!(all[0].winner.id, "fast");
        assert!(!all[0].as_children);
        assert_eq!(all[0].tied, vec![]);
        assert_eq!(all[0].runner_up.unwrap().0.id, "ref");
        assert_eq!(all[1].reference, "ref (child)");
        assert!(all[1].as_children);
        assert_eq!(all[1].winner.id, "fast (child)");
        assert_eq!(all[1].runner_up.unwrap().0.id, "peer:cp");
        assert_eq!(headline(&s), Some(all[0].clone()));
    }

    #[test]
    fn nothing_compared_has_no_headline() {
        assert_eq!(headline(&scenario(&[("ref", None)])), None);
        assert_eq!(headline(&scenario(&[("ref", None), ("x", None)])), None);
    }
}
