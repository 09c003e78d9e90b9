//! docs/conformance.md case 42: the stat calls each walker makes per regular file, counted by the
//! engine's layer. The CPython walkers must make exactly CPython's (3.7: 8 path stats and 2
//! fstat; 3.8+: 4 path stats and 3 fstat); `lean` at most 2 stat-family calls. Agreement with
//! strace is checked by the CLI tests (tests/cli_copytree.rs).

mod tree_support;

use std::path::Path;

use copybench_engine::{copy_tree, Mode, SyscallCounts, SyscallRecorder, TreeOptions, Walker};
use tree_support::*;

/// A root with `files` files of 1–3 KiB and a subdirectory with two more.
fn make_tree(root: &Path, files: usize) {
    for i in 0..files {
        file(root, &format!("f{i:03}"), &vec![b'x'; 1024 * (1 + i % 3)]);
    }
    file(root, "sub/s1", b"s1");
    file(root, "sub/s2", b"s2");
}

fn counted(files: usize, opts: &TreeOptions, existing: bool) -> SyscallCounts {
    let t = tempfile::tempdir().unwrap();
    let src = dir(t.path(), "src");
    make_tree(&src, files);
    let dst = t.path().join("dst");
    if existing {
        copy_tree(&src, &dst, &TreeOptions::default()).unwrap();
    }
    let recorder = SyscallRecorder::new();
    let report = recorder.run(|| copy_tree(&src, &dst, opts)).unwrap();
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    assert_eq!(report.files as usize, files + 2);
    recorder.counts()
}

/// Calls per regular file: the difference between trees of 16 and 4 files in the same layout,
/// over the 12 extra files, so the directories' own calls cancel out.
#[derive(Debug, PartialEq)]
struct PerFile {
    path_stats: f64,
    fd_stats: f64,
    total: f64,
}

fn per_file(opts: &TreeOptions, existing: bool) -> PerFile {
    let (small, large) = (counted(4, opts, existing), counted(16, opts, existing));
    let per = |a: u64, b: u64| (b as f64 - a as f64) / 12.0;
    PerFile {
        path_stats: per(small.path_stats, large.path_stats),
        fd_stats: per(small.fd_stats, large.fd_stats),
        total: per(small.total(), large.total()),
    }
}

fn opts(walker: Walker, mode: Mode, jobs: usize) -> TreeOptions {
    TreeOptions {
        mode,
        ..options(walker, jobs)
    }
}

#[test]
fn case42_listdir_makes_cpython_37_stats_per_file() {
    // islink, isdir, copy2's isdir(dst), samefile (src, dst), the FIFO loop (src, dst),
    // copystat/copymode's stat(src); copyfile has no isdir(dst) and no copystat.
    for (mode, path_stats) in [(Mode::Copy2, 8.0), (Mode::Copy, 8.0), (Mode::Copyfile, 6.0)] {
        let p = per_file(&opts(Walker::Listdir, mode, 1), false);
        assert_eq!(p.path_stats, path_stats, "{mode}: {p:?}");
        assert_eq!(p.fd_stats, 2.0, "{mode}: the two open()s: {p:?}");
    }
}

#[test]
fn case42_scandir_makes_cpython_38_stats_per_file() {
    // copy2/copy: isdir(dst), the entry's lstat, samefile's stat(dst), _stat(dst); copyfile
    // gets a path (no entry): samefile and the FIFO loop stat src and dst each.
    for (mode, path_stats) in [(Mode::Copy2, 4.0), (Mode::Copy, 4.0), (Mode::Copyfile, 4.0)] {
        let p = per_file(&opts(Walker::Scandir, mode, 1), false);
        assert_eq!(p.path_stats, path_stats, "{mode}: {p:?}");
        assert_eq!(
            p.fd_stats, 3.0,
            "{mode}: two open()s and sendfile's fstat: {p:?}"
        );
    }
}

#[test]
fn case42_scandir_makes_three_stat_calls_fewer_per_file_than_listdir() {
    // Per regular file, stat-family calls of all kinds: 7 where 3.7 made 10 (−30 %); path
    // stats alone halve (8 → 4). The 3.8 whatsnew's −38 % is for a whole tree.
    let l = per_file(&opts(Walker::Listdir, Mode::Copy2, 1), false);
    let s = per_file(&opts(Walker::Scandir, Mode::Copy2, 1), false);
    assert_eq!(l.path_stats + l.fd_stats, 10.0);
    assert_eq!(s.path_stats + s.fd_stats, 7.0);
}

#[test]
fn case42_lean_makes_one_stat_per_file() {
    for mode in Mode::ALL {
        let p = per_file(&opts(Walker::Lean, *mode, 1), false);
        assert_eq!(p.path_stats, 0.0, "{mode}: {p:?}");
        assert!(p.path_stats + p.fd_stats <= 2.0, "{mode}: {p:?}");
        assert_eq!(p.fd_stats, 1.0, "{mode}: the source's fstat only: {p:?}");
    }
    // Into an existing tree the destination is checked on its descriptor: one more fstat.
    let existing = TreeOptions {
        dirs_exist_ok: true,
        ..opts(Walker::Lean, Mode::Copy2, 1)
    };
    let p = per_file(&existing, true);
    assert_eq!((p.path_stats, p.fd_stats), (0.0, 2.0), "{p:?}");
}

#[test]
fn case42_lean_stays_within_ten_syscalls_per_file_for_copy2() {
    let p = per_file(&opts(Walker::Lean, Mode::Copy2, 1), false);
    assert!(p.total <= 10.0, "{p:?}");
}

#[test]
fn workers_add_their_calls_to_the_same_counts() {
    for walker in [Walker::Listdir, Walker::Scandir] {
        let one = counted(10, &opts(walker, Mode::Copy2, 1), false);
        let four = counted(10, &opts(walker, Mode::Copy2, 4), false);
        assert_eq!(one.path_stats, four.path_stats, "{walker}");
        assert_eq!(one.fd_stats, four.fd_stats, "{walker}");
        assert_eq!(
            one.get(copybench_engine::Syscall::Openat),
            four.get(copybench_engine::Syscall::Openat),
            "{walker}"
        );
    }
    // The lean walker's workers may drop the fchmod (tree/isolation.rs), and open each
    // directory's two ends again per job, not per file: a directory's files listed before and
    // after a subdirectory are two jobs, so the per-file difference of two trees carries a
    // fraction of a job's five calls.
    let one = per_file(&opts(Walker::Lean, Mode::Copy2, 1), false);
    let four = per_file(&opts(Walker::Lean, Mode::Copy2, 4), false);
    let jobs_part = 5.0 / 12.0;
    assert!(
        four.total <= one.total + jobs_part && four.total >= one.total - 1.0 - jobs_part,
        "{one:?} {four:?}"
    );
}

/// On a filesystem that keeps creation modes (ext4, xfs, btrfs, tmpfs, without a default ACL),
/// lean's workers create each file with its final mode: no fchmod for a file whose mode has no
/// setuid/setgid/sticky bit and lets the owner write; one for each other file.
#[test]
fn lean_workers_chmod_only_the_files_whose_final_mode_cannot_be_a_creation_mode() {
    let t = tempfile::tempdir().unwrap();
    let fs = rustix::fs::statfs(t.path()).unwrap();
    let kept = copybench_engine::sys::filesystem_type(fs.f_type as u64)
        .is_some_and(|n| ["ext4", "xfs", "btrfs", "tmpfs"].contains(&n));
    let default_acl = rustix::fs::getxattr(t.path(), "system.posix_acl_default", &mut [0u8; 256]);
    if !kept || default_acl.is_ok() {
        eprintln!(
            "skipped: {:?} has no plain POSIX creation modes here",
            t.path()
        );
        return;
    }
    let src = dir(t.path(), "src");
    let modes = [0o644, 0o600, 0o755, 0o640, 0o444, 0o4755, 0o2755, 0o1644];
    for (i, mode) in modes.iter().enumerate() {
        let f = file(&src, &format!("sub/f{i}"), b"x");
        chmod(&f, *mode);
    }
    let dst = t.path().join("dst");
    let recorder = SyscallRecorder::new();
    let report = recorder
        .run(|| copy_tree(&src, &dst, &opts(Walker::Lean, Mode::Copy2, 2)))
        .unwrap();
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    // 0o444 (no owner write), the setuid, setgid and sticky ones: fchmod after the copy.
    assert_eq!(recorder.counts().get(copybench_engine::Syscall::Fchmod), 4);
    for (i, mode) in modes.iter().enumerate() {
        let meta = std::fs::metadata(dst.join(format!("sub/f{i}"))).unwrap();
        let got = std::os::unix::fs::PermissionsExt::mode(&meta.permissions()) & 0o7777;
        assert_eq!(got, *mode, "f{i}: {got:o} for {mode:o}");
    }
}

#[test]
fn without_xattrs_no_walker_lists_them_and_times_and_modes_are_still_copied() {
    // smbnetfs answers listxattr with EIO after a stall and drops its connection: a copy from
    // such a share must never ask. Times and mode are copy2's too and stay.
    for walker in [Walker::Listdir, Walker::Scandir, Walker::Lean] {
        let options = TreeOptions {
            xattrs: false,
            symlinks: true,
            ..opts(walker, Mode::Copy2, 1)
        };
        let counts = counted(4, &options, false);
        for call in [
            "listxattr",
            "llistxattr",
            "flistxattr",
            "getxattr",
            "setxattr",
        ] {
            assert_eq!(
                counts.calls.get(call),
                None,
                "{walker}: {call} in {counts:?}"
            );
        }
        assert!(
            counts.calls.contains_key("utimensat"),
            "{walker}: {counts:?}"
        );
        let with = counted(4, &opts(walker, Mode::Copy2, 1), false);
        assert!(
            ["listxattr", "flistxattr"]
                .iter()
                .any(|c| with.calls.contains_key(*c)),
            "{walker}: copy2 lists xattrs by default: {with:?}"
        );
    }
}

#[test]
fn a_tree_copy_says_which_strategy_copied_each_file() {
    for walker in [Walker::Listdir, Walker::Scandir, Walker::Lean] {
        let t = tempfile::tempdir().unwrap();
        let src = dir(t.path(), "src");
        make_tree(&src, 4);
        let report = copy_tree(&src, &t.path().join("dst"), &opts(walker, Mode::Copy2, 2)).unwrap();
        let counted: u64 = report.strategies_used.values().sum();
        assert_eq!(
            counted, report.files,
            "{walker}: {:?}",
            report.strategies_used
        );
        // Whatever auto chose, a give-up it made is named with its errno.
        assert!(
            report
                .fallbacks
                .iter()
                .all(|(f, n)| *n > 0 && f.from != copybench_engine::Strategy::Auto),
            "{walker}: {:?}",
            report.fallbacks
        );
    }
}

#[test]
fn lean_copies_a_regular_file_with_one_content_call_when_its_size_says_it_is_complete() {
    let p = per_file(&opts(Walker::Lean, Mode::Copy2, 1), false);
    let (small, large) = (
        counted(4, &opts(Walker::Lean, Mode::Copy2, 1), false),
        counted(16, &opts(Walker::Lean, Mode::Copy2, 1), false),
    );
    let cfr = (large.get(copybench_engine::Syscall::CopyFileRange)
        - small.get(copybench_engine::Syscall::CopyFileRange)) as f64
        / 12.0;
    if cfr == 0.0 {
        eprintln!("skipped: copy_file_range does not copy on this filesystem");
        return;
    }
    // openat ×2, fstat, copy_file_range ×1 (no second call to be told it is the end),
    // utimensat, flistxattr, fchmod, close ×2.
    assert_eq!(cfr, 1.0, "{p:?}");
    assert_eq!(p.total, 9.0, "{p:?}");
}

#[test]
fn lean_still_reads_a_file_that_says_size_0_to_its_end() {
    // /proc/version reports st_size 0 and has content: reached through a link in the tree,
    // it is copied whole (the size is not trusted when it is 0).
    let t = tempfile::tempdir().unwrap();
    let src = dir(t.path(), "src");
    symlink(&src, "version", "/proc/version");
    let dst = t.path().join("dst");
    for jobs in [1, 4] {
        let dst = dst.join(jobs.to_string());
        let report = copy_tree(&src, &dst, &opts(Walker::Lean, Mode::Copy2, jobs)).unwrap();
        assert!(report.errors.is_empty(), "{:?}", report.errors);
        assert_eq!(
            std::fs::read(dst.join("version")).unwrap(),
            std::fs::read("/proc/version").unwrap()
        );
    }
}

/// The workers' umask of 0 is their own (`unshare(CLONE_FS)`): the process's never changes.
#[test]
fn a_parallel_lean_copy_leaves_the_process_umask_alone() {
    let umask = || {
        let status = std::fs::read_to_string("/proc/self/status").unwrap();
        let line = status
            .lines()
            .find(|l| l.starts_with("Umask:"))
            .map(str::to_owned);
        line.expect("Umask: in /proc/self/status (Linux 4.7+)")
    };
    let before = umask();
    let t = tempfile::tempdir().unwrap();
    let src = dir(t.path(), "src");
    make_tree(&src, 8);
    let dst = t.path().join("dst");
    let report = copy_tree(&src, &dst, &opts(Walker::Lean, Mode::Copy2, 2)).unwrap();
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    assert_eq!(umask(), before);
    // And a file created by this thread afterwards still gets the process's umask applied.
    let probe = t.path().join("probe");
    std::fs::write(&probe, b"").unwrap();
    let mask = u32::from_str_radix(before.trim_start_matches("Umask:").trim(), 8).unwrap();
    let meta = std::fs::metadata(&probe).unwrap();
    let mode = std::os::unix::fs::PermissionsExt::mode(&meta.permissions()) & 0o777;
    assert_eq!(mode, 0o666 & !mask);
}
