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

use super::Fault;

/// Declares [`Syscall`] and its [`Syscall::ALL`] from one list of variants. The names are
/// strum's snake_case of the variant (`CopyFileRange` → `copy_file_range`, `Pread64` →
/// `pread64`), which is what strace prints on x86_64 and aarch64; a test holds them to that.
macro_rules! syscalls {
    ($($variant:ident),* $(,)?) => {
        /// A kernel syscall the engine makes, named as `strace` prints it.
        #[derive(
            Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord,
            strum::EnumString, strum::Display, strum::EnumIter, strum::IntoStaticStr,
            strum::EnumCount,
        )]
        #[strum(
            serialize_all = "snake_case",
            parse_err_ty = String,
            parse_err_fn = unknown_syscall
        )]
        pub enum Syscall { $($variant),* }

        impl Syscall {
            /// Every syscall the counted layer covers.
            pub const ALL: &'static [Syscall] = &[$(Syscall::$variant),*];
        }
    };
}

syscalls! {
    Openat,
    Close,
    Read,
    Write,
    Pread64,
    Pwrite64,
    Preadv2,
    Pwritev2,
    Lseek,
    Newfstatat,
    Statx,
    Fstat,
    Statfs,
    Fstatfs,
    Sendfile,
    CopyFileRange,
    Splice,
    Pipe2,
    Fcntl,
    Ioctl,
    Getdents64,
    Mkdirat,
    Symlinkat,
    Readlinkat,
    Unlinkat,
    Linkat,
    Renameat2,
    Mknodat,
    Fchmod,
    Fchmodat,
    Fchown,
    Fchownat,
    Utimensat,
    Listxattr,
    Llistxattr,
    Flistxattr,
    Getxattr,
    Lgetxattr,
    Fgetxattr,
    Setxattr,
    Lsetxattr,
    Fsetxattr,
    Mmap,
    Munmap,
    Madvise,
    Mincore,
    Ftruncate,
    Fallocate,
    Fsync,
    Fdatasync,
    Syncfs,
    Fadvise64,
    IoUringSetup,
    IoUringEnter,
    IoUringRegister,
    Unshare,
    Umask,
}

fn unknown_syscall(name: &str) -> String {
    format!("`{name}` is not a syscall the counted layer covers")
}

impl Syscall {
    /// The name `strace -c` prints for this syscall on x86_64 and aarch64 Linux.
    pub fn name(self) -> &'static str {
        self.into()
    }

    /// The syscall `strace` calls `name`, if the layer covers it.
    pub fn from_name(name: &str) -> Option<Syscall> {
        name.parse().ok()
    }

    /// Whether this is one of the stat family (a read of an inode's attributes: `newfstatat`,
    /// which glibc makes for `stat`, `lstat` and `fstatat`, `statx`, `fstat`). The engine's one
    /// list of them: the wrappers that make these are the ones that note a path or fd stat.
    pub fn is_stat_family(self) -> bool {
        matches!(self, Syscall::Newfstatat | Syscall::Statx | Syscall::Fstat)
    }
}

/// Whether `name`, as strace prints it on any Linux architecture, is a stat-family call:
/// [`Syscall::is_stat_family`] plus the names other ABIs use (`stat`, `lstat64`, `fstatat64`,
/// …), to count a trace of another program the way the counted layer counts the engine.
pub fn is_stat_family_name(name: &str) -> bool {
    Syscall::from_name(name).is_some_and(Syscall::is_stat_family)
        || matches!(
            name,
            "stat" | "lstat" | "stat64" | "lstat64" | "fstat64" | "fstatat64"
        )
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

const N: usize = <Syscall as strum::EnumCount>::COUNT;

#[derive(Debug)]
struct Counters {
    made: [AtomicU64; N],
    attempted: [AtomicU64; N],
    path_stats: AtomicU64,
    fd_stats: AtomicU64,
    faults: Vec<Fault>,
}

/// Collects the syscalls of one operation, possibly across threads, and injects faults.
///
/// Each thread counts into a tally of its own while the recorder is installed on it, and adds
/// it to the shared counters when its guard drops: two worker threads adding to one shared
/// array on every syscall bounce its cache lines between the cores (the 8000-file tree with
/// 2 jobs, `perf record -F 20000 -e cpu-clock:u`, 3 runs each: a median of 314 user-mode
/// samples with shared atomics, 281 with a tally per thread).
/// [`SyscallRecorder::counts`] sees what every finished installation counted, and the calling
/// thread's own running tally.
#[derive(Clone, Debug)]
pub struct SyscallRecorder(Arc<Counters>);

/// One thread's counts for the recorder installed on it, not yet added to the shared ones.
#[derive(Debug)]
struct Tally {
    made: [u64; N],
    path_stats: u64,
    fd_stats: u64,
}

impl Tally {
    const fn new() -> Tally {
        Tally {
            made: [0; N],
            path_stats: 0,
            fd_stats: 0,
        }
    }
}

/// The recorder installed on a thread, with the thread's tally for it.
#[derive(Debug)]
struct Installed {
    recorder: SyscallRecorder,
    tally: Tally,
}

impl Installed {
    /// Adds the tally to the recorder's shared counters.
    fn flush(self) {
        let counters = &self.recorder.0;
        for (shared, n) in counters.made.iter().zip(self.tally.made) {
            if n > 0 {
                shared.fetch_add(n, Ordering::Relaxed);
            }
        }
        counters
            .path_stats
            .fetch_add(self.tally.path_stats, Ordering::Relaxed);
        counters
            .fd_stats
            .fetch_add(self.tally.fd_stats, Ordering::Relaxed);
    }
}

thread_local! {
    static CURRENT: RefCell<Option<Installed>> = const { RefCell::new(None) };
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
        CURRENT.with(|c| c.borrow().as_ref().map(|i| i.recorder.clone()))
    }

    /// Makes this the thread's recorder until the guard drops (the previous one comes back,
    /// and what this thread counted is added to this recorder's counts).
    pub fn install(&self) -> RecorderGuard {
        let installed = Installed {
            recorder: self.clone(),
            tally: Tally::new(),
        };
        let previous = CURRENT.with(|c| c.borrow_mut().replace(installed));
        RecorderGuard { previous }
    }

    /// Runs `f` with this recorder installed on the current thread.
    pub fn run<T>(&self, f: impl FnOnce() -> T) -> T {
        let _guard = self.install();
        f()
    }

    /// The counts so far: every finished installation's (a worker thread's once its guard
    /// has dropped, as it does before the copy that started it returns), and this thread's.
    pub fn counts(&self) -> SyscallCounts {
        let mut made: [u64; N] = std::array::from_fn(|i| self.0.made[i].load(Ordering::Relaxed));
        let mut path_stats = self.0.path_stats.load(Ordering::Relaxed);
        let mut fd_stats = self.0.fd_stats.load(Ordering::Relaxed);
        CURRENT.with(|c| {
            if let Some(installed) = c.borrow().as_ref() {
                if Arc::ptr_eq(&installed.recorder.0, &self.0) {
                    for (total, n) in made.iter_mut().zip(installed.tally.made) {
                        *total += n;
                    }
                    path_stats += installed.tally.path_stats;
                    fd_stats += installed.tally.fd_stats;
                }
            }
        });
        let calls = Syscall::ALL
            .iter()
            .zip(made)
            .filter(|&(_, n)| n > 0)
            .map(|(call, n)| (call.name().to_owned(), n))
            .collect();
        SyscallCounts {
            calls,
            path_stats,
            fd_stats,
        }
    }
}

/// Restores the previously installed recorder when dropped.
#[must_use = "the recorder is uninstalled when the guard drops"]
pub struct RecorderGuard {
    previous: Option<Installed>,
}

impl Drop for RecorderGuard {
    fn drop(&mut self) {
        let previous = self.previous.take();
        let finished = CURRENT.with(|c| std::mem::replace(&mut *c.borrow_mut(), previous));
        if let Some(finished) = finished {
            finished.flush();
        }
    }
}

/// Called by every wrapper before it makes `call`: counts the attempt and returns the injected
/// error if a fault names it; otherwise counts the call as made. From a thread-local's
/// destructor at thread exit (a cached io_uring closing), after the recorder slot itself is
/// gone, nothing is counted.
pub(crate) fn gate(call: Syscall) -> Result<(), Errno> {
    let gated = CURRENT.try_with(|c| {
        let mut borrowed = c.borrow_mut();
        let Some(installed) = borrowed.as_mut() else {
            return Ok(());
        };
        let counters = &installed.recorder.0;
        let index = call as usize;
        if !counters.faults.is_empty() {
            // Shared: "the Nth call" counts the calls of every thread, in the order made.
            let attempt = counters.attempted[index].fetch_add(1, Ordering::Relaxed) + 1;
            if let Some(fault) = counters
                .faults
                .iter()
                .find(|f| f.syscall == call && f.nth == attempt)
            {
                return Err(fault.errno);
            }
        }
        installed.tally.made[index] += 1;
        Ok(())
    });
    gated.unwrap_or(Ok(()))
}

/// Records which kind of stat a stat-family call was (after [`gate`] let it through).
pub(crate) fn note_stat(target: StatTarget) {
    let _ = CURRENT.try_with(|c| {
        if let Some(installed) = c.borrow_mut().as_mut() {
            match target {
                StatTarget::Path => installed.tally.path_stats += 1,
                StatTarget::Fd => installed.tally.fd_stats += 1,
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use strum::IntoEnumIterator;

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
    fn names_are_what_strace_prints() {
        let names: Vec<&str> = Syscall::ALL.iter().map(|c| c.name()).collect();
        let strace = "openat close read write pread64 pwrite64 preadv2 pwritev2 lseek newfstatat statx fstat \
            statfs fstatfs sendfile copy_file_range splice pipe2 fcntl ioctl getdents64 mkdirat \
            symlinkat readlinkat unlinkat linkat renameat2 mknodat fchmod fchmodat fchown \
            fchownat utimensat listxattr llistxattr flistxattr getxattr lgetxattr fgetxattr \
            setxattr lsetxattr fsetxattr mmap munmap madvise mincore ftruncate fallocate fsync \
            fdatasync syncfs fadvise64 io_uring_setup io_uring_enter io_uring_register unshare umask";
        assert_eq!(names, strace.split_whitespace().collect::<Vec<_>>());
        assert_eq!(
            Syscall::iter().collect::<Vec<_>>(),
            Syscall::ALL,
            "ALL is the declaration order"
        );
        assert!("nosuch".parse::<Syscall>().unwrap_err().contains("nosuch"));
    }

    #[test]
    fn the_stat_family_is_newfstatat_statx_and_fstat() {
        let family: Vec<Syscall> = Syscall::iter().filter(|c| c.is_stat_family()).collect();
        assert_eq!(
            family,
            [Syscall::Newfstatat, Syscall::Statx, Syscall::Fstat]
        );
        assert!(is_stat_family_name("lstat64") && is_stat_family_name("fstat"));
        assert!(!is_stat_family_name("statfs"));
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
