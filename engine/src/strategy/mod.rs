//! The ways of copying a file's content, one file each.

use serde::{Deserialize, Serialize};

/// A way of copying file content. Names are those of the CLI and the scenario files.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum Strategy {
    Sendfile,
    CopyFileRange,
    Splice,
    Reflink,
    Fcopyfile,
    Buffered16k,
    Buffered64k,
    Buffered1m,
    Readinto64k,
    Readinto256k,
    Readinto1m,
    Mmap,
    Std,
    Auto,
}

impl Strategy {
    /// Every strategy, in the order `copybench list` prints them.
    pub const ALL: &'static [Strategy] = &[
        Strategy::Auto,
        Strategy::Reflink,
        Strategy::CopyFileRange,
        Strategy::Sendfile,
        Strategy::Splice,
        Strategy::Fcopyfile,
        Strategy::Readinto64k,
        Strategy::Readinto256k,
        Strategy::Readinto1m,
        Strategy::Buffered16k,
        Strategy::Buffered64k,
        Strategy::Buffered1m,
        Strategy::Mmap,
        Strategy::Std,
    ];

    /// The name used on the command line, in scenario files and in results.
    pub fn name(self) -> &'static str {
        match self {
            Strategy::Sendfile => "sendfile",
            Strategy::CopyFileRange => "copy_file_range",
            Strategy::Splice => "splice",
            Strategy::Reflink => "reflink",
            Strategy::Fcopyfile => "fcopyfile",
            Strategy::Buffered16k => "buffered-16k",
            Strategy::Buffered64k => "buffered-64k",
            Strategy::Buffered1m => "buffered-1m",
            Strategy::Readinto64k => "readinto-64k",
            Strategy::Readinto256k => "readinto-256k",
            Strategy::Readinto1m => "readinto-1m",
            Strategy::Mmap => "mmap",
            Strategy::Std => "std",
            Strategy::Auto => "auto",
        }
    }
}

impl std::fmt::Display for Strategy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for Strategy {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Strategy::ALL
            .iter()
            .copied()
            .find(|st| st.name() == s)
            .ok_or_else(|| {
                let names: Vec<&str> = Strategy::ALL.iter().map(|s| s.name()).collect();
                format!("unknown strategy `{s}` (known: {})", names.join(", "))
            })
    }
}

impl TryFrom<String> for Strategy {
    type Error = String;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl From<Strategy> for String {
    fn from(s: Strategy) -> String {
        s.name().to_owned()
    }
}
