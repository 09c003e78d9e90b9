//! Black-box tests of the command line as a whole.

mod common;

use common::TestEnv;
use predicates::str::contains;

#[test]
fn help_lists_every_subcommand() {
    let output = TestEnv::new().copybench().arg("--help").output().unwrap();
    assert!(output.status.success());
    let help = String::from_utf8(output.stdout).unwrap();
    for sub in ["scenario", "copy", "copytree", "list", "report", "conform"] {
        assert!(help.contains(sub), "--help lacks `{sub}`:\n{help}");
    }
}

#[test]
fn unknown_subcommand_is_a_usage_error() {
    TestEnv::new()
        .copybench()
        .arg("frobnicate")
        .assert()
        .failure()
        .stderr(contains("unrecognized subcommand"));
}

#[test]
fn completions_are_generated_for_each_shell() {
    let env = TestEnv::new();
    for (shell, marker) in [
        ("bash", "complete -F"),
        ("zsh", "#compdef copybench"),
        ("fish", "complete -c copybench"),
    ] {
        let output = env.run(["completions", shell]);
        assert!(output.status.success(), "{shell}");
        let script = String::from_utf8(output.stdout).unwrap();
        assert!(script.contains(marker), "{shell}: {script}");
        assert!(
            script.contains("export-json"),
            "{shell} completes scenario's flags"
        );
    }
}

#[test]
fn the_manual_page_is_generated_from_the_flags() {
    let env = TestEnv::new();
    let output = env.run(["man"]);
    assert!(output.status.success());
    let page = String::from_utf8(output.stdout).unwrap();
    assert!(page.starts_with(".ie"), "{page}");
    assert!(page.contains(".TH copybench 1"));
    assert!(page.contains("scenario"));
    let dir = env.dir("man");
    assert!(env.run(["man", "man"]).status.success());
    for page in ["copybench.1", "copybench-scenario.1", "copybench-copy.1"] {
        assert!(dir.join(page).is_file(), "{page}");
    }
}

/// Short flags for the common options, as hyperfine and cp users type them.
#[test]
fn common_options_have_short_flags() {
    let env = TestEnv::new();
    env.file("src", vec![7u8; 4096]);
    let output = env.run(["copy", "-s", "sendfile", "-m", "copy", "src", "dst"]);
    assert!(output.status.success(), "{output:?}");
    assert!(String::from_utf8_lossy(&output.stdout).contains("with sendfile"));
    env.file("tree/a", "a");
    let output = env.run(["copytree", "-j", "2", "-s", "buffered-64k", "tree", "copy"]);
    assert!(output.status.success(), "{output:?}");
    for help in [["scenario", "--help"], ["copytree", "--help"]] {
        let text = String::from_utf8(env.run(help).stdout).unwrap();
        for flag in ["-q, --quiet", "-v, --verbose", "--color <WHEN>"] {
            assert!(text.contains(flag), "{help:?} lacks {flag}");
        }
    }
    let text = String::from_utf8(env.run(["scenario", "--help"]).stdout).unwrap();
    for flag in [
        "-n, --samples <N>",
        "-w, --warmup <N>",
        "-d, --work-dir <DIR>",
    ] {
        assert!(text.contains(flag), "scenario lacks {flag}");
    }
}

#[test]
fn quiet_copies_say_nothing_on_success() {
    let env = TestEnv::new();
    env.file("src", "content");
    let output = env.run(["--quiet", "copy", "src", "dst"]);
    assert!(output.status.success());
    assert!(
        output.stdout.is_empty() && output.stderr.is_empty(),
        "{output:?}"
    );
    assert_eq!(std::fs::read(env.path("dst")).unwrap(), b"content");
}
