//! Standard output. Everything a command prints there goes through [`print`], so a closed pipe
//! (`copybench list | head -1`) or a full device (`> /dev/full`) is an error the command
//! returns, never a panic: `main` ends quietly on a closed pipe, as `cat` and `grep` do, and
//! says in one line why anything else failed.

use std::io::Write as _;
use std::os::unix::fs::MetadataExt as _;
use std::path::{Path, PathBuf};

/// Standard output could not be written.
#[derive(Debug)]
pub struct StdoutError(pub std::io::Error);

impl std::fmt::Display for StdoutError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "cannot write to standard output: {}",
            copybench_engine::errno::describe_io(&self.0)
        )
    }
}

impl std::error::Error for StdoutError {}

impl StdoutError {
    /// The reader went away (`| head -1`): not worth a message.
    pub fn is_broken_pipe(&self) -> bool {
        self.0.kind() == std::io::ErrorKind::BrokenPipe
    }
}

/// Writes `text` to standard output and flushes it.
pub fn print(text: &str) -> Result<(), StdoutError> {
    write(text.as_bytes())
}

/// Writes `bytes` (a manual page, a completion script) to standard output and flushes it.
pub fn write(bytes: &[u8]) -> Result<(), StdoutError> {
    let mut out = std::io::stdout().lock();
    out.write_all(bytes)
        .and_then(|()| out.flush())
        .map_err(StdoutError)
}

/// [`print`] of `text` and a newline.
pub fn println(text: &str) -> Result<(), StdoutError> {
    print(&format!("{text}\n"))
}

/// Outputs never overwrite inputs: refuses `output` when it is the same file as one of
/// `inputs` (device and inode, so through symlinks and other spellings of the path too).
/// `what` names the inputs in the message (`input`, `scenario file`).
pub fn refuse_to_overwrite_an_input(
    output: &Path,
    inputs: &[PathBuf],
    what: &str,
) -> anyhow::Result<()> {
    let Ok(out) = std::fs::metadata(output) else {
        return Ok(()); // a new file cannot be an input
    };
    for input in inputs {
        if let Ok(meta) = std::fs::metadata(input) {
            if (meta.dev(), meta.ino()) == (out.dev(), out.ino()) {
                anyhow::bail!(
                    "the output `{}` is the {what} `{}`: writing there would destroy it; name another file",
                    output.display(),
                    input.display()
                );
            }
        }
    }
    Ok(())
}
