//! External copy commands compared with the engine: GNU `cp`, CPython's `shutil`, `rsync`.
//!
//! Each is one [`Peer`]: it names its program and Debian package and builds its command line for
//! a file or a tree. The runner times them as child processes with `wait4` rusage, exactly as it
//! times engine strategies run through `copybench copy`.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;

use copybench_result::{FixtureKind, ToolVersion};
use serde::Deserialize;

/// A peer as named in scenario files.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PeerKind {
    /// `cp` (GNU coreutils 9 defaults to `--reflink=auto`, then copy_file_range).
    Cp,
    /// `cp --reflink=never`: no clone even where the filesystem could.
    CpReflinkNever,
    /// CPython's `shutil.copyfile` / `shutil.copytree(symlinks=True)`.
    PythonShutil,
    /// `rsync` (local copy: whole files, written to a temporary name and renamed).
    Rsync,
}

impl PeerKind {
    pub const ALL: &'static [PeerKind] = &[
        PeerKind::Cp,
        PeerKind::CpReflinkNever,
        PeerKind::PythonShutil,
        PeerKind::Rsync,
    ];

    /// The name in scenario files.
    pub fn name(self) -> &'static str {
        match self {
            PeerKind::Cp => "cp",
            PeerKind::CpReflinkNever => "cp-reflink-never",
            PeerKind::PythonShutil => "python-shutil",
            PeerKind::Rsync => "rsync",
        }
    }

    /// The entry id in results.
    pub fn entry_id(self) -> String {
        format!("peer:{}", self.name())
    }

    /// The peer's implementation.
    pub fn peer(self) -> Box<dyn Peer> {
        match self {
            PeerKind::Cp => Box::new(GnuCp {
                reflink_never: false,
            }),
            PeerKind::CpReflinkNever => Box::new(GnuCp {
                reflink_never: true,
            }),
            PeerKind::PythonShutil => Box::new(PythonShutil),
            PeerKind::Rsync => Box::new(Rsync),
        }
    }
}

/// An external command that copies a file or a tree.
pub trait Peer {
    /// The program looked up on PATH (`cp`, `python3`, `rsync`).
    fn program(&self) -> &'static str;
    /// The Debian package that provides it, for the skip message.
    fn debian_package(&self) -> &'static str;
    /// The program to run and what `--version` says, after resolving shims.
    fn resolve(&self) -> Result<ResolvedProgram, String> {
        let path = find_on_path(self.program()).ok_or_else(|| {
            format!(
                "`{}` not found on PATH (install the Debian package `{}`)",
                self.program(),
                self.debian_package()
            )
        })?;
        let version = first_line_of(&path, &["--version"]);
        Ok(ResolvedProgram { path, version })
    }
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
    fn noop_command(&self, program: &Path) -> Vec<OsString> {
        vec![program.into(), "--version".into()]
    }
}

/// A program found and the first line of its version output.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResolvedProgram {
    pub path: PathBuf,
    pub version: Option<String>,
}

impl ResolvedProgram {
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
            // symlinks copied as links (`-R` without `-L`).
            args.push("-R".into());
            args.push(format!("--preserve={preserve}").into());
        }
        args.push(src.into());
        args.push(dst.into());
        args
    }
}

impl Peer for GnuCp {
    fn program(&self) -> &'static str {
        "cp"
    }
    fn debian_package(&self) -> &'static str {
        "coreutils"
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

/// CPython's `shutil`, through the real interpreter (not a pyenv shim).
struct PythonShutil;

impl Peer for PythonShutil {
    fn program(&self) -> &'static str {
        "python3"
    }
    fn debian_package(&self) -> &'static str {
        "python3"
    }
    /// A pyenv shim is a shell script that adds ~66 ms to every start: ask the interpreter for
    /// `sys.executable` once and time that program instead.
    fn resolve(&self) -> Result<ResolvedProgram, String> {
        let shim = find_on_path("python3").ok_or_else(|| {
            "`python3` not found on PATH (install the Debian package `python3`)".to_owned()
        })?;
        let output = Command::new(&shim)
            .args([
                "-c",
                "import sys; print(sys.executable); print('Python ' + sys.version.split()[0])",
            ])
            .output()
            .map_err(|e| format!("cannot run {}: {e}", shim.display()))?;
        let text = String::from_utf8_lossy(&output.stdout);
        let mut lines = text.lines();
        match (output.status.success(), lines.next(), lines.next()) {
            (true, Some(exe), Some(version)) if !exe.is_empty() => Ok(ResolvedProgram {
                path: PathBuf::from(exe),
                version: Some(version.to_owned()),
            }),
            _ => Err(format!(
                "{} did not report sys.executable: {}",
                shim.display(),
                String::from_utf8_lossy(&output.stderr).trim()
            )),
        }
    }
    fn noop_command(&self, program: &Path) -> Vec<OsString> {
        vec![program.into(), "-c".into(), "pass".into()]
    }
    fn command(&self, program: &Path, kind: FixtureKind, src: &Path, dst: &Path) -> Vec<OsString> {
        python_command(program, "", kind, src, dst)
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
        python_command(
            program,
            "shutil._copyxattr = lambda *a, **k: None; ",
            kind,
            src,
            dst,
        )
    }
}

fn python_command(
    program: &Path,
    prelude: &str,
    kind: FixtureKind,
    src: &Path,
    dst: &Path,
) -> Vec<OsString> {
    let call = match kind {
        FixtureKind::File => "shutil.copyfile(sys.argv[1], sys.argv[2])",
        FixtureKind::Tree => "shutil.copytree(sys.argv[1], sys.argv[2], symlinks=True)",
    };
    vec![
        program.into(),
        "-c".into(),
        format!("import shutil, sys; {prelude}{call}").into(),
        src.into(),
        dst.into(),
    ]
}

/// `rsync`, local to local.
struct Rsync;

impl Peer for Rsync {
    fn program(&self) -> &'static str {
        "rsync"
    }
    fn debian_package(&self) -> &'static str {
        "rsync"
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
        let py =
            PeerKind::PythonShutil
                .peer()
                .command(Path::new("py"), FixtureKind::Tree, src, dst);
        assert!(py[2].to_string_lossy().contains("symlinks=True"));
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
        let py = PeerKind::PythonShutil.peer().command_without_xattrs(
            Path::new("py"),
            FixtureKind::Tree,
            src,
            dst,
        );
        let code = py[2].to_string_lossy();
        assert!(
            code.contains("_copyxattr = lambda") && code.contains("copytree"),
            "{code}"
        );
    }

    #[test]
    fn ids_are_prefixed() {
        assert_eq!(PeerKind::CpReflinkNever.entry_id(), "peer:cp-reflink-never");
    }
}
