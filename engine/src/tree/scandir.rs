//! Walker `scandir`: CPython 3.8+ `shutil.copytree`, call for call.
//!
//! One `os.scandir` per directory, the entries' d_type for `is_symlink`/`is_dir`, and the
//! `DirEntry` (with its cached `lstat`) handed to `copy2`, whose `_samefile`, `_stat` and
//! `copystat` reuse it. Traced per regular file: `stat(dst)` (copy2's `isdir`), `lstat(src)`
//! (the entry's stat in `_samefile`), `stat(dst)` twice more (`_samefile`, `_stat`), all three
//! ENOENT; then 3 fstat (two `open()`s and `_fastcopy_sendfile`): 4 path stats, 7 in all.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::cpython::{exists, read_directory, readlink, Copytree, PyDirEntry, Python, SrcObj};
use super::parallel::{DirCompletion, Executor};
use super::run::Run;
use crate::error::CopyError;
use crate::metadata::Mode;

pub(crate) fn copy_tree<'s>(
    run: &'s Run<'s>,
    executor: &Executor<'s>,
    src: &Path,
    dst: &Path,
) -> Result<(), CopyError> {
    let walk = Copytree::new(run, executor, Python::V38);
    // `with os.scandir(src) as itr: entries = list(itr)`, before `makedirs(dst)`: a destination
    // inside the source is not in the list (bpo-38688).
    let entries =
        read_directory(src).map_err(|e| CopyError::io(e, "scandir", src, src, Some(dst)))?;
    let root = DirCompletion::root();
    copy_entries(
        &walk,
        SrcObj::Path(src.to_owned()),
        entries,
        dst.to_owned(),
        &root,
    )
}

/// `shutil._copytree(entries, src, dst, ...)`.
fn copy_entries<'s>(
    walk: &Copytree<'s, '_>,
    src: SrcObj,
    entries: Vec<crate::sys::DirEntry>,
    dst: PathBuf,
    completion: &Arc<DirCompletion<'s>>,
) -> Result<(), CopyError> {
    let run = walk.run;
    if let Err(e) = walk
        .shutil
        .makedirs(&dst, run.options.dirs_exist_ok, src.path())
    {
        completion.abandon();
        return Err(e);
    }
    run.dir_created();
    // `use_srcentry = copy_function is copy2 or copy_function is copy`.
    let use_srcentry = run.options.mode != Mode::Copyfile;
    for raw in entries {
        if run.ignored(&raw.name) {
            continue;
        }
        let dstname = dst.join(&raw.name);
        let entry = PyDirEntry::new(src.path(), raw);
        let srcname = entry.path.clone();
        let seq = run.seq();
        if let Err(e) = copy_entry(walk, entry, use_srcentry, dstname.clone(), completion, seq) {
            run.gather(seq, &srcname, &dstname, e);
        }
    }
    walk.finish_dir(completion, src, dst);
    Ok(())
}

/// The body of `_copytree`'s `try:` for one entry.
fn copy_entry<'s>(
    walk: &Copytree<'s, '_>,
    mut entry: PyDirEntry,
    use_srcentry: bool,
    dstname: PathBuf,
    completion: &Arc<DirCompletion<'s>>,
    seq: u64,
) -> Result<(), CopyError> {
    let options = walk.run.options;
    let srcname = entry.path.clone();
    let io = |e| CopyError::io(e, "stat", &srcname, &srcname, Some(&dstname));
    if entry.is_symlink() {
        let linkto = readlink(&srcname, &dstname)?;
        if options.symlinks {
            let mut srcobj = src_obj(entry, use_srcentry);
            return walk.recreate_symlink(&linkto, &mut srcobj, &dstname);
        }
        // `if not os.path.exists(linkto) and ignore_dangling_symlinks: continue` — CPython
        // resolves `linkto` against the working directory, and stats it either way.
        if !exists(&linkto) && options.ignore_dangling_symlinks {
            return Ok(());
        }
    }
    // `srcentry.is_dir()`: for a followed symlink, a stat of its target.
    let is_dir = entry.is_dir().map_err(io)?;
    let srcobj = src_obj(entry, use_srcentry);
    if is_dir {
        copy_subtree(walk, srcobj, dstname, completion)
    } else {
        walk.copy_file(completion, seq, srcobj, dstname);
        Ok(())
    }
}

fn src_obj(entry: PyDirEntry, use_srcentry: bool) -> SrcObj {
    if use_srcentry {
        SrcObj::Entry(Box::new(entry))
    } else {
        SrcObj::Path(entry.path)
    }
}

/// `copytree(srcobj, dstname, ...)` for a subdirectory.
fn copy_subtree<'s>(
    walk: &Copytree<'s, '_>,
    srcobj: SrcObj,
    dstname: PathBuf,
    completion: &Arc<DirCompletion<'s>>,
) -> Result<(), CopyError> {
    let entries = read_directory(srcobj.path())
        .map_err(|e| CopyError::io(e, "scandir", srcobj.path(), srcobj.path(), Some(&dstname)))?;
    let child = completion.child();
    copy_entries(walk, srcobj, entries, dstname, &child)
}
