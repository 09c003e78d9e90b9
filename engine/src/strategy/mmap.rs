//! The source mapped read-only and written out from the mapping with `write(2)`: one copy from
//! the page cache, no read buffer.

use rustix::io::Errno;

use super::{write_all, ContentStrategy, Probe, Support};
use crate::content::{ContentJob, Side, StrategyError};
use crate::sys::{self, Mapping, Syscall};

pub(crate) struct Mmap;

/// Buffer for the tail past the mapped size (rarely more than one call's worth).
const TAIL_CHUNK: usize = 64 * 1024;

impl ContentStrategy for Mmap {
    /// Maps the whole file from offset 0 (a mapping is of the file, not of a position), so a
    /// source positioned at N is still copied whole. The mapping's length must be the true size
    /// (pages past the end fault), so this strategy stats the source itself rather than trust
    /// a size stat'ed earlier.
    fn copy(&self, job: &ContentJob<'_>) -> Result<u64, StrategyError> {
        let size = sys::fstat(job.src)
            .map(|st| st.st_size as u64)
            .map_err(|errno| StrategyError::new("fstat", errno, Side::Src, 0))?;
        let mut written = 0u64;
        if size > 0 {
            let len = usize::try_from(size)
                .map_err(|_| StrategyError::new("mmap", Errno::OVERFLOW, Side::Src, 0))?;
            let mapping = Mapping::map_readonly(job.src, len)
                .map_err(|errno| StrategyError::new("mmap", errno, Side::Src, 0))?;
            write_all(job.dst, mapping.as_slice(), &mut written)?;
        }
        // st_size can under-report (/proc files say 0, a source may grow): read on from the
        // mapped end until read says end of file, as the in-kernel loops run until they return 0.
        let mut buf = vec![0u8; TAIL_CHUNK];
        let mut offset = size;
        loop {
            match sys::pread(job.src, &mut buf, offset) {
                Ok(0) => return Ok(written),
                Ok(n) => {
                    write_all(job.dst, &buf[..n], &mut written)?;
                    offset += n as u64;
                }
                Err(Errno::INTR) => continue,
                Err(errno) => return Err(StrategyError::new("pread64", errno, Side::Src, written)),
            }
        }
    }

    fn syscall(&self) -> Option<Syscall> {
        Some(Syscall::Mmap)
    }

    fn content_syscalls(&self) -> &'static [Syscall] {
        &[
            Syscall::Mmap,
            Syscall::Munmap,
            Syscall::Write,
            Syscall::Pread64,
        ]
    }

    fn probe(&self, probe: &Probe) -> Support {
        match Mapping::map_readonly(&probe.src, super::probe::PROBE_CONTENT.len()) {
            Ok(mapping) if mapping.as_slice() == super::probe::PROBE_CONTENT => Support::yes(
                format!("mmap(PROT_READ, MAP_SHARED) works on {}", probe.filesystem),
            ),
            Ok(_) => Support::no(format!("mmap on {} mapped other bytes", probe.filesystem)),
            Err(errno) => probe.failed("mmap", errno),
        }
    }
}
