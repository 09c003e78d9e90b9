//! docs/conformance.md cases 21 and 22 on a second filesystem: a small tmpfs mounted by the test (root
//! only; skipped with a message otherwise) and always unmounted.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{copy_with, patterned, require_root, supported_strategies, Scratch};
use copybench_engine::{copy_file, CopyOptions, ErrorKind, Mode, Strategy};
use rustix::io::Errno;

/// A tmpfs of `size` mounted on a fresh directory, unmounted on drop.
struct Tmpfs {
    mountpoint: PathBuf,
    _dir: tempfile::TempDir,
}

impl Tmpfs {
    fn mount(size: &str) -> Option<Tmpfs> {
        if !require_root("mounting a tmpfs") {
            return None;
        }
        let dir = tempfile::tempdir().ok()?;
        let mountpoint = dir.path().join("mnt");
        std::fs::create_dir(&mountpoint).ok()?;
        let status = Command::new("mount")
            .args([
                "-t",
                "tmpfs",
                "-o",
                &format!("size={size}"),
                "copybench-test",
            ])
            .arg(&mountpoint)
            .status();
        match status {
            Ok(s) if s.success() => Some(Tmpfs {
                mountpoint,
                _dir: dir,
            }),
            other => {
                copybench_testkit::skip(format!("cannot mount a tmpfs here ({other:?})"));
                None
            }
        }
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.mountpoint.join(rel)
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.mountpoint).status();
    }
}

/// The strategies that work on the disk and on the tmpfs both (`dontcache` does not on tmpfs:
/// EOPNOTSUPP), which a copy from one to the other can be asked to use.
fn supported_on_both(disk: &Path, tmpfs: &Tmpfs) -> Vec<Strategy> {
    supported_strategies(disk)
        .into_iter()
        .filter(|s| s.support(&tmpfs.path("")).supported)
        .collect()
}

fn copyfile(strategy: Strategy) -> CopyOptions {
    CopyOptions {
        strategy,
        mode: Mode::Copyfile,
        follow_symlinks: true,
    }
}

#[test]
fn case_21_across_filesystems_copy_file_range_exdev_falls_back() {
    let Some(tmpfs) = Tmpfs::mount("16m") else {
        return;
    };
    let s = Scratch::new();
    let content = patterned(2 << 20, 21);
    let on_tmpfs = tmpfs.path("src");
    std::fs::write(&on_tmpfs, &content).unwrap();
    let on_disk = s.file("src", &content);
    for (src, dst) in [
        (on_tmpfs.clone(), s.path("from-tmpfs")),
        (on_disk.clone(), tmpfs.path("from-disk")),
    ] {
        let report = copy_file(&src, &dst, &copyfile(Strategy::Auto)).unwrap();
        assert!(std::fs::read(&dst).unwrap() == content);
        let cfr = report
            .fallbacks
            .iter()
            .find(|f| f.from == Strategy::CopyFileRange)
            .expect("copy_file_range gave up");
        assert_eq!(cfr.errno, Some(Errno::XDEV), "{src:?} -> {dst:?}");
        assert_eq!(report.strategy_used, Strategy::Sendfile);
        std::fs::remove_file(&dst).unwrap();
        // Every other supported strategy copies across too, or says EXDEV (in-kernel only).
        for strategy in supported_on_both(s.root(), &tmpfs) {
            match copy_file(&src, &dst, &copyfile(strategy)) {
                Ok(_) => assert!(std::fs::read(&dst).unwrap() == content, "{strategy}"),
                Err(e) => {
                    assert!(
                        matches!(strategy, Strategy::CopyFileRange | Strategy::Reflink),
                        "{strategy}: {e}"
                    );
                    assert_eq!(e.errno, Some(Errno::XDEV), "{strategy}");
                }
            }
        }
    }
}

fn assert_disk_full(strategy: Strategy, src: &Path, dst: &Path, content: &[u8]) {
    let e = copy_file(src, dst, &copyfile(strategy)).expect_err("the tmpfs is full");
    assert_eq!(e.kind, ErrorKind::OSError, "{strategy}");
    assert_eq!(e.errno, Some(Errno::NOSPC), "{strategy}: {e}");
    assert_eq!(e.src, src);
    assert_eq!(e.dst.as_deref(), Some(dst));
    assert!(
        e.message.contains(&dst.display().to_string()),
        "{}",
        e.message
    );
    // The partial destination stays, as CPython, cp and std::fs::copy leave it.
    let left = std::fs::read(dst).unwrap();
    assert!(!left.is_empty() && content.starts_with(&left), "{strategy}");
}

#[test]
fn case_22_disk_full_half_way_is_enospc_naming_both_paths_and_leaves_the_partial_copy() {
    let Some(tmpfs) = Tmpfs::mount("4m") else {
        return;
    };
    let s = Scratch::new();
    let content = patterned(5 << 19, 22);
    // From the disk to the tmpfs: 2.5 MiB into 4 MiB after the source below takes its share.
    let on_disk = s.file("src", &content);
    // On the tmpfs itself, for the in-kernel copies that refuse to cross filesystems.
    let on_tmpfs = tmpfs.path("src");
    std::fs::write(&on_tmpfs, &content).unwrap();
    for strategy in supported_on_both(s.root(), &tmpfs) {
        let dst = tmpfs.path(&format!("dst-{strategy}"));
        let src = match strategy {
            Strategy::CopyFileRange | Strategy::Reflink => &on_tmpfs,
            _ => &on_disk,
        };
        match strategy {
            // FICLONE writes no data, so it cannot run out of room half-way; on a filesystem
            // where it works it would share the blocks instead.
            Strategy::Reflink => eprintln!("case 22 does not apply to reflink: no data written"),
            _ => assert_disk_full(strategy, src, &dst, &content),
        }
        let _ = std::fs::remove_file(&dst);
    }
    // And something still fits afterwards: the space came back.
    copy_with(
        Strategy::Auto,
        &s.file("small", b"fits"),
        &tmpfs.path("small"),
    );
}
