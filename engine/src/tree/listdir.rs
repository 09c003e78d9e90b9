//! Walker `listdir`: CPython 3.7 `shutil.copytree`, call for call.
//!
//! `os.listdir` per directory, then paths only: per regular file `os.path.islink` (lstat) and
//! `os.path.isdir` (stat) in the walk, then `copy2`: `isdir(dst)`, `os.path.samefile` (stat
//! src, stat dst), the named-pipe loop (stat src, stat dst) and `copystat` (stat src) — 8 path
//! stats, the three of the destination failing ENOENT, plus the 2 fstat of the two `open()`s.
//!
//! Two 3.7 quirks are not kept, so every walker means the same thing: 3.7 had no
//! `dirs_exist_ok` (3.8's `makedirs(dst, exist_ok=...)` is used), and it forgot to pass
//! `ignore_dangling_symlinks` down to subdirectories (it is passed here).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::cpython::{exists, isdir, islink, read_directory, readlink, Copytree, Python, SrcObj};
use super::parallel::{DirCompletion, Executor};
use super::run::Run;
use crate::error::CopyError;
use crate::sys::DirEntry;

/// One directory on the walk's explicit stack: 3.7 `copytree(src, dst)` after its makedirs.
struct Frame<'s> {
    src: PathBuf,
    dst: PathBuf,
    names: std::vec::IntoIter<DirEntry>,
    completion: Arc<DirCompletion<'s>>,
}

pub(crate) fn copy_tree<'s>(
    run: &'s Run<'s>,
    executor: &Executor<'s>,
    src: &Path,
    dst: &Path,
) -> Result<(), CopyError> {
    let walk = Copytree::new(run, executor, Python::V37);
    let root = start_dir(&walk, src.to_owned(), dst.to_owned(), DirCompletion::root())?;
    let run = walk.run;
    // The recursion into subdirectories on an explicit stack, depth first in CPython's order,
    // so the walk's own stack does not grow with the tree's depth.
    let mut stack = vec![root];
    while let Some(top) = stack.last_mut() {
        let Some(entry) = top.names.next() else {
            if let Some(Frame {
                src,
                dst,
                completion,
                ..
            }) = stack.pop()
            {
                walk.finish_dir(&completion, SrcObj::Path(src), dst);
            }
            continue;
        };
        if run.ignored(&entry.name) {
            continue;
        }
        let srcname = top.src.join(&entry.name);
        let dstname = top.dst.join(&entry.name);
        let seq = run.seq();
        let completion = Arc::clone(&top.completion);
        match copy_entry(&walk, &srcname, &dstname, &completion, seq) {
            Ok(Some(child)) => stack.push(child),
            Ok(None) => {}
            Err(e) => run.gather(seq, &srcname, &dstname, e),
        }
    }
    Ok(())
}

/// The start of 3.7's `copytree(src, dst, ...)`: `names = os.listdir(src)`, then
/// `os.makedirs(dst)`.
fn start_dir<'s>(
    walk: &Copytree<'s, '_>,
    src: PathBuf,
    dst: PathBuf,
    completion: Arc<DirCompletion<'s>>,
) -> Result<Frame<'s>, CopyError> {
    let run = walk.run;
    let names = match read_directory(&src) {
        Ok(entries) => entries,
        Err(e) => {
            completion.abandon();
            return Err(CopyError::io(e, "listdir", &src, &src, Some(&dst)));
        }
    };
    if let Err(e) = walk.shutil.makedirs(&dst, run.options.dirs_exist_ok, &src) {
        completion.abandon();
        return Err(e);
    }
    run.dir_created();
    Ok(Frame {
        src,
        dst,
        names: names.into_iter(),
        completion,
    })
}

/// The body of 3.7 `copytree`'s `try:` for one name; a subdirectory comes back as its frame.
fn copy_entry<'s>(
    walk: &Copytree<'s, '_>,
    srcname: &Path,
    dstname: &Path,
    completion: &Arc<DirCompletion<'s>>,
    seq: u64,
) -> Result<Option<Frame<'s>>, CopyError> {
    let options = walk.run.options;
    if islink(srcname) {
        let linkto = readlink(srcname, dstname)?;
        if options.symlinks {
            let mut srcobj = SrcObj::Path(srcname.to_owned());
            return walk
                .recreate_symlink(&linkto, &mut srcobj, dstname)
                .map(|()| None);
        }
        // As 3.8: `linkto` is resolved against the working directory, and stat'ed either way.
        if !exists(&linkto) && options.ignore_dangling_symlinks {
            return Ok(None);
        }
    }
    if isdir(srcname) {
        start_dir(
            walk,
            srcname.to_owned(),
            dstname.to_owned(),
            completion.child(),
        )
        .map(Some)
    } else {
        walk.copy_file(
            completion,
            seq,
            SrcObj::Path(srcname.to_owned()),
            dstname.to_owned(),
        );
        Ok(None)
    }
}
