//! Black-box tests of `copybench copy`: the JSON shapes, errors, fault injection, and the
//! counted layer held against `strace -f -c` of the same copy.

mod common;

use std::collections::BTreeMap;
use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

use common::{assert_one_error_line, json_of, require_program, TestEnv};
use serde_json::Value;

fn pattern(size: usize) -> Vec<u8> {
    (0..size).map(|i| (i * 31 + i / 977) as u8).collect()
}

#[test]
fn success_prints_the_issue_shape() {
    let env = TestEnv::new();
    env.file("src", pattern(300_000));
    let output = env.run(["copy", "--json", "src", "dst"]);
    assert!(output.status.success());
    let v = json_of(&output);
    assert_eq!(v["ok"], true);
    assert_eq!(v["bytes"], 300_000);
    assert!(v["strategy_used"].is_string());
    assert!(v["fallbacks"].is_array());
    let syscalls = v["syscalls"].as_object().unwrap();
    assert_eq!(syscalls["openat"], 2);
    assert_eq!(syscalls["path_stats"], 0);
    assert_eq!(syscalls["fd_stats"], 2);
    assert_eq!(
        std::fs::read(env.path("dst")).unwrap(),
        std::fs::read(env.path("src")).unwrap()
    );
    // The keys come in the issue's order, `ok` first.
    assert!(String::from_utf8_lossy(&output.stdout).starts_with("{\"ok\":true,"));
}

#[test]
fn failures_print_cpython_kinds_and_exit_non_zero() {
    let env = TestEnv::new();
    env.file("src", b"x");
    env.dir("dir");
    // (SRC DST, kind, errno, the path the message names)
    let cases: &[(&[&str], &str, Value, &str)] = &[
        (&["src", "src"], "SameFileError", Value::Null, "src"),
        (
            &["missing", "dst"],
            "FileNotFoundError",
            "ENOENT".into(),
            "missing",
        ),
        (&["dir", "dst"], "IsADirectoryError", "EISDIR".into(), "dir"),
        (&["src", "dir"], "IsADirectoryError", "EISDIR".into(), "dir"),
        (
            &["src", "no/such/dir/dst"],
            "FileNotFoundError",
            "ENOENT".into(),
            "no/such/dir/dst",
        ),
    ];
    for (paths, kind, errno, named) in cases {
        let output = env.run(["copy", "--json", paths[0], paths[1]]);
        assert!(!output.status.success(), "{paths:?}");
        let v = json_of(&output);
        assert_eq!(v["ok"], false);
        assert_eq!(v["error"]["kind"], *kind, "{paths:?}");
        assert_eq!(v["error"]["errno"], *errno, "{paths:?}");
        assert_eq!(v["error"]["src"], paths[0]);
        assert_eq!(v["error"]["dst"], paths[1]);
        assert!(
            v["error"]["message"].as_str().unwrap().contains(named),
            "{v}"
        );
    }
    // The same-file failure, byte for byte.
    let output = env.run(["copy", "--json", "src", "src"]);
    insta::assert_snapshot!(String::from_utf8_lossy(&output.stdout), @r#"{"ok":false,"error":{"kind":"SameFileError","errno":null,"message":"src and src are the same file","src":"src","dst":"src"}}"#);
}

#[test]
fn human_errors_are_one_line_on_stderr_naming_path_and_errno() {
    let env = TestEnv::new();
    let output = env.run(["copy", "missing", "dst"]);
    assert!(output.stdout.is_empty());
    assert_one_error_line(&output, &["missing", "ENOENT"]);
}

#[test]
fn human_success_line_and_syscall_table() {
    let env = TestEnv::new();
    env.file("src", pattern(200_000));
    let output = env.run([
        "copy",
        "--strategy",
        "readinto-64k",
        "--syscalls",
        "src",
        "dst",
    ]);
    assert!(output.status.success());
    // The elapsed time ends the first line; it is measured, so it is replaced here.
    let stdout = String::from_utf8_lossy(&output.stdout);
    let (first, rest) = stdout.split_once('\n').unwrap();
    let (line, elapsed) = first.rsplit_once(" in ").unwrap();
    assert!(elapsed.ends_with('s'), "{first}");
    insta::assert_snapshot!(format!("{line} in [elapsed]\n{rest}"), @r"
    copied 200000 bytes: src -> dst with readinto-64k in [elapsed]
    syscalls:
      close                 2
      fstat                 2
      openat                2
      read                  5
      write                 4
      ───────────────────────
      total                15
    of which stat family:
      by path               0
      by descriptor         2
    ");
}

#[test]
fn injected_fault_makes_auto_fall_back() {
    let env = TestEnv::new();
    env.file("src", pattern(100_000));
    let output = env.run([
        "copy",
        "--json",
        "--inject-fault",
        "copy_file_range:1:EXDEV",
        "--inject-fault",
        "ioctl:1:EOPNOTSUPP",
        "src",
        "dst",
    ]);
    let v = json_of(&output);
    assert_eq!(v["strategy_used"], "sendfile", "{v}");
    assert_eq!(
        v["fallbacks"],
        serde_json::json!([
            {"from": "reflink", "errno": "EOPNOTSUPP"},
            {"from": "copy_file_range", "errno": "EXDEV"}
        ])
    );
    // After progress an injected error is final: no fallback, non-zero exit.
    let output = env.run([
        "copy",
        "--json",
        "--strategy",
        "readinto-64k",
        "--inject-fault",
        "write:2:ENOSPC",
        "src",
        "partial",
    ]);
    assert!(!output.status.success());
    let v = json_of(&output);
    assert_eq!(v["error"]["errno"], "ENOSPC");
    assert_eq!(v["error"]["kind"], "OSError");
    assert_eq!(
        std::fs::metadata(env.path("partial")).unwrap().len(),
        64 * 1024
    );
}

#[test]
fn bad_arguments_are_usage_errors_that_say_why() {
    let env = TestEnv::new();
    for (args, says) in [
        (&["--inject-fault", "sendfile:0:EINVAL"][..], "N must"),
        (&["--inject-fault", "nosuch:1:EINVAL"][..], "nosuch"),
        (
            &["--inject-fault", "read:18446744073709551616:EIO"][..],
            "too big",
        ),
        (
            &[
                "--strategy",
                "buffered-64k",
                "--inject-fault",
                "copy_file_range:1:EXDEV",
            ][..],
            "can never fire",
        ),
        (&["--strategy", "warp"][..], "copy_file_range"),
        (&["--mode", "copy3"][..], "copy2"),
    ] {
        let output = env
            .copybench()
            .arg("copy")
            .args(args)
            .args(["a", "b"])
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        assert!(
            String::from_utf8_lossy(&output.stderr).contains(says),
            "{args:?}"
        );
    }
}

#[test]
fn std_has_no_counts_but_a_reason_and_fcopyfile_is_unsupported_here() {
    let env = TestEnv::new();
    env.file("src", pattern(10_000));
    let output = env.run(["copy", "--json", "--strategy", "std", "src", "dst"]);
    let v = json_of(&output);
    assert_eq!(v["ok"], true);
    assert!(v["syscalls"].is_null());
    assert!(v["syscalls_absent_reason"]
        .as_str()
        .unwrap()
        .contains("std"));
    if cfg!(not(target_os = "macos")) {
        let output = env.run(["copy", "--json", "--strategy", "fcopyfile", "src", "dst2"]);
        assert!(!output.status.success());
        let v = json_of(&output);
        assert!(v["error"]["message"].as_str().unwrap().contains("macOS"));
    }
}

#[test]
fn modes_and_symlinks_through_the_cli() {
    let env = TestEnv::new();
    let src = env.file("src", b"mode");
    std::fs::set_permissions(&src, std::os::unix::fs::PermissionsExt::from_mode(0o604)).unwrap();
    std::os::unix::fs::symlink("src", env.path("link")).unwrap();
    env.dir("into");
    let output = env.run(["copy", "--json", "--mode", "copy2", "src", "into"]);
    let v = json_of(&output);
    assert_eq!(v["dst"], "into/src");
    let meta = std::fs::metadata(env.path("into/src")).unwrap();
    assert_eq!(
        std::os::unix::fs::PermissionsExt::mode(&meta.permissions()) & 0o777,
        0o604
    );
    let output = env.run([
        "copy",
        "--json",
        "--no-follow-symlinks",
        "link",
        "link-copy",
    ]);
    assert_eq!(json_of(&output)["ok"], true);
    assert_eq!(
        std::fs::read_link(env.path("link-copy")).unwrap(),
        Path::new("src")
    );
}

#[test]
fn odd_names_pass_through_the_command_line() {
    let env = TestEnv::new();
    let name = OsStr::from_bytes(b"-not utf-8 \xff\nname");
    env.file(name, b"odd");
    let output = env
        .copybench()
        .args(["copy", "--"])
        .arg(name)
        .arg(OsStr::from_bytes(b"-copy \xfe"))
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(
        std::fs::read(env.path(OsStr::from_bytes(b"-copy \xfe"))).unwrap(),
        b"odd"
    );
}

/// `strace -f -c -o FILE copybench copy --json --repeat N …`: strace's call counts by name, and
/// the layer's counts from the JSON. None when strace cannot trace here.
fn traced_copy(
    env: &TestEnv,
    strategy: &str,
    mode: &str,
    repeat: u32,
) -> Option<(BTreeMap<String, u64>, Value)> {
    let summary = env.path(format!("strace-{strategy}-{mode}-{repeat}.txt"));
    let dst = format!("dst-{strategy}-{mode}-{repeat}");
    let binary = assert_cmd::cargo::cargo_bin("copybench");
    let output = std::process::Command::new("strace")
        .args(["-f", "-c", "-o"])
        .arg(&summary)
        .arg(binary)
        .args(["copy", "--json", "--strategy", strategy, "--mode", mode])
        .arg(format!("--repeat={repeat}"))
        .args(["src", &dst])
        .current_dir(env.root())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    if !output.status.success() && stderr.contains("ptrace") {
        common::skip(format!("strace cannot trace here: {stderr}"));
        return None;
    }
    assert!(output.status.success(), "{stderr}");
    let text = std::fs::read_to_string(&summary).unwrap();
    Some((parse_strace_summary(&text), json_of(&output)))
}

/// The `calls` column of `strace -c`, by syscall name (failed calls are included in it, as the
/// layer counts every call it makes, whatever the kernel answers).
fn parse_strace_summary(text: &str) -> BTreeMap<String, u64> {
    let mut calls = BTreeMap::new();
    for line in text.lines() {
        let fields: Vec<&str> = line.split_whitespace().collect();
        // % time, seconds, usecs/call, calls, [errors,] syscall
        if fields.len() < 5 || fields[0].starts_with('%') || fields[0].starts_with('-') {
            continue;
        }
        let name = fields[fields.len() - 1];
        if name == "total" {
            continue;
        }
        if let Ok(n) = fields[3].parse::<u64>() {
            calls.insert(name.to_owned(), n);
        }
    }
    calls
}

/// The layer's count of `name` in a `copy --json` result.
fn layer_count(v: &Value, name: &str) -> u64 {
    v["syscalls"][name].as_u64().unwrap_or(0)
}

/// strace and the counted layer must agree exactly on every syscall the layer covers.
///
/// The process's own start-up and exit make syscalls the layer never sees (the loader, std's
/// runtime, clap, printing the JSON): they are the same in every run, so two runs are
/// differenced, `--repeat=3` minus `--repeat=1`, for strace and for the layer alike, leaving
/// exactly two copies' worth of calls on both sides.
///
/// `mmap`, `munmap` and `madvise` are the one overlap with something that is not a file
/// syscall: the memory allocator maps and unmaps large buffers itself (and glibc's adaptive
/// mmap threshold makes how often differ between the first copy and later ones). The layer
/// counts only file mappings (the `mmap` strategy), so for these three the strace count must be
/// at least the layer's, and the file mappings themselves are checked exactly in
/// `mmap_strategy_file_mappings_agree_with_strace`.
#[test]
fn counted_layer_agrees_with_strace() {
    if !require_program("strace", "strace") {
        return;
    }
    let env = TestEnv::new();
    env.file("src", pattern(3 << 20));
    let covered: Vec<String> = copybench_engine::Syscall::ALL
        .iter()
        .map(|s| s.name().to_owned())
        .collect();
    let allocator_overlap = ["mmap", "munmap", "madvise"];
    let runs = [
        ("auto", "copyfile"),
        ("auto", "copy2"),
        ("copy_file_range", "copy"),
        ("sendfile", "copyfile"),
        ("splice", "copyfile"),
        ("buffered-64k", "copyfile"),
        ("readinto-1m", "copy2"),
        ("mmap", "copyfile"),
        ("dontcache", "copy2"),
        ("io_uring", "copyfile"),
    ];
    for (strategy, mode) in runs {
        let Some((strace1, layer1)) = traced_copy(&env, strategy, mode, 1) else {
            return;
        };
        let (strace3, layer3) = traced_copy(&env, strategy, mode, 3).unwrap();
        let mut compared = 0;
        for name in &covered {
            let by_strace = strace3.get(name).copied().unwrap_or(0) as i64
                - strace1.get(name).copied().unwrap_or(0) as i64;
            let by_layer = layer_count(&layer3, name) as i64 - layer_count(&layer1, name) as i64;
            if allocator_overlap.contains(&name.as_str()) {
                assert!(
                    by_strace >= by_layer,
                    "{strategy} {mode} {name}: strace {by_strace} < layer {by_layer}"
                );
            } else {
                assert_eq!(by_strace, by_layer, "{strategy} {mode}: `{name}` strace vs layer\nstrace: {strace3:?}\nlayer: {layer3}");
            }
            compared += (by_layer != 0) as u32;
        }
        // The comparison is not vacuous: the copies made calls the layer counted.
        assert!(
            compared >= 3,
            "{strategy} {mode}: only {compared} syscalls differed"
        );
    }
}

/// The `mmap` strategy's file mappings, exactly: strace's `mmap(…, MAP_SHARED, fd, 0)` calls
/// (the allocator's are anonymous, fd -1, and the loader's MAP_PRIVATE) and the `munmap`s of
/// the addresses they returned, differenced over two runs as above.
#[test]
fn mmap_strategy_file_mappings_agree_with_strace() {
    if !require_program("strace", "strace") {
        return;
    }
    let env = TestEnv::new();
    env.file("src", pattern(1 << 20));
    let mut per_run = Vec::new();
    for repeat in [1, 3] {
        let log = env.path(format!("mmap-{repeat}.log"));
        let output = std::process::Command::new("strace")
            .args(["-f", "-e", "trace=mmap,munmap", "-o"])
            .arg(&log)
            .arg(assert_cmd::cargo::cargo_bin("copybench"))
            .args(["copy", "--json", "--strategy", "mmap"])
            .arg(format!("--repeat={repeat}"))
            .args(["src", &format!("dst-{repeat}")])
            .current_dir(env.root())
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        if !output.status.success() && stderr.contains("ptrace") {
            common::skip(format!("strace cannot trace here: {stderr}"));
            return;
        }
        let layer = json_of(&output);
        let text = std::fs::read_to_string(&log).unwrap();
        let mut addresses = Vec::new();
        let mut munmaps = 0;
        for line in text.lines() {
            if line.contains("mmap(") && line.contains("MAP_SHARED") && !line.contains(", -1, ") {
                addresses.push(line.rsplit("= ").next().unwrap().trim().to_owned());
            } else if let Some(args) = line.split("munmap(").nth(1) {
                let address = args.split(',').next().unwrap();
                munmaps += addresses.iter().any(|a| a == address) as u64;
            }
        }
        per_run.push((
            addresses.len() as u64,
            munmaps,
            layer_count(&layer, "mmap"),
            layer_count(&layer, "munmap"),
        ));
    }
    let (s1, u1, l1, lu1) = per_run[0];
    let (s3, u3, l3, lu3) = per_run[1];
    assert_eq!(s3 - s1, l3 - l1, "file mmaps: {per_run:?}");
    assert_eq!(u3 - u1, lu3 - lu1, "their munmaps: {per_run:?}");
    assert_eq!(l3 - l1, 2, "one mapping per copy");
}

/// The order of CPython's checks decides which error wins when several apply (a missing source
/// and a FIFO destination, a link to a FIFO copied without following, a hard link reached
/// through a symlink…). copybench checks on descriptors and makes CPython's path checks only on
/// error paths; here `shutil` itself is the oracle for those orderings.
#[test]
fn error_precedence_matches_cpython_shutil() {
    if !require_program("python3", "python3") {
        return;
    }
    // (function, follow_symlinks, src, dst)
    let cases: &[(&str, bool, &str, &str)] = &[
        ("copyfile", true, "src", "dir"),
        ("copyfile", true, "src", "missing-dir/"),
        ("copyfile", true, "src", "dir/"),
        ("copyfile", true, "src/", "x"),
        ("copy", true, "dir", "dir"),
        ("copy", true, "src", "dir"),
        ("copy", true, "dir/src", "dir"),
        ("copyfile", false, "fifolink", "dst"),
        ("copyfile", true, "missing", "fifo"),
        ("copyfile", true, "fifo", "fifo"),
        ("copyfile", true, "dir", "fifo"),
        ("copyfile", true, "src", "srclink"),
        ("copyfile", false, "srclink", "src"),
        ("copyfile", false, "srclink", "srclink"),
        ("copyfile", false, "srclink", "hard"),
        ("copyfile", false, "srclink", "existing"),
        ("copy", false, "srclink", "dir"),
        ("copy2", false, "dangling", "d2"),
        ("copyfile", true, "dangling", "x"),
    ];
    for &(function, follow, src, dst) in cases {
        let outcomes: Vec<String> = ["python", "copybench"]
            .iter()
            .map(|who| {
                let env = TestEnv::new();
                lay_out_precedence_fixture(&env);
                if *who == "python" {
                    let script = format!(
                        "import shutil\ntry:\n    shutil.{function}({src:?}, {dst:?}, follow_symlinks={})\n    print('ok')\nexcept Exception as e:\n    print(type(e).__name__)",
                        if follow { "True" } else { "False" }
                    );
                    let out = std::process::Command::new("python3")
                        .args(["-c", &script])
                        .current_dir(env.root())
                        .output()
                        .unwrap();
                    String::from_utf8_lossy(&out.stdout).trim().to_owned()
                } else {
                    let mut cmd = env.copybench();
                    cmd.args(["copy", "--json", "--mode", function]);
                    if !follow {
                        cmd.arg("--no-follow-symlinks");
                    }
                    let v = json_of(&cmd.args([src, dst]).output().unwrap());
                    match v["ok"].as_bool() {
                        Some(true) => "ok".to_owned(),
                        _ => v["error"]["kind"].as_str().unwrap().to_owned(),
                    }
                }
            })
            .collect();
        assert_eq!(
            outcomes[0], outcomes[1],
            "shutil.{function}({src}, {dst}, follow_symlinks={follow}): CPython vs copybench"
        );
    }
}

fn lay_out_precedence_fixture(env: &TestEnv) {
    env.file("src", b"x");
    env.file("existing", b"e");
    env.file("dir/src", b"y");
    std::fs::hard_link(env.path("src"), env.path("hard")).unwrap();
    let mkfifo = std::process::Command::new("mkfifo")
        .arg(env.path("fifo"))
        .status()
        .unwrap();
    assert!(mkfifo.success());
    for (target, link) in [
        ("fifo", "fifolink"),
        ("src", "srclink"),
        ("nowhere", "dangling"),
    ] {
        std::os::unix::fs::symlink(target, env.path(link)).unwrap();
    }
}

/// A file name holding a terminal escape is printed escaped, so it cannot recolour or rewrite
/// the terminal; the JSON keeps the name as it is (JSON escapes it itself).
#[test]
fn control_characters_in_names_are_escaped_for_a_person() {
    let env = TestEnv::new();
    env.file("src", "x");
    let name = "dst\u{1b}[2Jname\n";
    let output = env.run(["copy", "src", name]);
    assert!(output.status.success());
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(!stdout.contains('\u{1b}'), "{stdout:?}");
    assert!(stdout.contains("dst\\u{1b}[2Jname\\n"), "{stdout:?}");
    let json = common::json_of(&env.run(["copy", "--json", "src", "other\u{1b}"]));
    assert_eq!(json["dst"], "other\u{1b}");
}
