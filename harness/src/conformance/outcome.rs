//! What a copy is judged on: what the call returned or raised, and the state of every file under
//! the case's root afterwards (content, mode bits, times, symlink targets, xattrs, the set of
//! entries). The same code observes the engine's and the oracle's copies, so they compare one to
//! one.

use std::collections::{BTreeMap, BTreeSet};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{FileTypeExt, MetadataExt};
use std::path::Path;

use super::fixture::{join, FIXTURE_MTIME};

/// One error gathered by a tree copy, as an entry of `shutil.Error`: (src, dst, error).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Gathered {
    pub src: Vec<u8>,
    pub dst: Vec<u8>,
    pub kind: String,
    pub errno: Option<i32>,
}

/// What the call returned, with paths relative to the case's root.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Returned {
    /// Success; the path returned (`copy(src, dir)` → `dir/src`).
    Path(Vec<u8>),
    /// An exception (an `Err`): CPython's class name and the errno, if any.
    Raised {
        kind: String,
        errno: Option<i32>,
        /// The paths CPython names in the exception (`filename`, `filename2`), relative.
        about: Vec<Vec<u8>>,
        /// The text a person sees.
        message: String,
    },
    /// A tree copy that finished with gathered errors (`shutil.Error`).
    Gathered(BTreeSet<Gathered>),
    /// The subject panicked (the engine is incomplete) or did not return.
    Broken(String),
}

impl Returned {
    pub(crate) fn describe(&self) -> String {
        match self {
            Returned::Path(p) => format!("returned {}", show(p)),
            Returned::Raised {
                kind,
                errno,
                message,
                ..
            } => format!("raised {kind}{} ({message})", show_errno(*errno)),
            Returned::Gathered(errors) => {
                let list: Vec<String> = errors
                    .iter()
                    .map(|g| format!("{} {}{}", show(&g.src), g.kind, show_errno(g.errno)))
                    .collect();
                format!("gathered errors [{}]", list.join(", "))
            }
            Returned::Broken(why) => why.clone(),
        }
    }
}

/// `[ENOSPC]`-style suffix.
pub(crate) fn show_errno(errno: Option<i32>) -> String {
    match errno {
        Some(n) => format!(
            " [{}]",
            copybench_engine::errno::name(rustix::io::Errno::from_raw_os_error(n))
        ),
        None => String::new(),
    }
}

/// A relative path for a person.
pub(crate) fn show(path: &[u8]) -> String {
    String::from_utf8_lossy(path).escape_debug().to_string()
}

/// The type of an entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    File,
    Dir,
    Symlink,
    Fifo,
    Other,
}

/// Where a time is, relative to the fixture that set every time to a known value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum TimeMark {
    /// The value the fixture set (to the nanosecond).
    Fixture,
    /// Anything else (set by the copy, or moved by a read).
    Changed,
}

/// A file's content, by length and a 64-bit xxh3 digest, or as a prefix of a source file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum ContentMark {
    Digest {
        len: u64,
        digest: u64,
    },
    /// For destinations a case expects partial (disk full): how they relate to the source.
    Partial(PartialMark),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum PartialMark {
    Empty,
    /// A proper, non-empty prefix of the source.
    Prefix,
    Complete,
    /// Not a prefix of the source: wrong bytes.
    Corrupt,
}

/// The observed state of one entry below the root.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct EntryState {
    pub kind: Kind,
    /// Permission bits (not for symlinks).
    pub mode: Option<u32>,
    pub content: Option<ContentMark>,
    pub target: Option<Vec<u8>>,
    pub xattrs: BTreeMap<String, Vec<u8>>,
    pub nlink: Option<u64>,
    pub atime: TimeMark,
    pub mtime: TimeMark,
    /// For entries of a destination: whether atime and mtime equal those of the source entry
    /// they were copied from, read in the same pass (CPython copies the atime *after* its read).
    pub times_as_source: Option<(bool, bool)>,
    /// Allocated bytes (for the sparse case; reported, not compared).
    pub allocated: u64,
}

/// Every entry below a root, by relative path.
pub(crate) type Snapshot = BTreeMap<Vec<u8>, EntryState>;

/// How a snapshot relates destinations to sources.
#[derive(Clone, Debug)]
pub(crate) struct SnapshotPlan {
    /// (destination prefix, source prefix): entries under the first are copies of the second.
    pub mirror: Option<(Vec<u8>, Vec<u8>)>,
    /// Entries that may hold a partial copy of the given source file (relative or absolute).
    pub partial: Vec<(Vec<u8>, Vec<u8>)>,
    /// The atime the fixture set.
    pub atime: (i64, i64),
}

/// Reads the state of everything below `root`. Metadata is read for every entry before any
/// content, so that reading content does not move the atimes being observed.
pub(crate) fn snapshot(root: &Path, plan: &SnapshotPlan) -> std::io::Result<Snapshot> {
    let mut metas = Vec::new();
    walk(root, &[], &mut metas)?;
    let times: BTreeMap<Vec<u8>, (i64, i64, i64, i64)> = metas
        .iter()
        .map(|(rel, m)| {
            (
                rel.clone(),
                (m.atime(), m.atime_nsec(), m.mtime(), m.mtime_nsec()),
            )
        })
        .collect();
    let mut snap = Snapshot::new();
    for (rel_path, meta) in metas {
        let path = join(root, &rel_path);
        let ft = meta.file_type();
        let kind = if ft.is_symlink() {
            Kind::Symlink
        } else if ft.is_dir() {
            Kind::Dir
        } else if ft.is_file() {
            Kind::File
        } else if ft.is_fifo() {
            Kind::Fifo
        } else {
            Kind::Other
        };
        let content = if kind == Kind::File {
            let data = std::fs::read(&path)?;
            match plan.partial.iter().find(|(p, _)| *p == rel_path) {
                Some((_, source)) => {
                    let source = std::fs::read(join(root, source))?;
                    Some(ContentMark::Partial(if data.is_empty() {
                        PartialMark::Empty
                    } else if !source.starts_with(&data) {
                        PartialMark::Corrupt
                    } else if data.len() == source.len() {
                        PartialMark::Complete
                    } else {
                        PartialMark::Prefix
                    }))
                }
                None => Some(ContentMark::Digest {
                    len: data.len() as u64,
                    digest: digest(&data),
                }),
            }
        } else {
            None
        };
        let target = (kind == Kind::Symlink)
            .then(|| std::fs::read_link(&path).map(|t| t.as_os_str().as_bytes().to_vec()))
            .transpose()?;
        let xattrs = if matches!(kind, Kind::File | Kind::Dir) {
            user_xattrs(&path)
        } else {
            BTreeMap::new()
        };
        let mark = |sec: i64, nsec: i64, fixture: (i64, i64)| {
            if (sec, nsec) == fixture {
                TimeMark::Fixture
            } else {
                TimeMark::Changed
            }
        };
        let times_as_source = plan.mirror.as_ref().and_then(|(dst, src)| {
            let rest = rel_path.strip_prefix(dst.as_slice())?;
            if !(rest.is_empty() || rest.starts_with(b"/")) {
                return None;
            }
            let mut source = src.clone();
            source.extend_from_slice(rest);
            let mine = times.get(&rel_path)?;
            let theirs = times.get(&source)?;
            Some((
                (mine.0, mine.1) == (theirs.0, theirs.1),
                (mine.2, mine.3) == (theirs.2, theirs.3),
            ))
        });
        snap.insert(
            rel_path,
            EntryState {
                kind,
                mode: (kind != Kind::Symlink).then_some(meta.mode() & 0o7777),
                content,
                target,
                xattrs,
                nlink: (kind == Kind::File).then_some(meta.nlink()),
                atime: mark(meta.atime(), meta.atime_nsec(), plan.atime),
                mtime: mark(meta.mtime(), meta.mtime_nsec(), FIXTURE_MTIME),
                times_as_source,
                allocated: meta.blocks() * 512,
            },
        );
    }
    Ok(snap)
}

fn walk(
    dir: &Path,
    prefix: &[u8],
    out: &mut Vec<(Vec<u8>, std::fs::Metadata)>,
) -> std::io::Result<()> {
    let mut entries: Vec<_> = std::fs::read_dir(dir)?.collect::<Result<_, _>>()?;
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let meta = entry.path().symlink_metadata()?;
        let mut rel_path = prefix.to_vec();
        if !rel_path.is_empty() {
            rel_path.push(b'/');
        }
        rel_path.extend_from_slice(entry.file_name().as_bytes());
        let is_dir = meta.is_dir();
        out.push((rel_path.clone(), meta));
        if is_dir {
            walk(&entry.path(), &rel_path, out)?;
        }
    }
    Ok(())
}

fn user_xattrs(path: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut found = BTreeMap::new();
    let Ok(size) = rustix::fs::llistxattr_query(path) else {
        return found;
    };
    let mut names = vec![0u8; size];
    let Ok(n) = rustix::fs::llistxattr(path, &mut names[..]) else {
        return found;
    };
    for name in names[..n].split(|b| *b == 0).filter(|n| !n.is_empty()) {
        let name = String::from_utf8_lossy(name).into_owned();
        if !name.starts_with("user.") {
            continue;
        }
        let value = rustix::fs::lgetxattr_query(path, name.as_str())
            .and_then(|len| {
                let mut value = vec![0u8; len];
                let n = rustix::fs::lgetxattr(path, name.as_str(), &mut value[..])?;
                value.truncate(n);
                Ok(value)
            })
            .unwrap_or_default();
        found.insert(name, value);
    }
    found
}

/// The harness's one hash (xxh3, 64 bits): enough to tell two test files apart.
pub(crate) fn digest(data: &[u8]) -> u64 {
    xxhash_rust::xxh3::xxh3_64(data)
}

/// Everything observed of one run of a case by one subject.
#[derive(Clone, Debug)]
pub(crate) struct Observed {
    pub returned: Returned,
    pub snapshot: Snapshot,
    /// The root the subject worked in (to check that error messages name the right paths).
    pub root: std::path::PathBuf,
    /// Engine subjects: what the engine said it did.
    pub engine: Option<EngineTrace>,
}

/// What the engine reported beyond the outcome: not compared with CPython, only with the
/// expectations of docs/conformance.md (fallbacks, syscall counts).
#[derive(Clone, Debug, Default)]
pub(crate) struct EngineTrace {
    pub strategy_used: Option<copybench_engine::Strategy>,
    pub fallbacks: Vec<copybench_engine::Fallback>,
    pub counts: copybench_engine::SyscallCounts,
}

/// The differences between the oracle's outcome and a subject's, for a person; empty when
/// they agree.
///
/// `names_all`: the subject's error must name every path CPython's names. When false (a copy
/// through a userspace buffer or a pipe, whose failing syscall is on one side), naming one of
/// them is enough: CPython names both only on its in-kernel path (`err.filename`,
/// `err.filename2` in `_fastcopy_sendfile`); its own buffered loop names none.
pub(crate) fn differences(oracle: &Observed, subject: &Observed, names_all: bool) -> Vec<String> {
    let mut diffs = Vec::new();
    compare_returned(oracle, subject, names_all, &mut diffs);
    for (path, want) in &oracle.snapshot {
        match subject.snapshot.get(path) {
            None => diffs.push(format!(
                "{} missing (CPython has a {:?})",
                show(path),
                want.kind
            )),
            Some(got) => compare_entry(path, want, got, &mut diffs),
        }
    }
    for (path, got) in &subject.snapshot {
        if !oracle.snapshot.contains_key(path) {
            diffs.push(format!(
                "{} exists ({:?}); CPython leaves none",
                show(path),
                got.kind
            ));
        }
    }
    diffs
}

fn compare_returned(
    oracle: &Observed,
    subject: &Observed,
    names_all: bool,
    diffs: &mut Vec<String>,
) {
    match (&oracle.returned, &subject.returned) {
        (
            Returned::Raised {
                kind: want_kind,
                errno: want_errno,
                about,
                ..
            },
            Returned::Raised {
                kind,
                errno,
                message,
                ..
            },
        ) => {
            // CPython raises some errors from a message alone (SameFileError, and
            // FileNotFoundError for `missing-dir/`): there is no errno of its to compare.
            let errno_differs = want_errno.is_some() && want_errno != errno;
            if want_kind != kind || errno_differs {
                diffs.push(format!(
                    "raised {kind}{}, CPython raises {want_kind}{}",
                    show_errno(*errno),
                    show_errno(*want_errno)
                ));
            }
            let named = |path: &Vec<u8>| {
                let full = join(&subject.root, path);
                message.contains(full.to_string_lossy().as_ref())
            };
            let missing: Vec<String> = about
                .iter()
                .filter(|p| !named(p))
                .map(|p| show(p))
                .collect();
            if !missing.is_empty() && (names_all || missing.len() == about.len()) {
                diffs.push(format!(
                    "the error does not name {} as CPython's does: {message}",
                    missing.join(" and ")
                ));
            }
        }
        (want, got) if want != got => {
            diffs.push(format!("{}; CPython {}", got.describe(), want.describe()))
        }
        _ => {}
    }
}

fn compare_entry(path: &[u8], want: &EntryState, got: &EntryState, diffs: &mut Vec<String>) {
    let p = show(path);
    if want.kind != got.kind {
        diffs.push(format!(
            "{p}: a {:?}, CPython makes a {:?}",
            got.kind, want.kind
        ));
        return;
    }
    if want.content != got.content {
        diffs.push(format!(
            "{p}: content {}, CPython {}",
            describe_content(&got.content),
            describe_content(&want.content)
        ));
    }
    if want.mode != got.mode {
        diffs.push(format!(
            "{p}: mode {}, CPython {}",
            describe_mode(got.mode),
            describe_mode(want.mode)
        ));
    }
    if want.target != got.target {
        diffs.push(format!(
            "{p}: link to {}, CPython {}",
            show(got.target.as_deref().unwrap_or_default()),
            show(want.target.as_deref().unwrap_or_default())
        ));
    }
    if want.xattrs != got.xattrs {
        diffs.push(format!(
            "{p}: xattrs {:?}, CPython {:?}",
            got.xattrs.keys().collect::<Vec<_>>(),
            want.xattrs.keys().collect::<Vec<_>>()
        ));
    }
    if want.nlink != got.nlink {
        diffs.push(format!(
            "{p}: links {}, CPython {}",
            describe_count(got.nlink),
            describe_count(want.nlink)
        ));
    }
    if want.mtime != got.mtime {
        diffs.push(format!(
            "{p}: mtime {:?}, CPython {:?}",
            got.mtime, want.mtime
        ));
    }
    match (want.times_as_source, got.times_as_source) {
        (Some((want_a, want_m)), Some((got_a, got_m))) => {
            if want_a != got_a {
                diffs.push(format!(
                    "{p}: atime {} the source's, CPython's {}",
                    if got_a { "equals" } else { "differs from" },
                    if want_a { "equals it" } else { "differs" }
                ));
            }
            if want_m != got_m {
                diffs.push(format!(
                    "{p}: mtime {} the source's, CPython's {}",
                    if got_m { "equals" } else { "differs from" },
                    if want_m { "equals it" } else { "differs" }
                ));
            }
        }
        _ => {
            if want.atime != got.atime {
                diffs.push(format!(
                    "{p}: atime {:?}, CPython {:?}",
                    got.atime, want.atime
                ));
            }
        }
    }
}

/// Mode bits in octal, or `none` where the entry has none to compare (never a made-up 0).
pub(crate) fn describe_mode(mode: Option<u32>) -> String {
    mode.map_or_else(|| "none".to_owned(), |m| format!("{m:o}"))
}

fn describe_count(count: Option<u64>) -> String {
    count.map_or_else(|| "none".to_owned(), |n| n.to_string())
}

fn describe_content(content: &Option<ContentMark>) -> String {
    match content {
        None => "none".to_owned(),
        Some(ContentMark::Digest { len, digest }) => format!("{len} bytes (xxh3 {digest:016x})"),
        Some(ContentMark::Partial(mark)) => format!("{mark:?}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::conformance::fixture::{build, Node, FIXTURE_ATIME};

    #[test]
    fn snapshot_marks_fixture_times_and_mirrors() {
        let tmp = tempfile::tempdir().unwrap();
        let built = build(
            &tmp.path().join("r"),
            &[Node::text("src", "abc").xattr("user.x", b"1")],
            FIXTURE_ATIME,
        )
        .unwrap();
        std::fs::copy(built.root.join("src"), built.root.join("dst")).unwrap();
        let plan = SnapshotPlan {
            mirror: Some((b"dst".to_vec(), b"src".to_vec())),
            partial: Vec::new(),
            atime: FIXTURE_ATIME,
        };
        let snap = snapshot(&built.root, &plan).unwrap();
        let src = &snap[&b"src".to_vec()];
        let dst = &snap[&b"dst".to_vec()];
        assert_eq!(src.mtime, TimeMark::Fixture);
        assert_eq!(dst.mtime, TimeMark::Changed);
        assert_eq!(src.content, dst.content);
        assert_eq!(src.xattrs.get("user.x").map(Vec::as_slice), Some(&b"1"[..]));
        assert_eq!(dst.times_as_source.map(|t| t.1), Some(false));
    }

    #[test]
    fn differences_name_what_differs() {
        let entry = EntryState {
            kind: Kind::File,
            mode: Some(0o644),
            content: Some(ContentMark::Digest { len: 3, digest: 1 }),
            target: None,
            xattrs: BTreeMap::new(),
            nlink: Some(1),
            atime: TimeMark::Changed,
            mtime: TimeMark::Fixture,
            times_as_source: None,
            allocated: 0,
        };
        let oracle = Observed {
            returned: Returned::Path(b"dst".to_vec()),
            snapshot: [(b"dst".to_vec(), entry.clone())].into(),
            root: "/o".into(),
            engine: None,
        };
        let mut other = entry;
        other.mode = Some(0o600);
        let subject = Observed {
            returned: Returned::Path(b"dst".to_vec()),
            snapshot: [(b"dst".to_vec(), other)].into(),
            root: "/s".into(),
            engine: None,
        };
        assert_eq!(differences(&oracle, &oracle, true), Vec::<String>::new());
        assert_eq!(
            differences(&oracle, &subject, true),
            vec!["dst: mode 600, CPython 644"]
        );
    }
}
