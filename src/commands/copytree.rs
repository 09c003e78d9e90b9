//! `copybench copytree`.

use std::process::ExitCode;

/// Arguments of `copybench copytree`.
#[derive(Debug, clap::Args)]
pub struct CopytreeArgs {}

pub fn run(_args: CopytreeArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`copybench copytree` is not built yet")
}
