//! `copybench copy`.

use std::process::ExitCode;

/// Arguments of `copybench copy`.
#[derive(Debug, clap::Args)]
pub struct CopyArgs {}

pub fn run(_args: CopyArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`copybench copy` is not built yet")
}
