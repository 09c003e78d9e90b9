//! The vocabulary of a content copy: which strategy, the two open files, what it did, what failed
//! and on which side, and whether a failure gives up.
//!
//! It sits between the syscall layer and the strategies so that the layers stay one-way:
//! `sys ← content ← strategy ← {file, tree}` (with `metadata` beside `strategy`, below `file`
//! and `tree`). Every strategy (`strategy/*.rs`) and both copies above them speak these types;
//! none of them is defined in a module that also uses them from above.

use std::path::Path;

use rustix::io::Errno;
use serde::{Deserialize, Serialize};

use crate::error::CopyError;
use crate::sys::Fd;

/// A way of copying file content. Names are those of the CLI, the scenario files and the
/// results (`copy_file_range`, `buffered-64k`); what each one does is in `strategy/`.
///
/// Declared in the order `copybench list` prints them ([`Strategy::ALL`]).
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    strum::EnumString,
    strum::Display,
    strum::EnumIter,
    strum::IntoStaticStr,
)]
#[serde(try_from = "String", into = "String")]
#[strum(
    serialize_all = "kebab-case",
    parse_err_ty = String,
    parse_err_fn = unknown_strategy
)]
pub enum Strategy {
    Auto,
    Reflink,
    #[strum(serialize = "copy_file_range")]
    CopyFileRange,
    Sendfile,
    Splice,
    Fcopyfile,
    #[strum(serialize = "readinto-64k")]
    Readinto64k,
    #[strum(serialize = "readinto-256k")]
    Readinto256k,
    #[strum(serialize = "readinto-1m")]
    Readinto1m,
    #[strum(serialize = "buffered-16k")]
    Buffered16k,
    #[strum(serialize = "buffered-64k")]
    Buffered64k,
    #[strum(serialize = "buffered-1m")]
    Buffered1m,
    Mmap,
    Dontcache,
    #[strum(serialize = "io_uring")]
    IoUring,
    Std,
}

impl Strategy {
    /// Every strategy, in the order `copybench list` prints them (the declaration order, which
    /// `strum::EnumIter` walks too; a test holds the two equal).
    pub const ALL: &'static [Strategy] = &[
        Strategy::Auto,
        Strategy::Reflink,
        Strategy::CopyFileRange,
        Strategy::Sendfile,
        Strategy::Splice,
        Strategy::Fcopyfile,
        Strategy::Readinto64k,
        Strategy::Readinto256k,
        Strategy::Readinto1m,
        Strategy::Buffered16k,
        Strategy::Buffered64k,
        Strategy::Buffered1m,
        Strategy::Mmap,
        Strategy::Dontcache,
        Strategy::IoUring,
        Strategy::Std,
    ];

    /// The name used on the command line, in scenario files and in results.
    pub fn name(self) -> &'static str {
        self.into()
    }
}

/// The error of `"nope".parse::<Strategy>()`: the name, and the names that exist.
fn unknown_strategy(name: &str) -> String {
    let names: Vec<&str> = Strategy::ALL.iter().map(|s| s.name()).collect();
    format!("unknown strategy `{name}` (known: {})", names.join(", "))
}

impl TryFrom<String> for Strategy {
    type Error = String;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl From<Strategy> for String {
    fn from(s: Strategy) -> String {
        s.name().to_owned()
    }
}

/// What a strategy's failure means for the copy, as the strategy itself states it
/// ([`Strategy::give_up`]): CPython's `_GiveupOnFastCopy`, or the error standing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GiveUp {
    /// The error is the copy's: no other way is tried, a partial destination stays.
    No,
    /// Another way copies this file; this one may still work for the next file.
    ThisFile,
    /// It will not work for other files between the same filesystems either (FICLONE refused
    /// by ext4, sendfile's ENOTSOCK): a tree copy stops trying it.
    ForGood,
}

impl GiveUp {
    /// Whether the next way is tried at all.
    pub fn falls_back(self) -> bool {
        self != GiveUp::No
    }
}

/// A strategy that gave up before writing anything, and the errno that made it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fallback {
    pub from: Strategy,
    /// `None` when it gave up on a zero return at offset 0 (copy_file_range on some
    /// filesystems), not on an error.
    pub errno: Option<Errno>,
}

/// The two open files of one content copy.
pub(crate) struct ContentJob<'a> {
    pub src: &'a Fd,
    pub dst: &'a Fd,
    /// The source's size from an earlier stat, if any (in-kernel loops size blocks from it).
    pub src_size: Option<u64>,
    /// Stop once `src_size` bytes are copied instead of making one more call to be told it
    /// is the end of the file. Only for a regular file's size read from the open source just
    /// before (the lean walker's `fstat`), and never a size of 0, which `/proc` files report
    /// although they have content: see [`ContentJob::complete_at`].
    pub trust_size: bool,
}

impl<'a> ContentJob<'a> {
    /// A job that runs every loop until its call says end of file.
    pub(crate) fn new(src: &'a Fd, dst: &'a Fd, src_size: Option<u64>) -> ContentJob<'a> {
        ContentJob {
            src,
            dst,
            src_size,
            trust_size: false,
        }
    }

    /// Whether `written` bytes complete the copy without asking the kernel for the end of file.
    ///
    /// CPython's loops run until their call returns 0, which costs one more syscall per file
    /// (`shutil._fastcopy_sendfile`: "sendfile() is called in a loop 'till EOF is reached").
    /// The outcome differs only for a source that grows while it is copied (CPython copies the
    /// bytes appended before its last call, this stops at the size it read) and for a size
    /// that under-reports the content, which `trust_size` is never set for: a size of 0
    /// (`/proc`) or anything but a regular file.
    pub(crate) fn complete_at(&self, written: u64) -> bool {
        self.trust_size
            && self
                .src_size
                .is_some_and(|size| size > 0 && written >= size)
    }
}

/// What a content copy did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ContentCopy {
    pub bytes: u64,
    pub strategy_used: Strategy,
    pub fallbacks: Vec<Fallback>,
}

/// Which end of a content copy a failed syscall was on (to name the right path).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Side {
    Src,
    Dst,
    /// An in-kernel copy between the two (sendfile, copy_file_range, FICLONE): both are named.
    Both,
}

/// A content copy that failed: the syscall, its errno and which file it was about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct ContentError {
    pub op: &'static str,
    pub errno: Errno,
    pub side: Side,
}

impl ContentError {
    /// Names the path of the side that failed, for the user.
    pub(crate) fn into_copy_error(self, src: &Path, dst: &Path) -> CopyError {
        match self.side {
            Side::Src => CopyError::io(self.errno, self.op, src, src, Some(dst)),
            Side::Dst => CopyError::io(self.errno, self.op, dst, src, Some(dst)),
            Side::Both => CopyError::io_pair(self.errno, self.op, src, dst),
        }
    }
}

/// A strategy that failed, and how many bytes it had written by then (the give-up rules
/// depend on whether that is zero).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct StrategyError {
    pub error: ContentError,
    pub written: u64,
}

impl StrategyError {
    pub(crate) fn new(op: &'static str, errno: Errno, side: Side, written: u64) -> StrategyError {
        StrategyError {
            error: ContentError { op, errno, side },
            written,
        }
    }
}

#[cfg(test)]
mod tests {
    use strum::IntoEnumIterator;

    use super::*;

    #[test]
    fn a_trusted_size_completes_only_when_it_is_not_zero() {
        let fd = crate::sys::open(
            Path::new("/"),
            rustix::fs::OFlags::RDONLY,
            rustix::fs::Mode::empty(),
        )
        .unwrap();
        let mut job = ContentJob::new(&fd, &fd, Some(10));
        assert!(!job.complete_at(10), "not trusted: loop to the end of file");
        job.trust_size = true;
        assert!(job.complete_at(10));
        assert!(!job.complete_at(9));
        job.src_size = Some(0);
        assert!(
            !job.complete_at(0),
            "st_size 0 may be a /proc file with content"
        );
    }

    #[test]
    fn all_is_the_declaration_order() {
        assert_eq!(Strategy::iter().collect::<Vec<_>>(), Strategy::ALL);
    }

    #[test]
    fn names_on_the_wire_are_unchanged() {
        let names: Vec<&str> = Strategy::ALL.iter().map(|s| s.name()).collect();
        assert_eq!(
            names,
            [
                "auto",
                "reflink",
                "copy_file_range",
                "sendfile",
                "splice",
                "fcopyfile",
                "readinto-64k",
                "readinto-256k",
                "readinto-1m",
                "buffered-16k",
                "buffered-64k",
                "buffered-1m",
                "mmap",
                "dontcache",
                "io_uring",
                "std",
            ]
        );
        for s in Strategy::ALL {
            assert_eq!(s.name().parse::<Strategy>(), Ok(*s));
            assert_eq!(s.to_string(), s.name());
            assert_eq!(
                serde_json::to_string(s).unwrap(),
                format!("\"{}\"", s.name())
            );
        }
        assert!("nope".parse::<Strategy>().unwrap_err().contains("sendfile"));
    }
}
