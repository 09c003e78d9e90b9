//! The command line (clap derive). Each subcommand's arguments live beside its code in
//! `commands/`; the flags every command takes are in `terminal`.

use clap::{Parser, Subcommand};

use crate::commands;
use crate::exit::{self, Exit};
use crate::terminal::{GlobalArgs, Terminal};

/// Benchmark and check file-copy strategies: sendfile, copy_file_range, reflink, splice,
/// buffered loops, mmap, std::fs::copy; CPython shutil is the reference for correct behaviour.
#[derive(Debug, Parser)]
#[command(name = "copybench", version, propagate_version = true, after_help = exit::HELP)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run scenario files (the embedded default suite when none is given).
    Scenario(commands::scenario::ScenarioArgs),
    /// Copy one file with one strategy, optionally printing the syscalls it made.
    Copy(commands::copy::CopyArgs),
    /// Copy a directory tree with one walker, like shutil.copytree.
    Copytree(commands::copytree::CopytreeArgs),
    /// List the strategies and whether each is supported on a filesystem here.
    List(commands::list::ListArgs),
    /// Render result JSON files as HTML, Markdown or a terminal table.
    Report(commands::report::ReportArgs),
    /// Check every strategy and walker against CPython shutil's behaviour.
    Conform(commands::conform::ConformArgs),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    Completions(commands::completions::CompletionsArgs),
    /// Print the manual page (roff), or write one per command into a directory.
    Man(commands::man::ManArgs),
}

impl Command {
    pub fn run(self, terminal: &Terminal) -> anyhow::Result<Exit> {
        match self {
            Command::Scenario(args) => commands::scenario::run(args, terminal),
            Command::Copy(args) => commands::copy::run(args, terminal),
            Command::Copytree(args) => commands::copytree::run(args, terminal),
            Command::List(args) => commands::list::run(args),
            Command::Report(args) => commands::report::run(args, terminal),
            Command::Conform(args) => commands::conform::run(args),
            Command::Completions(args) => commands::completions::run(args),
            Command::Man(args) => commands::man::run(args),
        }
    }
}
