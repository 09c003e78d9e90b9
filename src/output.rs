//! Standard output. Everything a command prints there goes through [`print`], so a closed pipe
//! (`copybench list | head -1`) or a full device (`> /dev/full`) is an error the command
//! returns, never a panic: `main` ends quietly on a closed pipe, as `cat` and `grep` do, and
//! says in one line why anything else failed.

use std::io::Write as _;

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
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .map_err(StdoutError)
}

/// [`print`] of `text` and a newline.
pub fn println(text: &str) -> Result<(), StdoutError> {
    print(&format!("{text}\n"))
}
