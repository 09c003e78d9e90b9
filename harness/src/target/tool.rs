//! The system programs targets are built with (`losetup`, `mkfs.*`, `mount`, `smbd`, …): found
//! by name with the Debian package to install when missing, and run with their stderr kept for
//! the error.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::Command;

use super::{SetUpError, TargetError};
use crate::peer::find_on_path;

/// A program a target needs, and the Debian package that provides it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Tool {
    pub program: &'static str,
    pub package: &'static str,
}

pub const LOSETUP: Tool = Tool {
    program: "losetup",
    package: "mount",
};
pub const MOUNT: Tool = Tool {
    program: "mount",
    package: "mount",
};
pub const UMOUNT: Tool = Tool {
    program: "umount",
    package: "mount",
};
pub const SMBD: Tool = Tool {
    program: "smbd",
    package: "samba",
};
pub const SMBSTATUS: Tool = Tool {
    program: "smbstatus",
    package: "samba",
};
pub const SMBNETFS: Tool = Tool {
    program: "smbnetfs",
    package: "smbnetfs",
};

impl Tool {
    /// The program on PATH, or in the sbin directories a non-root PATH often lacks.
    pub fn find(self) -> Result<PathBuf, SetUpError> {
        find_on_path(self.program)
            .or_else(|| {
                ["/usr/sbin", "/sbin", "/usr/bin", "/bin"]
                    .iter()
                    .map(|dir| Path::new(dir).join(self.program))
                    .find(|p| p.is_file())
            })
            .ok_or(SetUpError::Unavailable(format!(
                "`{}` not found (install the Debian package `{}`)",
                self.program, self.package
            )))
    }
}

/// Runs `program ARGS` to completion; a non-zero exit is an error carrying its stderr.
pub fn run<S: AsRef<OsStr>>(program: &Path, args: &[S]) -> Result<String, TargetError> {
    let output = Command::new(program)
        .args(args)
        .output()
        .map_err(|source| TargetError::Spawn {
            program: program.to_owned(),
            source,
        })?;
    if !output.status.success() {
        return Err(TargetError::Tool {
            command: command_line(program, args),
            status: output.status.to_string(),
            stderr: String::from_utf8_lossy(&output.stderr).trim().to_owned(),
        });
    }
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}

/// `program ARGS` as one line, for messages and the environment record.
pub fn command_line<S: AsRef<OsStr>>(program: &Path, args: &[S]) -> String {
    std::iter::once(program.as_os_str())
        .chain(args.iter().map(AsRef::as_ref))
        .map(|a| a.to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The first non-empty line `program ARGS` prints on stdout or stderr (`mkfs.xfs -V` writes its
/// version to stdout, `mke2fs -V` to stderr).
pub fn version_of(program: &Path, args: &[&str]) -> Option<String> {
    crate::peer::first_line_of(program, args)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_program_names_its_package() {
        let missing = Tool {
            program: "copybench-no-such-program",
            package: "no-such-package",
        };
        let SetUpError::Unavailable(why) = missing.find().unwrap_err() else {
            panic!("a missing program is a reason to skip")
        };
        assert!(why.contains("copybench-no-such-program"), "{why}");
        assert!(why.contains("`no-such-package`"), "{why}");
    }

    #[test]
    fn a_failing_program_reports_its_stderr() {
        let sh = Path::new("/bin/sh");
        let err = run(sh, &["-c", "echo nope >&2; exit 3"]).unwrap_err();
        let text = err.to_string();
        assert!(
            text.contains("nope") && text.contains("/bin/sh -c"),
            "{text}"
        );
        assert_eq!(run(sh, &["-c", "echo yes"]).unwrap(), "yes\n");
    }
}
