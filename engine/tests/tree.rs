//! docs/conformance.md cases 32–42 and 44 for every walker, with one job and with four.

mod tree_support;

use std::path::Path;

use copybench_engine::{copy_tree, ErrorKind, Fault, Mode, SyscallRecorder, TreeOptions, Walker};
use tree_support::*;

fn tmp() -> tempfile::TempDir {
    tempfile::tempdir().unwrap()
}

// 32: files and subdirectories copied (test_copytree_simple).
#[test]
fn case32_simple_tree_is_copied_with_copy2_metadata() {
    for (walker, jobs) in matrix() {
        let t = tmp();
        let src = dir(t.path(), "src");
        sample_tree(&src);
        let dst = t.path().join("dst");
        let report = copy_tree(&src, &dst, &options(walker, jobs)).unwrap();
        let context = format!("{walker} jobs={jobs}");
        assert!(report.errors.is_empty(), "{context}: {:?}", report.errors);
        assert_eq!(report.files, 7, "{context}");
        assert_eq!(report.dirs, 4, "{context}");
        assert_eq!(report.bytes, 5 + 70_000 + 4 + 11 + 5 + 9, "{context}");
        assert_same_tree(&src, &dst, &context);
    }
}

// 33: existing destination → FileExistsError; dirs_exist_ok merges and overwrites
// (test_copytree_dirs_exist_ok).
#[test]
fn case33_existing_destination_fails_or_merges() {
    for (walker, jobs) in matrix() {
        let context = format!("{walker} jobs={jobs}");
        let t = tmp();
        let src = dir(t.path(), "src");
        file(&src, "a.txt", b"new");
        file(&src, "sub/b.txt", b"new b");
        let dst = dir(t.path(), "dst");
        file(&dst, "a.txt", b"old and longer content");
        file(&dst, "sub/keep.txt", b"kept");

        let err = copy_tree(&src, &dst, &options(walker, jobs)).unwrap_err();
        assert_eq!(err.kind, ErrorKind::FileExistsError, "{context}");
        assert_eq!(
            std::fs::read(dst.join("a.txt")).unwrap(),
            b"old and longer content"
        );

        let merge = TreeOptions {
            dirs_exist_ok: true,
            ..options(walker, jobs)
        };
        let report = copy_tree(&src, &dst, &merge).unwrap();
        assert!(report.errors.is_empty(), "{context}: {:?}", report.errors);
        assert_eq!(
            std::fs::read(dst.join("a.txt")).unwrap(),
            b"new",
            "{context}"
        );
        assert_eq!(std::fs::read(dst.join("sub/b.txt")).unwrap(), b"new b");
        assert_eq!(std::fs::read(dst.join("sub/keep.txt")).unwrap(), b"kept");
    }
}

// 34: ignore patterns exclude files and whole subtrees (test_copytree_with_exclude).
#[test]
fn case34_ignore_patterns_exclude_files_and_subtrees() {
    for (walker, jobs) in matrix() {
        let context = format!("{walker} jobs={jobs}");
        let t = tmp();
        let src = dir(t.path(), "src");
        file(&src, "keep.txt", b"k");
        file(&src, "drop.tmp", b"d");
        file(&src, "sub/inner.tmp", b"d");
        file(&src, "sub/inner.txt", b"k");
        file(&src, "skipme/whole/tree.txt", b"d");
        let dst = t.path().join("dst");
        let opts = TreeOptions {
            ignore: vec!["*.tmp".into(), "skipme".into()],
            ..options(walker, jobs)
        };
        let report = copy_tree(&src, &dst, &opts).unwrap();
        assert!(report.errors.is_empty(), "{context}");
        let names: Vec<_> = snapshot(&dst).into_keys().collect();
        let expected: Vec<std::path::PathBuf> = ["", "keep.txt", "sub", "sub/inner.txt"]
            .iter()
            .map(Into::into)
            .collect();
        assert_eq!(names, expected, "{context}");
        assert_eq!(report.files, 2, "{context}");
    }
}

// 35: symlinks=true recreates links with the same target (test_copytree_symlinks).
#[test]
fn case35_symlinks_are_recreated() {
    for (walker, jobs) in matrix() {
        let context = format!("{walker} jobs={jobs}");
        let t = tmp();
        let src = dir(t.path(), "src");
        file(&src, "sub/target.txt", b"t");
        symlink(&src, "link", "sub/target.txt");
        let abs = src.join("sub/target.txt");
        symlink(&src, "sub/abs", abs.to_str().unwrap());
        let dst = t.path().join("dst");
        let opts = TreeOptions {
            symlinks: true,
            ..options(walker, jobs)
        };
        let report = copy_tree(&src, &dst, &opts).unwrap();
        assert!(report.errors.is_empty(), "{context}: {:?}", report.errors);
        assert_eq!(report.symlinks, 2, "{context}");
        assert_eq!(
            std::fs::read_link(dst.join("link")).unwrap(),
            Path::new("sub/target.txt")
        );
        assert_eq!(std::fs::read_link(dst.join("sub/abs")).unwrap(), abs);
        // Without symlinks=True the content is copied instead.
        let dst2 = t.path().join("dst2");
        copy_tree(&src, &dst2, &options(walker, jobs)).unwrap();
        assert!(!dst2.join("link").is_symlink(), "{context}");
        assert_eq!(std::fs::read(dst2.join("link")).unwrap(), b"t");
    }
}

// 36: dangling link: an error by default, skipped with ignore_dangling_symlinks, a link with
// symlinks=true (test_copytree_dangling_symlinks).
#[test]
fn case36_dangling_links() {
    for (walker, jobs) in matrix() {
        let context = format!("{walker} jobs={jobs}");
        let t = tmp();
        let src = dir(t.path(), "src");
        file(&src, "ok.txt", b"ok");
        // Dangling wherever it is resolved from (CPython checks `linkto` from the cwd).
        symlink(&src, "sub/dangling", "/nonexistent/IDONTEXIST");
        std::fs::create_dir_all(src.join("sub")).ok();

        let dst = t.path().join("dst");
        let report = copy_tree(&src, &dst, &options(walker, jobs)).unwrap();
        assert_eq!(report.errors.len(), 1, "{context}: {:?}", report.errors);
        let entry = &report.errors[0];
        assert_eq!(entry.error.kind, ErrorKind::FileNotFoundError, "{context}");
        assert_eq!(entry.src, src.join("sub/dangling"), "{context}");
        assert_eq!(entry.dst, dst.join("sub/dangling"), "{context}");
        assert!(dst.join("ok.txt").is_file());

        let dst = t.path().join("dst-ignored");
        let opts = TreeOptions {
            ignore_dangling_symlinks: true,
            ..options(walker, jobs)
        };
        let report = copy_tree(&src, &dst, &opts).unwrap();
        assert!(report.errors.is_empty(), "{context}: {:?}", report.errors);
        assert!(!dst.join("sub/dangling").exists() && !dst.join("sub/dangling").is_symlink());

        let dst = t.path().join("dst-links");
        let opts = TreeOptions {
            symlinks: true,
            ..options(walker, jobs)
        };
        let report = copy_tree(&src, &dst, &opts).unwrap();
        assert!(report.errors.is_empty(), "{context}: {:?}", report.errors);
        assert_eq!(
            std::fs::read_link(dst.join("sub/dangling")).unwrap(),
            Path::new("/nonexistent/IDONTEXIST")
        );
    }
}

// The helper above makes the link before its directory exists; keep the layout explicit.
fn symlink(root: &Path, rel: &str, target: &str) -> std::path::PathBuf {
    let path = root.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    tree_support::symlink(root, rel, target)
}

// 37: a link to a directory: a real directory without symlinks, a link with them
// (test_copytree_symlink_dir).
#[test]
fn case37_link_to_directory() {
    for (walker, jobs) in matrix() {
        let context = format!("{walker} jobs={jobs}");
        let t = tmp();
        let src = dir(t.path(), "src");
        file(&src, "real/inner.txt", b"inner");
        symlink(&src, "alias", "real");

        let dst = t.path().join("dst");
        let report = copy_tree(&src, &dst, &options(walker, jobs)).unwrap();
        assert!(report.errors.is_empty(), "{context}: {:?}", report.errors);
        let alias = dst.join("alias");
        assert!(alias.is_dir() && !alias.is_symlink(), "{context}");
        assert_eq!(std::fs::read(alias.join("inner.txt")).unwrap(), b"inner");

        let dst = t.path().join("dst-links");
        let opts = TreeOptions {
            symlinks: true,
            ..options(walker, jobs)
        };
        copy_tree(&src, &dst, &opts).unwrap();
        assert_eq!(
            std::fs::read_link(dst.join("alias")).unwrap(),
            Path::new("real")
        );
    }
}

// 38: a FIFO in the tree is one gathered SpecialFileError; the rest is copied, nothing blocks
// (test_copytree_named_pipe).
#[test]
fn case38_named_pipe_is_one_gathered_error() {
    for (walker, jobs) in matrix() {
        let context = format!("{walker} jobs={jobs}");
        let t = tmp();
        let src = dir(t.path(), "src");
        file(&src, "a.txt", b"a");
        file(&src, "sub/b.txt", b"b");
        mkfifo(&src.join("sub/pipe"));
        let dst = t.path().join("dst");
        let report = copy_tree(&src, &dst, &options(walker, jobs)).unwrap();
        assert_eq!(report.errors.len(), 1, "{context}: {:?}", report.errors);
        let entry = &report.errors[0];
        assert_eq!(entry.error.kind, ErrorKind::SpecialFileError, "{context}");
        assert_eq!(entry.src, src.join("sub/pipe"));
        assert_eq!(entry.dst, dst.join("sub/pipe"));
        assert!(entry.error.message.contains("is a named pipe"), "{context}");
        assert_eq!(report.files, 2, "{context}");
        assert_eq!(std::fs::read(dst.join("sub/b.txt")).unwrap(), b"b");
    }
}

// 39: directory modes kept, a 0o600 directory included; each directory's times are set after
// its children (test_copytree_retains_permissions).
#[test]
fn case39_directory_modes_and_times_are_kept() {
    for (walker, jobs) in matrix() {
        let context = format!("{walker} jobs={jobs}");
        let t = tmp();
        let src = dir(t.path(), "src");
        file(&src, "restrictive/file.txt", b"x");
        file(&src, "open/file.txt", b"y");
        chmod(&src.join("restrictive"), 0o600);
        chmod(&src.join("open"), 0o777);
        chmod(&src, 0o750);
        let dst = t.path().join("dst");
        let report = copy_tree(&src, &dst, &options(walker, jobs)).unwrap();
        assert!(report.errors.is_empty(), "{context}: {:?}", report.errors);
        // A 0o600 directory cannot be listed without root: compare its own node, then open up.
        let (a, b) = (
            snapshot_dir(&src, "restrictive"),
            snapshot_dir(&dst, "restrictive"),
        );
        assert_eq!(a, b, "{context}");
        chmod(&src.join("restrictive"), 0o700);
        chmod(&dst.join("restrictive"), 0o700);
        let (mut a, mut b) = (snapshot(&src), snapshot(&dst));
        a.remove(Path::new("restrictive"));
        b.remove(Path::new("restrictive"));
        assert_eq!(
            a, b,
            "{context}: modes and times (dir times set after children)"
        );
    }
}

fn snapshot_dir(root: &Path, rel: &str) -> (u32, i128) {
    use std::os::unix::fs::MetadataExt;
    let m = std::fs::symlink_metadata(root.join(rel)).unwrap();
    (
        m.mode() & 0o7777,
        i128::from(m.mtime()) * 1_000_000_000 + i128::from(m.mtime_nsec()),
    )
}

// 40: a destination inside the source terminates and copies only what was there at the start
// (test_copytree_subdirectory, bpo-38688).
#[test]
fn case40_destination_inside_source_terminates() {
    for (walker, jobs) in matrix() {
        let context = format!("{walker} jobs={jobs}");
        let t = tmp();
        let src = dir(t.path(), "t/pg");
        file(&src, "pol", b"pol");
        let dst = src.join("somevendor/1.0");
        let report = copy_tree(&src, &dst, &options(walker, jobs)).unwrap();
        assert!(report.errors.is_empty(), "{context}: {:?}", report.errors);
        let names: Vec<_> = std::fs::read_dir(&dst)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, vec!["pol"], "{context}");
    }
}

// 41: an unreadable file is one gathered PermissionError; the rest is copied. As root nothing
// is unreadable, so there the source open is made to fail with EACCES by the counted layer.
#[test]
fn case41_unreadable_file_is_one_gathered_error() {
    for (walker, jobs) in matrix() {
        let context = format!("{walker} jobs={jobs}");
        let t = tmp();
        let src = dir(t.path(), "src");
        file(&src, "readable", b"fine");
        let secret = file(&src, "secret", b"hidden");
        let dst = t.path().join("dst");
        let report = if euid() != 0 {
            chmod(&secret, 0o000);
            copy_tree(&src, &dst, &options(walker, jobs)).unwrap()
        } else {
            // The root holds only files, and every file copy opens its source first: the first
            // openat after the walker's own is a source open, whichever file (and worker) it
            // is: #3 for lean on one thread (after the source and destination directories),
            // #5 for lean with workers (whose job first opens the directory's two ends again,
            // by path), #2 for the CPython walkers (after the listing's opendir).
            let nth = match walker {
                Walker::Lean if jobs > 1 => 5,
                Walker::Lean => 3,
                _ => 2,
            };
            let fault: Fault = format!("openat:{nth}:EACCES").parse().unwrap();
            let recorder = SyscallRecorder::with_faults(vec![fault]);
            recorder
                .run(|| copy_tree(&src, &dst, &options(walker, jobs)))
                .unwrap()
        };
        assert_eq!(report.errors.len(), 1, "{context}: {:?}", report.errors);
        let entry = &report.errors[0];
        assert_eq!(entry.error.kind, ErrorKind::PermissionError, "{context}");
        assert!(
            entry
                .error
                .message
                .starts_with(&format!("open {}", entry.src.display())),
            "{context}: the source open failed: {}",
            entry.error.message
        );
        assert_eq!(report.files, 1, "{context}");
        let other = if entry.src.ends_with("secret") {
            "readable"
        } else {
            "secret"
        };
        assert!(
            dst.join(other).is_file(),
            "{context}: the other file is copied"
        );
    }
}

// 42 is in tree_syscalls.rs (counted stats per file, and agreement with strace).

// 44: a parallel copy makes the same tree as a serial one: content, modes, times, links.
#[test]
fn case44_parallel_copy_equals_serial_copy() {
    for walker in Walker::ALL {
        for mode in Mode::ALL {
            let context = format!("{walker} {mode}");
            let t = tmp();
            let src = dir(t.path(), "src");
            sample_tree(&src);
            for d in 0..5 {
                for f in 0..30 {
                    file(
                        &src,
                        &format!("many{d}/f{f}"),
                        format!("{d}/{f}").as_bytes(),
                    );
                }
            }
            symlink(&src, "many0/link", "f1");
            let serial = t.path().join("serial");
            let parallel = t.path().join("parallel");
            let opts = |jobs| TreeOptions {
                mode: *mode,
                symlinks: true,
                ..options(*walker, jobs)
            };
            let a = copy_tree(&src, &serial, &opts(1)).unwrap();
            let b = copy_tree(&src, &parallel, &opts(4)).unwrap();
            assert_eq!(
                (a.files, a.dirs, a.symlinks, a.bytes),
                (b.files, b.dirs, b.symlinks, b.bytes),
                "{context}"
            );
            if *mode == Mode::Copy2 {
                assert_same_tree(&src, &serial, &context);
            }
            // Directory times are set last in both copies; file times (copyfile/copy: now) may
            // differ between two copies, so compare those without times.
            let strip = |n: Node| match n {
                Node::File { mode, content, .. } => Node::File {
                    mode,
                    mtime_ns: 0,
                    content,
                },
                other => other,
            };
            let sa: Vec<_> = snapshot(&serial)
                .into_iter()
                .map(|(k, v)| (k, strip(v)))
                .collect();
            let sb: Vec<_> = snapshot(&parallel)
                .into_iter()
                .map(|(k, v)| (k, strip(v)))
                .collect();
            assert_eq!(sa, sb, "{context}");
        }
    }
}

// 45 (trees): non-UTF-8 names, spaces, newlines and leading dashes are copied as they are.
#[test]
fn odd_names_are_copied_as_they_are() {
    use std::ffi::OsStr;
    use std::os::unix::ffi::OsStrExt;
    for (walker, jobs) in matrix() {
        let context = format!("{walker} jobs={jobs}");
        let t = tmp();
        let src = dir(t.path(), "src");
        let odd = [
            OsStr::from_bytes(b"caf\xe9"),
            OsStr::new("with space"),
            OsStr::new("new\nline"),
            OsStr::new("-leading-dash"),
        ];
        for name in odd {
            std::fs::create_dir_all(src.join(name)).unwrap();
            std::fs::write(src.join(name).join(name), name.as_bytes()).unwrap();
        }
        let dst = t.path().join("dst");
        let report = copy_tree(&src, &dst, &options(walker, jobs)).unwrap();
        assert!(report.errors.is_empty(), "{context}: {:?}", report.errors);
        assert_same_tree(&src, &dst, &context);
    }
}

// 33 continued: merging a tree onto itself reports SameFileError for every file and truncates
// nothing (copyfile's `_samefile` check, made on descriptors by lean).
#[test]
fn merging_a_tree_onto_itself_is_same_file_errors_and_keeps_content() {
    for (walker, jobs) in matrix() {
        let context = format!("{walker} jobs={jobs}");
        let t = tmp();
        let src = dir(t.path(), "src");
        file(&src, "a.txt", b"alpha");
        file(&src, "sub/b.txt", b"beta");
        let opts = TreeOptions {
            dirs_exist_ok: true,
            ..options(walker, jobs)
        };
        let report = copy_tree(&src, &src, &opts).unwrap();
        let kinds: Vec<_> = report.errors.iter().map(|e| e.error.kind).collect();
        assert_eq!(kinds, vec![ErrorKind::SameFileError; 2], "{context}");
        assert_eq!(
            std::fs::read(src.join("a.txt")).unwrap(),
            b"alpha",
            "{context}"
        );
        assert_eq!(
            std::fs::read(src.join("sub/b.txt")).unwrap(),
            b"beta",
            "{context}"
        );
    }
}

// 38 continued: a named pipe where a file is to be written (dirs_exist_ok) is a SpecialFileError
// about the destination, and the copy does not block on it.
#[test]
fn named_pipe_in_the_destination_is_a_special_file_error() {
    for (walker, jobs) in matrix() {
        let context = format!("{walker} jobs={jobs}");
        let t = tmp();
        let src = dir(t.path(), "src");
        file(&src, "pipe", b"content");
        file(&src, "other", b"o");
        let dst = dir(t.path(), "dst");
        mkfifo(&dst.join("pipe"));
        let opts = TreeOptions {
            dirs_exist_ok: true,
            ..options(walker, jobs)
        };
        let report = copy_tree(&src, &dst, &opts).unwrap();
        assert_eq!(report.errors.len(), 1, "{context}: {:?}", report.errors);
        let e = &report.errors[0].error;
        assert_eq!(e.kind, ErrorKind::SpecialFileError, "{context}");
        assert!(
            e.message
                .contains(&format!("`{}`", dst.join("pipe").display())),
            "{context}: {}",
            e.message
        );
        assert_eq!(std::fs::read(dst.join("other")).unwrap(), b"o");
    }
}

#[test]
fn latencies_are_recorded_per_regular_file_when_asked() {
    for (walker, jobs) in matrix() {
        let t = tmp();
        let src = dir(t.path(), "src");
        sample_tree(&src);
        let opts = TreeOptions {
            record_latencies: true,
            ..options(walker, jobs)
        };
        let report = copy_tree(&src, &t.path().join("dst"), &opts).unwrap();
        assert_eq!(
            report.file_latencies_ns.len() as u64,
            report.files,
            "{walker} {jobs}"
        );
        assert!(report.file_latencies_ns.iter().all(|ns| *ns > 0));
        let quiet = copy_tree(&src, &t.path().join("dst2"), &options(walker, jobs)).unwrap();
        assert!(quiet.file_latencies_ns.is_empty());
    }
}

// copytree scans the source before making the destination: a missing source or a file is an
// error and creates nothing; missing parents of the destination are made (os.makedirs).
#[test]
fn source_errors_stop_before_anything_is_created_and_parents_are_made() {
    for (walker, jobs) in matrix() {
        let context = format!("{walker} jobs={jobs}");
        let t = tmp();
        let dst = t.path().join("dst");
        let err = copy_tree(&t.path().join("missing"), &dst, &options(walker, jobs)).unwrap_err();
        assert_eq!(err.kind, ErrorKind::FileNotFoundError, "{context}");
        assert!(!dst.exists(), "{context}");
        let not_dir = file(t.path(), "plain", b"x");
        let err = copy_tree(&not_dir, &dst, &options(walker, jobs)).unwrap_err();
        assert_eq!(err.kind, ErrorKind::NotADirectoryError, "{context}");
        assert!(!dst.exists(), "{context}");

        let src = dir(t.path(), "src");
        file(&src, "a", b"a");
        let deep = t.path().join("x/y/z");
        let report = copy_tree(&src, &deep, &options(walker, jobs)).unwrap();
        assert!(report.errors.is_empty(), "{context}");
        assert_eq!(std::fs::read(deep.join("a")).unwrap(), b"a", "{context}");
    }
}

// A directory of more files than a job keeps to itself: with workers its files are split among
// them (tree/lean.rs), and still each is copied once, and failures come back in walk order.
#[test]
fn a_directory_split_among_workers_copies_each_file_once_with_errors_in_walk_order() {
    let t = tmp();
    let src = dir(t.path(), "src");
    for i in 0..300 {
        file(&src, &format!("f{i:03}"), format!("content {i}").as_bytes());
    }
    // The walk lists the directory in getdents order, as read_dir does.
    let listed: Vec<_> = std::fs::read_dir(&src)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    for (walker, jobs) in [(Walker::Lean, 1), (Walker::Lean, 2), (Walker::Lean, 4)] {
        let context = format!("{walker} jobs={jobs}");
        let dst = t.path().join(format!("dst{jobs}"));
        // Three files' futimens fail, whichever files the workers happen to reach then.
        let faults = [5, 150, 290].map(|nth| format!("utimensat:{nth}:EPERM").parse().unwrap());
        let recorder = SyscallRecorder::with_faults(faults.to_vec());
        let report = recorder
            .run(|| copy_tree(&src, &dst, &options(walker, jobs)))
            .unwrap();
        assert_eq!(report.files, 297, "{context}");
        assert_eq!(report.errors.len(), 3, "{context}: {:?}", report.errors);
        let positions: Vec<usize> = report
            .errors
            .iter()
            .map(|e| listed.iter().position(|p| *p == e.src).unwrap())
            .collect();
        assert!(positions.is_sorted(), "{context}: {positions:?}");
        for i in 0..300 {
            let name = format!("f{i:03}");
            let copied = std::fs::read(dst.join(&name)).unwrap();
            assert_eq!(
                copied,
                format!("content {i}").as_bytes(),
                "{context}: {name}"
            );
        }
    }
}
