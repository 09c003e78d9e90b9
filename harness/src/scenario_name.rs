//! Scenario names are not paths. A name becomes a directory below the work directory
//! (`runs/<run>/<name>`, `conformance/<name>`), so `../../victim`, `/some/dir` or `..` would
//! let a scenario file write or delete outside it: names are checked where the file is read,
//! and two scenarios of one run may not share one (their directories would be the same).

use crate::scenario::{Scenario, ScenarioError};

/// Longest name accepted, in bytes (a directory name, with room for what the runner adds).
pub const MAX_LEN: usize = 100;

/// A scenario name that is safe as one directory name.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ScenarioName(String);

impl ScenarioName {
    /// Checks `name`; the error says what is wrong, for the validator to locate.
    pub fn parse(name: &str) -> Result<ScenarioName, String> {
        let why = if name.is_empty() {
            Some("a name is needed: it names the scenario's directories and results".to_owned())
        } else if name.len() > MAX_LEN {
            Some(format!(
                "{} bytes is too long for a name (at most {MAX_LEN})",
                name.len()
            ))
        } else if name.contains('/') {
            Some("a name cannot contain `/`: it is used as one directory name".to_owned())
        } else if name.starts_with('.') {
            Some("a name cannot start with `.` (`.`, `..` and hidden names are not scenario directories)".to_owned())
        } else {
            name.chars()
                .find(|c| c.is_control())
                .map(|c| format!("a name cannot contain the control character {c:?}"))
        };
        match why {
            Some(why) => Err(format!("`{}`: {why}", name.escape_default())),
            None => Ok(ScenarioName(name.to_owned())),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Refuses two scenarios with one name among `scenarios` (one run, maybe several files), and
/// any name [`ScenarioName::parse`] refuses (scenarios built without the parser).
pub fn check_run(scenarios: &[Scenario]) -> Result<(), ScenarioError> {
    let mut seen: std::collections::BTreeMap<&str, &Scenario> = Default::default();
    for scenario in scenarios {
        let located = |message: String| ScenarioError {
            file: scenario.file.clone(),
            line: scenario.name_line,
            key: format!("scenario[{}].name", scenario.index_in_file),
            message,
        };
        ScenarioName::parse(&scenario.name).map_err(located)?;
        if let Some(first) = seen.insert(&scenario.name, scenario) {
            return Err(located(format!(
                "a second scenario named `{}` in this run (the first is at {}:{})",
                scenario.name, first.file, first.name_line
            )));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_that_are_paths_are_refused() {
        for bad in [
            "",
            "..",
            ".",
            "../../victim",
            "/some/dir",
            "a/b",
            ".hidden",
            "nul\0byte",
            "tab\there",
        ] {
            assert!(ScenarioName::parse(bad).is_err(), "{bad:?} accepted");
        }
        assert!(ScenarioName::parse(&"x".repeat(MAX_LEN + 1)).is_err());
        for good in [
            "tree-8000",
            "single-512mib",
            "cold file 64 MiB",
            "a..b",
            "é",
        ] {
            assert_eq!(ScenarioName::parse(good).unwrap().as_str(), good);
        }
    }
}
