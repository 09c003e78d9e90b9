//! Fixtures: the file or tree a scenario copies, generated from a seed and cached.
//!
//! Content is a ChaCha8 stream from the seed, so the same parameters give the same bytes on any
//! machine. A fixture is generated under a temporary name and renamed into place, then cached
//! under `fixtures/<key>/` with a manifest (every entry's size and a cheap hash of its first and
//! last 64 KiB), which is checked before the fixture is reused.

use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use copybench_result::{FixtureInfo, FixtureKind};
use rand::{Rng, RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use crate::scenario::FixtureSpec;
use crate::work_dir::WorkDir;

/// Bumped when generation changes, so older caches are not mistaken for the new layout.
const LAYOUT_VERSION: u32 = 1;
/// Bytes hashed at each end of a file by the manifest.
const HASHED_END: u64 = 64 * 1024;

/// Why a fixture could not be made or read.
#[derive(Debug, thiserror::Error)]
pub enum FixtureError {
    #[error("cannot {op} fixture {path}: {source}")]
    Io {
        op: &'static str,
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("fixture manifest {path}: {source}")]
    Manifest {
        path: PathBuf,
        source: serde_json::Error,
    },
}

fn io(op: &'static str, path: &Path) -> impl FnOnce(std::io::Error) -> FixtureError {
    let path = path.to_owned();
    move |source| FixtureError::Io { op, path, source }
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
    /// FNV-1a of the size, the first and the last 64 KiB (files), or of the link target.
    hash: u64,
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

/// Returns the cached fixture for `spec` if its manifest checks out, else generates it.
pub fn prepare(spec: &FixtureSpec, work: &WorkDir) -> Result<Fixture, FixtureError> {
    let key = key(spec);
    let dir = work.fixtures().join(&key);
    let manifest_path = dir.join("manifest.json");
    let data = dir.join("data");
    if manifest_path.exists() {
        let text = std::fs::read_to_string(&manifest_path).map_err(io("read", &manifest_path))?;
        let manifest: Result<Manifest, _> = serde_json::from_str(&text);
        if let Ok(manifest) = manifest {
            if manifest.key == key && manifest.layout_version == LAYOUT_VERSION {
                if let Ok(found) = scan(&data) {
                    if found == manifest.entries {
                        return Ok(fixture_from(spec, data, &found, true));
                    }
                }
            }
        }
        eprintln!(
            "copybench: fixture {} does not match its manifest; generating it again",
            dir.display()
        );
        std::fs::remove_dir_all(&dir).map_err(io("delete", &dir))?;
    }
    std::fs::create_dir_all(work.fixtures()).map_err(io("create", &work.fixtures()))?;
    let tmp = work
        .fixtures()
        .join(format!(".{key}.tmp-{}", std::process::id()));
    if tmp.exists() {
        std::fs::remove_dir_all(&tmp).map_err(io("delete", &tmp))?;
    }
    std::fs::create_dir_all(&tmp).map_err(io("create", &tmp))?;
    generate(spec, &tmp.join("data"))?;
    let entries = scan(&tmp.join("data"))?;
    let manifest = Manifest {
        layout_version: LAYOUT_VERSION,
        key: key.clone(),
        entries: entries.clone(),
    };
    let json = serde_json::to_vec_pretty(&manifest).map_err(|source| FixtureError::Manifest {
        path: manifest_path.clone(),
        source,
    })?;
    std::fs::write(tmp.join("manifest.json"), json).map_err(io("write", &manifest_path))?;
    std::fs::rename(&tmp, &dir).map_err(io("rename into place", &dir))?;
    Ok(fixture_from(spec, data, &entries, false))
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
        .sum();
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

/// Writes the fixture at `path` (which must not exist).
fn generate(spec: &FixtureSpec, path: &Path) -> Result<(), FixtureError> {
    match *spec {
        FixtureSpec::File {
            size,
            seed,
            sparse: false,
        } => {
            let mut rng = ChaCha8Rng::seed_from_u64(seed);
            write_random_file(path, size, &mut rng)
        }
        FixtureSpec::File {
            size,
            seed,
            sparse: true,
        } => {
            let mut rng = ChaCha8Rng::seed_from_u64(seed);
            write_sparse_file(path, size, &mut rng)
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
            std::fs::create_dir(path).map_err(io("create", path))?;
            for d in 0..dirs {
                let dir = path.join(format!("d{d:03}"));
                std::fs::create_dir(&dir).map_err(io("create", &dir))?;
            }
            for i in 0..files {
                let size = rng.random_range(size_min..=size_max);
                let file = tree_file(path, i, dirs);
                write_random_file(&file, size, &mut rng)?;
            }
            // Links point at a file in their own directory, spread over the tree.
            for j in 0..symlinks {
                let i = j * files / symlinks.max(1);
                let d = i % dirs;
                let link = path.join(format!("d{d:03}/l{j:05}"));
                std::os::unix::fs::symlink(format!("f{i:05}"), &link)
                    .map_err(io("create symlink", &link))?;
            }
            Ok(())
        }
    }
}

/// File `i` of a tree: spread round-robin over the directories.
fn tree_file(root: &Path, i: u64, dirs: u64) -> PathBuf {
    root.join(format!("d{:03}/f{i:05}", i % dirs))
}

fn write_random_file(path: &Path, size: u64, rng: &mut ChaCha8Rng) -> Result<(), FixtureError> {
    let mut file = std::fs::File::create(path).map_err(io("create", path))?;
    let mut buf = vec![0u8; (1 << 20).min(size as usize).max(1)];
    let mut left = size;
    while left > 0 {
        let n = (buf.len() as u64).min(left) as usize;
        rng.fill_bytes(&mut buf[..n]);
        file.write_all(&buf[..n]).map_err(io("write", path))?;
        left -= n as u64;
    }
    Ok(())
}

/// A sparse file fixture holds data only in the first [`SPARSE_DATA`] of every
/// [`SPARSE_PERIOD`]: three quarters holes, the last of them at the end of the file (a copy
/// that writes zeros there instead is caught as well as one that fills the middle).
pub const SPARSE_PERIOD: u64 = 4 << 20;
pub const SPARSE_DATA: u64 = 1 << 20;

fn write_sparse_file(path: &Path, size: u64, rng: &mut ChaCha8Rng) -> Result<(), FixtureError> {
    let mut file = std::fs::File::create(path).map_err(io("create", path))?;
    let mut buf = vec![0u8; SPARSE_DATA as usize];
    let mut at = 0;
    while at < size {
        let n = SPARSE_DATA.min(size - at) as usize;
        rng.fill_bytes(&mut buf[..n]);
        file.seek(SeekFrom::Start(at))
            .map_err(io("seek in", path))?;
        file.write_all(&buf[..n]).map_err(io("write", path))?;
        at += SPARSE_PERIOD;
    }
    file.set_len(size).map_err(io("size", path))
}

/// Generates `spec` afresh under `dir` (which exists; typically on a target made for one
/// scenario, where a cache would not outlive the scenario), as `dir/data`.
pub fn generate_in(spec: &FixtureSpec, dir: &Path) -> Result<Fixture, FixtureError> {
    let data = dir.join("data");
    generate(spec, &data)?;
    let entries = scan(&data)?;
    Ok(fixture_from(spec, data, &entries, false))
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

/// Lists the fixture at `root` as manifest entries, sorted by path.
fn scan(root: &Path) -> Result<Vec<ManifestEntry>, FixtureError> {
    let mut entries = Vec::new();
    let mut stack = vec![PathBuf::new()];
    while let Some(rel) = stack.pop() {
        let path = if rel.as_os_str().is_empty() {
            root.to_owned()
        } else {
            root.join(&rel)
        };
        let meta = std::fs::symlink_metadata(&path).map_err(io("stat", &path))?;
        let name = rel.to_string_lossy().into_owned();
        if meta.is_symlink() {
            let target = std::fs::read_link(&path).map_err(io("read link", &path))?;
            entries.push(ManifestEntry {
                path: name,
                kind: "symlink".into(),
                size: 0,
                hash: fnv1a(target.as_os_str().as_encoded_bytes(), FNV_OFFSET),
            });
        } else if meta.is_dir() {
            entries.push(ManifestEntry {
                path: name,
                kind: "dir".into(),
                size: 0,
                hash: 0,
            });
            for child in std::fs::read_dir(&path).map_err(io("list", &path))? {
                let child = child.map_err(io("list", &path))?;
                stack.push(rel.join(child.file_name()));
            }
        } else {
            entries.push(ManifestEntry {
                path: name,
                kind: "file".into(),
                size: meta.len(),
                hash: cheap_hash(&path, meta.len())?,
            });
        }
    }
    entries.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(entries)
}

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;

fn fnv1a(bytes: &[u8], mut hash: u64) -> u64 {
    for b in bytes {
        hash ^= u64::from(*b);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    hash
}

/// FNV-1a over the size and the first and last 64 KiB: catches truncation and overwrites at
/// either end without reading a 512 MiB file whole.
fn cheap_hash(path: &Path, size: u64) -> Result<u64, FixtureError> {
    let mut file = std::fs::File::open(path).map_err(io("open", path))?;
    let mut hash = fnv1a(&size.to_le_bytes(), FNV_OFFSET);
    let mut buf = vec![0u8; HASHED_END.min(size) as usize];
    file.read_exact(&mut buf).map_err(io("read", path))?;
    hash = fnv1a(&buf, hash);
    if size > HASHED_END {
        file.seek(SeekFrom::Start(size - HASHED_END))
            .map_err(io("seek", path))?;
        buf.resize(HASHED_END as usize, 0);
        file.read_exact(&mut buf).map_err(io("read", path))?;
        hash = fnv1a(&buf, hash);
    }
    Ok(hash)
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
        let f = generate_in(&spec, tmp.path()).unwrap();
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
