//! Under `CI=true` a skip is a failure (its own test binary: it sets the environment).

#[test]
fn a_skip_fails_under_ci_and_only_says_why_otherwise() {
    std::env::set_var("CI", "true");
    let under_ci = std::panic::catch_unwind(|| copybench_testkit::skip("no strace"));
    let message = under_ci.expect_err("a skip under CI=true must fail the test");
    let text = message
        .downcast_ref::<String>()
        .cloned()
        .unwrap_or_default();
    assert!(text.contains("no strace"), "{text}");
    assert!(std::panic::catch_unwind(|| {
        copybench_testkit::require_program("no-such-program-here", "nothing")
    })
    .is_err());
    std::env::remove_var("CI");
    copybench_testkit::skip("no strace");
    assert!(!copybench_testkit::require_program(
        "no-such-program-here",
        "nothing"
    ));
}
