//! Fixtures: the file or tree a scenario copies, generated from a seed and cached.
//!
//! Content is a ChaCha8 stream from the seed, so the same parameters give the same bytes on any
//! machine. A fixture is generated under a temporary name and renamed into place, then cached
//! under `fixtures/<key>/` with a manifest: every entry's kind, size and an xxh3 hash of every
//! byte (of a link: its target), checked in full before the fixture is reused. Everything is
//! reached from the work directory's descriptor, never through a symlink (`work_dir`).

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use copybench_result::{FixtureInfo, FixtureKind};
use rand::{Rng, RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rustix::fs::{AtFlags, FileType, Mode, OFlags};
use rustix::io::Errno;
use serde::{Deserialize, Serialize};

use crate::scenario::FixtureSpec;
use crate::size::ByteSize;
use crate::work_dir::{Dir, WorkDir, WorkDirError};

/// Bumped when generation or the manifest changes, so older caches are not mistaken for the
/// new layout (2: a hash of every byte instead of the two ends).
const LAYOUT_VERSION: u32 = 2;
/// The name of the fixture itself inside its cache directory.
const DATA: &str = "data";
const MANIFEST: &str = "manifest.json";

/// Why a fixture could not be made or read.
#[derive(Debug, thiserror::Error)]
pub enum FixtureError {
    #[error(transparent)]
    WorkDir(#[from] WorkDirError),
    #[error("cannot {op} fixture {path}: {}", copybench_engine::errno::describe(*errno))]
    Io {
        op: &'static str,
        path: PathBuf,
        errno: Errno,
    },
    #[error("cannot encode the fixture manifest {path}: {message}")]
    Manifest { path: PathBuf, message: String },
    #[error("`{key}` needs {}{}, but the filesystem of {} has {} free", ByteSize(*needed).human(), if *inodes > 0 { format!(" and {inodes} files") } else { String::new() }, path.display(), free)]
    NoSpace {
        /// The scenario key that asks for the space (`fixture.size`).
        key: &'static str,
        needed: u64,
        inodes: u64,
        /// What is free, in words.
        free: String,
        path: PathBuf,
    },
    #[error("fixture {path} changed while it was read: {what}")]
    Changed { path: PathBuf, what: String },
    #[error("interrupted by {0} while generating the fixture")]
    Interrupted(crate::interrupt::Signal),
}

fn io(op: &'static str, path: &Path) -> impl FnOnce(Errno) -> FixtureError {
    let path = path.to_owned();
    move |errno| FixtureError::Io { op, path, errno }
}

fn io_std(op: &'static str, path: &Path) -> impl FnOnce(std::io::Error) -> FixtureError {
    let path = path.to_owned();
    move |e| FixtureError::Io {
        op,
        path,
        errno: Errno::from_io_error(&e).unwrap_or(Errno::IO),
    }
}

/// A fixture ready to be copied.
#[derive(Clone, Debug)]
pub struct Fixture {
    /// The file, or the tree's root directory.
    pub path: PathBuf,
    /// Every regular file (for cache eviction and checks).
    pub files: Vec<PathBuf>,
    pub info: FixtureInfo,
    /// Whether it was generated now or reused from the cache.
    pub reused: bool,
}

#[derive(Debug, Serialize, Deserialize, PartialEq, Eq)]
struct Manifest {
    layout_version: u32,
    key: String,
    entries: Vec<ManifestEntry>,
}

#[derive(Debug, Serialize, Deserialize, PartialEq, Eq, Clone)]
struct ManifestEntry {
    /// Relative to the fixture root (empty for a file fixture).
    path: String,
    /// `file`, `dir` or `symlink`.
    kind: String,
    size: u64,
    /// xxh3-64 of every byte (files) or of the link target (symlinks); 0 for directories.
    xxh3: u64,
}

/// The cache key: every parameter that changes the bytes.
pub fn key(spec: &FixtureSpec) -> String {
    match *spec {
        FixtureSpec::File {
            size,
            seed,
            sparse: false,
        } => format!("file-{size}b-seed{seed}-v{LAYOUT_VERSION}"),
        FixtureSpec::File {
            size,
            seed,
            sparse: true,
        } => format!("file-{size}b-sparse-seed{seed}-v{LAYOUT_VERSION}"),
        FixtureSpec::Tree {
            files,
            dirs,
            size_min,
            size_max,
            symlinks,
            seed,
        } => format!(
            "tree-{files}f-{dirs}d-{size_min}to{size_max}b-{symlinks}l-seed{seed}-v{LAYOUT_VERSION}"
        ),
    }
}

/// What preparing a fixture is doing, for a progress display: checking a cached fixture,
/// writing a new one, or hashing what was written for its manifest.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    Checking,
    Generating,
    Hashing,
}

/// Bytes done so far in a phase, and in all when known (a tree's size is drawn file by file).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Step {
    pub phase: Phase,
    pub bytes: u64,
    pub total: Option<u64>,
}

/// Told of each step, about once per MiB and once per file.
pub type Report<'a> = &'a mut dyn FnMut(Step);

/// Returns the cached fixture for `spec` if every byte matches its manifest, else generates
/// it (saying why), after checking the filesystem has room for it.
pub fn prepare(spec: &FixtureSpec, work: &WorkDir) -> Result<Fixture, FixtureError> {
    prepare_reporting(spec, work, &mut |_| {})
}

/// [`prepare`], telling `report` how far it is.
pub fn prepare_reporting(
    spec: &FixtureSpec,
    work: &WorkDir,
    report: Report,
) -> Result<Fixture, FixtureError> {
    let key = key(spec);
    let fixtures = work.fixtures()?;
    if let Some(cached) = fixtures.existing_child(&key)? {
        match verify(&cached, &key, report) {
            Ok(entries) => return Ok(fixture_from(spec, cached.join(DATA), &entries, true)),
            Err(why) => eprintln!(
                "copybench: fixture {} {why}; generating it again",
                cached.path().display()
            ),
        }
        drop(cached);
        fixtures.remove(&key)?;
    }
    check_space(spec, &fixtures)?;
    let tmp_name = format!(".{key}.tmp-{}", std::process::id());
    fixtures.remove(&tmp_name)?;
    // Removed again if generation fails or is interrupted, so no half fixture stays.
    let mut tmp = Temporary {
        parent: &fixtures,
        name: &tmp_name,
        dir: fixtures.new_child(&tmp_name)?,
        keep: false,
    };
    // A file's size is known up front; a tree's files draw theirs as they are written.
    let size = match *spec {
        FixtureSpec::File { size, .. } => Some(size),
        FixtureSpec::Tree { .. } => None,
    };
    let mut written = Tally::new(Phase::Generating, size, report);
    generate(spec, &tmp.dir, &mut written)?;
    let mut hashed = Tally::new(Phase::Hashing, Some(written.bytes), written.report);
    let entries = scan(&tmp.dir, &mut hashed)?;
    let manifest = Manifest {
        layout_version: LAYOUT_VERSION,
        key: key.clone(),
        entries: entries.clone(),
    };
    let json = serde_json::to_vec_pretty(&manifest).map_err(|e| FixtureError::Manifest {
        path: tmp.dir.join(MANIFEST),
        message: e.to_string(),
    })?;
    tmp.dir.write_atomically(MANIFEST, &json)?;
    fixtures.rename(&tmp_name, &fixtures, &key)?;
    tmp.keep = true;
    Ok(fixture_from(
        spec,
        fixtures.join(&key).join(DATA),
        &entries,
        false,
    ))
}

/// A fixture being generated: deleted when dropped before it was renamed into place (an
/// error or an interrupt).
struct Temporary<'a> {
    parent: &'a Dir,
    name: &'a str,
    dir: Dir,
    keep: bool,
}

impl Drop for Temporary<'_> {
    fn drop(&mut self) {
        if self.keep {
            return;
        }
        if let Err(e) = self.parent.remove(self.name) {
            eprintln!("copybench: warning: {e}");
        }
    }
}

/// Whether the cached fixture in `dir` is intact: its manifest, then every byte.
fn verify(dir: &Dir, key: &str, report: Report) -> Result<Vec<ManifestEntry>, String> {
    let text = dir
        .read(MANIFEST)
        .map_err(|e| e.to_string())?
        .ok_or("has no manifest")?;
    let manifest: Manifest =
        serde_json::from_slice(&text).map_err(|e| format!("has an unreadable manifest ({e})"))?;
    if manifest.key != key || manifest.layout_version != LAYOUT_VERSION {
        return Err("has a manifest of another fixture".to_owned());
    }
    let total = manifest.entries.iter().map(|e| e.size).sum();
    let mut checked = Tally::new(Phase::Checking, Some(total), report);
    let found = scan(dir, &mut checked).map_err(|e| format!("cannot be read ({e})"))?;
    if found == manifest.entries {
        return Ok(found);
    }
    let changed = found
        .iter()
        .zip(&manifest.entries)
        .find(|(f, m)| f != m)
        .map(|(f, _)| format!("`{}` differs from its checksum", f.path))
        .unwrap_or_else(|| "has entries added or missing".to_owned());
    Err(format!("does not match its manifest: {changed}"))
}

/// What `spec` needs on disk, by the key that asks for it: bytes at most, and inodes.
fn space_needed(spec: &FixtureSpec) -> (&'static str, u64, u64) {
    match *spec {
        FixtureSpec::File { size, .. } => ("fixture.size", size, 0),
        FixtureSpec::Tree {
            files,
            dirs,
            size_max,
            symlinks,
            ..
        } => (
            "fixture.files × fixture.size_max",
            files.saturating_mul(size_max),
            files.saturating_add(dirs).saturating_add(symlinks),
        ),
    }
}

/// Refuses a fixture the filesystem cannot hold, before anything is written (a fixture that
/// fills the disk would make every later run fail, whatever its size).
fn check_space(spec: &FixtureSpec, dir: &Dir) -> Result<(), FixtureError> {
    let free = dir.free_space()?;
    let (key, needed, inodes) = space_needed(spec);
    if needed > free.bytes || free.inodes.is_some_and(|free| inodes > free) {
        return Err(FixtureError::NoSpace {
            key,
            needed,
            inodes,
            free: free.describe(),
            path: dir.path().to_owned(),
        });
    }
    Ok(())
}

fn fixture_from(
    spec: &FixtureSpec,
    path: PathBuf,
    entries: &[ManifestEntry],
    reused: bool,
) -> Fixture {
    let files: Vec<PathBuf> = entries
        .iter()
        .filter(|e| e.kind == "file")
        .map(|e| {
            if e.path.is_empty() {
                path.clone()
            } else {
                path.join(&e.path)
            }
        })
        .collect();
    let count = |kind: &str| entries.iter().filter(|e| e.kind == kind).count() as u64;
    let bytes = entries
        .iter()
        .filter(|e| e.kind == "file")
        .map(|e| e.size)
        .fold(0u64, u64::saturating_add);
    let (size_min, size_max) = match *spec {
        FixtureSpec::File { .. } => (None, None),
        FixtureSpec::Tree {
            size_min, size_max, ..
        } => (Some(size_min), Some(size_max)),
    };
    let info = FixtureInfo {
        kind: spec.kind(),
        bytes,
        files: files.len() as u64,
        // The root itself is not counted.
        dirs: count("dir").saturating_sub(u64::from(spec.kind() == FixtureKind::Tree)),
        symlinks: count("symlink"),
        size_min,
        size_max,
        seed: spec.seed(),
        sparse: matches!(spec, FixtureSpec::File { sparse: true, .. }),
        path: path.display().to_string(),
    };
    Fixture {
        path,
        files,
        info,
        reused,
    }
}

/// Writes the fixture as `data` in `dir` (a fresh directory of this run).
fn generate(spec: &FixtureSpec, dir: &Dir, tally: &mut Tally) -> Result<(), FixtureError> {
    match *spec {
        FixtureSpec::File {
            size,
            seed,
            sparse: false,
        } => {
            let mut rng = ChaCha8Rng::seed_from_u64(seed);
            write_random_file(dir, DATA, size, &mut rng, tally)
        }
        FixtureSpec::File {
            size,
            seed,
            sparse: true,
        } => {
            let mut rng = ChaCha8Rng::seed_from_u64(seed);
            write_sparse_file(dir, DATA, size, &mut rng, tally)
        }
        FixtureSpec::Tree {
            files,
            dirs,
            size_min,
            size_max,
            symlinks,
            seed,
        } => {
            let mut rng = ChaCha8Rng::seed_from_u64(seed);
            let data = dir.new_child(DATA)?;
            for d in 0..dirs {
                data.new_child(format!("d{d:03}"))?;
            }
            for i in 0..files {
                let size = rng.random_range(size_min..=size_max);
                write_random_file(&data, &tree_file(i, dirs), size, &mut rng, tally)?;
            }
            // Links point at a file in their own directory, spread over the tree.
            for j in 0..symlinks {
                let i = (u128::from(j) * u128::from(files) / u128::from(symlinks.max(1))) as u64;
                let d = i % dirs;
                let link = format!("d{d:03}/l{j:05}");
                rustix::fs::symlinkat(format!("f{i:05}"), data.fd(), link.as_str())
                    .map_err(io("create symlink", &data.join(&link)))?;
            }
            Ok(())
        }
    }
}

/// Bytes done in one phase, passed on to the [`Report`].
struct Tally<'r> {
    phase: Phase,
    bytes: u64,
    total: Option<u64>,
    report: &'r mut dyn FnMut(Step),
}

impl<'r> Tally<'r> {
    fn new(phase: Phase, total: Option<u64>, report: &'r mut dyn FnMut(Step)) -> Self {
        Tally {
            phase,
            bytes: 0,
            total,
            report,
        }
    }

    fn add(&mut self, bytes: u64) {
        self.bytes += bytes;
        (self.report)(Step {
            phase: self.phase,
            bytes: self.bytes,
            total: self.total,
        });
    }
}

/// File `i` of a tree, relative to its root: spread round-robin over the directories.
fn tree_file(i: u64, dirs: u64) -> String {
    format!("d{:03}/f{i:05}", i % dirs)
}

fn write_random_file(
    dir: &Dir,
    name: &str,
    size: u64,
    rng: &mut ChaCha8Rng,
    tally: &mut Tally,
) -> Result<(), FixtureError> {
    let path = dir.join(name);
    let mut file = dir.create_file(name)?;
    let mut buf = vec![0u8; (1u64 << 20).min(size).max(1) as usize];
    let mut left = size;
    while left > 0 {
        crate::interrupt::check().map_err(FixtureError::Interrupted)?;
        let n = (buf.len() as u64).min(left) as usize;
        rng.fill_bytes(&mut buf[..n]);
        file.write_all(&buf[..n]).map_err(io_std("write", &path))?;
        left -= n as u64;
        tally.add(n as u64);
    }
    Ok(())
}

/// A sparse file fixture holds data only in the first [`SPARSE_DATA`] of every
/// [`SPARSE_PERIOD`]: three quarters holes, the last of them at the end of the file (a copy
/// that writes zeros there instead is caught as well as one that fills the middle).
pub const SPARSE_PERIOD: u64 = 4 << 20;
pub const SPARSE_DATA: u64 = 1 << 20;

fn write_sparse_file(
    dir: &Dir,
    name: &str,
    size: u64,
    rng: &mut ChaCha8Rng,
    tally: &mut Tally,
) -> Result<(), FixtureError> {
    use std::io::{Seek, SeekFrom};
    let path = dir.join(name);
    let mut file = dir.create_file(name)?;
    let mut buf = vec![0u8; SPARSE_DATA as usize];
    let mut at = 0;
    while at < size {
        crate::interrupt::check().map_err(FixtureError::Interrupted)?;
        let n = SPARSE_DATA.min(size - at) as usize;
        rng.fill_bytes(&mut buf[..n]);
        file.seek(SeekFrom::Start(at))
            .map_err(io_std("seek in", &path))?;
        file.write_all(&buf[..n]).map_err(io_std("write", &path))?;
        tally.add(n as u64);
        at = at.saturating_add(SPARSE_PERIOD);
    }
    file.set_len(size).map_err(io_std("size", &path))
}

/// Generates `spec` afresh as `data` in `dir`, with no cache: on a target made for one
/// scenario, which a cache would not outlive. The filesystem's room is checked first.
pub fn generate_in(spec: &FixtureSpec, dir: &Dir) -> Result<Fixture, FixtureError> {
    check_space(spec, dir)?;
    let mut report = |_: Step| {};
    let mut written = Tally::new(Phase::Generating, None, &mut report);
    generate(spec, dir, &mut written)?;
    let mut report = |_: Step| {};
    let mut hashed = Tally::new(Phase::Hashing, None, &mut report);
    let entries = scan(dir, &mut hashed)?;
    Ok(fixture_from(spec, dir.join(DATA), &entries, false))
}

impl Fixture {
    /// The same fixture seen under `to` instead of `from` (files generated on an SMB server's
    /// disk, copied through the mounted share).
    pub fn rebased(mut self, from: &Path, to: &Path) -> Fixture {
        let rebase = |p: &Path| match p.strip_prefix(from) {
            Ok(rel) => to.join(rel),
            Err(_) => p.to_owned(),
        };
        self.path = rebase(&self.path);
        self.files = self.files.iter().map(|f| rebase(f)).collect();
        self.info.path = self.path.display().to_string();
        self
    }
}

/// Lists the fixture `data` in `dir` as manifest entries, sorted by path, hashing every byte.
fn scan(dir: &Dir, tally: &mut Tally) -> Result<Vec<ManifestEntry>, FixtureError> {
    let mut entries = Vec::new();
    let mut stack = vec![String::new()];
    while let Some(rel) = stack.pop() {
        let at = if rel.is_empty() {
            DATA.to_owned()
        } else {
            format!("{DATA}/{rel}")
        };
        let path = dir.join(&at);
        let st = rustix::fs::statat(dir.fd(), at.as_str(), AtFlags::SYMLINK_NOFOLLOW)
            .map_err(io("stat", &path))?;
        match FileType::from_raw_mode(st.st_mode) {
            FileType::Symlink => {
                let target = rustix::fs::readlinkat(dir.fd(), at.as_str(), Vec::new())
                    .map_err(io("read link", &path))?;
                entries.push(ManifestEntry {
                    path: rel,
                    kind: "symlink".into(),
                    size: 0,
                    xxh3: xxhash_rust::xxh3::xxh3_64(target.as_bytes()),
                });
            }
            FileType::Directory => {
                let sub = dir
                    .existing_child(&at)?
                    .ok_or_else(|| FixtureError::Changed {
                        path: path.clone(),
                        what: "a directory vanished".to_owned(),
                    })?;
                for name in sub.names()? {
                    let name = name.to_string_lossy();
                    stack.push(if rel.is_empty() {
                        name.into_owned()
                    } else {
                        format!("{rel}/{name}")
                    });
                }
                entries.push(ManifestEntry {
                    path: rel,
                    kind: "dir".into(),
                    size: 0,
                    xxh3: 0,
                });
            }
            FileType::RegularFile => {
                let size = st.st_size as u64;
                entries.push(ManifestEntry {
                    xxh3: hash_file(dir, &at, size, tally)?,
                    path: rel,
                    kind: "file".into(),
                    size,
                });
            }
            other => {
                return Err(FixtureError::Changed {
                    path,
                    what: format!("a {other:?} is not part of any fixture"),
                })
            }
        }
    }
    entries.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(entries)
}

/// xxh3-64 of every byte of `at` in `dir`, which must have `size` bytes.
fn hash_file(dir: &Dir, at: &str, size: u64, tally: &mut Tally) -> Result<u64, FixtureError> {
    let path = dir.join(at);
    let flags = OFlags::RDONLY | OFlags::NOFOLLOW | OFlags::CLOEXEC;
    let fd = rustix::fs::openat(dir.fd(), at, flags, Mode::empty()).map_err(io("open", &path))?;
    let mut file = std::fs::File::from(fd);
    let mut hasher = xxhash_rust::xxh3::Xxh3::new();
    let mut buf = vec![0u8; 1 << 20];
    let mut read = 0u64;
    loop {
        let n = file.read(&mut buf).map_err(io_std("read", &path))?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
        read += n as u64;
        tally.add(n as u64);
    }
    if read != size {
        return Err(FixtureError::Changed {
            path,
            what: format!("{read} bytes read, {size} expected"),
        });
    }
    Ok(hasher.digest())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree_spec() -> FixtureSpec {
        FixtureSpec::Tree {
            files: 30,
            dirs: 3,
            size_min: 10,
            size_max: 3000,
            symlinks: 2,
            seed: 5,
        }
    }

    #[test]
    fn the_same_seed_gives_the_same_bytes_and_the_cache_is_reused() {
        let a = tempfile::tempdir().unwrap();
        let b = tempfile::tempdir().unwrap();
        let spec = FixtureSpec::File {
            size: 200_000,
            seed: 9,
            sparse: false,
        };
        let fa = prepare(&spec, &WorkDir::open(a.path()).unwrap()).unwrap();
        let fb = prepare(&spec, &WorkDir::open(b.path()).unwrap()).unwrap();
        assert!(!fa.reused);
        assert_eq!(
            std::fs::read(&fa.path).unwrap(),
            std::fs::read(&fb.path).unwrap()
        );
        assert_eq!(fa.info.bytes, 200_000);
        let again = prepare(&spec, &WorkDir::open(a.path()).unwrap()).unwrap();
        assert!(again.reused);
        let other = prepare(
            &FixtureSpec::File {
                size: 200_000,
                seed: 10,
                sparse: false,
            },
            &WorkDir::open(a.path()).unwrap(),
        )
        .unwrap();
        assert_ne!(
            std::fs::read(&fa.path).unwrap(),
            std::fs::read(&other.path).unwrap()
        );
    }

    #[test]
    fn preparing_reports_bytes_written_hashed_and_checked() {
        let tmp = tempfile::tempdir().unwrap();
        let work = WorkDir::open(tmp.path()).unwrap();
        let spec = FixtureSpec::File {
            size: 3 << 20,
            seed: 5,
            sparse: false,
        };
        let mut steps = Vec::new();
        prepare_reporting(&spec, &work, &mut |step| steps.push(step)).unwrap();
        fn last(steps: &[Step], phase: Phase) -> Option<Step> {
            steps.iter().rev().find(|s| s.phase == phase).copied()
        }
        let whole = Some(3 << 20);
        for phase in [Phase::Generating, Phase::Hashing] {
            let step = last(&steps, phase).expect("the phase was reported");
            assert_eq!((step.bytes, step.total), (3 << 20, whole), "{phase:?}");
        }
        assert!(
            steps
                .iter()
                .filter(|s| s.phase == Phase::Generating)
                .count()
                >= 3
        );
        steps.clear();
        prepare_reporting(&spec, &work, &mut |step| steps.push(step)).unwrap();
        assert!(steps.iter().all(|s| s.phase == Phase::Checking));
        assert_eq!(
            steps.last().map(|s| (s.bytes, s.total)),
            Some((3 << 20, whole))
        );
        // A tree's size is not known before it is written.
        steps.clear();
        prepare_reporting(&tree_spec(), &work, &mut |step| steps.push(step)).unwrap();
        let written = last(&steps, Phase::Generating).unwrap();
        assert_eq!(written.total, None);
        assert_eq!(
            last(&steps, Phase::Hashing).unwrap().total,
            Some(written.bytes)
        );
    }

    #[test]
    fn a_tree_has_its_counts_and_a_damaged_cache_is_regenerated() {
        let tmp = tempfile::tempdir().unwrap();
        let work = WorkDir::open(tmp.path()).unwrap();
        let f = prepare(&tree_spec(), &work).unwrap();
        assert_eq!((f.info.files, f.info.dirs, f.info.symlinks), (30, 3, 2));
        assert_eq!(f.files.len(), 30);
        let sizes: u64 = f
            .files
            .iter()
            .map(|p| std::fs::metadata(p).unwrap().len())
            .sum();
        assert_eq!(sizes, f.info.bytes);
        assert!(f
            .files
            .iter()
            .all(|p| (10..=3000).contains(&std::fs::metadata(p).unwrap().len())));
        // Damage one file: the next prepare must notice and regenerate.
        std::fs::write(&f.files[0], b"damaged").unwrap();
        let again = prepare(&tree_spec(), &work).unwrap();
        assert!(!again.reused);
        assert_ne!(std::fs::read(&again.files[0]).unwrap(), b"damaged");
        assert!(prepare(&tree_spec(), &work).unwrap().reused);
    }

    #[test]
    fn one_flipped_byte_in_the_middle_is_noticed_and_regenerated() {
        let tmp = tempfile::tempdir().unwrap();
        let work = WorkDir::open(tmp.path()).unwrap();
        // Larger than the two 64 KiB ends the old manifest hashed (issue 9, finding 8).
        let spec = FixtureSpec::File {
            size: 300_000,
            seed: 3,
            sparse: false,
        };
        let f = prepare(&spec, &work).unwrap();
        let good = std::fs::read(&f.path).unwrap();
        let mut bad = good.clone();
        bad[150_000] ^= 1;
        std::fs::write(&f.path, &bad).unwrap();
        let again = prepare(&spec, &work).unwrap();
        assert!(!again.reused);
        assert_eq!(std::fs::read(&again.path).unwrap(), good);
        assert!(prepare(&spec, &work).unwrap().reused);
    }

    #[test]
    fn a_fixture_larger_than_the_free_space_is_refused_before_writing() {
        let tmp = tempfile::tempdir().unwrap();
        let work = WorkDir::open(tmp.path()).unwrap();
        let spec = FixtureSpec::File {
            size: i64::MAX as u64,
            seed: 1,
            sparse: false,
        };
        let e = prepare(&spec, &work).unwrap_err();
        let text = e.to_string();
        assert!(matches!(e, FixtureError::NoSpace { .. }), "{text}");
        assert!(
            text.contains("`fixture.size`") && text.contains("free"),
            "{text}"
        );
        assert!(work.fixtures().unwrap().names().unwrap().is_empty());
        let tree = FixtureSpec::Tree {
            files: u64::MAX / 2,
            dirs: 1,
            size_min: 1,
            size_max: 1,
            symlinks: 0,
            seed: 1,
        };
        let e = prepare(&tree, &work).unwrap_err().to_string();
        assert!(e.contains("fixture.files"), "{e}");
    }

    #[test]
    fn a_sparse_fixture_has_data_only_where_it_says_and_its_own_cache_key() {
        let tmp = tempfile::tempdir().unwrap();
        let spec = FixtureSpec::File {
            size: 9 << 20,
            seed: 3,
            sparse: true,
        };
        let dense = FixtureSpec::File {
            size: 9 << 20,
            seed: 3,
            sparse: false,
        };
        assert_ne!(key(&spec), key(&dense));
        let dir = Dir::open_named(tmp.path()).unwrap();
        let f = generate_in(&spec, &dir).unwrap();
        assert!(f.info.sparse);
        let bytes = std::fs::read(&f.path).unwrap();
        assert_eq!(bytes.len(), 9 << 20);
        // Data at 0, 4 and 8 MiB; zeros in between.
        assert!(bytes[..1 << 20].iter().any(|b| *b != 0));
        assert!(bytes[1 << 20..4 << 20].iter().all(|b| *b == 0));
        assert!(bytes[4 << 20..5 << 20].iter().any(|b| *b != 0));
        assert!(bytes[5 << 20..8 << 20].iter().all(|b| *b == 0));
        let file = std::fs::File::open(&f.path).unwrap();
        let data: u64 = crate::os::data_ranges(&file, 9 << 20)
            .unwrap()
            .iter()
            .map(|r| r.1)
            .sum();
        // A filesystem that keeps holes keeps these (tmpfs and ext4 do).
        assert!(data == 9 << 20 || data <= 3 << 20, "{data}");
    }
}
