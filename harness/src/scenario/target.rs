//! The `target` key: where a scenario copies.
//!
//! ```toml
//! target = "same-fs"            # the work directory's filesystem (the default)
//! target = "/mnt/other"         # a directory the user names (absolute)
//! target = "smb"                # an SMB share served for the scenario; copies onto it
//!
//! [scenario.target]             # a filesystem made for the scenario
//! filesystem = "btrfs"          # btrfs | xfs | ext4 | tmpfs
//! size = "2GiB"                 # the sparse image's (or tmpfs's) size
//! mkfs_options = ["-m", "single"]   # extra arguments to mkfs (not for tmpfs)
//! mount_options = "noatime"     # mount -o
//! source = "target"             # the fixture on the new filesystem (default) or "local"
//! destination = "target"        # the copies on it (default) or "local"
//!
//! [scenario.target]             # the SMB share, the other way round: copies from it
//! share = "smb"
//! source = "target"             # the fixture on the share
//! destination = "local"         # the copies in the work directory
//! ```
//!
//! A string is decoded as a string and a table as a table (a hand-written `Deserialize`, not
//! `#[serde(untagged)]`), so a mistake inside the table keeps its key and its line.

use std::fmt;
use std::path::Path;

use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::Deserialize;
use toml::Spanned;

use super::validate::Validator;
use super::ScenarioError;
use crate::size::ByteSize;
use crate::target::{FilesystemKind, FilesystemSpec, Placement, Side, TargetSpec};

/// `target = "…"` or `[scenario.target]`.
pub(super) enum TargetToml {
    Name(String),
    Table(TargetTable),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct TargetTable {
    filesystem: Option<Spanned<FilesystemKind>>,
    share: Option<Spanned<ShareKind>>,
    size: Option<Spanned<ByteSize>>,
    mkfs_options: Option<Spanned<Vec<String>>>,
    mount_options: Option<Spanned<String>>,
    source: Option<Spanned<Side>>,
    destination: Option<Spanned<Side>>,
}

/// The shares copybench can serve.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
enum ShareKind {
    Smb,
}

impl<'de> Deserialize<'de> for TargetToml {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<TargetToml, D::Error> {
        struct TargetVisitor;
        impl<'de> Visitor<'de> for TargetVisitor {
            type Value = TargetToml;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("\"same-fs\", \"smb\", an absolute directory, or a table with `filesystem` or `share`")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<TargetToml, E> {
                Ok(TargetToml::Name(v.to_owned()))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<TargetToml, A::Error> {
                TargetTable::deserialize(de::value::MapAccessDeserializer::new(map))
                    .map(TargetToml::Table)
            }
        }
        deserializer.deserialize_any(TargetVisitor)
    }
}

impl Validator<'_> {
    /// The target and where the fixture and the copies go.
    pub(super) fn target(
        &self,
        raw: Option<&Spanned<TargetToml>>,
    ) -> Result<(TargetSpec, Placement), ScenarioError> {
        let local = Placement {
            source: Side::Local,
            destination: Side::Target,
        };
        let Some(raw) = raw else {
            return Ok((TargetSpec::WorkDir, local));
        };
        let table = match raw.get_ref() {
            TargetToml::Name(name) => {
                return match name.as_str() {
                    "same-fs" => Ok((TargetSpec::WorkDir, local)),
                    "smb" => Ok((TargetSpec::Smb, local)),
                    dir if Path::new(dir).is_absolute() => Ok((TargetSpec::Dir(dir.into()), local)),
                    other => Err(self.error(
                        raw.span(),
                        "target",
                        format!("`{other}`: write \"same-fs\", \"smb\", an absolute directory path, or a table with `filesystem` (btrfs, xfs, ext4, tmpfs) or `share = \"smb\"`"),
                    )),
                };
            }
            TargetToml::Table(table) => table,
        };
        let spec = match (&table.filesystem, &table.share) {
            (Some(fs), None) => TargetSpec::Filesystem(self.filesystem(raw, table, fs)?),
            (None, Some(_)) => {
                for (key, span) in [
                    ("size", table.size.as_ref().map(Spanned::span)),
                    (
                        "mkfs_options",
                        table.mkfs_options.as_ref().map(Spanned::span),
                    ),
                    (
                        "mount_options",
                        table.mount_options.as_ref().map(Spanned::span),
                    ),
                ] {
                    if let Some(span) = span {
                        return Err(self.error(
                            span,
                            &format!("target.{key}"),
                            format!("`{key}` is for a filesystem target; the SMB share is a directory on the work directory's filesystem"),
                        ));
                    }
                }
                TargetSpec::Smb
            }
            (Some(_), Some(share)) => {
                return Err(self.error(
                    share.span(),
                    "target.share",
                    "a target is a filesystem or a share, not both",
                ))
            }
            (None, None) => return Err(self.error(
                raw.span(),
                "target",
                "a target table needs `filesystem` (btrfs, xfs, ext4, tmpfs) or `share = \"smb\"`",
            )),
        };
        // A new filesystem holds the fixture too by default (a reflink needs both on it); a
        // share is copied onto by default, as the seed measured.
        let source_default = match spec {
            TargetSpec::Smb => Side::Local,
            _ => Side::Target,
        };
        let placement = Placement {
            source: table
                .source
                .as_ref()
                .map(|s| *s.get_ref())
                .unwrap_or(source_default),
            destination: table
                .destination
                .as_ref()
                .map(|d| *d.get_ref())
                .unwrap_or(Side::Target),
        };
        if placement.source == Side::Local && placement.destination == Side::Local {
            let span = table
                .destination
                .as_ref()
                .or(table.source.as_ref())
                .map(Spanned::span)
                .unwrap_or(raw.span());
            return Err(self.error(
                span,
                "target.destination",
                "with both `source` and `destination` local, nothing is read from or written to the target",
            ));
        }
        Ok((spec, placement))
    }

    fn filesystem(
        &self,
        raw: &Spanned<TargetToml>,
        table: &TargetTable,
        fs: &Spanned<FilesystemKind>,
    ) -> Result<FilesystemSpec, ScenarioError> {
        let kind = *fs.get_ref();
        let Some(size) = &table.size else {
            return Err(self.error(
                raw.span(),
                "target.size",
                format!(
                    "a {} target needs `size` (e.g. size = \"1GiB\")",
                    kind.name()
                ),
            ));
        };
        if size.get_ref().0 < kind.min_size() {
            return Err(self.error(
                size.span(),
                "target.size",
                format!(
                    "{} is too small for {} (at least {})",
                    size.get_ref(),
                    kind.name(),
                    ByteSize(kind.min_size())
                ),
            ));
        }
        if let (FilesystemKind::Tmpfs, Some(opts)) = (kind, &table.mkfs_options) {
            return Err(self.error(
                opts.span(),
                "target.mkfs_options",
                "tmpfs is not made with mkfs: give its options in `mount_options`",
            ));
        }
        let mount_options = match &table.mount_options {
            Some(o)
                if o.get_ref().trim().is_empty() || o.get_ref().contains(char::is_whitespace) =>
            {
                return Err(self.error(
                    o.span(),
                    "target.mount_options",
                    "mount options are one comma-separated word, e.g. \"noatime,nodiscard\"",
                ))
            }
            Some(o) => Some(o.get_ref().clone()),
            None => None,
        };
        Ok(FilesystemSpec {
            kind,
            size: size.get_ref().0,
            mkfs_options: table
                .mkfs_options
                .as_ref()
                .map(|o| o.get_ref().clone())
                .unwrap_or_default(),
            mount_options,
        })
    }
}

#[cfg(test)]
mod tests {
    use crate::scenario::{parse, ScenarioError};
    use crate::target::{FilesystemKind, Placement, Side, TargetSpec};

    const TREE: &str = r#"
[[scenario]]
name = "t"
reference = "lean"
walkers = ["scandir", "lean"]
samples = 2
TARGET

[scenario.fixture]
kind = "tree"
files = 4
dirs = 2
size_min = "1KiB"
size_max = "2KiB"
seed = 1
"#;

    fn with(target: &str) -> Result<(TargetSpec, Placement), ScenarioError> {
        parse(&TREE.replace("TARGET", target), "s.toml")
            .map(|s| (s[0].target.clone(), s[0].placement))
    }

    #[test]
    fn strings_name_the_work_directory_a_directory_or_the_share() {
        let onto = Placement {
            source: Side::Local,
            destination: Side::Target,
        };
        assert_eq!(with("").unwrap(), (TargetSpec::WorkDir, onto));
        assert_eq!(
            with("target = \"same-fs\"").unwrap(),
            (TargetSpec::WorkDir, onto)
        );
        assert_eq!(with("target = \"smb\"").unwrap(), (TargetSpec::Smb, onto));
        assert_eq!(
            with("target = \"/mnt/x\"").unwrap(),
            (TargetSpec::Dir("/mnt/x".into()), onto)
        );
        let e = with("target = \"mnt/x\"").unwrap_err();
        assert_eq!((e.line, e.key.as_str()), (7, "scenario[0].target"));
    }

    #[test]
    fn a_filesystem_table_holds_the_fixture_by_default_and_a_share_the_copies() {
        let (spec, placement) = with(
            "target = { filesystem = \"btrfs\", size = \"1GiB\", mkfs_options = [\"-m\", \"single\"], mount_options = \"noatime\" }",
        )
        .unwrap();
        let TargetSpec::Filesystem(fs) = spec else {
            panic!("{spec:?}")
        };
        assert_eq!(fs.kind, FilesystemKind::Btrfs);
        assert_eq!((fs.size, fs.mkfs_options.len()), (1 << 30, 2));
        assert_eq!(placement.source, Side::Target);
        let (spec, placement) =
            with("target = { share = \"smb\", source = \"target\", destination = \"local\" }")
                .unwrap();
        assert_eq!(spec, TargetSpec::Smb);
        assert_eq!(
            (placement.source, placement.destination),
            (Side::Target, Side::Local)
        );
    }

    #[test]
    fn mistakes_in_a_target_table_name_file_line_and_key() {
        let table = |body: &str| {
            TREE.replace("TARGET", "").replace(
                "\n[scenario.fixture]",
                &format!("\n[scenario.target]\n{body}\n\n[scenario.fixture]"),
            )
        };
        let e = parse(
            &table("filesystem = \"btrfs\"\nsize = \"1GiB\"\nmount_option = \"x\""),
            "s.toml",
        )
        .unwrap_err();
        assert_eq!(e.key, "scenario[0].target.mount_option", "{e}");
        assert_eq!(e.line, 12, "{e}");
        let e = parse(&table("filesystem = \"zfs\"\nsize = \"1GiB\""), "s.toml").unwrap_err();
        assert_eq!(
            (e.line, e.key.as_str()),
            (10, "scenario[0].target.filesystem"),
            "{e}"
        );
        let e = parse(&table("filesystem = \"xfs\"\nsize = \"64MiB\""), "s.toml").unwrap_err();
        assert_eq!(
            (e.line, e.key.as_str()),
            (11, "scenario[0].target.size"),
            "{e}"
        );
        assert!(e.message.contains("300MiB"), "{e}");
        let e = parse(&table("filesystem = \"ext4\""), "s.toml").unwrap_err();
        assert_eq!(e.key, "scenario[0].target.size", "{e}");
        let e = parse(
            &table("filesystem = \"tmpfs\"\nsize = \"8MiB\"\nmkfs_options = [\"-x\"]"),
            "s.toml",
        )
        .unwrap_err();
        assert_eq!(
            (e.line, e.key.as_str()),
            (12, "scenario[0].target.mkfs_options"),
            "{e}"
        );
        let e = parse(&table("share = \"smb\"\nsize = \"1GiB\""), "s.toml").unwrap_err();
        assert_eq!(
            (e.line, e.key.as_str()),
            (11, "scenario[0].target.size"),
            "{e}"
        );
        let e = parse(
            &table("share = \"smb\"\nsource = \"local\"\ndestination = \"local\""),
            "s.toml",
        )
        .unwrap_err();
        assert_eq!(e.key, "scenario[0].target.destination", "{e}");
        let e = parse(&table("size = \"1GiB\""), "s.toml").unwrap_err();
        assert_eq!(e.key, "scenario[0].target", "{e}");
    }

    #[test]
    fn copy2_of_one_file_from_the_share_is_refused() {
        let text = r#"
[[scenario]]
name = "f"
reference = "sendfile"
strategies = ["sendfile", "auto"]
mode = "copy2"
samples = 2
target = { share = "smb", source = "target", destination = "local" }

[scenario.fixture]
kind = "file"
size = "1MiB"
seed = 1
sparse = true
"#;
        let e = parse(text, "s.toml").unwrap_err();
        assert_eq!(e.key, "scenario[0].mode", "{e}");
        assert!(parse(&text.replace("copy2", "copy"), "s.toml").is_ok());
    }

    #[test]
    fn the_shipped_target_scenarios_are_valid() {
        for file in ["fs-matrix.toml", "smb-tree-8000.toml"] {
            let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../scenarios")
                .join(file);
            let scenarios = crate::scenario::load(&path).unwrap_or_else(|e| panic!("{e}"));
            assert!(
                scenarios.iter().all(|s| s.target != TargetSpec::WorkDir),
                "{file}"
            );
        }
    }
}
