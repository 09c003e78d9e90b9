//! Progress bars on stderr while a scenario runs.

/// A bar of `len` samples for scenario `name`, or a hidden one.
pub(super) fn progress_bar(enabled: bool, name: &str, len: u64) -> indicatif::ProgressBar {
    if !enabled {
        return indicatif::ProgressBar::hidden();
    }
    // No steady tick: it would start a thread, and RUSAGE_SELF deltas of parallel copies must
    // hold only the copy's threads.
    let bar = indicatif::ProgressBar::with_draw_target(
        Some(len),
        indicatif::ProgressDrawTarget::stderr(),
    );
    if let Ok(style) =
        indicatif::ProgressStyle::with_template("{prefix} [{bar:30}] {pos}/{len} {msg}")
    {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.set_prefix(name.to_owned());
    bar
}
