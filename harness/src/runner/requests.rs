//! Protocol requests per copy on a target served over a protocol (an SMB share): the server's
//! own counters read between one more copy by each entry, untimed, after every entry's samples.
//! The counters settle about a second after a copy (smbd adds each process's counts to the
//! shared table on a timer), which is why this is not done around the timed samples: waiting
//! there would be an idle gap. The copies are moved into the trash only after the last reading,
//! so the renames are nobody's requests.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use copybench_result::{FixtureKind, ProtocolRequests};

use super::calibration::Role;
use super::executor::Setting;
use super::progress::Progress;
use super::rounds::Active;
use super::sample::{flush, Bench};
use super::RunError;
use crate::target::Target;
use crate::work_dir::Trash;

/// Where the counts come from, as the result says.
const SOURCE: &str = "smbd's own counters (smbd profiling level = on, smbstatus -P) around one untimed copy; they include the client's few background requests (keepalive) in that time";

/// Per entry (in `active`'s order): the requests of one copy by it, `None` on a target without
/// a server or for an entry that failed; why not, in `unmeasured[i]`, when the server did not say.
pub(super) fn of_one_copy_each(
    target: &dyn Target,
    bench: &Bench<'_>,
    active: &[Active],
    dir: &Path,
    trash: &mut Trash,
    unmeasured: &mut [BTreeMap<String, String>],
    progress: &mut Progress,
) -> Result<Vec<Option<ProtocolRequests>>, RunError> {
    let mut out: Vec<Option<ProtocolRequests>> = active.iter().map(|_| None).collect();
    let Some(first) = target.request_counts() else {
        return Ok(out);
    };
    let mut before = match first {
        Ok(counts) => Some(counts),
        Err(why) => {
            for (entry, unmeasured) in active.iter().zip(unmeasured.iter_mut()) {
                if entry.failed.is_none() && entry.role == Role::Entry {
                    unmeasured.insert("requests".to_owned(), why.clone());
                }
            }
            return Ok(out);
        }
    };
    let fixture = bench.fixture;
    let setting = Setting {
        fsync: false,
        target: std::os::fd::AsFd::as_fd(&bench.target_fd),
        fixture_bytes: fixture.info.bytes,
    };
    let mut copies: Vec<PathBuf> = Vec::new();
    for (index, entry) in active.iter().enumerate() {
        // The result's entries only: the calibration's no-op starts and memcpy copy nothing.
        if entry.failed.is_some() || entry.role != Role::Entry || !entry.executor.writes_copy() {
            continue;
        }
        crate::interrupt::check().map_err(RunError::Interrupted)?;
        progress.note(&format!(
            "counting the server's requests of one more copy by `{}`",
            entry.spec.id
        ));
        let dst = dir.join(format!("requests-e{index:02}"));
        flush(&bench.target_fd);
        let copied = entry.executor.sample(&fixture.path, &dst, &setting);
        copies.push(dst);
        let after = target
            .request_counts()
            .unwrap_or_else(|| Err("no counters".to_owned()));
        match (copied, before.take(), after) {
            (Err(e), _, after) => {
                unmeasured[index].insert(
                    "requests".to_owned(),
                    format!("the untimed copy that counts requests failed: {e}"),
                );
                before = after.ok();
            }
            (Ok(_), Some(earlier), Ok(now)) => {
                let made = now.since(&earlier);
                let total = made.total();
                out[index] = Some(ProtocolRequests {
                    source: SOURCE.to_owned(),
                    per_file: (fixture.info.kind == FixtureKind::Tree && fixture.info.files > 0)
                        .then(|| total as f64 / fixture.info.files as f64),
                    per_copy: made.0,
                    total,
                });
                before = Some(now);
            }
            (Ok(_), None, after) => {
                unmeasured[index].insert(
                    "requests".to_owned(),
                    "the server's counters could not be read before this copy".to_owned(),
                );
                before = after.ok();
            }
            (Ok(_), Some(_), Err(why)) => {
                unmeasured[index].insert("requests".to_owned(), why);
            }
        }
    }
    for dst in copies {
        trash
            .take(&dst, fixture.info.bytes)
            .map_err(|error| RunError::Trash {
                scenario: bench.scenario.to_owned(),
                error,
            })?;
    }
    Ok(out)
}
