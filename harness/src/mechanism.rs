//! Proof of mechanism: what a copy really did, checked after each sample, outside the timing
//! (docs/design.md, "Targets and proof of mechanism").
//!
//! - shared extents (FIEMAP's `FIEMAP_EXTENT_SHARED` on the copy): a reflink, or a clone a
//!   server made, costs O(1) and writes no data; a full copy shares nothing;
//! - holes (SEEK_DATA/SEEK_HOLE): whether a sparse source's holes stayed holes or were written
//!   out as zeros;
//! - for engine entries, the strategy that copied each file and every give-up before it (what
//!   `auto` chose);
//! - a claim the entry makes about itself that the proof contradicts: `cp --reflink=never`, or
//!   a strategy that writes every byte, whose copies share extents; `reflink` whose copies do not.
//!
//! Files are inspected where their blocks are: on an SMB share, the server's file on its disk
//! (the target's `backing_path`), since FUSE answers neither FIEMAP nor SEEK_HOLE faithfully.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use copybench_engine::{CopyReport, Fallback, Strategy, TreeReport};
use copybench_result::{ExtentSharing, HoleKeeping, Mechanism, SampleProof};
use rustix::io::Errno;

use crate::os;
use crate::peer::PeerKind;

/// A copy keeps a source's holes when at least this fraction of their bytes are holes in it.
const HOLES_KEPT: f64 = 0.99;
/// Below this fraction the holes were filled.
const HOLES_FILLED: f64 = 0.01;

/// What an entry says about its own copies.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Claim {
    /// Its copies share extents with the source (`reflink`).
    Shares(&'static str),
    /// Its copies write every byte (`cp --reflink=never`, read/write loops, sendfile, splice).
    WritesEveryByte(&'static str),
    /// Either may happen (`copy_file_range` may clone on btrfs and xfs; `auto`; `cp`).
    Unstated,
}

/// The claim of an engine strategy.
pub fn strategy_claim(strategy: Strategy) -> Claim {
    match strategy {
        Strategy::Reflink => Claim::Shares("reflink (FICLONE)"),
        Strategy::Buffered16k
        | Strategy::Buffered64k
        | Strategy::Buffered1m
        | Strategy::Readinto64k
        | Strategy::Readinto256k
        | Strategy::Readinto1m
        | Strategy::Mmap
        | Strategy::Dontcache
        | Strategy::IoUring => Claim::WritesEveryByte("a userspace copy loop"),
        Strategy::Sendfile => Claim::WritesEveryByte("sendfile"),
        Strategy::Splice => Claim::WritesEveryByte("splice through a pipe"),
        Strategy::CopyFileRange | Strategy::Std | Strategy::Auto | Strategy::Fcopyfile => {
            Claim::Unstated
        }
    }
}

/// The claim of a peer.
pub fn peer_claim(peer: &PeerKind) -> Claim {
    match peer {
        PeerKind::CpReflinkNever => Claim::WritesEveryByte("`cp --reflink=never`"),
        PeerKind::PythonCopyfileobj { .. } => {
            Claim::WritesEveryByte("`shutil.copyfileobj` (a userspace loop)")
        }
        // xcp and the other cargo-installed copiers may clone where they can.
        PeerKind::Cp | PeerKind::PythonShutil { .. } | PeerKind::Rsync | PeerKind::Cargo(_) => {
            Claim::Unstated
        }
    }
}

/// The source of a scenario, inspected once.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SourceProfile {
    pub bytes: u64,
    /// Bytes that are data; `None` when SEEK_DATA could not be asked.
    pub data_bytes: Option<u64>,
}

impl SourceProfile {
    /// Hole bytes of the source, when it has any worth judging (more than one 64 KiB block).
    fn hole_bytes(&self) -> Option<u64> {
        let holes = self.bytes.saturating_sub(self.data_bytes?);
        (holes > 64 * 1024).then_some(holes)
    }
}

/// One file's size and where its blocks can be inspected.
pub struct Inspected {
    pub path: PathBuf,
    pub size: u64,
}

/// Inspects the fixture's files (`resolve` maps a path to where its blocks can be seen).
pub fn profile_source(files: &[PathBuf], resolve: &dyn Fn(&Path) -> PathBuf) -> SourceProfile {
    let mut bytes = 0;
    let mut data = Some(0u64);
    for file in files {
        let path = resolve(file);
        let Ok(f) = std::fs::File::open(&path) else {
            data = None;
            continue;
        };
        let size = f.metadata().map(|m| m.len()).unwrap_or(0);
        bytes += size;
        data = match (data, os::data_ranges(&f, size)) {
            (Some(d), Ok(ranges)) => Some(d + ranges.iter().map(|r| r.1).sum::<u64>()),
            _ => None,
        };
    }
    SourceProfile {
        bytes,
        data_bytes: data,
    }
}

/// What checking one copy found, and why a figure is missing.
#[derive(Clone, Debug, PartialEq)]
pub struct CopyCheck {
    pub proof: SampleProof,
    /// `mechanism.shared_bytes` / `mechanism.data_bytes` → why it could not be read.
    pub unmeasured: BTreeMap<String, String>,
}

/// Inspects the copies `files` (destination paths; `resolve` as for [`profile_source`]).
pub fn check_copy(files: &[PathBuf], resolve: &dyn Fn(&Path) -> PathBuf) -> CopyCheck {
    let mut shared = Some(0u64);
    let mut data = Some(0u64);
    let mut unmeasured = BTreeMap::new();
    for file in files {
        let path = resolve(file);
        let opened = std::fs::File::open(&path).and_then(|f| {
            let size = f.metadata()?.len();
            Ok((f, size))
        });
        let (f, size) = match opened {
            Ok(o) => o,
            Err(e) => {
                let why = format!("cannot open {}: {e}", path.display());
                unmeasured.insert("mechanism.shared_bytes".to_owned(), why.clone());
                unmeasured.insert("mechanism.data_bytes".to_owned(), why);
                shared = None;
                data = None;
                break;
            }
        };
        if shared.is_some() {
            match os::extents(&f) {
                Ok(extents) => {
                    let of_file: u64 = extents
                        .iter()
                        .filter(|e| e.shared)
                        .map(|e| {
                            e.logical
                                .saturating_add(e.length)
                                .min(size)
                                .saturating_sub(e.logical)
                        })
                        .sum();
                    shared = shared.map(|s| s + of_file);
                }
                Err(errno) => {
                    unmeasured.insert(
                        "mechanism.shared_bytes".to_owned(),
                        unsupported("FIEMAP", errno, &path),
                    );
                    shared = None;
                }
            }
        }
        if data.is_some() {
            match os::data_ranges(&f, size) {
                Ok(ranges) => data = data.map(|d| d + ranges.iter().map(|r| r.1).sum::<u64>()),
                Err(errno) => {
                    unmeasured.insert(
                        "mechanism.data_bytes".to_owned(),
                        unsupported("SEEK_DATA", errno, &path),
                    );
                    data = None;
                }
            }
        }
    }
    CopyCheck {
        proof: SampleProof {
            shared_bytes: shared,
            data_bytes: data,
        },
        unmeasured,
    }
}

fn unsupported(call: &str, errno: Errno, path: &Path) -> String {
    let fs = crate::environment::filesystem("target", path)
        .map(|f| format!(" on {}", f.fs_type))
        .unwrap_or_default();
    format!(
        "{call} is not answered{fs} ({}: {})",
        copybench_engine::errno::name(errno),
        path.display()
    )
}

/// Which strategies an engine entry's copies used, summed over samples.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ContentTally {
    pub strategies_used: BTreeMap<String, u64>,
    pub fallbacks: BTreeMap<String, u64>,
}

impl ContentTally {
    /// Adds another tally (one more sample).
    pub fn add(&mut self, other: &ContentTally) {
        for (name, n) in &other.strategies_used {
            *self.strategies_used.entry(name.clone()).or_insert(0) += n;
        }
        for (name, n) in &other.fallbacks {
            *self.fallbacks.entry(name.clone()).or_insert(0) += n;
        }
    }

    pub fn add_file(&mut self, report: &CopyReport) {
        *self
            .strategies_used
            .entry(report.strategy_used.name().to_owned())
            .or_insert(0) += 1;
        for fallback in &report.fallbacks {
            *self.fallbacks.entry(fallback_name(fallback)).or_insert(0) += 1;
        }
    }

    pub fn add_tree(&mut self, report: &TreeReport) {
        for (strategy, files) in &report.strategies_used {
            *self
                .strategies_used
                .entry(strategy.name().to_owned())
                .or_insert(0) += files;
        }
        for (fallback, files) in &report.fallbacks {
            *self.fallbacks.entry(fallback_name(fallback)).or_insert(0) += files;
        }
    }
}

/// `reflink: EXDEV`, or `copy_file_range: 0 at offset 0` for a give-up on an empty answer.
fn fallback_name(fallback: &Fallback) -> String {
    match fallback.errno {
        Some(errno) => format!(
            "{}: {}",
            fallback.from,
            copybench_engine::errno::name(errno)
        ),
        None => format!("{}: 0 bytes at offset 0", fallback.from),
    }
}

/// The proof of an entry from its samples' checks.
pub fn summarize(
    proofs: &[SampleProof],
    source: &SourceProfile,
    claim: Claim,
    content: Option<&ContentTally>,
) -> Mechanism {
    let bytes = source.bytes;
    let shared: Option<Vec<u64>> = proofs.iter().map(|p| p.shared_bytes).collect();
    let shared = shared.filter(|s| !s.is_empty());
    let class = |s: u64| match s {
        0 => ExtentSharing::Copied,
        s if s >= bytes => ExtentSharing::Reflinked,
        _ => ExtentSharing::PartlyShared,
    };
    let extents = shared.as_ref().map(|s| {
        let first = class(s[0]);
        if s.iter().all(|x| class(*x) == first) {
            first
        } else {
            ExtentSharing::Varies
        }
    });
    let shared_fraction = shared.as_ref().and_then(|s| {
        let min = *s.iter().min()?;
        (bytes > 0).then(|| (min.min(bytes)) as f64 / bytes as f64)
    });

    let holes_kept_fraction = source.hole_bytes().and_then(|holes| {
        let data: Option<Vec<u64>> = proofs.iter().map(|p| p.data_bytes).collect();
        let copy_holes = data?.into_iter().map(|d| bytes.saturating_sub(d)).min()?;
        Some((copy_holes as f64 / holes as f64).min(1.0))
    });
    let holes = holes_kept_fraction.map(|f| {
        if f >= HOLES_KEPT {
            HoleKeeping::Kept
        } else if f <= HOLES_FILLED {
            HoleKeeping::Filled
        } else {
            HoleKeeping::PartlyKept
        }
    });

    let contradiction = match (claim, shared.as_ref()) {
        (Claim::WritesEveryByte(what), Some(s)) if s.iter().any(|x| *x > 0) => {
            let most = s.iter().max().copied().unwrap_or(0);
            Some(format!(
                "{what} claims to write every byte, but {} of {} bytes of a copy share extents with another file",
                most, bytes
            ))
        }
        (Claim::Shares(what), Some(s)) if s.contains(&0) && bytes > 0 => Some(format!(
            "{what} copied without error, but a copy shares no extents"
        )),
        _ => None,
    };
    let content = content.cloned().unwrap_or_default();
    Mechanism {
        extents,
        shared_fraction,
        source_data_bytes: source.data_bytes,
        holes,
        holes_kept_fraction,
        strategies_used: content.strategies_used,
        fallbacks: content.fallbacks,
        contradiction,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Seek, SeekFrom, Write};

    fn proof(shared: u64, data: u64) -> SampleProof {
        SampleProof {
            shared_bytes: Some(shared),
            data_bytes: Some(data),
        }
    }

    const DENSE: SourceProfile = SourceProfile {
        bytes: 1 << 20,
        data_bytes: Some(1 << 20),
    };

    #[test]
    fn a_peer_that_claims_not_to_reflink_but_shares_extents_is_flagged() {
        let claim = peer_claim(&PeerKind::CpReflinkNever);
        let m = summarize(&[proof(1 << 20, 1 << 20); 3], &DENSE, claim, None);
        assert_eq!(m.extents, Some(ExtentSharing::Reflinked));
        let flag = m.contradiction.expect("flagged");
        assert!(flag.contains("--reflink=never"), "{flag}");
        let m = summarize(&[proof(0, 1 << 20); 3], &DENSE, claim, None);
        assert_eq!(
            (m.extents, m.contradiction),
            (Some(ExtentSharing::Copied), None)
        );
    }

    #[test]
    fn a_reflink_that_shares_nothing_is_flagged_and_mixed_samples_vary() {
        let m = summarize(
            &[proof(0, 1 << 20)],
            &DENSE,
            strategy_claim(Strategy::Reflink),
            None,
        );
        assert!(m.contradiction.is_some());
        let m = summarize(
            &[proof(0, 1), proof(1 << 20, 1)],
            &DENSE,
            Claim::Unstated,
            None,
        );
        assert_eq!(m.extents, Some(ExtentSharing::Varies));
        assert_eq!(m.shared_fraction, Some(0.0));
    }

    #[test]
    fn holes_are_judged_only_for_a_sparse_source() {
        let sparse = SourceProfile {
            bytes: 4 << 20,
            data_bytes: Some(1 << 20),
        };
        let kept = summarize(&[proof(0, 1 << 20)], &sparse, Claim::Unstated, None);
        assert_eq!(kept.holes, Some(HoleKeeping::Kept));
        let filled = summarize(&[proof(0, 4 << 20)], &sparse, Claim::Unstated, None);
        assert_eq!(filled.holes, Some(HoleKeeping::Filled));
        assert_eq!(filled.holes_kept_fraction, Some(0.0));
        let dense = summarize(&[proof(0, 1 << 20)], &DENSE, Claim::Unstated, None);
        assert_eq!(dense.holes, None);
    }

    #[test]
    fn a_sparse_file_and_its_dense_copy_are_told_apart() {
        let tmp = tempfile::tempdir().unwrap();
        let src = tmp.path().join("sparse");
        let mut f = std::fs::File::create(&src).unwrap();
        f.write_all(&[1u8; 64 * 1024]).unwrap();
        f.seek(SeekFrom::Start(8 << 20)).unwrap();
        f.write_all(&[1u8; 64 * 1024]).unwrap();
        drop(f);
        let dense = tmp.path().join("dense");
        std::fs::write(&dense, std::fs::read(&src).unwrap()).unwrap();
        let same = |p: &Path| p.to_owned();
        let source = profile_source(std::slice::from_ref(&src), &same);
        let copy = check_copy(&[dense], &same);
        if source.data_bytes == Some(source.bytes) {
            eprintln!("skipped: this filesystem reports no holes");
            return;
        }
        let m = summarize(&[copy.proof], &source, Claim::Unstated, None);
        assert_eq!(m.holes, Some(HoleKeeping::Filled), "{m:?}");
    }
}
