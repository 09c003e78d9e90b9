//! Protocol requests per copy on a target served over a protocol (an SMB share): the server's
//! own counters read around one more copy by each entry, untimed, after its samples. The
//! counters settle about a second after the copy (smbd flushes them on a timer), which is why
//! this is not done around the timed samples: waiting there would be an idle gap.

use std::collections::BTreeMap;
use std::path::Path;

use copybench_result::{FixtureKind, ProtocolRequests};

use super::executor::Setting;
use super::rounds::Active;
use super::sample::{flush, Bench};
use super::RunError;
use crate::target::Target;
use crate::work_dir::Trash;

/// Where the counts come from, as the result says.
const SOURCE: &str = "smbd's own counters (smbd profiling level = on, smbstatus -P), around one untimed copy; they include the client's few background requests (echo) in that time";

/// The requests one copy by `entry` made, or `None` on a target without a server; a reason in
/// `unmeasured` when the server does not say.
pub(super) fn of_one_copy(
    target: &dyn Target,
    bench: &Bench<'_>,
    entry: &Active,
    dst: &Path,
    trash: &mut Trash,
    unmeasured: &mut BTreeMap<String, String>,
) -> Result<Option<ProtocolRequests>, RunError> {
    let Some(before) = target.request_counts() else {
        return Ok(None);
    };
    let mut why_not = |why: String| {
        unmeasured.insert("requests".to_owned(), why);
        Ok(None)
    };
    let before = match before {
        Ok(counts) => counts,
        Err(why) => return why_not(why),
    };
    let fixture = bench.fixture;
    flush(&bench.target_fd);
    let setting = Setting {
        fsync: false,
        target: std::os::fd::AsFd::as_fd(&bench.target_fd),
        fixture_bytes: fixture.info.bytes,
    };
    let copied = entry.executor.sample(&fixture.path, dst, &setting);
    let after = target.request_counts();
    trash
        .take(dst, fixture.info.bytes)
        .map_err(|source| RunError::Trash {
            scenario: bench.scenario.to_owned(),
            source,
        })?;
    if let Err(e) = copied {
        return why_not(format!("the untimed copy that counts requests failed: {e}"));
    }
    let made = match after {
        Some(Ok(after)) => after.since(&before),
        Some(Err(why)) => return why_not(why),
        None => return Ok(None),
    };
    let total = made.total();
    Ok(Some(ProtocolRequests {
        source: SOURCE.to_owned(),
        per_file: (fixture.info.kind == FixtureKind::Tree && fixture.info.files > 0)
            .then(|| total as f64 / fixture.info.files as f64),
        per_copy: made.0,
        total,
    }))
}
