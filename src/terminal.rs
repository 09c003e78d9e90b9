//! What a command prints beside its results, and whether in colour: the global `--quiet`,
//! `--verbose` and `--color` flags, resolved once against the terminal and `NO_COLOR`
//! (<https://no-color.org>), as ripgrep and fd do.

use std::io::IsTerminal;

/// `--color`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum ColorWhen {
    /// When printing to a terminal and `NO_COLOR` is not set.
    #[default]
    Auto,
    /// Even into a pipe or a file, and despite `NO_COLOR`.
    Always,
    /// Plain text.
    Never,
}

/// The flags every command takes.
#[derive(Debug, clap::Args)]
#[command(next_help_heading = "Global options")]
pub struct GlobalArgs {
    /// Print only results and errors: no progress, no summary, no notes.
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,

    /// Say more while working: progress as plain lines even when stderr is not a terminal.
    #[arg(short, long, global = true)]
    pub verbose: bool,

    /// When to colour terminal output.
    #[arg(
        long,
        global = true,
        value_enum,
        value_name = "WHEN",
        default_value_t = ColorWhen::Auto
    )]
    pub color: ColorWhen,
}

/// How much to print, and where colour goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Terminal {
    pub quiet: bool,
    pub verbose: bool,
    /// ANSI colours on standard output.
    pub color: bool,
    /// Whether standard error is a terminal (where a redrawn progress display makes sense).
    pub stderr_is_terminal: bool,
}

impl Terminal {
    pub fn new(args: &GlobalArgs) -> Terminal {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        Terminal {
            quiet: args.quiet,
            verbose: args.verbose,
            color: wants_color(args.color, std::io::stdout().is_terminal(), no_color),
            stderr_is_terminal: std::io::stderr().is_terminal(),
        }
    }
}

/// Whether to colour: `always` and `never` as said; `auto` only on a terminal without
/// `NO_COLOR` (an explicit `--color always` overrides `NO_COLOR`, as no-color.org asks).
fn wants_color(when: ColorWhen, is_terminal: bool, no_color: bool) -> bool {
    match when {
        ColorWhen::Always => true,
        ColorWhen::Never => false,
        ColorWhen::Auto => is_terminal && !no_color,
    }
}

/// `text` with control characters written as escapes (`\n`, `\u{1b}`): a file name holding an
/// escape sequence must not recolour or rewrite the terminal it is printed to (as `ls`
/// quotes such names). JSON output escapes them itself.
pub fn printable(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.chars().any(char::is_control) {
        return std::borrow::Cow::Borrowed(text);
    }
    std::borrow::Cow::Owned(
        text.chars()
            .map(|c| {
                if c.is_control() {
                    c.escape_default().to_string()
                } else {
                    c.to_string()
                }
            })
            .collect(),
    )
}

/// [`printable`] of a path as it is displayed.
pub fn printable_path(path: &std::path::Path) -> String {
    printable(&path.display().to_string()).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_escaped() {
        assert_eq!(printable("plain name"), "plain name");
        assert_eq!(printable("a\nb\u{1b}[31mred"), "a\\nb\\u{1b}[31mred");
        assert_eq!(printable("tab\there\u{7f}"), "tab\\there\\u{7f}");
    }

    #[test]
    fn auto_colours_a_terminal_unless_no_color_is_set() {
        assert!(wants_color(ColorWhen::Auto, true, false));
        assert!(!wants_color(ColorWhen::Auto, true, true));
        assert!(!wants_color(ColorWhen::Auto, false, false));
        assert!(wants_color(ColorWhen::Always, false, true));
        assert!(!wants_color(ColorWhen::Never, true, false));
    }
}
