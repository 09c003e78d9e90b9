//! What a target set up, recorded as it is made and undone in reverse order: on success, on
//! failure (a set-up that fails half-way undoes the half it did), on a panic (`Drop`), and on an
//! interrupt (every live teardown is registered for [`tear_down_all`]).
//!
//! Undoing is idempotent: the first caller takes the steps, later callers find none.

use std::path::{Path, PathBuf};
use std::process::Child;
use std::sync::{Arc, Mutex, Weak};
use std::time::{Duration, Instant};

use rustix::process::{Pid, Signal};

use super::tool::{self, Tool};
use super::TargetError;

/// How long a stopped server gets to exit on SIGTERM before SIGKILL.
const STOP_GRACE: Duration = Duration::from_secs(5);
/// How long an unmount keeps being retried while the filesystem is busy (a child that was
/// killed a moment ago may still hold a file open) before it is detached lazily.
const UNMOUNT_PATIENCE: Duration = Duration::from_secs(3);

/// One thing to undo.
#[derive(Debug)]
pub(crate) enum Undo {
    /// A filesystem mounted at this directory (loop, tmpfs or FUSE).
    Unmount { mount_point: PathBuf },
    /// A loop device attached to an image.
    DetachLoop { device: PathBuf },
    /// A process started in its own process group; stopped by signalling the group.
    Stop { name: &'static str, child: Child },
    /// A directory made for the target, deleted with all it holds (never followed through a
    /// symlink; refused while anything is still mounted below it).
    Remove { path: PathBuf },
    /// A directory made for the target, moved into `graveyard` (a directory the run deletes
    /// after every timing), or deleted where it cannot be moved there (another filesystem):
    /// deleting thousands of files right before the next scenario's samples would slow the
    /// files they create (docs/design.md, "Deleting right before creating").
    Retire { path: PathBuf, graveyard: PathBuf },
}

type Steps = Arc<Mutex<Vec<Undo>>>;

/// The teardowns alive in a process, for the interrupt handler.
pub(crate) struct Registry(Mutex<Vec<Weak<Mutex<Vec<Undo>>>>>);

impl Registry {
    pub(crate) const fn new() -> Registry {
        Registry(Mutex::new(Vec::new()))
    }

    fn register(&self, steps: &Steps) {
        let mut live = self.0.lock().unwrap_or_else(|e| e.into_inner());
        live.retain(|w| w.strong_count() > 0);
        live.push(Arc::downgrade(steps));
    }

    /// Undoes every registered teardown still alive; returns what could not be undone.
    pub(crate) fn tear_down_all(&self) -> Vec<TargetError> {
        let live: Vec<Steps> = {
            let mut live = self.0.lock().unwrap_or_else(|e| e.into_inner());
            let alive = live.iter().filter_map(Weak::upgrade).collect();
            live.clear();
            alive
        };
        live.iter()
            .filter_map(|steps| undo_all(steps).err())
            .collect()
    }
}

/// This process's teardowns.
static LIVE: Registry = Registry::new();

/// A target's undo stack.
#[derive(Debug)]
pub(crate) struct Teardown {
    steps: Steps,
}

impl Teardown {
    /// An empty stack, registered for [`tear_down_all`].
    pub(crate) fn new() -> Teardown {
        Teardown::registered_in(&LIVE)
    }

    pub(crate) fn registered_in(registry: &Registry) -> Teardown {
        let steps: Steps = Arc::new(Mutex::new(Vec::new()));
        registry.register(&steps);
        Teardown { steps }
    }

    /// Records a step to undo later (last recorded, first undone).
    pub(crate) fn push(&self, undo: Undo) {
        lock(&self.steps).push(undo);
    }

    /// The process id of the process step named `name`, if it is still to be stopped.
    pub(crate) fn pid_of(&self, name: &str) -> Option<u32> {
        lock(&self.steps).iter().find_map(|u| match u {
            Undo::Stop { name: n, child } if *n == name => Some(child.id()),
            _ => None,
        })
    }

    /// Whether process step `name` has exited by itself, and how (its stderr is the caller's).
    pub(crate) fn exited(&self, name: &str) -> Option<String> {
        let mut steps = lock(&self.steps);
        steps.iter_mut().find_map(|u| match u {
            Undo::Stop { name: n, child } if *n == name => match child.try_wait() {
                Ok(Some(status)) => Some(status.to_string()),
                _ => None,
            },
            _ => None,
        })
    }

    /// Undoes every step, newest first, going on past failures; the errors are returned.
    pub(crate) fn run(&self) -> Result<(), TargetError> {
        undo_all(&self.steps)
    }
}

impl Drop for Teardown {
    fn drop(&mut self) {
        if let Err(e) = self.run() {
            eprintln!("copybench: warning: {e}");
        }
    }
}

/// Tears down every target still set up in this process (for the interrupt handler: called
/// once the current sample has been stopped). Returns what could not be undone.
pub fn tear_down_all() -> Vec<TargetError> {
    LIVE.tear_down_all()
}

fn lock(steps: &Steps) -> std::sync::MutexGuard<'_, Vec<Undo>> {
    // A poisoned lock only means a panic while pushing; the steps recorded are intact.
    steps.lock().unwrap_or_else(|e| e.into_inner())
}

fn undo_all(steps: &Steps) -> Result<(), TargetError> {
    let taken: Vec<Undo> = std::mem::take(&mut *lock(steps));
    let mut failures = Vec::new();
    for step in taken.into_iter().rev() {
        if let Err(e) = undo(step) {
            failures.push(e.to_string());
        }
    }
    if failures.is_empty() {
        Ok(())
    } else {
        Err(TargetError::Teardown {
            failures: failures.join("; "),
        })
    }
}

fn undo(step: Undo) -> Result<(), TargetError> {
    match step {
        Undo::Unmount { mount_point } => unmount(&mount_point),
        Undo::DetachLoop { device } => {
            let losetup = tool::LOSETUP.find().map_err(TargetError::from)?;
            tool::run(&losetup, &[Path::new("-d"), &device]).map(drop)
        }
        Undo::Stop { name, child } => stop(name, child),
        Undo::Remove { path } => remove(&path),
        Undo::Retire { path, graveyard } => retire(&path, &graveyard),
    }
}

fn retire(path: &Path, graveyard: &Path) -> Result<(), TargetError> {
    if let Some(mounted) = mounts_below(path).first() {
        return Err(TargetError::StillMounted {
            path: path.to_owned(),
            mount_point: mounted.clone(),
        });
    }
    if std::fs::symlink_metadata(path).is_err() {
        return Ok(());
    }
    static RETIRED: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = RETIRED.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    let to = graveyard.join(format!("{name}-{}-{n}", std::process::id()));
    let moved = std::fs::create_dir_all(graveyard).and_then(|()| std::fs::rename(path, &to));
    match moved {
        Ok(()) => Ok(()),
        Err(_) => remove(path),
    }
}

/// `umount`, retried while busy, then a lazy detach (the mount leaves the namespace at once and
/// is freed when its last user closes; a loop device detached after it is freed with it).
fn unmount(mount_point: &Path) -> Result<(), TargetError> {
    if !is_mount_point(mount_point) {
        return Ok(());
    }
    let umount = find(tool::UMOUNT)?;
    let started = Instant::now();
    loop {
        match tool::run(&umount, &[mount_point]) {
            Ok(_) => return Ok(()),
            Err(e) if started.elapsed() >= UNMOUNT_PATIENCE => {
                eprintln!(
                    "copybench: warning: {} stayed busy ({e}); detaching it lazily",
                    mount_point.display()
                );
                return tool::run(&umount, &[Path::new("-l"), mount_point]).map(drop);
            }
            Err(_) => std::thread::sleep(Duration::from_millis(100)),
        }
        if !is_mount_point(mount_point) {
            return Ok(());
        }
    }
}

fn find(tool: Tool) -> Result<PathBuf, TargetError> {
    tool.find().map_err(TargetError::from)
}

/// SIGTERM to the process group, SIGKILL after [`STOP_GRACE`], and the child reaped.
fn stop(name: &'static str, mut child: Child) -> Result<(), TargetError> {
    if let Ok(Some(_)) = child.try_wait() {
        return Ok(());
    }
    let group = Pid::from_raw(child.id() as i32);
    let signal_group = |signal| match group {
        Some(pid) => rustix::process::kill_process_group(pid, signal),
        None => Ok(()),
    };
    let _ = signal_group(Signal::TERM);
    let deadline = Instant::now() + STOP_GRACE;
    while Instant::now() < deadline {
        if let Ok(Some(_)) = child.try_wait() {
            // Its helpers (smbd forks one per connection) share the group: end them too.
            let _ = signal_group(Signal::KILL);
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let _ = signal_group(Signal::KILL);
    child.wait().map(drop).map_err(|source| TargetError::Io {
        op: "wait for",
        path: PathBuf::from(format!("{name} (pid {})", child.id())),
        source,
    })
}

fn remove(path: &Path) -> Result<(), TargetError> {
    if let Some(mounted) = mounts_below(path).first() {
        return Err(TargetError::StillMounted {
            path: path.to_owned(),
            mount_point: mounted.clone(),
        });
    }
    match std::fs::remove_dir_all(path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(source) => Err(TargetError::Io {
            op: "delete",
            path: path.to_owned(),
            source,
        }),
    }
}

/// Whether process `pid` is alive (not gone, not a zombie).
pub(crate) fn alive(pid: u32) -> bool {
    process_state(pid).is_some_and(|(state, _)| state != "Z" && state != "X")
}

/// `(state, process group)` of `pid` from `/proc/PID/stat`.
fn process_state(pid: u32) -> Option<(String, u32)> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // `pid (comm) state ppid pgrp ...`: comm may hold spaces and parentheses.
    let (_, rest) = stat.rsplit_once(')')?;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    Some((fields.first()?.to_string(), fields.get(2)?.parse().ok()?))
}

/// Processes of process group `group` that are alive (running or stopped, not zombies waiting
/// for a parent to reap them), from `/proc/*/stat`.
pub fn live_in_group(group: u32) -> Vec<u32> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| {
            process_state(*pid).is_some_and(|(state, g)| g == group && state != "Z" && state != "X")
        })
        .collect()
}

/// Whether `path` is a mount point now (`/proc/self/mountinfo`).
pub(crate) fn is_mount_point(path: &Path) -> bool {
    mount_points().iter().any(|m| m == path)
}

/// Mount points at or below `path`, deepest first.
pub(crate) fn mounts_below(path: &Path) -> Vec<PathBuf> {
    let mut below: Vec<PathBuf> = mount_points()
        .into_iter()
        .filter(|m| m.starts_with(path))
        .collect();
    below.sort_by_key(|m| std::cmp::Reverse(m.components().count()));
    below
}

fn mount_points() -> Vec<PathBuf> {
    let Ok(text) = std::fs::read_to_string("/proc/self/mountinfo") else {
        return Vec::new();
    };
    text.lines()
        .filter_map(|line| line.split(' ').nth(4))
        .map(|field| PathBuf::from(unescape_mount_field(field)))
        .collect()
}

/// `/proc/self/mountinfo` writes space, tab, newline and backslash as octal escapes.
pub(crate) fn unescape_mount_field(field: &str) -> String {
    field
        .replace("\\040", " ")
        .replace("\\011", "\t")
        .replace("\\012", "\n")
        .replace("\\134", "\\")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_are_undone_newest_first_and_only_once() {
        let tmp = tempfile::tempdir().unwrap();
        let outer = tmp.path().join("outer");
        let inner = outer.join("inner");
        std::fs::create_dir_all(&inner).unwrap();
        let teardown = Teardown::new();
        teardown.push(Undo::Remove {
            path: outer.clone(),
        });
        teardown.push(Undo::Remove {
            path: inner.clone(),
        });
        teardown.run().unwrap();
        assert!(!outer.exists());
        // A second run (Drop, the interrupt handler) finds nothing left to do.
        teardown.run().unwrap();
    }

    #[test]
    fn a_retired_directory_moves_into_the_graveyard() {
        let tmp = tempfile::tempdir().unwrap();
        let made = tmp.path().join("t0");
        std::fs::create_dir_all(made.join("deep")).unwrap();
        std::fs::write(made.join("deep/f"), b"x").unwrap();
        let graveyard = tmp.path().join("graveyard");
        let teardown = Teardown::new();
        teardown.push(Undo::Retire {
            path: made.clone(),
            graveyard: graveyard.clone(),
        });
        teardown.run().unwrap();
        assert!(!made.exists());
        assert_eq!(std::fs::read_dir(&graveyard).unwrap().count(), 1);
    }

    #[test]
    fn a_started_process_group_is_stopped() {
        use std::os::unix::process::CommandExt;
        let child = std::process::Command::new("/bin/sh")
            .args(["-c", "sleep 30 & sleep 30"])
            .process_group(0)
            .spawn()
            .unwrap();
        let pid = child.id();
        let teardown = Teardown::new();
        teardown.push(Undo::Stop { name: "sh", child });
        assert_eq!(teardown.pid_of("sh"), Some(pid));
        assert_eq!(teardown.exited("sh"), None);
        drop(teardown);
        assert_eq!(live_in_group(pid), Vec::<u32>::new());
    }

    #[test]
    fn the_interrupt_path_tears_down_live_targets() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("made");
        std::fs::create_dir(&dir).unwrap();
        let registry = Registry::new();
        let teardown = Teardown::registered_in(&registry);
        teardown.push(Undo::Remove { path: dir.clone() });
        assert!(registry.tear_down_all().is_empty());
        assert!(!dir.exists());
        // What the interrupt undid is not undone twice.
        teardown.run().unwrap();
    }

    #[test]
    fn mountinfo_escapes_are_undone() {
        assert_eq!(unescape_mount_field("/mnt\\040two\\134x"), "/mnt two\\x");
        assert!(is_mount_point(Path::new("/")));
    }
}
