//! Cases 43 and 45 of docs/conformance.md: every strategy over many sizes, and awkward names.

use crate::conformance::case::{Case, Operation, TreeCall, Variant};
use crate::conformance::fixture::Node;

const SIZES: &[u64] = &[
    0,
    1,
    4095,
    4096,
    65535,
    65536,
    65537,
    (1 << 20) - 1,
    (1 << 20) + 1,
    (8 << 20) + 3,
    100 << 20,
];

pub(crate) fn cases() -> Vec<Case> {
    vec![
        Case::new(
            43,
            "Every strategy × sizes 0 … 100 MiB → identical bytes",
            SIZES
                .iter()
                .map(|&len| {
                    Variant::file(
                        format!("{len} bytes"),
                        vec![Node::random("src", len, 43 + len)],
                        Operation::copyfile("src", "dst"),
                        |o, _| o.same_content("dst", "src"),
                    )
                })
                .collect(),
        ),
        Case::new(45, "Non-UTF-8 names, spaces, newlines, leading dashes, paths over 255 bytes → copied as they are", names()),
    ]
}

/// Names a careless copy mangles: each as a source and a destination name.
const NAMES: &[&[u8]] = &[
    b"with space",
    b"new\nline",
    b"-leading-dash",
    b"latin1-\xe9\xff",
];

fn long_dir() -> Vec<u8> {
    // Three components of 120 bytes: 360 bytes in all, each under NAME_MAX.
    let part = vec![b'l'; 120];
    [part.clone(), part.clone(), part].join(&b'/')
}

fn names() -> Vec<Variant> {
    let mut variants: Vec<Variant> = NAMES
        .iter()
        .map(|name| {
            let mut dst = name.to_vec();
            dst.extend_from_slice(b".copy");
            let (src_name, dst_name) = (name.to_vec(), dst.clone());
            Variant::file(
                String::from_utf8_lossy(name).escape_debug().to_string(),
                vec![Node::random(name, 2_000, 45)],
                Operation::file(copybench_engine::Mode::Copy2, name, &dst),
                move |o, _| {
                    o.returned_path(&dst_name)?;
                    o.same_content(&dst_name, &src_name)
                },
            )
        })
        .collect();
    let mut long_src = long_dir();
    long_src.extend_from_slice(b"/file");
    let mut long_dst = long_dir();
    long_dst.extend_from_slice(b"/file.copy");
    let (src_name, dst_name) = (long_src.clone(), long_dst.clone());
    variants.push(Variant::file(
        "360-byte path",
        vec![Node::random(&long_src, 2_000, 46)],
        Operation::file(copybench_engine::Mode::Copy2, &long_src, &long_dst),
        move |o, _| o.same_content(&dst_name, &src_name),
    ));
    let mut tree: Vec<Node> = NAMES
        .iter()
        .map(|name| {
            let mut path = b"src/".to_vec();
            path.extend_from_slice(name);
            Node::random(path, 300, 47)
        })
        .collect();
    let mut deep = b"src/".to_vec();
    deep.extend_from_slice(&long_dir());
    deep.extend_from_slice(b"/file");
    tree.push(Node::random(deep, 300, 48));
    variants.push(Variant::tree(
        "a tree of them",
        tree,
        TreeCall {
            ..Operation::copytree("src", "dst")
        },
        |o, _| o.tree_copied("src", "dst", &[]),
    ));
    variants
}
