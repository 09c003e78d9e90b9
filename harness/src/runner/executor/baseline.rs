//! What the machine and the harness cost, sampled in the same rounds as the copies: a `memcpy`
//! of the fixture's bytes between two touched buffers (the most any copy through memory can
//! do), a `read` of the source into a touched buffer, and a program's no-op start.

use std::io::Read;
use std::path::Path;
use std::sync::Mutex;

use super::{Executor, Measured, SampleError, Setting};
use crate::measure::{self, CpuScope};
use crate::peer::NoOp;

/// Two buffers of the fixture's size, every page written once, so no sample pays to fault
/// memory in: the source of the memcpy, and the destination of both the memcpy and the read.
pub(in crate::runner) struct MemoryBuffers {
    source: Vec<u8>,
    destination: Mutex<Vec<u8>>,
}

impl MemoryBuffers {
    /// `bytes` each, touched (a zeroed allocation is only mapped, not backed, until written).
    pub(in crate::runner) fn touched(bytes: usize) -> MemoryBuffers {
        let mut source = vec![0u8; bytes];
        source.fill(0xa5);
        let mut destination = vec![0u8; bytes];
        destination.fill(0x5a);
        MemoryBuffers {
            source,
            destination: Mutex::new(destination),
        }
    }

    fn destination(&self) -> std::sync::MutexGuard<'_, Vec<u8>> {
        // A poisoned lock only means a panicking sample; the bytes are still a buffer.
        self.destination
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// `memcpy` of the fixture's bytes between the two buffers.
pub(in crate::runner) struct Memcpy(pub(in crate::runner) std::sync::Arc<MemoryBuffers>);

impl Executor for Memcpy {
    fn sample(
        &self,
        _src: &Path,
        _dst: &Path,
        setting: &Setting<'_>,
    ) -> Result<Measured, SampleError> {
        let buffers = &self.0;
        let mut destination = buffers.destination();
        let destination: &mut [u8] = &mut destination;
        let (_, timing) = measure::time_in_process(CpuScope::Thread, || {
            destination.copy_from_slice(&buffers.source);
            std::hint::black_box(&destination);
            Ok::<(), SampleError>(())
        })
        .map_err(SampleError::Rusage)?;
        Ok(Measured {
            timing,
            bytes: setting.fixture_bytes,
            latencies: Vec::new(),
            counts: None,
            content: None,
        })
    }

    fn writes_copy(&self) -> bool {
        false
    }
}

/// `open` and `read` of the source file into the destination buffer, until its end.
pub(in crate::runner) struct ReadInto(pub(in crate::runner) std::sync::Arc<MemoryBuffers>);

impl Executor for ReadInto {
    fn sample(
        &self,
        src: &Path,
        _dst: &Path,
        _setting: &Setting<'_>,
    ) -> Result<Measured, SampleError> {
        let mut destination = self.0.destination();
        let destination: &mut [u8] = &mut destination;
        let (read, timing) = measure::time_in_process(CpuScope::Thread, || {
            let mut file = std::fs::File::open(src)?;
            let mut filled = 0;
            while filled < destination.len() {
                match file.read(&mut destination[filled..])? {
                    0 => break,
                    n => filled += n,
                }
            }
            Ok::<u64, std::io::Error>(filled as u64)
        })
        .map_err(SampleError::Rusage)?;
        let bytes = read.map_err(|error| SampleError::Read {
            path: src.to_owned(),
            error,
        })?;
        Ok(Measured {
            timing,
            bytes,
            latencies: Vec::new(),
            counts: None,
            content: None,
        })
    }

    fn writes_copy(&self) -> bool {
        false
    }
}

/// A program's no-op invocation (`copybench --version`, `python3 -c pass`, `cp --version`),
/// reaped with `wait4` as the copies of that program are.
pub(in crate::runner) struct Startup(pub(in crate::runner) NoOp);

impl Executor for Startup {
    fn sample(
        &self,
        _src: &Path,
        _dst: &Path,
        _setting: &Setting<'_>,
    ) -> Result<Measured, SampleError> {
        let noop = &self.0;
        let program = noop.argv.first().cloned().unwrap_or_default();
        let (outcome, timing) =
            measure::time_child(&noop.argv).map_err(|error| SampleError::Spawn {
                program: program.clone(),
                error,
            })?;
        if !noop.ran(outcome.exit_code) {
            return Err(SampleError::ChildFailed {
                program: program.to_string_lossy().into_owned(),
                detail: outcome.detail,
            });
        }
        Ok(Measured {
            timing,
            bytes: 0,
            latencies: Vec::new(),
            counts: None,
            content: None,
        })
    }

    fn writes_copy(&self) -> bool {
        false
    }
}
