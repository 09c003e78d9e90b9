//! `copybench list`: every strategy, and whether it works on the filesystem of a directory.

use std::path::PathBuf;

use copybench_engine::{strategy::filesystem_name, Strategy};
use copybench_result::{ListOutput, StrategySupport};

use crate::exit::Exit;
use crate::output;
use crate::terminal::printable;

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
        output::println(&serde_json::to_string(&listing)?)?;
    } else {
        output::print(&listing_text(&args.dir, &filesystem, &rows))?;
    }
    Ok(Exit::Success)
}

/// How `list` groups the strategies for a person: by where the copy happens, and those this
/// build cannot run at all kept apart at the end.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Group {
    Chains,
    InKernel,
    Userspace,
    OtherPlatforms,
}

impl Group {
    fn of(strategy: Strategy) -> Group {
        if strategy.unsupported_on_platform().is_some() {
            return Group::OtherPlatforms;
        }
        match strategy {
            Strategy::Auto | Strategy::Std => Group::Chains,
            Strategy::Reflink
            | Strategy::CopyFileRange
            | Strategy::Sendfile
            | Strategy::Splice
            | Strategy::Fcopyfile => Group::InKernel,
            _ => Group::Userspace,
        }
    }

    fn heading(self) -> &'static str {
        match self {
            Group::Chains => "Picking a way themselves:",
            Group::InKernel => "In the kernel (the bytes never pass through copybench):",
            Group::Userspace => "Through copybench's memory:",
            Group::OtherPlatforms => "Not in this build (another platform's API):",
        }
    }
}

/// Said once under the userspace group: the two loop families differ only in their buffer.
const LOOPS: &str = "  readinto-* reuse one buffer for every chunk (CPython's _copyfileobj_readinto with a\n  memoryview); buffered-* allocate a fresh one per chunk (fdst.write(fsrc.read(n))).\n";

/// The human listing: the filesystem, then the strategies by group, each with its verdict and
/// why.
fn listing_text(
    dir: &std::path::Path,
    filesystem: &str,
    rows: &[(Strategy, copybench_engine::Support)],
) -> String {
    let mut text = format!(
        "strategies for {} ({filesystem}):\n",
        printable(&dir.display().to_string())
    );
    for group in [
        Group::Chains,
        Group::InKernel,
        Group::Userspace,
        Group::OtherPlatforms,
    ] {
        let members: Vec<_> = rows
            .iter()
            .filter(|(s, _)| Group::of(*s) == group)
            .collect();
        if members.is_empty() {
            continue;
        }
        text.push_str(&format!("\n{}\n", group.heading()));
        for (s, support) in members {
            let verdict = if support.supported {
                "supported"
            } else {
                "unsupported"
            };
            text.push_str(&format!(
                "  {:<17}{:<13}{}\n",
                s.name(),
                verdict,
                support.reason
            ));
        }
        if group == Group::Userspace {
            text.push_str(LOOPS);
        }
    }
    text
}
