//! The machine and software a result was measured on: `sysinfo` for the hardware and OS,
//! `/proc/self/mountinfo` (matched by the device number `stat` gives; `statfs` when there is no
//! mountinfo) for filesystems, and `--version` of the peer programs.

use std::collections::BTreeMap;
use std::os::unix::fs::MetadataExt;
use std::path::Path;

use copybench_result::{Environment, FilesystemInfo, ToolInfo, ToolVersion};

use crate::interpreters::Interpreters;
use crate::peer::{find_on_path, first_line_of, PeerKind};

/// The hardware, OS, tools and CPython interpreters (filesystems are added per scenario with
/// [`filesystem`]).
pub fn environment(interpreters: &Interpreters) -> Environment {
    use sysinfo::{CpuRefreshKind, MemoryRefreshKind, RefreshKind, System};
    let system = System::new_with_specifics(
        RefreshKind::nothing()
            .with_cpu(CpuRefreshKind::nothing())
            .with_memory(MemoryRefreshKind::nothing().with_ram()),
    )
    .ok();
    let cpu_model = system
        .as_ref()
        .and_then(|s| s.cpus().first().map(|c| c.brand().trim().to_owned()))
        .filter(|b| !b.is_empty());
    let logical_cores = std::thread::available_parallelism().map(|n| n.get()).ok();
    Environment {
        hostname: System::host_name().ok(),
        cpu_model,
        logical_cores,
        physical_cores: System::physical_core_count().ok(),
        memory_bytes: system.as_ref().map(|s| s.total_memory()),
        // The target OS of this build is a fact too, when sysinfo cannot read the release.
        os: System::long_os_version()
            .or_else(|_| System::name())
            .unwrap_or_else(|_| std::env::consts::OS.to_owned()),
        kernel: System::kernel_version().ok(),
        filesystems: Vec::new(),
        targets: Vec::new(),
        tools: tools(interpreters),
        interpreters: interpreters.infos(),
    }
}

/// Versions of the peers' programs (`python3`: the default interpreter) and of strace.
fn tools(interpreters: &Interpreters) -> BTreeMap<String, ToolVersion> {
    let mut tools = BTreeMap::new();
    for (program, kind) in [
        ("cp", PeerKind::Cp),
        ("python3", PeerKind::PythonShutil { python: None }),
        ("rsync", PeerKind::Rsync),
    ] {
        let entry = match kind.peer().resolve(interpreters) {
            Ok(resolved) => resolved.tool_version(),
            Err(why) => ToolVersion {
                path: None,
                version: None,
                unavailable: Some(why.to_string()),
            },
        };
        tools.insert(program.to_owned(), entry);
    }
    let strace = match find_on_path("strace") {
        Some(path) => ToolVersion {
            version: first_line_of(&path, &["-V"]),
            path: Some(path.display().to_string()),
            unavailable: None,
        },
        None => ToolVersion {
            path: None,
            version: None,
            unavailable: Some(
                "`strace` not found on PATH (install the Debian package `strace`)".to_owned(),
            ),
        },
    };
    tools.insert("strace".to_owned(), strace);
    tools
}

/// This copybench: its version and the commit it was built from (recorded at build time by
/// the binary's build script).
pub fn tool_info(version: &str, git_commit: Option<&str>) -> ToolInfo {
    ToolInfo {
        version: version.to_owned(),
        git_commit: git_commit.map(str::to_owned),
    }
}

/// The filesystem `path` is on: the mountinfo line whose device number matches `stat`'s, the
/// longest matching mount point when several do (bind mounts). btrfs gives each subvolume its
/// own anonymous device number, which mountinfo does not show (stat said 0:40 where mountinfo
/// says 0:39 here): without a device match, the longest mount point holding the path is taken.
pub fn filesystem(role: &str, path: &Path) -> Option<FilesystemInfo> {
    let dev = std::fs::metadata(path).ok()?.dev();
    let (major, minor) = (libc::major(dev), libc::minor(dev));
    let canonical = path.canonicalize().ok()?;
    let mountinfo = std::fs::read_to_string("/proc/self/mountinfo").ok()?;
    // (device matched, mount point length): a device match first, then the deepest mount.
    let mut best: Option<((bool, usize), FilesystemInfo)> = None;
    for line in mountinfo.lines() {
        let Some(m) = parse_mountinfo_line(line) else {
            continue;
        };
        if !canonical.starts_with(&m.mount_point) {
            continue;
        }
        let rank = (
            m.major_minor == format!("{major}:{minor}"),
            m.mount_point.len(),
        );
        if best.as_ref().is_none_or(|(r, _)| rank >= *r) {
            best = Some((
                rank,
                FilesystemInfo {
                    role: role.to_owned(),
                    path: canonical.display().to_string(),
                    fs_type: m.fs_type,
                    mount_point: Some(m.mount_point),
                    mount_options: Some(m.options),
                    device: m.source,
                },
            ));
        }
    }
    best.map(|(_, info)| info).or_else(|| {
        // No mountinfo line (a container without /proc, say): statfs still names the type.
        let magic = rustix::fs::statfs(&canonical).ok()?.f_type as u64;
        Some(FilesystemInfo {
            role: role.to_owned(),
            path: canonical.display().to_string(),
            fs_type: fs_type_of_magic(magic),
            mount_point: None,
            mount_options: None,
            device: format!("{major}:{minor}"),
        })
    })
}

/// A filesystem type name from `statfs`'s `f_type`, by the engine's one table of them.
fn fs_type_of_magic(magic: u64) -> String {
    copybench_engine::sys::filesystem_type(magic)
        .map_or_else(|| format!("statfs magic {magic:#x}"), str::to_owned)
}

struct MountLine {
    major_minor: String,
    mount_point: String,
    fs_type: String,
    source: String,
    /// Per-mount options, then the superblock's.
    options: String,
}

/// `36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw,errors=continue`
fn parse_mountinfo_line(line: &str) -> Option<MountLine> {
    let (left, right) = line.split_once(" - ")?;
    let left: Vec<&str> = left.split(' ').collect();
    let right: Vec<&str> = right.split(' ').collect();
    let unescape = |s: &str| {
        s.replace("\\040", " ")
            .replace("\\011", "\t")
            .replace("\\012", "\n")
            .replace("\\134", "\\")
    };
    Some(MountLine {
        major_minor: left.get(2)?.to_string(),
        mount_point: unescape(left.get(4)?),
        fs_type: right.first()?.to_string(),
        source: unescape(right.get(1)?),
        options: format!("{} ({})", left.get(5)?, right.get(2).unwrap_or(&"")),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mountinfo_lines_parse() {
        let m = parse_mountinfo_line(
            "36 35 98:0 /mnt1 /mnt\\040two rw,noatime master:1 - ext3 /dev/root rw,errors=continue",
        )
        .unwrap();
        assert_eq!(m.major_minor, "98:0");
        assert_eq!(m.mount_point, "/mnt two");
        assert_eq!(m.fs_type, "ext3");
        assert_eq!(m.source, "/dev/root");
        assert_eq!(m.options, "rw,noatime (rw,errors=continue)");
    }

    #[test]
    fn statfs_magics_have_names() {
        assert_eq!(fs_type_of_magic(0xEF53), "ext4");
        assert_eq!(fs_type_of_magic(0x0102_1994), "tmpfs");
        assert_eq!(fs_type_of_magic(0x1234), "statfs magic 0x1234");
    }

    #[test]
    fn the_filesystem_of_a_temp_dir_is_found() {
        let tmp = tempfile::tempdir().unwrap();
        let fs = filesystem("work", tmp.path()).expect("a mount for the temp dir");
        assert_eq!(fs.role, "work");
        assert!(!fs.fs_type.is_empty());
        assert!(tmp
            .path()
            .canonicalize()
            .unwrap()
            .starts_with(fs.mount_point.as_deref().unwrap()));
    }
}
