//! `copybench copytree`: one tree copy with one walker, like `shutil.copytree`.

use std::path::PathBuf;

use copybench_engine::default_jobs as engine_default_jobs;
use copybench_engine::{copy_tree, CopyError, Mode, Strategy, SyscallCounts, SyscallRecorder};
use copybench_engine::{TreeOptions, TreeReport, Walker};
use copybench_result::{CopytreeError, CopytreeOutcome, PerFileSyscalls};

use copybench_reports::format;

use super::counts;
use crate::exit::Exit;
use crate::output;
use crate::terminal::{printable, printable_path, Terminal};

/// [`engine_default_jobs`] as the flag's type (a machine with more than 65535 CPUs gets 65535).
fn default_jobs() -> u16 {
    u16::try_from(engine_default_jobs()).unwrap_or(u16::MAX)
}

/// Arguments of `copybench copytree`.
#[derive(Debug, clap::Args)]
pub struct CopytreeArgs {
    /// How the tree is read and checked: `lean` (ours), `scandir` (CPython 3.8+), `listdir`
    /// (CPython 3.7).
    #[arg(long, default_value = "lean", value_name = "WALKER")]
    pub walker: Walker,
    /// Threads copying files (directories stay ordered). The default is the number of CPUs
    /// this process may run on (`std::thread::available_parallelism`); 1 copies in walk order
    /// on the calling thread.
    #[arg(
        short,
        long,
        default_value_t = default_jobs(),
        value_name = "N",
        value_parser = clap::value_parser!(u16).range(1..)
    )]
    pub jobs: u16,
    /// How each file's content is copied.
    #[arg(short, long, default_value = "auto", value_name = "STRATEGY")]
    pub strategy: Strategy,
    /// The copy function: `copyfile` (content), `copy` (+ mode), `copy2` (+ times, xattrs).
    #[arg(short, long, default_value = "copy2", value_name = "MODE")]
    pub mode: Mode,
    /// Recreate symlinks as links instead of copying what they point to.
    #[arg(long)]
    pub symlinks: bool,
    /// Skip links whose target is missing instead of reporting them.
    #[arg(long)]
    pub ignore_dangling_symlinks: bool,
    /// Merge into an existing destination, overwriting files.
    #[arg(long)]
    pub dirs_exist_ok: bool,
    /// Leave out names matching this glob in every directory (like shutil.ignore_patterns).
    #[arg(long = "ignore", value_name = "GLOB")]
    pub ignore: Vec<String>,
    /// copy2 without extended attributes: never list them (for a filesystem whose listxattr
    /// fails, as smbnetfs's does with EIO); times and mode are still copied.
    #[arg(long)]
    pub no_xattrs: bool,
    /// Print the syscalls made, in total and per regular file.
    #[arg(long)]
    pub syscalls: bool,
    /// Print one JSON object on stdout.
    #[arg(long)]
    pub json: bool,
    /// The directory to copy.
    #[arg(value_name = "SRC")]
    pub src: PathBuf,
    /// Where to copy it (must not exist, unless --dirs-exist-ok).
    #[arg(value_name = "DST")]
    pub dst: PathBuf,
}

/// One gathered error, as in `shutil.Error`.
fn error_json(src: &std::path::Path, dst: &std::path::Path, error: &CopyError) -> CopytreeError {
    CopytreeError {
        src: src.display().to_string(),
        dst: dst.display().to_string(),
        kind: error.kind.as_str().to_owned(),
        errno: error.errno_name(),
        message: error.message.clone(),
    }
}

pub fn run(args: CopytreeArgs, terminal: &Terminal) -> anyhow::Result<Exit> {
    let options = TreeOptions {
        walker: args.walker,
        jobs: usize::from(args.jobs),
        strategy: args.strategy,
        mode: args.mode,
        symlinks: args.symlinks,
        ignore_dangling_symlinks: args.ignore_dangling_symlinks,
        dirs_exist_ok: args.dirs_exist_ok,
        ignore: args.ignore.clone(),
        record_latencies: false,
        xattrs: !args.no_xattrs,
    };
    let recorder = SyscallRecorder::new();
    let started = std::time::Instant::now();
    let result = recorder.run(|| copy_tree(&args.src, &args.dst, &options));
    let elapsed = started.elapsed();
    let counts = recorder.counts();
    let report = match result {
        Ok(report) => report,
        // The copy could not start (missing source, existing destination): one error, no tree.
        Err(error) if !args.json => {
            // shutil.copytree refuses an existing destination; `dirs_exist_ok=True` copies
            // into it.
            let hint = if error.kind == copybench_engine::ErrorKind::FileExistsError
                && !args.dirs_exist_ok
            {
                " (to copy into an existing directory, add --dirs-exist-ok)"
            } else {
                ""
            };
            eprintln!(
                "copybench: error: {}: {}{hint}",
                error.kind,
                printable(&error.message)
            );
            return Ok(Exit::Failure);
        }
        Err(error) => {
            let failed = TreeReport {
                errors: vec![copybench_engine::TreeErrorEntry {
                    src: args.src.clone(),
                    dst: args.dst.clone(),
                    error,
                }],
                ..TreeReport::default()
            };
            return print(&args, terminal, &failed, counts, elapsed);
        }
    };
    print(&args, terminal, &report, counts, elapsed)
}

fn print(
    args: &CopytreeArgs,
    terminal: &Terminal,
    report: &TreeReport,
    counts: SyscallCounts,
    elapsed: std::time::Duration,
) -> anyhow::Result<Exit> {
    let ok = report.errors.is_empty();
    let counts_json = super::copy::counts_json(&counts);
    let per_file = PerFileSyscalls::of(&counts_json.totals(), report.files);
    if args.json {
        let json = CopytreeOutcome {
            ok,
            files: report.files,
            dirs: report.dirs,
            bytes: report.bytes,
            errors: report
                .errors
                .iter()
                .map(|e| error_json(&e.src, &e.dst, &e.error))
                .collect(),
            syscalls: counts_json,
            syscalls_per_file: per_file,
        };
        // One line, as `copy --json` and `list --json` print theirs.
        output::println(&serde_json::to_string(&json)?)?;
    } else {
        let mut text = String::new();
        if !terminal.quiet {
            text.push_str(&format!(
                "copied {} files, {} directories, {} symlinks, {} bytes ({} walker, {} job{}) in {}",
                report.files,
                report.dirs,
                report.symlinks,
                report.bytes,
                args.walker,
                args.jobs,
                if args.jobs == 1 { "" } else { "s" },
                format::duration(elapsed.as_secs_f64())
            ));
            text.push('\n');
        }
        if args.syscalls {
            text.push_str(&counts::syscall_table(&counts, Some(report.files)));
        }
        output::print(&text)?;
        for e in &report.errors {
            eprintln!(
                "copybench: error: {}: {} -> {}: {}",
                e.error.kind,
                printable_path(&e.src),
                printable_path(&e.dst),
                printable(&e.error.message)
            );
        }
    }
    Ok(Exit::failure_if(!ok))
}
