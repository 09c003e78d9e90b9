//! Cold cache without root: `fsync` then `posix_fadvise(POSIX_FADV_DONTNEED)` on every source
//! file, and `mincore` on a mapping of it to check the pages really left the page cache (the
//! kernel keeps pages that are dirty, mapped or locked elsewhere). Dentries and inodes stay
//! cached; dropping those needs `/proc/sys/vm/drop_caches`, which needs root.

use std::os::fd::AsFd;
use std::path::{Path, PathBuf};

/// Pages of the fixture still in the page cache after an eviction.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Residency {
    pub resident_pages: u64,
    pub total_pages: u64,
}

impl Residency {
    /// True when no page stayed.
    pub fn evicted(&self) -> bool {
        self.resident_pages == 0
    }
}

/// Why eviction could not even be tried.
#[derive(Debug, thiserror::Error)]
#[error(
    "cannot {op} {path} to evict it from the page cache: {}",
    copybench_engine::errno::describe_io(error)
)]
pub struct EvictError {
    pub op: &'static str,
    pub path: PathBuf,
    /// Not a `source`: the message already says it (once).
    pub error: std::io::Error,
}

fn err(op: &'static str, path: &Path) -> impl FnOnce(rustix::io::Errno) -> EvictError {
    let path = path.to_owned();
    move |e| EvictError {
        op,
        path,
        error: e.into(),
    }
}

/// Evicts every file in `files` and returns how many of their pages stayed.
pub fn evict(files: &[PathBuf]) -> Result<Residency, EvictError> {
    let mut total = Residency::default();
    for path in files {
        let fd = rustix::fs::open(path, rustix::fs::OFlags::RDONLY, rustix::fs::Mode::empty())
            .map_err(err("open", path))?;
        rustix::fs::fsync(&fd).map_err(err("fsync", path))?;
        rustix::fs::fadvise(&fd, 0, None, rustix::fs::Advice::DontNeed)
            .map_err(err("fadvise", path))?;
        let r = residency(fd.as_fd(), path)?;
        total.resident_pages += r.resident_pages;
        total.total_pages += r.total_pages;
    }
    Ok(total)
}

/// How many of `path`'s pages are in the page cache now, without evicting or reading any (for
/// the `dontcache` strategy's proof that it leaves its destination out of the cache).
pub fn resident(path: &Path) -> Result<Residency, EvictError> {
    let fd = rustix::fs::open(path, rustix::fs::OFlags::RDONLY, rustix::fs::Mode::empty())
        .map_err(err("open", path))?;
    residency(fd.as_fd(), path)
}

/// Drops the (clean) cached pages of `files` right after a sample, outside the timing, once a
/// `syncfs` has written them back. Freed at once, those pages are what the next sample's copy
/// gets: left in the cache instead, every copy would take fresh pages, and free memory left idle
/// is handed back to the host here, which makes taking it again slow (docs/design.md, "Idle gaps").
/// Files that are missing (a link, a copy that failed) are passed over.
pub fn drop_cached(files: &[PathBuf]) {
    for path in files {
        if let Ok(fd) =
            rustix::fs::open(path, rustix::fs::OFlags::RDONLY, rustix::fs::Mode::empty())
        {
            let _ = rustix::fs::fadvise(&fd, 0, None, rustix::fs::Advice::DontNeed);
        }
    }
}

/// Reads the files once so they are in the page cache (a warm start for the first sample).
pub fn warm(files: &[PathBuf]) -> Result<(), EvictError> {
    use std::io::Read;
    let mut buf = vec![0u8; 1 << 20];
    for path in files {
        let mut file = std::fs::File::open(path).map_err(|error| EvictError {
            op: "open",
            path: path.clone(),
            error,
        })?;
        loop {
            match file.read(&mut buf) {
                Ok(0) => break,
                Ok(_) => {}
                Err(error) => {
                    return Err(EvictError {
                        op: "read",
                        path: path.clone(),
                        error,
                    })
                }
            }
        }
    }
    Ok(())
}

/// Pages of an open file present in the page cache (`mincore` over a read-only mapping).
fn residency(fd: std::os::fd::BorrowedFd<'_>, path: &Path) -> Result<Residency, EvictError> {
    let len = rustix::fs::fstat(fd).map_err(err("stat", path))?.st_size;
    let (resident_pages, total_pages) =
        crate::os::resident_pages(fd, len.max(0) as u64).map_err(|error| EvictError {
            op: "mincore",
            path: path.to_owned(),
            error,
        })?;
    Ok(Residency {
        resident_pages,
        total_pages,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_read_file_is_resident_and_eviction_is_checked() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("f");
        std::fs::write(&path, vec![7u8; 256 * 1024]).unwrap();
        warm(std::slice::from_ref(&path)).unwrap();
        let fd =
            rustix::fs::open(&path, rustix::fs::OFlags::RDONLY, rustix::fs::Mode::empty()).unwrap();
        let before = residency(fd.as_fd(), &path).unwrap();
        assert_eq!(
            before.total_pages,
            (256 * 1024 / rustix::param::page_size()) as u64
        );
        assert_eq!(before.resident_pages, before.total_pages);
        let after = evict(std::slice::from_ref(&path)).unwrap();
        assert_eq!(after.total_pages, before.total_pages);
        // tmpfs cannot drop its pages (they are the file); a disk filesystem must.
        let on_tmpfs = crate::environment::filesystem("work", tmp.path())
            .is_some_and(|fs| fs.fs_type == "tmpfs");
        if on_tmpfs {
            eprintln!("skipped the eviction check: the temp dir is on tmpfs");
        } else {
            assert!(after.evicted(), "{after:?}");
        }
    }
}
