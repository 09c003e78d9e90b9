//! What a run that could not tear down (killed with SIGKILL, a machine that lost power) left
//! under `<work>/targets/`: found by where it lives, not by a record the dead run would have had
//! to write. Swept at the start of the next run, which holds the work directory's lock, so no
//! other run owns anything there.

use std::path::{Path, PathBuf};
use std::time::Duration;

use rustix::process::{Pid, Signal};

use super::teardown::{alive, mounts_below, Teardown, Undo};
use super::TargetError;

/// Unmounts, detaches, stops and deletes everything under `targets_dir`. Returns one line per
/// thing it had to undo (for a notice), or the first thing it could not.
pub fn sweep_leftovers(targets_dir: &Path) -> Result<Vec<String>, TargetError> {
    let Ok(entries) = std::fs::read_dir(targets_dir) else {
        return Ok(Vec::new());
    };
    let mut notes = Vec::new();
    let teardown = Teardown::new();
    for entry in entries.flatten() {
        let dir = entry.path();
        teardown.push(Undo::Remove { path: dir.clone() });
        for device in loop_devices_backed_under(&dir) {
            notes.push(format!("detached {} ({})", device.display(), dir.display()));
            teardown.push(Undo::DetachLoop { device });
        }
        for pid in processes_naming(&dir) {
            notes.push(format!("stopped process {pid} ({})", dir.display()));
            stop(pid);
        }
        for mount_point in mounts_below(&dir).into_iter().rev() {
            notes.push(format!("unmounted {}", mount_point.display()));
            teardown.push(Undo::Unmount { mount_point });
        }
    }
    teardown.run()?;
    Ok(notes)
}

/// Loop devices whose backing file is under `dir` (`/sys/block/loop*/loop/backing_file`).
fn loop_devices_backed_under(dir: &Path) -> Vec<PathBuf> {
    let Ok(blocks) = std::fs::read_dir("/sys/block") else {
        return Vec::new();
    };
    blocks
        .flatten()
        .filter_map(|b| {
            let name = b.file_name().to_str()?.to_owned();
            let backing = std::fs::read_to_string(b.path().join("loop/backing_file")).ok()?;
            // A deleted image shows as `PATH (deleted)`.
            let backing = backing.trim().trim_end_matches(" (deleted)");
            Path::new(backing)
                .starts_with(dir)
                .then(|| PathBuf::from("/dev").join(name))
        })
        .collect()
}

/// Processes whose command line names a path under `dir` (the smbd given a configuration
/// there, the smbnetfs mounted there).
fn processes_naming(dir: &Path) -> Vec<u32> {
    let Ok(procs) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    let needle = dir.as_os_str().as_encoded_bytes().to_vec();
    let me = std::process::id();
    procs
        .flatten()
        .filter_map(|p| p.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| *pid != me)
        .filter(|pid| {
            std::fs::read(format!("/proc/{pid}/cmdline")).is_ok_and(|cmdline| {
                cmdline
                    .split(|b| *b == 0)
                    .any(|arg| arg.windows(needle.len()).any(|w| w == needle.as_slice()))
            })
        })
        .collect()
}

fn stop(pid: u32) {
    let Some(pid) = Pid::from_raw(pid as i32) else {
        return;
    };
    let _ = rustix::process::kill_process(pid, Signal::TERM);
    for _ in 0..100 {
        if !alive(pid.as_raw_nonzero().get() as u32) {
            return;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let _ = rustix::process::kill_process(pid, Signal::KILL);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_leftover_directory_and_its_process_are_removed() {
        let tmp = tempfile::tempdir().unwrap();
        let targets = tmp.path().join("targets");
        let left = targets.join("20260101T000000Z-1-0");
        std::fs::create_dir_all(left.join("server")).unwrap();
        let marker = left.join("server/smb.conf");
        std::fs::write(&marker, "").unwrap();
        // A process that names a path inside, as a leftover smbd would.
        let mut child = std::process::Command::new("/bin/sh")
            .arg("-c")
            .arg("while :; do sleep 0.1; done")
            .arg(&marker)
            .spawn()
            .unwrap();
        // `spawn` returns once the child is forked; until it has exec'd, its command line is
        // still this test's and names nothing inside. A real leftover exec'd long ago.
        let needle = marker.as_os_str().as_encoded_bytes().to_vec();
        let cmdline = format!("/proc/{}/cmdline", child.id());
        let started = std::time::Instant::now();
        while !std::fs::read(&cmdline)
            .is_ok_and(|c| c.windows(needle.len()).any(|w| w == needle.as_slice()))
        {
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "the child never exec'd"
            );
            std::thread::sleep(Duration::from_millis(10));
        }
        let notes = sweep_leftovers(&targets).unwrap();
        assert!(
            notes.iter().any(|n| n.contains("stopped process")),
            "{notes:?} {:?}",
            child.try_wait()
        );
        assert!(!left.exists());
        assert!(child.try_wait().unwrap().is_some() || child.wait().is_ok());
    }

    #[test]
    fn no_targets_directory_is_nothing_to_do() {
        let tmp = tempfile::tempdir().unwrap();
        assert!(sweep_leftovers(&tmp.path().join("none"))
            .unwrap()
            .is_empty());
    }
}
