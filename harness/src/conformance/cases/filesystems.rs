//! Cases 21 and 22 of docs/conformance.md: copies across filesystems and onto a full one, on small
//! tmpfs mounts made under the case's directory (root only; always unmounted).

use copybench_engine::Strategy;
use rustix::io::Errno;

use crate::conformance::case::{names_both_files, Case, Operation, SubjectId, Variant};
use crate::conformance::fixture::Node;
use crate::conformance::outcome::{ContentMark, Observed, PartialMark};

pub(crate) fn cases() -> Vec<Case> {
    vec![
        Case::new(
            21,
            "tmpfs ↔ the filesystem under test → copy_file_range fails with EXDEV at offset 0, the next strategy completes",
            vec![
                Variant::file(
                    "tmpfs to here",
                    vec![Node::tmpfs("t", 1 << 20), Node::random("t/src", 100_000, 21)],
                    Operation::copyfile("t/src", "dst"),
                    |o, _| o.same_content("dst", "t/src"),
                )
                .engine_check(exdev_fallback),
                Variant::file(
                    "here to tmpfs",
                    vec![Node::random("src", 100_000, 21), Node::tmpfs("t", 1 << 20)],
                    Operation::copyfile("src", "t/dst"),
                    |o, _| o.same_content("t/dst", "src"),
                )
                .engine_check(exdev_fallback),
            ],
        ),
        Case::new(
            22,
            "Disk full half-way (a 64 KiB tmpfs) → ENOSPC naming both paths, partial destination left",
            vec![Variant::file(
                "256 KiB onto 64 KiB",
                vec![Node::random("src", 256 << 10, 22), Node::tmpfs("full", 64 << 10)],
                Operation::copyfile("src", "full/dst"),
                |o, subject| {
                    o.raised("OSError", Some(Errno::NOSPC))?;
                    // CPython's in-kernel copy names both; a write loop names what it wrote to.
                    if names_both_files(subject) {
                        o.error_names("src")?;
                    }
                    o.error_names("full/dst")?;
                    match o.entry("full/dst")?.content {
                        Some(ContentMark::Partial(PartialMark::Prefix)) => Ok(()),
                        ref other => Err(format!("full/dst {other:?}, expected a partial copy")),
                    }
                },
            )
            .partial("full/dst", "src")],
        ),
    ]
}

/// copy_file_range (alone or first in `auto`'s chain) gave up with EXDEV before writing.
fn exdev_fallback(o: &Observed, subject: SubjectId) -> Result<(), String> {
    let Some(trace) = &o.engine else {
        return Ok(());
    };
    if !matches!(subject.strategy(), Strategy::CopyFileRange | Strategy::Auto) {
        return Ok(());
    }
    let gave_up = trace
        .fallbacks
        .iter()
        .any(|f| f.from == Strategy::CopyFileRange && f.errno == Some(Errno::XDEV));
    if gave_up {
        Ok(())
    } else {
        Err(format!(
            "no EXDEV give-up from copy_file_range: fallbacks {:?}, copied by {:?}",
            trace.fallbacks, trace.strategy_used
        ))
    }
}
