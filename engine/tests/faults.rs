//! docs/conformance.md cases 13–15 and 28 through the counted layer's fault injection: CPython's
//! give-up rule (fall back only before the first byte, never on ENOSPC) and `_copyxattr`'s
//! tolerance of one refused attribute.

mod common;

use std::path::Path;

use common::{patterned, Scratch};
use copybench_engine::{
    copy_file, CopyError, CopyOptions, CopyReport, ErrorKind, Fault, Mode, Strategy, Syscall,
    SyscallCounts, SyscallRecorder,
};
use rustix::io::Errno;

fn faulted(
    faults: &[&str],
    strategy: Strategy,
    mode: Mode,
    src: &Path,
    dst: &Path,
) -> (Result<CopyReport, CopyError>, SyscallCounts) {
    let faults: Vec<Fault> = faults.iter().map(|f| f.parse().unwrap()).collect();
    let recorder = SyscallRecorder::with_faults(faults);
    let options = CopyOptions {
        strategy,
        mode,
        follow_symlinks: true,
    };
    let result = recorder.run(|| copy_file(src, dst, &options));
    (result, recorder.counts())
}

#[test]
fn case_13_first_call_einval_gives_up_and_the_fallback_copies() {
    let s = Scratch::new();
    let content = patterned(3 << 20, 13);
    let src = s.file("src", &content);
    // (fault, the step that gives up, the step expected to finish)
    let cases = [
        (
            "copy_file_range:1:EINVAL",
            Strategy::CopyFileRange,
            Strategy::Sendfile,
        ),
        (
            "copy_file_range:1:EXDEV",
            Strategy::CopyFileRange,
            Strategy::Sendfile,
        ),
        (
            "copy_file_range:1:ENOSYS",
            Strategy::CopyFileRange,
            Strategy::Sendfile,
        ),
    ];
    for (fault, gave_up, finished) in cases {
        let dst = s.path("dst");
        let (result, counts) = faulted(&[fault], Strategy::Auto, Mode::Copyfile, &src, &dst);
        let report = result.unwrap_or_else(|e| panic!("{fault}: {e}"));
        assert_eq!(report.strategy_used, finished, "{fault}");
        let step = report.fallbacks.iter().find(|f| f.from == gave_up).unwrap();
        assert_eq!(
            step.errno.map(copybench_engine::errno::name),
            Some(fault.rsplit(':').next().unwrap().to_owned())
        );
        assert!(std::fs::read(&dst).unwrap() == content, "{fault}");
        assert_eq!(
            counts.get(Syscall::Sendfile),
            2,
            "{fault}: one block, then 0"
        );
    }
    // Both in-kernel steps refused: the readinto loop completes.
    let dst = s.path("dst2");
    let (result, counts) = faulted(
        &["copy_file_range:1:EINVAL", "sendfile:1:EINVAL"],
        Strategy::Auto,
        Mode::Copyfile,
        &src,
        &dst,
    );
    assert_eq!(result.unwrap().strategy_used, Strategy::Readinto256k);
    assert!(std::fs::read(&dst).unwrap() == content);
    assert_eq!(counts.get(Syscall::Read), 12 + 1);
}

#[test]
fn case_14_enospc_on_the_first_call_is_an_error_without_fallback() {
    let s = Scratch::new();
    let src = s.file("src", &patterned(100_000, 14));
    let dst = s.path("dst");
    let (result, counts) = faulted(
        &["copy_file_range:1:ENOSPC"],
        Strategy::Auto,
        Mode::Copyfile,
        &src,
        &dst,
    );
    let e = result.unwrap_err();
    assert_eq!(e.kind, ErrorKind::OSError);
    assert_eq!(e.errno, Some(Errno::NOSPC));
    assert_eq!(e.src, src);
    assert_eq!(e.dst.as_deref(), Some(dst.as_path()));
    assert!(
        e.message.contains("src") && e.message.contains("dst"),
        "{e}"
    );
    assert_eq!(counts.get(Syscall::Sendfile), 0, "no fallback: {counts:?}");
    assert_eq!(counts.get(Syscall::Read), 0, "no fallback: {counts:?}");
    // The same for sendfile once copy_file_range gave up.
    let (result, counts) = faulted(
        &["copy_file_range:1:EXDEV", "sendfile:1:ENOSPC"],
        Strategy::Auto,
        Mode::Copyfile,
        &src,
        &dst,
    );
    assert_eq!(result.unwrap_err().errno, Some(Errno::NOSPC));
    assert_eq!(counts.get(Syscall::Read), 0);
}

#[test]
fn case_15_error_after_progress_is_returned_and_the_partial_copy_left() {
    let s = Scratch::new();
    let content = patterned(1 << 20, 15);
    let src = s.file("src", &content);
    // The in-kernel loops: the call after the first block (here, the one that would return 0).
    for (fault, strategy) in [
        ("copy_file_range:2:EINVAL", Strategy::Auto),
        ("sendfile:2:EIO", Strategy::Sendfile),
        ("splice:3:EIO", Strategy::Splice),
    ] {
        let dst = s.path("dst");
        let (result, counts) = faulted(&[fault], strategy, Mode::Copyfile, &src, &dst);
        let e = result.unwrap_err();
        assert_eq!(
            e.errno_name().as_deref(),
            Some(fault.rsplit(':').next().unwrap())
        );
        assert_eq!(counts.get(Syscall::Read), 0, "{fault}: no fallback");
        assert_eq!(
            counts.get(Syscall::Sendfile) > 0,
            fault.starts_with("sendfile")
        );
        let left = std::fs::read(&dst).unwrap();
        assert!(!left.is_empty() && content.starts_with(&left), "{fault}");
    }
    // A loop: the third write fails; two 64 KiB chunks stay behind.
    let dst = s.path("partial");
    let (result, _) = faulted(
        &["write:3:ENOSPC"],
        Strategy::Readinto64k,
        Mode::Copyfile,
        &src,
        &dst,
    );
    let e = result.unwrap_err();
    assert_eq!(e.errno, Some(Errno::NOSPC));
    assert_eq!(std::fs::read(&dst).unwrap(), content[..128 << 10]);
}

#[test]
fn case_28_one_refused_xattr_is_skipped_and_listxattr_enotsup_ignored() {
    let s = Scratch::new();
    let src = s.file("src", b"xattrs");
    for (name, value) in [("user.a", b"1"), ("user.b", b"2")] {
        if let Err(e) = rustix::fs::setxattr(&src, name, value, rustix::fs::XattrFlags::empty()) {
            eprintln!("skipped: user xattrs unsupported here: {e}");
            return;
        }
    }
    let dst = s.path("dst");
    let (result, counts) = faulted(
        &["fsetxattr:1:EPERM"],
        Strategy::Auto,
        Mode::Copy2,
        &src,
        &dst,
    );
    result.unwrap();
    assert_eq!(
        counts.get(Syscall::Fsetxattr),
        1,
        "the second attribute was still set"
    );
    let mut buf = [0u8; 256];
    let listed = rustix::fs::listxattr(&dst, &mut buf).unwrap();
    let listed: Vec<&[u8]> = buf[..listed]
        .split(|b| *b == 0)
        .filter(|n| !n.is_empty())
        .collect();
    assert_eq!(
        listed.len(),
        1,
        "one of the two attributes was refused and skipped"
    );
    // Another errno is an error, as in CPython.
    let (result, _) = faulted(
        &["fsetxattr:1:EIO"],
        Strategy::Auto,
        Mode::Copy2,
        &src,
        &dst,
    );
    assert_eq!(result.unwrap_err().errno, Some(Errno::IO));
    // A filesystem without xattrs: listxattr's ENOTSUP is ignored and the copy completes.
    let (result, counts) = faulted(
        &["flistxattr:1:EOPNOTSUPP"],
        Strategy::Auto,
        Mode::Copy2,
        &src,
        &dst,
    );
    result.unwrap();
    assert_eq!(counts.get(Syscall::Fgetxattr), 0);
    assert_eq!(counts.get(Syscall::Fchmod), 1, "the mode is still set");
}
