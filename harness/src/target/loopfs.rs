//! A filesystem made for one scenario: a sparse image file in the work directory, attached to a
//! loop device, formatted with `mkfs.btrfs` / `mkfs.xfs` / `mkfs.ext4` and mounted under the
//! work directory — or a tmpfs mounted there. Teardown unmounts, detaches and deletes.
//!
//! The loop device reads its image with O_DIRECT where the work directory's filesystem allows:
//! otherwise every block would be cached twice (the loop filesystem's page cache and the
//! image's), and the `syncfs` the runner makes before each sample would leave the image's
//! dirty pages behind to throttle later samples (docs/design.md, "Measuring honestly").

use std::path::{Path, PathBuf};

use copybench_result::TargetRecord;

use super::teardown::{Teardown, Undo};
use super::tool::{self, Tool};
use super::{
    base_record, io, require_kernel_filesystem, require_root, FilesystemKind, FilesystemSpec,
    Layout, Placement, SetUpContext, SetUpError, Target, TargetError,
};
use crate::environment;

impl FilesystemKind {
    /// The program that makes it, with the flags that make it without asking (`-f`/`-F`:
    /// the image is new) and quietly; `None` for tmpfs.
    fn mkfs(self) -> Option<(Tool, &'static [&'static str])> {
        match self {
            FilesystemKind::Btrfs => Some((
                Tool {
                    program: "mkfs.btrfs",
                    package: "btrfs-progs",
                },
                &["-q", "-f"],
            )),
            FilesystemKind::Xfs => Some((
                Tool {
                    program: "mkfs.xfs",
                    package: "xfsprogs",
                },
                &["-q", "-f"],
            )),
            FilesystemKind::Ext4 => Some((
                Tool {
                    program: "mkfs.ext4",
                    package: "e2fsprogs",
                },
                &["-q", "-F"],
            )),
            FilesystemKind::Tmpfs => None,
        }
    }

    /// The smallest size its mkfs accepts (btrfs-progs 6: 114294784 bytes; xfsprogs 6: 300 MB).
    pub fn min_size(self) -> u64 {
        match self {
            FilesystemKind::Btrfs => 128 << 20,
            FilesystemKind::Xfs => 300 << 20,
            FilesystemKind::Ext4 | FilesystemKind::Tmpfs => 1 << 20,
        }
    }
}

pub(super) struct LoopFs {
    spec: FilesystemSpec,
    context: SetUpContext,
    mount_point: PathBuf,
    mkfs: Option<Vec<String>>,
    mkfs_version: Option<String>,
    direct_io: Option<bool>,
    layout: Layout,
    teardown: Teardown,
}

impl LoopFs {
    pub(super) fn set_up(
        spec: &FilesystemSpec,
        placement: Placement,
        context: &SetUpContext,
    ) -> Result<LoopFs, SetUpError> {
        let what = match spec.kind {
            FilesystemKind::Tmpfs => "mounting a tmpfs".to_owned(),
            kind => format!("loop-mounting a {} image", kind.name()),
        };
        require_root(&what)?;
        let mount = tool::MOUNT.find()?;
        tool::UMOUNT.find()?;
        let mkfs = match spec.kind.mkfs() {
            Some((program, flags)) => Some((program.find()?, flags)),
            None => None,
        };
        let losetup = match spec.kind {
            FilesystemKind::Tmpfs => None,
            _ => {
                if !Path::new("/dev/loop-control").exists() {
                    return Err(SetUpError::Unavailable(
                        "no loop devices here (/dev/loop-control is missing; load the `loop` module)"
                            .to_owned(),
                    ));
                }
                Some(tool::LOSETUP.find()?)
            }
        };
        require_kernel_filesystem(spec.kind.name())?;

        let teardown = Teardown::new();
        std::fs::create_dir_all(&context.dir).map_err(io("create", &context.dir))?;
        teardown.push(Undo::Retire {
            path: context.dir.clone(),
            graveyard: context.graveyard.clone(),
        });
        let mount_point = context.dir.join("mnt");
        std::fs::create_dir(&mount_point).map_err(io("create", &mount_point))?;

        let mut options: Vec<String> = Vec::new();
        let mut mkfs_line = None;
        let mut mkfs_version = None;
        let mut direct_io = None;
        let device = match (&losetup, &mkfs) {
            (Some(losetup), Some((mkfs, flags))) => {
                let image = context.dir.join("image");
                let file = std::fs::File::create(&image).map_err(io("create", &image))?;
                // Sparse: the image takes only what the filesystem writes.
                file.set_len(spec.size).map_err(io("size", &image))?;
                drop(file);
                let (device, dio) = attach(losetup, &image)?;
                direct_io = Some(dio);
                teardown.push(Undo::DetachLoop {
                    device: device.clone(),
                });
                let mut args: Vec<String> = flags.iter().map(|s| (*s).to_owned()).collect();
                args.extend(spec.mkfs_options.iter().cloned());
                args.push(device.display().to_string());
                tool::run(mkfs, &args)?;
                mkfs_line = Some(
                    std::iter::once(mkfs.display().to_string())
                        .chain(args)
                        .collect(),
                );
                mkfs_version = tool::version_of(mkfs, &["-V"]);
                device.display().to_string()
            }
            _ => {
                options.push("-t".to_owned());
                options.push("tmpfs".to_owned());
                let size = format!("size={}", spec.size);
                let all = match &spec.mount_options {
                    Some(extra) => format!("{size},{extra}"),
                    None => size,
                };
                options.push("-o".to_owned());
                options.push(all);
                "copybench-tmpfs".to_owned()
            }
        };
        if spec.kind != FilesystemKind::Tmpfs {
            if let Some(extra) = &spec.mount_options {
                options.push("-o".to_owned());
                options.push(extra.clone());
            }
        }
        options.push(device);
        options.push(mount_point.display().to_string());
        tool::run(&mount, &options)?;
        teardown.push(Undo::Unmount {
            mount_point: mount_point.clone(),
        });

        let layout = Layout::of(placement, &mount_point, context);
        for dir in [
            Some(&layout.destination),
            layout.source.as_ref(),
            layout.trash.as_ref(),
        ]
        .into_iter()
        .flatten()
        {
            std::fs::create_dir_all(dir).map_err(io("create", dir))?;
        }
        if !layout.destination.starts_with(&mount_point) {
            teardown.push(Undo::Remove {
                path: layout.destination.clone(),
            });
        }
        Ok(LoopFs {
            spec: spec.clone(),
            context: context.clone(),
            mount_point,
            mkfs: mkfs_line,
            mkfs_version,
            direct_io,
            layout,
            teardown,
        })
    }
}

/// `losetup --find --show` with direct I/O on, or off where the image's filesystem refuses
/// O_DIRECT (tmpfs). Returns the device and whether direct I/O is on.
fn attach(losetup: &Path, image: &Path) -> Result<(PathBuf, bool), TargetError> {
    let image_arg = image.display().to_string();
    let direct = tool::run(
        losetup,
        &["--find", "--show", "--direct-io=on", image_arg.as_str()],
    );
    let (out, dio) = match direct {
        Ok(out) => (out, true),
        Err(_) => (
            tool::run(losetup, &["--find", "--show", image_arg.as_str()])?,
            false,
        ),
    };
    let device = PathBuf::from(out.trim());
    if !device.starts_with("/dev/") {
        return Err(TargetError::Tool {
            command: format!("{} --find --show {image_arg}", losetup.display()),
            status: "exit status 0".to_owned(),
            stderr: format!("printed `{}` instead of a device", out.trim()),
        });
    }
    Ok((device, dio))
}

impl Target for LoopFs {
    fn layout(&self) -> &Layout {
        &self.layout
    }

    fn record(&self) -> TargetRecord {
        let mut record = base_record(&self.context, self.spec.kind.name(), &self.layout);
        record.size_bytes = Some(self.spec.size);
        record.mkfs = self.mkfs.clone();
        record.mkfs_version = self.mkfs_version.clone();
        match environment::filesystem("target", &self.mount_point) {
            Some(fs) => {
                record.fs_type = Some(fs.fs_type);
                record.mount_options = fs.mount_options;
            }
            None => {
                record.unavailable.insert(
                    "fs_type".to_owned(),
                    format!("no mountinfo line for {}", self.mount_point.display()),
                );
            }
        }
        if self.spec.kind != FilesystemKind::Tmpfs && self.mkfs_version.is_none() {
            record.unavailable.insert(
                "mkfs_version".to_owned(),
                "`mkfs -V` printed nothing".to_owned(),
            );
        }
        if self.direct_io == Some(false) {
            record.limits.push("the loop device caches its image twice (the work directory's filesystem refused O_DIRECT)".to_owned());
        }
        record
    }

    fn tear_down(&mut self) -> Result<(), TargetError> {
        self.teardown.run()
    }
}
