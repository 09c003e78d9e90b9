//! Whether a baseline was measured where the result was: the properties that move figures
//! (CPU model, kernel, filesystem type and mount options). A difference is a warning, and a
//! failure with `--strict`.

use std::collections::{BTreeMap, BTreeSet};

use copybench_result::Environment;
use serde::Serialize;

/// One property whose value differs, with both values.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct EnvironmentDifference {
    /// `CPU model`, `kernel`, `work filesystem type`, `target mount options`, …
    pub property: String,
    pub baseline: String,
    pub result: String,
}

/// The properties that differ between the two environments, in a fixed order.
pub fn differences(baseline: &Environment, result: &Environment) -> Vec<EnvironmentDifference> {
    let mut out = Vec::new();
    let mut compare = |property: String, a: String, b: String| {
        if a != b {
            out.push(EnvironmentDifference {
                property,
                baseline: a,
                result: b,
            });
        }
    };
    compare(
        "CPU model".into(),
        known(&baseline.cpu_model),
        known(&result.cpu_model),
    );
    compare(
        "kernel".into(),
        known(&baseline.kernel),
        known(&result.kernel),
    );
    let (before, after) = (filesystems(baseline), filesystems(result));
    let roles: BTreeSet<&String> = before.keys().chain(after.keys()).collect();
    for role in roles {
        let empty = Filesystems::default();
        let a = before.get(role).unwrap_or(&empty);
        let b = after.get(role).unwrap_or(&empty);
        compare(
            format!("{role} filesystem type"),
            joined(&a.types),
            joined(&b.types),
        );
        compare(
            format!("{role} mount options"),
            joined(&a.options),
            joined(&b.options),
        );
    }
    out
}

/// The distinct filesystem types and mount options seen in one role (a run records one source
/// and one target per scenario).
#[derive(Default)]
struct Filesystems {
    types: BTreeSet<String>,
    options: BTreeSet<String>,
}

fn filesystems(environment: &Environment) -> BTreeMap<String, Filesystems> {
    let mut by_role: BTreeMap<String, Filesystems> = BTreeMap::new();
    for fs in &environment.filesystems {
        let entry = by_role.entry(fs.role.clone()).or_default();
        entry.types.insert(fs.fs_type.clone());
        entry.options.insert(known(&fs.mount_options));
    }
    by_role
}

/// A property the environment may not have recorded: `unknown` then, which differs from any
/// recorded value (a baseline that cannot say cannot vouch).
fn known(value: &Option<String>) -> String {
    value.clone().unwrap_or_else(|| "unknown".to_string())
}

fn joined(values: &BTreeSet<String>) -> String {
    if values.is_empty() {
        return "none recorded".to_string();
    }
    values.iter().cloned().collect::<Vec<_>>().join(" · ")
}

#[cfg(test)]
mod tests {
    use copybench_result::FilesystemInfo;

    use super::*;

    fn environment(kernel: &str, fs_type: &str) -> Environment {
        Environment {
            hostname: Some("vm".into()),
            cpu_model: Some("Intel(R) Xeon(R) Processor".into()),
            logical_cores: Some(2),
            physical_cores: Some(2),
            memory_bytes: None,
            os: "Linux".into(),
            kernel: Some(kernel.into()),
            targets: Vec::new(),
            filesystems: vec![FilesystemInfo {
                role: "target".into(),
                path: "/w/runs/x".into(),
                fs_type: fs_type.into(),
                mount_point: Some("/".into()),
                mount_options: Some("rw,relatime".into()),
                device: "/dev/vda".into(),
            }],
            tools: BTreeMap::new(),
            interpreters: vec![],
        }
    }

    #[test]
    fn the_same_environment_has_no_differences() {
        let env = environment("6.1.0", "ext4");
        assert!(differences(&env, &env).is_empty());
    }

    #[test]
    fn differences_name_the_property_and_both_values() {
        let found = differences(
            &environment("6.1.0", "ext4"),
            &environment("6.8.0", "tmpfs"),
        );
        assert_eq!(
            found,
            vec![
                EnvironmentDifference {
                    property: "kernel".into(),
                    baseline: "6.1.0".into(),
                    result: "6.8.0".into(),
                },
                EnvironmentDifference {
                    property: "target filesystem type".into(),
                    baseline: "ext4".into(),
                    result: "tmpfs".into(),
                },
            ]
        );
    }

    #[test]
    fn paths_and_hosts_are_not_differences() {
        let a = environment("6.1.0", "ext4");
        let mut b = a.clone();
        b.hostname = Some("runner-7".into());
        b.filesystems[0].path = "/elsewhere".into();
        assert!(differences(&a, &b).is_empty());
    }
}
