//! `shutil.ignore_patterns`: names in each directory matched against `fnmatch` globs.
//!
//! Matched as CPython's `fnmatch.translate` does on POSIX: case-sensitive, `*` and `?` match any
//! byte (there is no `/` in a name), `[seq]` and `[!seq]` with ranges, a `[` without its `]` is
//! literal, and there are no `{a,b}` alternates or backslash escapes. Bytes, not UTF-8, so
//! non-UTF-8 names match as they are.

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;

/// The ignore globs of one copy.
#[derive(Clone, Debug, Default)]
pub(crate) struct IgnorePatterns {
    patterns: Vec<Vec<u8>>,
}

impl IgnorePatterns {
    pub(crate) fn new(patterns: &[String]) -> IgnorePatterns {
        IgnorePatterns {
            patterns: patterns.iter().map(|p| p.as_bytes().to_vec()).collect(),
        }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.patterns.is_empty()
    }

    /// Whether any pattern matches `name` (what `ignore_patterns(...)(src, names)` returns).
    pub(crate) fn matches(&self, name: &OsStr) -> bool {
        let name = name.as_bytes();
        self.patterns.iter().any(|p| fnmatch(p, name))
    }
}

/// One element of a translated pattern.
enum Token<'a> {
    Byte(u8),
    AnyOne,
    AnyRun,
    /// `[...]`: the set's body (without brackets) and whether it was negated with `!`.
    Set {
        body: &'a [u8],
        negated: bool,
    },
}

fn tokenize(pattern: &[u8]) -> Vec<Token<'_>> {
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < pattern.len() {
        match pattern[i] {
            b'*' => {
                // Consecutive stars are one (fnmatch.translate compresses them).
                if !matches!(tokens.last(), Some(Token::AnyRun)) {
                    tokens.push(Token::AnyRun);
                }
                i += 1;
            }
            b'?' => {
                tokens.push(Token::AnyOne);
                i += 1;
            }
            b'[' => {
                // Find the closing `]`: a `!` and then a `]` right after the `[` are part of
                // the set, as in fnmatch.translate.
                let mut j = i + 1;
                if j < pattern.len() && pattern[j] == b'!' {
                    j += 1;
                }
                if j < pattern.len() && pattern[j] == b']' {
                    j += 1;
                }
                while j < pattern.len() && pattern[j] != b']' {
                    j += 1;
                }
                if j >= pattern.len() {
                    tokens.push(Token::Byte(b'['));
                    i += 1;
                } else {
                    let inner = &pattern[i + 1..j];
                    let (negated, body) = match inner.first() {
                        Some(b'!') => (true, &inner[1..]),
                        _ => (false, inner),
                    };
                    tokens.push(Token::Set { body, negated });
                    i = j + 1;
                }
            }
            byte => {
                tokens.push(Token::Byte(byte));
                i += 1;
            }
        }
    }
    tokens
}

fn set_contains(body: &[u8], byte: u8) -> bool {
    let mut k = 0;
    while k < body.len() {
        if k + 2 < body.len() && body[k + 1] == b'-' {
            // A reversed range (`z-a`) matches nothing, as in fnmatch.translate.
            if body[k] <= byte && byte <= body[k + 2] {
                return true;
            }
            k += 3;
        } else {
            if body[k] == byte {
                return true;
            }
            k += 1;
        }
    }
    false
}

/// Whether `name` matches `pattern` whole (fnmatch.fnmatchcase).
pub(crate) fn fnmatch(pattern: &[u8], name: &[u8]) -> bool {
    let tokens = tokenize(pattern);
    // Iterative matcher with one backtrack point for the last `*` (linear for fnmatch globs).
    let (mut t, mut n) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while n < name.len() {
        let step = match tokens.get(t) {
            Some(Token::Byte(b)) => *b == name[n],
            Some(Token::AnyOne) => true,
            Some(Token::Set { body, negated }) => set_contains(body, name[n]) != *negated,
            Some(Token::AnyRun) => {
                star = Some((t, n));
                t += 1;
                continue;
            }
            None => false,
        };
        if step {
            t += 1;
            n += 1;
        } else if let Some((star_t, star_n)) = star {
            t = star_t + 1;
            n = star_n + 1;
            star = Some((star_t, star_n + 1));
        } else {
            return false;
        }
    }
    tokens[t..].iter().all(|tok| matches!(tok, Token::AnyRun))
}

#[cfg(test)]
mod tests {
    use super::fnmatch;

    #[test]
    fn matches_like_python_fnmatchcase() {
        let cases: &[(&str, &str, bool)] = &[
            ("*.tmp", "a.tmp", true),
            ("*.tmp", "a.tmp.x", false),
            ("*.tmp", ".tmp", true),
            ("*", "", true),
            ("?", "", false),
            ("a?c", "abc", true),
            ("[ab]x", "bx", true),
            ("[!ab]x", "bx", false),
            ("[!ab]x", "cx", true),
            ("[a-c]", "b", true),
            ("[z-a]", "b", false),
            ("[]]", "]", true),
            ("[!]]", "a", true),
            ("[", "[", true),
            ("a[", "a[", true),
            ("{a,b}", "a", false),
            ("{a,b}", "{a,b}", true),
            ("\\\\*", "\\\\x", true),
            ("*a*b", "xaxxb", true),
            ("*a*b", "xaxxbc", false),
            ("CVS", "cvs", false),
        ];
        for (pattern, name, expected) in cases {
            assert_eq!(
                fnmatch(pattern.as_bytes(), name.as_bytes()),
                *expected,
                "{pattern} vs {name}"
            );
        }
    }

    #[test]
    fn non_utf8_names_match_bytewise() {
        assert!(fnmatch(b"*.tmp", b"\xff\xfe.tmp"));
        assert!(fnmatch(b"?", &[0xff]));
    }
}
