//! The syscall pattern of `copy_file`: checks on open descriptors, no path stats on the happy
//! path, and every strategy really making the syscall it is named after.

mod common;

use common::{patterned, supported_strategies, Scratch};
use copybench_engine::{copy_file, CopyOptions, Mode, Strategy, Syscall, SyscallRecorder};

#[test]
fn happy_path_makes_no_path_stats_and_two_opens() {
    let s = Scratch::new();
    let src = s.file("src", &patterned(1 << 20, 1));
    for strategy in supported_strategies(s.root()) {
        for &mode in Mode::ALL {
            let dst = s.path(&format!("dst-{strategy}-{mode}"));
            let options = CopyOptions {
                strategy,
                mode,
                follow_symlinks: true,
            };
            let recorder = SyscallRecorder::new();
            recorder.run(|| copy_file(&src, &dst, &options)).unwrap();
            let c = recorder.counts();
            let ctx = format!("{strategy} {mode}: {c:?}");
            assert_eq!(c.path_stats, 0, "{ctx}");
            assert_eq!(c.get(Syscall::Openat), 2, "{ctx}");
            // The two files and splice's two pipe ends (io_uring's ring stays open for the
            // thread's next copy).
            let closes = 2 + 2 * u64::from(strategy == Strategy::Splice);
            assert_eq!(c.get(Syscall::Close), closes, "{ctx}");
            // fstat of each descriptor; copy2 stats the source again after reading it (as
            // CPython's copystat does), and mmap stats the source for the mapping's length.
            let fstats = 2 + u64::from(mode == Mode::Copy2) + u64::from(strategy == Strategy::Mmap);
            assert_eq!(c.get(Syscall::Fstat), fstats, "{ctx}");
            assert_eq!(c.fd_stats, fstats, "{ctx}");
            assert_eq!(
                c.get(Syscall::Fchmod),
                u64::from(mode != Mode::Copyfile),
                "{ctx}"
            );
            assert_eq!(
                c.get(Syscall::Utimensat),
                u64::from(mode == Mode::Copy2),
                "{ctx}"
            );
            assert_eq!(
                c.get(Syscall::Flistxattr),
                u64::from(mode == Mode::Copy2),
                "{ctx}"
            );
            // A new destination needs no truncation.
            assert_eq!(c.get(Syscall::Ftruncate), 0, "{ctx}");
            let named = match strategy {
                Strategy::Sendfile => Some((Syscall::Sendfile, 2)),
                Strategy::CopyFileRange => Some((Syscall::CopyFileRange, 2)),
                // Into the pipe and out of it per 1 MiB, then the empty splice.
                Strategy::Splice => Some((Syscall::Splice, 3)),
                Strategy::Reflink => Some((Syscall::Ioctl, 1)),
                Strategy::Mmap => Some((Syscall::Mmap, 1)),
                Strategy::Buffered16k => Some((Syscall::Read, 64 + 1)),
                Strategy::Buffered64k | Strategy::Readinto64k => Some((Syscall::Read, 16 + 1)),
                Strategy::Readinto256k => Some((Syscall::Read, 4 + 1)),
                Strategy::Buffered1m | Strategy::Readinto1m => Some((Syscall::Read, 1 + 1)),
                Strategy::Dontcache => Some((Syscall::Preadv2, 1 + 1)),
                // 4 chunks read in one enter, written in another, then the empty read.
                Strategy::IoUring => Some((Syscall::IoUringEnter, 3)),
                _ => None,
            };
            if let Some((call, n)) = named {
                assert_eq!(c.get(call), n, "{ctx}");
            }
        }
    }
}

#[test]
fn an_existing_destination_is_truncated_with_one_ftruncate() {
    let s = Scratch::new();
    let src = s.file("src", b"short");
    let dst = s.file("dst", &patterned(10_000, 2));
    let recorder = SyscallRecorder::new();
    recorder
        .run(|| copy_file(&src, &dst, &CopyOptions::default()))
        .unwrap();
    assert_eq!(recorder.counts().get(Syscall::Ftruncate), 1);
    assert_eq!(std::fs::read(&dst).unwrap(), b"short");
}

#[test]
fn std_content_syscalls_are_uncounted_and_say_why() {
    assert!(Strategy::Std.uncounted_reason().is_some());
    assert!(Strategy::ALL
        .iter()
        .filter(|s| **s != Strategy::Std)
        .all(|s| s.uncounted_reason().is_none()));
}

/// docs/conformance.md case 17: the in-kernel loops' block is max(st_size, 8 MiB), so a file of any size
/// takes one call that copies everything and one that returns 0.
#[test]
fn case_17_in_kernel_loops_take_one_block_whatever_the_size() {
    let s = Scratch::new();
    for size in [1usize, 1 << 20, (8 << 20) + 3, 20 << 20] {
        let src = s.file("src", &patterned(size, 17));
        for (strategy, call) in [
            (Strategy::Sendfile, Syscall::Sendfile),
            (Strategy::CopyFileRange, Syscall::CopyFileRange),
        ] {
            let recorder = SyscallRecorder::new();
            let dst = s.path(&format!("dst-{strategy}"));
            let options = CopyOptions {
                strategy,
                mode: Mode::Copyfile,
                follow_symlinks: true,
            };
            recorder.run(|| copy_file(&src, &dst, &options)).unwrap();
            assert_eq!(recorder.counts().get(call), 2, "{strategy} at {size} bytes");
        }
    }
}

/// io_uring keeps one ring per thread: the thread's first copy sets it up (and registers its
/// buffers), the next ones reuse it.
#[test]
fn io_uring_sets_up_one_ring_per_thread() {
    let s = Scratch::new();
    if !supported_strategies(s.root()).contains(&Strategy::IoUring) {
        eprintln!("skipped: io_uring is not supported here");
        return;
    }
    let src = s.file("src", &patterned(64 << 10, 2));
    let options = CopyOptions {
        strategy: Strategy::IoUring,
        mode: Mode::Copyfile,
        follow_symlinks: true,
    };
    // On a thread of its own, so no earlier copy on the test thread made the ring.
    let setups = std::thread::scope(|scope| {
        scope
            .spawn(|| {
                (0..3)
                    .map(|i| {
                        let recorder = SyscallRecorder::new();
                        let dst = s.path(&format!("dst-{i}"));
                        recorder.run(|| copy_file(&src, &dst, &options)).unwrap();
                        let c = recorder.counts();
                        (
                            c.get(Syscall::IoUringSetup),
                            c.get(Syscall::IoUringRegister),
                        )
                    })
                    .collect::<Vec<_>>()
            })
            .join()
            .unwrap()
    });
    assert_eq!(setups, [(1, 1), (0, 0), (0, 0)]);
}
