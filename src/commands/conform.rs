//! `copybench conform`.

use std::process::ExitCode;

/// Arguments of `copybench conform`.
#[derive(Debug, clap::Args)]
pub struct ConformArgs {}

pub fn run(_args: ConformArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`copybench conform` is not built yet")
}
