//! The result's JSON Schema, generated from the types, is the one checked in
//! (`docs/result-schema.json`), and `docs/result-schema.md` documents exactly its fields: every
//! field of the schema has a row, every row is a field, and a field that may be null says so.
//!
//! After changing a result type: `UPDATE_SCHEMA=1 cargo test -p copybench-result --test schema`
//! rewrites the JSON file; the Markdown page is edited by hand, and this test says what is off.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde_json::Value;

fn docs() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../docs")
}

fn schema() -> Value {
    serde_json::to_value(copybench_result::json_schema()).unwrap()
}

#[test]
fn the_checked_in_schema_is_the_one_the_types_generate() {
    let path = docs().join("result-schema.json");
    let generated = serde_json::to_string_pretty(&schema()).unwrap() + "\n";
    if std::env::var_os("UPDATE_SCHEMA").is_some() {
        std::fs::write(&path, &generated).unwrap();
    }
    let checked_in = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        checked_in == generated,
        "{} is not what the result types generate: run UPDATE_SCHEMA=1 cargo test -p copybench-result --test schema",
        path.display()
    );
}

/// What the schema says of one field.
#[derive(Debug, PartialEq)]
struct Field {
    nullable: bool,
    /// An array or a map: "null / empty: yes" may also mean empty.
    collection: bool,
}

/// `schema` with `$ref`s resolved against `root`'s `$defs`, and whether it admits null.
fn resolve<'a>(root: &'a Value, schema: &'a Value) -> (&'a Value, bool) {
    if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
        let name = reference.trim_start_matches("#/$defs/");
        return resolve(root, &root["$defs"][name]);
    }
    if let Some(options) = schema.get("anyOf").and_then(Value::as_array) {
        let null = options.iter().any(|o| o["type"] == "null");
        let rest: Vec<&Value> = options.iter().filter(|o| o["type"] != "null").collect();
        if let [only] = rest.as_slice() {
            let (inner, inner_null) = resolve(root, only);
            return (inner, null || inner_null);
        }
        return (schema, null);
    }
    let null = match &schema["type"] {
        Value::Array(types) => types.iter().any(|t| t == "null"),
        _ => false,
    };
    (schema, null)
}

fn has_type(schema: &Value, wanted: &str) -> bool {
    match &schema["type"] {
        Value::String(t) => t == wanted,
        Value::Array(types) => types.iter().any(|t| t == wanted),
        _ => false,
    }
}

/// Every field path in the page's notation: `a.b` a key, `a[]` each element of an array,
/// `a{}` each value of a map whose values are objects (a map of plain values is one row).
fn fields(root: &Value, schema: &Value, prefix: &str, out: &mut BTreeMap<String, Field>) {
    let (schema, _) = resolve(root, schema);
    let Some(properties) = schema.get("properties").and_then(Value::as_object) else {
        return;
    };
    for (name, property) in properties {
        let (resolved, nullable) = resolve(root, property);
        let path = if prefix.is_empty() {
            name.clone()
        } else {
            format!("{prefix}.{name}")
        };
        if has_type(resolved, "array") {
            let path = format!("{path}[]");
            out.insert(
                path.clone(),
                Field {
                    nullable,
                    collection: true,
                },
            );
            fields(root, &resolved["items"], &path, out);
        } else if let Some(values) = resolved
            .get("additionalProperties")
            .filter(|v| v.is_object())
        {
            let (values, _) = resolve(root, values);
            if values.get("properties").is_some() {
                let path = format!("{path}{{}}");
                out.insert(
                    path.clone(),
                    Field {
                        nullable,
                        collection: true,
                    },
                );
                fields(root, values, &path, out);
            } else {
                out.insert(
                    path,
                    Field {
                        nullable,
                        collection: true,
                    },
                );
            }
        } else {
            out.insert(
                path.clone(),
                Field {
                    nullable,
                    collection: false,
                },
            );
            fields(root, resolved, &path, out);
        }
    }
}

/// The page's rows: `| \`path\` | type | null / empty | meaning |` → (path, says yes).
fn documented() -> BTreeMap<String, bool> {
    let page = std::fs::read_to_string(docs().join("result-schema.md")).unwrap();
    page.lines()
        .filter(|l| l.starts_with("| `"))
        .map(|l| {
            let cells: Vec<&str> = l.split('|').map(str::trim).collect();
            let nullable = match cells[3] {
                "yes" => true,
                "no" => false,
                other => panic!(
                    "`{}`: null / empty must be yes or no, not `{other}`",
                    cells[1]
                ),
            };
            (cells[1].trim_matches('`').to_owned(), nullable)
        })
        .collect()
}

#[test]
fn the_schema_page_documents_exactly_the_schemas_fields() {
    let root = schema();
    let mut in_schema = BTreeMap::new();
    fields(&root, &root, "", &mut in_schema);
    assert!(in_schema.len() > 100, "{} fields", in_schema.len());
    let in_page = documented();
    let mut problems = Vec::new();
    for (path, field) in &in_schema {
        match in_page.get(path) {
            None => problems.push(format!("`{path}` is in the schema but not in the page")),
            Some(false) if field.nullable => {
                problems.push(format!("`{path}` may be null but the page says no"))
            }
            Some(true) if !field.nullable && !field.collection => {
                problems.push(format!("`{path}` is never null but the page says yes"))
            }
            Some(_) => {}
        }
    }
    for path in in_page.keys() {
        if !in_schema.contains_key(path) {
            problems.push(format!("`{path}` is in the page but not in the schema"));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
