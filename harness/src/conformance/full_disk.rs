//! A full disk is not a strategy's fault. When the filesystem under test runs out of space (or
//! of quota) in a case that did not ask for it, CPython's copy or the subject's fails with
//! ENOSPC or EDQUOT for a reason of the machine's: the cell is skipped with that reason instead
//! of failing (issue 9: 154 failing cells on a 20 MiB tmpfs were CPython's own copies). Cases
//! that fill a disk on purpose (their own small tmpfs, or an injected ENOSPC) are judged as
//! usual.

use rustix::io::Errno;

use super::case::{FaultPlan, Operation, Variant};
use super::fixture::Node;
use super::outcome::Returned;

/// The errno name if `returned` says the filesystem was full.
fn full(returned: &Returned) -> Option<&'static str> {
    let is_full = |errno: Option<i32>| match errno.map(Errno::from_raw_os_error) {
        Some(Errno::NOSPC) => Some("ENOSPC"),
        Some(Errno::DQUOT) => Some("EDQUOT"),
        _ => None,
    };
    match returned {
        Returned::Raised { errno, .. } => is_full(*errno),
        Returned::Gathered(errors) => errors.iter().find_map(|g| is_full(g.errno)),
        Returned::Path(_) | Returned::Broken(_) => None,
    }
}

/// Whether the variant fills a disk on purpose: an injected ENOSPC or EDQUOT, or a
/// destination on a tmpfs of its own smaller than what it copies (case 22).
fn expects_a_full_disk(variant: &Variant) -> bool {
    let injected = match variant.faults {
        FaultPlan::None => None,
        FaultPlan::FastFirst(e)
        | FaultPlan::ContentFirst(e)
        | FaultPlan::ContentLast(e)
        | FaultPlan::FirstOf(_, e) => Some(e),
    };
    let dst = match &variant.op {
        Operation::File { dst, .. } => dst,
        Operation::Tree(call) => &call.dst,
    };
    let small_destination = variant.fixture.iter().any(|n| match n {
        Node::Tmpfs { path, size } => {
            dst.starts_with(path)
                && dst.get(path.len()) == Some(&b'/')
                && *size < variant.largest_file
        }
        _ => false,
    });
    matches!(injected, Some(Errno::NOSPC | Errno::DQUOT)) || small_destination
}

/// Why the variant is skipped when `who`'s copy (`CPython's`, a subject's) ran out of space
/// where the case did not ask for it; `None` when it did not, or the case asked.
pub(super) fn skip_reason(variant: &Variant, who: &str, returned: &Returned) -> Option<String> {
    if expects_a_full_disk(variant) {
        return None;
    }
    full(returned).map(|errno| {
        format!(
            "the filesystem under test is full: {who} copy failed with {errno}, which says \
             nothing about the copy (free some space, or give conform a larger --dir)"
        )
    })
}

/// Why the variant is skipped when its fixture could not even be built for lack of space.
pub(super) fn fixture_skip_reason(error: &std::io::Error) -> Option<String> {
    let errno = error.raw_os_error().map(Errno::from_raw_os_error)?;
    matches!(errno, Errno::NOSPC | Errno::DQUOT).then(|| {
        format!(
            "the filesystem under test is full: the case's fixture cannot be made ({})",
            copybench_engine::errno::describe(errno)
        )
    })
}
