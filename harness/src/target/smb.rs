//! An SMB share served for one scenario: a real `smbd` (Debian `samba`) with a configuration
//! written into the target's directory — loopback only, SMB2 or newer, one share over a fresh
//! directory, its own state, lock, cache and log directories — run in the foreground under its
//! own PID on a free unprivileged port; mounted through the FUSE client `smbnetfs` (Debian
//! `smbnetfs`) with a private HOME, and reached as `MOUNT/127.0.0.1:PORT/SHARE`.
//!
//! What was seen on this kind of machine, and shapes this file:
//! - smbnetfs ignores `smb ports`, but reaches a server on another port through the path
//!   `MOUNT/127.0.0.1:PORT/SHARE`; it reads `~/.smb/smb.conf` and `~/.smb/smbnetfs.conf`, and
//!   refuses an `auth` line from a file others can read (mode 0600 here).
//! - `listxattr` through smbnetfs fails with EIO after a ~4 s stall, and the client's connection
//!   is dropped: the next calls fail with EIO for ~3 s (its negative cache). Nothing may list
//!   xattrs on the share: [`Limits::no_xattrs`] says so to the runner.
//! - a `force user` in the share made writes to existing files fail: the share has none; the
//!   guest account is the user copybench runs as.
//! - `smbd profiling level = on` makes smbd count every request it serves (`smbstatus -P`).

use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use copybench_result::{SmbRecord, TargetRecord};

use super::smb_profile::{self, RequestCounts};
use super::teardown::{self, Teardown, Undo};
use super::tool;
use super::{
    base_record, io, require_kernel_filesystem, require_root, Layout, Limits, Placement,
    SetUpContext, SetUpError, Target, TargetError,
};
use crate::environment;

/// The share's name.
const SHARE: &str = "bench";
/// How long smbd gets to listen, and the mount to answer.
const START_LIMIT: Duration = Duration::from_secs(20);

/// Why copies on an smbnetfs mount list no xattrs.
const NO_XATTRS: &str = "xattrs are not copied from or to the SMB share: listxattr through smbnetfs fails with EIO after a ~4 s stall and drops the client's connection (the next calls fail for ~3 s)";

/// The directories of the server and the client, all under the target's own directory.
#[derive(Clone, Debug)]
struct Dirs {
    root: PathBuf,
    share: PathBuf,
    config: PathBuf,
    log: PathBuf,
    home: PathBuf,
    mount: PathBuf,
}

impl Dirs {
    fn under(root: &Path) -> Dirs {
        let server = root.join("server");
        Dirs {
            root: root.to_owned(),
            share: server.join("share"),
            config: server.join("smb.conf"),
            log: server.join("log"),
            home: root.join("client-home"),
            mount: root.join("mnt"),
        }
    }

    fn server(&self, name: &str) -> PathBuf {
        self.root.join("server").join(name)
    }
}

pub(super) struct SmbShare {
    context: SetUpContext,
    dirs: Dirs,
    port: u16,
    /// `MOUNT/127.0.0.1:PORT/SHARE`: the share as the client sees it.
    share_mount: PathBuf,
    smbstatus: PathBuf,
    server_pid: Option<u32>,
    server_version: Option<String>,
    client_version: Option<String>,
    dialect: Result<String, String>,
    server_config: Vec<String>,
    client_config: Vec<String>,
    layout: Layout,
    teardown: Teardown,
}

impl SmbShare {
    pub(super) fn set_up(
        placement: Placement,
        context: &SetUpContext,
    ) -> Result<SmbShare, SetUpError> {
        require_root("serving an SMB share with smbd")?;
        let smbd = tool::SMBD.find()?;
        let smbstatus = tool::SMBSTATUS.find()?;
        let smbnetfs = tool::SMBNETFS.find()?;
        tool::UMOUNT.find()?;
        if !Path::new("/dev/fuse").exists() {
            return Err(SetUpError::Unavailable(
                "no /dev/fuse here (the `fuse` kernel module), which smbnetfs needs".to_owned(),
            ));
        }
        require_kernel_filesystem("fuse")?;
        let guest = user_name(rustix::process::geteuid().as_raw())?;

        let teardown = Teardown::new();
        let dirs = Dirs::under(&context.dir);
        std::fs::create_dir_all(&dirs.root).map_err(io("create", &dirs.root))?;
        teardown.push(Undo::Retire {
            path: dirs.root.clone(),
            graveyard: context.graveyard.clone(),
        });
        for name in [
            "share", "state", "lock", "cache", "private", "pid", "ncalrpc", "log",
        ] {
            let dir = dirs.server(name);
            std::fs::create_dir_all(&dir).map_err(io("create", &dir))?;
        }
        let port = free_port()?;
        let server_config = server_config(&dirs, port, &guest);
        write_lines(&dirs.config, &server_config, 0o644)?;

        let smbd_log = dirs.log.join("smbd.out");
        let mut command = Command::new(&smbd);
        command
            .arg("--foreground")
            .arg("--no-process-group")
            .arg("--debug-stdout")
            .arg(format!("--configfile={}", dirs.config.display()))
            .stdin(Stdio::null())
            .stdout(log_file(&smbd_log)?)
            .stderr(log_file(&smbd_log)?)
            // Its own process group: a Ctrl-C at the terminal reaches copybench, which stops
            // the server itself, in order, after unmounting.
            .process_group(0);
        crate::os::terminate_with_parent(&mut command);
        let child = command.spawn().map_err(|source| TargetError::Spawn {
            program: smbd.clone(),
            source,
        })?;
        teardown.push(Undo::Stop {
            name: "smbd",
            child,
        });
        wait_until("smbd listens on 127.0.0.1", || {
            if let Some(status) = teardown.exited("smbd") {
                return Err(format!("smbd exited ({status}): {}", tail(&smbd_log)));
            }
            Ok(std::net::TcpStream::connect_timeout(
                &std::net::SocketAddr::from(([127, 0, 0, 1], port)),
                Duration::from_millis(200),
            )
            .is_ok())
        })?;

        let smb_dir = dirs.home.join(".smb");
        std::fs::create_dir_all(&smb_dir).map_err(io("create", &smb_dir))?;
        let client_config = client_config(&dirs);
        write_lines(&smb_dir.join("smb.conf"), &client_samba_config(), 0o600)?;
        write_lines(&smb_dir.join("smbnetfs.conf"), &client_config, 0o600)?;
        std::fs::create_dir(&dirs.mount).map_err(io("create", &dirs.mount))?;
        let netfs_log = dirs.log.join("smbnetfs.out");
        let mut command = Command::new(&smbnetfs);
        command
            .arg(&dirs.mount)
            .arg("-f")
            .arg("-o")
            .arg(format!(
                "config={}",
                smb_dir.join("smbnetfs.conf").display()
            ))
            // The private HOME: smbnetfs and libsmbclient read `~/.smb/`, never the user's.
            .env("HOME", &dirs.home)
            .env_remove("XDG_CONFIG_HOME")
            .env_remove("XDG_CACHE_HOME")
            .env_remove("XDG_DATA_HOME")
            .env_remove("DBUS_SESSION_BUS_ADDRESS")
            .stdin(Stdio::null())
            .stdout(log_file(&netfs_log)?)
            .stderr(log_file(&netfs_log)?)
            .process_group(0);
        crate::os::terminate_with_parent(&mut command);
        let client_version = client_version(&smbnetfs, &dirs.home);
        let child = command.spawn().map_err(|source| TargetError::Spawn {
            program: smbnetfs.clone(),
            source,
        })?;
        teardown.push(Undo::Stop {
            name: "smbnetfs",
            child,
        });
        // Pushed after the client's stop, so undone before it: unmount, then stop the client.
        teardown.push(Undo::Unmount {
            mount_point: dirs.mount.clone(),
        });
        let share_mount = dirs.mount.join(format!("127.0.0.1:{port}")).join(SHARE);
        wait_until("the SMB share answers through smbnetfs", || {
            if let Some(status) = teardown.exited("smbnetfs") {
                return Err(format!("smbnetfs exited ({status}): {}", tail(&netfs_log)));
            }
            Ok(teardown::is_mount_point(&dirs.mount)
                && std::fs::metadata(&share_mount).is_ok_and(|m| m.is_dir()))
        })?;
        probe(&share_mount, &dirs.share)?;
        let dialect = smb_profile::dialect(&smbstatus, &dirs.config);

        let layout = Layout::of(placement, &share_mount, context);
        let share_dirs = [
            Some(&layout.destination),
            layout.source.as_ref(),
            layout.trash.as_ref(),
        ];
        for dir in share_dirs.into_iter().flatten() {
            // Made on the server's disk: the share shows them at once.
            let backing = backing(&share_mount, &dirs.share, dir);
            std::fs::create_dir_all(&backing).map_err(io("create", &backing))?;
        }
        if !layout.destination.starts_with(&share_mount) {
            teardown.push(Undo::Remove {
                path: layout.destination.clone(),
            });
        }
        Ok(SmbShare {
            context: context.clone(),
            server_pid: teardown.pid_of("smbd"),
            server_version: tool::version_of(&smbd, &["--version"])
                .map(|v| format!("Samba {}", v.trim_start_matches("Version ").trim())),
            client_version,
            dirs,
            port,
            share_mount,
            smbstatus,
            dialect,
            server_config,
            client_config,
            layout,
            teardown,
        })
    }
}

impl Target for SmbShare {
    fn layout(&self) -> &Layout {
        &self.layout
    }

    fn record(&self) -> TargetRecord {
        let mut record = base_record(&self.context, "smb", &self.layout);
        match environment::filesystem("target", &self.dirs.mount) {
            Some(fs) => {
                record.fs_type = Some(fs.fs_type);
                record.mount_options = fs.mount_options;
            }
            None => {
                record.unavailable.insert(
                    "fs_type".to_owned(),
                    format!("no mountinfo line for {}", self.dirs.mount.display()),
                );
            }
        }
        if self.layout.source.is_some() {
            record.limits.push(NO_XATTRS.to_owned());
        }
        if let Err(why) = &self.dialect {
            record
                .unavailable
                .insert("smb.protocol".to_owned(), why.clone());
        }
        if self.client_version.is_none() {
            record.unavailable.insert(
                "smb.client".to_owned(),
                "`smbnetfs -V` did not print its version".to_owned(),
            );
        }
        if self.server_version.is_none() {
            record.unavailable.insert(
                "smb.server_version".to_owned(),
                "`smbd --version` printed nothing".to_owned(),
            );
        }
        record.smb = Some(SmbRecord {
            server_version: self.server_version.clone(),
            server_pid: self.server_pid,
            protocol: self.dialect.as_ref().ok().cloned(),
            client: self.client_version.clone(),
            address: format!("127.0.0.1:{}", self.port),
            share: SHARE.to_owned(),
            share_path: self.dirs.share.display().to_string(),
            server_config: self.server_config.clone(),
            client_config: self.client_config.clone(),
        });
        record
    }

    fn backing_path(&self, path: &Path) -> PathBuf {
        backing(&self.share_mount, &self.dirs.share, path)
    }

    fn limits(&self) -> Limits {
        Limits {
            no_xattrs: Some(NO_XATTRS),
        }
    }

    fn request_counts(&self) -> Option<Result<RequestCounts, String>> {
        Some(smb_profile::read_settled(
            &self.smbstatus,
            &self.dirs.config,
        ))
    }

    fn tear_down(&mut self) -> Result<(), TargetError> {
        self.teardown.run()
    }
}

/// `path` under the mounted share, as the file on the server's disk.
fn backing(share_mount: &Path, share_dir: &Path, path: &Path) -> PathBuf {
    match path.strip_prefix(share_mount) {
        Ok(rel) => share_dir.join(rel),
        Err(_) => path.to_owned(),
    }
}

/// `SMBNetFS 0.6.3 (libsmbclient 4.17.12-Debian, FUSE library 2.9.9)` from `smbnetfs -V`, run
/// with the private HOME (without one it first complains that `~/.smb` is missing).
fn client_version(smbnetfs: &Path, home: &Path) -> Option<String> {
    let output = Command::new(smbnetfs)
        .arg("-V")
        .env("HOME", home)
        .stdin(Stdio::null())
        .output()
        .ok()?;
    let text = format!(
        "{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    let after = |prefix: &str| {
        text.lines()
            .find_map(|l| l.trim().strip_prefix(prefix).map(|v| v.trim().to_owned()))
    };
    let own = after("SMBNetFS version")?;
    let parts: Vec<String> = [
        after("libsmbclient version").map(|v| format!("libsmbclient {v}")),
        after("FUSE library version:").map(|v| format!("FUSE library {v}")),
    ]
    .into_iter()
    .flatten()
    .collect();
    Some(if parts.is_empty() {
        format!("SMBNetFS {own}")
    } else {
        format!("SMBNetFS {own} ({})", parts.join(", "))
    })
}

/// smbd's configuration: everything it writes stays under the target's directory.
fn server_config(dirs: &Dirs, port: u16, guest: &str) -> Vec<String> {
    let dir = |name: &str| dirs.server(name).display().to_string();
    [
        "[global]".to_owned(),
        "server role = standalone server".to_owned(),
        // Loopback only, and only the port chosen for this run.
        "interfaces = 127.0.0.1".to_owned(),
        "bind interfaces only = yes".to_owned(),
        format!("smb ports = {port}"),
        "disable netbios = yes".to_owned(),
        "server min protocol = SMB2_02".to_owned(),
        format!("state directory = {}", dir("state")),
        format!("lock directory = {}", dir("lock")),
        format!("cache directory = {}", dir("cache")),
        format!("private dir = {}", dir("private")),
        format!("pid directory = {}", dir("pid")),
        format!("ncalrpc dir = {}", dir("ncalrpc")),
        format!("log file = {}", dirs.log.join("log.%m").display()),
        "log level = 1".to_owned(),
        // Every request counted, for `smbstatus -P`.
        "smbd profiling level = on".to_owned(),
        // One anonymous user, mapped to the account copybench runs as (no `force user`: it
        // made writes to existing files fail).
        "map to guest = Bad User".to_owned(),
        format!("guest account = {guest}"),
        "load printers = no".to_owned(),
        "printing = bsd".to_owned(),
        "printcap name = /dev/null".to_owned(),
        "disable spoolss = yes".to_owned(),
        "usershare max shares = 0".to_owned(),
        String::new(),
        format!("[{SHARE}]"),
        format!("path = {}", dirs.share.display()),
        "read only = no".to_owned(),
        "guest ok = yes".to_owned(),
        "guest only = yes".to_owned(),
    ]
    .into()
}

/// libsmbclient's settings in the private HOME: SMB2 or newer.
fn client_samba_config() -> Vec<String> {
    [
        "[global]",
        "client min protocol = SMB2_02",
        "client max protocol = SMB3",
    ]
    .map(str::to_owned)
    .into()
}

/// smbnetfs's settings: a guest login, no network browsing, no keyring, none of its
/// file-manager workarounds (fake answers for names like `.directory`).
fn client_config(dirs: &Dirs) -> Vec<String> {
    vec![
        "auth \"guest\" \"\"".to_owned(),
        "smb_query_browsers \"false\"".to_owned(),
        "use_libsecret \"false\"".to_owned(),
        "stat_workaround_depth 0".to_owned(),
        "stat_workaround_enable_default_entries \"false\"".to_owned(),
        format!("log_file \"{}\"", dirs.log.join("smbnetfs.log").display()),
    ]
}

fn write_lines(path: &Path, lines: &[String], mode: u32) -> Result<(), TargetError> {
    let mut text = lines.join("\n");
    text.push('\n');
    std::fs::write(path, text).map_err(io("write", path))?;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
        .map_err(io("set the mode of", path))
}

fn log_file(path: &Path) -> Result<std::fs::File, TargetError> {
    std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .map_err(io("open", path))
}

/// The last lines of a log, for an error message.
fn tail(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    lines[lines.len().saturating_sub(3)..].join(" | ")
}

/// An unprivileged port nothing listens on now (the kernel's pick for a socket bound to 0).
fn free_port() -> Result<u16, TargetError> {
    let listener =
        std::net::TcpListener::bind(("127.0.0.1", 0)).map_err(|source| TargetError::Io {
            op: "find a free port on",
            path: PathBuf::from("127.0.0.1"),
            source,
        })?;
    let port = listener
        .local_addr()
        .map_err(|source| TargetError::Io {
            op: "find a free port on",
            path: PathBuf::from("127.0.0.1"),
            source,
        })?
        .port();
    Ok(port)
}

/// The login name of `uid` (`/etc/passwd`), for smbd's guest account.
fn user_name(uid: u32) -> Result<String, SetUpError> {
    let passwd =
        std::fs::read_to_string("/etc/passwd").map_err(io("read", Path::new("/etc/passwd")))?;
    passwd
        .lines()
        .filter_map(|l| {
            let fields: Vec<&str> = l.split(':').collect();
            (fields.get(2)?.parse::<u32>().ok()? == uid).then(|| fields[0].to_owned())
        })
        .next()
        .ok_or(SetUpError::Unavailable(format!(
            "uid {uid} has no name in /etc/passwd, which smbd's guest account needs"
        )))
}

/// Polls `ready` until it says yes, fails, or [`START_LIMIT`] passes.
fn wait_until(
    what: &str,
    mut ready: impl FnMut() -> Result<bool, String>,
) -> Result<(), TargetError> {
    let started = Instant::now();
    loop {
        match ready() {
            Ok(true) => return Ok(()),
            Ok(false) if started.elapsed() < START_LIMIT => {
                std::thread::sleep(Duration::from_millis(50));
            }
            Ok(false) => {
                return Err(TargetError::Timeout {
                    what: what.to_owned(),
                    seconds: START_LIMIT.as_secs(),
                    detail: String::new(),
                })
            }
            Err(detail) => {
                return Err(TargetError::Timeout {
                    what: what.to_owned(),
                    seconds: started.elapsed().as_secs(),
                    detail: format!(": {detail}"),
                })
            }
        }
    }
}

/// Checks the mount reaches this server's share: a file written through it appears in the
/// share's directory on disk.
fn probe(share_mount: &Path, share_dir: &Path) -> Result<(), TargetError> {
    let name = format!(".copybench-probe-{}", std::process::id());
    let through = share_mount.join(&name);
    std::fs::write(&through, b"probe").map_err(io("write through the share", &through))?;
    let on_disk = share_dir.join(&name);
    let seen =
        std::fs::read(&on_disk).map_err(io("find the probe on the server's disk", &on_disk))?;
    // smbnetfs closes its SMB handle after close(2) returns (FUSE's release is asynchronous):
    // until then the server refuses the delete (EBUSY).
    let started = Instant::now();
    loop {
        match std::fs::remove_file(&through) {
            Ok(()) => break,
            Err(e) if e.raw_os_error() == Some(libc::EBUSY) && started.elapsed() < START_LIMIT => {
                std::thread::sleep(Duration::from_millis(20));
            }
            Err(e) => return Err(io("delete", &through)(e)),
        }
    }
    if seen == b"probe" {
        Ok(())
    } else {
        Err(TargetError::Io {
            op: "recognise the probe at",
            path: on_disk,
            source: std::io::Error::other("the share is not the directory served"),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_server_is_loopback_only_smb2_and_keeps_its_state_inside() {
        let dirs = Dirs::under(Path::new("/w/targets/t1"));
        let config = server_config(&dirs, 44555, "root");
        let has = |line: &str| config.iter().any(|l| l == line);
        assert!(has("interfaces = 127.0.0.1") && has("bind interfaces only = yes"));
        assert!(has("smb ports = 44555"));
        assert!(has("server min protocol = SMB2_02"));
        assert!(!config.iter().any(|l| l.contains("force user")));
        for key in [
            "state directory",
            "lock directory",
            "cache directory",
            "private dir",
            "pid directory",
            "ncalrpc dir",
            "log file",
        ] {
            let line = config.iter().find(|l| l.starts_with(key)).unwrap();
            assert!(line.contains("/w/targets/t1/server/"), "{line}");
        }
        assert!(has("path = /w/targets/t1/server/share"));
    }

    #[test]
    fn paths_on_the_mounted_share_map_to_the_servers_disk() {
        let mount = Path::new("/w/mnt/127.0.0.1:4455/bench");
        let share = Path::new("/w/server/share");
        assert_eq!(
            backing(mount, share, &mount.join("copies/r000/f")),
            share.join("copies/r000/f")
        );
        assert_eq!(
            backing(mount, share, Path::new("/elsewhere")),
            Path::new("/elsewhere")
        );
    }

    #[test]
    fn root_has_a_name() {
        assert_eq!(user_name(0).unwrap(), "root");
    }
}
