//! The checks cases write against an observed outcome (`o.file("dst", …)`, `o.link_to(…)`,
//! `o.tree_equal(…)`), each saying what it found when it fails: the expectations of
//! docs/conformance.md, used where CPython cannot be the oracle.

use rustix::io::Errno;

use super::case::Check;
use super::outcome::{describe_mode, show, ContentMark, EntryState, Kind, Observed, Returned};

/// Expectation helpers over an outcome, each saying what it found when it fails.
impl Observed {
    pub(crate) fn entry(&self, path: impl AsRef<[u8]>) -> Result<&EntryState, String> {
        let path = path.as_ref();
        self.snapshot
            .get(path)
            .ok_or_else(|| format!("{} does not exist", show(path)))
    }

    pub(crate) fn returned_path(&self, path: impl AsRef<[u8]>) -> Check {
        match &self.returned {
            Returned::Path(p) if p == path.as_ref() => Ok(()),
            other => Err(format!(
                "{}; expected to return {}",
                other.describe(),
                show(path.as_ref())
            )),
        }
    }

    pub(crate) fn succeeded(&self) -> Check {
        match &self.returned {
            Returned::Path(_) => Ok(()),
            other => Err(other.describe()),
        }
    }

    pub(crate) fn raised(&self, kind: &str, errno: Option<Errno>) -> Check {
        match &self.returned {
            Returned::Raised {
                kind: k, errno: e, ..
            } if k == kind && *e == errno.map(|e| e.raw_os_error()) => Ok(()),
            other => Err(format!(
                "{}; expected {kind}{}",
                other.describe(),
                super::outcome::show_errno(errno.map(|e| e.raw_os_error()))
            )),
        }
    }

    /// Raised `kind`, whatever the errno (CPython raises some from a message, without one).
    pub(crate) fn raised_kind(&self, kind: &str) -> Check {
        match &self.returned {
            Returned::Raised { kind: k, .. } if k == kind => Ok(()),
            other => Err(format!("{}; expected {kind}", other.describe())),
        }
    }

    /// The error's text names `path` (relative to the root).
    pub(crate) fn error_names(&self, path: &str) -> Check {
        let full = super::fixture::join(&self.root, path.as_bytes());
        match &self.returned {
            Returned::Raised { message, .. } if message.contains(&*full.to_string_lossy()) => {
                Ok(())
            }
            other => Err(format!("{}; expected it to name {path}", other.describe())),
        }
    }

    pub(crate) fn gathered(&self, expected: &[(&str, &str)]) -> Check {
        let want: Vec<(Vec<u8>, Vec<u8>)> = expected
            .iter()
            .map(|(s, d)| (s.as_bytes().to_vec(), d.as_bytes().to_vec()))
            .collect();
        match &self.returned {
            Returned::Gathered(errors) => {
                let got: Vec<(Vec<u8>, Vec<u8>)> = errors
                    .iter()
                    .map(|g| (g.src.clone(), g.dst.clone()))
                    .collect();
                if got == want {
                    Ok(())
                } else {
                    Err(format!(
                        "{}; expected errors for {expected:?}",
                        self.returned.describe()
                    ))
                }
            }
            other => Err(format!(
                "{}; expected gathered errors for {expected:?}",
                other.describe()
            )),
        }
    }

    pub(crate) fn absent(&self, path: &str) -> Check {
        match self.snapshot.get(path.as_bytes()) {
            None => Ok(()),
            Some(e) => Err(format!("{path} exists ({:?}), expected none", e.kind)),
        }
    }

    pub(crate) fn same_content(&self, a: impl AsRef<[u8]>, b: impl AsRef<[u8]>) -> Check {
        let (ea, eb) = (self.entry(&a)?, self.entry(&b)?);
        if ea.kind == Kind::File && ea.content == eb.content {
            Ok(())
        } else {
            Err(format!(
                "{} ({:?} {:?}) differs from {} ({:?} {:?})",
                show(a.as_ref()),
                ea.kind,
                ea.content,
                show(b.as_ref()),
                eb.kind,
                eb.content
            ))
        }
    }

    pub(crate) fn content_is(&self, path: &str, bytes: &[u8]) -> Check {
        let want = Some(ContentMark::Digest {
            len: bytes.len() as u64,
            digest: super::outcome::digest(bytes),
        });
        let e = self.entry(path)?;
        if e.content == want {
            Ok(())
        } else {
            Err(format!(
                "{path}: {:?}, expected {} bytes",
                e.content,
                bytes.len()
            ))
        }
    }

    pub(crate) fn mode_of(&self, path: &str, mode: u32) -> Check {
        let e = self.entry(path)?;
        if e.mode == Some(mode) {
            Ok(())
        } else {
            Err(format!(
                "{path}: mode {}, expected {mode:o}",
                describe_mode(e.mode)
            ))
        }
    }

    pub(crate) fn link_to(&self, path: &str, target: &str) -> Check {
        let e = self.entry(path)?;
        if e.kind == Kind::Symlink && e.target.as_deref() == Some(target.as_bytes()) {
            Ok(())
        } else {
            Err(format!(
                "{path}: {:?} to {:?}, expected a link to {target}",
                e.kind,
                e.target.as_deref().map(show)
            ))
        }
    }

    pub(crate) fn kind_of(&self, path: &str, kind: Kind) -> Check {
        let e = self.entry(path)?;
        if e.kind == kind {
            Ok(())
        } else {
            Err(format!("{path}: a {:?}, expected a {kind:?}", e.kind))
        }
    }

    /// `dst`'s times equal `src`'s as copy2 copies them (mtime to the nanosecond; atime as the
    /// source's after the copy read it).
    pub(crate) fn times_copied(&self, dst: &str) -> Check {
        match self.entry(dst)?.times_as_source {
            Some((true, true)) => Ok(()),
            other => Err(format!(
                "{dst}: (atime, mtime) equal to the source's: {other:?}, expected both"
            )),
        }
    }

    /// Every entry below `src` has a copy below `dst` of the same kind, content, link target
    /// and mode, and `dst` holds nothing else except `extra`.
    pub(crate) fn tree_copied(&self, src: &str, dst: &str, skipped: &[&str]) -> Check {
        let under = |root: &str| {
            let prefix = format!("{root}/").into_bytes();
            self.snapshot
                .iter()
                .filter_map(move |(p, e)| {
                    p.strip_prefix(prefix.as_slice()).map(|r| (r.to_vec(), e))
                })
                .collect::<std::collections::BTreeMap<_, _>>()
        };
        let (from, to) = (under(src), under(dst));
        let mut problems = Vec::new();
        for (rel, want) in &from {
            let skip = skipped
                .iter()
                .any(|s| rel == s.as_bytes() || rel.starts_with(format!("{s}/").as_bytes()));
            match (to.get(rel), skip) {
                (Some(_), true) => {
                    problems.push(format!("{} copied, expected it left out", show(rel)))
                }
                (None, true) => {}
                (None, false) => problems.push(format!("{} not copied", show(rel))),
                (Some(got), false) => {
                    if (got.kind, &got.content, &got.target)
                        != (want.kind, &want.content, &want.target)
                        || (got.kind != Kind::Symlink && got.mode != want.mode)
                    {
                        problems.push(format!("{} differs from its source", show(rel)));
                    }
                }
            }
        }
        for rel in to.keys() {
            if !from.contains_key(rel) {
                problems.push(format!("{} in the copy but not the source", show(rel)));
            }
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(problems.join("; "))
        }
    }

    /// The engine's trace (absent for the oracle: such checks pass vacuously there).
    pub(crate) fn fell_back_on(&self, errno: Errno) -> Check {
        match &self.engine {
            None => Ok(()),
            Some(t) if t.fallbacks.iter().any(|f| f.errno == Some(errno)) => Ok(()),
            Some(t) => Err(format!(
                "no fallback after {}: fallbacks {:?}, copied by {:?}",
                copybench_engine::errno::name(errno),
                t.fallbacks,
                t.strategy_used
            )),
        }
    }
}
