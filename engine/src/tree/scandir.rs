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
use crate::sys::DirEntry;

/// One directory on the walk's explicit stack: what `_copytree(entries, src, dst)` holds.
struct Frame<'s> {
    src: SrcObj,
    dst: PathBuf,
    entries: std::vec::IntoIter<DirEntry>,
    completion: Arc<DirCompletion<'s>>,
}

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
    let root = start_dir(
        &walk,
        SrcObj::Path(src.to_owned()),
        entries,
        dst.to_owned(),
        DirCompletion::root(),
    )?;
    walk_frames(&walk, root);
    Ok(())
}

/// The start of `shutil._copytree(entries, src, dst, ...)`: `os.makedirs(dst)`.
fn start_dir<'s>(
    walk: &Copytree<'s, '_>,
    src: SrcObj,
    entries: Vec<DirEntry>,
    dst: PathBuf,
    completion: Arc<DirCompletion<'s>>,
) -> Result<Frame<'s>, CopyError> {
    let run = walk.run;
    if let Err(e) = walk
        .shutil
        .makedirs(&dst, run.options.dirs_exist_ok, src.path())
    {
        completion.abandon();
        return Err(e);
    }
    run.dir_created();
    Ok(Frame {
        src,
        dst,
        entries: entries.into_iter(),
        completion,
    })
}

/// `_copytree`'s loop, with the recursion into subdirectories on an explicit stack (depth
/// first, in CPython's order), so the walk's own stack does not grow with the tree's depth.
fn walk_frames<'s>(walk: &Copytree<'s, '_>, root: Frame<'s>) {
    let run = walk.run;
    // `use_srcentry = copy_function is copy2 or copy_function is copy`.
    let use_srcentry = run.options.mode != Mode::Copyfile;
    let mut stack = vec![root];
    while let Some(top) = stack.last_mut() {
        let Some(raw) = top.entries.next() else {
            if let Some(Frame {
                src,
                dst,
                completion,
                ..
            }) = stack.pop()
            {
                walk.finish_dir(&completion, src, dst);
            }
            continue;
        };
        if run.ignored(&raw.name) {
            continue;
        }
        let dstname = top.dst.join(&raw.name);
        let entry = PyDirEntry::new(top.src.path(), raw);
        let srcname = entry.path.clone();
        let seq = run.seq();
        let completion = Arc::clone(&top.completion);
        match copy_entry(walk, entry, use_srcentry, dstname.clone(), &completion, seq) {
            Ok(Some(child)) => stack.push(child),
            Ok(None) => {}
            Err(e) => run.gather(seq, &srcname, &dstname, e),
        }
    }
}

/// The body of `_copytree`'s `try:` for one entry; a subdirectory comes back as its frame.
fn copy_entry<'s>(
    walk: &Copytree<'s, '_>,
    mut entry: PyDirEntry,
    use_srcentry: bool,
    dstname: PathBuf,
    completion: &Arc<DirCompletion<'s>>,
    seq: u64,
) -> Result<Option<Frame<'s>>, CopyError> {
    let options = walk.run.options;
    let srcname = entry.path.clone();
    let io = |e| CopyError::io(e, "stat", &srcname, &srcname, Some(&dstname));
    if entry.is_symlink() {
        let linkto = readlink(&srcname, &dstname)?;
        if options.symlinks {
            let mut srcobj = src_obj(entry, use_srcentry);
            return walk
                .recreate_symlink(&linkto, &mut srcobj, &dstname)
                .map(|()| None);
        }
        // `if not os.path.exists(linkto) and ignore_dangling_symlinks: continue` — CPython
        // resolves `linkto` against the working directory, and stats it either way.
        if !exists(&linkto) && options.ignore_dangling_symlinks {
            return Ok(None);
        }
    }
    // `srcentry.is_dir()`: for a followed symlink, a stat of its target.
    let is_dir = entry.is_dir().map_err(io)?;
    let srcobj = src_obj(entry, use_srcentry);
    if is_dir {
        // `copytree(srcobj, dstname, ...)`: scandir, then `_copytree`'s makedirs.
        let entries = read_directory(srcobj.path()).map_err(|e| {
            CopyError::io(e, "scandir", srcobj.path(), srcobj.path(), Some(&dstname))
        })?;
        start_dir(walk, srcobj, entries, dstname, completion.child()).map(Some)
    } else {
        walk.copy_file(completion, seq, srcobj, dstname);
        Ok(None)
    }
}

fn src_obj(entry: PyDirEntry, use_srcentry: bool) -> SrcObj {
    if use_srcentry {
        SrcObj::Entry(Box::new(entry))
    } else {
        SrcObj::Path(entry.path)
    }
}
