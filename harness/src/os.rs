//! The harness's calls into the operating system, in one place, so the rest of the harness has
//! no `unsafe`: what `rustix` does not wrap (getrusage, wait4, mincore, setfsuid, signal
//! handlers) with the reason each call is sound beside it, and the privileged calls of the
//! conformance fixtures (mounting a small tmpfs).
//!
//! Linux only, as the engine's `sys/linux.rs` is: the harness measures Linux copies.

use std::os::fd::BorrowedFd;
use std::path::Path;
use std::sync::atomic::{AtomicI32, Ordering};
use std::time::Duration;

/// User and system CPU time as the kernel's `rusage` reports them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Rusage {
    pub user: Duration,
    pub sys: Duration,
    /// `ru_maxrss` in bytes.
    pub max_rss_bytes: u64,
}

fn timeval(tv: libc::timeval) -> Duration {
    Duration::new(tv.tv_sec as u64, (tv.tv_usec as u32) * 1000)
}

fn rusage(usage: &libc::rusage) -> Rusage {
    Rusage {
        user: timeval(usage.ru_utime),
        sys: timeval(usage.ru_stime),
        // Linux reports ru_maxrss in KiB.
        max_rss_bytes: (usage.ru_maxrss as u64).saturating_mul(1024),
    }
}

/// `getrusage(RUSAGE_THREAD)`: the calling thread's CPU time over its whole life (rustix has
/// no getrusage).
pub fn thread_rusage() -> std::io::Result<Rusage> {
    // SAFETY: getrusage fills the zeroed struct it is given.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    if unsafe { libc::getrusage(libc::RUSAGE_THREAD, &mut usage) } != 0 {
        return Err(std::io::Error::last_os_error());
    }
    Ok(rusage(&usage))
}

/// The CPU time the calling thread has used, from its CPU clock: the scheduler's own runtime
/// count in nanoseconds, exact at any length (unlike rusage's tick-sampled user/system split).
pub fn thread_cpu_time() -> Duration {
    let t = rustix::time::clock_gettime(rustix::time::ClockId::ThreadCPUTime);
    Duration::new(t.tv_sec as u64, t.tv_nsec as u32)
}

/// The CPU time of every thread of this process, living or ended, from the process CPU clock.
pub fn process_cpu_time() -> Duration {
    let t = rustix::time::clock_gettime(rustix::time::ClockId::ProcessCPUTime);
    Duration::new(t.tv_sec as u64, t.tv_nsec as u32)
}

/// How a reaped child ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExitStatus {
    Exited(i32),
    Signaled(i32),
    Other(i32),
}

/// `wait4` for the child `pid`, retried on EINTR: its exit status and its own rusage (std's
/// `Child::wait` gives no rusage, rustix has no wait4). The caller must not reap `pid` again.
pub fn wait4(pid: u32) -> std::io::Result<(ExitStatus, Rusage)> {
    let pid = pid as libc::pid_t;
    let mut status: libc::c_int = 0;
    // SAFETY: wait4 fills the zeroed rusage and the status it is given.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    loop {
        let r = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
        if r == pid {
            break;
        }
        let e = std::io::Error::last_os_error();
        if r == -1 && e.kind() == std::io::ErrorKind::Interrupted {
            continue;
        }
        return Err(e);
    }
    let exit = if libc::WIFEXITED(status) {
        ExitStatus::Exited(libc::WEXITSTATUS(status))
    } else if libc::WIFSIGNALED(status) {
        ExitStatus::Signaled(libc::WTERMSIG(status))
    } else {
        ExitStatus::Other(status)
    };
    Ok((exit, rusage(&usage)))
}

/// Pages of the open file `fd` (of `len` bytes) present in the page cache, and its pages in
/// all: `mincore` over a read-only mapping of it (rustix has no mincore).
pub fn resident_pages(fd: BorrowedFd<'_>, len: u64) -> std::io::Result<(u64, u64)> {
    let len = usize::try_from(len).map_err(std::io::Error::other)?;
    if len == 0 {
        return Ok((0, 0));
    }
    let pages = len.div_ceil(rustix::param::page_size());
    // SAFETY: a fresh read-only shared mapping chosen by the kernel, unmapped below; nothing
    // reads through it (mincore only inspects the page tables' backing).
    let ptr = unsafe {
        rustix::mm::mmap(
            std::ptr::null_mut(),
            len,
            rustix::mm::ProtFlags::READ,
            rustix::mm::MapFlags::SHARED,
            fd,
            0,
        )
    }?;
    let mut vec = vec![0u8; pages];
    // SAFETY: `ptr..ptr+len` is the live mapping; `vec` has one byte per page of it.
    let rc = unsafe { libc::mincore(ptr, len, vec.as_mut_ptr()) };
    let mincore_error = std::io::Error::last_os_error();
    // SAFETY: unmapping exactly the mapping made above, once.
    let _ = unsafe { rustix::mm::munmap(ptr, len) };
    if rc != 0 {
        return Err(mincore_error);
    }
    let resident = vec.iter().filter(|b| *b & 1 == 1).count() as u64;
    Ok((resident, pages as u64))
}

/// Makes the calling thread's filesystem uid `uid` (`setfsuid`), so that permission bits bind
/// on a root run; threads it starts inherit it (rustix has no setfsuid).
pub fn set_thread_fsuid(uid: u32) {
    // SAFETY: setfsuid takes a plain integer and cannot fail unsafely.
    unsafe { libc::setfsuid(uid) };
}

/// Mounts a tmpfs of `size` bytes at `path` (needs root).
pub fn mount_tmpfs(path: &Path, size: u64) -> std::io::Result<()> {
    let options = std::ffi::CString::new(format!("size={size},mode=0755"))?;
    rustix::mount::mount(
        "tmpfs",
        path,
        "tmpfs",
        rustix::mount::MountFlags::empty(),
        options.as_c_str(),
    )?;
    Ok(())
}

/// Unmounts `path`; when busy (a file still open in a timed-out subject), detaches it, and it
/// goes when closed.
pub fn unmount(path: &Path) {
    if rustix::mount::unmount(path, rustix::mount::UnmountFlags::empty()).is_err() {
        let _ = rustix::mount::unmount(path, rustix::mount::UnmountFlags::DETACH);
    }
}

/// Installs a handler for each of `signals` that records the signal in `received` and kills
/// the process group in `child_group` (when not 0); a second signal ends the process at once
/// with `128 + signal`, for a user who does not want to wait for the cleanup.
pub fn on_signals(
    signals: &[i32],
    received: &'static AtomicI32,
    child_group: &'static AtomicI32,
) -> std::io::Result<()> {
    for &signal in signals {
        // SAFETY: the handler only uses atomics, kill(2) and _exit(2), which are
        // async-signal-safe; it allocates nothing and takes no lock.
        unsafe {
            signal_hook::low_level::register(signal, move || {
                if received.swap(signal, Ordering::SeqCst) != 0 {
                    signal_hook::low_level::exit(128 + signal);
                }
                kill_process_group(child_group.load(Ordering::SeqCst));
            })
        }?;
    }
    Ok(())
}

/// Kills the process group `group` (nothing when 0); async-signal-safe.
pub fn kill_process_group(group: i32) {
    if let Some(pid) = rustix::process::Pid::from_raw(group) {
        let _ = rustix::process::kill_process_group(pid, rustix::process::Signal::KILL);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_thread_cpu_clock_moves_with_work_and_rusage_agrees_in_total() {
        let before = thread_cpu_time();
        let mut x = 0u64;
        for i in 0..3_000_000u64 {
            x = x.wrapping_add(std::hint::black_box(i * i));
        }
        std::hint::black_box(x);
        let after = thread_cpu_time();
        assert!(after > before);
        assert!(process_cpu_time() >= after - before);
        let usage = thread_rusage().unwrap();
        assert!(usage.user + usage.sys > Duration::ZERO);
    }
}
