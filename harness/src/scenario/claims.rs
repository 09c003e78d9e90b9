//! Validation of `[[scenario.claim]]` tables: each names two entries of its scenario, a metric
//! and exactly one figure, with its source; a mistake names the file, the line and the key
//! (`scenario[0].claim[1].subject`).

use copybench_result::TimedAs;
use toml::Spanned;

use super::parse::{ClaimToml, ScenarioToml};
use super::validate::Validator;
use super::{EntrySpec, ScenarioError};
use crate::claim::{Claim, ClaimSpec};

impl Validator<'_> {
    /// The scenario's claims, checked against its `entries`.
    pub(super) fn claims(
        &self,
        raw: &ScenarioToml,
        entries: &[EntrySpec],
    ) -> Result<Vec<ClaimSpec>, ScenarioError> {
        raw.claim
            .iter()
            .flatten()
            .enumerate()
            .map(|(index, claim)| self.claim(index, claim, entries))
            .collect()
    }

    fn claim(
        &self,
        index: usize,
        raw: &ClaimToml,
        entries: &[EntrySpec],
    ) -> Result<ClaimSpec, ScenarioError> {
        let key = |name: &str| format!("claim[{index}].{name}");
        let entry = |name: &str, id: &Spanned<String>| {
            entries
                .iter()
                .find(|e| &e.id == id.get_ref())
                .ok_or_else(|| {
                    let ids: Vec<&str> = entries.iter().map(|e| e.id.as_str()).collect();
                    self.error(
                        id.span(),
                        &key(name),
                        format!(
                            "`{}` is not an entry of this scenario (entries: {})",
                            id.get_ref(),
                            ids.join(", ")
                        ),
                    )
                })
        };
        let subject = entry("subject", &raw.subject)?;
        let baseline = entry("baseline", &raw.baseline)?;
        if subject.id == baseline.id {
            return Err(self.error(
                raw.baseline.span(),
                &key("baseline"),
                "a claim compares two different entries",
            ));
        }
        let metric = *raw.metric.get_ref();
        // A child's wall time holds its process start; an in-process copy's does not.
        if !metric.is_exact() && subject.timed_as != baseline.timed_as {
            let how = |t: TimedAs| match t {
                TimedAs::InProcess => "in process",
                TimedAs::ChildProcess => "as a child process",
            };
            return Err(self.error(
                raw.metric.span(),
                &key("metric"),
                format!(
                    "`{}` is timed {} and `{}` {}: their {} is not like for like",
                    subject.id,
                    how(subject.timed_as),
                    baseline.id,
                    how(baseline.timed_as),
                    metric.name()
                ),
            ));
        }
        let claim = match (&raw.speedup, &raw.change) {
            (Some(speedup), None) => {
                // As written, so its last digit sets the precision judged at.
                let text = self.text.get(speedup.span()).unwrap_or_default();
                Claim::speedup(text).map_err(|m| self.error(speedup.span(), &key("speedup"), m))?
            }
            (None, Some(change)) => Claim::change(change.get_ref())
                .map_err(|m| self.error(change.span(), &key("change"), m))?,
            (Some(speedup), Some(_)) => {
                return Err(self.error(
                    speedup.span(),
                    &key("speedup"),
                    "give the claimed figure once: `speedup` or `change`, not both",
                ))
            }
            (None, None) => {
                return Err(self.error(
                    raw.subject.span(),
                    &key("speedup"),
                    "a claim needs its figure: `speedup = 1.26` or `change = \"-38%\"`",
                ))
            }
        };
        let source = raw.source.get_ref().trim();
        if source.is_empty() {
            return Err(self.error(
                raw.source.span(),
                &key("source"),
                "say where the claim was published",
            ));
        }
        Ok(ClaimSpec {
            subject: subject.id.clone(),
            baseline: baseline.id.clone(),
            metric,
            claim,
            source: source.to_owned(),
        })
    }
}

#[cfg(test)]
mod tests {
    use copybench_result::{ClaimMetric, FigureKind};

    use crate::scenario::{parse, ScenarioError};

    const CLAIMS: &str = r#"
[[scenario]]
name = "file"
reference = "peer:python-copyfileobj@3.8"
peers = ["python-copyfileobj@3.8", "python-shutil@3.8", "python-shutil@3.7"]
samples = 3
count_syscalls = true
pythons = ["/opt/python3.8/bin/python3.8"]

[scenario.fixture]
kind = "file"
size = "1MiB"
seed = 7

[[scenario.claim]]
subject = "peer:python-shutil@3.8"
baseline = "peer:python-shutil@3.7"
metric = "wall-time"
speedup = 1.26
source = "What's New In Python 3.8"

[[scenario.claim]]
subject = "peer:python-shutil@3.8"
baseline = "peer:python-shutil@3.7"
metric = "stat-calls-per-file"
change = "-38%"
source = "What's New In Python 3.8"
"#;

    fn err(text: &str) -> ScenarioError {
        parse(text, "c.toml").expect_err("the claim should be refused")
    }

    #[test]
    fn the_shipped_cpython_claims_are_valid() {
        let text = include_str!("../../../scenarios/cpython-3.8-claims.toml");
        let scenarios = parse(text, "cpython-3.8-claims.toml").unwrap();
        let claims: usize = scenarios.iter().map(|s| s.claims.len()).sum();
        assert_eq!(claims, 13);
        assert!(scenarios.iter().all(|s| s.count_syscalls));
        let on_a_share = scenarios.iter().filter(|s| s.name.contains("smb")).count();
        assert_eq!(on_a_share, 2, "the SMB row, both ways");
    }

    #[test]
    fn claims_parse_with_their_figures_as_written() {
        let scenario = &parse(CLAIMS, "c.toml").unwrap()[0];
        assert!(scenario.count_syscalls);
        assert_eq!(
            scenario.pythons,
            [std::path::PathBuf::from("/opt/python3.8/bin/python3.8")]
        );
        let [wall, stats] = &scenario.claims[..] else {
            panic!("{:?}", scenario.claims)
        };
        assert_eq!(wall.subject, "peer:python-shutil@3.8");
        assert_eq!(wall.baseline, "peer:python-shutil@3.7");
        assert_eq!(wall.metric, ClaimMetric::WallTime);
        assert_eq!(
            (wall.claim.kind, wall.claim.text.as_str()),
            (FigureKind::Speedup, "1.26")
        );
        assert_eq!(stats.metric, ClaimMetric::StatCallsPerFile);
        assert_eq!(stats.claim.value, -0.38);
        assert_eq!(stats.source, "What's New In Python 3.8");
    }

    #[test]
    fn a_bad_claim_names_file_line_and_key() {
        let e = err(&CLAIMS.replacen("peer:python-shutil@3.7", "peer:python-shutil@3.6", 2));
        assert_eq!(
            (e.line, e.key.as_str()),
            (17, "scenario[0].claim[0].baseline")
        );
        assert!(e.message.contains("not an entry"), "{e}");
        assert!(e.to_string().starts_with("c.toml:17: "), "{e}");

        let e = err(&CLAIMS.replace("\"stat-calls-per-file\"", "\"stats\""));
        assert_eq!(
            (e.line, e.key.as_str()),
            (25, "scenario[0].claim[1].metric")
        );
        assert!(e.message.contains("stat-calls-per-file"), "{e}");

        let e = err(&CLAIMS.replace("\"-38%\"", "\"-38\""));
        assert_eq!(
            (e.line, e.key.as_str()),
            (26, "scenario[0].claim[1].change")
        );

        let e = err(&CLAIMS.replace("speedup = 1.26", "speedup = 1.0"));
        assert_eq!(
            (e.line, e.key.as_str()),
            (19, "scenario[0].claim[0].speedup")
        );
        assert!(e.message.contains("no change"), "{e}");

        let e = err(&CLAIMS.replace("speedup = 1.26", "speedup = 1.26\nchange = \"+26%\""));
        assert_eq!(e.key, "scenario[0].claim[0].speedup");

        let e = err(&CLAIMS.replacen("speedup = 1.26\n", "", 1));
        assert!(e.message.contains("needs its figure"), "{e}");

        let e = err(&CLAIMS.replacen("source = \"What's New In Python 3.8\"", "source = \" \"", 1));
        assert_eq!(e.key, "scenario[0].claim[0].source");

        let e = err(&CLAIMS.replacen("metric = \"wall-time\"", "metrik = \"wall-time\"", 1));
        assert_eq!(
            (e.line, e.key.as_str()),
            (18, "scenario[0].claim[0].metrik")
        );
    }

    #[test]
    fn claims_that_cannot_be_judged_are_refused() {
        // The same entry twice.
        let e = err(&CLAIMS.replacen(
            "baseline = \"peer:python-shutil@3.7\"",
            "baseline = \"peer:python-shutil@3.8\"",
            1,
        ));
        assert_eq!(e.key, "scenario[0].claim[0].baseline");
        // A child's wall time against an in-process one.
        let mixed = CLAIMS
            .replace("peers = [", "strategies = [\"sendfile\"]\npeers = [")
            .replacen(
                "baseline = \"peer:python-shutil@3.7\"",
                "baseline = \"sendfile\"",
                1,
            );
        let e = err(&mixed);
        assert_eq!(e.key, "scenario[0].claim[0].metric");
        assert!(e.message.contains("not like for like"), "{e}");
        // copyfileobj on a tree.
        let tree = CLAIMS.replace(
            "kind = \"file\"\nsize = \"1MiB\"",
            "kind = \"tree\"\nfiles = 2\ndirs = 1\nsize_min = \"1KiB\"\nsize_max = \"1KiB\"",
        );
        let e = err(&tree);
        assert_eq!(e.key, "scenario[0].peers");
        // A relative interpreter path.
        let e = err(&CLAIMS.replace("/opt/python3.8/bin/python3.8", "bin/python3"));
        assert_eq!((e.line, e.key.as_str()), (8, "scenario[0].pythons"));
    }
}
