//! `copybench report`.

use std::process::ExitCode;

/// Arguments of `copybench report`.
#[derive(Debug, clap::Args)]
pub struct ReportArgs {}

pub fn run(_args: ReportArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`copybench report` is not built yet")
}
