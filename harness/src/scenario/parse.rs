//! Reading a scenario file: the TOML shapes, decoded with every mistake located.
//!
//! The key of a decoding error is the path serde took to reach it (`serde_path_to_error`), and
//! its line comes from toml's span; nothing is guessed from the text.

use copybench_engine::{Mode, Strategy, Walker};
use copybench_result::{ClaimMetric, FixtureKind, TimedAs};
use serde::Deserialize;
use serde_path_to_error::Segment;
use toml::Spanned;

use super::target::TargetToml;
use super::validate::Validator;
use super::{CacheState, Scenario, ScenarioError};
use crate::peer::PeerKind;
use crate::size::ByteSize;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FileToml {
    pub(super) scenario: Vec<ScenarioToml>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ScenarioToml {
    pub(super) name: Spanned<String>,
    pub(super) description: Option<String>,
    pub(super) fixture: Spanned<FixtureToml>,
    pub(super) target: Option<Spanned<TargetToml>>,
    pub(super) strategies: Option<Spanned<Vec<Strategy>>>,
    pub(super) walkers: Option<Spanned<Vec<Walker>>>,
    pub(super) child_strategies: Option<Spanned<Vec<Strategy>>>,
    pub(super) child_walkers: Option<Spanned<Vec<Walker>>>,
    pub(super) jobs: Option<Spanned<Vec<u32>>>,
    pub(super) tree_strategy: Option<Spanned<Strategy>>,
    pub(super) mode: Option<Mode>,
    pub(super) peers: Option<Spanned<Vec<PeerKind>>>,
    pub(super) reference: Spanned<String>,
    pub(super) cache: Option<CacheState>,
    pub(super) fsync: Option<Spanned<bool>>,
    pub(super) warmup: Option<u32>,
    pub(super) samples: Spanned<u32>,
    pub(super) target_ci: Option<Spanned<String>>,
    pub(super) max_time: Option<Spanned<String>>,
    pub(super) scale: Option<Spanned<f64>>,
    pub(super) timed_as: Option<TimedAs>,
    /// Count the syscalls of peers and child entries (one untimed strace run each), as
    /// `--count-syscalls` does for every scenario.
    pub(super) count_syscalls: Option<bool>,
    /// CPython interpreters to consider beside PATH and pyenv's (absolute paths).
    pub(super) pythons: Option<Spanned<Vec<String>>>,
    /// `[[scenario.claim]]` tables.
    pub(super) claim: Option<Vec<ClaimToml>>,
}

/// A published claim: `subject` against `baseline` on `metric`, as a `speedup` or a `change`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ClaimToml {
    pub(super) subject: Spanned<String>,
    pub(super) baseline: Spanned<String>,
    pub(super) metric: Spanned<ClaimMetric>,
    pub(super) speedup: Option<Spanned<f64>>,
    pub(super) change: Option<Spanned<String>>,
    pub(super) source: Spanned<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FixtureToml {
    pub(super) kind: Spanned<FixtureKind>,
    pub(super) seed: u64,
    pub(super) size: Option<Spanned<ByteSize>>,
    pub(super) files: Option<Spanned<u64>>,
    pub(super) dirs: Option<Spanned<u64>>,
    pub(super) size_min: Option<Spanned<ByteSize>>,
    pub(super) size_max: Option<Spanned<ByteSize>>,
    pub(super) symlinks: Option<Spanned<u64>>,
    pub(super) sparse: Option<Spanned<bool>>,
}

/// Parses and validates the scenarios in `text`; `origin` names it in errors.
pub fn parse(text: &str, origin: &str) -> Result<Vec<Scenario>, ScenarioError> {
    let file = decode(text, origin)?;
    if file.scenario.is_empty() {
        return Err(ScenarioError {
            file: origin.to_owned(),
            line: 1,
            key: "scenario".to_owned(),
            message: "no [[scenario]] table in the file".to_owned(),
        });
    }
    let mut names = std::collections::BTreeSet::new();
    let mut out = Vec::new();
    for (index, raw) in file.scenario.into_iter().enumerate() {
        let v = Validator {
            text,
            origin,
            index,
        };
        crate::scenario_name::ScenarioName::parse(raw.name.get_ref())
            .map_err(|why| v.error(raw.name.span(), "name", why))?;
        if !names.insert(raw.name.get_ref().clone()) {
            return Err(v.error(
                raw.name.span(),
                "name",
                format!("a second scenario named `{}`", raw.name.get_ref()),
            ));
        }
        out.push(v.scenario(raw)?);
    }
    Ok(out)
}

/// The TOML of `text`, or its first mistake with the key serde was reading and toml's line.
fn decode(text: &str, origin: &str) -> Result<FileToml, ScenarioError> {
    let located =
        |message: &str, span: Option<std::ops::Range<usize>>, key: String| ScenarioError {
            file: origin.to_owned(),
            line: span.map(|s| line_of(text, s.start)).unwrap_or(0),
            key,
            message: message.trim().to_owned(),
        };
    let deserializer = toml::Deserializer::parse(text)
        .map_err(|e| located(e.message(), e.span(), "(file)".to_owned()))?;
    serde_path_to_error::deserialize(deserializer).map_err(|e| {
        let key = dotted_key(e.path());
        let inner = e.into_inner();
        located(inner.message(), inner.span(), key)
    })
}

/// The dotted key of a decoding path, as the file names it: `scenario[1].fixture.size`. Array
/// indices are kept where they pick a table (`[[scenario]]`), not inside a value's array (an
/// unknown strategy names `strategies`, the key to fix); toml's private `Spanned` fields are
/// not keys of the file.
fn dotted_key(path: &serde_path_to_error::Path) -> String {
    let segments: Vec<&Segment> = path
        .iter()
        .filter(|s| !matches!(s, Segment::Map { key } if key.starts_with('$')))
        .collect();
    let mut key = String::new();
    for (i, segment) in segments.iter().enumerate() {
        match segment {
            Segment::Seq { index } => {
                if matches!(segments.get(i + 1), Some(Segment::Map { .. })) {
                    key.push_str(&format!("[{index}]"));
                }
            }
            Segment::Map { key: name } => {
                if !key.is_empty() {
                    key.push('.');
                }
                key.push_str(name);
            }
            Segment::Enum { .. } | Segment::Unknown => {}
        }
    }
    if key.is_empty() {
        "(top level)".to_owned()
    } else {
        key
    }
}

/// The 1-based line of byte `offset` in `text`.
pub(super) fn line_of(text: &str, offset: usize) -> usize {
    let offset = offset.min(text.len());
    text.as_bytes()[..offset]
        .iter()
        .filter(|b| **b == b'\n')
        .count()
        + 1
}
