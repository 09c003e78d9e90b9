//! copybench: which way of copying files is fastest here, what it costs, and is it correct.

mod child;
mod cli;
mod commands;
mod exit_code;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    match run() {
        Ok(code) => code,
        Err(error) => {
            eprintln!("copybench: error: {error:#}");
            exit_code::Exit::Usage.into()
        }
    }
}

fn run() -> anyhow::Result<ExitCode> {
    let cli = cli::Cli::parse();
    // The debug knob that slows a strategy on purpose must never go unnoticed in a figure.
    if let Some(slow) = copybench_engine::debug_slow::configured().map_err(anyhow::Error::msg)? {
        eprintln!(
            "copybench: warning: {}={}:{} makes `{}` {}× slower on purpose; its figures are not real",
            copybench_engine::debug_slow::ENV,
            slow.strategy,
            slow.factor,
            slow.strategy,
            slow.factor
        );
    }
    cli.command.run()
}
