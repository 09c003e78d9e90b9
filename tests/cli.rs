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
