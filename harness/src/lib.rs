//! copybench's harness: scenario files, fixtures, the runner and its measurements, statistics,
//! the environment record, and the conformance suite.

pub mod conformance;
