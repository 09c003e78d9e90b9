//! `copybench copy`: one file, one strategy, and what it cost in syscalls.

use std::path::{Path, PathBuf};

use copybench_engine::{
    copy_file, CopyError, CopyOptions, CopyReport, Fault, Mode, Strategy, SyscallCounts,
    SyscallRecorder,
};
use copybench_result::{
    CopyFailure, CopyOutcome, CopySuccess, Fallback, OperationError, SyscallCountsJson,
};

use copybench_reports::format;

use super::counts;
use crate::exit::Exit;
use crate::output;
use crate::terminal::{printable, printable_path, Terminal};

/// Arguments of `copybench copy`.
#[derive(Debug, clap::Args)]
pub struct CopyArgs {
    /// How to copy the content (`copybench list` shows which work here).
    #[arg(short, long, default_value = "auto", value_name = "STRATEGY")]
    pub strategy: Strategy,
    /// Which CPython function to match: copyfile (content), copy (+ mode), copy2 (+ times,
    /// xattrs, mode).
    #[arg(short, long, default_value = "copyfile", value_name = "MODE")]
    pub mode: Mode,
    /// Copy a symlink source as a symlink (CPython's follow_symlinks=False).
    #[arg(long)]
    pub no_follow_symlinks: bool,
    /// Print the syscalls the copy made, by kernel name.
    #[arg(long)]
    pub syscalls: bool,
    /// Fail the Nth call of SYSCALL with ERRNO instead of making it (repeatable), e.g.
    /// `copy_file_range:1:EXDEV` to watch `auto` fall back.
    #[arg(long = "inject-fault", value_name = "SYSCALL:N:ERRNO")]
    pub inject_fault: Vec<Fault>,
    /// Print one JSON object on stdout instead of a line for a person.
    #[arg(long)]
    pub json: bool,
    /// Copy N times in one process (counts add up): the strace test differences two runs to
    /// cancel the process's own start-up syscalls.
    #[arg(long, default_value_t = 1, hide = true)]
    pub repeat: u32,
    /// The file to copy.
    #[arg(value_name = "SRC")]
    pub src: PathBuf,
    /// Where to copy it (with --mode copy or copy2, a directory gets the source's name inside).
    #[arg(value_name = "DST")]
    pub dst: PathBuf,
}

pub fn run(args: CopyArgs, terminal: &Terminal) -> anyhow::Result<Exit> {
    let options = CopyOptions {
        strategy: args.strategy,
        mode: args.mode,
        follow_symlinks: !args.no_follow_symlinks,
    };
    if let Some(why) = args
        .inject_fault
        .iter()
        .find_map(|f| args.strategy.unreachable_fault(f))
    {
        anyhow::bail!("--inject-fault: {why}");
    }
    let recorder = SyscallRecorder::with_faults(args.inject_fault.clone());
    let started = std::time::Instant::now();
    let result = recorder.run(|| {
        let mut last = copy_file(&args.src, &args.dst, &options);
        for _ in 1..args.repeat {
            if last.is_err() {
                break;
            }
            last = copy_file(&args.src, &args.dst, &options);
        }
        last
    });
    let elapsed = started.elapsed();
    let counts = recorder.counts();
    let uncounted = args.strategy.uncounted_reason();
    match result {
        Ok(report) => {
            if args.json {
                output::println(&success_json(&report, &counts, uncounted)?)?;
            } else {
                let mut text = String::new();
                if !terminal.quiet {
                    text.push_str(&success_line(&args.src, &report, elapsed));
                    text.push('\n');
                }
                if args.syscalls {
                    text.push_str(&syscall_table(&counts, uncounted));
                }
                output::print(&text)?;
            }
            Ok(Exit::Success)
        }
        Err(error) => {
            if args.json {
                output::println(&failure_json(&error)?)?;
            } else {
                eprintln!(
                    "copybench: error: {}: {}",
                    error.kind,
                    printable(&error.message)
                );
                if args.syscalls {
                    eprint!("{}", syscall_table(&counts, uncounted));
                }
            }
            Ok(Exit::Failure)
        }
    }
}

fn path_text(path: &Path) -> String {
    path.to_string_lossy().into_owned()
}

/// The counts as the result crate's JSON shape.
pub fn counts_json(counts: &SyscallCounts) -> SyscallCountsJson {
    SyscallCountsJson {
        calls: counts.calls.clone(),
        path_stats: counts.path_stats,
        fd_stats: counts.fd_stats,
    }
}

fn success_json(
    report: &CopyReport,
    counts: &SyscallCounts,
    uncounted: Option<&'static str>,
) -> anyhow::Result<String> {
    let success = CopyOutcome::Success(CopySuccess {
        ok: true,
        bytes: report.bytes,
        strategy_used: report.strategy_used.name().to_owned(),
        fallbacks: report
            .fallbacks
            .iter()
            .map(|f| Fallback {
                from: f.from.name().to_owned(),
                errno: f.errno.map(copybench_engine::errno::name),
            })
            .collect(),
        // A figure that could not be measured is absent with its reason, never zero.
        syscalls: uncounted.is_none().then(|| counts_json(counts)),
        syscalls_absent_reason: uncounted.map(str::to_owned),
        dst: path_text(&report.dst),
    });
    Ok(serde_json::to_string(&success)?)
}

fn failure_json(error: &CopyError) -> anyhow::Result<String> {
    let failure = CopyOutcome::Failure(CopyFailure {
        ok: false,
        error: OperationError {
            kind: error.kind.as_str().to_owned(),
            errno: error.errno_name(),
            message: error.message.clone(),
            src: path_text(&error.src),
            dst: error.dst.as_deref().map(path_text),
        },
    });
    Ok(serde_json::to_string(&failure)?)
}

/// `copied 9482 bytes: a -> b with copy_file_range (after reflink gave up: EOPNOTSUPP) in
/// 84.2 µs`.
fn success_line(src: &Path, report: &CopyReport, elapsed: std::time::Duration) -> String {
    let gave_up: Vec<String> = report
        .fallbacks
        .iter()
        .map(|f| match f.errno {
            Some(errno) => format!(
                "{} gave up: {}",
                f.from,
                copybench_engine::errno::name(errno)
            ),
            None => format!("{} returned 0 at offset 0", f.from),
        })
        .collect();
    let after = if gave_up.is_empty() {
        String::new()
    } else {
        format!(" (after {})", gave_up.join(", "))
    };
    format!(
        "copied {} bytes: {} -> {} with {}{after} in {}",
        report.bytes,
        printable_path(src),
        printable_path(&report.dst),
        report.strategy_used,
        format::duration(elapsed.as_secs_f64())
    )
}

fn syscall_table(counts: &SyscallCounts, uncounted: Option<&str>) -> String {
    match uncounted {
        Some(reason) => format!("syscalls: not counted: {reason}\n"),
        None => counts::syscall_table(counts, None),
    }
}
