//! Issue 9, as a hostile or careless user would try it: each test is one finding, and fails on
//! a840da2. Symlink attacks and traversal names aim at a sentinel directory outside the work
//! directory, which must be left byte for byte intact.

mod common;

use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use common::{assert_one_error_line, Sentinel, TestEnv};

/// A scenario of one 4 KiB file, two in-process strategies, no warmup: a run takes well under a
/// second.
fn tiny(name: &str) -> String {
    tiny_with(name, "4KiB", "")
}

fn tiny_with(name: &str, size: &str, extra: &str) -> String {
    format!(
        r#"
[[scenario]]
name = "{name}"
reference = "buffered-64k"
strategies = ["buffered-64k", "readinto-64k"]
warmup = 0
samples = 2
{extra}

[scenario.fixture]
kind = "file"
size = "{size}"
seed = 1
"#
    )
}

/// `copybench scenario FILE --work-dir work --conform none --no-progress` in `env`.
fn run_scenario(env: &TestEnv, file: &Path, extra: &[&str]) -> std::process::Output {
    let mut args: Vec<&std::ffi::OsStr> = vec![
        "scenario".as_ref(),
        file.as_os_str(),
        "--work-dir".as_ref(),
        "work".as_ref(),
        "--no-progress".as_ref(),
    ];
    if !extra.contains(&"--conform") {
        args.extend([
            std::ffi::OsStr::new("--conform"),
            std::ffi::OsStr::new("none"),
        ]);
    }
    args.extend(extra.iter().map(std::ffi::OsStr::new));
    env.run(args)
}

fn stderr(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Makes `env/work` copybench's work directory, as a first run would.
fn marked_work_dir(env: &TestEnv) -> PathBuf {
    let file = env.file("first.toml", tiny("first"));
    let output = run_scenario(env, &file, &[]);
    assert!(output.status.success(), "{}", stderr(&output));
    env.path("work")
}

// Finding 1: the scenario `name` was used as a path.
#[test]
fn finding_1_traversal_names_are_refused_naming_file_line_and_key() {
    let env = TestEnv::new();
    let sentinel = Sentinel::new(env.root());
    env.dir("work");
    let victim = sentinel.dir.display().to_string();
    for name in ["../sentinel", "../../sentinel", &victim, "..", ".", ""] {
        for conform in ["none", "quick"] {
            let file = env.file("bad.toml", tiny(name));
            let output = run_scenario(&env, &file, &["--conform", conform]);
            assert_eq!(
                output.status.code(),
                Some(2),
                "{name:?}: {}",
                stderr(&output)
            );
            assert_one_error_line(&output, &["bad.toml:3:", "`scenario[0].name`"]);
            sentinel.assert_intact();
        }
    }
    // Nothing was written for the refused scenarios: no results, no copies.
    assert!(!env.path("work/results").exists());
}

#[test]
fn finding_1_two_scenarios_with_one_name_are_refused_also_across_files() {
    let env = TestEnv::new();
    let a = env.file("a.toml", tiny("same"));
    let b = env.file("b.toml", tiny("same"));
    let output = run_scenario(&env, &a, &[b.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert_one_error_line(
        &output,
        &["b.toml:3:", "a second scenario named `same`", "a.toml:3"],
    );
    let both = format!("{}{}", tiny("twice"), tiny("twice"));
    let c = env.file("c.toml", both);
    let output = run_scenario(&env, &c, &[]);
    assert_eq!(output.status.code(), Some(2));
    assert_one_error_line(&output, &["c.toml:", "scenario[1].name", "`twice`"]);
}

// Finding 2: planted symlinks inside the work directory were followed.
#[test]
fn finding_2_planted_symlinks_are_errors_naming_them_and_never_followed() {
    for planted in ["trash", "runs", "results", "fixtures", "conformance"] {
        let env = TestEnv::new();
        let sentinel = Sentinel::new(env.root());
        let work = marked_work_dir(&env);
        let _ = std::fs::remove_dir_all(work.join(planted));
        symlink(&sentinel.dir, work.join(planted)).unwrap();
        let file = env.file("s.toml", tiny("s"));
        let output = run_scenario(&env, &file, &["--conform", "quick"]);
        assert_eq!(
            output.status.code(),
            Some(2),
            "{planted}: {}",
            stderr(&output)
        );
        assert_one_error_line(&output, &[&format!("work/{planted} is a symlink")]);
        sentinel.assert_intact();
    }
    let env = TestEnv::new();
    let sentinel = Sentinel::new(env.root());
    let work = marked_work_dir(&env);
    let _ = std::fs::remove_file(work.join("trash-emptied-at"));
    symlink(sentinel.dir.join("keep"), work.join("trash-emptied-at")).unwrap();
    let file = env.file("s.toml", tiny("s"));
    let output = run_scenario(&env, &file, &[]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert_one_error_line(&output, &["trash-emptied-at is a symlink"]);
    sentinel.assert_intact();
}

#[test]
fn finding_2_a_symlink_inside_the_trash_is_removed_not_followed() {
    let env = TestEnv::new();
    let sentinel = Sentinel::new(env.root());
    let work = marked_work_dir(&env);
    std::fs::create_dir_all(work.join("trash/old-run")).unwrap();
    symlink(&sentinel.dir, work.join("trash/old-run/link")).unwrap();
    std::fs::create_dir_all(work.join("runs/old-run")).unwrap();
    symlink(&sentinel.dir, work.join("runs/old-run/link")).unwrap();
    let file = env.file("s.toml", tiny("s"));
    let output = run_scenario(&env, &file, &[]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(!work.join("trash/old-run").exists() && !work.join("runs").exists());
    sentinel.assert_intact();
}

// Finding 3: `report self.json -o self.json` replaced the input.
#[test]
fn finding_3_a_report_never_overwrites_its_input() {
    let env = TestEnv::new();
    let input = env.path("r.json");
    std::fs::copy(
        copybench_testkit::results::result_path("result.json"),
        &input,
    )
    .unwrap();
    let before = std::fs::read(&input).unwrap();
    symlink(&input, env.path("link.html")).unwrap();
    for args in [
        vec!["report", "r.json", "-o", "r.json"],
        vec!["report", "r.json", "-o", "./r.json"],
        vec!["report", "r.json", "-o", "link.html"],
        vec!["report", "r.json", "-o", "r.json", "--format", "markdown"],
    ] {
        let output = env.run(&args);
        assert_eq!(
            output.status.code(),
            Some(2),
            "{args:?}: {}",
            stderr(&output)
        );
        assert_one_error_line(&output, &["is the input `r.json`"]);
        assert_eq!(std::fs::read(&input).unwrap(), before, "{args:?}");
    }
    // Another output is written whole, atomically, and leaves no temporary beside it.
    let output = env.run(["report", "r.json", "-o", "out.md"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let names: Vec<_> = std::fs::read_dir(env.root())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names.len(), 3, "{names:?}");
}

// Finding 4: a non-empty --work-dir that is not copybench's lost files.
#[test]
fn finding_4_a_foreign_non_empty_work_dir_is_refused_and_left_alone() {
    let env = TestEnv::new();
    env.file("mine/runs/thesis.tex", "years of work");
    env.file("mine/trash/photo.jpg", "memories");
    env.file("mine/conformance/s/notes", "notes");
    let sentinel = Sentinel::new(&env.path("mine"));
    let file = env.file("s.toml", tiny("s"));
    let output = env.run([
        "scenario",
        file.to_str().unwrap(),
        "--work-dir",
        "mine",
        "--no-progress",
    ]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert_one_error_line(
        &output,
        &["mine is not empty and is not a copybench work directory"],
    );
    assert_eq!(
        std::fs::read(env.path("mine/runs/thesis.tex")).unwrap(),
        b"years of work"
    );
    assert_eq!(
        std::fs::read(env.path("mine/trash/photo.jpg")).unwrap(),
        b"memories"
    );
    assert_eq!(
        std::fs::read(env.path("mine/conformance/s/notes")).unwrap(),
        b"notes"
    );
    sentinel.assert_intact();
    // An empty directory is taken and marked.
    env.dir("empty");
    let output = env.run([
        "scenario",
        file.to_str().unwrap(),
        "--work-dir",
        "empty",
        "--no-progress",
        "--conform",
        "none",
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(env.path("empty/.copybench-work-dir").is_file());
}

/// Runs copybench with `args` and its stdout a pipe nobody reads (the reader already closed,
/// as `| head -1` does after its line): deterministic, unlike a real `head`.
fn with_closed_stdout(env: &TestEnv, args: &[&str]) -> std::process::Output {
    let (reader, writer) = rustix::pipe::pipe().unwrap();
    drop(reader);
    Command::new(assert_cmd::cargo::cargo_bin("copybench"))
        .args(args)
        .current_dir(env.root())
        .stdout(Stdio::from(writer))
        .stderr(Stdio::piped())
        .output()
        .unwrap()
}

// Finding 6: panics on a closed or full stdout, and on arithmetic with user numbers.
#[test]
fn finding_6_a_closed_stdout_ends_quietly_as_cat_does() {
    use std::os::unix::process::ExitStatusExt as _;
    let env = TestEnv::new();
    std::fs::copy(
        copybench_testkit::results::result_path("result.json"),
        env.path("r.json"),
    )
    .unwrap();
    env.file("src", "x");
    for args in [
        vec!["report", "r.json"],
        vec!["list"],
        vec!["copy", "--json", "src", "dst1"],
    ] {
        let output = with_closed_stdout(&env, &args);
        // Killed by SIGPIPE like `cat`, silently: no panic, no backtrace, no exit 101.
        assert_eq!(
            output.status.signal(),
            Some(13),
            "{args:?}: {:?} {}",
            output.status,
            stderr(&output)
        );
        assert_eq!(stderr(&output), "", "{args:?}");
    }
}

#[test]
fn finding_6_a_full_stdout_is_one_clear_line() {
    let env = TestEnv::new();
    env.file("src", "x");
    let file = env.file("s.toml", tiny("s"));
    let full = || {
        std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .unwrap()
    };
    for args in [
        vec!["copy", "--json", "src", "dst"],
        vec!["list"],
        vec![
            "scenario",
            file.to_str().unwrap(),
            "--work-dir",
            "work",
            "--no-progress",
            "--conform",
            "none",
        ],
    ] {
        let output = Command::new(assert_cmd::cargo::cargo_bin("copybench"))
            .args(&args)
            .current_dir(env.root())
            .stdout(full())
            .output()
            .unwrap();
        assert_eq!(
            output.status.code(),
            Some(1),
            "{args:?}: {}",
            stderr(&output)
        );
        let text = stderr(&output);
        let last = text.lines().last().unwrap_or_default();
        assert_eq!(
            last,
            "copybench: error: cannot write to standard output: No space left on device (ENOSPC)",
            "{args:?}: {text}"
        );
        assert!(!text.contains("panicked"), "{text}");
    }
}

#[test]
fn finding_6_huge_round_counts_are_an_error_not_an_overflow() {
    let env = TestEnv::new();
    let file = env.file("s.toml", tiny("s"));
    let output = run_scenario(&env, &file, &["--warmup", "4294967295"]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("4294967295 warmup rounds"),
        "{}",
        stderr(&output)
    );
    assert!(!stderr(&output).contains("panicked"));
    let output = run_scenario(
        &env,
        &file,
        &["--warmup", "4294967294", "--samples", "4294967295"],
    );
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert!(!stderr(&output).contains("panicked"));
}

// Finding 7: no size check; temporary fixture directories left forever.
#[test]
fn finding_7_a_fixture_larger_than_the_disk_is_refused_before_writing() {
    let env = TestEnv::new();
    let huge = env.file("huge.toml", tiny_with("huge", "9223372036854775807", ""));
    let output = run_scenario(&env, &huge, &[]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("`fixture.size` needs"),
        "{}",
        stderr(&output)
    );
    assert!(stderr(&output).contains("free"));
    let scaled = env.file("s.toml", tiny_with("s", "1MiB", ""));
    let output = run_scenario(&env, &scaled, &["--scale", "1e9"]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("`fixture.size` needs"),
        "{}",
        stderr(&output)
    );
    let fixtures: Vec<_> = std::fs::read_dir(env.path("work/fixtures"))
        .unwrap()
        .collect();
    assert!(fixtures.is_empty(), "{fixtures:?}");
}

#[test]
fn finding_7_leftovers_of_an_interrupted_run_are_removed_by_the_next() {
    let env = TestEnv::new();
    let work = marked_work_dir(&env);
    env.file("work/fixtures/.file-4096b-seed1-v2.tmp-99999/data", "half");
    env.file(
        "work/results/20250101T000000Z-99999/.result.json.tmp-99999",
        "{\"half",
    );
    env.file("work/runs/old/r000-e00", "copy");
    let file = env.file("s.toml", tiny("s"));
    let output = run_scenario(&env, &file, &[]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(!work
        .join("fixtures/.file-4096b-seed1-v2.tmp-99999")
        .exists());
    assert!(!work
        .join("results/20250101T000000Z-99999/.result.json.tmp-99999")
        .exists());
    assert!(!work.join("runs").exists());
}

// Finding 8: a corrupted cached fixture was reused.
#[test]
fn finding_8_a_byte_flipped_in_the_middle_of_a_cached_fixture_is_regenerated() {
    let env = TestEnv::new();
    // 256 KiB: the middle is beyond the 64 KiB ends the old manifest hashed.
    let file = env.file("s.toml", tiny_with("s", "256KiB", ""));
    let output = run_scenario(&env, &file, &[]);
    assert!(output.status.success(), "{}", stderr(&output));
    let fixtures = env.path("work/fixtures");
    let key = std::fs::read_dir(&fixtures)
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let data = key.join("data");
    let good = std::fs::read(&data).unwrap();
    let mut bad = good.clone();
    bad[128 * 1024] ^= 0x01;
    std::fs::write(&data, &bad).unwrap();
    let output = run_scenario(&env, &file, &[]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("generating it again"),
        "{}",
        stderr(&output)
    );
    assert_eq!(std::fs::read(&data).unwrap(), good);
}

// Finding 11: unclear errors.
#[test]
fn finding_11_errors_say_their_cause_once_with_the_errno_name_and_path() {
    let env = TestEnv::new();
    env.dir("a-dir");
    let output = env.run(["scenario", "a-dir", "--work-dir", "work"]);
    assert_eq!(output.status.code(), Some(2));
    assert_one_error_line(
        &output,
        &["copybench: error: ", "a-dir", "Is a directory (EISDIR)"],
    );
    assert_eq!(
        stderr(&output).matches("Is a directory").count(),
        1,
        "{}",
        stderr(&output)
    );
    let output = env.run(["report", "a-dir"]);
    assert_one_error_line(&output, &["a-dir", "(EISDIR)"]);
    assert_eq!(stderr(&output).matches("Is a directory").count(), 1);

    // A socket: CPython's copyfile raises ENXIO, which is named, not "E6".
    let socket = std::os::unix::net::UnixListener::bind(env.path("sock")).unwrap();
    let output = env.run(["copy", "sock", "out"]);
    assert_eq!(output.status.code(), Some(1));
    assert_one_error_line(&output, &["copybench: error: ", "sock", "(ENXIO)"]);
    drop(socket);

    // A regular file and a dangling symlink as --work-dir, not "File exists".
    env.file("plain", "x");
    symlink(env.path("nowhere"), env.path("dangling")).unwrap();
    let file = env.file("s.toml", tiny("s"));
    for (dir, says) in [
        ("plain", "plain is not a directory"),
        ("dangling", "dangling is a symlink to"),
    ] {
        let output = env.run(["scenario", file.to_str().unwrap(), "--work-dir", dir]);
        assert_eq!(output.status.code(), Some(2));
        assert_one_error_line(&output, &[says]);
        assert!(!stderr(&output).contains("File exists"));
    }

    // copytree onto an existing destination says how to copy into it.
    env.dir("tree/a");
    env.dir("existing");
    let output = env.run(["copytree", "tree", "existing"]);
    assert_eq!(output.status.code(), Some(1));
    assert_one_error_line(&output, &["existing", "(EEXIST)", "--dirs-exist-ok"]);
}

#[test]
fn the_exit_statuses_are_documented_in_help() {
    let output = TestEnv::new().run(["--help"]);
    let text = String::from_utf8_lossy(&output.stdout);
    for line in [
        "0    success",
        "1    failure",
        "2    usage",
        "3    inconclusive",
        "130",
        "143",
    ] {
        assert!(text.contains(line), "{line}: {text}");
    }
}

/// Whether process `pid` is gone (or a zombie nobody reaped yet, which runs nothing).
fn gone(pid: u32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Err(_) => true,
        Ok(stat) => stat
            .rsplit_once(") ")
            .is_some_and(|(_, rest)| rest.starts_with('Z')),
    }
}

fn wait_for(path: &Path) -> u32 {
    for _ in 0..600 {
        if let Some(pid) = std::fs::read_to_string(path)
            .ok()
            .and_then(|t| t.trim().parse().ok())
        {
            return pid;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    panic!("{} never appeared", path.display());
}

// Finding 10: after SIGINT or SIGTERM a child survived and copies stayed.
#[test]
fn finding_10_an_interrupt_ends_the_child_group_removes_copies_and_writes_no_result() {
    for (signal, code) in [
        (rustix::process::Signal::INT, 130),
        (rustix::process::Signal::TERM, 143),
    ] {
        let env = TestEnv::new();
        // A `cp` peer that never finishes and has a child of its own.
        let bin = env.dir("bin");
        let pids = env.dir("pids");
        let fake_cp = env.file(
            "bin/cp",
            "#!/bin/sh\n\
             if [ \"$1\" = --version ]; then echo 'cp (fake) 1'; exit 0; fi\n\
             sleep 300 &\n\
             echo $! > \"$PIDS/grandchild\"\n\
             echo $$ > \"$PIDS/child\"\n\
             wait\n",
        );
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(&fake_cp, std::fs::Permissions::from_mode(0o755)).unwrap();
        let file = env.file(
            "s.toml",
            tiny_with("s", "64KiB", "").replace(
                "strategies = [\"buffered-64k\", \"readinto-64k\"]",
                "strategies = [\"buffered-64k\"]\npeers = [\"cp\"]",
            ),
        );
        let path = format!(
            "{}:{}",
            bin.display(),
            std::env::var("PATH").unwrap_or_default()
        );
        let child = Command::new(assert_cmd::cargo::cargo_bin("copybench"))
            .args([
                "scenario",
                file.to_str().unwrap(),
                "--work-dir",
                "work",
                "--conform",
                "none",
                "--no-progress",
            ])
            .current_dir(env.root())
            .env("PATH", path)
            .env("PIDS", &pids)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let timed = wait_for(&pids.join("child"));
        let grandchild = wait_for(&pids.join("grandchild"));
        let copybench = rustix::process::Pid::from_child(&child);
        rustix::process::kill_process(copybench, signal).unwrap();
        let output = child.wait_with_output().unwrap();
        assert_eq!(
            output.status.code(),
            Some(code),
            "{signal:?}: {}",
            stderr(&output)
        );
        assert!(
            stderr(&output).contains("interrupted by SIG"),
            "{}",
            stderr(&output)
        );
        assert!(
            gone(timed) && gone(grandchild),
            "the timed child's group survived"
        );
        // The run's copies are gone and nothing claims to be a result.
        assert!(!env.path("work/runs").exists());
        let trash = env.path("work/trash");
        assert!(
            !trash.exists()
                || std::fs::read_dir(&trash).unwrap().all(|run| {
                    std::fs::read_dir(run.unwrap().path())
                        .unwrap()
                        .next()
                        .is_none()
                })
        );
        assert!(
            !env.path("work/results").exists()
                || std::fs::read_dir(env.path("work/results"))
                    .unwrap()
                    .next()
                    .is_none()
        );
    }
}

/// A 20 MiB tmpfs mounted for one test (root only), unmounted when dropped.
struct SmallDisk {
    mountpoint: PathBuf,
}

impl SmallDisk {
    fn mount(env: &TestEnv) -> Option<SmallDisk> {
        if !common::require_root("mounting a small tmpfs") {
            return None;
        }
        let mountpoint = env.dir("small");
        let status = Command::new("mount")
            .args(["-t", "tmpfs", "-o", "size=20m", "copybench-full"])
            .arg(&mountpoint)
            .status();
        if !status.as_ref().is_ok_and(|s| s.success()) {
            common::skip(format!("cannot mount a tmpfs here ({status:?})"));
            return None;
        }
        Some(SmallDisk { mountpoint })
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.mountpoint).status();
    }
}

// Finding 9: conform on a full disk blamed the strategies for CPython's ENOSPC.
#[test]
fn finding_9_a_full_disk_skips_cells_instead_of_failing_strategies() {
    let env = TestEnv::new();
    if !common::require_program("python3", "python3") {
        return;
    }
    let Some(disk) = SmallDisk::mount(&env) else {
        return;
    };
    let output = env.run([
        "conform",
        "--dir",
        disk.mountpoint.to_str().unwrap(),
        "--strategy",
        "buffered-64k",
        "--walker",
        "lean",
        "--json",
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let matrix = common::json_of(&output);
    let cells = matrix["cells"].as_array().unwrap();
    let failed: Vec<_> = cells.iter().filter(|c| c["verdict"] == "fail").collect();
    assert!(failed.is_empty(), "{failed:#?}");
    assert!(
        cells.iter().any(|c| c["verdict"] == "skipped"
            && c["detail"]
                .as_str()
                .unwrap_or("")
                .contains("the filesystem under test is full")),
        "no cell says the disk was full"
    );
    // Every case's files are gone afterwards.
    assert_eq!(std::fs::read_dir(&disk.mountpoint).unwrap().count(), 0);
}
