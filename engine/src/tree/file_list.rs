//! The regular files of one directory that one job copies, their names in one buffer.
//!
//! A list is built on the walker's thread and dropped on a worker's. One allocation per name
//! would be one cross-thread `free` per file, which glibc makes through the allocating
//! thread's arena lock once the freeing thread's cache is full: in a profile of the 8000-file
//! tree on two workers, `_int_free` of the names was a tenth of the copy's user time.

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;

#[derive(Debug, Default)]
pub(super) struct FileList {
    names: Vec<u8>,
    /// Each file's end in `names` and its walk position (which orders gathered errors).
    files: Vec<(usize, u64)>,
}

impl FileList {
    pub(super) fn push(&mut self, name: &OsStr, seq: u64) {
        self.names.extend_from_slice(name.as_bytes());
        self.files.push((self.names.len(), seq));
    }

    pub(super) fn len(&self) -> usize {
        self.files.len()
    }

    pub(super) fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    /// The `index`th file's name and walk position.
    pub(super) fn get(&self, index: usize) -> (&OsStr, u64) {
        let start = self.start_of(index);
        let (end, seq) = self.files[index];
        (OsStr::from_bytes(&self.names[start..end]), seq)
    }

    /// Where the `index`th name starts in `names`: where the one before ends.
    fn start_of(&self, index: usize) -> usize {
        match index.checked_sub(1) {
            Some(before) => self.files[before].0,
            None => 0,
        }
    }

    pub(super) fn iter(&self) -> impl Iterator<Item = (&OsStr, u64)> + '_ {
        (0..self.len()).map(|index| self.get(index))
    }

    /// Moves the files from `at` on into a new list; this one keeps those before.
    pub(super) fn split_off(&mut self, at: usize) -> FileList {
        let start = self.start_of(at);
        let names = self.names.split_off(start);
        let files = self
            .files
            .split_off(at)
            .into_iter()
            .map(|(end, seq)| (end - start, seq))
            .collect();
        FileList { names, files }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn list_of(names: &[Vec<u8>]) -> FileList {
        let mut list = FileList::default();
        for (seq, name) in names.iter().enumerate() {
            list.push(OsStr::from_bytes(name), seq as u64);
        }
        list
    }

    fn contents(list: &FileList) -> Vec<(Vec<u8>, u64)> {
        list.iter()
            .map(|(n, s)| (n.as_bytes().to_vec(), s))
            .collect()
    }

    proptest! {
        /// Every name comes back as pushed (empty ones too), and a split keeps each file once,
        /// in order, on one side or the other.
        #[test]
        fn names_survive_pushing_and_splitting(
            names in prop::collection::vec(prop::collection::vec(1u8..=255, 0..12), 0..40),
            at in any::<prop::sample::Index>(),
        ) {
            let mut list = list_of(&names);
            let pushed: Vec<(Vec<u8>, u64)> =
                names.iter().cloned().zip(0..).collect();
            prop_assert_eq!(contents(&list), pushed.clone());
            let at = at.index(names.len() + 1);
            let tail = list.split_off(at);
            prop_assert_eq!(list.len() + tail.len(), names.len());
            let mut rejoined = contents(&list);
            rejoined.extend(contents(&tail));
            prop_assert_eq!(rejoined, pushed);
        }
    }
}
