//! What a scenario measured beside its entries, in words every format prints under the summary:
//! how sampling went, the machine's memcpy and read of the same bytes, what starting each
//! program costs, and what the syscall recorder costs.

use copybench_result::{Estimate, SamplingStop, ScenarioResult};

use crate::format;

/// The marker beside a speedup measured against the reference timed as a child.
pub const AGAINST_CHILD: &str = "†";

/// One line per figure, plain text (each format escapes it).
pub fn lines(scenario: &ScenarioResult) -> Vec<String> {
    let mut lines = Vec::new();
    if let Some(s) = &scenario.sampling {
        let why = match s.stopped {
            SamplingStop::TargetReached => format!(
                "every speedup interval within ±{:.1} %",
                s.target_half_width * 100.0
            ),
            SamplingStop::TimeBudget => format!(
                "time budget of {} spent, {} short of ±{:.1} %",
                format::duration(s.max_time_s),
                s.short_of_target.len(),
                s.target_half_width * 100.0
            ),
            SamplingStop::NothingToTarget => "no speedup to aim at".to_owned(),
        };
        lines.push(format!(
            "sampling: {} rounds (at least {}) in {}, stopped: {why}",
            s.rounds,
            s.min_samples,
            format::duration(s.elapsed_s)
        ));
    }
    if let Some(child) = scenario
        .entries
        .iter()
        .filter_map(|e| e.speedup.as_ref())
        .map(|s| s.against.as_str())
        .find(|against| !against.is_empty() && *against != scenario.reference)
    {
        lines.push(format!(
            "{AGAINST_CHILD} against {child}: the reference timed as a child in the same rounds, so both pay a process start"
        ));
    }
    let Some(c) = &scenario.calibration else {
        return lines;
    };
    let estimate = |e: &Estimate| match &e.ci {
        Some(ci) => format!(
            "{} [{}, {}]",
            format::duration(e.median),
            format::duration(ci.low),
            format::duration(ci.high)
        ),
        None => format::duration(e.median),
    };
    let bytes = scenario.parameters.fixture.bytes;
    if let Some(memcpy) = &c.memcpy_s {
        let read = c
            .read_s
            .as_ref()
            .map(|r| format!("; read of the source into memory {}", estimate(r)))
            .unwrap_or_default();
        lines.push(format!(
            "machine's limit: memcpy of {} MiB {}{read}; \"× memcpy\" is each copy's wall time over it, per round",
            bytes >> 20,
            estimate(memcpy)
        ));
    }
    if !c.startup.is_empty() {
        let starts: Vec<String> = c
            .startup
            .iter()
            .map(|s| format!("`{}` {}", s.command.join(" "), estimate(&s.wall_s)))
            .collect();
        lines.push(format!(
            "start-up, part of each child's wall time: {}",
            starts.join(", ")
        ));
    }
    if let Some(counting) = &c.counting_layer {
        let percent = |ratio: f64| format::change(1.0, ratio);
        let interval = counting
            .ratio
            .ci
            .map(|ci| format!(" [{}, {}]", percent(ci.low), percent(ci.high)))
            .unwrap_or_default();
        lines.push(format!(
            "counting layer: {}{interval} on {} (the same copy with and without the syscall recorder)",
            percent(counting.ratio.median),
            counting.entry
        ));
    }
    for (figure, why) in &c.unmeasured {
        lines.push(format!("{figure} not measured: {why}"));
    }
    lines
}
