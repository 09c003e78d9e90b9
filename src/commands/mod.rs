//! One module per subcommand: its clap `Args` and its `run`.

pub mod conform;
pub mod copy;
pub mod copytree;
pub mod gate;
pub mod list;
pub mod report;
pub mod scenario;
