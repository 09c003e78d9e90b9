//! The harness's calls into the operating system, in one place, so the rest of the harness has
//! no `unsafe`: what `rustix` does not wrap (getrusage, wait4, mincore, setfsuid, signal
//! handlers, the extent map of a file: FIEMAP, a child's parent-death signal) with the reason
//! each call is sound beside it, and the privileged calls of the conformance fixtures
//! (mounting a small tmpfs).
//!
//! Linux only, as the engine's `sys/linux.rs` is: the harness measures Linux copies.

use std::os::fd::{AsFd, AsRawFd, BorrowedFd};
use std::path::Path;
use std::process::Command;
use std::sync::atomic::{AtomicI32, Ordering};
use std::time::Duration;

use rustix::io::Errno;

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

/// One extent of a file, as `FS_IOC_FIEMAP` reports it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Extent {
    /// Offset in the file, bytes.
    pub logical: u64,
    pub length: u64,
    /// `FIEMAP_EXTENT_SHARED`: the blocks are also another file's (a reflink, a snapshot, a
    /// server-side clone).
    pub shared: bool,
    /// `FIEMAP_EXTENT_UNWRITTEN`: allocated but reads as zeros (preallocated).
    pub unwritten: bool,
}

// linux/fiemap.h
const FIEMAP_FLAG_SYNC: u32 = 0x0000_0001;
const FIEMAP_EXTENT_LAST: u32 = 0x0000_0001;
const FIEMAP_EXTENT_UNWRITTEN: u32 = 0x0000_0800;
const FIEMAP_EXTENT_SHARED: u32 = 0x0000_2000;
/// `_IOWR('f', 11, struct fiemap)`.
const FS_IOC_FIEMAP: libc::c_ulong = 0xC020_660B;
/// Extents asked for per call.
const BATCH: usize = 256;

#[repr(C)]
#[derive(Clone, Copy, Default)]
struct FiemapExtent {
    fe_logical: u64,
    fe_physical: u64,
    fe_length: u64,
    fe_reserved64: [u64; 2],
    fe_flags: u32,
    fe_reserved: [u32; 3],
}

#[repr(C)]
struct Fiemap {
    fm_start: u64,
    fm_length: u64,
    fm_flags: u32,
    fm_mapped_extents: u32,
    fm_extent_count: u32,
    fm_reserved: u32,
    fm_extents: [FiemapExtent; BATCH],
}

/// Every extent of the open file `fd`, after writing its dirty pages back (`FIEMAP_FLAG_SYNC`,
/// so delayed allocation does not hide extents). A filesystem without FIEMAP (tmpfs, FUSE)
/// answers `EOPNOTSUPP` or `ENOTTY`.
pub fn extents(fd: impl AsFd) -> Result<Vec<Extent>, Errno> {
    let fd = fd.as_fd();
    let mut out = Vec::new();
    let mut start = 0u64;
    loop {
        let mut map = Fiemap {
            fm_start: start,
            fm_length: u64::MAX - start,
            fm_flags: FIEMAP_FLAG_SYNC,
            fm_mapped_extents: 0,
            fm_extent_count: BATCH as u32,
            fm_reserved: 0,
            fm_extents: [FiemapExtent::default(); BATCH],
        };
        // SAFETY: `map` is a live, writable `struct fiemap` with room for `fm_extent_count`
        // extents, as FS_IOC_FIEMAP requires; the kernel writes only within it.
        let rc = unsafe { libc::ioctl(fd.as_raw_fd(), FS_IOC_FIEMAP, &mut map as *mut Fiemap) };
        if rc < 0 {
            return Err(Errno::from_raw_os_error(
                std::io::Error::last_os_error().raw_os_error().unwrap_or(0),
            ));
        }
        let mapped = (map.fm_mapped_extents as usize).min(BATCH);
        if mapped == 0 {
            return Ok(out);
        }
        let mut last = false;
        for e in &map.fm_extents[..mapped] {
            out.push(Extent {
                logical: e.fe_logical,
                length: e.fe_length,
                shared: e.fe_flags & FIEMAP_EXTENT_SHARED != 0,
                unwritten: e.fe_flags & FIEMAP_EXTENT_UNWRITTEN != 0,
            });
            last |= e.fe_flags & FIEMAP_EXTENT_LAST != 0;
        }
        let end = map.fm_extents[mapped - 1];
        if last {
            return Ok(out);
        }
        start = end.fe_logical.saturating_add(end.fe_length);
    }
}

/// The data ranges `(offset, length)` of the open file `fd` of `size` bytes, from
/// `SEEK_DATA`/`SEEK_HOLE` (a filesystem without hole support reports one range: all data).
pub fn data_ranges(fd: impl AsFd, size: u64) -> Result<Vec<(u64, u64)>, Errno> {
    use rustix::fs::{seek, SeekFrom};
    let fd = fd.as_fd();
    let mut ranges = Vec::new();
    let mut at = 0u64;
    while at < size {
        let data = match seek(fd, SeekFrom::Data(at)) {
            Ok(offset) => offset,
            // No data after `at`: the rest is a hole.
            Err(Errno::NXIO) => break,
            Err(e) => return Err(e),
        };
        let hole = match seek(fd, SeekFrom::Hole(data)) {
            Ok(offset) => offset.min(size),
            Err(Errno::NXIO) => size,
            Err(e) => return Err(e),
        };
        if hole > data {
            ranges.push((data, hole - data));
        }
        at = hole.max(data + 1);
    }
    Ok(ranges)
}

/// Makes `command`'s child receive SIGTERM when the thread that spawns it ends (the harness
/// dying by SIGKILL included), so a server the harness started cannot outlive it. The signal is
/// tied to the spawning *thread* (prctl(2)): spawn from the thread that lives for the run.
pub fn terminate_with_parent(command: &mut Command) {
    use std::os::unix::process::CommandExt;
    // SAFETY: the closure runs in the child between fork and exec and only calls prctl, which
    // is async-signal-safe and touches no memory of the parent.
    unsafe {
        command.pre_exec(|| {
            rustix::process::set_parent_process_death_signal(Some(rustix::process::Signal::TERM))
                .map_err(std::io::Error::from)
        });
    }
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
    use std::io::{Seek, SeekFrom, Write};

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

    #[test]
    fn a_sparse_file_has_its_data_ranges_found() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("sparse");
        let mut file = std::fs::File::create(&path).unwrap();
        file.write_all(&[7u8; 4096]).unwrap();
        file.seek(SeekFrom::Start(1 << 20)).unwrap();
        file.write_all(&[7u8; 4096]).unwrap();
        file.set_len(2 << 20).unwrap();
        let ranges = data_ranges(&file, 2 << 20).unwrap();
        let data: u64 = ranges.iter().map(|r| r.1).sum();
        // A filesystem without hole support reports it all as data; one with reports less.
        assert!((8192..=2 << 20).contains(&data), "{ranges:?}");
        assert_eq!(ranges[0].0, 0);
    }

    #[test]
    fn extents_of_a_written_file_cover_it_or_are_unsupported() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("f");
        std::fs::write(&path, vec![1u8; 64 * 1024]).unwrap();
        let file = std::fs::File::open(&path).unwrap();
        match extents(&file) {
            Ok(extents) => {
                let covered: u64 = extents.iter().map(|e| e.length).sum();
                assert!(covered >= 64 * 1024, "{extents:?}");
                assert!(extents.iter().all(|e| !e.shared));
            }
            Err(e) => assert!(matches!(e, Errno::OPNOTSUPP | Errno::NOTTY), "{e}"),
        }
    }
}
