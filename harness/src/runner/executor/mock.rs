//! A mock executor for the runner's tests: no filesystem, no process, figures it is told.

use std::cell::Cell;
use std::path::Path;
use std::time::Duration;

use copybench_engine::Strategy;

use super::{Executor, Measured, SampleError, Setting};
use crate::measure::{SplitUnavailable, Timing};

/// Answers every sample with `wall`, until call `fail_at` (0-based), which fails.
pub(in crate::runner) struct Mock {
    pub(in crate::runner) wall: Duration,
    pub(in crate::runner) fail_at: Option<u32>,
    pub(in crate::runner) calls: Cell<u32>,
}

impl Mock {
    pub(in crate::runner) fn new(wall_ms: u64) -> Mock {
        Mock {
            wall: Duration::from_millis(wall_ms),
            fail_at: None,
            calls: Cell::new(0),
        }
    }
}

impl Executor for Mock {
    fn sample(
        &self,
        _src: &Path,
        _dst: &Path,
        setting: &Setting<'_>,
    ) -> Result<Measured, SampleError> {
        let call = self.calls.get();
        self.calls.set(call + 1);
        if self.fail_at == Some(call) {
            return Err(SampleError::HandedOver {
                named: Strategy::Sendfile,
                used: Strategy::Readinto256k,
                why: " (EINVAL)".to_owned(),
            });
        }
        Ok(Measured {
            timing: Timing {
                wall: self.wall,
                cpu: self.wall,
                split: Err(SplitUnavailable::BelowResolution {
                    cpu: self.wall,
                    tick: Duration::from_millis(4),
                }),
                peak_rss_bytes: None,
            },
            bytes: setting.fixture_bytes,
            latencies: Vec::new(),
            counts: None,
            content: None,
        })
    }
}
