//! Scenario files (TOML): what to copy, what to compare, and how to measure it.
//!
//! A file holds one or more `[[scenario]]` tables. Every mistake — an unknown key, a size such as
//! `512 MB`, an unknown strategy, a combination that cannot run — is an error naming the file,
//! the line and the key; nothing falls back to a silent default. The schema is documented in
//! `scenarios/default.toml`.

use std::path::Path;

use copybench_engine::{Mode, Strategy, Walker};
use copybench_result::{FixtureKind, TimedAs};
use serde::Deserialize;
use toml::Spanned;

use crate::peer::PeerKind;
use crate::size::ByteSize;

/// The embedded default suite (`scenarios/default.toml`), so `copybench scenario` works anywhere.
pub const DEFAULT_SUITE: &str = include_str!("../../scenarios/default.toml");
/// How the embedded suite is named in errors and results.
pub const DEFAULT_SUITE_NAME: &str = "<embedded default>";

/// A scenario file mistake, located.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{file}:{line}: `{key}`: {message}")]
pub struct ScenarioError {
    pub file: String,
    /// 1-based; 0 when the parser gave no position.
    pub line: usize,
    /// The dotted key, e.g. `scenario[1].fixture.size`.
    pub key: String,
    pub message: String,
}

/// Why a scenario file could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error(
        "cannot read scenario file {path}: {}",
        copybench_engine::errno::describe_io(error)
    )]
    Read {
        path: std::path::PathBuf,
        error: std::io::Error,
    },
    #[error(transparent)]
    Invalid(#[from] ScenarioError),
}

/// Warm: the source is in the page cache (read once before). Cold: evicted before every sample.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CacheState {
    #[default]
    Warm,
    Cold,
}

impl CacheState {
    pub fn name(self) -> &'static str {
        match self {
            CacheState::Warm => "warm",
            CacheState::Cold => "cold",
        }
    }
}

/// The fixture to generate: one file, or a tree.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FixtureSpec {
    File {
        size: u64,
        seed: u64,
    },
    Tree {
        files: u64,
        dirs: u64,
        size_min: u64,
        size_max: u64,
        symlinks: u64,
        seed: u64,
    },
}

impl FixtureSpec {
    pub fn kind(&self) -> FixtureKind {
        match self {
            FixtureSpec::File { .. } => FixtureKind::File,
            FixtureSpec::Tree { .. } => FixtureKind::Tree,
        }
    }

    pub fn seed(&self) -> u64 {
        match self {
            FixtureSpec::File { seed, .. } | FixtureSpec::Tree { seed, .. } => *seed,
        }
    }

    /// The same fixture at `scale`: a file's size, or a tree's file count (directories and the
    /// size range stay), rounded, never below one file per directory.
    pub fn scaled(&self, scale: f64) -> FixtureSpec {
        let times = |n: u64| ((n as f64) * scale).round().max(1.0) as u64;
        match *self {
            FixtureSpec::File { size, seed } => FixtureSpec::File {
                size: times(size),
                seed,
            },
            FixtureSpec::Tree {
                files,
                dirs,
                size_min,
                size_max,
                symlinks,
                seed,
            } => FixtureSpec::Tree {
                files: times(files).max(dirs),
                dirs,
                size_min,
                size_max,
                symlinks: symlinks.min(times(files).max(dirs)),
                seed,
            },
        }
    }
}

/// Where copies are written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    /// A directory inside the work directory (the fixture's filesystem).
    SameFs,
    /// A directory the scenario names (another filesystem, a share).
    Dir(std::path::PathBuf),
}

/// What an entry copies with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Subject {
    /// An engine strategy copying the file fixture.
    Strategy(Strategy),
    /// An engine walker copying the tree fixture.
    Walker {
        walker: Walker,
        jobs: u32,
        strategy: Strategy,
    },
    /// An external command.
    Peer(PeerKind),
}

/// One thing compared in a scenario.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EntrySpec {
    /// `sendfile`, `lean jobs=2`, `peer:cp`.
    pub id: String,
    pub subject: Subject,
    /// In-process or as a child process (peers always are children).
    pub timed_as: TimedAs,
}

/// A validated scenario, ready to run.
#[derive(Clone, Debug, PartialEq)]
pub struct Scenario {
    /// Checked by [`crate::scenario_name`]: one safe directory name, unique in a run.
    pub name: String,
    /// Where `name` is written in `file` (1-based), and which `[[scenario]]` of it this is.
    pub name_line: usize,
    pub index_in_file: usize,
    pub description: Option<String>,
    /// The file it came from (or [`DEFAULT_SUITE_NAME`]).
    pub file: String,
    pub fixture: FixtureSpec,
    pub target: Target,
    /// Strategies first, then walkers, then peers, in file order.
    pub entries: Vec<EntrySpec>,
    pub reference: String,
    pub mode: Mode,
    pub cache: CacheState,
    pub fsync: bool,
    pub warmup: u32,
    pub samples: u32,
    /// The file's `scale` times the command line's `--scale`.
    pub scale: f64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileToml {
    scenario: Vec<ScenarioToml>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ScenarioToml {
    name: Spanned<String>,
    description: Option<String>,
    fixture: Spanned<FixtureToml>,
    target: Option<Spanned<String>>,
    strategies: Option<Spanned<Vec<Strategy>>>,
    walkers: Option<Spanned<Vec<Walker>>>,
    child_strategies: Option<Spanned<Vec<Strategy>>>,
    child_walkers: Option<Spanned<Vec<Walker>>>,
    jobs: Option<Spanned<Vec<u32>>>,
    tree_strategy: Option<Spanned<Strategy>>,
    mode: Option<Mode>,
    peers: Option<Spanned<Vec<PeerKind>>>,
    reference: Spanned<String>,
    cache: Option<CacheState>,
    fsync: Option<Spanned<bool>>,
    warmup: Option<u32>,
    samples: Spanned<u32>,
    scale: Option<Spanned<f64>>,
    timed_as: Option<TimedAs>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FixtureToml {
    kind: Spanned<FixtureKind>,
    seed: u64,
    size: Option<Spanned<ByteSize>>,
    files: Option<Spanned<u64>>,
    dirs: Option<Spanned<u64>>,
    size_min: Option<Spanned<ByteSize>>,
    size_max: Option<Spanned<ByteSize>>,
    symlinks: Option<Spanned<u64>>,
}

/// Reads and validates a scenario file.
pub fn load(path: &Path) -> Result<Vec<Scenario>, LoadError> {
    let text = std::fs::read_to_string(path).map_err(|error| LoadError::Read {
        path: path.to_owned(),
        error,
    })?;
    Ok(parse(&text, &path.display().to_string())?)
}

/// Parses and validates the scenarios in `text`; `origin` names it in errors.
pub fn parse(text: &str, origin: &str) -> Result<Vec<Scenario>, ScenarioError> {
    let file: FileToml = toml::from_str(text).map_err(|e| {
        let span = e.span();
        let (line, key) = match &span {
            Some(span) => locate(text, span.start),
            None => (0, "(file)".to_owned()),
        };
        ScenarioError {
            file: origin.to_owned(),
            line,
            key,
            message: e.message().trim().to_owned(),
        }
    })?;
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

struct Validator<'a> {
    text: &'a str,
    origin: &'a str,
    index: usize,
}

impl Validator<'_> {
    fn error(
        &self,
        span: std::ops::Range<usize>,
        key: &str,
        message: impl Into<String>,
    ) -> ScenarioError {
        let (line, _) = locate(self.text, span.start);
        ScenarioError {
            file: self.origin.to_owned(),
            line,
            key: format!("scenario[{}].{key}", self.index),
            message: message.into(),
        }
    }

    fn scenario(&self, raw: ScenarioToml) -> Result<Scenario, ScenarioError> {
        let fixture = self.fixture(&raw.fixture)?;
        let kind = fixture.kind();

        let samples = *raw.samples.get_ref();
        if samples < 2 {
            return Err(self.error(
                raw.samples.span(),
                "samples",
                "at least 2 samples are needed for a median and its confidence interval",
            ));
        }
        let scale = match &raw.scale {
            Some(s) if !(s.get_ref().is_finite() && *s.get_ref() > 0.0) => {
                return Err(self.error(s.span(), "scale", "scale must be a number above 0"));
            }
            Some(s) => *s.get_ref(),
            None => 1.0,
        };
        let target = match &raw.target {
            None => Target::SameFs,
            Some(t) if t.get_ref() == "same-fs" => Target::SameFs,
            Some(t) if Path::new(t.get_ref()).is_absolute() => Target::Dir(t.get_ref().into()),
            Some(t) => {
                return Err(self.error(
                    t.span(),
                    "target",
                    format!(
                        "`{}`: write \"same-fs\" or an absolute directory path",
                        t.get_ref()
                    ),
                ))
            }
        };
        let timed_as = raw.timed_as.unwrap_or(TimedAs::InProcess);

        let mut entries = Vec::new();
        match kind {
            FixtureKind::File => {
                for (key, field) in [
                    ("walkers", raw.walkers.as_ref().map(Spanned::span)),
                    (
                        "child_walkers",
                        raw.child_walkers.as_ref().map(Spanned::span),
                    ),
                    ("jobs", raw.jobs.as_ref().map(Spanned::span)),
                    (
                        "tree_strategy",
                        raw.tree_strategy.as_ref().map(Spanned::span),
                    ),
                ] {
                    if let Some(span) = field {
                        return Err(self.error(span, key, format!("`{key}` applies to a tree fixture, but this fixture is one file: compare `strategies` instead")));
                    }
                }
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
                if let Some(s) = &raw.child_strategies {
                    return Err(self.error(s.span(), "child_strategies", "`child_strategies` applies to a file fixture; a tree compares `child_walkers`"));
                }
                if let Some(s) = &raw.strategies {
                    return Err(self.error(s.span(), "strategies", "`strategies` applies to a file fixture; a tree compares `walkers` (with one `tree_strategy` for the file content)"));
                }
                let jobs = match &raw.jobs {
                    Some(j) if j.get_ref().is_empty() || j.get_ref().contains(&0) => {
                        return Err(self.error(
                            j.span(),
                            "jobs",
                            "jobs are threads: a list of numbers from 1, e.g. [1, 2]",
                        ))
                    }
                    Some(j) => j.get_ref().clone(),
                    None => vec![1],
                };
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
                    for &n in &jobs {
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
                subject: Subject::Peer(*peer),
                timed_as: TimedAs::ChildProcess,
            });
        }
        let mut seen = std::collections::BTreeSet::new();
        for entry in &entries {
            if !seen.insert(entry.id.clone()) {
                let (key, span) = match entry.subject {
                    Subject::Strategy(_) => {
                        ("strategies", raw.strategies.as_ref().map(Spanned::span))
                    }
                    Subject::Walker { .. } => ("walkers", raw.walkers.as_ref().map(Spanned::span)),
                    Subject::Peer(_) => ("peers", raw.peers.as_ref().map(Spanned::span)),
                };
                return Err(self.error(
                    span.unwrap_or(raw.name.span()),
                    key,
                    format!("`{}` is listed twice", entry.id),
                ));
            }
        }
        if entries.len() < 2 {
            return Err(self.error(
                raw.name.span(),
                "name",
                "a scenario compares at least two entries (strategies, walkers or peers)",
            ));
        }
        let reference = raw.reference.get_ref().clone();
        if !entries.iter().any(|e| e.id == reference) {
            let ids: Vec<&str> = entries.iter().map(|e| e.id.as_str()).collect();
            return Err(self.error(
                raw.reference.span(),
                "reference",
                format!(
                    "`{reference}` is not compared in this scenario (entries: {})",
                    ids.join(", ")
                ),
            ));
        }
        let cache = raw.cache.unwrap_or_default();
        let fsync = raw.fsync.as_ref().map(|f| *f.get_ref()).unwrap_or(false);
        Ok(Scenario {
            name_line: locate(self.text, raw.name.span().start).0,
            index_in_file: self.index,
            name: raw.name.into_inner(),
            description: raw.description,
            file: self.origin.to_owned(),
            fixture,
            target,
            entries,
            reference,
            // CPython's own defaults: `copyfile` for a file, `copy2` for `copytree`.
            mode: raw.mode.unwrap_or(match kind {
                FixtureKind::File => Mode::Copyfile,
                FixtureKind::Tree => Mode::Copy2,
            }),
            cache,
            fsync,
            warmup: raw.warmup.unwrap_or(1),
            samples,
            scale,
        })
    }

    fn fixture(&self, raw: &Spanned<FixtureToml>) -> Result<FixtureSpec, ScenarioError> {
        let f = raw.get_ref();
        let kind = *f.kind.get_ref();
        let forbid = |present: Option<std::ops::Range<usize>>, key: &str, why: &str| match present {
            Some(span) => Err(self.error(span, &format!("fixture.{key}"), why.to_owned())),
            None => Ok(()),
        };
        let require = |present: Option<std::ops::Range<usize>>, key: &str| match present {
            Some(_) => Ok(()),
            None => Err(self.error(
                raw.span(),
                &format!("fixture.{key}"),
                format!(
                    "a {} fixture needs `{key}`",
                    if kind == FixtureKind::File {
                        "file"
                    } else {
                        "tree"
                    }
                ),
            )),
        };
        match kind {
            FixtureKind::File => {
                let why =
                    "a file fixture has only `size` and `seed` (this key is for kind = \"tree\")";
                forbid(f.files.as_ref().map(Spanned::span), "files", why)?;
                forbid(f.dirs.as_ref().map(Spanned::span), "dirs", why)?;
                forbid(f.size_min.as_ref().map(Spanned::span), "size_min", why)?;
                forbid(f.size_max.as_ref().map(Spanned::span), "size_max", why)?;
                forbid(f.symlinks.as_ref().map(Spanned::span), "symlinks", why)?;
                require(f.size.as_ref().map(Spanned::span), "size")?;
                let size = f.size.as_ref().map(|s| s.get_ref().0).unwrap_or(0);
                if size == 0 {
                    let span = f.size.as_ref().map(Spanned::span).unwrap_or(raw.span());
                    return Err(self.error(
                        span,
                        "fixture.size",
                        "an empty file measures nothing: give a size above 0",
                    ));
                }
                Ok(FixtureSpec::File { size, seed: f.seed })
            }
            FixtureKind::Tree => {
                forbid(
                    f.size.as_ref().map(Spanned::span),
                    "size",
                    "a tree fixture draws each file's size from `size_min`..=`size_max`",
                )?;
                require(f.files.as_ref().map(Spanned::span), "files")?;
                require(f.dirs.as_ref().map(Spanned::span), "dirs")?;
                require(f.size_min.as_ref().map(Spanned::span), "size_min")?;
                require(f.size_max.as_ref().map(Spanned::span), "size_max")?;
                let get = |v: &Option<Spanned<u64>>| v.as_ref().map(|s| *s.get_ref()).unwrap_or(0);
                let (files, dirs, symlinks) = (get(&f.files), get(&f.dirs), get(&f.symlinks));
                let size_min = f.size_min.as_ref().map(|s| s.get_ref().0).unwrap_or(0);
                let size_max = f.size_max.as_ref().map(|s| s.get_ref().0).unwrap_or(0);
                if dirs == 0 {
                    return Err(self.error(
                        f.dirs.as_ref().map(Spanned::span).unwrap_or(raw.span()),
                        "fixture.dirs",
                        "a tree needs at least 1 directory",
                    ));
                }
                if files < dirs {
                    return Err(self.error(
                        f.files.as_ref().map(Spanned::span).unwrap_or(raw.span()),
                        "fixture.files",
                        format!(
                            "{files} files cannot fill {dirs} directories (at least one file each)"
                        ),
                    ));
                }
                if size_min > size_max {
                    return Err(self.error(
                        f.size_max.as_ref().map(Spanned::span).unwrap_or(raw.span()),
                        "fixture.size_max",
                        format!(
                            "size_max ({}) is below size_min ({})",
                            ByteSize(size_max),
                            ByteSize(size_min)
                        ),
                    ));
                }
                if symlinks > files {
                    return Err(self.error(
                        f.symlinks.as_ref().map(Spanned::span).unwrap_or(raw.span()),
                        "fixture.symlinks",
                        format!("{symlinks} symlinks, but only {files} files to point at"),
                    ));
                }
                Ok(FixtureSpec::Tree {
                    files,
                    dirs,
                    size_min,
                    size_max,
                    symlinks,
                    seed: f.seed,
                })
            }
        }
    }
}

/// The 1-based line of byte `offset` in `text`, and the dotted key written there (or on the
/// nearest line above that assigns one: a value may continue a multi-line array).
fn locate(text: &str, offset: usize) -> (usize, String) {
    let offset = offset.min(text.len());
    let line = text[..offset].matches('\n').count() + 1;
    let lines: Vec<&str> = text.lines().collect();
    let mut key = None;
    let mut header_line = None;
    for (i, raw) in lines.iter().enumerate().take(line).rev() {
        let l = raw.trim();
        if l.starts_with('#') || l.is_empty() {
            continue;
        }
        if l.starts_with('[') {
            header_line = Some(i);
            break;
        }
        if key.is_none() {
            if let Some((k, _)) = l.split_once('=') {
                let k = k.trim();
                if !k.is_empty()
                    && k.chars()
                        .all(|c| c.is_ascii_alphanumeric() || "_-.\"".contains(c))
                {
                    key = Some(k.trim_matches('"').to_owned());
                }
            }
        }
    }
    let header = header_line.map(|i| {
        lines[i]
            .trim()
            .trim_matches(|c| c == '[' || c == ']')
            .trim()
            .to_owned()
    });
    // `[[scenario]]` tables are counted to name which one.
    let index = lines
        .iter()
        .take(line)
        .filter(|l| l.trim().starts_with("[[scenario]]"))
        .count()
        .checked_sub(1);
    let section = match (header.as_deref(), index) {
        (Some("scenario"), Some(i)) => format!("scenario[{i}]"),
        (Some(h), Some(i)) if h.starts_with("scenario.") => {
            format!("scenario[{i}]{}", &h["scenario".len()..])
        }
        (Some(h), _) => h.to_owned(),
        (None, _) => String::new(),
    };
    let key = match (section.is_empty(), key) {
        (true, Some(k)) => k,
        (true, None) => "(top level)".to_owned(),
        (false, Some(k)) => format!("{section}.{k}"),
        (false, None) => section,
    };
    (line, key)
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"
[[scenario]]
name = "one"
reference = "buffered-64k"
strategies = ["buffered-64k", "sendfile"]
peers = ["cp"]
samples = 3

[scenario.fixture]
kind = "file"
size = "1MiB"
seed = 7

[[scenario]]
name = "two"
reference = "listdir"
walkers = ["listdir", "lean"]
jobs = [1, 2]
samples = 3
cache = "cold"

[scenario.fixture]
kind = "tree"
files = 10
dirs = 2
size_min = "1KiB"
size_max = "2KiB"
seed = 1
"#;

    fn err(text: &str) -> ScenarioError {
        parse(text, "s.toml").expect_err("the scenario should be refused")
    }

    #[test]
    fn a_good_file_parses_into_entries() {
        let scenarios = parse(GOOD, "s.toml").unwrap();
        assert_eq!(scenarios.len(), 2);
        let ids: Vec<&str> = scenarios[0].entries.iter().map(|e| e.id.as_str()).collect();
        assert_eq!(ids, ["buffered-64k", "sendfile", "peer:cp"]);
        let ids: Vec<&str> = scenarios[1].entries.iter().map(|e| e.id.as_str()).collect();
        assert_eq!(ids, ["listdir", "listdir jobs=2", "lean", "lean jobs=2"]);
        assert_eq!(scenarios[1].cache, CacheState::Cold);
        assert_eq!(
            scenarios[0].fixture,
            FixtureSpec::File {
                size: 1 << 20,
                seed: 7
            }
        );
    }

    #[test]
    fn the_embedded_default_suite_is_valid() {
        let scenarios = parse(DEFAULT_SUITE, DEFAULT_SUITE_NAME).unwrap();
        assert!(scenarios
            .iter()
            .any(|s| s.fixture.kind() == FixtureKind::File));
        assert!(scenarios
            .iter()
            .any(|s| s.fixture.kind() == FixtureKind::Tree));
    }

    #[test]
    fn an_unknown_key_names_file_line_and_key() {
        let e = err(&GOOD.replace("seed = 7", "sed = 7"));
        assert_eq!(e.file, "s.toml");
        assert_eq!(e.line, 12);
        assert_eq!(e.key, "scenario[0].fixture.sed");
        assert!(e.message.contains("unknown field"), "{e}");
        assert!(
            e.to_string()
                .starts_with("s.toml:12: `scenario[0].fixture.sed`"),
            "{e}"
        );
    }

    #[test]
    fn a_decimal_size_is_refused_with_a_hint() {
        let e = err(&GOOD.replace("\"1MiB\"", "\"512 MB\""));
        assert_eq!((e.line, e.key.as_str()), (11, "scenario[0].fixture.size"));
        assert!(e.message.contains("512MiB"), "{e}");
    }

    #[test]
    fn an_unknown_strategy_is_named() {
        let e = err(&GOOD.replace("\"sendfile\"]", "\"sendfiel\"]"));
        assert_eq!((e.line, e.key.as_str()), (5, "scenario[0].strategies"));
        assert!(e.message.contains("sendfiel"), "{e}");
    }

    #[test]
    fn an_unknown_peer_and_walker_are_named() {
        let e = err(&GOOD.replace("peers = [\"cp\"]", "peers = [\"robocopy\"]"));
        assert_eq!((e.line, e.key.as_str()), (6, "scenario[0].peers"));
        let e = err(&GOOD.replace("\"lean\"]", "\"fast\"]"));
        assert_eq!((e.line, e.key.as_str()), (17, "scenario[1].walkers"));
    }

    #[test]
    fn impossible_combinations_are_refused() {
        // walkers on a file fixture
        let e = err(&GOOD.replace("peers = [\"cp\"]", "walkers = [\"lean\"]"));
        assert_eq!((e.line, e.key.as_str()), (6, "scenario[0].walkers"));
        // a reference that is not compared
        let e = err(&GOOD.replace("reference = \"listdir\"", "reference = \"scandir\""));
        assert_eq!((e.line, e.key.as_str()), (16, "scenario[1].reference"));
        assert!(e.message.contains("not compared"), "{e}");
        // a size on a tree
        let e = err(&GOOD.replace("dirs = 2", "dirs = 2\nsize = \"1KiB\""));
        assert_eq!(e.key, "scenario[1].fixture.size");
        // more directories than files
        let e = err(&GOOD.replace("files = 10", "files = 1"));
        assert_eq!((e.line, e.key.as_str()), (24, "scenario[1].fixture.files"));
        // size_min above size_max
        let e = err(&GOOD.replace("size_min = \"1KiB\"", "size_min = \"4KiB\""));
        assert_eq!(e.key, "scenario[1].fixture.size_max");
        // a single sample
        let e = err(&GOOD.replace("samples = 3\ncache", "samples = 1\ncache"));
        assert_eq!((e.line, e.key.as_str()), (19, "scenario[1].samples"));
        // a tree without its file count
        let e = err(&GOOD.replace("files = 10\n", ""));
        assert_eq!(e.key, "scenario[1].fixture.files");
        // a jobs list with zero
        let e = err(&GOOD.replace("jobs = [1, 2]", "jobs = [0]"));
        assert_eq!(e.key, "scenario[1].jobs");
    }

    #[test]
    fn child_entries_are_timed_as_children_beside_in_process_ones() {
        let text = GOOD.replace("peers = [\"cp\"]", "child_strategies = [\"sendfile\"]");
        let scenarios = parse(&text, "s.toml").unwrap();
        let child = scenarios[0]
            .entries
            .iter()
            .find(|e| e.id == "sendfile (child)")
            .unwrap();
        assert_eq!(child.timed_as, TimedAs::ChildProcess);
        assert_eq!(child.subject, Subject::Strategy(Strategy::Sendfile));
        let text = GOOD.replace("jobs = [1, 2]", "jobs = [1, 2]\nchild_walkers = [\"lean\"]");
        let ids: Vec<String> = parse(&text, "s.toml").unwrap()[1]
            .entries
            .iter()
            .map(|e| e.id.clone())
            .collect();
        assert!(ids.contains(&"lean jobs=2 (child)".to_owned()), "{ids:?}");
        let e = err(&GOOD.replace("peers = [\"cp\"]", "child_walkers = [\"lean\"]"));
        assert_eq!((e.line, e.key.as_str()), (6, "scenario[0].child_walkers"));
    }

    #[test]
    fn a_missing_required_key_is_named() {
        let e = err(&GOOD.replace(
            "samples = 3\n\n[scenario.fixture]\nkind = \"file\"",
            "\n[scenario.fixture]\nkind = \"file\"",
        ));
        assert!(e.message.contains("samples"), "{e}");
        assert!(e.key.starts_with("scenario"), "{e}");
    }

    #[test]
    fn scale_shrinks_a_file_or_a_tree() {
        let file = FixtureSpec::File {
            size: 1000,
            seed: 1,
        };
        assert_eq!(file.scaled(0.1), FixtureSpec::File { size: 100, seed: 1 });
        let tree = FixtureSpec::Tree {
            files: 8000,
            dirs: 40,
            size_min: 1,
            size_max: 2,
            symlinks: 0,
            seed: 1,
        };
        let FixtureSpec::Tree { files, dirs, .. } = tree.scaled(0.001) else {
            unreachable!()
        };
        assert_eq!((files, dirs), (40, 40));
    }
}
