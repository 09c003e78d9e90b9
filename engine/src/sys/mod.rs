//! The one place the engine makes filesystem syscalls.
//!
//! Every function here counts the call it makes in the installed [`SyscallRecorder`] (by the
//! name strace prints), and can be made to fail on purpose with a [`Fault`]. Code above this
//! module never calls rustix or libc for file I/O, so the counts are the whole truth; a test
//! holds them against `strace -f -c`.

mod counters;
#[cfg(target_os = "linux")]
mod linux;

pub(crate) use counters::{gate, note_stat};
pub use counters::{Fault, RecorderGuard, StatTarget, Syscall, SyscallCounts, SyscallRecorder};
#[cfg(target_os = "linux")]
pub use linux::*;
