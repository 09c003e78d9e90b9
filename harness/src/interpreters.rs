//! Every CPython on the machine, so claims about one version against another are measured on
//! the real interpreters (docs/design.md, "Claims and verdicts").
//!
//! Candidates come from, in this order of preference: `--python PATH` and a scenario's
//! `pythons`, `python3` and `python3.X` / `python2.X` on PATH, and pyenv's versions directory
//! (`$PYENV_ROOT/versions`, else `~/.pyenv/versions`). Each candidate is asked for
//! `sys.executable` and its version, so a pyenv shim (a shell script that adds ~66 ms to every
//! start, docs/design.md "Interpreter shims") is never what gets timed; an executable that is
//! itself a script is refused. Interpreters found twice (a PATH entry and its pyenv directory)
//! are kept once, under the first way they were found.

use std::fmt;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::str::FromStr;

use copybench_result::InterpreterInfo;

/// Prints what a candidate is, on Python 2.7 as on 3.x: `sys.executable`, the implementation,
/// the version.
const PROBE: &str = "import platform, sys; sys.stdout.write('\\n'.join([sys.executable, \
     platform.python_implementation(), '%d.%d.%d' % tuple(sys.version_info[:3])]) + '\\n')";

/// A CPython release, `3.7.16`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PythonVersion {
    pub major: u32,
    pub minor: u32,
    pub micro: u32,
}

impl fmt::Display for PythonVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.micro)
    }
}

impl FromStr for PythonVersion {
    type Err = String;
    fn from_str(text: &str) -> Result<PythonVersion, String> {
        let selector: VersionSelector = text.parse()?;
        match selector.micro {
            Some(micro) => Ok(PythonVersion {
                major: selector.major,
                minor: selector.minor,
                micro,
            }),
            None => Err(format!("`{text}` is not a full version such as 3.7.16")),
        }
    }
}

/// A version as a scenario asks for it: `3.7` (the first 3.7.x found) or `3.7.16` (exactly).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct VersionSelector {
    pub major: u32,
    pub minor: u32,
    pub micro: Option<u32>,
}

impl VersionSelector {
    pub fn matches(&self, version: PythonVersion) -> bool {
        self.major == version.major
            && self.minor == version.minor
            && self.micro.is_none_or(|m| m == version.micro)
    }
}

impl fmt::Display for VersionSelector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.major, self.minor)?;
        if let Some(micro) = self.micro {
            write!(f, ".{micro}")?;
        }
        Ok(())
    }
}

impl FromStr for VersionSelector {
    type Err = String;
    fn from_str(text: &str) -> Result<VersionSelector, String> {
        let bad = || format!("`{text}` is not a Python version: write 3.8 or 3.8.18");
        let parts: Vec<&str> = text.split('.').collect();
        if !(2..=3).contains(&parts.len())
            || parts
                .iter()
                .any(|p| p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()))
        {
            return Err(bad());
        }
        let number = |p: &str| p.parse::<u32>().map_err(|_| bad());
        Ok(VersionSelector {
            major: number(parts[0])?,
            minor: number(parts[1])?,
            micro: parts.get(2).map(|p| number(p)).transpose()?,
        })
    }
}

/// How an interpreter was found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Origin {
    /// `--python PATH`.
    CommandLine,
    /// A scenario's `pythons`.
    Scenario,
    /// `python3`, `python3.X` or `python2.X` on PATH.
    Path,
    /// pyenv's versions directory.
    Pyenv,
}

impl Origin {
    pub fn name(self) -> &'static str {
        match self {
            Origin::CommandLine => "command-line",
            Origin::Scenario => "scenario",
            Origin::Path => "path",
            Origin::Pyenv => "pyenv",
        }
    }
}

/// One CPython, resolved.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Interpreter {
    pub version: PythonVersion,
    /// The real program (`sys.executable`, symlinks resolved): what peers run.
    pub executable: PathBuf,
    /// The path it was found as (a PATH entry, a shim, a pyenv `bin/python`).
    pub found_as: PathBuf,
    pub origin: Origin,
}

/// Why a candidate is not a usable CPython.
#[derive(Debug, thiserror::Error)]
pub enum InterpreterError {
    #[error("cannot run {path}: {source}")]
    Spawn {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path} failed ({status}): {stderr}")]
    Failed {
        path: PathBuf,
        status: std::process::ExitStatus,
        stderr: String,
    },
    #[error("{path} did not say what it is: {output:?}")]
    Unrecognised { path: PathBuf, output: String },
    #[error("{path} is {implementation}, not CPython")]
    NotCPython {
        path: PathBuf,
        implementation: String,
    },
    #[error("{path} reports {executable} as its interpreter, which cannot be read: {source}")]
    Unreadable {
        path: PathBuf,
        executable: PathBuf,
        source: std::io::Error,
    },
    /// A shim or wrapper: timing it would time a shell too.
    #[error("{path} reports {executable} as its interpreter, but that is a script, not the interpreter itself")]
    Script { path: PathBuf, executable: PathBuf },
}

/// Why a CPython peer has no interpreter to run.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum NoInterpreter {
    #[error("`python3` not found on PATH (install the Debian package `python3`)")]
    NoPython3,
    /// `python3` is there but not a usable CPython (the probe's error, as text: it is kept in
    /// [`Interpreters`] and handed to every peer that asks).
    #[error("`python3` is not usable: {0}")]
    Python3(String),
    #[error("{}", missing_version(selector, pyenv_versions.as_deref(), found))]
    Version {
        selector: VersionSelector,
        /// The pyenv versions directory looked in.
        pyenv_versions: Option<PathBuf>,
        /// The versions that were found.
        found: Vec<PythonVersion>,
    },
}

/// The version, where it was looked for, what was found instead, and how to get it.
fn missing_version(
    selector: &VersionSelector,
    pyenv_versions: Option<&Path>,
    found: &[PythonVersion],
) -> String {
    let pyenv = pyenv_versions
        .map(|d| format!(", {}", d.display()))
        .unwrap_or_default();
    let mut found = found.to_vec();
    found.sort();
    let found = match found.is_empty() {
        true => "none".to_owned(),
        false => found
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(", "),
    };
    format!(
        "CPython {selector} not found (looked on PATH for python{}.{}{pyenv}, and --python; found: {found}): install it with `pyenv install {selector}`, or name it with --python PATH",
        selector.major, selector.minor
    )
}

/// A candidate whose probe is running.
struct Probe {
    path: PathBuf,
    origin: Origin,
    child: Result<Child, std::io::Error>,
}

impl Probe {
    fn start(path: &Path, origin: Origin) -> Probe {
        let child = Command::new(path)
            .args(["-c", PROBE])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn();
        Probe {
            path: path.to_owned(),
            origin,
            child,
        }
    }

    fn finish(self) -> Result<Interpreter, InterpreterError> {
        let path = self.path;
        let output = self
            .child
            .and_then(Child::wait_with_output)
            .map_err(|source| InterpreterError::Spawn {
                path: path.clone(),
                source,
            })?;
        if !output.status.success() {
            return Err(InterpreterError::Failed {
                path,
                status: output.status,
                stderr: String::from_utf8_lossy(&output.stderr).trim().to_owned(),
            });
        }
        let text = String::from_utf8_lossy(&output.stdout).into_owned();
        let lines: Vec<&str> = text.lines().collect();
        let (executable, implementation, version) = match lines[..] {
            [exe, implementation, version] if !exe.is_empty() => {
                match version.parse::<PythonVersion>() {
                    Ok(v) => (PathBuf::from(exe), implementation, v),
                    Err(_) => return Err(InterpreterError::Unrecognised { path, output: text }),
                }
            }
            _ => return Err(InterpreterError::Unrecognised { path, output: text }),
        };
        if implementation != "CPython" {
            return Err(InterpreterError::NotCPython {
                path,
                implementation: implementation.to_owned(),
            });
        }
        let executable = real_program(&path, &executable)?;
        Ok(Interpreter {
            version,
            executable,
            found_as: path,
            origin: self.origin,
        })
    }
}

/// `executable` with symlinks resolved, refused when it is a script (`#!`) rather than a binary.
fn real_program(path: &Path, executable: &Path) -> Result<PathBuf, InterpreterError> {
    let unreadable = |source| InterpreterError::Unreadable {
        path: path.to_owned(),
        executable: executable.to_owned(),
        source,
    };
    let real = executable.canonicalize().map_err(unreadable)?;
    let mut head = [0u8; 2];
    let mut file = std::fs::File::open(&real).map_err(unreadable)?;
    let read = file.read(&mut head).map_err(unreadable)?;
    if read == 2 && &head == b"#!" {
        return Err(InterpreterError::Script {
            path: path.to_owned(),
            executable: real,
        });
    }
    Ok(real)
}

/// Resolves one candidate to its real interpreter and version.
pub fn resolve(path: &Path, origin: Origin) -> Result<Interpreter, InterpreterError> {
    Probe::start(path, origin).finish()
}

/// What [`discover`] found.
#[derive(Debug)]
pub struct Interpreters {
    /// In order of preference; each executable once.
    pub found: Vec<Interpreter>,
    /// `python3` on PATH, resolved, or why there is none.
    pub default: Result<Interpreter, NoInterpreter>,
    /// Candidates given explicitly (`--python`, `pythons`) that are not usable, with why.
    pub refused: Vec<(PathBuf, Origin, String)>,
    /// The pyenv versions directory looked in.
    pub pyenv_versions: Option<PathBuf>,
}

/// Finds every CPython: `explicit` candidates first (from `--python` and scenarios), then PATH,
/// then pyenv's versions directory. The probes run at once, as child processes (no threads).
pub fn discover(explicit: &[(PathBuf, Origin)]) -> Interpreters {
    let pyenv_versions = pyenv_versions_dir();
    let mut probes: Vec<Probe> = explicit
        .iter()
        .map(|(path, origin)| Probe::start(path, *origin))
        .collect();
    // The default python3 comes first among the PATH interpreters, before python3.X.
    let default_index = crate::peer::find_on_path("python3").map(|path| {
        probes.push(Probe::start(&path, Origin::Path));
        probes.len() - 1
    });
    for path in versioned_on_path() {
        probes.push(Probe::start(&path, Origin::Path));
    }
    if let Some(dir) = &pyenv_versions {
        for path in pyenv_candidates(dir) {
            probes.push(Probe::start(&path, Origin::Pyenv));
        }
    }
    let mut default = Err(NoInterpreter::NoPython3);
    let mut found: Vec<Interpreter> = Vec::new();
    let mut refused = Vec::new();
    for (index, probe) in probes.into_iter().enumerate() {
        let (path, origin) = (probe.path.clone(), probe.origin);
        let outcome = probe.finish();
        if Some(index) == default_index {
            default = outcome
                .as_ref()
                .map(Clone::clone)
                .map_err(|e| NoInterpreter::Python3(e.to_string()));
        }
        match outcome {
            Ok(interpreter) => {
                if !found.iter().any(|f| f.executable == interpreter.executable) {
                    found.push(interpreter);
                }
            }
            // A candidate someone named is reported; a PATH or pyenv entry that is not a
            // CPython (a broken venv, PyPy) is simply not one.
            Err(e) if matches!(origin, Origin::CommandLine | Origin::Scenario) => {
                refused.push((path, origin, e.to_string()));
            }
            Err(_) => {}
        }
    }
    Interpreters {
        found,
        default,
        refused,
        pyenv_versions,
    }
}

impl Interpreters {
    /// The first interpreter `selector` matches, or why there is none: the version, where it was
    /// looked for, and how to get it.
    pub fn find(&self, selector: VersionSelector) -> Result<&Interpreter, NoInterpreter> {
        self.found
            .iter()
            .find(|i| selector.matches(i.version))
            .ok_or_else(|| NoInterpreter::Version {
                selector,
                pyenv_versions: self.pyenv_versions.clone(),
                found: self.found.iter().map(|i| i.version).collect(),
            })
    }

    /// The environment's record of them; the default python3 is marked.
    pub fn infos(&self) -> Vec<InterpreterInfo> {
        let default = self.default.as_ref().ok().map(|d| &d.executable);
        let mut infos: Vec<InterpreterInfo> = self
            .found
            .iter()
            .map(|i| InterpreterInfo {
                version: i.version.to_string(),
                executable: i.executable.display().to_string(),
                found_as: i.found_as.display().to_string(),
                origin: i.origin.name().to_owned(),
                default_python3: Some(&i.executable) == default,
                unavailable: None,
            })
            .collect();
        infos.extend(
            self.refused
                .iter()
                .map(|(path, origin, why)| InterpreterInfo {
                    version: String::new(),
                    executable: String::new(),
                    found_as: path.display().to_string(),
                    origin: origin.name().to_owned(),
                    default_python3: false,
                    unavailable: Some(why.clone()),
                }),
        );
        infos
    }
}

/// `$PYENV_ROOT/versions`, else `~/.pyenv/versions`, when it is a directory.
fn pyenv_versions_dir() -> Option<PathBuf> {
    let root = std::env::var_os("PYENV_ROOT")
        .filter(|r| !r.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".pyenv")))?;
    let versions = root.join("versions");
    versions.is_dir().then_some(versions)
}

/// Each version's `bin/python` (every CPython pyenv builds, 2.7 included, has one), sorted.
fn pyenv_candidates(versions: &Path) -> Vec<PathBuf> {
    let Ok(dir) = std::fs::read_dir(versions) else {
        return Vec::new();
    };
    let mut candidates: Vec<PathBuf> = dir
        .filter_map(Result::ok)
        .map(|e| e.path().join("bin").join("python"))
        .filter(|p| p.is_file())
        .collect();
    candidates.sort();
    candidates
}

/// `python3.X` and `python2.X` on PATH, the first binary of each name: a script there is a shim (pyenv's, which fails for versions not selected), and the interpreters behind pyenv's
/// shims are found in its versions directory.
fn versioned_on_path() -> Vec<PathBuf> {
    let Some(paths) = std::env::var_os("PATH") else {
        return Vec::new();
    };
    let mut names = std::collections::BTreeSet::new();
    let mut out = Vec::new();
    for dir in std::env::split_paths(&paths) {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        let mut here: Vec<(String, PathBuf)> = entries
            .filter_map(Result::ok)
            .filter_map(|e| Some((e.file_name().into_string().ok()?, e.path())))
            .filter(|(name, _)| is_versioned_python(name))
            .collect();
        here.sort();
        for (name, path) in here {
            if !names.contains(&name) && is_executable_binary(&path) {
                names.insert(name);
                out.push(path);
            }
        }
    }
    out
}

/// `python3.11`, `python2.7`: not `python3.11-config` or `python3.11m`.
fn is_versioned_python(name: &str) -> bool {
    let Some(version) = name
        .strip_prefix("python3.")
        .or_else(|| name.strip_prefix("python2."))
    else {
        return false;
    };
    !version.is_empty() && version.bytes().all(|b| b.is_ascii_digit())
}

/// An executable file that does not start with `#!`.
fn is_executable_binary(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    let executable = path
        .metadata()
        .map(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
        .unwrap_or(false);
    let mut head = [0u8; 2];
    executable
        && std::fs::File::open(path)
            .and_then(|mut f| f.read(&mut head))
            .map(|n| !(n == 2 && &head == b"#!"))
            .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_and_selectors_parse() {
        let s: VersionSelector = "3.7".parse().unwrap();
        assert_eq!((s.major, s.minor, s.micro), (3, 7, None));
        assert_eq!(s.to_string(), "3.7");
        let v: PythonVersion = "3.7.16".parse().unwrap();
        assert!(s.matches(v));
        assert!(!"3.7.15".parse::<VersionSelector>().unwrap().matches(v));
        assert!(!"3.8".parse::<VersionSelector>().unwrap().matches(v));
        for bad in ["3", "3.x", "3..7", "", "3.7.1.2", "v3.7"] {
            assert!(bad.parse::<VersionSelector>().is_err(), "{bad}");
        }
        assert!("3.7".parse::<PythonVersion>().is_err());
    }

    #[test]
    fn versioned_names_are_recognised() {
        for yes in ["python3.11", "python2.7", "python3.13"] {
            assert!(is_versioned_python(yes), "{yes}");
        }
        for no in [
            "python3",
            "python3.11-config",
            "python3.7m",
            "python3.",
            "pythonw",
        ] {
            assert!(!is_versioned_python(no), "{no}");
        }
    }

    #[test]
    fn a_script_is_refused_as_an_interpreter() {
        let dir = tempfile::tempdir().unwrap();
        let shim = dir.path().join("python3");
        std::fs::write(&shim, "#!/bin/sh\nexec python3 \"$@\"\n").unwrap();
        let e = real_program(&shim, &shim).unwrap_err();
        assert!(matches!(e, InterpreterError::Script { .. }), "{e}");
        assert!(!is_executable_binary(&shim));
    }

    #[test]
    fn a_missing_version_names_itself_and_how_to_get_it() {
        let none = Interpreters {
            found: Vec::new(),
            default: Err(NoInterpreter::NoPython3),
            refused: Vec::new(),
            pyenv_versions: Some(PathBuf::from("/home/u/.pyenv/versions")),
        };
        let why = none.find("3.99".parse().unwrap()).unwrap_err().to_string();
        assert!(why.contains("CPython 3.99 not found"), "{why}");
        assert!(why.contains("`pyenv install 3.99`"), "{why}");
        assert!(why.contains("/home/u/.pyenv/versions"), "{why}");
    }

    #[test]
    fn a_nonexistent_candidate_is_refused_when_named() {
        let found = discover(&[(PathBuf::from("/nonexistent/python9"), Origin::CommandLine)]);
        assert!(found
            .refused
            .iter()
            .any(|(p, o, _)| p == Path::new("/nonexistent/python9") && *o == Origin::CommandLine));
        assert!(found
            .infos()
            .iter()
            .any(|i| i.unavailable.is_some() && i.origin == "command-line"));
    }

    #[test]
    fn every_interpreter_found_is_a_real_program_once() {
        let found = discover(&[]);
        if let Err(why) = &found.default {
            eprintln!("skipped: {why}");
            return;
        }
        for interpreter in &found.found {
            assert!(
                is_executable_binary(&interpreter.executable),
                "{interpreter:?}"
            );
            assert_eq!(
                found
                    .found
                    .iter()
                    .filter(|i| i.executable == interpreter.executable)
                    .count(),
                1
            );
        }
        let default = found.default.as_ref().unwrap();
        assert!(found.found.contains(default));
        let infos = found.infos();
        eprintln!("{infos:#?}");
        assert_eq!(infos.iter().filter(|i| i.default_python3).count(), 1);
    }
}
