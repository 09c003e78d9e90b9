//! `copybench man`: the manual page, generated from the clap definition (clap_mangen) so it
//! says what `--help` says. `copybench man | man -l -` reads it; `copybench man DIR` writes
//! `copybench.1` and one `copybench-COMMAND.1` per command for packaging.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::CommandFactory;

use crate::cli::Cli;

/// Arguments of `copybench man`.
#[derive(Debug, clap::Args)]
pub struct ManArgs {
    /// Write the pages into this directory instead of printing `copybench.1`.
    #[arg(value_name = "DIR")]
    pub dir: Option<PathBuf>,
}

pub fn run(args: ManArgs) -> anyhow::Result<ExitCode> {
    let command = Cli::command();
    match &args.dir {
        Some(dir) => {
            clap_mangen::generate_to(command, dir).with_context(|| {
                format!("cannot write the manual pages into `{}`", dir.display())
            })?;
        }
        None => {
            let mut page = Vec::new();
            clap_mangen::Man::new(command).render(&mut page)?;
            std::io::stdout()
                .write_all(&page)
                .context("cannot write the manual page")?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
