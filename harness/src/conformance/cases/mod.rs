//! The catalogue: every case of docs/conformance.md, one file per group.

mod across;
mod faults;
mod filesystems;
mod single_file;
mod tree;

use super::case::Case;
use super::Catalogue;

/// The cases of `catalogue`, in docs/conformance.md's order.
pub(crate) fn catalogue(catalogue: Catalogue) -> Vec<Case> {
    let mut cases: Vec<Case> = [
        single_file::cases(),
        faults::cases(),
        filesystems::cases(),
        tree::cases(),
        across::cases(),
    ]
    .into_iter()
    .flatten()
    .filter(|c| catalogue == Catalogue::Full || c.quick)
    .collect();
    cases.sort_by_key(|c| c.number);
    cases
}
