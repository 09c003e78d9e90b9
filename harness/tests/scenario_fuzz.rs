//! The scenario parser on hostile input: arbitrary bytes, and arbitrary TOML built from the
//! schema's own keys with values of every type and size. It never panics, and every error
//! names the file.

use proptest::prelude::*;

const KEYS: &[&str] = &[
    "name",
    "description",
    "fixture",
    "target",
    "strategies",
    "walkers",
    "child_strategies",
    "child_walkers",
    "jobs",
    "tree_strategy",
    "mode",
    "peers",
    "reference",
    "cache",
    "fsync",
    "warmup",
    "samples",
    "scale",
    "timed_as",
    "kind",
    "seed",
    "size",
    "files",
    "dirs",
    "size_min",
    "size_max",
    "symlinks",
];

const WORDS: &[&str] = &[
    "file",
    "tree",
    "sendfile",
    "buffered-64k",
    "lean",
    "scandir",
    "cp",
    "python-shutil",
    "same-fs",
    "/tmp",
    "..",
    "../../x",
    "",
    "1MiB",
    "512 MB",
    "18446744073709551615",
    "cold",
    "copy2",
    "child-process",
];

fn value() -> impl Strategy<Value = toml::Value> {
    let leaf = prop_oneof![
        any::<i64>().prop_map(toml::Value::Integer),
        prop_oneof![
            Just(0i64),
            Just(1),
            Just(2),
            Just(-1),
            Just(i64::MAX),
            Just(u32::MAX as i64 + 1)
        ]
        .prop_map(toml::Value::Integer),
        any::<f64>().prop_map(toml::Value::Float),
        any::<bool>().prop_map(toml::Value::Boolean),
        prop::sample::select(WORDS).prop_map(|w| toml::Value::String(w.to_owned())),
        ".{0,12}".prop_map(toml::Value::String),
    ];
    leaf.prop_recursive(3, 24, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(toml::Value::Array),
            prop::collection::btree_map(
                prop::sample::select(KEYS).prop_map(str::to_owned),
                inner,
                0..6
            )
            .prop_map(|m| toml::Value::Table(m.into_iter().collect())),
        ]
    })
}

fn scenario_table() -> impl Strategy<Value = toml::Table> {
    prop::collection::btree_map(
        prop::sample::select(KEYS).prop_map(str::to_owned),
        value(),
        0..12,
    )
    .prop_map(|m| m.into_iter().collect())
}

fn document() -> impl Strategy<Value = String> {
    prop::collection::vec(scenario_table(), 0..3).prop_map(|tables| {
        let mut doc = toml::Table::new();
        doc.insert(
            "scenario".to_owned(),
            toml::Value::Array(tables.into_iter().map(toml::Value::Table).collect()),
        );
        toml::to_string(&doc).unwrap_or_default()
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_toml_is_parsed_or_refused_naming_the_file(text in document()) {
        if let Err(e) = copybench_harness::parse(&text, "fuzz.toml") {
            prop_assert_eq!(&e.file, "fuzz.toml");
            prop_assert!(e.to_string().starts_with("fuzz.toml:"), "{}", e);
        }
    }

    #[test]
    fn arbitrary_bytes_in_a_file_are_refused_naming_it(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bytes.toml");
        std::fs::write(&path, &bytes).unwrap();
        match copybench_harness::load(&path) {
            Ok(scenarios) => prop_assert!(!scenarios.is_empty()),
            Err(e) => prop_assert!(e.to_string().contains(&*path.to_string_lossy()), "{}", e),
        }
    }
}
