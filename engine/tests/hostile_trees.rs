//! Trees that used to crash the walkers (issue: a stack overflow on a symlink loop and on a tree
//! 6000 levels deep): every walker, at 1 and 4 jobs, ends with CPython's outcome — the same
//! files copied and the same gathered errors — on the test thread's small stack.
//!
//! The oracle is CPython's `shutil.copytree` run by `python3` on the same tree, from a
//! destination path of the same length (the ENAMETOOLONG cutoff depends on it). Its recursion
//! limit is raised first: CPython 3.11 with its default limit of 1000 raises RecursionError
//! about 500 levels down, an interpreter limit that depends on the caller's own depth, not
//! shutil's semantics; with the limit raised, shutil's own outcome shows (ENAMETOOLONG once a
//! path reaches PATH_MAX, ELOOP once a path crosses 40 symlinks), gathered into shutil.Error.

mod common;
mod tree_support;

use std::collections::BTreeSet;
use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::process::Command;

use copybench_engine::copy_tree;

/// shutil.copytree(src, dst) with the recursion limit raised; prints the gathered errors as
/// JSON `[[src_hex, dst_hex, errno], ...]` (or `null` on success).
const ORACLE: &str = r#"
import json, os, re, shutil, sys
sys.setrecursionlimit(1_000_000)
src, dst = os.fsdecode(bytes.fromhex(sys.argv[1])), os.fsdecode(bytes.fromhex(sys.argv[2]))
try:
    shutil.copytree(src, dst)
    print("null")
except shutil.Error as e:
    out = []
    for s, d, why in e.args[0]:
        m = re.search(r"\[Errno (\d+)\]", why)
        out.append([os.fsencode(s).hex(), os.fsencode(d).hex(), int(m.group(1)) if m else None])
    print(json.dumps(out))
"#;

fn hex(path: &Path) -> String {
    path.as_os_str()
        .as_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn unhex(text: &str) -> PathBuf {
    let bytes: Vec<u8> = (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).unwrap())
        .collect();
    PathBuf::from(OsStr::from_bytes(&bytes))
}

/// A gathered error as both sides can state it: source and destination relative to their
/// roots, and the errno.
type Gathered = BTreeSet<(PathBuf, PathBuf, Option<i32>)>;

fn relative(path: &Path, root: &Path) -> PathBuf {
    path.strip_prefix(root).unwrap_or(path).to_owned()
}

/// CPython's copy of `src` into `dst`, and what it gathered.
fn cpython(src: &Path, dst: &Path) -> Gathered {
    let out = Command::new("python3")
        .args(["-I", "-c", ORACLE, &hex(src), &hex(dst)])
        .output()
        .expect("python3 runs");
    assert!(
        out.status.success(),
        "CPython raised: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let answer: Option<Vec<(String, String, Option<i32>)>> =
        serde_json::from_slice(&out.stdout).unwrap();
    answer
        .unwrap_or_default()
        .into_iter()
        .map(|(s, d, errno)| (relative(&unhex(&s), src), relative(&unhex(&d), dst), errno))
        .collect()
}

/// Every entry under `root` by relative path and kind ('d', 'f', 'l'), walked with a loop.
fn entries(root: &Path) -> BTreeSet<(PathBuf, char)> {
    let mut out = BTreeSet::new();
    let mut pending = vec![PathBuf::new()];
    while let Some(rel) = pending.pop() {
        for entry in std::fs::read_dir(root.join(&rel)).unwrap() {
            let entry = entry.unwrap();
            let rel = rel.join(entry.file_name());
            let kind = entry.file_type().unwrap();
            if kind.is_dir() {
                pending.push(rel.clone());
                out.insert((rel, 'd'));
            } else if kind.is_symlink() {
                out.insert((rel, 'l'));
            } else {
                out.insert((rel, 'f'));
            }
        }
    }
    out
}

/// Removes a tree of any depth with short paths only: each subdirectory is first moved up to
/// `root` under a fresh name (std's remove_dir_all recurses, and a path 6000 levels deep is
/// over PATH_MAX).
fn remove_tree(top: &Path) {
    let root = top.parent().unwrap();
    let mut pending = vec![top.to_owned()];
    let mut moved = 0;
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let entry = entry.unwrap();
            if entry.file_type().unwrap().is_dir() {
                let to = root.join(format!(".removing-{moved}"));
                moved += 1;
                std::fs::rename(entry.path(), &to).unwrap();
                pending.push(to);
            } else {
                std::fs::remove_file(entry.path()).unwrap();
            }
        }
        std::fs::remove_dir(&dir).unwrap();
    }
}

/// `depth` directories named `name`, one inside the other, with a file every 1000 levels, made
/// with `*at` calls (the path is far over PATH_MAX).
fn deep_tree(top: &Path, depth: usize, name: &str) {
    use rustix::fs::{mkdirat, openat, Mode, OFlags};
    std::fs::create_dir(top).unwrap();
    let mut dir = openat(
        rustix::fs::CWD,
        top,
        OFlags::RDONLY | OFlags::DIRECTORY,
        Mode::empty(),
    )
    .unwrap();
    for level in 0..depth {
        if level % 1000 == 0 {
            let f = openat(
                &dir,
                "f",
                OFlags::WRONLY | OFlags::CREATE,
                Mode::from_raw_mode(0o644),
            )
            .unwrap();
            rustix::io::write(&f, b"x").unwrap();
        }
        mkdirat(&dir, name, Mode::from_raw_mode(0o755)).unwrap();
        dir = openat(
            &dir,
            name,
            OFlags::RDONLY | OFlags::DIRECTORY,
            Mode::empty(),
        )
        .unwrap();
    }
}

/// Every walker × {1, 4} jobs copies `src` as CPython does.
fn matches_cpython(root: &Path, src: &Path) {
    // Same length, so the paths reach PATH_MAX at the same depth on both sides.
    let (py, rs) = (root.join("py"), root.join("rs"));
    let expected_errors = cpython(src, &py);
    let expected = entries(&py);
    assert!(
        !expected_errors.is_empty(),
        "CPython gathered no error: the tree is not hostile"
    );
    for (walker, jobs) in tree_support::matrix() {
        let report = copy_tree(src, &rs, &tree_support::options(walker, jobs))
            .unwrap_or_else(|e| panic!("{walker} jobs={jobs}: {e}"));
        let errors: Gathered = report
            .errors
            .iter()
            .map(|e| {
                (
                    relative(&e.src, src),
                    relative(&e.dst, &rs),
                    e.error.errno.map(|n| n.raw_os_error()),
                )
            })
            .collect();
        assert_eq!(
            errors, expected_errors,
            "{walker} jobs={jobs}: gathered errors"
        );
        let copied = entries(&rs);
        assert!(
            copied == expected,
            "{walker} jobs={jobs}: {} entries, CPython {}; only ours: {:?}; only CPython's: {:?}",
            copied.len(),
            expected.len(),
            copied.difference(&expected).take(3).collect::<Vec<_>>(),
            expected.difference(&copied).take(3).collect::<Vec<_>>()
        );
        remove_tree(&rs);
    }
    remove_tree(&py);
}

#[test]
fn a_symlink_loop_ends_as_cpython_ends_it_for_every_walker() {
    if !common::require_program("python3", "python3") {
        return;
    }
    let root = tempfile::tempdir().unwrap();
    let src = root.path().join("T");
    tree_support::dir(&src, "loop/d");
    tree_support::file(&src, "loop/d/f", b"in the loop");
    tree_support::symlink(&src, "loop/d/up", "..");
    matches_cpython(root.path(), &src.join("loop"));
}

#[test]
fn a_tree_6000_levels_deep_ends_as_cpython_ends_it_for_every_walker() {
    if !common::require_program("python3", "python3") {
        return;
    }
    let root = tempfile::tempdir().unwrap();
    let src = root.path().join("D");
    // Names of 7 bytes put PATH_MAX about 500 levels down, so the path walks of the CPython
    // walkers (each lookup crosses every level) stay quick; 1-byte names put it at ~2000.
    deep_tree(&src, 6000, "level-d");
    matches_cpython(root.path(), &src);
    remove_tree(&src);
}

#[test]
fn every_walker_copies_a_deep_tree_within_a_small_stack() {
    // 1000 levels (paths well under PATH_MAX) on a thread with 256 KiB of stack: a walk that
    // recursed per level would overflow it. The lean walker keeps 32 directories open and
    // parks the rest, whose times and modes are then set by path: the copy is the same.
    let root = tempfile::tempdir().unwrap();
    let src = root.path().join("D");
    deep_tree(&src, 1000, "d");
    let (root_path, src_path) = (root.path().to_owned(), src.clone());
    let copies = std::thread::Builder::new()
        .stack_size(256 * 1024)
        .spawn(move || {
            let mut copies = Vec::new();
            for (walker, jobs) in tree_support::matrix() {
                let dst = root_path.join(format!("copy-{walker}-{jobs}"));
                let report =
                    copy_tree(&src_path, &dst, &tree_support::options(walker, jobs)).unwrap();
                assert!(report.errors.is_empty(), "{walker}: {:?}", report.errors);
                assert_eq!(report.dirs, 1001, "{walker} jobs={jobs}");
                assert_eq!(report.files, 1, "{walker} jobs={jobs}");
                copies.push((dst, format!("{walker} jobs={jobs}")));
            }
            copies
        })
        .unwrap()
        .join()
        .unwrap();
    for (dst, context) in copies {
        tree_support::assert_same_tree(&src, &dst, &context);
        remove_tree(&dst);
    }
    remove_tree(&src);
}
