//! docs/conformance.md case 45: names that are not UTF-8, that hold spaces, newlines or a leading dash,
//! and paths longer than 255 bytes in total are copied as they are (also symlinks to them).

mod common;

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::path::PathBuf;

use common::{patterned, supported_strategies, Scratch};
use copybench_engine::{copy_file, CopyOptions, Mode};

#[test]
fn case_45_odd_names_and_long_paths_are_copied_as_they_are() {
    let s = Scratch::new();
    // Three nested 200-byte directory names: the full paths are over 600 bytes.
    let mut deep = s.root().to_path_buf();
    for c in ['a', 'b', 'c'] {
        deep.push(std::iter::repeat_n(c, 200).collect::<String>());
    }
    std::fs::create_dir_all(&deep).unwrap();
    let names: Vec<&[u8]> = vec![
        b"not utf-8 \xff\xfe\x80",
        b"with spaces in it",
        b"new\nline",
        b"-rf",
        b"--leading-dashes",
    ];
    for (i, name) in names.iter().enumerate() {
        let name = OsStr::from_bytes(name);
        let content = patterned(1000 + i, i as u64);
        for dir in [s.root().to_path_buf(), deep.clone()] {
            let src = dir.join(name);
            std::fs::write(&src, &content).unwrap();
            for strategy in supported_strategies(s.root()) {
                for &mode in Mode::ALL {
                    let mut dst_name = name.to_owned();
                    dst_name.push(format!(" copy {strategy} {mode}"));
                    let dst: PathBuf = dir.join(&dst_name);
                    assert!(dst.as_os_str().len() > 255 || dir == s.root());
                    let options = CopyOptions {
                        strategy,
                        mode,
                        follow_symlinks: true,
                    };
                    let report = copy_file(&src, &dst, &options)
                        .unwrap_or_else(|e| panic!("{strategy} {mode} {dst:?}: {e}"));
                    assert_eq!(report.dst, dst);
                    assert!(std::fs::read(&dst).unwrap() == content);
                    std::fs::remove_file(&dst).unwrap();
                }
            }
            // A symlink whose target is longer than 255 bytes, copied as a link.
            let link = dir.join({
                let mut n = name.to_owned();
                n.push(".link");
                n
            });
            std::os::unix::fs::symlink(&src, &link).unwrap();
            let dst = dir.join("link copy");
            let options = CopyOptions {
                follow_symlinks: false,
                ..CopyOptions::default()
            };
            copy_file(&link, &dst, &options).unwrap();
            assert_eq!(std::fs::read_link(&dst).unwrap(), src);
            std::fs::remove_file(&dst).unwrap();
        }
    }
}
