//! One way to write sizes, durations, ratios and counts, shared by every format.

use copybench_gate::Change;
use copybench_result::{Environment, FixtureKind, ScenarioResult, Speedup, ToolInfo};

/// Written where a figure is absent (every format says why next to the table, never `0`).
pub const ABSENT: &str = "—";

/// A figure that may be absent: its own text, or [`ABSENT`].
pub fn optional<T: std::fmt::Display>(value: Option<T>) -> String {
    value.map_or_else(|| ABSENT.to_string(), |v| v.to_string())
}

/// A duration in seconds with three significant digits and a unit that fits: `812 µs`, `32.5 ms`,
/// `1.23 s`.
pub fn duration(seconds: f64) -> String {
    if !seconds.is_finite() {
        return ABSENT.to_string();
    }
    if seconds == 0.0 {
        // A measured zero (CPU time below the kernel's accounting granularity), not an absence.
        return "0 s".to_string();
    }
    let magnitude = seconds.abs();
    let (value, unit) = if magnitude >= 1.0 {
        (seconds, "s")
    } else if magnitude >= 1e-3 {
        (seconds * 1e3, "ms")
    } else if magnitude >= 1e-6 {
        (seconds * 1e6, "µs")
    } else {
        (seconds * 1e9, "ns")
    };
    format!("{} {unit}", significant(value, 3))
}

/// A duration given in nanoseconds (latency percentiles).
pub fn duration_ns(nanoseconds: u64) -> String {
    duration(nanoseconds as f64 / 1e9)
}

/// A size in binary units: `512 B`, `24.0 KiB`, `64.0 MiB`.
pub fn bytes(count: u64) -> String {
    const UNITS: [&str; 5] = ["KiB", "MiB", "GiB", "TiB", "PiB"];
    if count < 1024 {
        return format!("{count} B");
    }
    let mut value = count as f64 / 1024.0;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    format!("{value:.1} {}", UNITS[unit])
}

/// A speedup or other ratio: `1.26×`.
pub fn ratio(value: f64) -> String {
    format!("{value:.2}×")
}

/// A ratio on a chart's axis, whose ticks are round: `1.5×`.
pub fn ratio_tick(value: f64) -> String {
    format!("{value:.1}×")
}

/// A relative change from `before` to `after`: `+4.3 %`, `−12.7 %` (a true minus sign), `0.0 %`.
pub fn change(before: f64, after: f64) -> String {
    if !(before.is_finite() && after.is_finite()) || before == 0.0 {
        return ABSENT.to_string();
    }
    signed_percent(after / before - 1.0)
}

/// A relative change given as a fraction (`-0.127`): `−12.7 %`, `+4.3 %`, `0.0 %`.
pub fn signed_percent(fraction: f64) -> String {
    if !fraction.is_finite() {
        return ABSENT.to_string();
    }
    format!("{} %", signed(fraction * 100.0))
}

/// A change with the interval it lies in, as the gate judged it: `−12.3 % [−15.0, −9.8]`.
pub fn change_interval(change: &Change) -> String {
    format!(
        "{} [{}, {}]",
        signed_percent(change.median),
        signed(change.low * 100.0),
        signed(change.high * 100.0)
    )
}

/// One decimal with a sign, a true minus for negatives, none for what rounds to zero.
fn signed(value: f64) -> String {
    let text = format!("{:.1}", value.abs());
    if text == "0.0" {
        text
    } else if value > 0.0 {
        format!("+{text}")
    } else {
        format!("−{text}")
    }
}

/// An RFC 3339 time as people read it: `2026-11-21 23:10:04Z`.
pub fn time(rfc3339: &str) -> String {
    rfc3339.replacen('T', " ", 1)
}

/// A speedup's 95 % confidence interval alone: `1.21 – 1.30`, or `no 95% CI` below 6 pairs.
pub fn speedup_ci(speedup: &Speedup) -> String {
    match &speedup.ci {
        Some(ci) => format!("{:.2} – {:.2}", ci.low, ci.high),
        None => "no 95% CI".to_string(),
    }
}

/// A speedup with its 95 % confidence interval: `1.26× [1.21, 1.30]`, or `1.26× (no 95% CI)`.
pub fn speedup(speedup: &Speedup) -> String {
    match &speedup.ci {
        Some(ci) => format!("{} [{:.2}, {:.2}]", ratio(speedup.median), ci.low, ci.high),
        None => format!("{} (no 95% CI)", ratio(speedup.median)),
    }
}

/// A count that may be fractional (syscalls per file): at most two decimals, trailing zeros
/// dropped: `8`, `8.39`, `3.1`.
pub fn count(value: f64) -> String {
    let text = format!("{value:.2}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    if text == "-0" {
        "0".to_string()
    } else {
        text.to_string()
    }
}

/// A fraction as a percentage with at most one decimal: `99.8 %`, `100 %`, `0 %`.
pub fn percent(fraction: f64) -> String {
    format!("{} %", count((fraction * 1000.0).round() / 10.0))
}

/// Throughput in MiB/s, no decimals above 100.
pub fn throughput(mib_per_s: f64) -> String {
    if mib_per_s >= 100.0 {
        format!("{mib_per_s:.0} MiB/s")
    } else {
        format!("{} MiB/s", significant(mib_per_s, 3))
    }
}

/// CPU seconds per GiB copied.
pub fn cpu_per_gib(seconds: f64) -> String {
    format!("{} s/GiB", significant(seconds, 3))
}

/// A scenario's name, and its scale when it was run scaled: the name says "64mib" but a run at
/// `--scale 0.1` copied 6.4 MiB. `file-64mib (scale 0.1: 6.4 MiB)`, `tree-800 (scale 0.1: 80 files)`.
pub fn scenario_title(scenario: &ScenarioResult) -> String {
    let p = &scenario.parameters;
    if p.scale == 1.0 {
        return scenario.name.clone();
    }
    let size = match p.fixture.kind {
        FixtureKind::File => bytes(p.fixture.bytes),
        FixtureKind::Tree => format!("{} files", p.fixture.files),
    };
    format!("{} (scale {}: {size})", scenario.name, p.scale)
}

/// A short commit hash for display.
pub fn short_commit(commit: &str) -> &str {
    commit.get(..7).unwrap_or(commit)
}

/// The copybench that made a result: `0.1.0 (ec21be2)`, or the version alone when the commit
/// is unknown.
pub fn version(tool: &ToolInfo) -> String {
    match &tool.git_commit {
        Some(commit) => format!("{} ({})", tool.version, short_commit(commit)),
        None => tool.version.clone(),
    }
}

/// The machine a result was measured on.
pub fn host(environment: &Environment) -> &str {
    environment.hostname.as_deref().unwrap_or("unknown host")
}

/// `value` with `digits` significant digits, without exponent notation.
pub fn significant(value: f64, digits: i32) -> String {
    if value == 0.0 {
        return "0".to_string();
    }
    let magnitude = value.abs().log10().floor() as i32;
    let decimals = (digits - 1 - magnitude).max(0) as usize;
    format!("{value:.decimals$}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_pick_a_unit_and_keep_three_digits() {
        assert_eq!(duration(0.0325), "32.5 ms");
        assert_eq!(duration(1.234), "1.23 s");
        assert_eq!(duration(0.000812), "812 µs");
        assert_eq!(duration(61e-6), "61.0 µs");
        assert_eq!(duration(512e-9), "512 ns");
        assert_eq!(duration(123.4), "123 s");
        assert_eq!(duration(f64::NAN), "—");
        assert_eq!(duration(0.0), "0 s");
    }

    #[test]
    fn sizes_use_binary_units() {
        assert_eq!(bytes(512), "512 B");
        assert_eq!(bytes(24 * 1024), "24.0 KiB");
        assert_eq!(bytes(64 << 20), "64.0 MiB");
        assert_eq!(bytes(8 << 30), "8.0 GiB");
    }

    #[test]
    fn counts_drop_trailing_zeros() {
        assert_eq!(count(8.0), "8");
        assert_eq!(count(8.39), "8.39");
        assert_eq!(count(3.1), "3.1");
        assert_eq!(count(0.004), "0");
    }

    #[test]
    fn changes_are_signed_percentages() {
        assert_eq!(change(1.0, 1.043), "+4.3 %");
        assert_eq!(change(40.0, 34.92), "−12.7 %");
        assert_eq!(change(2.0, 2.0), "0.0 %");
        assert_eq!(change(0.0, 1.0), "—");
        let c = Change {
            median: -0.1234,
            low: -0.15,
            high: -0.098,
        };
        assert_eq!(change_interval(&c), "−12.3 % [−15.0, −9.8]");
        assert_eq!(signed_percent(0.0001), "0.0 %");
        assert_eq!(percent(0.05), "5 %");
        assert_eq!(percent(0.025), "2.5 %");
    }

    #[test]
    fn speedups_carry_their_interval() {
        let mut s = Speedup {
            median: 1.2612,
            ci: Some(copybench_result::Interval {
                low: 1.21,
                high: 1.3049,
                coverage: 0.961,
            }),
            pairs: 9,
            ratio_of_medians: 1.25,
            against: "buffered-64k".to_owned(),
            direction_conflict: None,
        };
        assert_eq!(speedup(&s), "1.26× [1.21, 1.30]");
        s.ci = None;
        assert_eq!(speedup(&s), "1.26× (no 95% CI)");
    }
}
