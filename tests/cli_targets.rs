//! The targets a scenario sets up — a loop-mounted btrfs image, an SMB share served by smbd and
//! mounted through smbnetfs — leave nothing behind: no mount (`/proc/mounts`), no loop device
//! (`losetup -a`) and no server process, after a run that finishes, after one that fails on
//! purpose part-way (the fixture cannot fit once the target is up), and after one interrupted
//! with SIGINT. They need root, btrfs-progs, samba, smbnetfs and fuse3: skipped naming the
//! package when run by hand, failed under `CI=true`.

mod common;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::TestEnv;
use copybench_testkit::{require_program, require_root};

fn require_targets() -> bool {
    require_root("loop-mounting images and serving an SMB share")
        && require_program("mkfs.btrfs", "btrfs-progs")
        && require_program("losetup", "mount")
        && require_program("smbd", "samba")
        && require_program("smbstatus", "samba")
        && require_program("smbnetfs", "smbnetfs")
        && require_program("fusermount3", "fuse3")
}

const FIXTURE_FILE: &str = r#"
[scenario.fixture]
kind = "file"
size = "SIZE"
seed = 1
"#;

const FIXTURE_TREE: &str = r#"
[scenario.fixture]
kind = "tree"
files = FILES
dirs = 4
size_min = "1KiB"
size_max = "4KiB"
seed = 2
"#;

/// A btrfs scenario copying a file of `size` within the filesystem.
fn btrfs(name: &str, size: &str, samples: u32) -> String {
    format!(
        r#"
[[scenario]]
name = "{name}"
reference = "sendfile"
strategies = ["reflink", "sendfile"]
peers = ["cp-reflink-never"]
warmup = 0
samples = {samples}

[scenario.target]
filesystem = "btrfs"
size = "256MiB"
{}"#,
        FIXTURE_FILE.replace("SIZE", size)
    )
}

/// An SMB scenario: a tree of `files` onto the share, or a file of `size` from it.
fn smb_onto(name: &str, files: u32, samples: u32) -> String {
    format!(
        r#"
[[scenario]]
name = "{name}"
reference = "lean"
walkers = ["scandir", "lean"]
peers = ["cp"]
target = "smb"
warmup = 0
samples = {samples}
{}"#,
        FIXTURE_TREE.replace("FILES", &files.to_string())
    )
}

fn smb_from_file(name: &str, size: &str) -> String {
    format!(
        r#"
[[scenario]]
name = "{name}"
reference = "sendfile"
strategies = ["sendfile", "readinto-64k"]
mode = "copyfile"
warmup = 0
samples = 2
target = {{ share = "smb", source = "target", destination = "local" }}
{}"#,
        FIXTURE_FILE.replace("SIZE", size)
    )
}

/// Mounts under `root`, loop devices backed by files under it, and live processes whose command
/// line names it: what a run must not leave.
fn left_behind(root: &Path) -> Vec<String> {
    let root = root.canonicalize().unwrap_or_else(|_| root.to_owned());
    let needle = root.display().to_string();
    let mut left: Vec<String> = std::fs::read_to_string("/proc/mounts")
        .unwrap()
        .lines()
        .filter(|l| l.contains(&needle))
        .map(|l| format!("mounted: {l}"))
        .collect();
    let losetup = Command::new("losetup").arg("-a").output().unwrap();
    left.extend(
        String::from_utf8_lossy(&losetup.stdout)
            .lines()
            .filter(|l| l.contains(&needle))
            .map(|l| format!("loop device: {l}")),
    );
    left.extend(
        processes_naming(&needle)
            .into_iter()
            .map(|pid| format!("process {pid} still runs")),
    );
    // Nor a directory of the run's targets (images, mount points, the share).
    if let Ok(entries) = std::fs::read_dir(root.join("targets")) {
        left.extend(
            entries
                .flatten()
                .map(|e| format!("left in targets/: {}", e.file_name().to_string_lossy())),
        );
    }
    left
}

/// Live (not zombie) processes whose command line contains `needle`.
fn processes_naming(needle: &str) -> Vec<u32> {
    std::fs::read_dir("/proc")
        .unwrap()
        .flatten()
        .filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| alive(*pid))
        .filter(|pid| {
            std::fs::read(format!("/proc/{pid}/cmdline"))
                .is_ok_and(|c| String::from_utf8_lossy(&c).contains(needle))
        })
        .collect()
}

fn alive(pid: u32) -> bool {
    let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
        return false;
    };
    // `pid (comm) state …`: a zombie waits only for its parent to reap it.
    stat.rsplit_once(')')
        .and_then(|(_, rest)| rest.split_whitespace().next())
        .is_some_and(|state| state != "Z" && state != "X")
}

fn scenario_run(env: &TestEnv, file: &str, work: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_copybench"));
    cmd.current_dir(env.root())
        .arg("scenario")
        .arg(file)
        .arg("--work-dir")
        .arg(work)
        .args(["--conform", "none"]);
    cmd
}

#[test]
fn a_finished_run_proves_the_reflink_counts_smb_requests_and_leaves_nothing_behind() {
    if !require_targets() {
        return;
    }
    let env = TestEnv::new();
    let work = env.path("work");
    let text = btrfs("btrfs-file", "1MiB", 2) + &smb_onto("smb-onto", 12, 2);
    env.file("targets.toml", text);
    let output = scenario_run(&env, "targets.toml", &work).output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    // Nothing of the run's own kept a mount busy: each was unmounted, not lazily detached.
    assert!(!stderr.contains("stayed busy"), "{stderr}");
    let path = common::result_file(&String::from_utf8_lossy(&output.stdout));
    let result: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    assert_eq!(
        result["skipped_scenarios"],
        serde_json::json!([]),
        "{stderr}"
    );

    let btrfs = &result["scenarios"][0];
    let entry = |scenario: &serde_json::Value, id: &str| {
        scenario["entries"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["id"] == id)
            .unwrap_or_else(|| panic!("no entry `{id}`: {scenario}"))
            .clone()
    };
    assert_eq!(entry(btrfs, "reflink")["mechanism"]["extents"], "reflinked");
    assert_eq!(entry(btrfs, "sendfile")["mechanism"]["extents"], "copied");
    let targets = result["environment"]["targets"].as_array().unwrap();
    assert_eq!(targets[0]["fs_type"], "btrfs");
    assert!(targets[0]["mkfs"][0]
        .as_str()
        .unwrap()
        .ends_with("mkfs.btrfs"));

    let smb = &result["scenarios"][1];
    let lean = entry(smb, "lean");
    assert!(
        lean["requests"]["per_copy"]["create"].as_u64().unwrap() >= 12,
        "{lean}"
    );
    assert_eq!(targets[1]["fs_type"], "fuse.smbnetfs");
    assert!(targets[1]["smb"]["protocol"]
        .as_str()
        .unwrap()
        .starts_with("SMB"));
    let pid = targets[1]["smb"]["server_pid"].as_u64().unwrap() as u32;
    assert!(!alive(pid), "smbd (pid {pid}) outlived the run");
    assert_eq!(left_behind(&work), Vec::<String>::new());
}

#[test]
fn a_run_that_fails_part_way_tears_its_target_down() {
    if !require_targets() {
        return;
    }
    // Each target is set up, then its fixture cannot fit there: the run fails with the
    // target up, and must take it down.
    for (name, text) in [
        ("btrfs", btrfs("btrfs-too-big", "1TiB", 2)),
        ("smb", smb_from_file("smb-too-big", "1TiB")),
    ] {
        let env = TestEnv::new();
        let work = env.path("work");
        env.file("fails.toml", text);
        let output = scenario_run(&env, "fails.toml", &work).output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!output.status.success(), "{name}: {stderr}");
        assert!(stderr.contains("free"), "{name}: {stderr}");
        assert!(
            stderr.contains("setting up its"),
            "{name}: the target was not set up: {stderr}"
        );
        assert_eq!(left_behind(&work), Vec::<String>::new(), "{name}");
    }
}

#[test]
fn a_run_interrupted_with_sigint_tears_its_target_down() {
    if !require_targets() {
        return;
    }
    for (name, text, mount) in [
        ("btrfs", btrfs("btrfs-interrupted", "8MiB", 200), "btrfs"),
        (
            "smb",
            smb_onto("smb-interrupted", 200, 200),
            "fuse.smbnetfs",
        ),
    ] {
        let env = TestEnv::new();
        let work = env.path("work");
        env.file("long.toml", text);
        let mut child = scenario_run(&env, "long.toml", &work)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // Interrupted once its target is up and sampling has begun.
        let started = Instant::now();
        let needle = work.display().to_string();
        let mut server = Vec::new();
        loop {
            let mounted = std::fs::read_to_string("/proc/mounts")
                .unwrap()
                .lines()
                .any(|l| l.contains(&needle) && l.contains(mount));
            if mounted {
                break;
            }
            assert!(
                child.try_wait().unwrap().is_none(),
                "{name}: the run ended before its target was up"
            );
            assert!(
                started.elapsed() < Duration::from_secs(120),
                "{name}: no {mount} mount appeared"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        if name == "smb" {
            server = processes_naming(&needle);
            assert!(!server.is_empty(), "smbd and smbnetfs are running");
        }
        std::thread::sleep(Duration::from_secs(2));
        let sent = Command::new("kill")
            .args(["-INT", &child.id().to_string()])
            .status()
            .unwrap();
        assert!(sent.success());
        let output = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(130), "{name}: {stderr}");
        for pid in server {
            assert!(!alive(pid), "{name}: process {pid} outlived the interrupt");
        }
        assert_eq!(left_behind(&work), Vec::<String>::new(), "{name}");
    }
}
