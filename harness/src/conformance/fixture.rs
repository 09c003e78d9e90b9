//! Fixtures of the conformance cases: described as data, built afresh for every subject (and for
//! the oracle) so that each copies its own, identical files.

use std::ffi::{OsStr, OsString};
use std::io::Write;
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::{Path, PathBuf};

use rand::{RngCore, SeedableRng};
use rustix::fs::{AtFlags, Mode as FileMode, Timespec, Timestamps, CWD};

/// The access time every fixture entry gets: in the future (2033), later than the mtime and the
/// ctime, so that reading a source under `relatime` does not move it and "copied the atime" is
/// a plain equality, whether a copy stats its source before or after reading it.
pub(crate) const FIXTURE_ATIME: (i64, i64) = (2_000_000_000, 111_111_111);
/// An access time a read under `relatime` does move (older than the mtime): for the case that
/// checks *which* atime copy2 copies (CPython re-stats after reading).
pub(crate) const PAST_ATIME: (i64, i64) = (1_400_000_000, 333_333_333);
/// The modification time every fixture entry gets (ns precision, to see truncation).
pub(crate) const FIXTURE_MTIME: (i64, i64) = (1_500_000_000, 222_222_222);

/// A path below a case's root, as bytes (names need not be UTF-8).
pub(crate) fn rel(path: impl AsRef<[u8]>) -> Vec<u8> {
    path.as_ref().to_vec()
}

/// `root` joined with the bytes of `rel`, trailing slash kept (`missing-dir/` matters).
pub(crate) fn join(root: &Path, rel: &[u8]) -> PathBuf {
    if rel.starts_with(b"/") {
        return PathBuf::from(OsStr::from_bytes(rel));
    }
    let mut bytes = root.as_os_str().as_bytes().to_vec();
    if !bytes.ends_with(b"/") {
        bytes.push(b'/');
    }
    bytes.extend_from_slice(rel);
    PathBuf::from(OsString::from_vec(bytes))
}

/// What a file holds.
#[derive(Clone, Debug)]
pub(crate) enum Content {
    Bytes(Vec<u8>),
    /// `len` pseudo-random bytes from `seed`: the same for every subject.
    Random {
        len: u64,
        seed: u64,
    },
    /// A file of `len` bytes that is a hole except for random data at each (offset, len).
    Sparse {
        len: u64,
        data: Vec<(u64, u64)>,
    },
}

impl Content {
    pub(crate) fn text(s: &str) -> Content {
        Content::Bytes(s.as_bytes().to_vec())
    }

    /// The bytes' total length.
    pub(crate) fn len(&self) -> u64 {
        match self {
            Content::Bytes(b) => b.len() as u64,
            Content::Random { len, .. } | Content::Sparse { len, .. } => *len,
        }
    }
}

/// One entry of a fixture. Entries are made in order; parents are made as needed.
#[derive(Clone, Debug)]
pub(crate) enum Node {
    File {
        path: Vec<u8>,
        content: Content,
        mode: u32,
        xattrs: Vec<(String, Vec<u8>)>,
    },
    Dir {
        path: Vec<u8>,
        mode: u32,
    },
    Symlink {
        path: Vec<u8>,
        target: Vec<u8>,
    },
    HardLink {
        path: Vec<u8>,
        to: Vec<u8>,
    },
    Fifo {
        path: Vec<u8>,
    },
    /// A tmpfs of `size` bytes mounted at `path` (needs root); unmounted with the fixture.
    Tmpfs {
        path: Vec<u8>,
        size: u64,
    },
}

impl Node {
    pub(crate) fn file(path: impl AsRef<[u8]>, content: Content) -> Node {
        Node::File {
            path: rel(path),
            content,
            mode: 0o644,
            xattrs: Vec::new(),
        }
    }

    pub(crate) fn text(path: impl AsRef<[u8]>, text: &str) -> Node {
        Node::file(path, Content::text(text))
    }

    pub(crate) fn random(path: impl AsRef<[u8]>, len: u64, seed: u64) -> Node {
        Node::file(path, Content::Random { len, seed })
    }

    pub(crate) fn dir(path: impl AsRef<[u8]>) -> Node {
        Node::Dir {
            path: rel(path),
            mode: 0o755,
        }
    }

    pub(crate) fn symlink(path: impl AsRef<[u8]>, target: impl AsRef<[u8]>) -> Node {
        Node::Symlink {
            path: rel(path),
            target: rel(target),
        }
    }

    pub(crate) fn hard_link(path: impl AsRef<[u8]>, to: impl AsRef<[u8]>) -> Node {
        Node::HardLink {
            path: rel(path),
            to: rel(to),
        }
    }

    pub(crate) fn fifo(path: impl AsRef<[u8]>) -> Node {
        Node::Fifo { path: rel(path) }
    }

    pub(crate) fn tmpfs(path: impl AsRef<[u8]>, size: u64) -> Node {
        Node::Tmpfs {
            path: rel(path),
            size,
        }
    }

    /// The same node with permission bits `mode` (files and directories).
    pub(crate) fn mode(mut self, new_mode: u32) -> Node {
        match &mut self {
            Node::File { mode, .. } | Node::Dir { mode, .. } => *mode = new_mode,
            _ => {}
        }
        self
    }

    /// The same file with an extended attribute.
    pub(crate) fn xattr(mut self, name: &str, value: &[u8]) -> Node {
        if let Node::File { xattrs, .. } = &mut self {
            xattrs.push((name.to_owned(), value.to_vec()));
        }
        self
    }

    fn path(&self) -> &[u8] {
        match self {
            Node::File { path, .. }
            | Node::Dir { path, .. }
            | Node::Symlink { path, .. }
            | Node::HardLink { path, .. }
            | Node::Fifo { path }
            | Node::Tmpfs { path, .. } => path,
        }
    }
}

/// A built fixture: its root, and the mounts to undo. Dropping it unmounts and removes it all.
#[derive(Debug)]
pub(crate) struct Built {
    pub root: PathBuf,
    mounts: Vec<PathBuf>,
}

impl Built {
    /// Removes the fixture now (also done on drop).
    pub(crate) fn remove(mut self) {
        self.clean();
    }

    fn clean(&mut self) {
        for mount in self.mounts.drain(..).rev() {
            crate::os::unmount(&mount);
        }
        if self.root.as_os_str().is_empty() {
            return;
        }
        remove_tree(&self.root);
        self.root = PathBuf::new();
    }
}

impl Drop for Built {
    fn drop(&mut self) {
        self.clean();
    }
}

/// Whether a fixture needs root (it mounts a tmpfs).
pub(crate) fn needs_root(nodes: &[Node]) -> bool {
    nodes.iter().any(|n| matches!(n, Node::Tmpfs { .. }))
}

/// Builds `nodes` below `root` (which must not exist). Times and modes are set last, deepest
/// entries first, so that making children does not move a directory's times afterwards.
pub(crate) fn build(root: &Path, nodes: &[Node], atime: (i64, i64)) -> std::io::Result<Built> {
    std::fs::create_dir(root)?;
    let mut built = Built {
        root: root.to_owned(),
        mounts: Vec::new(),
    };
    for node in nodes {
        let path = join(root, node.path());
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        match node {
            Node::File {
                content, xattrs, ..
            } => {
                write_content(&path, content)?;
                for (name, value) in xattrs {
                    rustix::fs::setxattr(
                        &path,
                        name.as_str(),
                        value,
                        rustix::fs::XattrFlags::empty(),
                    )?;
                }
            }
            Node::Dir { .. } => std::fs::create_dir_all(&path)?,
            Node::Symlink { target, .. } => {
                std::os::unix::fs::symlink(OsStr::from_bytes(target), &path)?
            }
            Node::HardLink { to, .. } => std::fs::hard_link(join(root, to), &path)?,
            Node::Fifo { .. } => rustix::fs::mkfifoat(CWD, &path, FileMode::from_raw_mode(0o644))?,
            Node::Tmpfs { size, .. } => {
                std::fs::create_dir_all(&path)?;
                crate::os::mount_tmpfs(&path, *size)?;
                built.mounts.push(path);
            }
        }
    }
    let mut finishing: Vec<&Node> = nodes.iter().collect();
    finishing.sort_by_key(|n| std::cmp::Reverse(n.path().iter().filter(|b| **b == b'/').count()));
    let times = Timestamps {
        last_access: Timespec {
            tv_sec: atime.0,
            tv_nsec: atime.1,
        },
        last_modification: Timespec {
            tv_sec: FIXTURE_MTIME.0,
            tv_nsec: FIXTURE_MTIME.1,
        },
    };
    // Parent directories made implicitly get times too, after their children.
    let mut dirs: Vec<PathBuf> = Vec::new();
    for node in &finishing {
        let mut p = Path::new(OsStr::from_bytes(node.path())).parent();
        while let Some(parent) = p.filter(|p| !p.as_os_str().is_empty()) {
            let full = root.join(parent);
            if !dirs.contains(&full) {
                dirs.push(full);
            }
            p = parent.parent();
        }
    }
    for node in &finishing {
        let path = join(root, node.path());
        rustix::fs::utimensat(CWD, &path, &times, AtFlags::SYMLINK_NOFOLLOW)?;
    }
    dirs.sort_by_key(|d| std::cmp::Reverse(d.components().count()));
    for dir in &dirs {
        rustix::fs::utimensat(CWD, dir, &times, AtFlags::SYMLINK_NOFOLLOW)?;
    }
    for node in &finishing {
        if let Node::File { path, mode, .. } | Node::Dir { path, mode } = node {
            rustix::fs::chmod(join(root, path), FileMode::from_raw_mode(*mode))?;
        }
    }
    Ok(built)
}

/// Writes `content` to a new file at `path`.
pub(crate) fn write_content(path: &Path, content: &Content) -> std::io::Result<()> {
    let mut file = std::fs::File::create(path)?;
    match content {
        Content::Bytes(bytes) => file.write_all(bytes)?,
        Content::Random { len, seed } => {
            let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(*seed);
            let mut buf = vec![0u8; 1 << 20];
            let mut left = *len;
            while left > 0 {
                let n = left.min(buf.len() as u64) as usize;
                rng.fill_bytes(&mut buf[..n]);
                file.write_all(&buf[..n])?;
                left -= n as u64;
            }
        }
        Content::Sparse { len, data } => {
            use std::os::unix::fs::FileExt;
            let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(*len);
            for (offset, n) in data {
                let mut buf = vec![0u8; *n as usize];
                rng.fill_bytes(&mut buf);
                file.write_all_at(&buf, *offset)?;
            }
            file.set_len(*len)?;
        }
    }
    Ok(())
}

/// Removes `path` and everything below it, restoring search permission on directories a case
/// made unreadable (0o600) so that a non-root run can clean up too.
pub(crate) fn remove_tree(path: &Path) {
    if std::fs::remove_dir_all(path).is_ok() {
        return;
    }
    fn open_up(path: &Path) {
        let Ok(meta) = std::fs::symlink_metadata(path) else {
            return;
        };
        if meta.is_dir() {
            let _ = rustix::fs::chmod(path, FileMode::from_raw_mode(0o700));
            if let Ok(entries) = std::fs::read_dir(path) {
                for entry in entries.flatten() {
                    open_up(&entry.path());
                }
            }
        }
    }
    open_up(path);
    let _ = std::fs::remove_dir_all(path);
}

/// Gives everything below and including `root` to `nobody`, not following links.
pub(crate) fn give_to_nobody(root: &Path) -> std::io::Result<()> {
    let nobody = super::subject::NOBODY;
    std::os::unix::fs::lchown(root, Some(nobody), Some(nobody))?;
    if std::fs::symlink_metadata(root)?.is_dir() {
        for entry in std::fs::read_dir(root)? {
            give_to_nobody(&entry?.path())?;
        }
    }
    Ok(())
}

/// Whether `nobody` can reach files below `dir` (every ancestor searchable by others).
pub(crate) fn nobody_can_reach(dir: &Path) -> Result<(), String> {
    use std::os::unix::fs::PermissionsExt;
    for ancestor in dir.ancestors() {
        let mode = std::fs::metadata(ancestor)
            .map_err(|e| format!("cannot stat {}: {e}", ancestor.display()))?
            .permissions()
            .mode();
        if mode & 0o001 == 0 {
            return Err(format!(
                "needs an unprivileged user, and `nobody` cannot search {} (mode {:o})",
                ancestor.display(),
                mode & 0o7777
            ));
        }
    }
    Ok(())
}

/// True when this process runs as root (mounts are possible, permission bits do not stop reads).
pub(crate) fn is_root() -> bool {
    rustix::process::geteuid().is_root()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::MetadataExt;

    #[test]
    fn builds_entries_with_fixture_times_and_modes_last() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("f");
        let nodes = vec![
            Node::text("d/a", "hello").mode(0o444).xattr("user.k", b"v"),
            Node::symlink("d/link", "a"),
            Node::hard_link("d/hard", "d/a"),
            Node::fifo("fifo"),
            Node::dir("d/private").mode(0o700),
        ];
        let built = build(&root, &nodes, FIXTURE_ATIME).unwrap();
        let a = std::fs::metadata(root.join("d/a")).unwrap();
        assert_eq!(a.mode() & 0o7777, 0o444);
        assert_eq!((a.mtime(), a.mtime_nsec()), FIXTURE_MTIME);
        assert_eq!(a.nlink(), 2);
        let d = std::fs::metadata(root.join("d")).unwrap();
        assert_eq!((d.mtime(), d.mtime_nsec()), FIXTURE_MTIME);
        assert_eq!(
            std::fs::read_link(root.join("d/link")).unwrap(),
            Path::new("a")
        );
        built.remove();
        assert!(!root.exists());
    }

    #[test]
    fn join_keeps_trailing_slash_and_absolute_paths() {
        assert_eq!(
            join(Path::new("/r"), b"missing/").as_os_str().as_bytes(),
            b"/r/missing/"
        );
        assert_eq!(
            join(Path::new("/r"), b"/proc/version"),
            Path::new("/proc/version")
        );
    }
}
