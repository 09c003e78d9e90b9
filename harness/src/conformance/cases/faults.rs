//! Cases 13–16 of docs/conformance.md: syscalls failed on purpose through the engine's counted layer.
//! CPython's tests reach these paths with `unittest.mock`; the oracle cannot fail *our* syscalls,
//! so these cells are judged by the docs/conformance.md expectation alone (`oracle_checked: false`).

use rustix::io::Errno;

use crate::conformance::case::{Case, FaultPlan, Operation, Variant};
use crate::conformance::fixture::Node;
use crate::conformance::outcome::{ContentMark, PartialMark};

pub(crate) fn cases() -> Vec<Case> {
    vec![
        Case::new(
            13,
            "Fast syscall fails with EINVAL on its first call → gives up, the fallback copies correctly (test_exception_on_first_call)",
            vec![Variant::file(
                "EINVAL on call 1",
                vec![Node::random("src", 100_000, 13)],
                Operation::copyfile("src", "dst"),
                |o, _| {
                    o.returned_path("dst")?;
                    o.same_content("dst", "src")?;
                    o.fell_back_on(Errno::INVAL)
                },
            )
            .applies(|s| match s.strategy() {
                copybench_engine::Strategy::Auto => Ok(()),
                other => Err(format!(
                    "{other} runs alone, without a fallback (the engine's design): CPython's give-up rule is auto's"
                )),
            })
            .with_faults(FaultPlan::FastFirst(Errno::INVAL))],
        ),
        Case::new(
            14,
            "First call fails with ENOSPC → that error, no fallback (test_filesystem_full)",
            vec![Variant::file(
                "ENOSPC on call 1",
                vec![Node::random("src", 100_000, 14)],
                Operation::copyfile("src", "dst"),
                |o, _| {
                    o.raised("OSError", Some(Errno::NOSPC))?;
                    o.content_is("dst", b"")
                },
            )
            .with_faults(FaultPlan::ContentFirst(Errno::NOSPC))],
        ),
        Case::new(
            15,
            "An error after some bytes were written → that error, no fallback, partial destination left (test_exception_on_second_call)",
            vec![Variant::file(
                "EIO on the last call",
                vec![Node::random("src", 100_000, 15)],
                Operation::copyfile("src", "dst"),
                |o, _| {
                    o.raised("OSError", Some(Errno::IO))?;
                    match o.entry("dst")?.content {
                        Some(ContentMark::Partial(PartialMark::Prefix | PartialMark::Complete)) => Ok(()),
                        ref other => Err(format!("dst {other:?}, expected the bytes copied before the error")),
                    }
                },
            )
            .partial("dst", "src")
            .with_faults(FaultPlan::ContentLast(Errno::IO))],
        ),
        Case::isolated(
            16,
            "sendfile fails with ENOTSOCK → sendfile disabled for the rest of the process (test_file2file_not_supported)",
            super::super::isolated::SENDFILE_DISABLED,
        ),
    ]
}
