//! SIGINT and SIGTERM during a run: the current sample stops, its child process group is
//! killed, the run's copies are removed and no result is written; the command then exits with
//! 130 or 143, as a shell reports a process ended by those signals.
//!
//! The handler only records the signal and kills the registered child's process group (both
//! async-signal-safe); the runner notices the signal between steps ([`check`]) and unwinds
//! through its ordinary error path, which is where the copies are removed. A second signal ends
//! the process at once, for a user who does not want to wait for the cleanup.

use std::sync::atomic::{AtomicI32, Ordering};

/// A signal that ends a run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Signal {
    /// SIGINT (Ctrl-C).
    Interrupt,
    /// SIGTERM (`kill`, a CI runner's timeout).
    Terminate,
}

impl Signal {
    fn number(self) -> i32 {
        match self {
            Signal::Interrupt => libc::SIGINT,
            Signal::Terminate => libc::SIGTERM,
        }
    }

    fn from_number(n: i32) -> Option<Signal> {
        match n {
            libc::SIGINT => Some(Signal::Interrupt),
            libc::SIGTERM => Some(Signal::Terminate),
            _ => None,
        }
    }

    /// 128 + the signal number: 130 for SIGINT, 143 for SIGTERM.
    pub fn exit_code(self) -> u8 {
        128 + self.number() as u8
    }
}

impl std::fmt::Display for Signal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Signal::Interrupt => "SIGINT",
            Signal::Terminate => "SIGTERM",
        })
    }
}

/// The signal received (0: none yet).
static RECEIVED: AtomicI32 = AtomicI32::new(0);
/// The process group of the child being timed (0: none).
static CHILD_GROUP: AtomicI32 = AtomicI32::new(0);

/// Installs the handlers for SIGINT and SIGTERM (once per process; later calls do nothing).
pub fn install() -> std::io::Result<()> {
    static INSTALLED: std::sync::OnceLock<Result<(), String>> = std::sync::OnceLock::new();
    let outcome = INSTALLED.get_or_init(|| {
        crate::os::on_signals(&[libc::SIGINT, libc::SIGTERM], &RECEIVED, &CHILD_GROUP)
            .map_err(|e| e.to_string())
    });
    outcome.clone().map_err(std::io::Error::other)
}

fn kill_child_group() {
    crate::os::kill_process_group(CHILD_GROUP.load(Ordering::SeqCst));
}

/// The signal received so far, if any.
pub fn received() -> Option<Signal> {
    Signal::from_number(RECEIVED.load(Ordering::SeqCst))
}

/// `Err(signal)` once SIGINT or SIGTERM arrived: the caller stops what it is doing.
pub fn check() -> Result<(), Signal> {
    match received() {
        Some(signal) => Err(signal),
        None => Ok(()),
    }
}

/// While alive, a signal kills process group `pgid` (a child started in a group of its own,
/// so that its own children end with it).
#[derive(Debug)]
pub struct ChildGroup(());

impl ChildGroup {
    pub fn enter(pgid: u32) -> ChildGroup {
        CHILD_GROUP.store(pgid as i32, Ordering::SeqCst);
        // A signal that came just before the group was known.
        if received().is_some() {
            kill_child_group();
        }
        ChildGroup(())
    }
}

impl Drop for ChildGroup {
    fn drop(&mut self) {
        CHILD_GROUP.store(0, Ordering::SeqCst);
    }
}
