use std::os::unix::fs::symlink;

use super::*;

/// A directory outside the work directory with content that must survive byte for byte.
struct Sentinel {
    dir: PathBuf,
}

impl Sentinel {
    fn new(parent: &Path) -> Sentinel {
        let dir = parent.join("sentinel");
        std::fs::create_dir_all(dir.join("sub")).unwrap();
        std::fs::write(dir.join("keep"), b"precious").unwrap();
        std::fs::write(dir.join("sub/keep"), b"also precious").unwrap();
        Sentinel { dir }
    }

    fn assert_intact(&self) {
        assert_eq!(std::fs::read(self.dir.join("keep")).unwrap(), b"precious");
        assert_eq!(
            std::fs::read(self.dir.join("sub/keep")).unwrap(),
            b"also precious"
        );
        assert_eq!(std::fs::read_dir(&self.dir).unwrap().count(), 2);
    }
}

#[test]
fn the_trash_takes_by_renaming_and_empties_later() {
    let tmp = tempfile::tempdir().unwrap();
    let work = WorkDir::open(&tmp.path().join("w")).unwrap();
    let mut trash = Trash::new(work.trash().unwrap().child("run").unwrap());
    let file = tmp.path().join("copy");
    std::fs::write(&file, b"abc").unwrap();
    let tree = tmp.path().join("tree");
    std::fs::create_dir_all(tree.join("a/b")).unwrap();
    std::fs::write(tree.join("a/b/f"), b"x").unwrap();
    trash.take(&file, 3).unwrap();
    trash.take(&tree, 1).unwrap();
    trash.take(&tmp.path().join("never-made"), 0).unwrap();
    assert!(!file.exists() && !tree.exists());
    assert_eq!(std::fs::read_dir(trash.dir()).unwrap().count(), 2);
    assert_eq!(trash.held_bytes(), 4);
    let freed = trash.empty().unwrap();
    assert_eq!(std::fs::read_dir(trash.dir()).unwrap().count(), 0);
    // The file, and the tree's two directories, its file and its root.
    assert_eq!(freed.count(), 5);
}

#[test]
fn emptying_records_the_inodes_it_frees_and_their_groups_where_ext4_says() {
    use std::os::unix::fs::MetadataExt as _;
    let tmp = tempfile::tempdir().unwrap();
    let work = WorkDir::open(&tmp.path().join("w")).unwrap();
    let mut trash = Trash::new(work.trash().unwrap().child("run").unwrap());
    let tree = tmp.path().join("tree");
    std::fs::create_dir_all(tree.join("d")).unwrap();
    let mut inodes = vec![];
    for i in 0..20 {
        let path = tree.join("d").join(i.to_string());
        std::fs::write(&path, b"x").unwrap();
        inodes.push(std::fs::metadata(&path).unwrap().ino());
    }
    inodes.push(std::fs::metadata(tree.join("d")).unwrap().ino());
    inodes.push(std::fs::metadata(&tree).unwrap().ino());
    trash.take(&tree, 20).unwrap();
    let freed = trash.empty().unwrap();
    assert_eq!(freed.count(), inodes.len() as u64);
    work.note_trash_emptied(&freed).unwrap();
    let recent = work.trash_emptyings_within(freed::RECENTLY_DELETED);
    let [emptying] = recent.as_slice() else {
        panic!("one emptying recorded: {recent:?}")
    };
    assert_eq!(emptying.inodes, inodes.len() as u64);
    // ext4 has a group table in /proc for every mount; no other filesystem has groups.
    let ext4 =
        crate::environment::filesystem("work", work.root()).is_some_and(|f| f.fs_type == "ext4");
    assert_eq!(emptying.inodes_per_group.is_some(), ext4, "{emptying:?}");
    if let (Some(ipg), Some(groups)) = (emptying.inodes_per_group, &emptying.groups) {
        for inode in inodes {
            let group = freed::group_of(inode, ipg);
            assert!(
                groups.iter().any(|[a, b]| (*a..=*b).contains(&group)),
                "{group} in {groups:?}"
            );
        }
    }
}

#[test]
fn a_directory_is_made_again_until_it_is_accepted_and_the_refused_ones_are_kept() {
    use std::os::unix::fs::MetadataExt as _;
    let tmp = tempfile::tempdir().unwrap();
    let parent = Dir::open_named(tmp.path()).unwrap();
    let refused = std::cell::RefCell::new(Vec::new());
    let (dir, placed) = parent
        .place_child("scenario", 8, |inode| {
            let mut refused = refused.borrow_mut();
            if refused.len() < 2 {
                refused.push(inode);
                return false;
            }
            true
        })
        .unwrap();
    assert_eq!(placed.attempts, 3);
    assert!(placed.accepted);
    assert_eq!(dir.path(), tmp.path().join("scenario"));
    assert_eq!(std::fs::metadata(dir.path()).unwrap().ino(), placed.inode);
    // The refused directories stay (their groups count one directory more for the next try).
    let mut names: Vec<_> = parent
        .names()
        .unwrap()
        .into_iter()
        .map(|n| n.to_string_lossy().into_owned())
        .collect();
    names.sort();
    // Each try under a name of its own (a random part), so no run repeats the last one's.
    assert_eq!(names.len(), 3, "{names:?}");
    assert!(names[0].starts_with(".scenario.place-1-"), "{names:?}");
    assert!(names[1].starts_with(".scenario.place-2-"), "{names:?}");
    assert_eq!(names[2], "scenario");

    // Every try refused: the last is used, and says so.
    let (_, placed) = parent.place_child("other", 3, |_| false).unwrap();
    assert_eq!((placed.attempts, placed.accepted), (3, false));
    assert!(tmp.path().join("other").is_dir());
}

#[test]
fn a_recent_emptying_is_remembered() {
    let tmp = tempfile::tempdir().unwrap();
    let work = WorkDir::open(tmp.path()).unwrap();
    let minute = std::time::Duration::from_secs(60);
    assert_eq!(work.trash_emptied_within(minute), None);
    work.note_trash_emptied(&FreedInodes::default()).unwrap();
    assert!(work.trash_emptied_within(minute).is_some());
    assert_eq!(work.trash_emptied_within(std::time::Duration::ZERO), None);
}

#[test]
fn the_runs_directories_are_marked_to_place_each_scenario_apart_where_the_filesystem_can() {
    let tmp = tempfile::tempdir().unwrap();
    let work = WorkDir::open(tmp.path()).unwrap();
    let run = work.run_destinations("run-1").unwrap();
    let apart = run.places_apart;
    // Asking again neither fails nor changes the answer.
    assert_eq!(work.run_destinations("run-1").unwrap().places_apart, apart);
    let run_flags = rustix::fs::ioctl_getflags(run.dir.fd());
    assert_eq!(
        run_flags.is_ok_and(|f| f.contains(rustix::fs::IFlags::TOPDIR)),
        apart
    );
    let runs = work.runs().unwrap();
    let flags = rustix::fs::ioctl_getflags(runs.fd());
    match flags {
        // ext4 (and other filesystems with the flag) keep it; `runs()` made after a removal
        // is marked again.
        Ok(flags) if apart => {
            assert!(flags.contains(rustix::fs::IFlags::TOPDIR), "{flags:?}");
            work.dir().remove("runs").unwrap();
            let again = work.runs().unwrap();
            let flags = rustix::fs::ioctl_getflags(again.fd()).unwrap();
            assert!(flags.contains(rustix::fs::IFlags::TOPDIR), "{flags:?}");
        }
        // A filesystem without it (tmpfs, btrfs, XFS) refuses it, and the directory works.
        _ => {
            assert!(!apart);
            assert!(runs.child("r").is_ok());
        }
    }
}

#[test]
fn a_second_run_cannot_take_a_busy_work_dir() {
    let tmp = tempfile::tempdir().unwrap();
    let work = WorkDir::open(tmp.path()).unwrap();
    let held = work.lock().unwrap();
    let second = WorkDir::open(tmp.path()).unwrap().lock().unwrap_err();
    assert!(second.to_string().contains("--work-dir"), "{second}");
    drop(held);
    assert!(work.lock().is_ok());
}

#[test]
fn atomic_writes_leave_no_temporary() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("result.json");
    write_atomically(&path, b"{}").unwrap();
    write_atomically(&path, b"{\"a\":1}").unwrap();
    assert_eq!(std::fs::read(&path).unwrap(), b"{\"a\":1}");
    assert_eq!(std::fs::read_dir(tmp.path()).unwrap().count(), 1);
}

#[test]
fn a_new_or_empty_directory_is_marked_and_a_foreign_one_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let new = tmp.path().join("new/work");
    WorkDir::open(&new).unwrap();
    let marker = std::fs::read_to_string(new.join(MARKER)).unwrap();
    assert!(
        marker.starts_with("copybench work directory, layout 1"),
        "{marker}"
    );
    // Marked: reused, even with content.
    std::fs::write(new.join("results-of-mine"), b"x").unwrap();
    WorkDir::open(&new).unwrap();

    let empty = tmp.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    WorkDir::open(&empty).unwrap();
    assert!(empty.join(MARKER).is_file());

    let theirs = tmp.path().join("theirs");
    std::fs::create_dir_all(theirs.join("runs")).unwrap();
    std::fs::write(theirs.join("runs/thesis.tex"), b"years of work").unwrap();
    let e = WorkDir::open(&theirs).unwrap_err();
    assert!(matches!(e, WorkDirError::NotOurs { .. }), "{e}");
    assert!(e.to_string().contains(&*theirs.to_string_lossy()), "{e}");
    assert!(!theirs.join(MARKER).exists());
    assert_eq!(
        std::fs::read(theirs.join("runs/thesis.tex")).unwrap(),
        b"years of work"
    );
}

#[test]
fn a_file_or_a_dangling_symlink_is_not_a_work_dir() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("file");
    std::fs::write(&file, b"x").unwrap();
    let e = WorkDir::open(&file).unwrap_err();
    assert!(e.to_string().contains("is not a directory"), "{e}");
    let dangling = tmp.path().join("dangling");
    symlink(tmp.path().join("nowhere"), &dangling).unwrap();
    let e = WorkDir::open(&dangling).unwrap_err();
    assert!(e.to_string().contains("does not exist"), "{e}");
    assert!(!e.to_string().contains("File exists"), "{e}");
    // A symlink to a directory is the user's choice and is followed.
    let real = tmp.path().join("real");
    std::fs::create_dir(&real).unwrap();
    symlink(&real, tmp.path().join("link")).unwrap();
    WorkDir::open(&tmp.path().join("link")).unwrap();
    assert!(real.join(MARKER).is_file());
}

#[test]
fn planted_symlinks_are_errors_naming_them_and_are_never_followed() {
    let tmp = tempfile::tempdir().unwrap();
    let sentinel = Sentinel::new(tmp.path());
    let root = tmp.path().join("w");
    let work = WorkDir::open(&root).unwrap();
    for name in ["trash", "runs", "results", "fixtures", "conformance"] {
        symlink(&sentinel.dir, root.join(name)).unwrap();
    }
    symlink(sentinel.dir.join("keep"), root.join("trash-emptied-at")).unwrap();
    let e = work.trash().unwrap_err();
    assert!(matches!(e, WorkDirError::Symlink { .. }), "{e}");
    assert!(e
        .to_string()
        .contains(&*root.join("trash").to_string_lossy()));
    assert!(work.runs().is_err() && work.results().is_err() && work.fixtures().is_err());
    assert!(work.conformance().is_err());
    let e = work
        .note_trash_emptied(&FreedInodes::default())
        .unwrap_err();
    assert!(e.to_string().contains("trash-emptied-at"), "{e}");
    // A run refuses to start, naming the link, rather than clean up through it.
    let lock = work.lock().unwrap();
    let e = work.remove_leftovers(&lock).unwrap_err();
    assert!(matches!(e, WorkDirError::Symlink { .. }), "{e}");
    // Removing a link as an entry removes the link, not what it points at.
    for name in [
        "trash",
        "runs",
        "results",
        "fixtures",
        "conformance",
        "trash-emptied-at",
    ] {
        work.dir().remove(name).unwrap();
    }
    work.remove_leftovers(&lock).unwrap();
    sentinel.assert_intact();
}

#[test]
fn removing_a_tree_never_follows_a_symlink_inside_it() {
    let tmp = tempfile::tempdir().unwrap();
    let sentinel = Sentinel::new(tmp.path());
    let work = WorkDir::open(&tmp.path().join("w")).unwrap();
    let runs = work.runs().unwrap();
    let tree = runs.child("tree").unwrap();
    std::fs::create_dir_all(tree.join("a/b")).unwrap();
    symlink(&sentinel.dir, tree.join("a/b/to-sentinel")).unwrap();
    symlink(sentinel.dir.join("keep"), tree.join("a/file-link")).unwrap();
    std::fs::write(tree.join("a/f"), b"x").unwrap();
    runs.remove("tree").unwrap();
    assert!(!runs.join("tree").exists());
    sentinel.assert_intact();
}

#[test]
fn a_tree_deeper_than_the_descriptor_budget_is_removed() {
    let tmp = tempfile::tempdir().unwrap();
    let work = WorkDir::open(&tmp.path().join("w")).unwrap();
    let runs = work.runs().unwrap();
    let mut dir = runs.child("deep").unwrap();
    for _ in 0..300 {
        std::fs::write(dir.join("f"), b"x").unwrap();
        dir = dir.child("d").unwrap();
    }
    drop(dir);
    runs.remove("deep").unwrap();
    assert!(runs.names().unwrap().is_empty());
}

#[test]
fn only_an_empty_directory_is_removed_if_empty_and_a_symlink_is_not_followed() {
    let tmp = tempfile::tempdir().unwrap();
    let sentinel = Sentinel::new(tmp.path());
    let work = WorkDir::open(&tmp.path().join("w")).unwrap();
    let targets = work.targets().unwrap();
    targets.child("empty").unwrap();
    let full = targets.child("full").unwrap();
    std::fs::write(full.join("image"), b"x").unwrap();
    symlink(&sentinel.dir, targets.join("link")).unwrap();
    for name in ["empty", "full", "link", "missing"] {
        let outcome = targets.remove_if_empty(name);
        assert!(outcome.is_ok() || name == "link", "{name}: {outcome:?}");
    }
    let mut left = targets.names().unwrap();
    left.sort();
    assert_eq!(left, ["full", "link"]);
    assert_eq!(std::fs::read(full.join("image")).unwrap(), b"x");
    sentinel.assert_intact();
}

#[test]
fn a_held_lock_refuses_a_second_run_and_a_released_one_is_taken() {
    let tmp = tempfile::tempdir().unwrap();
    let work = WorkDir::open(&tmp.path().join("w")).unwrap();
    let held = work.lock().unwrap();
    assert!(matches!(work.lock(), Err(WorkDirError::Busy { .. })));
    drop(held);
    work.lock().expect("free again");
}

#[test]
fn leftovers_of_an_interrupted_run_are_removed() {
    let tmp = tempfile::tempdir().unwrap();
    let work = WorkDir::open(tmp.path()).unwrap();
    let fixtures = work.fixtures().unwrap();
    fixtures.child(".file-1b.tmp-4242").unwrap();
    fixtures.child("file-1b").unwrap();
    let run = work.results().unwrap().child("20250101-1").unwrap();
    std::fs::write(run.join(".result.json.tmp-4242"), b"{").unwrap();
    work.runs().unwrap().child("r").unwrap();
    let lock = work.lock().unwrap();
    assert!(work.remove_leftovers(&lock).unwrap());
    assert_eq!(fixtures.names().unwrap(), ["file-1b"]);
    assert!(run.names().unwrap().is_empty());
    assert!(!tmp.path().join("runs").exists());
}
