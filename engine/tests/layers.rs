//! The engine's modules form layers with no cycle: each top-level module (`sys`, `content`,
//! `strategy`, …) may use only the modules below it. Read from the source: every `crate::x`
//! path outside comments is an edge from the file's module to `x`, and inside the engine paths
//! name the defining module (`crate::error::CopyError`, not the root's re-export
//! `crate::CopyError`), so the edges are the real ones.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Lowest first. A module may use those listed before it, never one after it; `file` and
/// `tree` are peers (neither uses the other), as are `strategy` and `metadata`.
const LAYERS: &[(&str, &[&str])] = &[
    ("errno", &[]),
    ("sys", &["errno"]),
    ("error", &["errno", "sys"]),
    ("content", &["errno", "sys", "error"]),
    ("strategy", &["errno", "sys", "error", "content"]),
    ("metadata", &["errno", "sys", "error", "content"]),
    (
        "file",
        &["errno", "sys", "error", "content", "strategy", "metadata"],
    ),
    (
        "tree",
        &["errno", "sys", "error", "content", "strategy", "metadata"],
    ),
];

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The top-level module a source file belongs to (`strategy/auto.rs` → `strategy`).
fn module_of(src: &Path, file: &Path) -> String {
    let rel = file.strip_prefix(src).unwrap();
    let first = rel
        .components()
        .next()
        .unwrap()
        .as_os_str()
        .to_string_lossy();
    first.trim_end_matches(".rs").to_owned()
}

/// The modules `text` names as `crate::<name>` or in a `crate::{a, b::c}` group, outside
/// comments.
fn used_modules(text: &str) -> BTreeSet<String> {
    let code: String = text
        .lines()
        .map(|line| line.find("//").map_or(line, |i| &line[..i]))
        .collect::<Vec<_>>()
        .join("\n");
    let ident = |s: &str| -> String {
        s.trim_start()
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect()
    };
    let mut used = BTreeSet::new();
    let mut rest = code.as_str();
    while let Some(i) = rest.find("crate::") {
        rest = &rest[i + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            // The first name of each item at the group's own depth.
            let (mut depth, mut start) = (1, true);
            for (k, c) in group.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 1 => break,
                    '}' => depth -= 1,
                    ',' if depth == 1 => start = true,
                    _ if start && !c.is_whitespace() => {
                        used.insert(ident(&group[k..]));
                        start = false;
                    }
                    _ => {}
                }
            }
        } else {
            used.insert(ident(rest));
        }
    }
    used.remove("");
    used
}

#[test]
fn every_module_uses_only_the_layers_below_it() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let allowed: BTreeMap<&str, &[&str]> = LAYERS.iter().copied().collect();
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut wrong = Vec::new();
    for file in &files {
        let module = module_of(&src, file);
        if module == "lib" {
            continue; // the public face re-exports every layer
        }
        let Some(below) = allowed.get(module.as_str()) else {
            wrong.push(format!(
                "{}: module `{module}` is in no layer of tests/layers.rs",
                file.display()
            ));
            continue;
        };
        for used in used_modules(&std::fs::read_to_string(file).unwrap()) {
            if used == module {
                continue;
            }
            if !below.contains(&used.as_str()) {
                wrong.push(format!(
                    "{}: `{module}` uses `crate::{used}`, which is not below it",
                    file.display()
                ));
            }
            edges.entry(module.clone()).or_default().insert(used);
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    // The layers themselves must be a cycle-free order: everything a layer may use comes
    // earlier in the list.
    for (i, (name, below)) in LAYERS.iter().enumerate() {
        for b in *below {
            let j = LAYERS.iter().position(|(n, _)| n == b).unwrap();
            assert!(j < i, "{name} may use {b}, which is not below it");
        }
    }
}

#[test]
fn the_reader_sees_use_groups_and_ignores_comments() {
    let used = used_modules(
        "use crate::{\n    content::Side,\n    sys::{self, Fd},\n};\n// crate::tree\nlet x = crate::errno::name(e);",
    );
    let used: Vec<&str> = used.iter().map(String::as_str).collect();
    assert_eq!(used, ["content", "errno", "sys"]);
}
