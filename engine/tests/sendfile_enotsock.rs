//! docs/conformance.md case 16 (test_file2file_not_supported): sendfile failing with ENOTSOCK disables
//! it for the rest of the process (CPython's `_USE_CP_SENDFILE`). In its own test binary, since
//! the switch is process-wide and would change `auto` for every other test.

mod common;

use common::{patterned, Scratch};
use copybench_engine::{
    copy_file, sendfile_disabled_for_process, CopyOptions, Fault, Mode, Strategy, Syscall,
    SyscallRecorder,
};
use rustix::io::Errno;

#[test]
fn case_16_enotsock_disables_sendfile_for_the_process() {
    let s = Scratch::new();
    let content = patterned(300_000, 16);
    let src = s.file("src", &content);
    let options = CopyOptions {
        strategy: Strategy::Auto,
        mode: Mode::Copyfile,
        follow_symlinks: true,
    };
    assert!(!sendfile_disabled_for_process());
    let cfr_gives_up: Fault = "copy_file_range:1:EXDEV".parse().unwrap();
    let enotsock: Fault = "sendfile:1:ENOTSOCK".parse().unwrap();

    let recorder = SyscallRecorder::with_faults(vec![cfr_gives_up, enotsock]);
    let report = recorder
        .run(|| copy_file(&src, &s.path("first"), &options))
        .unwrap();
    let last = report.fallbacks.last().unwrap();
    assert_eq!(
        (last.from, last.errno),
        (Strategy::Sendfile, Some(Errno::NOTSOCK))
    );
    assert_eq!(report.strategy_used, Strategy::Readinto256k);
    assert!(sendfile_disabled_for_process());
    assert!(std::fs::read(s.path("first")).unwrap() == content);

    // The next copy whose copy_file_range gives up goes straight to the buffered loop.
    let recorder = SyscallRecorder::with_faults(vec![cfr_gives_up]);
    let report = recorder
        .run(|| copy_file(&src, &s.path("second"), &options))
        .unwrap();
    assert_eq!(recorder.counts().get(Syscall::Sendfile), 0);
    assert!(report
        .fallbacks
        .iter()
        .all(|f| f.from != Strategy::Sendfile));
    assert_eq!(report.strategy_used, Strategy::Readinto256k);
    assert!(std::fs::read(s.path("second")).unwrap() == content);

    // Asked for by name, sendfile is still tried (CPython only skips it in copyfile's chain).
    let recorder = SyscallRecorder::new();
    let named = CopyOptions {
        strategy: Strategy::Sendfile,
        ..options
    };
    recorder
        .run(|| copy_file(&src, &s.path("third"), &named))
        .unwrap();
    assert_eq!(recorder.counts().get(Syscall::Sendfile), 2);
}
