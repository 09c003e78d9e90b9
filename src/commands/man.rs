//! `copybench man`: the manual page, generated from the clap definition (clap_mangen) so it
//! says what `--help` says. `copybench man | man -l -` reads it; `copybench man DIR` writes
//! `copybench.1` and one `copybench-COMMAND.1` per command for packaging.

use std::path::PathBuf;

use anyhow::Context;
use clap::CommandFactory;

use crate::cli::Cli;
use crate::exit::Exit;
use crate::output;

/// Arguments of `copybench man`.
#[derive(Debug, clap::Args)]
pub struct ManArgs {
    /// Write the pages into this directory instead of printing `copybench.1`.
    #[arg(value_name = "DIR")]
    pub dir: Option<PathBuf>,
}

pub fn run(args: ManArgs) -> anyhow::Result<Exit> {
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
            output::write(&page)?;
        }
    }
    Ok(Exit::Success)
}
