//! The quick catalogue through the library entry point the scenario runner calls: every
//! strategy and walker, small files, CPython as the oracle where `python3` is present.

use copybench_engine::{Strategy, Walker};
use copybench_harness::conformance::{run_matrix, Catalogue, ConformOptions};
use copybench_result::Verdict;

fn python3_present() -> bool {
    let found = std::process::Command::new("python3")
        .arg("--version")
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    if !found {
        copybench_testkit::skip("`python3` not found (install the Debian package `python3`)");
    }
    found
}

#[test]
fn quick_catalogue_passes_against_cpython_for_every_subject() {
    if !python3_present() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let matrix = run_matrix(&ConformOptions::new(
        Strategy::ALL.to_vec(),
        Walker::ALL.to_vec(),
        dir.path().to_owned(),
        Catalogue::Quick,
    ))
    .unwrap();
    assert!(matrix.oracle.starts_with("CPython 3."), "{}", matrix.oracle);
    assert_eq!(
        matrix.subjects.len(),
        Strategy::ALL.len() + Walker::ALL.len()
    );
    let failed: Vec<_> = matrix
        .cells
        .iter()
        .filter(|c| c.verdict == Verdict::Fail)
        .collect();
    assert!(failed.is_empty(), "{failed:#?}");
    for cell in &matrix.cells {
        match cell.verdict {
            Verdict::Pass => assert!(cell.oracle_checked, "{cell:?}"),
            // Never a silent pass: anything not run says why.
            _ => assert!(
                cell.detail.as_deref().is_some_and(|d| !d.is_empty()),
                "{cell:?}"
            ),
        }
    }
    // Every walker is judged on every quick tree case.
    for walker in Walker::ALL {
        let judged = matrix
            .cells
            .iter()
            .filter(|c| c.subject == walker.name() && c.verdict == Verdict::Pass)
            .count();
        assert_eq!(judged, 3, "{walker}: {judged} tree cases passed");
    }
    // Nothing is left in the directory under test.
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

#[test]
fn a_missing_directory_is_a_setup_error_naming_it() {
    let error = run_matrix(&ConformOptions {
        use_oracle: false,
        ..ConformOptions::new(
            vec![Strategy::Auto],
            Vec::new(),
            "/nonexistent/copybench".into(),
            Catalogue::Quick,
        )
    })
    .unwrap_err();
    assert!(
        error.to_string().contains("/nonexistent/copybench"),
        "{error}"
    );
}
