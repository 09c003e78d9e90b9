//! Faults injected on purpose: `SYSCALL:N:ERRNO` fails the Nth call of one syscall, without
//! making it, so tests and the conformance suite reach CPython's fallback and error paths.

use rustix::io::Errno;

use super::Syscall;

/// Fail the `nth` call (1-based, counted from when the recorder was made) of `syscall` with
/// `errno`, without making it. Whether a fault can fire at all for a strategy is the
/// strategy's to say (`Strategy::unreachable_fault`): this layer knows only syscalls.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Fault {
    pub syscall: Syscall,
    pub nth: u64,
    pub errno: Errno,
}

impl std::str::FromStr for Fault {
    type Err = String;

    /// Parses `SYSCALL:N:ERRNO`, e.g. `sendfile:1:EINVAL`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let parts: Vec<&str> = s.split(':').collect();
        let [call, nth, errno] = parts.as_slice() else {
            return Err(format!(
                "`{s}`: expected SYSCALL:N:ERRNO, e.g. sendfile:1:EINVAL"
            ));
        };
        let syscall = call.parse::<Syscall>()?;
        let nth = parse_nth(nth)?;
        let errno = crate::errno::from_name(errno)
            .ok_or_else(|| format!("`{errno}` is not an errno name this build knows"))?;
        Ok(Fault {
            syscall,
            nth,
            errno,
        })
    }
}

/// N of a fault spec: which call fails, counting from 1, within what a u64 counter holds.
fn parse_nth(nth: &str) -> Result<u64, String> {
    use std::num::IntErrorKind;
    match nth.parse::<u64>() {
        Ok(n) if n >= 1 => Ok(n),
        Err(e) if *e.kind() == IntErrorKind::PosOverflow => Err(format!(
            "`{nth}`: N is too big, the call counter stops at {}",
            u64::MAX
        )),
        // 0, a sign, anything but digits: calls are counted from 1.
        _ => Err(format!("`{nth}`: N must be a whole number from 1")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_spec_names_a_syscall_a_call_and_an_errno() {
        let fault: Fault = "copy_file_range:3:EXDEV".parse().unwrap();
        assert_eq!(
            fault,
            Fault {
                syscall: Syscall::CopyFileRange,
                nth: 3,
                errno: Errno::XDEV
            }
        );
    }

    #[test]
    fn bad_fault_specs_say_why() {
        let why = |spec: &str| spec.parse::<Fault>().unwrap_err();
        assert!(why("sendfile:0:EINVAL").contains("N must"));
        assert!(why("sendfile:x:EINVAL").contains("N must"));
        assert!(why("nosuch:1:EINVAL").contains("nosuch"));
        assert!(why("read:1:EWHAT").contains("EWHAT"));
        assert!(why("read").contains("SYSCALL:N:ERRNO"));
        let too_big = why("read:18446744073709551616:EIO");
        assert!(too_big.contains("too big"), "{too_big}");
        assert!(too_big.contains("18446744073709551615"), "{too_big}");
        assert_eq!(
            "read:18446744073709551615:EIO"
                .parse::<Fault>()
                .unwrap()
                .nth,
            u64::MAX
        );
    }
}
