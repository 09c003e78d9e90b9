//! A claimed figure as a scenario file writes it: `speedup = 1.26` or `change = "-38%"`.
//!
//! A published figure is rounded, so it stands for every value that rounds to it: `-38%` holds
//! -38.5 % to -37.5 %, `1.26` holds 1.255 to 1.265. The last digit written sets that band, and
//! the verdict judges against the band rather than a single point (which exact counts would
//! almost never hit).

use copybench_result::{ClaimedFigure, FigureKind};

/// A claim, in its own terms, with the precision it was stated at.
#[derive(Clone, Debug, PartialEq)]
pub struct Claim {
    pub kind: FigureKind,
    /// A speedup (1.26) or a fractional change (-0.38).
    pub value: f64,
    /// Half a unit of the last digit written, in the same terms (0.005 for `1.26`).
    pub half_unit: f64,
    /// As written.
    pub text: String,
}

impl Claim {
    /// `1.26` (a speedup above 0, not 1).
    pub fn speedup(text: &str) -> Result<Claim, String> {
        let text = text.trim();
        let (value, decimals) = decimal(text).ok_or_else(|| {
            format!("`{text}` is not a speedup: write a number such as 1.26 (baseline ÷ subject)")
        })?;
        if value <= 0.0 {
            return Err(format!(
                "a speedup of {text} is not possible: it is baseline ÷ subject, above 0"
            ));
        }
        Claim::checked(FigureKind::Speedup, value, half_unit(decimals), text)
    }

    /// `-38%`, `+9%`, `9.5%` (a change above -100 %, not 0).
    pub fn change(text: &str) -> Result<Claim, String> {
        let trimmed = text.trim();
        let hint = || {
            format!("`{trimmed}` is not a change: write a percentage such as \"-38%\" or \"+9%\" (subject ÷ baseline − 1)")
        };
        let number = trimmed.strip_suffix('%').ok_or_else(hint)?.trim_end();
        let (percent, decimals) = decimal(number).ok_or_else(hint)?;
        if percent <= -100.0 {
            return Err(format!(
                "a change of {trimmed} is not possible: nothing takes less than nothing"
            ));
        }
        Claim::checked(
            FigureKind::Change,
            percent / 100.0,
            half_unit(decimals) / 100.0,
            trimmed,
        )
    }

    /// The value that means "no change" in these terms.
    pub fn no_change(&self) -> f64 {
        no_change(self.kind)
    }

    fn checked(kind: FigureKind, value: f64, half_unit: f64, text: &str) -> Result<Claim, String> {
        if (value - no_change(kind)).abs() <= half_unit {
            return Err(format!(
                "`{text}` claims no change, which has no direction to check: state the effect claimed"
            ));
        }
        Ok(Claim {
            kind,
            value,
            half_unit,
            text: text.to_owned(),
        })
    }

    /// The result's record of it.
    pub fn figure(&self) -> ClaimedFigure {
        ClaimedFigure {
            kind: self.kind,
            value: self.value,
            text: self.text.clone(),
        }
    }
}

/// "No change" as a speedup (1) or as a change (0).
pub fn no_change(kind: FigureKind) -> f64 {
    match kind {
        FigureKind::Speedup => 1.0,
        FigureKind::Change => 0.0,
    }
}

/// A plain decimal (`1.26`, `-38`, `+9.5`) and its count of digits after the point.
fn decimal(text: &str) -> Option<(f64, u32)> {
    let unsigned = text.strip_prefix(['+', '-']).unwrap_or(text);
    let (whole, fraction) = unsigned.split_once('.').unwrap_or((unsigned, ""));
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() || !digits(whole) || !digits(fraction) || unsigned.ends_with('.') {
        return None;
    }
    let value: f64 = text.parse().ok()?;
    value.is_finite().then_some((value, fraction.len() as u32))
}

fn half_unit(decimals: u32) -> f64 {
    0.5 * 10f64.powi(-(decimals as i32))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn speedups_and_changes_parse_with_their_precision() {
        let s = Claim::speedup("1.26").unwrap();
        assert_eq!((s.kind, s.value), (FigureKind::Speedup, 1.26));
        assert!((s.half_unit - 0.005).abs() < 1e-12);
        let c = Claim::change("-38%").unwrap();
        assert_eq!((c.kind, c.value), (FigureKind::Change, -0.38));
        assert!((c.half_unit - 0.005).abs() < 1e-12);
        let c = Claim::change("+9.5%").unwrap();
        assert!((c.value - 0.095).abs() < 1e-12 && (c.half_unit - 0.0005).abs() < 1e-12);
        assert_eq!(Claim::change(" 9% ").unwrap().text, "9%");
    }

    #[test]
    fn malformed_and_impossible_figures_are_refused() {
        for bad in ["", "fast", "1.2.3", "1.", ".5", "1e3", "-0.5", "0"] {
            assert!(Claim::speedup(bad).is_err(), "{bad}");
        }
        for bad in ["-38", "38 percent", "%", "-100%", "-150%", "x%", "--3%"] {
            assert!(Claim::change(bad).is_err(), "{bad}");
        }
        // No change has no direction.
        assert!(Claim::speedup("1.00").is_err());
        assert!(Claim::speedup("1").is_err());
        assert!(Claim::change("0%").is_err());
        assert!(Claim::change("+0.3%").is_ok());
    }
}
