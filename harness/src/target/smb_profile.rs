//! smbd's own request counters (`smbd profiling level = on`, read with `smbstatus -P -j`): how
//! many SMB2 requests of each kind the server answered. Each smbd process adds its counts to the
//! shared `smbprofile.tdb` about once a second, so a reading is taken only once two readings
//! [`SETTLE`] apart agree.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::{Duration, Instant};

use serde::Deserialize;

/// Two readings this far apart that agree mean the servers have flushed their counts.
const SETTLE: Duration = Duration::from_millis(1200);
/// Give up waiting for the counters to settle after this long.
const SETTLE_LIMIT: Duration = Duration::from_secs(15);

/// SMB2 requests by command (`create`, `close`, `getinfo`, `find`, `read`, `write`, …).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RequestCounts(pub BTreeMap<String, u64>);

impl RequestCounts {
    /// The requests made between `before` and `self`.
    pub fn since(&self, before: &RequestCounts) -> RequestCounts {
        RequestCounts(
            self.0
                .iter()
                .map(|(name, n)| {
                    let earlier = before.0.get(name).copied().unwrap_or(0);
                    (name.clone(), n.saturating_sub(earlier))
                })
                .filter(|(_, n)| *n > 0)
                .collect(),
        )
    }

    pub fn total(&self) -> u64 {
        self.0.values().sum()
    }
}

#[derive(Deserialize)]
struct Profile {
    #[serde(rename = "SMB2 Calls")]
    smb2: Option<BTreeMap<String, Counter>>,
}

#[derive(Deserialize)]
struct Counter {
    count: u64,
}

#[derive(Deserialize)]
struct Sessions {
    #[serde(default)]
    sessions: BTreeMap<String, Session>,
}

#[derive(Deserialize)]
struct Session {
    session_dialect: Option<String>,
}

/// Parses `smbstatus -P -j`.
fn parse_profile(json: &str) -> Result<RequestCounts, String> {
    let profile: Profile = serde_json::from_str(json)
        .map_err(|e| format!("smbstatus -P -j printed no profile: {e}"))?;
    let calls = profile
        .smb2
        .ok_or("smbstatus -P -j has no \"SMB2 Calls\" (smbd built without profiling support)")?;
    Ok(RequestCounts(
        calls
            .into_iter()
            .map(|(name, c)| {
                (
                    name.strip_prefix("smb2_").unwrap_or(&name).to_owned(),
                    c.count,
                )
            })
            .collect(),
    ))
}

/// Parses `smbstatus -b -j`: the dialects sessions negotiated.
fn parse_dialects(json: &str) -> Vec<String> {
    let Ok(sessions) = serde_json::from_str::<Sessions>(json) else {
        return Vec::new();
    };
    let mut dialects: Vec<String> = sessions
        .sessions
        .into_values()
        .filter_map(|s| s.session_dialect)
        .filter(|d| !d.is_empty())
        .collect();
    dialects.sort();
    dialects.dedup();
    dialects
}

/// One reading of the counters of the server configured by `config`.
pub(super) fn read(smbstatus: &Path, config: &Path) -> Result<RequestCounts, String> {
    let config = format!("--configfile={}", config.display());
    let out =
        super::tool::run(smbstatus, &["-P", "-j", config.as_str()]).map_err(|e| e.to_string())?;
    parse_profile(&out)
}

/// A reading taken once the servers' counts have settled.
pub(super) fn read_settled(smbstatus: &Path, config: &Path) -> Result<RequestCounts, String> {
    let started = Instant::now();
    let mut last = read(smbstatus, config)?;
    loop {
        std::thread::sleep(SETTLE);
        let now = read(smbstatus, config)?;
        if now == last {
            return Ok(now);
        }
        if started.elapsed() > SETTLE_LIMIT {
            return Err(format!(
                "smbd's request counters were still changing after {} s",
                SETTLE_LIMIT.as_secs()
            ));
        }
        last = now;
    }
}

/// The dialect the client negotiated (`SMB3_11`), if a session is open.
pub(super) fn dialect(smbstatus: &Path, config: &Path) -> Result<String, String> {
    let config = format!("--configfile={}", config.display());
    let out =
        super::tool::run(smbstatus, &["-b", "-j", config.as_str()]).map_err(|e| e.to_string())?;
    let dialects = parse_dialects(&out);
    match dialects.as_slice() {
        [] => Err("smbstatus listed no session".to_owned()),
        [one] => Ok(one.clone()),
        several => Ok(several.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn smb2_counts_parse_and_subtract() {
        let before = parse_profile(
            r#"{"version": "4.17", "SMB2 Calls": {"smb2_create": {"count": 10, "time": 5}, "smb2_close": {"count": 4}}}"#,
        )
        .unwrap();
        let after = parse_profile(
            r#"{"SMB2 Calls": {"smb2_create": {"count": 25}, "smb2_close": {"count": 4}, "smb2_write": {"count": 3}}}"#,
        )
        .unwrap();
        let made = after.since(&before);
        assert_eq!(made.0.get("create"), Some(&15));
        assert_eq!(made.0.get("close"), None);
        assert_eq!(made.total(), 18);
    }

    #[test]
    fn a_server_without_profiling_says_so() {
        let e = parse_profile(r#"{"version": "4.17"}"#).unwrap_err();
        assert!(e.contains("profiling"), "{e}");
    }

    #[test]
    fn dialects_of_sessions_are_read() {
        let json = r#"{"sessions": {"1": {"session_dialect": "SMB3_11", "username": "root"}, "2": {"session_dialect": "SMB3_11"}}}"#;
        assert_eq!(parse_dialects(json), ["SMB3_11"]);
        assert!(parse_dialects(r#"{"sessions": {}}"#).is_empty());
    }
}
