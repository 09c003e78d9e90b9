//! copybench's harness: scenario files, fixtures, the runner and its measurements, statistics,
//! the environment record, and the conformance suite.
//!
//! Data flows one way: a scenario file ([`scenario`]) names a fixture ([`fixture`]) and the
//! entries to compare; the [`runner`] times them ([`measure`], [`cache`], [`peer`]) and
//! summarises the samples ([`stats`]) into the result types of `copybench-result`.

pub mod cache;
pub mod child;
pub mod claim;
pub mod conformance;
pub mod environment;
pub mod fixture;
pub mod interpreters;
pub mod interrupt;
pub mod measure;
pub mod mechanism;
pub mod os;
pub mod peer;
pub mod runner;
pub mod scenario;
pub mod scenario_name;
pub mod size;
pub mod stats;
pub mod strace;
pub mod target;
pub mod timestamp;
pub mod work_dir;

pub use runner::{run, write_result, ConformLevel, RunError, RunOptions, WrittenResult};
pub use scenario::{load, parse, Scenario, ScenarioError, DEFAULT_SUITE, DEFAULT_SUITE_NAME};
