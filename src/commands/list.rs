//! `copybench list`: every strategy, and whether it works on the filesystem of a directory.

use std::fmt::Write as _;
use std::path::PathBuf;

use copybench_engine::{strategy::filesystem_name, Strategy};
use serde::Serialize;

use crate::exit::Exit;
use crate::output;

/// Arguments of `copybench list`.
#[derive(Debug, clap::Args)]
pub struct ListArgs {
    /// Probe the filesystem of this directory (two small files are created there and removed).
    #[arg(short, long, default_value = ".", value_name = "DIR")]
    pub dir: PathBuf,
    /// Print one JSON object on stdout.
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: ListArgs) -> anyhow::Result<Exit> {
    let statfs = copybench_engine::sys::statfs(&args.dir).map_err(|errno| {
        anyhow::anyhow!(
            "cannot probe {}: {}",
            args.dir.display(),
            copybench_engine::errno::describe(errno)
        )
    })?;
    let filesystem = filesystem_name(statfs.f_type as i64);
    let rows: Vec<(Strategy, copybench_engine::Support)> = Strategy::ALL
        .iter()
        .map(|s| (*s, s.support(&args.dir)))
        .collect();
    if args.json {
        let listing = Listing {
            dir: args.dir.to_string_lossy().into_owned(),
            filesystem,
            strategies: rows
                .iter()
                .map(|(s, support)| Row {
                    name: s.name(),
                    supported: support.supported,
                    reason: &support.reason,
                })
                .collect(),
        };
        output::println(&serde_json::to_string(&listing)?)?;
    } else {
        let mut text = String::new();
        let _ = writeln!(
            text,
            "strategies for {} ({filesystem}):",
            args.dir.display()
        );
        for (s, support) in &rows {
            let verdict = if support.supported {
                "supported"
            } else {
                "unsupported"
            };
            let _ = writeln!(text, "  {:<16}{:<13}{}", s.name(), verdict, support.reason);
        }
        output::print(&text)?;
    }
    Ok(Exit::Success)
}

/// `copybench list --json`.
#[derive(Serialize)]
struct Listing<'a> {
    dir: String,
    filesystem: String,
    strategies: Vec<Row<'a>>,
}

#[derive(Serialize)]
struct Row<'a> {
    name: &'static str,
    supported: bool,
    reason: &'a str,
}
