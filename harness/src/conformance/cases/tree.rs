//! Cases 32–42 and 44 of docs/conformance.md: `copytree` by each walker.

use rustix::io::Errno;

use crate::conformance::case::{Case, Operation, Requirement, SubjectId, TreeCall, Variant};
use crate::conformance::fixture::Node;
use crate::conformance::outcome::{Kind, Observed};

/// The tree most cases start from: files at two depths, an empty directory.
fn base_tree() -> Vec<Node> {
    vec![
        Node::text("src/a.txt", "a\n"),
        Node::random("src/b.bin", 5_000, 32),
        Node::text("src/sub/c.txt", "c\n").mode(0o600),
        Node::random("src/sub/deep/d.bin", 70_000, 33),
        Node::dir("src/empty"),
    ]
}

fn with(extra: Vec<Node>) -> Vec<Node> {
    let mut nodes = base_tree();
    nodes.extend(extra);
    nodes
}

fn copytree() -> TreeCall {
    Operation::copytree("src", "dst")
}

pub(crate) fn cases() -> Vec<Case> {
    vec![
        Case::new(
            32,
            "Files and subdirectories copied; the destination returned (test_copytree_simple)",
            vec![Variant::tree("copytree", base_tree(), copytree(), |o, _| {
                o.returned_path("dst")?;
                o.tree_copied("src", "dst", &[])
            })],
        )
        .quick(),
        Case::new(
            33,
            "Existing destination → exists error; dirs_exist_ok merges and overwrites (test_copytree_dirs_exist_ok)",
            vec![
                Variant::tree("exists", with(vec![Node::dir("dst")]), copytree(), |o, _| {
                    o.raised("FileExistsError", Some(Errno::EXIST))?;
                    o.absent("dst/a.txt")
                }),
                Variant::tree(
                    "dirs_exist_ok",
                    with(vec![Node::text("dst/a.txt", "old, longer content\n"), Node::text("dst/keep.txt", "k\n")]),
                    TreeCall { dirs_exist_ok: true, ..copytree() },
                    |o, _| {
                        o.succeeded()?;
                        o.same_content("dst/a.txt", "src/a.txt")?;
                        o.same_content("dst/sub/deep/d.bin", "src/sub/deep/d.bin")?;
                        o.content_is("dst/keep.txt", b"k\n")
                    },
                ),
            ],
        ),
        Case::new(
            34,
            "Ignore patterns (`*.tmp`, a directory name) exclude files and whole subtrees (test_copytree_with_exclude)",
            vec![Variant::tree(
                "*.tmp, skipme",
                with(vec![
                    Node::text("src/x.tmp", "x"),
                    Node::text("src/sub/y.tmp", "y"),
                    Node::text("src/skipme/z.txt", "z"),
                ]),
                TreeCall { ignore: vec!["*.tmp".into(), "skipme".into()], ..copytree() },
                |o, _| {
                    o.succeeded()?;
                    o.tree_copied("src", "dst", &["x.tmp", "sub/y.tmp", "skipme"])
                },
            )],
        ),
        Case::new(
            35,
            "symlinks=True → links recreated with the same target (test_copytree_symlinks)",
            vec![Variant::tree(
                "symlinks",
                with(vec![Node::symlink("src/link", "a.txt"), Node::symlink("src/sub/up", "../b.bin")]),
                TreeCall { symlinks: true, ..copytree() },
                |o, _| {
                    o.link_to("dst/link", "a.txt")?;
                    o.link_to("dst/sub/up", "../b.bin")?;
                    o.tree_copied("src", "dst", &[])
                },
            )],
        )
        .quick(),
        Case::new(
            36,
            "Dangling link: gathered error by default, skipped with ignore_dangling_symlinks, a link with symlinks=True (test_copytree_dangling_symlinks)",
            vec![
                Variant::tree("default", dangling(), copytree(), |o, _| {
                    o.gathered(&[("src/dangling", "dst/dangling")])?;
                    o.same_content("dst/a.txt", "src/a.txt")
                }),
                Variant::tree(
                    "ignore_dangling_symlinks",
                    dangling(),
                    TreeCall { ignore_dangling_symlinks: true, ..copytree() },
                    |o, _| {
                        o.succeeded()?;
                        o.absent("dst/dangling")
                    },
                ),
                Variant::tree("symlinks", dangling(), TreeCall { symlinks: true, ..copytree() }, |o, _| {
                    o.succeeded()?;
                    o.link_to("dst/dangling", "nowhere")
                }),
            ],
        ),
        Case::new(
            37,
            "Link to a directory: a real directory with symlinks=False, a link with True (test_copytree_symlink_dir)",
            vec![
                Variant::tree("symlinks=False", link_to_dir(), copytree(), |o, _| {
                    o.kind_of("dst/linkdir", Kind::Dir)?;
                    o.same_content("dst/linkdir/c.txt", "src/sub/c.txt")
                }),
                Variant::tree("symlinks=True", link_to_dir(), TreeCall { symlinks: true, ..copytree() }, |o, _| {
                    o.link_to("dst/linkdir", "sub")
                }),
            ],
        ),
        Case::new(
            38,
            "A FIFO in the tree → one gathered error; every other file still copied (test_copytree_named_pipe)",
            vec![Variant::tree("fifo", with(vec![Node::fifo("src/pipe")]), copytree(), |o, _| {
                o.gathered(&[("src/pipe", "dst/pipe")])?;
                o.tree_copied("src", "dst", &["pipe"])
            })],
        )
        .quick(),
        Case::new(
            39,
            "Directory modes kept, a 0o600 subdirectory too; a directory's metadata set after its children (test_copytree_retains_permissions)",
            vec![Variant::tree(
                "modes",
                vec![
                    Node::text("src/open/f", "f\n"),
                    Node::dir("src/open").mode(0o750),
                    Node::dir("src/private").mode(0o600),
                    Node::dir("src").mode(0o700),
                ],
                copytree(),
                |o, _| {
                    o.mode_of("dst", 0o700)?;
                    o.mode_of("dst/open", 0o750)?;
                    o.mode_of("dst/private", 0o600)?;
                    o.times_copied("dst/open").or_else(|e| mtime_only(o, "dst/open", e))
                },
            )],
        ),
        Case::new(
            40,
            "Destination inside the source → terminates, copying what was there at the start (test_copytree_subdirectory)",
            vec![Variant::tree("src/inner", base_tree(), Operation::copytree("src", "src/inner"), |o, _| {
                o.returned_path("src/inner")?;
                o.same_content("src/inner/sub/deep/d.bin", "src/sub/deep/d.bin")?;
                o.absent("src/inner/inner")
            })],
        ),
        Case::new(
            41,
            "An unreadable file in the tree → one gathered error; the rest copied",
            vec![Variant::tree(
                "0o000 file",
                with(vec![Node::text("src/secret", "s\n").mode(0)]),
                copytree(),
                |o, _| {
                    o.gathered(&[("src/secret", "dst/secret")])?;
                    o.same_content("dst/a.txt", "src/a.txt")
                },
            )
            .requires(Requirement::Unprivileged)],
        ),
        Case::new(
            42,
            "Stat budget per regular file: listdir 8 path stats (CPython 3.7), scandir ≤ 4 (3.8), lean ≤ scandir",
            vec![Variant::tree("50 files", flat_tree(50), copytree(), |o, _| o.tree_copied("src", "dst", &[]))
                .without_oracle()
                .engine_check(stat_budget)
                .note(|o| {
                    o.engine.as_ref().map(|t| format!("{:.2} path stats per file", t.counts.path_stats as f64 / 50.0))
                })],
        ),
        Case::new(
            44,
            "A parallel copy (jobs=4) makes the same tree as jobs=1: content, modes, times, links",
            vec![Variant::tree(
                "jobs=4",
                {
                    let mut nodes = flat_tree(24);
                    nodes.extend(base_tree());
                    nodes.push(Node::symlink("src/link", "a.txt"));
                    nodes
                },
                TreeCall { jobs: 4, symlinks: true, ..copytree() },
                |o, _| {
                    o.tree_copied("src", "dst", &[])?;
                    o.times_copied("dst/sub/deep/d.bin").or_else(|e| mtime_only(o, "dst/sub/deep/d.bin", e))
                },
            )],
        ),
    ]
}

fn dangling() -> Vec<Node> {
    with(vec![Node::symlink("src/dangling", "nowhere")])
}

fn link_to_dir() -> Vec<Node> {
    with(vec![Node::symlink("src/linkdir", "sub")])
}

fn flat_tree(files: u64) -> Vec<Node> {
    (0..files)
        .map(|i| Node::random(format!("src/f{i:03}"), 1 + i * 37, i))
        .collect()
}

/// Without the oracle, an atime moved by the walk itself is not held against a copy: only the
/// mtime must equal the source's.
fn mtime_only(o: &Observed, path: &str, error: String) -> Result<(), String> {
    match o.entry(path)?.times_as_source {
        Some((_, true)) => Ok(()),
        _ => Err(error),
    }
}

/// Path stats per regular file, from the counted layer (CPython's patterns: 3.7's listdir
/// walk stats each path 8 times; 3.8's scandir once plus copyfile's 3 destination checks).
fn stat_budget(o: &Observed, subject: SubjectId) -> Result<(), String> {
    let Some(trace) = &o.engine else {
        return Ok(());
    };
    let per_file = trace.counts.path_stats / 50;
    let ok = match subject {
        SubjectId::Walker(copybench_engine::Walker::Listdir) => per_file == 8,
        _ => per_file <= 4,
    };
    if ok {
        Ok(())
    } else {
        Err(format!(
            "{} path stats for 50 files ({per_file} per file)",
            trace.counts.path_stats
        ))
    }
}
