//! CPython's `shutil` as the oracle: one interpreter runs the whole batch of invocations
//! (`oracle.py`).

use std::io::{Read, Write};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde::Deserialize;

use super::case::Operation;
use super::fixture::join;
use super::outcome::{Gathered, Returned};
use super::subject::{relative, Copier, Invocation, Ran};

const SCRIPT: &str = include_str!("oracle.py");

/// Longest the interpreter may take for a batch (the full catalogue copies ~120 MiB).
const BATCH_LIMIT: Duration = Duration::from_secs(300);

/// A resolved CPython interpreter.
#[derive(Clone, Debug)]
pub(crate) struct Oracle {
    /// The real interpreter (`sys.executable`), not a pyenv shim that costs ~66 ms a start.
    pub executable: PathBuf,
    /// `CPython 3.11.7`.
    pub version: String,
}

/// Why CPython could not serve as the oracle, for the whole batch.
#[derive(Debug, thiserror::Error)]
pub(crate) enum OracleError {
    #[error("`python3` not found on PATH; install the Debian package `python3`")]
    NoPython3,
    #[error(transparent)]
    Interpreter(#[from] crate::interpreters::InterpreterError),
    #[error("cannot start {}: {source}", path.display())]
    Spawn {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("no {0} for the oracle")]
    NoPipe(&'static str),
    #[error("CPython did not finish the batch within {0}s")]
    TimedOut(u64),
    #[error("waiting for CPython: {0}")]
    Wait(std::io::Error),
    #[error("the oracle's reader panicked")]
    ReaderPanicked,
    #[error("reading CPython's answer: {0}")]
    Read(std::io::Error),
    #[error("CPython failed ({status}): {stderr}")]
    Exited {
        status: std::process::ExitStatus,
        stderr: String,
    },
    #[error("CPython's answer is not what oracle.py writes: {0}")]
    Answer(serde_json::Error),
    #[error("CPython answered {got} of {asked} jobs")]
    Short { got: usize, asked: usize },
    #[error("not hex from CPython: {0}")]
    Hex(String),
}

impl Oracle {
    /// Finds `python3` on PATH and resolves it to the real interpreter once.
    pub(crate) fn find() -> Result<Oracle, OracleError> {
        let python3 = crate::peer::find_on_path("python3").ok_or(OracleError::NoPython3)?;
        let interpreter =
            crate::interpreters::resolve(&python3, crate::interpreters::Origin::Path)?;
        Ok(Oracle {
            executable: interpreter.executable,
            version: format!("CPython {}", interpreter.version),
        })
    }

    /// How the matrix names it.
    pub(crate) fn describe(&self) -> String {
        format!("{} ({})", self.version, self.executable.display())
    }

    /// Runs every invocation in one interpreter; an `Err` means the batch as a whole failed.
    pub(crate) fn run_batch(
        &self,
        invocations: &[Invocation<'_>],
    ) -> Result<Vec<Ran>, OracleError> {
        let request = serde_json::json!({
            "jobs": invocations.iter().enumerate().map(|(id, invocation)| invocation_json(id, invocation)).collect::<Vec<_>>(),
        });
        let mut child = Command::new(&self.executable)
            .args(["-I", "-c", SCRIPT])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|source| OracleError::Spawn {
                path: self.executable.clone(),
                source,
            })?;
        let mut stdin = child.stdin.take().ok_or(OracleError::NoPipe("stdin"))?;
        let body = request.to_string();
        let writer = std::thread::spawn(move || stdin.write_all(body.as_bytes()));
        let mut stdout = child.stdout.take().ok_or(OracleError::NoPipe("stdout"))?;
        let reader = std::thread::spawn(move || {
            let mut out = Vec::new();
            stdout.read_to_end(&mut out).map(|_| out)
        });
        let mut stderr = child.stderr.take().ok_or(OracleError::NoPipe("stderr"))?;
        let err_reader = std::thread::spawn(move || {
            let mut err = String::new();
            let _ = stderr.read_to_string(&mut err);
            err
        });
        let started = Instant::now();
        let status = loop {
            match child.try_wait() {
                Ok(Some(status)) => break status,
                Ok(None) if started.elapsed() > BATCH_LIMIT => {
                    let _ = child.kill();
                    let _ = child.wait();
                    return Err(OracleError::TimedOut(BATCH_LIMIT.as_secs()));
                }
                Ok(None) => std::thread::sleep(Duration::from_millis(5)),
                Err(e) => return Err(OracleError::Wait(e)),
            }
        };
        let _ = writer.join();
        let out = reader
            .join()
            .map_err(|_| OracleError::ReaderPanicked)?
            .map_err(OracleError::Read)?;
        let err = err_reader.join().unwrap_or_default();
        if !status.success() {
            return Err(OracleError::Exited {
                status,
                stderr: err.trim().to_owned(),
            });
        }
        let answer: Answer = serde_json::from_slice(&out).map_err(OracleError::Answer)?;
        if answer.results.len() != invocations.len() {
            return Err(OracleError::Short {
                got: answer.results.len(),
                asked: invocations.len(),
            });
        }
        let mut ran = Vec::with_capacity(invocations.len());
        for (invocation, result) in invocations.iter().zip(answer.results) {
            ran.push(Ran {
                returned: result.into_returned(invocation.root)?,
                trace: None,
            });
        }
        Ok(ran)
    }
}

impl Copier for Oracle {
    fn name(&self) -> String {
        "cpython".to_owned()
    }

    fn run(&self, invocations: &[Invocation<'_>]) -> Vec<Ran> {
        match self.run_batch(invocations) {
            Ok(ran) => ran,
            Err(why) => invocations
                .iter()
                .map(|_| Ran {
                    returned: Returned::Broken(why.to_string()),
                    trace: None,
                })
                .collect(),
        }
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(text: &str) -> Result<Vec<u8>, OracleError> {
    if text.len() % 2 != 0 {
        return Err(OracleError::Hex(text.to_owned()));
    }
    text.as_bytes()
        .chunks(2)
        .map(|pair| {
            std::str::from_utf8(pair)
                .ok()
                .and_then(|pair| u8::from_str_radix(pair, 16).ok())
                .ok_or_else(|| OracleError::Hex(text.to_owned()))
        })
        .collect()
}

fn invocation_json(id: usize, invocation: &Invocation<'_>) -> serde_json::Value {
    let path = |rel: &[u8]| hex(join(invocation.root, rel).as_os_str().as_bytes());
    match invocation.op {
        Operation::File {
            mode,
            src,
            dst,
            follow_symlinks,
        } => serde_json::json!({
            "id": id,
            "op": mode.name(),
            "src": path(src),
            "dst": path(dst),
            "follow_symlinks": follow_symlinks,
        }),
        Operation::Tree(call) => serde_json::json!({
            "id": id,
            "op": "copytree",
            "src": path(&call.src),
            "dst": path(&call.dst),
            "symlinks": call.symlinks,
            "ignore_dangling_symlinks": call.ignore_dangling_symlinks,
            "dirs_exist_ok": call.dirs_exist_ok,
            "ignore": call.ignore,
        }),
    }
}

#[derive(Deserialize)]
struct Answer {
    results: Vec<InvocationResult>,
}

#[derive(Deserialize)]
struct InvocationResult {
    ok: bool,
    returned: Option<String>,
    kind: Option<String>,
    errno: Option<i32>,
    filename: Option<String>,
    filename2: Option<String>,
    message: Option<String>,
    gathered: Option<Vec<GatheredJson>>,
}

#[derive(Deserialize)]
struct GatheredJson {
    src: String,
    dst: String,
    kind: String,
    errno: Option<i32>,
}

impl InvocationResult {
    fn into_returned(self, root: &Path) -> Result<Returned, OracleError> {
        let rel = |hex_path: &str| -> Result<Vec<u8>, OracleError> {
            let bytes = unhex(hex_path)?;
            Ok(relative(
                root,
                Path::new(std::ffi::OsStr::from_bytes(&bytes)),
            ))
        };
        if self.ok {
            return Ok(Returned::Path(rel(self.returned.as_deref().unwrap_or(""))?));
        }
        if let Some(gathered) = self.gathered {
            return Ok(Returned::Gathered(
                gathered
                    .into_iter()
                    .map(|g| {
                        Ok(Gathered {
                            src: rel(&g.src)?,
                            dst: rel(&g.dst)?,
                            kind: g.kind,
                            errno: g.errno,
                        })
                    })
                    .collect::<Result<_, OracleError>>()?,
            ));
        }
        let about = [self.filename, self.filename2]
            .into_iter()
            .flatten()
            .map(|f| rel(&f))
            .collect::<Result<_, _>>()?;
        Ok(Returned::Raised {
            kind: self.kind.unwrap_or_else(|| "OSError".to_owned()),
            errno: self.errno,
            about,
            message: self.message.unwrap_or_default(),
        })
    }
}
