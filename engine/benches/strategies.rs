//! Every strategy supported here, copying a warm file of 4 KiB, 1 MiB and 64 MiB (`copyfile`
//! semantics, same filesystem).
//!
//! Each iteration copies to a fresh name and only the copy is timed: finished copies are
//! renamed into a trash directory and deleted after the size's group, never right before the
//! next copy (docs/design.md, "Measuring honestly"). Set `COPYBENCH_BENCH_DIR` to bench on another
//! filesystem (the default is the system temp dir).

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use copybench_engine::{copy_file, CopyOptions, Mode, Strategy};
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};

const SIZES: &[(&str, usize)] = &[("4KiB", 4 << 10), ("1MiB", 1 << 20), ("64MiB", 64 << 20)];

fn bench_root() -> PathBuf {
    std::env::var_os("COPYBENCH_BENCH_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(std::env::temp_dir)
}

fn strategies(c: &mut Criterion) {
    let dir = tempfile::tempdir_in(bench_root()).expect("a bench directory");
    let trash = dir.path().join("trash");
    std::fs::create_dir(&trash).expect("a trash directory");
    let supported: Vec<Strategy> = Strategy::ALL
        .iter()
        .copied()
        .filter(|s| {
            let support = s.support(dir.path());
            if !support.supported {
                eprintln!("{s}: not benched: {}", support.reason);
            }
            support.supported
        })
        .collect();
    for &(label, size) in SIZES {
        let src = dir.path().join(format!("src-{label}"));
        let content: Vec<u8> = (0..size).map(|i| (i * 131 + i / 4093) as u8).collect();
        std::fs::write(&src, &content).expect("the source file");
        let mut group = c.benchmark_group(format!("copyfile/{label}"));
        group.throughput(Throughput::Bytes(size as u64));
        if size >= 1 << 20 {
            group.sample_size(10);
            group.measurement_time(Duration::from_secs(3));
        }
        group.warm_up_time(Duration::from_millis(500));
        for &strategy in &supported {
            let options = CopyOptions {
                strategy,
                mode: Mode::Copyfile,
                follow_symlinks: true,
            };
            let mut n = 0u64;
            group.bench_with_input(BenchmarkId::from_parameter(strategy), &src, |b, src| {
                b.iter_custom(|iters| {
                    let mut total = Duration::ZERO;
                    for _ in 0..iters {
                        n += 1;
                        let dst = dir.path().join(format!("dst-{n}"));
                        let start = Instant::now();
                        copy_file(src, &dst, &options).expect("the copy");
                        total += start.elapsed();
                        set_aside(&dst, &trash, n);
                    }
                    total
                })
            });
        }
        group.finish();
        empty(&trash);
    }
}

/// Moves a finished copy out of the way (a rename: cheap, and no deletion before the next copy).
fn set_aside(dst: &Path, trash: &Path, n: u64) {
    std::fs::rename(dst, trash.join(n.to_string())).expect("rename into the trash");
}

fn empty(trash: &Path) {
    for entry in std::fs::read_dir(trash).expect("the trash").flatten() {
        let _ = std::fs::remove_file(entry.path());
    }
}

criterion_group!(benches, strategies);
criterion_main!(benches);
