//! Cases 1–12, 17–20 and 23–31 of docs/conformance.md: `copyfile`, `copy` and `copy2` of one file.
//! The source named in each title is the CPython test the behaviour comes from.

use copybench_engine::{Strategy, Syscall};
use rustix::io::Errno;

use crate::conformance::case::{
    buffer_size, is_in_kernel, Case, Check, Copies, Operation, Requirement, SubjectId, Variant,
};
use crate::conformance::fixture::{Content, Node};
use crate::conformance::outcome::{Kind, Observed};

const TEXT: &str = "copybench conformance\n";

fn src_file() -> Node {
    Node::random("src", 10_000, 1)
}

pub(crate) fn cases() -> Vec<Case> {
    vec![
        Case::new(
            1,
            "Regular file → byte-identical copy; the destination is returned (test_copyfile_return_value)",
            vec![Variant::file("copyfile", vec![src_file()], Operation::copyfile("src", "dst"), |o, _| {
                o.returned_path("dst")?;
                o.same_content("dst", "src")
            })],
        )
        .quick(),
        Case::new(
            2,
            "Same path → SameFileError, source untouched (test_copyfile_same_file)",
            vec![Variant::file("copyfile", vec![Node::text("src", TEXT)], Operation::copyfile("src", "src"), |o, _| {
                o.raised("SameFileError", None)?;
                o.content_is("src", TEXT.as_bytes())
            })],
        )
        .quick(),
        Case::new(
            3,
            "Destination a hard link to the source → SameFileError (test_dont_copy_file_onto_link_to_itself)",
            vec![Variant::file(
                "copyfile",
                vec![Node::text("src", TEXT), Node::hard_link("dst", "src")],
                Operation::copyfile("src", "dst"),
                |o, _| {
                    o.raised("SameFileError", None)?;
                    o.content_is("src", TEXT.as_bytes())?;
                    o.content_is("dst", TEXT.as_bytes())
                },
            )],
        ),
        Case::new(
            4,
            "Destination a symlink to the source → SameFileError (test_dont_copy_file_onto_symlink_to_itself)",
            vec![Variant::file(
                "copyfile",
                vec![Node::text("src", TEXT), Node::symlink("dst", "src")],
                Operation::copyfile("src", "dst"),
                |o, _| {
                    o.raised("SameFileError", None)?;
                    o.link_to("dst", "src")?;
                    o.content_is("src", TEXT.as_bytes())
                },
            )],
        ),
        Case::new(
            5,
            "FIFO as source or destination → SpecialFileError without blocking (test_copyfile_named_pipe)",
            vec![
                Variant::file("fifo source", vec![Node::fifo("src")], Operation::copyfile("src", "dst"), |o, _| {
                    o.raised("SpecialFileError", None)?;
                    o.absent("dst")
                }),
                Variant::file(
                    "fifo destination",
                    vec![Node::text("src", TEXT), Node::fifo("dst")],
                    Operation::copyfile("src", "dst"),
                    |o, _| {
                        o.raised("SpecialFileError", None)?;
                        o.kind_of("dst", Kind::Fifo)
                    },
                ),
            ],
        )
        .quick(),
        Case::new(
            6,
            "Missing source → not-found error naming the source (test_non_existent_src)",
            vec![Variant::file("copyfile", vec![], Operation::copyfile("missing", "dst"), |o, _| {
                o.raised("FileNotFoundError", Some(Errno::NOENT))?;
                o.error_names("missing")?;
                o.absent("dst")
            })],
        ),
        Case::new(
            7,
            "Destination `missing-dir/` → not-found error (test_copyfile_nonexistent_dir)",
            vec![Variant::file(
                "copyfile",
                vec![Node::text("src", TEXT)],
                Operation::copyfile("src", "missing-dir/"),
                |o, _| {
                    // CPython re-raises the EISDIR of `open("missing-dir/")` as a
                    // FileNotFoundError built from a message (bpo-43219): no errno.
                    o.raised_kind("FileNotFoundError")?;
                    o.absent("missing-dir")
                },
            )],
        ),
        Case::new(
            8,
            "Directory as source, or existing directory as copyfile's destination → is-a-directory error (test_copyfile_copy_dir)",
            vec![
                Variant::file("directory source", vec![Node::dir("src")], Operation::copyfile("src", "dst"), |o, _| {
                    o.raised("IsADirectoryError", Some(Errno::ISDIR))?;
                    o.absent("dst")
                }),
                Variant::file(
                    "directory destination",
                    vec![Node::text("src", TEXT), Node::dir("dst")],
                    Operation::copyfile("src", "dst"),
                    |o, _| {
                        o.raised("IsADirectoryError", Some(Errno::ISDIR))?;
                        o.kind_of("dst", Kind::Dir)
                    },
                ),
            ],
        ),
        Case::new(
            9,
            "Symlink source, follow_symlinks=False → a symlink with the same target (test_copyfile_symlinks)",
            vec![Variant::file(
                "copyfile",
                vec![Node::text("src", TEXT), Node::symlink("link", "src")],
                Operation::copyfile("link", "dst").no_follow(),
                |o, _| {
                    o.returned_path("dst")?;
                    o.link_to("dst", "src")
                },
            )],
        )
        .quick(),
        Case::new(
            10,
            "Existing, longer destination → truncated and replaced",
            vec![Variant::file(
                "copyfile",
                vec![Node::random("src", 1_000, 1), Node::random("dst", 50_000, 2)],
                Operation::copyfile("src", "dst"),
                |o, _| o.same_content("dst", "src"),
            )],
        ),
        Case::new(
            11,
            "Empty source → empty destination (TestZeroCopy*.test_empty_file)",
            vec![Variant::file(
                "copyfile",
                vec![Node::file("src", Content::Bytes(Vec::new()))],
                Operation::copyfile("src", "dst"),
                |o, _| {
                    o.returned_path("dst")?;
                    o.content_is("dst", b"")
                },
            )],
        ),
        Case::new(
            12,
            "Fast path succeeds → the buffered fallback is never used (test_regular_copy)",
            vec![Variant::file("copyfile", vec![Node::random("src", 100_000, 3)], Operation::copyfile("src", "dst"), |o, _| {
                o.same_content("dst", "src")
            })
            .applies(has_fast_path)
            .engine_check(|o, subject| {
                let Some(trace) = &o.engine else { return Ok(()) };
                let used = trace.strategy_used;
                let buffered = used.is_some_and(|s| !is_in_kernel(s));
                let own = subject.strategy();
                if buffered || (own != Strategy::Auto && (used != Some(own) || !trace.fallbacks.is_empty())) {
                    return Err(format!("copied by {used:?} after fallbacks {:?}", trace.fallbacks));
                }
                Ok(())
            })],
        ),
        Case::new(
            17,
            "Block size of the in-kernel loops: max(st_size, 8 MiB), so a 9 MiB file is one call and the 0 (test_blocksize_arg)",
            vec![Variant::file(
                "9 MiB + 3",
                vec![Node::random("src", (9 << 20) + 3, 4)],
                Operation::copyfile("src", "dst"),
                |o, _| o.same_content("dst", "src"),
            )
            .applies(|s| match s.strategy() {
                Strategy::Sendfile | Strategy::CopyFileRange | Strategy::Auto => Ok(()),
                other => Err(format!("{other} does not size its calls from st_size (CPython's sendfile and copy_file_range loops do)")),
            })
            .engine_check(|o, _| {
                let Some(trace) = &o.engine else { return Ok(()) };
                let call = match trace.strategy_used {
                    Some(Strategy::Sendfile) => Syscall::Sendfile,
                    Some(Strategy::CopyFileRange) => Syscall::CopyFileRange,
                    other => return Err(format!("copied by {other:?}, not an in-kernel loop")),
                };
                let calls = trace.counts.get(call);
                if calls <= 2 {
                    Ok(())
                } else {
                    Err(format!("{calls} {call} calls for 9 MiB: blocks smaller than max(st_size, 8 MiB)"))
                }
            })],
        ),
        Case::new(
            18,
            "Size under-reported (st_size 0, /proc/filesystems) → the loop runs until the syscall returns 0 (test_small_chunks)",
            vec![Variant::file("/proc/filesystems", vec![], Operation::copyfile("/proc/filesystems", "dst"), |o, _| {
                plain_read_copied(o, "/proc/filesystems")
            })],
        ),
        Case::new(
            19,
            "Size over-reported (a sysfs file: st_size 4096, a few bytes of content) → still correct (test_big_chunk)",
            vec![Variant::file("sysfs", vec![], Operation::copyfile(SYSFS_FILE, "dst"), |o, _| plain_read_copied(o, SYSFS_FILE))
                .requires(Requirement::Exists(SYSFS_FILE))],
        ),
        Case::new(
            20,
            "A file with st_size 0 that has content (/proc/version, stable unlike /proc/cpuinfo's MHz) → equals a plain read",
            vec![Variant::file("/proc/version", vec![], Operation::copyfile("/proc/version", "dst"), |o, _| {
                plain_read_copied(o, "/proc/version")
            })],
        ),
        Case::not_run(
            23,
            "Buffered copy from a source positioned at offset N copies only the tail (test_file_offset)",
            Copies::File,
            "the engine's public API copies paths, not open files positioned by the caller",
        ),
        buffered_sizes(),
        Case::new(
            25,
            "copy(src, dir) → dir/basename with the mode bits (test_copy)",
            vec![Variant::file(
                "copy",
                vec![Node::random("src", 3_000, 5).mode(0o640), Node::dir("out")],
                Operation::copy("src", "out"),
                |o, _| {
                    o.returned_path("out/src")?;
                    o.same_content("out/src", "src")?;
                    o.mode_of("out/src", 0o640)
                },
            )],
        ),
        Case::new(
            26,
            "copy2 → mode bits, atime and mtime to the nanosecond (test_copy2)",
            vec![
                Variant::file(
                    "copy2",
                    vec![Node::random("src", 3_000, 6).mode(0o600)],
                    Operation::copy2("src", "dst"),
                    |o, _| {
                        o.same_content("dst", "src")?;
                        o.mode_of("dst", 0o600)?;
                        o.times_copied("dst")
                    },
                ),
                // Under relatime the read moves an old atime; CPython's copystat stats the
                // source after copyfile read it, so the copy gets the moved atime.
                Variant::file(
                    "copy2, atime moved by the read",
                    vec![Node::random("src", 3_000, 6)],
                    Operation::copy2("src", "dst"),
                    |o, _| o.times_copied("dst"),
                )
                .past_atime(),
            ],
        )
        .quick(),
        Case::new(
            27,
            "copy2 copies user.* xattrs, also from a read-only 0o444 source (test_copy2_xattr, test_copyxattr)",
            vec![Variant::file(
                "copy2",
                vec![Node::text("src", TEXT).xattr("user.one", b"1").xattr("user.two", b"2").mode(0o444)],
                Operation::copy2("src", "dst"),
                |o, _| {
                    let (src, dst) = (o.entry("src")?, o.entry("dst")?);
                    if src.xattrs.len() != 2 || dst.xattrs != src.xattrs {
                        return Err(format!("dst xattrs {:?}, source {:?}", dst.xattrs, src.xattrs));
                    }
                    o.mode_of("dst", 0o444)
                },
            )],
        ),
        Case::new(
            28,
            "setxattr refused (EPERM) for one attribute → the others still copied; listxattr ENOTSUP ignored (test_copyxattr)",
            vec![
                Variant::file(
                    "setxattr EPERM",
                    vec![Node::text("src", TEXT).xattr("user.one", b"1").xattr("user.two", b"2")],
                    Operation::copy2("src", "dst"),
                    |o, _| {
                        o.succeeded()?;
                        let n = o.entry("dst")?.xattrs.len();
                        if n == 1 {
                            Ok(())
                        } else {
                            Err(format!("dst has {n} xattrs, expected 1 of 2"))
                        }
                    },
                )
                .with_faults(crate::conformance::case::FaultPlan::FirstOf(
                    &[Syscall::Fsetxattr, Syscall::Setxattr, Syscall::Lsetxattr],
                    Errno::PERM,
                )),
                Variant::file(
                    "listxattr ENOTSUP",
                    vec![Node::text("src", TEXT).xattr("user.one", b"1")],
                    Operation::copy2("src", "dst"),
                    |o, _| {
                        o.succeeded()?;
                        o.same_content("dst", "src")
                    },
                )
                .with_faults(crate::conformance::case::FaultPlan::FirstOf(
                    &[Syscall::Flistxattr, Syscall::Listxattr, Syscall::Llistxattr],
                    Errno::OPNOTSUPP,
                )),
            ],
        ),
        Case::new(
            29,
            "copy / copy2 with follow_symlinks=False on a link → a link (test_copy_symlinks, test_copy2_symlinks)",
            [copybench_engine::Mode::Copy, copybench_engine::Mode::Copy2]
                .into_iter()
                .map(|mode| {
                    Variant::file(
                        mode.name(),
                        vec![Node::text("src", TEXT), Node::symlink("link", "src")],
                        Operation::file(mode, "link", "dst").no_follow(),
                        |o, _| {
                            o.returned_path("dst")?;
                            o.link_to("dst", "src")
                        },
                    )
                })
                .collect(),
        ),
        Case::new(
            30,
            "copy(dir, dir) → is-a-directory error about the source (test_copy_dir)",
            vec![Variant::file("copy", vec![Node::dir("d")], Operation::copy("d", "d"), |o, _| {
                o.raised("IsADirectoryError", Some(Errno::ISDIR))?;
                o.error_names("d")
            })],
        ),
        Case::new(
            31,
            "Sparse source → content equal; whether holes were kept is reported",
            vec![Variant::file(
                "4 MiB, 8 KiB of data",
                vec![Node::file(
                    "src",
                    Content::Sparse { len: 4 << 20, data: vec![(0, 4096), (2 << 20, 4096)] },
                )],
                Operation::copyfile("src", "dst"),
                |o, _| o.same_content("dst", "src"),
            )
            .note(|o| {
                let (src, dst) = (o.entry("src").ok()?, o.entry("dst").ok()?);
                let kept = if dst.allocated < 4 << 20 { "holes kept" } else { "holes filled" };
                Some(format!(
                    "{kept}: {} KiB allocated for 4096 KiB (source {} KiB)",
                    dst.allocated >> 10,
                    src.allocated >> 10
                ))
            })],
        ),
    ]
}

/// Stable, tiny and present on most kernels; st_size is 4096 as for every sysfs attribute.
const SYSFS_FILE: &str = "/sys/kernel/mm/transparent_hugepage/enabled";

/// `dst` holds what a plain read of `source` gives now.
fn plain_read_copied(o: &Observed, source: &str) -> Check {
    let data = std::fs::read(source).map_err(|e| format!("cannot read {source}: {e}"))?;
    if data.is_empty() {
        return Err(format!(
            "{source} reads empty here: the case proves nothing"
        ));
    }
    o.content_is("dst", &data)
}

/// Strategies with an in-kernel fast path to succeed or give up on (and `auto`, which tries
/// them first); loops in userspace have none.
pub(crate) fn has_fast_path(subject: SubjectId) -> Check {
    let s = subject.strategy();
    if is_in_kernel(s) || s == Strategy::Auto {
        Ok(())
    } else if let Some(why) = s.uncounted_reason() {
        Err(format!("which path {s} takes cannot be seen: {why}"))
    } else {
        Err(format!(
            "{s} copies in userspace: it has no fast path to give up on"
        ))
    }
}

/// Case 24: for each buffer size, files of 0, 1, chunk−1, chunk, chunk+1 and 3·chunk+7 bytes.
fn buffered_sizes() -> Case {
    let mut variants = Vec::new();
    for chunk in [16u64 << 10, 64 << 10, 256 << 10, 1 << 20] {
        for len in [0, 1, chunk - 1, chunk, chunk + 1, 3 * chunk + 7] {
            variants.push(
                Variant::file(
                    format!("chunk {} KiB, {len} bytes", chunk >> 10),
                    vec![Node::random("src", len, len ^ chunk)],
                    Operation::copyfile("src", "dst"),
                    |o, _| o.same_content("dst", "src"),
                )
                .applies(move |s| match buffer_size(s.strategy()) {
                    Some(size) if size == chunk => Ok(()),
                    // Another loop's chunk: not this subject's variant (an empty reason).
                    Some(_) => Err(String::new()),
                    None => Err(format!(
                        "{} is not a buffered or readinto loop (its sizes are case 43's)",
                        s.strategy()
                    )),
                }),
            );
        }
    }
    Case::new(
        24,
        "Buffered and readinto copies of 0, 1, chunk−1, chunk, chunk+1 and 3·chunk+7 bytes → identical",
        variants,
    )
}
