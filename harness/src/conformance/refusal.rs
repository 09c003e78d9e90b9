//! The errno policy of named strategies: which refusals mean "unsupported here", not "failed".

use copybench_engine::Strategy;

use super::case::{self, SubjectId, Variant};
use super::outcome::{self, Observed, Returned};

/// A named strategy that refused these files before writing a byte, with an errno on which its
/// own give-up rule hands over to another way (`Strategy::give_up`: CPython's
/// `_GiveupOnFastCopy` for the fast paths, EXDEV across filesystems, ENODEV for mmap of sysfs,
/// …). A named strategy runs alone, without fallback, so for it the case is unsupported, not
/// failed: where CPython copied, saying why.
pub(super) fn refused(
    variant: &Variant,
    subject: SubjectId,
    observed: &Observed,
) -> Option<String> {
    let SubjectId::Strategy(strategy) = subject else {
        return None;
    };
    // The plain read/write loops never give up (their rule says so below); `dontcache` is a
    // loop too, refused where the kernel or filesystem lacks RWF_DONTCACHE.
    if strategy == Strategy::Auto {
        return None;
    }
    let Returned::Raised {
        errno: Some(errno), ..
    } = observed.returned
    else {
        return None;
    };
    let errno = rustix::io::Errno::from_raw_os_error(errno);
    if !strategy.give_up(errno, 0).falls_back() || variant.faults_injected() {
        return None;
    }
    let case::Operation::File { dst, .. } = &variant.op else {
        return None;
    };
    let nothing_written = match observed.snapshot.get(dst) {
        None => true,
        Some(entry) => matches!(
            entry.content,
            Some(outcome::ContentMark::Digest { len: 0, .. })
                | Some(outcome::ContentMark::Partial(outcome::PartialMark::Empty))
        ),
    };
    nothing_written.then(|| {
        format!(
            "{strategy} refuses these files before writing ({}); CPython gives up its fast \
             path on that and copies another way, a named strategy runs alone",
            copybench_engine::errno::name(errno)
        )
    })
}
