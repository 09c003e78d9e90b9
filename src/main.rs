//! copybench: which way of copying files is fastest here, what it costs, and is it correct.

mod child;
mod cli;
mod commands;
mod exit;
mod output;
mod terminal;

use std::process::ExitCode;

use clap::Parser;

use crate::exit::Exit;
use crate::output::StdoutError;

fn main() -> ExitCode {
    let exit = match run() {
        Ok(exit) => exit,
        Err(error) => fail(&error),
    };
    exit.into()
}

fn run() -> anyhow::Result<Exit> {
    let cli = cli::Cli::parse();
    let terminal = terminal::Terminal::new(&cli.global);
    cli.command.run(&terminal)
}

/// Says in one line why the command failed (`copybench: error: …`), and which status that is.
fn fail(error: &anyhow::Error) -> Exit {
    let closed_pipe = error.chain().any(|c| {
        c.downcast_ref::<StdoutError>()
            .is_some_and(StdoutError::is_broken_pipe)
    });
    if closed_pipe {
        // As `cat` and `grep` end when their reader goes away: by SIGPIPE, silently (Rust
        // ignores SIGPIPE, so the write failed with EPIPE instead; the cleanup has run).
        let _ = signal_hook::low_level::emulate_default_handler(signal_hook::consts::SIGPIPE);
        return Exit::Failure;
    }
    let exit = Exit::of_error(error);
    let text = format!("{error:#}").replace('\n', " ");
    match exit {
        Exit::Interrupted(_) => eprintln!("copybench: {text}"),
        _ => eprintln!("copybench: error: {text}"),
    }
    exit
}
