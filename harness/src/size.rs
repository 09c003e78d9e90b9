//! Byte sizes as scenario files write them: `512MiB`, `16KiB`, `4096` (bytes).
//!
//! Only binary units without a space are accepted: `512 MB` is ambiguous (10^6 or 2^20?) and
//! is refused with a hint rather than guessed.

use serde::de::{self, Deserializer, Visitor};
use serde::Deserialize;

/// A size in bytes, parsed from `512MiB` or a plain integer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct ByteSize(pub u64);

const UNITS: &[(&str, u64)] = &[
    ("B", 1),
    ("KiB", 1 << 10),
    ("MiB", 1 << 20),
    ("GiB", 1 << 30),
    ("TiB", 1 << 40),
];

/// What to write instead, said by every refusal.
const HINT: &str =
    "write a whole number of bytes or a binary unit without a space, e.g. 512MiB, 16KiB, 4096";

/// Why a text is not a size.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ByteSizeError {
    #[error("`{text}` is not a size: {hint}", hint = HINT)]
    NotASize { text: String },
    /// `suggestion` is `did you mean …? ` or empty.
    #[error("`{text}` is not a size (no space before the unit): {suggestion}{hint}", hint = HINT)]
    SpaceBeforeUnit { text: String, suggestion: String },
    /// `suggestion` is `: did you mean …?` or empty.
    #[error("`{text}` is not a size: `{unit}` is ambiguous (decimal or binary?){suggestion}; {hint}", hint = HINT)]
    Ambiguous {
        text: String,
        unit: String,
        suggestion: String,
    },
    #[error("`{text}` is not a size: `{unit}` is not a unit; {hint}", hint = HINT)]
    UnknownUnit { text: String, unit: String },
    #[error("`{text}` is too large to be a size")]
    TooLarge { text: String },
}

impl ByteSize {
    /// Parses `N` or `N<unit>` with a binary unit (`B`, `KiB`, `MiB`, `GiB`, `TiB`), no space.
    pub fn parse(text: &str) -> Result<ByteSize, ByteSizeError> {
        let owned = || text.to_owned();
        let trimmed = text.trim();
        let digits_end = trimmed
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(trimmed.len());
        let (number, unit) = trimmed.split_at(digits_end);
        if number.is_empty() {
            return Err(ByteSizeError::NotASize { text: owned() });
        }
        if unit.starts_with(char::is_whitespace) {
            let suggestion = binary_unit_like(unit.trim())
                .map(|u| format!("did you mean `{number}{u}`? "))
                .unwrap_or_default();
            return Err(ByteSizeError::SpaceBeforeUnit {
                text: owned(),
                suggestion,
            });
        }
        let multiplier = match UNITS.iter().find(|(name, _)| *name == unit) {
            Some((_, m)) => *m,
            None if unit.is_empty() => 1,
            None => {
                let decimal = matches!(
                    unit.to_ascii_uppercase().as_str(),
                    "KB" | "MB" | "GB" | "TB" | "K" | "M" | "G"
                );
                return Err(if decimal {
                    ByteSizeError::Ambiguous {
                        text: owned(),
                        unit: unit.to_owned(),
                        suggestion: binary_unit_like(unit)
                            .map(|u| format!(": did you mean `{number}{u}`?"))
                            .unwrap_or_default(),
                    }
                } else {
                    ByteSizeError::UnknownUnit {
                        text: owned(),
                        unit: unit.to_owned(),
                    }
                });
            }
        };
        let too_large = || ByteSizeError::TooLarge { text: owned() };
        let n: u64 = number.parse().map_err(|_| too_large())?;
        n.checked_mul(multiplier)
            .map(ByteSize)
            .ok_or_else(too_large)
    }
}

/// The binary unit a person probably meant by `kb`, `MB`, `G`, `mib`, ….
fn binary_unit_like(unit: &str) -> Option<&'static str> {
    match unit.to_ascii_lowercase().as_str() {
        "b" => Some("B"),
        "k" | "kb" | "kib" => Some("KiB"),
        "m" | "mb" | "mib" => Some("MiB"),
        "g" | "gb" | "gib" => Some("GiB"),
        "t" | "tb" | "tib" => Some("TiB"),
        _ => None,
    }
}

impl ByteSize {
    /// For messages: rounded to a tenth in the largest binary unit it reaches, with the exact
    /// byte count beside it (`1.5 GiB (1610612736 bytes)`).
    pub fn human(self) -> String {
        let (name, m) = UNITS
            .iter()
            .rev()
            .find(|(_, m)| self.0 >= *m)
            .copied()
            .unwrap_or(("B", 1));
        if m == 1 {
            format!("{} bytes", self.0)
        } else {
            format!("{:.1} {name} ({} bytes)", self.0 as f64 / m as f64, self.0)
        }
    }
}

impl std::fmt::Display for ByteSize {
    /// The largest binary unit that divides the size exactly, so it parses back unchanged.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (name, m) = UNITS
            .iter()
            .rev()
            .find(|(_, m)| self.0 != 0 && self.0 % m == 0)
            .copied()
            .unwrap_or(("B", 1));
        if name == "B" {
            write!(f, "{}", self.0)
        } else {
            write!(f, "{}{name}", self.0 / m)
        }
    }
}

impl<'de> Deserialize<'de> for ByteSize {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct SizeVisitor;
        impl Visitor<'_> for SizeVisitor {
            type Value = ByteSize;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a size such as \"512MiB\" or a number of bytes")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<ByteSize, E> {
                ByteSize::parse(v).map_err(E::custom)
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<ByteSize, E> {
                u64::try_from(v)
                    .map(ByteSize)
                    .map_err(|_| E::custom(format!("{v} is not a size: sizes are not negative")))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<ByteSize, E> {
                Ok(ByteSize(v))
            }
        }
        deserializer.deserialize_any(SizeVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn binary_units_parse() {
        assert_eq!(ByteSize::parse("512MiB"), Ok(ByteSize(512 << 20)));
        assert_eq!(ByteSize::parse("16KiB"), Ok(ByteSize(16 << 10)));
        assert_eq!(ByteSize::parse("4096"), Ok(ByteSize(4096)));
        assert_eq!(ByteSize::parse("1GiB"), Ok(ByteSize(1 << 30)));
    }

    #[test]
    fn decimal_and_spaced_units_are_refused_with_a_hint() {
        let spaced = ByteSize::parse("512 MB").unwrap_err().to_string();
        assert!(spaced.contains("did you mean `512MiB`"), "{spaced}");
        let decimal = ByteSize::parse("512MB").unwrap_err().to_string();
        assert!(decimal.contains("ambiguous"), "{decimal}");
        assert!(decimal.contains("`512MiB`"), "{decimal}");
        assert!(ByteSize::parse("MiB").is_err());
        assert!(ByteSize::parse("99999999999999TiB").is_err());
    }

    #[test]
    fn display_round_trips() {
        for n in [0u64, 1, 1000, 1024, 3 << 20, 512 << 20, (1 << 30) + 1] {
            let shown = ByteSize(n).to_string();
            assert_eq!(ByteSize::parse(&shown), Ok(ByteSize(n)), "{shown}");
        }
    }
}
