//! `copybench completions SHELL`: a completion script generated from the clap definition, so
//! it can never disagree with the flags (`copybench completions bash > /etc/bash_completion.d/copybench`).

use std::process::ExitCode;

use clap::CommandFactory;
use clap_complete::Shell;

use crate::cli::Cli;

/// Arguments of `copybench completions`.
#[derive(Debug, clap::Args)]
pub struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_enum, value_name = "SHELL")]
    pub shell: Shell,
}

pub fn run(args: CompletionsArgs) -> anyhow::Result<ExitCode> {
    let mut command = Cli::command();
    clap_complete::generate(
        args.shell,
        &mut command,
        "copybench",
        &mut std::io::stdout(),
    );
    Ok(ExitCode::SUCCESS)
}
