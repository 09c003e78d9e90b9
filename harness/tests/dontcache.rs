//! The `dontcache` strategy's point, shown with `mincore`: its destination's pages leave the
//! page cache once written back, where a buffered copy's stay. Where the kernel or filesystem
//! refuses RWF_DONTCACHE the strategy is reported unsupported, with the reason, and this skips.

use copybench_engine::{copy_file, CopyOptions, Mode, Strategy};
use copybench_harness::cache;

/// Writes the copy back and waits for it, so what stays cached is what the strategy left.
fn written_back(path: &std::path::Path) {
    std::fs::File::open(path).unwrap().sync_all().unwrap();
}

#[test]
fn dontcache_leaves_the_destination_out_of_the_page_cache() {
    let dir = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
    let support = Strategy::Dontcache.support(dir.path());
    if !support.supported {
        eprintln!("skipped: dontcache is unsupported here: {}", support.reason);
        return;
    }
    let src = dir.path().join("src");
    let content: Vec<u8> = (0..(1usize << 20))
        .map(|i| (i * 31 + i / 4099) as u8)
        .collect();
    std::fs::write(&src, &content).unwrap();
    let copy = |strategy, name: &str| {
        let dst = dir.path().join(name);
        let options = CopyOptions {
            strategy,
            mode: Mode::Copyfile,
            follow_symlinks: true,
        };
        copy_file(&src, &dst, &options).unwrap();
        written_back(&dst);
        assert!(std::fs::read(&dst).unwrap() == content, "{strategy}");
        // Reading it back above cached it again: measure a second copy, untouched since.
        let again = dir.path().join(format!("{name}-again"));
        copy_file(&src, &again, &options).unwrap();
        written_back(&again);
        cache::resident(&again).unwrap()
    };
    let buffered = copy(Strategy::Readinto1m, "buffered");
    assert_eq!(
        buffered.resident_pages, buffered.total_pages,
        "the control: a buffered copy stays cached ({buffered:?})"
    );
    let uncached = copy(Strategy::Dontcache, "dontcache");
    assert!(
        uncached.evicted(),
        "dontcache left {} of {} destination pages in the page cache",
        uncached.resident_pages,
        uncached.total_pages
    );
}
