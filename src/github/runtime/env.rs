//! A snapshot of the environment variables, taken once and passed around.
//!
//! Only `config` and `github::runtime` may look at the environment, and they look at an [`Env`]
//! rather than the process: tests build one from pairs and never touch the real `GITHUB_*`.

use std::collections::BTreeMap;

/// Environment variables by name. An empty value counts as absent, as it does for the runner and
/// for `actions/toolkit` (`core.getInput` treats `""` as "not given").
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Env {
    vars: BTreeMap<String, String>,
}

impl Env {
    /// The current process environment. Names or values that are not UTF-8 are converted
    /// lossily: no variable we read is legitimately non-UTF-8, and a lossy value still fails
    /// validation later with a readable message instead of vanishing.
    pub fn from_process() -> Self {
        Self::from_pairs(std::env::vars_os().map(|(k, v)| {
            (
                k.to_string_lossy().into_owned(),
                v.to_string_lossy().into_owned(),
            )
        }))
    }

    /// An environment made of exactly these pairs (later pairs win), for tests and embedding.
    pub fn from_pairs<I, K, V>(pairs: I) -> Self
    where
        I: IntoIterator<Item = (K, V)>,
        K: Into<String>,
        V: Into<String>,
    {
        Env {
            vars: pairs
                .into_iter()
                .map(|(k, v)| (k.into(), v.into()))
                .collect(),
        }
    }

    /// The value of `name`, or `None` when it is unset or empty.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.vars
            .get(name)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    }

    /// Whether `name` is set to a non-empty value.
    pub fn is_set(&self, name: &str) -> bool {
        self.get(name).is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_values_are_absent() {
        let env = Env::from_pairs([("A", "1"), ("B", "")]);
        assert_eq!(env.get("A"), Some("1"));
        assert_eq!(env.get("B"), None);
        assert!(!env.is_set("B"));
        assert_eq!(env.get("C"), None);
    }

    #[test]
    fn later_pairs_win() {
        let env = Env::from_pairs([("A", "1"), ("A", "2")]);
        assert_eq!(env.get("A"), Some("2"));
    }

    #[test]
    fn process_snapshot_is_consistent_with_vars_os() {
        // Reads the real environment without modifying it: every UTF-8 pair must be found.
        let env = Env::from_process();
        for (k, v) in std::env::vars() {
            if !v.is_empty() {
                assert_eq!(env.get(&k), Some(v.as_str()), "{k}");
            }
        }
    }
}
