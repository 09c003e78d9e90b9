//! `copybench list`.

use std::process::ExitCode;

/// Arguments of `copybench list`.
#[derive(Debug, clap::Args)]
pub struct ListArgs {}

pub fn run(_args: ListArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`copybench list` is not built yet")
}
