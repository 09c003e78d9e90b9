//! How long a scenario samples: the precision it aims at and the time it may take, as written in
//! a scenario file (`target_ci = "3%"`, `max_time = "2m"`) or on the command line.

use std::time::Duration;

/// The half-width of every speedup interval aimed at when none is given: ±3 %.
pub const DEFAULT_TARGET_CI: f64 = 0.03;
/// The time budget of a scenario's rounds when none is given.
pub const DEFAULT_MAX_TIME: Duration = Duration::from_secs(120);

/// A percentage written with its sign (`3%`, `0.5 %`), as a fraction (0.03); above 0 and
/// below 100 %. The sign is required so `3` is never read as 300 % or 3 %.
pub fn parse_percent(text: &str) -> Result<f64, String> {
    let number = text
        .trim()
        .strip_suffix('%')
        .ok_or_else(|| format!("`{text}`: write a percentage with its sign, e.g. \"3%\""))?
        .trim();
    let percent: f64 = number
        .parse()
        .map_err(|_| format!("`{text}`: `{number}` is not a number"))?;
    if !(percent > 0.0 && percent < 100.0) {
        return Err(format!(
            "`{text}`: the percentage must be above 0 and below 100"
        ));
    }
    Ok(percent / 100.0)
}

/// A duration such as `90s`, `2m` or `1m 30s` (humantime's format), above zero.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let duration = humantime::parse_duration(text.trim())
        .map_err(|e| format!("`{text}`: {e} (write e.g. \"90s\" or \"2m\")"))?;
    if duration.is_zero() {
        return Err(format!("`{text}`: the time budget must be above zero"));
    }
    Ok(duration)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentages_need_their_sign() {
        assert_eq!(parse_percent("3%"), Ok(0.03));
        assert_eq!(parse_percent(" 0.5 % "), Ok(0.005));
        assert!(parse_percent("3").unwrap_err().contains("with its sign"));
        assert!(parse_percent("0%").is_err());
        assert!(parse_percent("x%").unwrap_err().contains("not a number"));
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("90s"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_duration("2m"), Ok(Duration::from_secs(120)));
        assert_eq!(parse_duration("1m 30s"), Ok(Duration::from_secs(90)));
        assert!(parse_duration("0s").is_err());
        assert!(parse_duration("soon").is_err());
    }
}
