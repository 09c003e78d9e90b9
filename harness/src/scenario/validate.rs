//! Validation: every value checked against the others, each mistake an error naming the file,
//! the line and the key; nothing falls back to a silent default.

use std::path::Path;

use copybench_engine::Mode;
use copybench_result::{FixtureKind, TimedAs};
use toml::Spanned;

use super::parse::{line_of, FixtureToml, ScenarioToml};
use super::{expand, sampling};
use super::{FixtureSpec, Scenario, ScenarioError, Subject};
use crate::size::ByteSize;
use crate::target::{Side, TargetSpec};

/// Validates the `index`th scenario of a file.
pub(super) struct Validator<'a> {
    pub(super) text: &'a str,
    pub(super) origin: &'a str,
    pub(super) index: usize,
}

impl Validator<'_> {
    pub(super) fn error(
        &self,
        span: std::ops::Range<usize>,
        key: &str,
        message: impl Into<String>,
    ) -> ScenarioError {
        let line = line_of(self.text, span.start);
        ScenarioError {
            file: self.origin.to_owned(),
            line,
            key: format!("scenario[{}].{key}", self.index),
            message: message.into(),
        }
    }

    pub(super) fn scenario(&self, raw: ScenarioToml) -> Result<Scenario, ScenarioError> {
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
        let (target, placement) = self.target(raw.target.as_ref())?;
        let timed_as = raw.timed_as.unwrap_or(TimedAs::InProcess);

        self.keys_fit(&raw, kind)?;
        let jobs = self.jobs(&raw)?;
        let entries = expand::entries(&raw, kind, timed_as, &jobs);
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
        self.peers_fit(&raw, kind)?;
        let claims = self.claims(&raw, &entries)?;
        let pythons = self.pythons(&raw)?;
        // CPython's own defaults: `copyfile` for a file, `copy2` for `copytree`.
        let mode = raw.mode.unwrap_or(match kind {
            FixtureKind::File => Mode::Copyfile,
            FixtureKind::Tree => Mode::Copy2,
        });
        // A tree copy can leave xattrs out (`TreeOptions::xattrs`) where listing them breaks
        // the share; one file's copy2 cannot, so it is refused rather than measured broken.
        if target == TargetSpec::Smb
            && placement.source == Side::Target
            && kind == FixtureKind::File
            && mode == Mode::Copy2
        {
            return Err(self.error(
                raw.name.span(),
                "mode",
                "copy2 of a file from the SMB share would list its xattrs, which smbnetfs fails (EIO, and its connection drops): use mode = \"copy\" or \"copyfile\", or a tree",
            ));
        }
        let cache = raw.cache.unwrap_or_default();
        let fsync = raw.fsync.as_ref().map(|f| *f.get_ref()).unwrap_or(false);
        let target_ci = match &raw.target_ci {
            Some(t) => sampling::parse_percent(t.get_ref())
                .map_err(|e| self.error(t.span(), "target_ci", e))?,
            None => sampling::DEFAULT_TARGET_CI,
        };
        let max_time = match &raw.max_time {
            Some(t) => sampling::parse_duration(t.get_ref())
                .map_err(|e| self.error(t.span(), "max_time", e))?,
            None => sampling::DEFAULT_MAX_TIME,
        };
        Ok(Scenario {
            name_line: line_of(self.text, raw.name.span().start),
            index_in_file: self.index,
            name: raw.name.into_inner(),
            description: raw.description,
            file: self.origin.to_owned(),
            fixture,
            target,
            placement,
            entries,
            reference,
            mode,
            cache,
            fsync,
            warmup: raw.warmup.unwrap_or(1),
            samples,
            target_ci,
            max_time,
            scale,
            count_syscalls: raw.count_syscalls.unwrap_or(false),
            pythons,
            claims,
        })
    }

    /// `python-copyfileobj` copies one open file to another: a tree has no such peer.
    fn peers_fit(&self, raw: &ScenarioToml, kind: FixtureKind) -> Result<(), ScenarioError> {
        let Some(peers) = &raw.peers else {
            return Ok(());
        };
        match peers.get_ref().iter().find(|p| p.file_only()) {
            Some(peer) if kind == FixtureKind::Tree => Err(self.error(
                peers.span(),
                "peers",
                format!("`{peer}` copies one file (shutil.copyfileobj), but this fixture is a tree: compare python-shutil"),
            )),
            _ => Ok(()),
        }
    }

    /// The interpreters a scenario names: absolute paths, since a relative one would depend on
    /// where copybench runs.
    fn pythons(&self, raw: &ScenarioToml) -> Result<Vec<std::path::PathBuf>, ScenarioError> {
        let Some(pythons) = &raw.pythons else {
            return Ok(Vec::new());
        };
        pythons
            .get_ref()
            .iter()
            .map(|p| match Path::new(p).is_absolute() {
                true => Ok(p.into()),
                false => Err(self.error(
                    pythons.span(),
                    "pythons",
                    format!("`{p}`: name an interpreter by its absolute path"),
                )),
            })
            .collect()
    }

    /// Keys that apply only to the other kind of fixture are refused, saying which to use.
    fn keys_fit(&self, raw: &ScenarioToml, kind: FixtureKind) -> Result<(), ScenarioError> {
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
            }
            FixtureKind::Tree => {
                if let Some(s) = &raw.child_strategies {
                    return Err(self.error(s.span(), "child_strategies", "`child_strategies` applies to a file fixture; a tree compares `child_walkers`"));
                }
                if let Some(s) = &raw.strategies {
                    return Err(self.error(s.span(), "strategies", "`strategies` applies to a file fixture; a tree compares `walkers` (with one `tree_strategy` for the file content)"));
                }
            }
        }
        Ok(())
    }

    /// The thread counts walkers run with (default: one).
    fn jobs(&self, raw: &ScenarioToml) -> Result<Vec<u32>, ScenarioError> {
        match &raw.jobs {
            Some(j) if j.get_ref().is_empty() || j.get_ref().contains(&0) => Err(self.error(
                j.span(),
                "jobs",
                "jobs are threads: a list of numbers from 1, e.g. [1, 2]",
            )),
            Some(j) => Ok(j.get_ref().clone()),
            None => Ok(vec![1]),
        }
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
                let why = "a file fixture has only `size`, `seed` and `sparse` (this key is for kind = \"tree\")";
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
                Ok(FixtureSpec::File {
                    size,
                    seed: f.seed,
                    sparse: f.sparse.as_ref().is_some_and(|s| *s.get_ref()),
                })
            }
            FixtureKind::Tree => {
                forbid(
                    f.size.as_ref().map(Spanned::span),
                    "size",
                    "a tree fixture draws each file's size from `size_min`..=`size_max`",
                )?;
                forbid(
                    f.sparse.as_ref().map(Spanned::span),
                    "sparse",
                    "`sparse` applies to a file fixture (its holes are what a copy may keep or fill)",
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
