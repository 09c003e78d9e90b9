//! External copy commands compared with the engine: GNU `cp`, CPython's `shutil`, `rsync`, and
//! the fastest Rust copiers, `cpz`, `fcp` and `xcp` (optional: `cargo install cpz fcp xcp`).
//!
//! Each is one [`Peer`]: it finds its program (naming the Debian package when it is missing; the
//! CPython peers pick their interpreter by version from `interpreters.rs`) and builds its
//! command line for a file or a tree. The runner times them as child processes with `wait4` rusage, exactly as it
//! times engine strategies run through `copybench copy`.

use std::ffi::OsString;
use std::fmt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::str::FromStr;

use copybench_result::{FixtureKind, ToolVersion};
use serde::Deserialize;

use crate::interpreters::{Interpreters, NoInterpreter, VersionSelector};
use crate::size::ByteSize;

/// A peer as named in scenario files: `cp`, `cp-reflink-never`, `rsync`, and CPython's
/// `python-shutil` and `python-copyfileobj[-SIZE]`, which take an interpreter version after an
/// `@` (`python-shutil@3.7`); without one they run the default `python3`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize)]
#[serde(try_from = "String")]
pub enum PeerKind {
    /// `cp` (GNU coreutils 9 defaults to `--reflink=auto`, then copy_file_range).
    Cp,
    /// `cp --reflink=never`: no clone even where the filesystem could.
    CpReflinkNever,
    /// CPython's `shutil.copyfile` / `shutil.copytree(symlinks=True)`.
    PythonShutil { python: Option<VersionSelector> },
    /// CPython's userspace loop, `shutil.copyfileobj` over two open files, with `buffer` bytes
    /// or the interpreter's own default (`COPY_BUFSIZE` from 3.8, 16 KiB before): the in-kernel
    /// against userspace claim measured inside one interpreter.
    PythonCopyfileobj {
        python: Option<VersionSelector>,
        buffer: Option<u64>,
    },
    /// `rsync` (local copy: whole files, written to a temporary name and renamed).
    Rsync,
    /// A Rust copier installed with `cargo install` (`cpz`, `fcp`, `xcp`).
    Cargo(CargoCopier),
}

/// The Rust copiers issue 16 measured ahead of copybench's tree copy, each run as its README
/// shows for a file and for a tree. None keeps copy2's metadata in full (cpz keeps content and
/// mode, fcp no times), which the report shows beside their times.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum CargoCopier {
    /// `cpz SRC DST`: parallel, `unshare(CLONE_FILES)` per worker.
    Cpz,
    /// `fcp SRC DST`.
    Fcp,
    /// `xcp [-r] --no-progress SRC DST`, with its default workers.
    Xcp,
}

impl CargoCopier {
    /// Its program, and its crate on crates.io (the same name for all three).
    pub fn program(self) -> &'static str {
        match self {
            CargoCopier::Cpz => "cpz",
            CargoCopier::Fcp => "fcp",
            CargoCopier::Xcp => "xcp",
        }
    }
}

impl PeerKind {
    /// The name in scenario files.
    pub fn name(&self) -> String {
        self.to_string()
    }

    /// The entry id in results.
    pub fn entry_id(&self) -> String {
        format!("peer:{self}")
    }

    /// Whether it copies one file only (a tree needs `copytree`'s own walk).
    pub fn file_only(&self) -> bool {
        matches!(self, PeerKind::PythonCopyfileobj { .. })
    }

    /// The peer's implementation.
    pub fn peer(&self) -> Box<dyn Peer> {
        match self {
            PeerKind::Cp => Box::new(GnuCp {
                reflink_never: false,
            }),
            PeerKind::CpReflinkNever => Box::new(GnuCp {
                reflink_never: true,
            }),
            PeerKind::PythonShutil { python } => Box::new(Python {
                version: *python,
                copy: PythonCopy::Shutil,
            }),
            PeerKind::PythonCopyfileobj { python, buffer } => Box::new(Python {
                version: *python,
                copy: PythonCopy::Copyfileobj { buffer: *buffer },
            }),
            PeerKind::Rsync => Box::new(Rsync),
            PeerKind::Cargo(copier) => Box::new(*copier),
        }
    }
}

impl fmt::Display for PeerKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let python = match self {
            PeerKind::Cp => return f.write_str("cp"),
            PeerKind::CpReflinkNever => return f.write_str("cp-reflink-never"),
            PeerKind::Rsync => return f.write_str("rsync"),
            PeerKind::Cargo(copier) => return f.write_str(copier.program()),
            PeerKind::PythonShutil { python } => {
                f.write_str("python-shutil")?;
                python
            }
            PeerKind::PythonCopyfileobj { python, buffer } => {
                f.write_str("python-copyfileobj")?;
                if let Some(buffer) = buffer {
                    write!(f, "-{}", ByteSize(*buffer))?;
                }
                python
            }
        };
        match python {
            Some(version) => write!(f, "@{version}"),
            None => Ok(()),
        }
    }
}

impl FromStr for PeerKind {
    type Err = String;
    fn from_str(text: &str) -> Result<PeerKind, String> {
        let known =
            "cp, cp-reflink-never, rsync, cpz, fcp, xcp, python-shutil[@3.X], python-copyfileobj[-SIZE][@3.X]";
        let (name, version) = match text.split_once('@') {
            Some((name, version)) => (name, Some(version.parse::<VersionSelector>()?)),
            None => (text, None),
        };
        let no_version = |kind: PeerKind| match version {
            None => Ok(kind),
            Some(_) => Err(format!(
                "`{text}`: only the python peers run a chosen interpreter version"
            )),
        };
        match name {
            "cp" => no_version(PeerKind::Cp),
            "cp-reflink-never" => no_version(PeerKind::CpReflinkNever),
            "rsync" => no_version(PeerKind::Rsync),
            "cpz" => no_version(PeerKind::Cargo(CargoCopier::Cpz)),
            "fcp" => no_version(PeerKind::Cargo(CargoCopier::Fcp)),
            "xcp" => no_version(PeerKind::Cargo(CargoCopier::Xcp)),
            "python-shutil" => Ok(PeerKind::PythonShutil { python: version }),
            "python-copyfileobj" => Ok(PeerKind::PythonCopyfileobj {
                python: version,
                buffer: None,
            }),
            other => match other.strip_prefix("python-copyfileobj-") {
                Some(size) => {
                    let buffer = ByteSize::parse(size).map_err(|e| e.to_string())?.0;
                    if buffer == 0 {
                        return Err(format!("`{text}`: a buffer of 0 bytes copies nothing"));
                    }
                    Ok(PeerKind::PythonCopyfileobj {
                        python: version,
                        buffer: Some(buffer),
                    })
                }
                None => Err(format!("unknown peer `{text}` (known: {known})")),
            },
        }
    }
}

impl TryFrom<String> for PeerKind {
    type Error = String;
    fn try_from(text: String) -> Result<PeerKind, String> {
        text.parse()
    }
}

/// Why a peer's program cannot be run here.
#[derive(Debug, thiserror::Error)]
pub enum PeerError {
    #[error("`{program}` not found on PATH (install the Debian package `{package}`)")]
    NotFound {
        program: &'static str,
        package: &'static str,
    },
    /// A Rust copier that is not installed: an optional peer for a comparison run.
    #[error("`{program}` not found on PATH (install it with `cargo install {program}`)")]
    NotInstalled { program: &'static str },
    /// A CPython peer's interpreter: missing (naming the version and how to get it) or unusable.
    #[error(transparent)]
    Python(#[from] NoInterpreter),
}

/// An external command that copies a file or a tree.
pub trait Peer {
    /// The program to run and its version, after resolving shims; the python peers pick theirs
    /// from the interpreters found.
    fn resolve(&self, interpreters: &Interpreters) -> Result<ResolvedProgram, PeerError>;
    /// The full command line copying `src` to `dst` (which does not exist yet).
    fn command(&self, program: &Path, kind: FixtureKind, src: &Path, dst: &Path) -> Vec<OsString>;
    /// The same copy leaving extended attributes alone, never listing them: for a source whose
    /// filesystem fails listxattr (smbnetfs: EIO, and its connection drops). Peers that copy
    /// none anyway keep their command.
    fn command_without_xattrs(
        &self,
        program: &Path,
        kind: FixtureKind,
        src: &Path,
        dst: &Path,
    ) -> Vec<OsString> {
        self.command(program, kind, src, dst)
    }
    /// The same program started to do nothing: its time is the program's start-up cost.
    fn noop_command(&self, program: &Path) -> NoOp {
        NoOp::exiting_0(vec![program.into(), "--version".into()])
    }
}

/// A program's no-op invocation and the exit statuses that say it ran as meant.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NoOp {
    pub argv: Vec<OsString>,
    pub exit_codes: &'static [i32],
}

impl NoOp {
    /// A no-op that succeeds, as `--version` and `-c pass` do.
    pub fn exiting_0(argv: Vec<OsString>) -> NoOp {
        NoOp {
            argv,
            exit_codes: &[0],
        }
    }

    /// Whether a child that ended with `exit_code` ran this no-op as meant.
    pub fn ran(&self, exit_code: Option<i32>) -> bool {
        exit_code.is_some_and(|code| self.exit_codes.contains(&code))
    }
}

/// A program found and the first line of its version output.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResolvedProgram {
    pub path: PathBuf,
    pub version: Option<String>,
}

impl ResolvedProgram {
    /// `program` on PATH and what its `--version` says, or why it is missing.
    fn on_path(program: &'static str, package: &'static str) -> Result<ResolvedProgram, PeerError> {
        let path = find_on_path(program).ok_or(PeerError::NotFound { program, package })?;
        let version = first_line_of(&path, &["--version"]);
        Ok(ResolvedProgram { path, version })
    }

    pub fn tool_version(&self) -> ToolVersion {
        ToolVersion {
            path: Some(self.path.display().to_string()),
            version: self.version.clone(),
            unavailable: None,
        }
    }
}

/// GNU coreutils `cp`.
struct GnuCp {
    reflink_never: bool,
}

impl Peer for GnuCp {
    fn resolve(&self, _: &Interpreters) -> Result<ResolvedProgram, PeerError> {
        ResolvedProgram::on_path("cp", "coreutils")
    }
    fn command(&self, program: &Path, kind: FixtureKind, src: &Path, dst: &Path) -> Vec<OsString> {
        // copytree's copy2: mode, times and xattrs.
        self.args(program, kind, "mode,timestamps,xattr", src, dst)
    }
    fn command_without_xattrs(
        &self,
        program: &Path,
        kind: FixtureKind,
        src: &Path,
        dst: &Path,
    ) -> Vec<OsString> {
        self.args(program, kind, "mode,timestamps", src, dst)
    }
}

impl GnuCp {
    fn args(
        &self,
        program: &Path,
        kind: FixtureKind,
        preserve: &str,
        src: &Path,
        dst: &Path,
    ) -> Vec<OsString> {
        let mut args: Vec<OsString> = vec![program.into()];
        if self.reflink_never {
            args.push("--reflink=never".into());
        }
        if kind == FixtureKind::Tree {
            // Symlinks copied as links (`-R` without `-L`).
            args.push("-R".into());
            args.push(format!("--preserve={preserve}").into());
        }
        args.push(src.into());
        args.push(dst.into());
        args
    }
}

/// What a CPython peer runs.
#[derive(Clone, Copy, Debug)]
enum PythonCopy {
    /// `shutil.copyfile` for a file, `shutil.copytree(symlinks=True)` for a tree.
    Shutil,
    /// `shutil.copyfileobj` between the two files opened unbuffered-for-Python (`rb`, `wb`).
    Copyfileobj { buffer: Option<u64> },
}

/// CPython, through the real interpreter of the version asked for (never a pyenv shim: the
/// interpreters are resolved to `sys.executable` once, in `interpreters.rs`).
struct Python {
    /// `None`: the default `python3`.
    version: Option<VersionSelector>,
    copy: PythonCopy,
}

impl Peer for Python {
    fn resolve(&self, interpreters: &Interpreters) -> Result<ResolvedProgram, PeerError> {
        let interpreter = match self.version {
            None => interpreters.default.as_ref().map_err(Clone::clone)?,
            Some(selector) => interpreters.find(selector)?,
        };
        Ok(ResolvedProgram {
            path: interpreter.executable.clone(),
            version: Some(format!("Python {}", interpreter.version)),
        })
    }
    fn noop_command(&self, program: &Path) -> NoOp {
        NoOp::exiting_0(vec![program.into(), "-c".into(), "pass".into()])
    }
    fn command(&self, program: &Path, kind: FixtureKind, src: &Path, dst: &Path) -> Vec<OsString> {
        self.python_command(program, "", kind, src, dst)
    }
    /// copystat calls the module's `_copyxattr` by name (CPython 3.3 to 3.14), so replacing it
    /// leaves xattrs alone and everything else as CPython does it.
    fn command_without_xattrs(
        &self,
        program: &Path,
        kind: FixtureKind,
        src: &Path,
        dst: &Path,
    ) -> Vec<OsString> {
        let prelude = "shutil._copyxattr = lambda *a, **k: None; ";
        self.python_command(program, prelude, kind, src, dst)
    }
}

impl Python {
    /// The command line, `prelude` run after `import shutil, sys`.
    fn python_command(
        &self,
        program: &Path,
        prelude: &str,
        kind: FixtureKind,
        src: &Path,
        dst: &Path,
    ) -> Vec<OsString> {
        // Written for 2.7 as for 3.x, so every interpreter pyenv holds runs the same line.
        let code = match (self.copy, kind) {
            (PythonCopy::Shutil, FixtureKind::File) => {
                format!("import shutil, sys; {prelude}shutil.copyfile(sys.argv[1], sys.argv[2])")
            }
            (PythonCopy::Shutil, FixtureKind::Tree) => format!(
                "import shutil, sys; {prelude}shutil.copytree(sys.argv[1], sys.argv[2], symlinks=True)"
            ),
            // Trees are refused when the scenario is read (`PeerKind::file_only`).
            (PythonCopy::Copyfileobj { buffer }, _) => {
                let length = buffer.map(|b| format!(", {b}")).unwrap_or_default();
                format!(
                    "import shutil, sys\n{prelude}\nwith open(sys.argv[1], 'rb') as s, open(sys.argv[2], 'wb') as d:\n    shutil.copyfileobj(s, d{length})"
                )
            }
        };
        vec![
            program.into(),
            "-c".into(),
            code.into(),
            src.into(),
            dst.into(),
        ]
    }
}

/// `rsync`, local to local.
struct Rsync;

impl Peer for Rsync {
    fn resolve(&self, _: &Interpreters) -> Result<ResolvedProgram, PeerError> {
        ResolvedProgram::on_path("rsync", "rsync")
    }
    fn command(&self, program: &Path, kind: FixtureKind, src: &Path, dst: &Path) -> Vec<OsString> {
        match kind {
            FixtureKind::File => vec![program.into(), src.into(), dst.into()],
            FixtureKind::Tree => {
                // `SRC/` copies the contents into DST; -rlpt ≈ copytree(symlinks=True) with copy2.
                let mut src_dir = src.as_os_str().to_owned();
                src_dir.push("/");
                vec![program.into(), "-rlpt".into(), src_dir, dst.into()]
            }
        }
    }
}

impl Peer for CargoCopier {
    fn resolve(&self, _: &Interpreters) -> Result<ResolvedProgram, PeerError> {
        let program = self.program();
        let path = find_on_path(program).ok_or(PeerError::NotInstalled { program })?;
        let version = first_line_of(&path, &["--version"]);
        Ok(ResolvedProgram { path, version })
    }
    /// fcp 0.2 prints its version and then exits 1 (as it does for `--help`): that status is
    /// its no-op's too, so its start-up is timed like the others'.
    fn noop_command(&self, program: &Path) -> NoOp {
        let argv = vec![program.into(), "--version".into()];
        match self {
            CargoCopier::Fcp => NoOp {
                argv,
                exit_codes: &[0, 1],
            },
            CargoCopier::Cpz | CargoCopier::Xcp => NoOp::exiting_0(argv),
        }
    }
    fn command(&self, program: &Path, kind: FixtureKind, src: &Path, dst: &Path) -> Vec<OsString> {
        let mut args: Vec<OsString> = vec![program.into()];
        // cpz and fcp copy a directory whole without being asked; xcp needs -r, and draws a
        // progress bar unless told not to.
        if *self == CargoCopier::Xcp {
            if kind == FixtureKind::Tree {
                args.push("-r".into());
            }
            args.push("--no-progress".into());
        }
        args.push(src.into());
        args.push(dst.into());
        args
    }
}

/// The first executable `name` in PATH.
pub fn find_on_path(name: &str) -> Option<PathBuf> {
    let paths = std::env::var_os("PATH")?;
    std::env::split_paths(&paths)
        .map(|dir| dir.join(name))
        .find(|candidate| {
            use std::os::unix::fs::PermissionsExt;
            candidate
                .metadata()
                .map(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
                .unwrap_or(false)
        })
}

/// The first non-empty line `program ARGS` prints (stdout, else stderr).
pub fn first_line_of(program: &Path, args: &[&str]) -> Option<String> {
    let output = Command::new(program).args(args).output().ok()?;
    let pick = |bytes: &[u8]| {
        String::from_utf8_lossy(bytes)
            .lines()
            .map(str::trim)
            .find(|l| !l.is_empty())
            .map(str::to_owned)
    };
    pick(&output.stdout).or_else(|| pick(&output.stderr))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fcps_no_op_exits_1_and_counts_as_run_the_others_must_exit_0() {
        let program = Path::new("/bin/x");
        let fcp = CargoCopier::Fcp.noop_command(program);
        assert!(fcp.ran(Some(1)) && fcp.ran(Some(0)));
        assert!(
            !fcp.ran(Some(2)) && !fcp.ran(None),
            "another status or a signal"
        );
        let cpz = CargoCopier::Cpz.noop_command(program);
        assert_eq!(cpz.argv, ["/bin/x", "--version"]);
        assert!(cpz.ran(Some(0)) && !cpz.ran(Some(1)));
    }

    #[test]
    fn without_xattrs_cp_and_python_leave_them_alone() {
        let (src, dst) = (Path::new("/s"), Path::new("/d"));
        let cp = PeerKind::Cp.peer().command_without_xattrs(
            Path::new("cp"),
            FixtureKind::Tree,
            src,
            dst,
        );
        assert!(
            cp.contains(&OsString::from("--preserve=mode,timestamps")),
            "{cp:?}"
        );
        let py = PeerKind::PythonShutil { python: None }
            .peer()
            .command_without_xattrs(Path::new("py"), FixtureKind::Tree, src, dst);
        let code = py[2].to_string_lossy();
        assert!(
            code.contains("shutil._copyxattr = lambda") && code.contains("copytree"),
            "{code}"
        );
    }

    #[test]
    fn tree_commands_keep_symlinks_and_metadata() {
        let src = Path::new("/w/src");
        let dst = Path::new("/w/dst");
        let cp = PeerKind::CpReflinkNever.peer().command(
            Path::new("/bin/cp"),
            FixtureKind::Tree,
            src,
            dst,
        );
        assert_eq!(
            cp,
            [
                "/bin/cp",
                "--reflink=never",
                "-R",
                "--preserve=mode,timestamps,xattr",
                "/w/src",
                "/w/dst"
            ]
            .map(OsString::from)
        );
        let rsync = PeerKind::Rsync
            .peer()
            .command(Path::new("rsync"), FixtureKind::Tree, src, dst);
        assert_eq!(rsync[2], OsString::from("/w/src/"));
        let py = PeerKind::PythonShutil { python: None }.peer().command(
            Path::new("py"),
            FixtureKind::Tree,
            src,
            dst,
        );
        assert!(py[2].to_string_lossy().contains("symlinks=True"));
    }

    #[test]
    fn the_rust_copiers_copy_trees_and_say_how_to_install_them() {
        let (src, dst) = (Path::new("/w/src"), Path::new("/w/dst"));
        let xcp = CargoCopier::Xcp.command(Path::new("xcp"), FixtureKind::Tree, src, dst);
        assert_eq!(
            xcp,
            ["xcp", "-r", "--no-progress", "/w/src", "/w/dst"].map(OsString::from)
        );
        let cpz = CargoCopier::Cpz.command(Path::new("cpz"), FixtureKind::Tree, src, dst);
        assert_eq!(cpz, ["cpz", "/w/src", "/w/dst"].map(OsString::from));
        let missing = PeerError::NotInstalled { program: "fcp" }.to_string();
        assert!(missing.contains("cargo install fcp"), "{missing}");
    }

    #[test]
    fn ids_are_prefixed() {
        assert_eq!(PeerKind::CpReflinkNever.entry_id(), "peer:cp-reflink-never");
    }

    #[test]
    fn names_round_trip_with_versions_and_buffers() {
        for name in [
            "cp",
            "cp-reflink-never",
            "rsync",
            "cpz",
            "fcp",
            "xcp",
            "python-shutil",
            "python-shutil@3.7",
            "python-shutil@3.11.7",
            "python-copyfileobj",
            "python-copyfileobj@3.8",
            "python-copyfileobj-64KiB@3.11",
            "python-copyfileobj-1MiB",
        ] {
            let kind: PeerKind = name.parse().unwrap();
            assert_eq!(kind.to_string(), name);
        }
        assert_eq!(
            "python-copyfileobj-64KiB@3.11".parse::<PeerKind>(),
            Ok(PeerKind::PythonCopyfileobj {
                python: Some("3.11".parse().unwrap()),
                buffer: Some(64 << 10),
            })
        );
        for bad in [
            "robocopy",
            "cp@3.7",
            "cpz@3.7",
            "python-shutil@3",
            "python-shutil@",
            "python-copyfileobj-64 KB",
            "python-copyfileobj-0",
        ] {
            assert!(bad.parse::<PeerKind>().is_err(), "{bad}");
        }
        let unknown = "robocopy".parse::<PeerKind>().unwrap_err();
        assert!(unknown.contains("python-shutil[@3.X]"), "{unknown}");
    }

    #[test]
    fn copyfileobj_passes_its_buffer_or_none() {
        let command = |buffer| {
            let argv = PeerKind::PythonCopyfileobj {
                python: None,
                buffer,
            }
            .peer()
            .command(
                Path::new("py"),
                FixtureKind::File,
                Path::new("a"),
                Path::new("b"),
            );
            argv[2].to_string_lossy().into_owned()
        };
        assert!(command(Some(65536)).contains("copyfileobj(s, d, 65536)"));
        // The interpreter's own default: COPY_BUFSIZE from 3.8, 16 KiB before.
        assert!(command(None).contains("copyfileobj(s, d)"));
    }

    #[test]
    fn a_python_peer_names_the_missing_version() {
        let none = Interpreters {
            found: Vec::new(),
            default: Err(NoInterpreter::NoPython3),
            refused: Vec::new(),
            pyenv_versions: None,
        };
        let kind: PeerKind = "python-shutil@3.99".parse().unwrap();
        let why = kind.peer().resolve(&none).unwrap_err().to_string();
        assert!(why.contains("CPython 3.99 not found"), "{why}");
        let why = PeerKind::PythonShutil { python: None }
            .peer()
            .resolve(&none)
            .unwrap_err()
            .to_string();
        assert!(why.contains("`python3`"), "{why}");
    }
}
