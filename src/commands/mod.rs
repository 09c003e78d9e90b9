//! One module per subcommand: its clap `Args` and its `run`; `counts` is the syscall table
//! `copy` and `copytree` share.

pub mod completions;
pub mod conform;
pub mod copy;
pub mod copytree;
pub mod counts;
pub mod list;
pub mod man;
pub mod report;
pub mod scenario;
