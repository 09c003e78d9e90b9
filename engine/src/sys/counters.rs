//! Per-syscall counters and the recorder that collects them.
//!
//! A [`SyscallRecorder`] is installed on a thread for the duration of an operation; every wrapper
//! in [`crate::sys`] bumps its counter there. Worker threads of a parallel copy install a clone of
//! the same recorder, so counts of one operation add up across threads. With no recorder
//! installed the wrappers only pay for one thread-local read.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use rustix::io::Errno;
use serde::{Deserialize, Serialize};

macro_rules! syscalls {
    ($($variant:ident => $name:literal),* $(,)?) => {
        /// A kernel syscall the engine makes, named as `strace` prints it.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Syscall { $($variant),* }

        impl Syscall {
            /// Every syscall the counted layer covers.
            pub const ALL: &'static [Syscall] = &[$(Syscall::$variant),*];

            /// The name `strace -c` prints for this syscall on x86_64 and aarch64 Linux.
            pub fn name(self) -> &'static str {
                match self { $(Syscall::$variant => $name),* }
            }

            /// The syscall `strace` calls `name`, if the layer covers it.
            pub fn from_name(name: &str) -> Option<Syscall> {
                match name { $($name => Some(Syscall::$variant),)* _ => None }
            }
        }
    };
}

syscalls! {
    Openat => "openat",
    Close => "close",
    Read => "read",
    Write => "write",
    Pread64 => "pread64",
    Pwrite64 => "pwrite64",
    Lseek => "lseek",
    Newfstatat => "newfstatat",
    Statx => "statx",
    Fstat => "fstat",
    Statfs => "statfs",
    Fstatfs => "fstatfs",
    Sendfile => "sendfile",
    CopyFileRange => "copy_file_range",
    Splice => "splice",
    Pipe2 => "pipe2",
    Fcntl => "fcntl",
    Ioctl => "ioctl",
    Getdents64 => "getdents64",
    Mkdirat => "mkdirat",
    Symlinkat => "symlinkat",
    Readlinkat => "readlinkat",
    Unlinkat => "unlinkat",
    Linkat => "linkat",
    Renameat2 => "renameat2",
    Mknodat => "mknodat",
    Fchmod => "fchmod",
    Fchmodat => "fchmodat",
    Fchown => "fchown",
    Fchownat => "fchownat",
    Utimensat => "utimensat",
    Listxattr => "listxattr",
    Llistxattr => "llistxattr",
    Flistxattr => "flistxattr",
    Getxattr => "getxattr",
    Lgetxattr => "lgetxattr",
    Fgetxattr => "fgetxattr",
    Setxattr => "setxattr",
    Lsetxattr => "lsetxattr",
    Fsetxattr => "fsetxattr",
    Mmap => "mmap",
    Munmap => "munmap",
    Madvise => "madvise",
    Mincore => "mincore",
    Ftruncate => "ftruncate",
    Fallocate => "fallocate",
    Fsync => "fsync",
    Fdatasync => "fdatasync",
    Syncfs => "syncfs",
    Fadvise64 => "fadvise64",
}

impl std::fmt::Display for Syscall {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for Syscall {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Syscall::from_name(s)
            .ok_or_else(|| format!("`{s}` is not a syscall the counted layer covers"))
    }
}

/// Whether a stat-family call resolved a path or looked at an open descriptor.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StatTarget {
    /// `stat`/`lstat`/`newfstatat`/`statx` on a name: a lookup (a round trip on a network share).
    Path,
    /// `fstat`, or `newfstatat`/`statx` with `AT_EMPTY_PATH`: no lookup.
    Fd,
}

/// Counts of one operation, by syscall name, plus the two derived stat figures.
///
/// Serialises flat, as `{"openat": 2, …, "path_stats": 1, "fd_stats": 1}`; syscalls that were not
/// made are left out.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyscallCounts {
    /// Calls by the name strace prints.
    #[serde(flatten)]
    pub calls: BTreeMap<String, u64>,
    /// Stat-family calls that resolved a path.
    pub path_stats: u64,
    /// Stat-family calls on an open descriptor.
    pub fd_stats: u64,
}

impl SyscallCounts {
    /// Calls of one syscall (0 when it was not made).
    pub fn get(&self, call: Syscall) -> u64 {
        self.calls.get(call.name()).copied().unwrap_or(0)
    }

    /// Every counted syscall, all kinds together.
    pub fn total(&self) -> u64 {
        self.calls.values().sum()
    }

    /// Stat-family calls of either target.
    pub fn stat_family(&self) -> u64 {
        self.path_stats + self.fd_stats
    }

    /// Adds another operation's counts to these.
    pub fn add(&mut self, other: &SyscallCounts) {
        for (name, n) in &other.calls {
            *self.calls.entry(name.clone()).or_insert(0) += n;
        }
        self.path_stats += other.path_stats;
        self.fd_stats += other.fd_stats;
    }
}

/// Fail the `nth` call (1-based, counted from when the recorder was made) of `syscall` with
/// `errno`, without making it. Used by tests and the conformance suite to reach CPython's
/// fallback and error paths on purpose.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Fault {
    pub syscall: Syscall,
    pub nth: u64,
    pub errno: Errno,
}

impl std::str::FromStr for Fault {
    type Err = String;

    /// Parses `SYSCALL:N:ERRNO`, e.g. `sendfile:1:EINVAL`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let parts: Vec<&str> = s.split(':').collect();
        let [call, nth, errno] = parts.as_slice() else {
            return Err(format!(
                "`{s}`: expected SYSCALL:N:ERRNO, e.g. sendfile:1:EINVAL"
            ));
        };
        let syscall = call.parse::<Syscall>()?;
        let nth = nth
            .parse::<u64>()
            .ok()
            .filter(|n| *n >= 1)
            .ok_or_else(|| format!("`{nth}`: N must be a whole number from 1"))?;
        let errno = crate::errno::from_name(errno)
            .ok_or_else(|| format!("`{errno}` is not an errno name this build knows"))?;
        Ok(Fault {
            syscall,
            nth,
            errno,
        })
    }
}

const N: usize = Syscall::ALL.len();

#[derive(Debug)]
struct Counters {
    made: [AtomicU64; N],
    attempted: [AtomicU64; N],
    path_stats: AtomicU64,
    fd_stats: AtomicU64,
    faults: Vec<Fault>,
}

/// Collects the syscalls of one operation, possibly across threads, and injects faults.
#[derive(Clone, Debug)]
pub struct SyscallRecorder(Arc<Counters>);

thread_local! {
    static CURRENT: RefCell<Option<SyscallRecorder>> = const { RefCell::new(None) };
}

impl Default for SyscallRecorder {
    fn default() -> Self {
        Self::new()
    }
}

impl SyscallRecorder {
    /// A recorder that counts and injects nothing.
    pub fn new() -> Self {
        Self::with_faults(Vec::new())
    }

    /// A recorder that also fails the calls `faults` name.
    pub fn with_faults(faults: Vec<Fault>) -> Self {
        SyscallRecorder(Arc::new(Counters {
            made: std::array::from_fn(|_| AtomicU64::new(0)),
            attempted: std::array::from_fn(|_| AtomicU64::new(0)),
            path_stats: AtomicU64::new(0),
            fd_stats: AtomicU64::new(0),
            faults,
        }))
    }

    /// The recorder installed on this thread, to hand to worker threads.
    pub fn current() -> Option<SyscallRecorder> {
        CURRENT.with(|c| c.borrow().clone())
    }

    /// Makes this the thread's recorder until the guard drops (the previous one comes back).
    pub fn install(&self) -> RecorderGuard {
        let previous = CURRENT.with(|c| c.borrow_mut().replace(self.clone()));
        RecorderGuard { previous }
    }

    /// Runs `f` with this recorder installed on the current thread.
    pub fn run<T>(&self, f: impl FnOnce() -> T) -> T {
        let _guard = self.install();
        f()
    }

    /// The counts so far.
    pub fn counts(&self) -> SyscallCounts {
        let calls = Syscall::ALL
            .iter()
            .zip(self.0.made.iter())
            .filter_map(|(call, n)| {
                let n = n.load(Ordering::Relaxed);
                (n > 0).then(|| (call.name().to_owned(), n))
            })
            .collect();
        SyscallCounts {
            calls,
            path_stats: self.0.path_stats.load(Ordering::Relaxed),
            fd_stats: self.0.fd_stats.load(Ordering::Relaxed),
        }
    }
}

/// Restores the previously installed recorder when dropped.
#[must_use = "the recorder is uninstalled when the guard drops"]
pub struct RecorderGuard {
    previous: Option<SyscallRecorder>,
}

impl Drop for RecorderGuard {
    fn drop(&mut self) {
        let previous = self.previous.take();
        CURRENT.with(|c| *c.borrow_mut() = previous);
    }
}

/// Called by every wrapper before it makes `call`: counts the attempt and returns the injected
/// error if a fault names it; otherwise counts the call as made.
pub(crate) fn gate(call: Syscall) -> Result<(), Errno> {
    CURRENT.with(|c| {
        let borrowed = c.borrow();
        let Some(recorder) = borrowed.as_ref() else {
            return Ok(());
        };
        let counters = &recorder.0;
        let index = call as usize;
        if !counters.faults.is_empty() {
            let attempt = counters.attempted[index].fetch_add(1, Ordering::Relaxed) + 1;
            if let Some(fault) = counters
                .faults
                .iter()
                .find(|f| f.syscall == call && f.nth == attempt)
            {
                return Err(fault.errno);
            }
        }
        counters.made[index].fetch_add(1, Ordering::Relaxed);
        Ok(())
    })
}

/// Records which kind of stat a stat-family call was (after [`gate`] let it through).
pub(crate) fn note_stat(target: StatTarget) {
    CURRENT.with(|c| {
        if let Some(recorder) = c.borrow().as_ref() {
            let counter = match target {
                StatTarget::Path => &recorder.0.path_stats,
                StatTarget::Fd => &recorder.0.fd_stats,
            };
            counter.fetch_add(1, Ordering::Relaxed);
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for call in Syscall::ALL {
            assert_eq!(Syscall::from_name(call.name()), Some(*call));
        }
    }

    #[test]
    fn gate_counts_only_with_a_recorder() {
        assert!(gate(Syscall::Read).is_ok());
        let recorder = SyscallRecorder::new();
        recorder.run(|| {
            gate(Syscall::Read).unwrap();
            gate(Syscall::Read).unwrap();
        });
        assert_eq!(recorder.counts().get(Syscall::Read), 2);
        assert_eq!(recorder.counts().total(), 2);
    }

    #[test]
    fn fault_fails_the_nth_call_only_and_is_not_counted_as_made() {
        let fault: Fault = "sendfile:2:EINVAL".parse().unwrap();
        let recorder = SyscallRecorder::with_faults(vec![fault]);
        let results: Vec<_> = recorder.run(|| (0..3).map(|_| gate(Syscall::Sendfile)).collect());
        assert_eq!(results, vec![Ok(()), Err(Errno::INVAL), Ok(())]);
        assert_eq!(recorder.counts().get(Syscall::Sendfile), 2);
    }

    #[test]
    fn bad_fault_specs_say_why() {
        assert!("sendfile:0:EINVAL"
            .parse::<Fault>()
            .unwrap_err()
            .contains("N must"));
        assert!("nosuch:1:EINVAL"
            .parse::<Fault>()
            .unwrap_err()
            .contains("nosuch"));
        assert!("read:1:EWHAT"
            .parse::<Fault>()
            .unwrap_err()
            .contains("EWHAT"));
        assert!("read"
            .parse::<Fault>()
            .unwrap_err()
            .contains("SYSCALL:N:ERRNO"));
    }

    #[test]
    fn worker_threads_add_to_the_same_counts() {
        let recorder = SyscallRecorder::new();
        std::thread::scope(|s| {
            for _ in 0..4 {
                let r = recorder.clone();
                s.spawn(move || r.run(|| gate(Syscall::Write).unwrap()));
            }
        });
        assert_eq!(recorder.counts().get(Syscall::Write), 4);
    }
}
