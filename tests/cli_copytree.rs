//! Black-box tests of `copybench copytree`: the JSON shape, gathered errors and exit codes, the
//! options, and the counted stat calls held against strace and against CPython's own.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use common::{json_of, require_program, TestEnv};
use serde_json::Value;

/// `dir` with `files` files of 1–3 KiB and a subdirectory of two.
fn make_tree(env: &TestEnv, dir: &str, files: usize) -> PathBuf {
    for i in 0..files {
        env.file(format!("{dir}/f{i:03}"), vec![b'x'; 1024 * (1 + i % 3)]);
    }
    env.file(format!("{dir}/sub/s1"), "s1");
    env.file(format!("{dir}/sub/s2"), "s2");
    env.path(dir)
}

fn run_json(env: &TestEnv, args: &[&str]) -> (i32, Value) {
    let output = env.run(["copytree", "--json"].iter().chain(args));
    (output.status.code().unwrap_or(-1), json_of(&output))
}

/// `copytree --json ARGS`'s stdout as it was printed.
fn run_raw(env: &TestEnv, args: &[&str]) -> String {
    let output = env.run(["copytree", "--json"].iter().chain(args));
    String::from_utf8(output.stdout).unwrap()
}

fn keys(v: &Value) -> Vec<&str> {
    let mut k: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    k.sort_unstable();
    k
}

#[test]
fn json_has_the_documented_shape() {
    let env = TestEnv::new();
    make_tree(&env, "src", 3);
    let (code, json) = run_json(&env, &["src", "dst"]);
    assert_eq!(code, 0, "{json}");
    assert_eq!(
        keys(&json),
        [
            "bytes",
            "dirs",
            "errors",
            "files",
            "ok",
            "syscalls",
            "syscalls_per_file"
        ]
    );
    // One line, like `copy --json`.
    assert_eq!(run_raw(&env, &["src", "dst2"]).lines().count(), 1);
    assert_eq!(json["ok"], true);
    assert_eq!(json["files"], 5);
    assert_eq!(json["dirs"], 2);
    assert_eq!(json["bytes"], 1024 + 2048 + 3072 + 4);
    assert_eq!(json["errors"], Value::Array(vec![]));
    let sys = &json["syscalls"];
    assert!(sys["openat"].as_u64().unwrap() > 0, "{sys}");
    assert!(
        sys["path_stats"].is_u64() && sys["fd_stats"].is_u64(),
        "{sys}"
    );
    // The result crate's per-file figures, beside the syscalls rather than among their names:
    // the same four totals as a scenario's.
    let per_file = &json["syscalls_per_file"];
    assert_eq!(
        keys(per_file),
        ["fd_stats", "path_stats", "stat_family", "total"]
    );
    let total: u64 = sys
        .as_object()
        .unwrap()
        .iter()
        .filter(|(k, _)| !matches!(k.as_str(), "path_stats" | "fd_stats"))
        .map(|(_, v)| v.as_u64().unwrap())
        .sum();
    assert_eq!(per_file["total"].as_f64().unwrap(), total as f64 / 5.0);
    assert_eq!(std::fs::read(env.path("dst/sub/s2")).unwrap(), b"s2");
}

#[test]
fn a_gathered_error_exits_non_zero_with_the_errors_listed() {
    let env = TestEnv::new();
    env.file("src/a.txt", "a");
    let fifo = env.path("src/pipe");
    let status = Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(status.success());
    for walker in ["lean", "scandir", "listdir"] {
        let dst = format!("dst-{walker}");
        let (code, json) = run_json(&env, &["--walker", walker, "src", &dst]);
        assert_eq!(code, 1, "{walker}: {json}");
        assert_eq!(json["ok"], false);
        assert_eq!(json["files"], 1);
        let errors = json["errors"].as_array().unwrap();
        assert_eq!(errors.len(), 1, "{walker}: {json}");
        let e = &errors[0];
        assert_eq!(keys(e), ["dst", "errno", "kind", "message", "src"]);
        assert_eq!(e["kind"], "SpecialFileError");
        assert_eq!(e["errno"], Value::Null);
        assert_eq!(e["src"], "src/pipe", "{e}");
        assert_eq!(e["dst"], format!("{dst}/pipe"), "{e}");
        assert!(env.path(format!("{dst}/a.txt")).is_file());
    }
}

#[test]
fn an_existing_destination_is_a_file_exists_error() {
    let env = TestEnv::new();
    env.file("src/a.txt", "a");
    env.dir("dst");
    let (code, json) = run_json(&env, &["src", "dst"]);
    assert_ne!(code, 0);
    assert_eq!(json["ok"], false);
    assert_eq!(json["errors"][0]["kind"], "FileExistsError");
    assert_eq!(json["errors"][0]["errno"], "EEXIST");
    let (code, json) = run_json(&env, &["--dirs-exist-ok", "src", "dst"]);
    assert_eq!(code, 0, "{json}");
    assert_eq!(std::fs::read(env.path("dst/a.txt")).unwrap(), b"a");
}

#[test]
fn options_reach_the_copy() {
    let env = TestEnv::new();
    env.file("src/keep.txt", "k");
    env.file("src/drop.tmp", "d");
    env.file("src/cache/x", "d");
    std::os::unix::fs::symlink("keep.txt", env.path("src/link")).unwrap();
    let (code, json) = run_json(
        &env,
        &[
            "--walker",
            "listdir",
            "--jobs",
            "4",
            "--strategy",
            "readinto-64k",
            "--mode",
            "copy",
            "--symlinks",
            "--ignore",
            "*.tmp",
            "--ignore",
            "cache",
            "src",
            "dst",
        ],
    );
    assert_eq!(code, 0, "{json}");
    assert_eq!(json["files"], 1);
    assert!(env.path("dst/keep.txt").is_file());
    assert!(!env.path("dst/drop.tmp").exists());
    assert!(!env.path("dst/cache").exists());
    assert_eq!(
        std::fs::read_link(env.path("dst/link")).unwrap(),
        Path::new("keep.txt")
    );
}

#[test]
fn bad_arguments_are_usage_errors() {
    let env = TestEnv::new();
    for args in [
        vec!["--walker", "walkman", "a", "b"],
        vec!["--jobs", "0", "a", "b"],
        vec!["--mode", "copy3", "a", "b"],
        vec!["--strategy", "teleport", "a", "b"],
    ] {
        let out = env
            .copybench()
            .arg("copytree")
            .args(&args)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
    }
}

#[test]
fn human_output_names_counts_and_syscalls() {
    let env = TestEnv::new();
    make_tree(&env, "src", 2);
    let out = env.run(["copytree", "--syscalls", "src", "dst"]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("copied 4 files, 2 directories"), "{text}");
    assert!(text.contains("per file"), "{text}");
    assert!(text.contains("of which stat family:"), "{text}");
    assert!(text.contains("openat"), "{text}");
}

/// Stat-family calls in an strace log: (path stats, fd stats). A `newfstatat` on `""` with
/// `AT_EMPTY_PATH`, and `fstat`, look at a descriptor; the rest resolve a path.
fn strace_stats(log: &str) -> (u64, u64) {
    let (mut path, mut fd) = (0, 0);
    for line in log.lines() {
        let call = line
            .split_once(' ')
            .map(|(_, rest)| rest.trim_start())
            .unwrap_or(line);
        if call.starts_with("fstat(")
            || (call.starts_with("newfstatat(") && call.contains("\"\", "))
        {
            fd += 1;
        } else if ["newfstatat(", "stat(", "lstat(", "statx("]
            .iter()
            .any(|c| call.starts_with(c))
        {
            path += 1;
        }
    }
    (path, fd)
}

/// Runs `program args` under `strace -f` tracing the stat family; returns the log.
fn strace(env: &TestEnv, program: &Path, args: &[&str]) -> String {
    let log = env.path(format!("strace-{}.log", args.join("_").replace('/', "_")));
    let status = Command::new("strace")
        .current_dir(env.root())
        .args([
            "-f",
            "-qq",
            "-e",
            "trace=newfstatat,fstat,stat,lstat,statx",
            "-o",
        ])
        .arg(&log)
        .arg(program)
        .args(args)
        .stdout(std::process::Stdio::null())
        .status()
        .unwrap();
    assert!(status.success(), "{program:?} {args:?} under strace");
    std::fs::read_to_string(log).unwrap()
}

fn copybench_path() -> PathBuf {
    assert_cmd::cargo::cargo_bin("copybench")
}

/// (counted path stats, counted fd stats, strace path stats, strace fd stats) of one copy.
fn counted_and_traced(env: &TestEnv, walker: &str, mode: &str, src: &str, dst: &str) -> [u64; 4] {
    let args = ["copytree", "--json", "--walker", walker, "--mode", mode];
    let log = strace(env, &copybench_path(), &[&args[..], &[src, dst]].concat());
    let (path, fd) = strace_stats(&log);
    // The same copy again, untraced, for the JSON counts (the destination must be fresh).
    let dst2 = format!("{dst}-counted");
    let (code, json) = run_json(env, &["--walker", walker, "--mode", mode, src, &dst2]);
    assert_eq!(code, 0, "{json}");
    let c = &json["syscalls"];
    [
        c["path_stats"].as_u64().unwrap(),
        c["fd_stats"].as_u64().unwrap(),
        path,
        fd,
    ]
}

#[test]
fn counted_stats_per_file_agree_with_strace() {
    if !require_program("strace", "strace") {
        return;
    }
    let env = TestEnv::new();
    make_tree(&env, "small", 5);
    make_tree(&env, "large", 25);
    let mut per_walker = BTreeMap::new();
    for walker in ["listdir", "scandir", "lean"] {
        let small = counted_and_traced(&env, walker, "copy2", "small", &format!("small-{walker}"));
        let large = counted_and_traced(&env, walker, "copy2", "large", &format!("large-{walker}"));
        // Per extra file: start-up and directory calls cancel out in the difference.
        let per: Vec<f64> = (0..4)
            .map(|i| (large[i] - small[i]) as f64 / 20.0)
            .collect();
        assert_eq!(
            per[0], per[2],
            "{walker}: counted vs strace path stats per file"
        );
        assert_eq!(
            per[1], per[3],
            "{walker}: counted vs strace fd stats per file"
        );
        eprintln!("{walker}: per file {per:?} (counted path, fd; strace path, fd)");
        per_walker.insert(walker, (per[0], per[1]));
    }
    assert_eq!(
        per_walker["listdir"],
        (8.0, 2.0),
        "CPython 3.7: 8 path stats + 2 fstat"
    );
    assert_eq!(
        per_walker["scandir"],
        (4.0, 3.0),
        "CPython 3.8+: 4 path stats + 3 fstat"
    );
    assert_eq!(
        per_walker["lean"],
        (0.0, 1.0),
        "lean: the source's fstat only"
    );
}

/// The real interpreter behind `python3` (not a pyenv shim), if it is at least 3.8; otherwise
/// None, having printed why the test is skipped.
fn real_python() -> Option<PathBuf> {
    if !require_program("python3", "python3") {
        return None;
    }
    let out = Command::new("python3")
        .args([
            "-c",
            "import sys; print(sys.executable if sys.version_info >= (3, 8) else '')",
        ])
        .output()
        .ok()?;
    let path = String::from_utf8(out.stdout).ok()?.trim().to_owned();
    if path.is_empty() {
        common::skip("python3 is older than 3.8 (install the Debian package `python3`)");
        return None;
    }
    Some(PathBuf::from(path))
}

#[test]
fn scandir_walker_makes_the_stat_calls_cpython_makes() {
    if !require_program("strace", "strace") {
        return;
    }
    let Some(python) = real_python() else {
        return;
    };
    let env = TestEnv::new();
    make_tree(&env, "small", 5);
    make_tree(&env, "large", 25);
    // copytree's copy_function: copy2 and copy get the DirEntry, copyfile a path.
    for mode in ["copy2", "copy", "copyfile"] {
        let python_stats = |src: &str, dst: &str| {
            let code = format!(
                "import shutil; shutil.copytree('{src}', '{dst}', copy_function=shutil.{mode})"
            );
            strace_stats(&strace(&env, &python, &["-c", &code]))
        };
        let (ps, fs) = python_stats("small", &format!("small-py-{mode}"));
        let (pl, fl) = python_stats("large", &format!("large-py-{mode}"));
        let cpython = ((pl - ps) as f64 / 20.0, (fl - fs) as f64 / 20.0);
        let small = counted_and_traced(&env, "scandir", mode, "small", &format!("small-{mode}"));
        let large = counted_and_traced(&env, "scandir", mode, "large", &format!("large-{mode}"));
        let ours = (
            (large[0] - small[0]) as f64 / 20.0,
            (large[1] - small[1]) as f64 / 20.0,
        );
        assert_eq!(
            ours, cpython,
            "{mode}: scandir walker vs {python:?} (path stats, fd stats) per file"
        );
        assert_eq!(cpython, (4.0, 3.0), "{mode}");
    }
}

/// docs/conformance.md case 41 for real: as root, the copy runs as `nobody` (util-linux `setpriv`) so a
/// 0o000 file is unreadable.
#[test]
fn an_unreadable_file_is_one_gathered_permission_error() {
    let env = TestEnv::new();
    let euid = std::fs::read_to_string("/proc/self/status")
        .unwrap()
        .lines()
        .find(|l| l.starts_with("Uid:"))
        .and_then(|l| l.split_whitespace().nth(2).map(str::to_owned))
        .unwrap();
    let as_root = euid == "0";
    if as_root && !require_program("setpriv", "util-linux") {
        return;
    }
    use std::os::unix::fs::PermissionsExt;
    let open = |p: &Path, mode| {
        std::fs::set_permissions(p, std::fs::Permissions::from_mode(mode)).unwrap()
    };
    open(env.root(), 0o777);
    env.file("src/ok.txt", "fine");
    env.file("src/sub/ok2.txt", "fine");
    let secret = env.file("src/secret", "hidden");
    open(&secret, 0o000);
    for walker in ["lean", "scandir", "listdir"] {
        for jobs in ["1", "4"] {
            let dst = format!("dst-{walker}-{jobs}");
            let args = [
                "copytree", "--json", "--walker", walker, "--jobs", jobs, "src", &dst,
            ];
            let output = if as_root {
                Command::new("setpriv")
                    .args(["--reuid=65534", "--regid=65534", "--clear-groups"])
                    .arg(copybench_path())
                    .args(args)
                    .current_dir(env.root())
                    .output()
                    .unwrap()
            } else {
                env.run(args)
            };
            let json = json_of(&output);
            assert_eq!(output.status.code(), Some(1), "{walker} {jobs}: {json}");
            let errors = json["errors"].as_array().unwrap();
            assert_eq!(errors.len(), 1, "{walker} {jobs}: {json}");
            assert_eq!(errors[0]["kind"], "PermissionError");
            assert_eq!(errors[0]["errno"], "EACCES");
            assert!(errors[0]["src"].as_str().unwrap().ends_with("src/secret"));
            assert_eq!(json["files"], 2, "{walker} {jobs}");
            assert!(env.path(format!("{dst}/sub/ok2.txt")).is_file());
        }
    }
}

/// One strace line reduced to what both programs must share: the call with its path and flag
/// arguments, and its result, without addresses, stat buffers, times, or the libc flavour of a
/// call (`chmod`/`fchmodat`, `mkdir`/`mkdirat`, … take the same path and do the same).
fn normalize(line: &str) -> String {
    let line = line.split_once(' ').map_or(line, |(_, rest)| rest).trim();
    let (call, result) = line.rsplit_once(" = ").unwrap_or((line, ""));
    // strace pads short calls with spaces before ` = `.
    let call = call.trim_end();
    let result: Vec<&str> = result.split_whitespace().take(2).collect();
    // Drop {stat buffers}, [times], /* comments */ and 0x addresses.
    let mut out = String::new();
    let (mut depth, mut chars) = (0, call.chars().peekable());
    while let Some(c) = chars.next() {
        match c {
            '{' | '[' => depth += 1,
            '}' | ']' => depth -= 1,
            '/' if chars.peek() == Some(&'*') => {
                for d in chars.by_ref() {
                    if d == '/' {
                        break;
                    }
                }
            }
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    let mut call: String = out
        .split(", ")
        .filter(|arg| !arg.starts_with("0x"))
        .collect::<Vec<_>>()
        .join(", ")
        .replace("O_LARGEFILE|", "");
    for (libc_flavour, at_flavour) in [
        ("readlink(", "readlinkat(AT_FDCWD, "),
        ("mkdir(", "mkdirat(AT_FDCWD, "),
        ("chmod(", "fchmodat(AT_FDCWD, "),
    ] {
        if let Some(rest) = call.strip_prefix(libc_flavour) {
            call = format!("{at_flavour}{rest}");
        }
    }
    if let Some(rest) = call.strip_prefix("symlink(") {
        if let Some((target, link)) = rest.split_once(", ") {
            call = format!("symlinkat({target}, AT_FDCWD, {link}");
        }
    }
    format!("{call} = {}", result.join(" "))
}

/// The calls of a copy from `src` to `dst` in an strace log: from the listing of `src` to the
/// last call on `dst`, with `dst` renamed `DST` and the content calls left out (CPython copies
/// with sendfile, copybench with its `auto` strategy).
fn copy_calls(log: &str, dst: &str) -> Vec<String> {
    let lines: Vec<&str> = log.lines().collect();
    let first = lines.iter().position(|l| l.contains("\"src\"")).unwrap();
    let last = lines.iter().rposition(|l| l.contains(dst)).unwrap();
    lines[first..=last]
        .iter()
        .filter(|l| !l.contains("FICLONE"))
        .map(|l| normalize(&l.replace(dst, "DST")))
        .collect()
}

#[test]
fn scandir_walker_replays_cpython_call_for_call() {
    if !require_program("strace", "strace") {
        return;
    }
    let Some(python) = real_python() else {
        return;
    };
    let env = TestEnv::new();
    env.file("src/a", "a");
    env.file("src/d/f", "f");
    env.file("src/d/e/g", "g");
    std::os::unix::fs::symlink("d/f", env.path("src/lnk")).unwrap();
    std::os::unix::fs::symlink("d", env.path("src/dl")).unwrap();
    std::os::unix::fs::symlink("nowhere", env.path("src/dang")).unwrap();
    let trace = "trace=openat,close,newfstatat,fstat,lstat,stat,getdents64,mkdir,mkdirat,\
                 readlink,readlinkat,symlink,symlinkat,utimensat,listxattr,llistxattr,chmod,\
                 fchmodat,lseek,ioctl";
    for (symlinks, flag) in [
        ("True", "--symlinks"),
        ("False", "--ignore-dangling-symlinks"),
    ] {
        let strace_to = |name: &str, program: &Path, args: &[&str]| {
            let log = env.path(format!("{name}.log"));
            let status = Command::new("strace")
                .current_dir(env.root())
                .args(["-f", "-qq", "-e", trace, "-o"])
                .arg(&log)
                .arg(program)
                .args(args)
                .stdout(std::process::Stdio::null())
                .status()
                .unwrap();
            assert!(status.success());
            std::fs::read_to_string(log).unwrap()
        };
        let py_dst = format!("py-{symlinks}");
        let code = format!(
            "import shutil; shutil.copytree('src', '{py_dst}', symlinks={symlinks}, \
             ignore_dangling_symlinks=True)"
        );
        let cpython = strace_to(&py_dst, &python, &["-c", &code]);
        let cb_dst = format!("cb-{symlinks}");
        let ours = strace_to(
            &cb_dst,
            &copybench_path(),
            &[
                "copytree", "--jobs", "1", "--walker", "scandir", flag, "src", &cb_dst,
            ],
        );
        let (a, b) = (copy_calls(&cpython, &py_dst), copy_calls(&ours, &cb_dst));
        assert!(a.len() > 40, "{a:#?}");
        assert_eq!(
            a, b,
            "symlinks={symlinks}: CPython (left) vs the scandir walker (right)"
        );
    }
}

/// Copies with CPython's `shutil.copytree`, prints its gathered errors as JSON
/// `[[src, dst, kind]]`, with the kind read from CPython's message (shutil.Error keeps only
/// `str(why)`), then `snapshot` prints a tree as JSON: per entry its type, mode, mtime, content,
/// link target and `user.*` xattrs.
const ORACLE: &str = r#"
import json, os, re, shutil, stat, sys

def kind(why):
    if why.endswith("is a named pipe"):
        return "SpecialFileError"
    m = re.match(r"\[Errno (\d+)\]", why)
    names = {2: "FileNotFoundError", 13: "PermissionError", 17: "FileExistsError",
             20: "NotADirectoryError", 21: "IsADirectoryError"}
    return names.get(int(m.group(1)), "OSError") if m else "OSError"

def snapshot(root):
    out = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in [""] if dirpath == root else []:
            pass
        for name in dirnames + filenames + ([] if dirpath != root else ["."]):
            path = os.path.normpath(os.path.join(dirpath, name))
            st = os.lstat(path)
            rel = os.path.relpath(path, root)
            entry = {"mode": stat.S_IMODE(st.st_mode), "type": stat.S_IFMT(st.st_mode)}
            if stat.S_ISLNK(st.st_mode):
                entry = {"type": "link", "target": os.readlink(path)}
            else:
                entry["mtime_ns"] = st.st_mtime_ns
                entry["xattrs"] = {n: os.getxattr(path, n).hex() for n in os.listxattr(path)
                                   if n.startswith("user.")}
                if stat.S_ISREG(st.st_mode):
                    entry["content"] = open(path, "rb").read().hex()
            out[rel] = entry
    return out

if sys.argv[1] == "copy":
    src, dst, symlinks, dangling = sys.argv[2], sys.argv[3], sys.argv[4] == "1", sys.argv[5] == "1"
    try:
        shutil.copytree(src, dst, symlinks=symlinks, ignore_dangling_symlinks=dangling)
        errors = []
    except shutil.Error as e:
        errors = [[s, d, kind(w)] for s, d, w in e.args[0]]
    print(json.dumps(errors))
else:
    print(json.dumps(snapshot(sys.argv[2]), sort_keys=True))
"#;

#[test]
fn every_walker_gives_cpythons_tree_and_errors() {
    let Some(python) = real_python() else {
        return;
    };
    let env = TestEnv::new();
    let oracle = env.file("oracle.py", ORACLE);
    let py = |args: &[&str]| -> Value {
        let out = Command::new(&python)
            .arg(&oracle)
            .args(args)
            .current_dir(env.root())
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        json_of(&out)
    };
    use std::os::unix::fs::{symlink, PermissionsExt};
    env.file("src/a.txt", "alpha");
    env.file("src/sub/b.txt", "beta");
    env.file("src/sub/deeper/c.bin", vec![3u8; 70_000]);
    env.file("src/private/p.txt", "private");
    let ro = env.file("src/readonly.txt", "ro");
    std::fs::set_permissions(&ro, std::fs::Permissions::from_mode(0o444)).unwrap();
    std::fs::set_permissions(
        env.path("src/private"),
        std::fs::Permissions::from_mode(0o700),
    )
    .unwrap();
    symlink("a.txt", env.path("src/link-to-file")).unwrap();
    symlink("sub", env.path("src/link-to-dir")).unwrap();
    symlink("IDONTEXIST", env.path("src/dangling")).unwrap();
    assert!(Command::new("mkfifo")
        .arg(env.path("src/sub/pipe"))
        .status()
        .unwrap()
        .success());
    // A user xattr where the filesystem takes one (setfattr is not needed: Python sets it).
    let _ = Command::new(&python)
        .args([
            "-c",
            "import os; os.setxattr('src/a.txt', 'user.copybench', b'x')",
        ])
        .current_dir(env.root())
        .status();

    for (symlinks, dangling) in [("0", "0"), ("0", "1"), ("1", "0")] {
        let py_dst = format!("py-{symlinks}{dangling}");
        let expected_errors = py(&["copy", "src", &py_dst, symlinks, dangling]);
        let expected_tree = py(&["snapshot", &py_dst]);
        for walker in ["lean", "scandir", "listdir"] {
            for jobs in ["1", "4"] {
                let context =
                    format!("{walker} jobs={jobs} symlinks={symlinks} dangling={dangling}");
                let dst = format!("cb-{walker}-{jobs}-{symlinks}{dangling}");
                let mut args = vec!["--walker", walker, "--jobs", jobs];
                if symlinks == "1" {
                    args.push("--symlinks");
                }
                if dangling == "1" {
                    args.push("--ignore-dangling-symlinks");
                }
                args.extend(["src", &dst]);
                let (_, json) = run_json(&env, &args);
                let errors: Vec<Value> = json["errors"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|e| {
                        let d = e["dst"].as_str().unwrap().replacen(&dst, &py_dst, 1);
                        serde_json::json!([e["src"], d, e["kind"]])
                    })
                    .collect();
                assert_eq!(Value::Array(errors), expected_errors, "{context}: errors");
                assert_eq!(py(&["snapshot", &dst]), expected_tree, "{context}: tree");
            }
        }
    }
}
