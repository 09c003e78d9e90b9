//! `copybench completions SHELL`: a completion script generated from the clap definition, so
//! it can never disagree with the flags (`copybench completions bash > /etc/bash_completion.d/copybench`).

use clap::CommandFactory;
use clap_complete::Shell;

use crate::cli::Cli;
use crate::exit::Exit;
use crate::output;

/// Arguments of `copybench completions`.
#[derive(Debug, clap::Args)]
pub struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_enum, value_name = "SHELL")]
    pub shell: Shell,
}

pub fn run(args: CompletionsArgs) -> anyhow::Result<Exit> {
    let mut command = Cli::command();
    // Into memory first: clap_complete panics when its writer fails (a closed stdout).
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut command, "copybench", &mut script);
    output::write(&script)?;
    Ok(Exit::Success)
}
