//! The harness's calls into the operating system that `rustix` does not wrap, in one place, so
//! the rest of the harness has no `unsafe`.

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
