//! An io_uring with registered buffers, over the `io-uring` crate, counted like every other
//! call of the layer: `io_uring_setup` when it is made, `io_uring_register` for its buffers,
//! `io_uring_enter` for each submission and wait, and `close` of its descriptor. The crate also
//! maps the rings (`mmap`/`munmap`), which the layer leaves to strace as it does the allocator's
//! mappings.

use std::cell::RefCell;
use std::ffi::CStr;
use std::ops::Range;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, RawFd};

use io_uring::{opcode, squeue, types, IoUring};
use rustix::fs::{Mode, OFlags};
use rustix::io::{Errno, Result};

use super::{gate, Syscall};

/// What one queued operation came back with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Completion {
    /// The tag it was queued with.
    pub tag: u64,
    /// Bytes moved, or the errno.
    pub result: Result<usize>,
}

/// A ring of `count` registered buffers of `size` bytes each, which reads and writes go
/// through without the kernel mapping user pages per call.
pub struct Ring {
    // Declared first so it drops first: no operation can still be using the buffers after it.
    ring: IoUring,
    buffers: Vec<u8>,
    size: usize,
    count: u16,
    /// Operations the submission queue holds (a power of two).
    depth: u32,
    /// Operations queued or submitted whose completion has not been collected.
    in_flight: usize,
}

thread_local! {
    /// This thread's idle rings between copies, one per geometry (the tree batches' and the
    /// `io_uring` strategy's differ): each is set up once per thread, not once per copy.
    static IDLE: RefCell<Vec<Ring>> = const { RefCell::new(Vec::new()) };
}

fn errno_of(e: &std::io::Error) -> Errno {
    Errno::from_io_error(e).unwrap_or(Errno::IO)
}

impl Ring {
    /// `io_uring_setup(count)` and `io_uring_register(IORING_REGISTER_BUFFERS)`. Fails with
    /// EPERM where io_uring is disabled (`sysctl kernel.io_uring_disabled`, seccomp in
    /// containers), ENOSYS where the kernel lacks it, ENOMEM past RLIMIT_MEMLOCK for the pinned
    /// buffers.
    pub fn with_buffers(count: u16, size: usize) -> Result<Ring> {
        Ring::with_depth(u32::from(count), count, size)
    }

    /// [`Ring::with_buffers`] with room for `depth` operations queued at once (rounded up to a
    /// power of two, as the kernel does).
    pub fn with_depth(depth: u32, count: u16, size: usize) -> Result<Ring> {
        gate(Syscall::IoUringSetup)?;
        let depth = depth.max(1).next_power_of_two();
        let ring = IoUring::new(depth).map_err(|e| errno_of(&e))?;
        let mut ring = Ring {
            ring,
            buffers: vec![0u8; usize::from(count) * size],
            size,
            count,
            depth,
            in_flight: 0,
        };
        let iovecs: Vec<libc::iovec> = ring
            .buffers
            .chunks_exact_mut(size)
            .map(|b| libc::iovec {
                iov_base: b.as_mut_ptr().cast(),
                iov_len: b.len(),
            })
            .collect();
        gate(Syscall::IoUringRegister)?;
        // SAFETY: the buffers live in `ring.buffers` until the ring is dropped (it drops first),
        // and are not reallocated: the Vec is never resized.
        unsafe { ring.ring.submitter().register_buffers(&iovecs) }.map_err(|e| errno_of(&e))?;
        Ok(ring)
    }

    /// This thread's idle ring of this geometry ([`Ring::with_depth`]'s), or a new one.
    pub fn cached(depth: u32, count: u16, size: usize) -> Result<Ring> {
        let geometry = (depth.max(1).next_power_of_two(), count, size);
        let idle = IDLE.with(|idle| {
            let mut idle = idle.borrow_mut();
            let found = idle
                .iter()
                .position(|r| (r.depth, r.count, r.size) == geometry);
            found.map(|at| idle.swap_remove(at))
        });
        match idle {
            Some(ring) => Ok(ring),
            None => Ring::with_depth(depth, count, size),
        }
    }

    /// Keeps the ring for this thread's next copy of the same geometry, if it is idle: one with
    /// an operation in flight is dropped (which waits for it), so a later copy never collects
    /// another's completion as its own.
    pub fn put_back(self) {
        if self.is_idle() {
            IDLE.with(|idle| idle.borrow_mut().push(self));
        }
    }

    /// The number of registered buffers, each `buffer_size` bytes.
    pub fn buffer_count(&self) -> u16 {
        self.count
    }

    /// The size of each registered buffer.
    pub fn buffer_size(&self) -> usize {
        self.size
    }

    /// Whether no operation is queued or in flight (the ring can be used for another copy).
    pub fn is_idle(&self) -> bool {
        self.in_flight == 0
    }

    /// Buffer `index`'s bytes (for the caller to look at between submissions).
    pub fn buffer(&self, index: u16) -> &[u8] {
        let start = usize::from(index) * self.size;
        &self.buffers[start..start + self.size]
    }

    fn push(&mut self, entry: io_uring::squeue::Entry) -> Result<()> {
        // SAFETY: the entry refers only to a registered buffer of this ring, which outlives
        // every operation (see `Drop`), and to a descriptor the caller keeps open until the
        // completions are collected by `submit_and_wait_all`, which it calls before returning.
        unsafe { self.ring.submission().push(&entry) }.map_err(|_| Errno::BUSY)?;
        self.in_flight += 1;
        Ok(())
    }

    /// Queues a `READ_FIXED` of a whole buffer from `fd` at `offset`.
    pub fn queue_read<F: AsFd>(&mut self, fd: F, index: u16, offset: u64, tag: u64) -> Result<()> {
        let start = usize::from(index) * self.size;
        let buf = self.buffers[start..].as_mut_ptr();
        let len = u32::try_from(self.size).map_err(|_| Errno::INVAL)?;
        let entry = opcode::ReadFixed::new(types::Fd(fd.as_fd().as_raw_fd()), buf, len, index)
            .offset(offset)
            .build()
            .user_data(tag);
        self.push(entry)
    }

    /// Queues a `WRITE_FIXED` of `range` of buffer `index` to `fd` at `offset`.
    pub fn queue_write<F: AsFd>(
        &mut self,
        fd: F,
        index: u16,
        range: Range<usize>,
        offset: u64,
        tag: u64,
    ) -> Result<()> {
        let bytes = self.buffer(index).get(range).ok_or(Errno::INVAL)?;
        let len = u32::try_from(bytes.len()).map_err(|_| Errno::INVAL)?;
        let entry = opcode::WriteFixed::new(
            types::Fd(fd.as_fd().as_raw_fd()),
            bytes.as_ptr(),
            len,
            index,
        )
        .offset(offset)
        .build()
        .user_data(tag);
        self.push(entry)
    }

    /// Queues an `IORING_OP_OPENAT` of `name` in `dir`; its completion's result is the new
    /// descriptor, which the caller owns (see [`Ring::take_descriptor`]). `linked`: the next
    /// operation queued runs only if this one succeeds (`IOSQE_IO_LINK`), and completes with
    /// ECANCELED otherwise.
    ///
    /// # Safety
    ///
    /// `name` must stay alive, and `dir` open, until the completion is collected.
    pub unsafe fn queue_openat(
        &mut self,
        dir: BorrowedFd<'_>,
        name: &CStr,
        flags: OFlags,
        mode: Mode,
        linked: bool,
        tag: u64,
    ) -> Result<()> {
        let mut entry = opcode::OpenAt::new(types::Fd(dir.as_raw_fd()), name.as_ptr())
            .flags(flags.bits() as i32 | libc::O_CLOEXEC)
            .mode(mode.as_raw_mode())
            .build()
            .user_data(tag);
        if linked {
            entry = entry.flags(squeue::Flags::IO_LINK);
        }
        self.push(entry)
    }

    /// Queues an `IORING_OP_CLOSE` of `fd`, which the caller gives up: the ring closes it (no
    /// `close(2)`: strace sees only the `io_uring_enter` that submits it).
    pub fn queue_close(&mut self, fd: super::Fd, tag: u64) -> Result<()> {
        let raw: RawFd = std::os::fd::IntoRawFd::into_raw_fd(fd.into_owned());
        let entry = opcode::Close::new(types::Fd(raw)).build().user_data(tag);
        self.push(entry)
    }

    /// A descriptor an `IORING_OP_OPENAT` completed with, owned from now on (its `close` is
    /// counted when it drops, or handed back to the ring with [`Ring::queue_close`]).
    pub fn take_descriptor(result: usize) -> Result<super::Fd> {
        let raw = RawFd::try_from(result).map_err(|_| Errno::BADF)?;
        // SAFETY: the kernel just opened `raw` for this process and nothing else owns it.
        let owned = unsafe { <std::os::fd::OwnedFd as std::os::fd::FromRawFd>::from_raw_fd(raw) };
        Ok(super::Fd::from_owned(owned))
    }

    /// Submits what is queued and waits until every operation in flight has completed
    /// (`io_uring_enter`, once unless a signal interrupts it), returning their completions.
    pub fn submit_and_wait_all(&mut self) -> Result<Vec<Completion>> {
        let mut done = Vec::with_capacity(self.in_flight);
        while self.in_flight > 0 {
            gate(Syscall::IoUringEnter)?;
            match self.ring.submit_and_wait(self.in_flight) {
                Ok(_) => {}
                Err(e) if errno_of(&e) == Errno::INTR => {}
                Err(e) => return Err(errno_of(&e)),
            }
            for cqe in self.ring.completion() {
                let result = cqe.result();
                done.push(Completion {
                    tag: cqe.user_data(),
                    result: if result < 0 {
                        Err(Errno::from_raw_os_error(-result))
                    } else {
                        Ok(result as usize)
                    },
                });
                self.in_flight -= 1;
            }
        }
        Ok(done)
    }
}

impl Drop for Ring {
    fn drop(&mut self) {
        // An error left operations in flight: wait for them, so the kernel is done with the
        // buffers and descriptors before they go.
        if self.in_flight > 0 {
            let _ = gate(Syscall::IoUringEnter);
            let _ = self.ring.submit_and_wait(self.in_flight);
        }
        // The crate closes the ring's descriptor when `ring` drops, just after this.
        let _ = gate(Syscall::Close);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sys::SyscallRecorder;

    #[test]
    fn an_idle_ring_is_set_up_once_per_thread_and_geometry() {
        // A thread of its own, so that no ring is cached yet.
        std::thread::spawn(|| {
            let recorder = SyscallRecorder::new();
            let made = recorder.run(|| {
                let Ok(ring) = Ring::cached(8, 2, 4096) else {
                    return false;
                };
                ring.put_back();
                // The same geometry (7 operations round up to 8): the ring put back.
                Ring::cached(7, 2, 4096).unwrap().put_back();
                // Another geometry: a ring of its own, kept beside the first.
                Ring::cached(8, 2, 8192).unwrap().put_back();
                Ring::cached(8, 2, 4096).unwrap().put_back();
                true
            });
            if !made {
                eprintln!("skipped: io_uring is refused here (kernel.io_uring_disabled, seccomp)");
                return;
            }
            assert_eq!(recorder.counts().get(Syscall::IoUringSetup), 2);
        })
        .join()
        .unwrap();
    }
}
