//! Fault resolution: a case's fault plan turned into the syscall faults for one subject, from
//! what its clean run did.

use copybench_engine::{Fault, Strategy, Syscall};

use super::case::FaultPlan;
use super::outcome::EngineTrace;

/// Turns a fault plan into faults for this subject, from what its clean run did.
pub(super) fn resolve_faults(
    plan: FaultPlan,
    trace: Option<&EngineTrace>,
) -> Result<Vec<Fault>, String> {
    let trace = trace.ok_or("no syscall counts from the clean run")?;
    let made = |call: Syscall| trace.counts.get(call);
    // The syscall the strategy that copied is named after (its own say: `Strategy::syscall`).
    let fast = trace.strategy_used.and_then(Strategy::syscall);
    let used = trace
        .strategy_used
        .map(|s| s.name().to_owned())
        .unwrap_or_else(|| "an unknown strategy".to_owned());
    let fault = |syscall, nth, errno| {
        vec![Fault {
            syscall,
            nth,
            errno,
        }]
    };
    match plan {
        FaultPlan::None => Ok(Vec::new()),
        FaultPlan::FastFirst(errno) => fast
            .filter(|c| made(*c) > 0)
            .map(|c| fault(c, 1, errno))
            .ok_or_else(|| format!("copied by {used} in userspace: no in-kernel call to fail")),
        FaultPlan::ContentFirst(errno) => fast
            .into_iter()
            .chain([Syscall::Write, Syscall::Pwrite64, Syscall::Pwritev2])
            .find(|c| made(*c) > 0)
            .map(|c| fault(c, 1, errno))
            .ok_or_else(|| format!("{used} makes no content syscall through the counted layer")),
        FaultPlan::ContentLast(errno) => fast
            .into_iter()
            .chain([
                Syscall::Read,
                Syscall::Write,
                Syscall::Pread64,
                Syscall::Pwrite64,
                Syscall::Preadv2,
                Syscall::Pwritev2,
            ])
            .find(|c| made(*c) >= 2)
            .map(|c| fault(c, made(c), errno))
            .ok_or_else(|| {
                format!("{used} makes each content syscall once: no call after progress to fail")
            }),
        FaultPlan::FirstOf(calls, errno) => calls
            .iter()
            .find(|c| made(**c) > 0)
            .map(|c| fault(*c, 1, errno))
            .ok_or_else(|| {
                let names: Vec<&str> = calls.iter().map(|c| c.name()).collect();
                format!("{used} makes none of {}", names.join(", "))
            }),
    }
}
