//! Targets that are already there: the work directory's filesystem, or a directory the user
//! names. Nothing is mounted; teardown deletes only the directory made inside.

use std::path::Path;

use copybench_result::TargetRecord;

use super::teardown::{Teardown, Undo};
use super::{base_record, io, Layout, Placement, SetUpContext, SetUpError, Target, TargetError};
use crate::environment;

pub(super) struct Local {
    kind: &'static str,
    context: SetUpContext,
    layout: Layout,
    teardown: Teardown,
}

impl Local {
    /// Copies beside the fixture, in the work directory.
    pub(super) fn work_dir(context: &SetUpContext) -> Result<Local, SetUpError> {
        let teardown = Teardown::new();
        let layout = Layout {
            source: None,
            destination: context.local_destination.clone(),
            trash: None,
        };
        make_dir(&layout.destination, &teardown)?;
        Ok(Local {
            kind: "work-dir",
            context: context.clone(),
            layout,
            teardown,
        })
    }

    /// Copies into `dir` (which must exist), inside a directory of this run made there.
    pub(super) fn named(
        dir: &Path,
        placement: Placement,
        context: &SetUpContext,
    ) -> Result<Local, SetUpError> {
        let meta = std::fs::metadata(dir).map_err(io("use the target directory", dir))?;
        if !meta.is_dir() {
            return Err(TargetError::Io {
                op: "use the target directory",
                path: dir.to_owned(),
                source: std::io::Error::from(std::io::ErrorKind::NotADirectory),
            }
            .into());
        }
        let teardown = Teardown::new();
        let own = dir.join(format!("copybench-{}", context.run_id));
        // `create_dir`, not `create_dir_all`: the directory must be this run's, never one that
        // was there (teardown deletes it).
        std::fs::create_dir(&own).map_err(io("create", &own))?;
        teardown.push(Undo::Retire {
            path: own.clone(),
            graveyard: context.graveyard.clone(),
        });
        let layout = Layout::of(placement, &own, context);
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
        Ok(Local {
            kind: "dir",
            context: context.clone(),
            layout,
            teardown,
        })
    }
}

fn make_dir(dir: &Path, teardown: &Teardown) -> Result<(), SetUpError> {
    std::fs::create_dir_all(dir).map_err(io("create", dir))?;
    teardown.push(Undo::Remove {
        path: dir.to_owned(),
    });
    Ok(())
}

impl Target for Local {
    fn layout(&self) -> &Layout {
        &self.layout
    }

    fn record(&self) -> TargetRecord {
        let mut record = base_record(&self.context, self.kind, &self.layout);
        match environment::filesystem("target", &self.layout.destination) {
            Some(fs) => {
                record.fs_type = Some(fs.fs_type);
                record.mount_options = fs.mount_options;
            }
            None => {
                record.unavailable.insert(
                    "fs_type".to_owned(),
                    "no mountinfo line matched the destination".to_owned(),
                );
            }
        }
        record
    }

    fn tear_down(&mut self) -> Result<(), TargetError> {
        self.teardown.run()
    }
}
