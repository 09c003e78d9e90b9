//! Stable seeds from names, so the shuffled order of rounds repeats between runs of one scenario.

/// A seed for `name` (a scenario, or `scenario/entry`): xxh3, the harness's one hash.
pub(super) fn seed(name: &str) -> u64 {
    xxhash_rust::xxh3::xxh3_64(name.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_always_gives_the_same_seed_and_names_differ() {
        assert_eq!(seed("default/sendfile"), seed("default/sendfile"));
        assert_ne!(seed("default/sendfile"), seed("default/splice"));
    }
}
