//! Helpers shared by the tree tests: laying out source trees and comparing copies.
#![allow(dead_code)] // each test binary uses a different part

use std::collections::BTreeMap;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};

use copybench_engine::{TreeOptions, Walker};

/// Every walker × {1, 4} jobs: the matrix each conformance case runs over.
pub fn matrix() -> Vec<(Walker, usize)> {
    Walker::ALL
        .iter()
        .flat_map(|w| [(*w, 1), (*w, 4)])
        .collect()
}

pub fn options(walker: Walker, jobs: usize) -> TreeOptions {
    TreeOptions {
        walker,
        jobs,
        ..TreeOptions::default()
    }
}

/// Writes `content` at `root/rel`, making parents.
pub fn file(root: &Path, rel: &str, content: &[u8]) -> PathBuf {
    let path = root.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, content).unwrap();
    path
}

pub fn dir(root: &Path, rel: &str) -> PathBuf {
    let path = root.join(rel);
    std::fs::create_dir_all(&path).unwrap();
    path
}

pub fn symlink(root: &Path, rel: &str, target: &str) -> PathBuf {
    let path = root.join(rel);
    std::os::unix::fs::symlink(target, &path).unwrap();
    path
}

pub fn chmod(path: &Path, mode: u32) {
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

pub fn mkfifo(path: &Path) {
    let c = std::ffi::CString::new(path.as_os_str().as_encoded_bytes()).unwrap();
    // SAFETY: a valid C string; mkfifo only creates a node.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o644) }, 0, "mkfifo");
}

/// A small source tree: files of a few sizes in three levels, a read-only file, a 0o700 dir.
pub fn sample_tree(root: &Path) {
    file(root, "a.txt", b"alpha");
    file(root, "empty", b"");
    file(root, "big.bin", &vec![7u8; 70_000]);
    file(root, "sub/b.txt", b"beta");
    file(root, "sub/deeper/c.txt", b"gamma gamma");
    file(root, "sub2/d.txt", b"delta");
    let ro = file(root, "sub2/readonly.txt", b"read only");
    chmod(&ro, 0o444);
    chmod(&root.join("sub2"), 0o700);
}

/// What a copy is compared on: type, permission bits, content, mtime (ns), link target.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Node {
    Dir {
        mode: u32,
        mtime_ns: i128,
    },
    File {
        mode: u32,
        mtime_ns: i128,
        content: Vec<u8>,
    },
    Link {
        target: PathBuf,
    },
    Other {
        mode: u32,
    },
}

fn mtime_ns(m: &std::fs::Metadata) -> i128 {
    i128::from(m.mtime()) * 1_000_000_000 + i128::from(m.mtime_nsec())
}

/// The whole tree under `root`, by relative path (the root itself is "").
pub fn snapshot(root: &Path) -> BTreeMap<PathBuf, Node> {
    let mut out = BTreeMap::new();
    walk(root, Path::new(""), &mut out);
    out
}

fn walk(root: &Path, rel: &Path, out: &mut BTreeMap<PathBuf, Node>) {
    let path = root.join(rel);
    let meta = std::fs::symlink_metadata(&path).unwrap();
    let mode = meta.mode() & 0o7777;
    let ft = meta.file_type();
    let node = if ft.is_symlink() {
        Node::Link {
            target: std::fs::read_link(&path).unwrap(),
        }
    } else if ft.is_dir() {
        let mut names: Vec<_> = std::fs::read_dir(&path)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        names.sort();
        for name in names {
            walk(root, &rel.join(name), out);
        }
        Node::Dir {
            mode,
            mtime_ns: mtime_ns(&meta),
        }
    } else if ft.is_file() {
        // Read with the permission bits ignored (the tests may run as root or not).
        let content = if mode & 0o444 == 0 {
            Vec::new()
        } else {
            std::fs::read(&path).unwrap()
        };
        Node::File {
            mode,
            mtime_ns: mtime_ns(&meta),
            content,
        }
    } else {
        Node::Other { mode }
    };
    out.insert(rel.to_owned(), node);
}

/// Asserts `dst` is a `copy2` copy of `src` (same entries, content, modes, mtimes, links).
pub fn assert_same_tree(src: &Path, dst: &Path, context: &str) {
    let (a, b) = (snapshot(src), snapshot(dst));
    let names_a: Vec<_> = a.keys().collect();
    let names_b: Vec<_> = b.keys().collect();
    assert_eq!(names_a, names_b, "{context}: entries differ");
    for (rel, node) in &a {
        assert_eq!(node, &b[rel], "{context}: {} differs", rel.display());
    }
}

pub fn euid() -> u32 {
    rustix::process::geteuid().as_raw()
}
