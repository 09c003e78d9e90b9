//! The thresholds file (`ci/gates.toml`): the noise threshold of speedups and times, per
//! scenario, entry and metric, and the named environments in which absolute times are gated.
//!
//! ```toml
//! threshold = "5%"                  # every speedup and time, unless a rule says otherwise
//!
//! [environment.ci-runner]           # a named environment: every key given must match
//! cpu_model = "AMD EPYC 7763 64-Core Processor"
//!
//! [[rule]]                          # rules apply in order; a later match overrides
//! scenario = "file-64mib"           # globs; an absent key matches everything
//! entry = "peer:*"
//! metric = "speedup"
//! threshold = "25%"
//! gate = false                      # report, never fail
//!
//! [[rule]]
//! metric = "wall_time"
//! environment = "ci-runner"         # only when baseline and result both match it
//! gate = true                       # absolute times are gated only like this
//! ```
//!
//! Mistakes are errors naming the file, the line and the key; nothing falls back silently.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;

use copybench_result::Environment;
use globset::{Glob, GlobMatcher};
use serde::Deserialize;
use toml::Spanned;

use crate::verdict::MetricKind;

/// The noise threshold when no file says otherwise: 5 %.
pub const DEFAULT_THRESHOLD: f64 = 0.05;

/// The metric name of an entry's absolute wall time.
pub const WALL_TIME: &str = "wall_time";

/// A thresholds file mistake, located.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{file}:{line}: `{key}`: {message}")]
pub struct ThresholdsError {
    pub file: String,
    /// 1-based.
    pub line: usize,
    /// The dotted key, e.g. `rule[2].threshold`.
    pub key: String,
    pub message: String,
}

/// Parsed thresholds: a default and the rules that refine it.
#[derive(Clone, Debug)]
pub struct Thresholds {
    default: f64,
    environments: BTreeMap<String, EnvironmentMatch>,
    rules: Vec<Rule>,
}

impl Default for Thresholds {
    /// 5 % for every speedup and time, every exact metric gated, no absolute time gated.
    fn default() -> Self {
        Thresholds {
            default: DEFAULT_THRESHOLD,
            environments: BTreeMap::new(),
            rules: Vec::new(),
        }
    }
}

/// What a rule, or the default, decides for one metric.
#[derive(Clone, Debug, PartialEq)]
pub struct Setting {
    /// The noise threshold (0.05 is 5 %); exact metrics ignore it.
    pub threshold: f64,
    /// Why the metric is not gated, for a person; `None` when it is.
    pub not_gated: Option<String>,
}

/// The properties an `[environment.NAME]` table requires; `None` matches anything.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
struct EnvironmentMatch {
    hostname: Option<String>,
    cpu_model: Option<String>,
    kernel: Option<String>,
    os: Option<String>,
}

impl EnvironmentMatch {
    fn is_empty(&self) -> bool {
        self.hostname.is_none()
            && self.cpu_model.is_none()
            && self.kernel.is_none()
            && self.os.is_none()
    }

    fn matches(&self, env: &Environment) -> bool {
        let same = |wanted: &Option<String>, actual: Option<&str>| {
            wanted.as_deref().is_none_or(|w| Some(w) == actual)
        };
        same(&self.hostname, env.hostname.as_deref())
            && same(&self.cpu_model, env.cpu_model.as_deref())
            && same(&self.kernel, env.kernel.as_deref())
            && same(&self.os, Some(&env.os))
    }
}

#[derive(Clone, Debug)]
struct Rule {
    scenario: Option<GlobMatcher>,
    entry: Option<GlobMatcher>,
    metric: Option<GlobMatcher>,
    environment: Option<String>,
    threshold: Option<f64>,
    gate: Option<bool>,
}

impl Rule {
    fn selects(&self, scenario: &str, entry: &str, metric: &str) -> bool {
        let hit =
            |glob: &Option<GlobMatcher>, name: &str| glob.as_ref().is_none_or(|g| g.is_match(name));
        hit(&self.scenario, scenario) && hit(&self.entry, entry) && hit(&self.metric, metric)
    }
}

impl Thresholds {
    /// Parses and validates a thresholds file; `origin` names it in errors.
    pub fn parse(text: &str, origin: &str) -> Result<Thresholds, ThresholdsError> {
        let raw: FileToml = toml::from_str(text).map_err(|e| {
            let (line, key) = match e.span() {
                Some(span) => (line_of(text, span.start), key_at(text, span.start)),
                None => (1, "(file)".to_string()),
            };
            ThresholdsError {
                file: origin.to_string(),
                line,
                key,
                message: e.message().trim().to_string(),
            }
        })?;
        let error = |span: Range<usize>, key: String, message: String| ThresholdsError {
            file: origin.to_string(),
            line: line_of(text, span.start),
            key,
            message,
        };

        let default = match &raw.threshold {
            Some(t) => {
                percentage(t.get_ref()).map_err(|m| error(t.span(), "threshold".into(), m))?
            }
            None => DEFAULT_THRESHOLD,
        };
        let mut environments = BTreeMap::new();
        for (name, table) in raw.environment {
            if table.get_ref().is_empty() {
                return Err(error(
                    table.span(),
                    format!("environment.{name}"),
                    "an environment needs at least one of hostname, cpu_model, kernel, os".into(),
                ));
            }
            environments.insert(name, table.into_inner());
        }
        let mut rules = Vec::new();
        for (index, spanned) in raw.rule.iter().enumerate() {
            let key = |field: &str| format!("rule[{index}].{field}");
            let rule = spanned.get_ref();
            let glob = |field: &str, value: &Option<Spanned<String>>| {
                value
                    .as_ref()
                    .map(|v| {
                        Glob::new(v.get_ref())
                            .map(|g| g.compile_matcher())
                            .map_err(|e| error(v.span(), key(field), format!("not a glob: {e}")))
                    })
                    .transpose()
            };
            let threshold = rule
                .threshold
                .as_ref()
                .map(|t| percentage(t.get_ref()).map_err(|m| error(t.span(), key("threshold"), m)))
                .transpose()?;
            let environment = match &rule.environment {
                Some(name) if !environments.contains_key(name.get_ref()) => {
                    let known: Vec<&str> = environments.keys().map(String::as_str).collect();
                    return Err(error(
                        name.span(),
                        key("environment"),
                        format!(
                            "no [environment.{}] table in the file (declared: {})",
                            name.get_ref(),
                            if known.is_empty() {
                                "none".to_string()
                            } else {
                                known.join(", ")
                            }
                        ),
                    ));
                }
                Some(name) => Some(name.get_ref().clone()),
                None => None,
            };
            let gate = rule.gate.as_ref().map(|g| *g.get_ref());
            if threshold.is_none() && gate.is_none() {
                return Err(error(
                    spanned.span(),
                    format!("rule[{index}]"),
                    "a rule sets `threshold`, `gate` or both".into(),
                ));
            }
            let parsed = Rule {
                scenario: glob("scenario", &rule.scenario)?,
                entry: glob("entry", &rule.entry)?,
                metric: glob("metric", &rule.metric)?,
                environment,
                threshold,
                gate,
            };
            if gate == Some(true)
                && parsed.environment.is_none()
                && parsed.metric.as_ref().is_none_or(|m| m.is_match(WALL_TIME))
            {
                let span = rule.gate.as_ref().map_or(spanned.span(), Spanned::span);
                return Err(error(
                    span,
                    key("gate"),
                    "absolute times move between machines: gate `wall_time` only in a named \
                     environment (add `environment = \"NAME\"` and an [environment.NAME] table), \
                     or narrow `metric`"
                        .into(),
                ));
            }
            rules.push(parsed);
        }
        Ok(Thresholds {
            default,
            environments,
            rules,
        })
    }

    /// The thresholds as they apply to one baseline and result: rules naming an environment
    /// count only when both were measured in it.
    pub fn for_pair<'a>(&'a self, baseline: &Environment, result: &Environment) -> Applicable<'a> {
        let matched = self
            .environments
            .iter()
            .filter(|(_, m)| m.matches(baseline) && m.matches(result))
            .map(|(name, _)| name.clone())
            .collect();
        Applicable {
            thresholds: self,
            matched,
        }
    }
}

/// [`Thresholds`] for one pair of environments.
#[derive(Clone, Debug)]
pub struct Applicable<'a> {
    thresholds: &'a Thresholds,
    matched: BTreeSet<String>,
}

impl Applicable<'_> {
    /// The setting of `metric` of `entry` in `scenario`: the default, then every matching
    /// rule in order, each overriding what it names. Absolute times start ungated.
    pub fn setting(&self, scenario: &str, entry: &str, metric: &str, kind: MetricKind) -> Setting {
        let mut threshold = self.thresholds.default;
        let mut gate = None;
        let mut gated_in = None;
        for rule in &self.thresholds.rules {
            if !rule.selects(scenario, entry, metric) {
                continue;
            }
            if let Some(name) = &rule.environment {
                if !self.matched.contains(name) {
                    continue;
                }
            }
            if let Some(t) = rule.threshold {
                threshold = t;
            }
            if let Some(g) = rule.gate {
                gate = Some(g);
                gated_in = rule.environment.clone();
            }
        }
        let not_gated = match (kind, gate) {
            (_, Some(false)) => Some("`gate = false` in the thresholds file".to_string()),
            (MetricKind::WallTime, Some(true)) if gated_in.is_some() => None,
            (MetricKind::WallTime, _) => Some(
                "absolute times are reported, gated only in an environment the thresholds file \
                 names"
                    .to_string(),
            ),
            (MetricKind::TimedClaim, Some(true)) => None,
            (MetricKind::TimedClaim, _) => Some(
                "a timed claim's verdict moves with the noise; reported, gated only where a rule \
                 says `gate = true`"
                    .to_string(),
            ),
            _ => None,
        };
        Setting {
            threshold,
            not_gated,
        }
    }
}

/// `"5%"` → 0.05.
fn percentage(value: &toml::Value) -> Result<f64, String> {
    let wrong =
        || format!("write the threshold as a percentage in quotes, like \"5%\", not {value}");
    let text = value.as_str().ok_or_else(wrong)?;
    let number = text.trim().strip_suffix('%').ok_or_else(wrong)?;
    let percent: f64 = number.trim().parse().map_err(|_| wrong())?;
    if !(percent.is_finite() && (0.0..100.0).contains(&percent)) {
        return Err(format!("a threshold is from 0% to below 100%, not {text}"));
    }
    Ok(percent / 100.0)
}

/// The 1-based line of byte `offset`.
fn line_of(text: &str, offset: usize) -> usize {
    let end = offset.min(text.len());
    text.as_bytes()[..end]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

/// The dotted key a toml error at `offset` is about: the table header above it (an array of
/// tables gets its index) and the key on its line.
fn key_at(text: &str, offset: usize) -> String {
    let line = line_of(text, offset);
    let lines: Vec<&str> = text.lines().collect();
    let own = lines
        .get(line.saturating_sub(1))
        .and_then(|l| l.split_once('='))
        .map(|(k, _)| k.trim().trim_matches('"').to_string())
        .filter(|k| !k.is_empty() && !k.starts_with('['));
    let mut header = None;
    for (i, l) in lines.iter().enumerate().take(line).rev() {
        let l = l.trim();
        if let Some(name) = l.strip_prefix("[[").and_then(|l| l.split("]]").next()) {
            let name = name.trim();
            let index = lines[..i]
                .iter()
                .filter(|o| {
                    o.trim()
                        .strip_prefix("[[")
                        .and_then(|o| o.split("]]").next())
                        .map(str::trim)
                        == Some(name)
                })
                .count();
            header = Some(format!("{name}[{index}]"));
            break;
        }
        if let Some(name) = l.strip_prefix('[').and_then(|l| l.split(']').next()) {
            header = Some(name.trim().to_string());
            break;
        }
    }
    match (header, own) {
        (Some(h), Some(k)) => format!("{h}.{k}"),
        (Some(h), None) => h,
        (None, Some(k)) => k,
        (None, None) => "(file)".to_string(),
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileToml {
    threshold: Option<Spanned<toml::Value>>,
    #[serde(default)]
    environment: BTreeMap<String, Spanned<EnvironmentMatch>>,
    #[serde(default)]
    rule: Vec<Spanned<RuleToml>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleToml {
    scenario: Option<Spanned<String>>,
    entry: Option<Spanned<String>>,
    metric: Option<Spanned<String>>,
    environment: Option<Spanned<String>>,
    threshold: Option<Spanned<toml::Value>>,
    gate: Option<Spanned<bool>>,
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn parse(text: &str) -> Result<Thresholds, ThresholdsError> {
        Thresholds::parse(text, "ci/gates.toml")
    }

    fn env(hostname: &str) -> Environment {
        Environment {
            hostname: Some(hostname.into()),
            cpu_model: Some("Xeon".into()),
            logical_cores: Some(2),
            physical_cores: Some(2),
            memory_bytes: None,
            os: "Linux".into(),
            kernel: Some("6.1".into()),
            filesystems: vec![],
            targets: vec![],
            tools: BTreeMap::new(),
            interpreters: vec![],
        }
    }

    #[test]
    fn an_empty_file_is_the_default() {
        let t = parse("").unwrap();
        let s = t
            .for_pair(&env("a"), &env("a"))
            .setting("s", "e", "speedup", MetricKind::Speedup);
        assert_eq!(s.threshold, DEFAULT_THRESHOLD);
        assert_eq!(s.not_gated, None);
    }

    #[test]
    fn later_rules_override_earlier_ones_where_they_match() {
        let t = parse(
            r#"
threshold = "8%"
[[rule]]
entry = "peer:*"
threshold = "30%"
[[rule]]
scenario = "tree-*"
entry = "peer:cp"
gate = false
"#,
        )
        .unwrap();
        let a = t.for_pair(&env("a"), &env("a"));
        let s = |scenario, entry| a.setting(scenario, entry, "speedup", MetricKind::Speedup);
        assert_eq!(s("file-64mib", "sendfile").threshold, 0.08);
        assert_eq!(s("file-64mib", "peer:cp").threshold, 0.30);
        assert!(s("file-64mib", "peer:cp").not_gated.is_none());
        assert!(s("tree-800", "peer:cp").not_gated.is_some());
        assert_eq!(s("tree-800", "peer:cp").threshold, 0.30);
    }

    #[test]
    fn wall_time_is_gated_only_in_a_named_environment_both_sides_match() {
        let t = parse(
            r#"
[environment.lab]
hostname = "lab-1"
[[rule]]
metric = "wall_time"
environment = "lab"
gate = true
threshold = "10%"
"#,
        )
        .unwrap();
        let wall = |b: &str, r: &str| {
            t.for_pair(&env(b), &env(r))
                .setting("s", "e", WALL_TIME, MetricKind::WallTime)
        };
        let inside = wall("lab-1", "lab-1");
        assert_eq!(inside.not_gated, None);
        assert_eq!(inside.threshold, 0.10);
        assert!(wall("lab-1", "runner").not_gated.is_some());
        assert!(wall("runner", "runner").not_gated.is_some());
    }

    #[test]
    fn gating_wall_time_everywhere_is_refused() {
        let e = parse("[[rule]]\nmetric = \"wall_*\"\ngate = true\n").unwrap_err();
        assert_eq!((e.line, e.key.as_str()), (3, "rule[0].gate"));
        assert!(e.message.contains("named environment"), "{e}");
    }

    #[test]
    fn errors_name_the_file_the_line_and_the_key() {
        let cases = [
            ("threshold = 5\n", 1, "threshold", "percentage in quotes"),
            ("threshold = \"150%\"\n", 1, "threshold", "below 100%"),
            (
                "\n[[rule]]\nmetric = \"speedup\"\nthreshold = \"x%\"\n",
                4,
                "rule[0].threshold",
                "percentage",
            ),
            (
                "[[rule]]\ngate = false\n[[rule]]\nentry = \"a\"\nthresold = \"5%\"\n",
                5,
                "rule[1].thresold",
                "unknown field",
            ),
            (
                "[[rule]]\nentry = \"[\"\ngate = false\n",
                2,
                "rule[0].entry",
                "not a glob",
            ),
            (
                "[[rule]]\nenvironment = \"lab\"\ngate = false\n",
                2,
                "rule[0].environment",
                "no [environment.lab]",
            ),
            (
                "[[rule]]\nentry = \"a\"\n",
                1,
                "rule[0]",
                "sets `threshold`",
            ),
            ("[environment.lab]\n", 1, "environment.lab", "at least one"),
            ("threshold = \n", 1, "threshold", ""),
        ];
        for (text, line, key, message) in cases {
            let e = parse(text).unwrap_err();
            assert_eq!((e.line, e.key.as_str()), (line, key), "{text:?}: {e}");
            assert!(e.message.contains(message), "{text:?}: {e}");
            assert!(
                e.to_string()
                    .starts_with(&format!("ci/gates.toml:{line}: `{key}`")),
                "{e}"
            );
        }
    }

    /// Lines of a thresholds file, some valid, some not, to build arbitrary files from.
    fn fragment() -> impl Strategy<Value = String> {
        prop_oneof![
            Just("threshold = \"5%\"".to_string()),
            Just("[[rule]]".to_string()),
            Just("[environment.lab]".to_string()),
            Just("hostname = \"vm\"".to_string()),
            Just("gate = true".to_string()),
            Just("metric = \"wall_time\"".to_string()),
            Just("environment = \"lab\"".to_string()),
            "[a-z_]{1,9} = \"[^\"\\\\]{0,6}\"",
            "threshold = \".{0,6}\"",
            ".{0,20}",
        ]
    }

    proptest! {
        #[test]
        fn arbitrary_text_never_panics(text in "\\PC{0,200}") {
            let _ = parse(&text);
        }

        #[test]
        fn arbitrary_files_of_plausible_lines_never_panic(lines in proptest::collection::vec(fragment(), 0..12)) {
            let text = lines.join("\n");
            if let Err(e) = parse(&text) {
                prop_assert!(e.line >= 1);
                prop_assert!(!e.key.is_empty());
            }
        }
    }
}
