//! `copybench scenario`.

use std::process::ExitCode;

/// Arguments of `copybench scenario`.
#[derive(Debug, clap::Args)]
pub struct ScenarioArgs {}

pub fn run(_args: ScenarioArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`copybench scenario` is not built yet")
}
