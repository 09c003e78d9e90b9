//! Errno names as C and CPython spell them (`EXDEV`, `ENOSPC`), for JSON output and fault specs.

use rustix::io::Errno;

const NAMES: &[(&str, Errno)] = &[
    ("EPERM", Errno::PERM),
    ("ENOENT", Errno::NOENT),
    ("EINTR", Errno::INTR),
    ("EIO", Errno::IO),
    ("E2BIG", Errno::TOOBIG),
    ("EBADF", Errno::BADF),
    ("EAGAIN", Errno::AGAIN),
    ("ENOMEM", Errno::NOMEM),
    ("EACCES", Errno::ACCESS),
    ("EFAULT", Errno::FAULT),
    ("EBUSY", Errno::BUSY),
    ("EEXIST", Errno::EXIST),
    ("EXDEV", Errno::XDEV),
    ("ENODEV", Errno::NODEV),
    ("ENOTDIR", Errno::NOTDIR),
    ("EISDIR", Errno::ISDIR),
    ("EINVAL", Errno::INVAL),
    ("ENFILE", Errno::NFILE),
    ("EMFILE", Errno::MFILE),
    ("ETXTBSY", Errno::TXTBSY),
    ("EFBIG", Errno::FBIG),
    ("ENOSPC", Errno::NOSPC),
    ("ESPIPE", Errno::SPIPE),
    ("EROFS", Errno::ROFS),
    ("EMLINK", Errno::MLINK),
    ("EPIPE", Errno::PIPE),
    ("ERANGE", Errno::RANGE),
    ("ENAMETOOLONG", Errno::NAMETOOLONG),
    ("ENOSYS", Errno::NOSYS),
    ("ENOTEMPTY", Errno::NOTEMPTY),
    ("ELOOP", Errno::LOOP),
    ("ENODATA", Errno::NODATA),
    ("EOVERFLOW", Errno::OVERFLOW),
    ("ENOTSOCK", Errno::NOTSOCK),
    ("EOPNOTSUPP", Errno::OPNOTSUPP),
    ("EDQUOT", Errno::DQUOT),
    ("ESTALE", Errno::STALE),
];

/// The symbolic name of `errno` (`"EXDEV"`), or `"E<number>"` for one this table lacks.
pub fn name(errno: Errno) -> String {
    NAMES
        .iter()
        .find(|(_, e)| *e == errno)
        .map(|(n, _)| (*n).to_owned())
        .unwrap_or_else(|| format!("E{}", errno.raw_os_error()))
}

/// The errno called `name` (`"ENOTSUP"` is accepted as Linux's alias of `EOPNOTSUPP`).
pub fn from_name(name: &str) -> Option<Errno> {
    let upper = name.to_ascii_uppercase();
    let wanted = if upper == "ENOTSUP" {
        "EOPNOTSUPP"
    } else {
        upper.as_str()
    };
    NAMES.iter().find(|(n, _)| *n == wanted).map(|(_, e)| *e)
}

#[cfg(test)]
mod tests {
    #[test]
    fn names_round_trip() {
        for (n, e) in super::NAMES {
            assert_eq!(super::name(*e), *n);
            assert_eq!(super::from_name(n), Some(*e));
        }
        assert_eq!(
            super::from_name("enotsup"),
            Some(rustix::io::Errno::OPNOTSUPP)
        );
    }
}
