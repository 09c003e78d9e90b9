//! One module per subcommand: its clap `Args` and its `run`.

pub mod completions;
pub mod conform;
pub mod copy;
pub mod copytree;
pub mod list;
pub mod man;
pub mod report;
pub mod scenario;
