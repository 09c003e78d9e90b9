//! `copybench copytree`: one tree copy with one walker, like `shutil.copytree`.

use std::path::PathBuf;
use std::process::ExitCode;

use copybench_engine::{copy_tree, CopyError, Mode, Strategy, SyscallCounts, SyscallRecorder};
use copybench_engine::{TreeOptions, TreeReport, Walker};
use serde::Serialize;

/// Arguments of `copybench copytree`.
#[derive(Debug, clap::Args)]
pub struct CopytreeArgs {
    /// How the tree is read and checked: `lean` (ours), `scandir` (CPython 3.8+), `listdir`
    /// (CPython 3.7).
    #[arg(long, default_value = "lean")]
    pub walker: Walker,
    /// Threads copying files (directories stay ordered).
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u16).range(1..))]
    pub jobs: u16,
    /// How each file's content is copied.
    #[arg(long, default_value = "auto")]
    pub strategy: Strategy,
    /// The copy function: `copyfile` (content), `copy` (+ mode), `copy2` (+ times, xattrs).
    #[arg(long, default_value = "copy2")]
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
    pub src: PathBuf,
    /// Where to copy it (must not exist, unless --dirs-exist-ok).
    pub dst: PathBuf,
}

/// `{"src", "dst", "kind", "errno", "message"}`: one gathered error, as in `shutil.Error`.
#[derive(Serialize)]
struct ErrorJson {
    src: String,
    dst: String,
    kind: &'static str,
    errno: Option<String>,
    message: String,
}

impl ErrorJson {
    fn new(src: &std::path::Path, dst: &std::path::Path, error: &CopyError) -> ErrorJson {
        ErrorJson {
            src: src.display().to_string(),
            dst: dst.display().to_string(),
            kind: error.kind.as_str(),
            errno: error.errno_name(),
            message: error.message.clone(),
        }
    }
}

/// Syscalls per regular file copied (the directories' own calls spread over the files).
#[derive(Serialize)]
struct PerFile {
    path_stats: f64,
    stat_family: f64,
    total: f64,
}

#[derive(Serialize)]
struct SyscallsJson {
    #[serde(flatten)]
    counts: SyscallCounts,
    per_file: Option<PerFile>,
}

#[derive(Serialize)]
struct CopytreeJson {
    ok: bool,
    files: u64,
    dirs: u64,
    bytes: u64,
    errors: Vec<ErrorJson>,
    syscalls: SyscallsJson,
}

pub fn run(args: CopytreeArgs) -> anyhow::Result<ExitCode> {
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
    let result = recorder.run(|| copy_tree(&args.src, &args.dst, &options));
    let counts = recorder.counts();
    let report = match result {
        Ok(report) => report,
        // The copy could not start (missing source, existing destination): one error, no tree.
        Err(error) if !args.json => {
            eprintln!("copybench: {}: {}", error.kind, error.message);
            return Ok(ExitCode::from(1));
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
            return print(&args, &failed, counts);
        }
    };
    print(&args, &report, counts)
}

fn per_file(counts: &SyscallCounts, files: u64) -> Option<PerFile> {
    (files > 0).then(|| {
        let n = files as f64;
        PerFile {
            path_stats: counts.path_stats as f64 / n,
            stat_family: counts.stat_family() as f64 / n,
            total: counts.total() as f64 / n,
        }
    })
}

fn print(
    args: &CopytreeArgs,
    report: &TreeReport,
    counts: SyscallCounts,
) -> anyhow::Result<ExitCode> {
    let ok = report.errors.is_empty();
    let per_file = per_file(&counts, report.files);
    if args.json {
        let json = CopytreeJson {
            ok,
            files: report.files,
            dirs: report.dirs,
            bytes: report.bytes,
            errors: report
                .errors
                .iter()
                .map(|e| ErrorJson::new(&e.src, &e.dst, &e.error))
                .collect(),
            syscalls: SyscallsJson { counts, per_file },
        };
        println!("{}", serde_json::to_string_pretty(&json)?);
    } else {
        println!(
            "copied {} files, {} directories, {} symlinks, {} bytes ({} walker, {} job{})",
            report.files,
            report.dirs,
            report.symlinks,
            report.bytes,
            args.walker,
            args.jobs,
            if args.jobs == 1 { "" } else { "s" }
        );
        if args.syscalls {
            for (name, n) in &counts.calls {
                println!("  {name:<18} {n}");
            }
            println!(
                "  {:<18} {}\n  {:<18} {}\n  {:<18} {}",
                "path_stats",
                counts.path_stats,
                "fd_stats",
                counts.fd_stats,
                "total",
                counts.total()
            );
            if let Some(p) = &per_file {
                println!(
                    "  per file: {:.2} path stats, {:.2} stat-family calls, {:.2} syscalls",
                    p.path_stats, p.stat_family, p.total
                );
            }
        }
        for e in &report.errors {
            eprintln!(
                "copybench: {}: {} -> {}: {}",
                e.error.kind,
                e.src.display(),
                e.dst.display(),
                e.error.message
            );
        }
    }
    Ok(if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
