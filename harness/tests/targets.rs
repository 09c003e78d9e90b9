//! Each target set up through the library, used, and torn down: the filesystem it mounted is the
//! one asked for, a reflink on btrfs and xfs shows as shared extents, the SMB share is reached
//! through smbnetfs and its server counts requests, and nothing is left mounted, attached or
//! running afterwards. They need root and the programs (skipped otherwise, naming the Debian
//! package).

use std::path::{Path, PathBuf};

use copybench_harness::target::{
    self, live_in_group, FilesystemKind, FilesystemSpec, Placement, SetUpContext, SetUpError, Side,
    TargetSpec,
};

fn context(root: &Path, n: u32) -> SetUpContext {
    SetUpContext {
        scenario: format!("s{n}"),
        dir: root.join("targets").join(format!("t{n}")),
        local_destination: root.join("runs").join(format!("s{n}")),
        run_id: "test".to_owned(),
        graveyard: root.join("graveyard"),
    }
}

/// Sets up `spec`, or says why the test is skipped (failing under `CI=true`).
fn set_up(
    spec: &TargetSpec,
    placement: Placement,
    context: &SetUpContext,
) -> Option<Box<dyn target::Target>> {
    match target::set_up(spec, placement, context) {
        Ok(t) => Some(t),
        Err(SetUpError::Unavailable(why)) => {
            copybench_testkit::skip(why);
            None
        }
        Err(e) => panic!("set-up failed: {e}"),
    }
}

/// Mount points under `root` (from `/proc/mounts`) and loop devices backed by files under it
/// (`losetup -a`).
fn left_under(root: &Path) -> Vec<String> {
    let root = root.display().to_string();
    let mut left: Vec<String> = std::fs::read_to_string("/proc/mounts")
        .unwrap()
        .lines()
        .filter(|l| l.contains(&root))
        .map(str::to_owned)
        .collect();
    if let Ok(out) = std::process::Command::new("losetup").arg("-a").output() {
        left.extend(
            String::from_utf8_lossy(&out.stdout)
                .lines()
                .filter(|l| l.contains(&root))
                .map(str::to_owned),
        );
    }
    left
}

fn filesystem(kind: FilesystemKind, size: u64) -> TargetSpec {
    TargetSpec::Filesystem(FilesystemSpec {
        kind,
        size,
        mkfs_options: Vec::new(),
        mount_options: Some("noatime".to_owned()),
    })
}

const ON_TARGET: Placement = Placement {
    source: Side::Target,
    destination: Side::Target,
};

fn reflink(src: &Path, dst: &Path) -> std::io::Result<()> {
    let status = std::process::Command::new("cp")
        .arg("--reflink=always")
        .arg(src)
        .arg(dst)
        .status()?;
    if status.success() {
        Ok(())
    } else {
        Err(std::io::Error::other(format!(
            "cp --reflink=always: {status}"
        )))
    }
}

fn shared_bytes(path: &Path) -> u64 {
    let file = std::fs::File::open(path).unwrap();
    copybench_harness::os::extents(&file)
        .unwrap()
        .iter()
        .filter(|e| e.shared)
        .map(|e| e.length)
        .sum()
}

#[test]
fn loop_filesystems_are_the_kind_asked_for_and_leave_nothing_behind() {
    let tmp = tempfile::tempdir().unwrap();
    for (n, (kind, size)) in [
        (FilesystemKind::Btrfs, 256u64 << 20),
        (FilesystemKind::Xfs, 320 << 20),
        (FilesystemKind::Ext4, 64 << 20),
        (FilesystemKind::Tmpfs, 16 << 20),
    ]
    .into_iter()
    .enumerate()
    {
        let context = context(tmp.path(), n as u32);
        let Some(mut target) = set_up(&filesystem(kind, size), ON_TARGET, &context) else {
            continue;
        };
        let record = target.record();
        assert_eq!(record.fs_type.as_deref(), Some(kind.name()), "{record:?}");
        assert!(
            record.mount_options.as_deref().unwrap().contains("noatime"),
            "{record:?}"
        );
        let layout = target.layout().clone();
        let source: PathBuf = layout.source.clone().unwrap().join("f");
        std::fs::write(&source, vec![5u8; 256 * 1024]).unwrap();
        let copy = layout.destination.join("f");
        if matches!(kind, FilesystemKind::Btrfs | FilesystemKind::Xfs) {
            reflink(&source, &copy).unwrap();
            assert_eq!(shared_bytes(&copy), 256 * 1024, "{}", kind.name());
        }
        assert!(layout.trash.unwrap().is_dir());
        target.tear_down().unwrap();
        assert_eq!(left_under(tmp.path()), Vec::<String>::new());
        assert!(!context.dir.exists());
    }
}

#[test]
fn a_failed_set_up_undoes_what_it_made() {
    let tmp = tempfile::tempdir().unwrap();
    let context = context(tmp.path(), 9);
    let mut spec = filesystem(FilesystemKind::Ext4, 64 << 20);
    if let TargetSpec::Filesystem(fs) = &mut spec {
        // mkfs succeeds, mount refuses the option: the loop device must be detached again.
        fs.mount_options = Some("copybench-no-such-option".to_owned());
    }
    match target::set_up(&spec, ON_TARGET, &context) {
        Err(SetUpError::Failed(e)) => assert!(e.to_string().contains("mount"), "{e}"),
        Err(SetUpError::Unavailable(why)) => {
            copybench_testkit::skip(why);
            return;
        }
        Ok(_) => panic!("a bad mount option was accepted"),
    }
    assert_eq!(left_under(tmp.path()), Vec::<String>::new());
    assert!(!context.dir.exists());
}

#[test]
fn an_smb_share_is_served_mounted_counted_and_stopped() {
    let tmp = tempfile::tempdir().unwrap();
    let context = context(tmp.path(), 20);
    let onto = Placement {
        source: Side::Local,
        destination: Side::Target,
    };
    let Some(mut share) = set_up(&TargetSpec::Smb, onto, &context) else {
        return;
    };
    let record = share.record();
    let smb = record.smb.clone().unwrap();
    assert_eq!(
        record.fs_type.as_deref(),
        Some("fuse.smbnetfs"),
        "{record:?}"
    );
    assert!(
        smb.protocol.as_deref().unwrap_or("").starts_with("SMB"),
        "{smb:?}"
    );
    assert!(smb.server_version.is_some());
    let pid = smb.server_pid.unwrap();
    let layout = share.layout().clone();
    assert!(layout.source.is_none());
    let before = share.request_counts().unwrap().unwrap();
    let copy = layout.destination.join("f");
    std::fs::write(&copy, b"over the share").unwrap();
    std::fs::write(&copy, b"overwritten").unwrap();
    let made = share.request_counts().unwrap().unwrap().since(&before);
    assert!(made.0.get("create").copied().unwrap_or(0) >= 1, "{made:?}");
    assert!(made.0.get("write").copied().unwrap_or(0) >= 2, "{made:?}");
    let on_disk = share.backing_path(&copy);
    assert_eq!(std::fs::read(&on_disk).unwrap(), b"overwritten");
    share.tear_down().unwrap();
    assert_eq!(left_under(tmp.path()), Vec::<String>::new());
    assert_eq!(live_in_group(pid), Vec::<u32>::new());
    assert!(!context.dir.exists());
}
