//! Every colour the charts use, one per meaning across all of them: orange is a peer program
//! wherever it appears, never also "system CPU" or "read". Hues are grouped by what they stand
//! for (blues and orange for who ran, teals for CPU, pinks for latency, greens for stat-family
//! calls, browns for other calls, indigo, lime, cyan and yellow for results compared), and a test checks
//! that no colour carries two meanings.

use plotters::style::RGBColor;

/// Text and axes.
pub const INK: RGBColor = RGBColor(0x22, 0x22, 0x22);

/// Engine strategies and walkers.
pub const ENGINE: RGBColor = RGBColor(0x1f, 0x77, 0xb4);
/// External programs (`cp`, CPython's shutil, rsync).
pub const PEER: RGBColor = RGBColor(0xff, 0x7f, 0x0e);
/// The reference entry, and the line at 1.0.
pub const REFERENCE: RGBColor = RGBColor(0x7f, 0x7f, 0x7f);

/// A sample flagged as an outlier.
pub const OUTLIER: RGBColor = RGBColor(0xd6, 0x27, 0x28);
/// A cold-cache sample whose eviction did not take.
pub const CACHE_KEPT: RGBColor = RGBColor(0x94, 0x67, 0xbd);
/// The quartile box of a sample distribution.
pub const QUARTILES: RGBColor = RGBColor(0xdd, 0xe6, 0xf0);

pub const USER_CPU: RGBColor = RGBColor(0x00, 0x5f, 0x73);
pub const SYSTEM_CPU: RGBColor = RGBColor(0x94, 0xd2, 0xbd);
/// CPU time whose user/system split is below the accounting resolution: the total alone.
pub const TOTAL_CPU: RGBColor = RGBColor(0x0a, 0x93, 0x96);

/// p50, p90, p99 and max of per-file latency, light to dark.
pub const LATENCY: [RGBColor; 4] = [
    RGBColor(0xfc, 0xc5, 0xc0),
    RGBColor(0xf7, 0x68, 0xa1),
    RGBColor(0xc5, 0x1b, 0x8a),
    RGBColor(0x7a, 0x01, 0x77),
];
/// The line from a latency's median to its slowest file.
pub const LATENCY_SPREAD: RGBColor = RGBColor(0xbb, 0xbb, 0xbb);

/// Stat-family syscalls, one shade each.
pub const STAT_CALLS: [RGBColor; 6] = [
    RGBColor(0x00, 0x44, 0x1b),
    RGBColor(0x1b, 0x78, 0x37),
    RGBColor(0x41, 0xab, 0x5d),
    RGBColor(0x5a, 0xae, 0x61),
    RGBColor(0xa6, 0xdb, 0xa0),
    RGBColor(0xc7, 0xe9, 0xc0),
];
/// Other syscalls, by how often they are called.
pub const OTHER_CALLS: [RGBColor; 8] = [
    // Dark and light alternate, so neighbours in a stacked bar stay apart.
    RGBColor(0x4d, 0x2d, 0x0b),
    RGBColor(0xe0, 0xb9, 0x6a),
    RGBColor(0x8d, 0x6e, 0x63),
    RGBColor(0xc8, 0x92, 0x3b),
    RGBColor(0x7a, 0x4a, 0x12),
    RGBColor(0xef, 0xd8, 0xa0),
    RGBColor(0xa6, 0x6a, 0x1e),
    RGBColor(0xbc, 0xaa, 0xa4),
];
/// The rarest syscalls, drawn together.
pub const RARE_CALLS: RGBColor = RGBColor(0xe4, 0xe4, 0xe4);

/// Results compared side by side, in order (more results than colours reuse them).
pub const RESULTS: [RGBColor; 4] = [
    RGBColor(0x5c, 0x6b, 0xc0),
    RGBColor(0xaf, 0xb4, 0x2b),
    RGBColor(0x00, 0xbc, 0xd4),
    RGBColor(0xff, 0xd6, 0x00),
];

/// Colour of the `index`th result compared (the same in the chart and the page's legend).
pub fn result_color(index: usize) -> RGBColor {
    RESULTS[index % RESULTS.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_colour_has_two_meanings() {
        let mut all: Vec<RGBColor> = vec![
            INK,
            ENGINE,
            PEER,
            REFERENCE,
            OUTLIER,
            CACHE_KEPT,
            QUARTILES,
            USER_CPU,
            SYSTEM_CPU,
            TOTAL_CPU,
            LATENCY_SPREAD,
            RARE_CALLS,
        ];
        all.extend(LATENCY);
        all.extend(STAT_CALLS);
        all.extend(OTHER_CALLS);
        all.extend(RESULTS);
        for (i, a) in all.iter().enumerate() {
            for b in &all[i + 1..] {
                assert_ne!((a.0, a.1, a.2), (b.0, b.1, b.2));
            }
        }
    }
}
