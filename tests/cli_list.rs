//! Black-box tests of `copybench list`, and of reflink on a filesystem that has it (a btrfs
//! image loop-mounted by the test: root and `mkfs.btrfs` needed, skipped otherwise).

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{assert_one_error_line, json_of, require_program, require_root, TestEnv};
use copybench_engine::Strategy;
use serde_json::Value;

fn list_json(env: &TestEnv, dir: &Path) -> Value {
    let output = env
        .copybench()
        .args(["list", "--json", "--dir"])
        .arg(dir)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    json_of(&output)
}

fn strategy<'a>(listing: &'a Value, name: &str) -> &'a Value {
    listing["strategies"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == name)
        .unwrap_or_else(|| panic!("{name} missing from {listing}"))
}

#[test]
fn json_lists_every_strategy_once_with_a_reason() {
    let env = TestEnv::new();
    let listing = list_json(&env, env.root());
    let rows = listing["strategies"].as_array().unwrap();
    assert_eq!(rows.len(), Strategy::ALL.len());
    for s in Strategy::ALL {
        let row = strategy(&listing, s.name());
        assert!(row["supported"].is_boolean());
        assert!(!row["reason"].as_str().unwrap().is_empty(), "{row}");
    }
    for always in ["auto", "readinto-256k", "buffered-64k", "std"] {
        assert_eq!(strategy(&listing, always)["supported"], true);
    }
    if cfg!(not(target_os = "macos")) {
        let fcopyfile = strategy(&listing, "fcopyfile");
        assert_eq!(fcopyfile["supported"], false);
        assert!(fcopyfile["reason"].as_str().unwrap().contains("macOS"));
    }
    // ext4 (and tmpfs) cannot reflink; the reason carries the errno.
    if ["ext4", "tmpfs"].contains(&listing["filesystem"].as_str().unwrap()) {
        let reflink = strategy(&listing, "reflink");
        assert_eq!(reflink["supported"], false);
        assert!(
            reflink["reason"].as_str().unwrap().contains("EOPNOTSUPP"),
            "{reflink}"
        );
    }
    // The probe files are gone.
    assert_eq!(std::fs::read_dir(env.root()).unwrap().count(), 0);
}

#[test]
fn human_listing_names_every_strategy_and_the_filesystem() {
    let env = TestEnv::new();
    let output = env.run(["list"]);
    assert!(output.status.success());
    let text = String::from_utf8(output.stdout).unwrap();
    let first = text.lines().next().unwrap();
    assert!(first.starts_with("strategies for . ("), "{first}");
    for s in Strategy::ALL {
        assert!(
            text.lines()
                .any(|l| l.split_whitespace().next() == Some(s.name())),
            "{} missing:\n{text}",
            s.name()
        );
    }
}

#[test]
fn a_missing_directory_is_one_error_line_naming_it() {
    let env = TestEnv::new();
    let output = env.run(["list", "--dir", "no-such-dir"]);
    assert_one_error_line(&output, &["no-such-dir", "ENOENT"]);
}

/// A btrfs image in a temp dir, loop-mounted; unmounted (and the loop device freed) on drop.
struct Btrfs {
    mountpoint: PathBuf,
    _dir: tempfile::TempDir,
}

impl Btrfs {
    fn mount() -> Option<Btrfs> {
        if !require_root("loop-mounting a btrfs image")
            || !require_program("mkfs.btrfs", "btrfs-progs")
        {
            return None;
        }
        let dir = tempfile::tempdir().ok()?;
        let image = dir.path().join("btrfs.img");
        // Sparse: the 256 MiB image takes only what mkfs writes.
        std::fs::File::create(&image)
            .ok()?
            .set_len(256 << 20)
            .ok()?;
        let mkfs = Command::new("mkfs.btrfs")
            .arg("-q")
            .arg(&image)
            .output()
            .ok()?;
        if !mkfs.status.success() {
            common::skip(format!(
                "mkfs.btrfs failed: {}",
                String::from_utf8_lossy(&mkfs.stderr)
            ));
            return None;
        }
        let mountpoint = dir.path().join("mnt");
        std::fs::create_dir(&mountpoint).ok()?;
        let mount = Command::new("mount")
            .args(["-o", "loop"])
            .arg(&image)
            .arg(&mountpoint)
            .output()
            .ok()?;
        if !mount.status.success() {
            common::skip(format!(
                "cannot loop-mount a btrfs image here: {}",
                String::from_utf8_lossy(&mount.stderr)
            ));
            return None;
        }
        Some(Btrfs {
            mountpoint,
            _dir: dir,
        })
    }
}

impl Drop for Btrfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.mountpoint).status();
    }
}

#[test]
fn on_btrfs_reflink_is_supported_and_auto_clones() {
    let Some(btrfs) = Btrfs::mount() else {
        return;
    };
    let env = TestEnv::new();
    let listing = list_json(&env, &btrfs.mountpoint);
    assert_eq!(listing["filesystem"], "btrfs");
    assert_eq!(
        strategy(&listing, "reflink")["supported"],
        true,
        "{listing}"
    );
    let src = btrfs.mountpoint.join("src");
    let content: Vec<u8> = (0..(2 << 20)).map(|i| (i % 253) as u8).collect();
    std::fs::write(&src, &content).unwrap();
    let output = env
        .copybench()
        .args(["copy", "--json"])
        .arg(&src)
        .arg(btrfs.mountpoint.join("dst"))
        .output()
        .unwrap();
    let v = json_of(&output);
    assert_eq!(v["strategy_used"], "reflink", "{v}");
    assert_eq!(v["fallbacks"], serde_json::json!([]));
    assert_eq!(v["syscalls"]["ioctl"], 1);
    assert!(v["syscalls"]["copy_file_range"].is_null());
    assert_eq!(
        std::fs::read(btrfs.mountpoint.join("dst")).unwrap(),
        content
    );
}

/// Strategies are grouped by where the copy happens, those of another platform apart, and the
/// two userspace loop families are told apart once.
#[test]
fn the_listing_groups_strategies_and_explains_the_loops() {
    let env = TestEnv::new();
    let out = env.run(["list", "-d", "."]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let kernel = text.find("In the kernel").expect("the in-kernel group");
    let memory = text
        .find("Through copybench's memory")
        .expect("the userspace group");
    let other = text
        .find("Not in this build")
        .expect("the other platforms' group");
    assert!(kernel < memory && memory < other, "{text}");
    // On Linux, fcopyfile (macOS) is in the last group only.
    assert!(text[other..].contains("fcopyfile"), "{text}");
    assert!(!text[..other].contains("fcopyfile"), "{text}");
    assert!(text.contains("readinto-* reuse one buffer"), "{text}");
}
