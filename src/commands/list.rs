//! `copybench list`: every strategy, and whether it works on the filesystem of a directory.

use std::path::PathBuf;
use std::process::ExitCode;

use copybench_engine::{strategy::filesystem_name, Strategy};
use copybench_result::{ListOutput, StrategySupport};

/// Arguments of `copybench list`.
#[derive(Debug, clap::Args)]
pub struct ListArgs {
    /// Probe the filesystem of this directory (two small files are created there and removed).
    #[arg(long, default_value = ".", value_name = "PATH")]
    pub dir: PathBuf,
    /// Print one JSON object on stdout.
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: ListArgs) -> anyhow::Result<ExitCode> {
    let statfs = copybench_engine::sys::statfs(&args.dir).map_err(|errno| {
        anyhow::anyhow!(
            "cannot probe {}: {} ({})",
            args.dir.display(),
            copybench_engine::errno_text(errno),
            copybench_engine::errno::name(errno)
        )
    })?;
    let filesystem = filesystem_name(statfs.f_type as i64);
    let rows: Vec<(Strategy, copybench_engine::Support)> = Strategy::ALL
        .iter()
        .map(|s| (*s, s.support(&args.dir)))
        .collect();
    if args.json {
        let listing = ListOutput {
            dir: args.dir.to_string_lossy().into_owned(),
            filesystem,
            strategies: rows
                .iter()
                .map(|(s, support)| StrategySupport {
                    name: s.name().to_owned(),
                    supported: support.supported,
                    reason: support.reason.clone(),
                })
                .collect(),
        };
        println!("{}", serde_json::to_string(&listing)?);
    } else {
        println!("strategies for {} ({filesystem}):", args.dir.display());
        for (s, support) in &rows {
            let verdict = if support.supported {
                "supported"
            } else {
                "unsupported"
            };
            println!("  {:<16}{:<13}{}", s.name(), verdict, support.reason);
        }
    }
    Ok(ExitCode::SUCCESS)
}
