//! [`Mismatches`]: every disagreement between a generated target and its oracle, collected so
//! that one failing run shows them all instead of the first.

use std::path::Path;

/// How many disagreements a failure message lists before it says "…".
const SHOWN: usize = 60;

/// Collects every disagreement, so one run shows them all.
#[derive(Debug, Default)]
pub struct Mismatches {
    target: String,
    oracle: String,
    lines: Vec<String>,
}

impl Mismatches {
    /// Disagreements of `target` (as the failure message names it) with `roles.json`.
    pub fn new(target: &str) -> Self {
        Self { target: target.to_string(), oracle: "roles.json".to_string(), lines: Vec::new() }
    }

    /// What the target is compared with, for the failure message.
    #[must_use]
    pub fn against(mut self, oracle: &str) -> Self {
        self.oracle = oracle.to_string();
        self
    }

    /// Records `what` unless `found` equals `expected`.
    pub fn check<T: PartialEq + std::fmt::Debug>(&mut self, what: &str, found: T, expected: T) {
        if found != expected {
            self.lines.push(format!("{what}:\n      found:    {found:?}\n      expected: {expected:?}"));
        }
    }

    /// Records a disagreement described in full by `message`.
    pub fn fail(&mut self, message: String) {
        self.lines.push(message);
    }

    /// How many disagreements it holds.
    pub fn len(&self) -> usize {
        self.lines.len()
    }

    /// Whether it holds none.
    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }

    /// Panics, listing every disagreement, unless there is none.
    pub fn finish(self, roles_toml: &Path) {
        if self.lines.is_empty() {
            return;
        }
        let shown: Vec<&str> = self.lines.iter().take(SHOWN).map(String::as_str).collect();
        panic!(
            "{}: the generated {} disagrees with {} in {} place(s):\n  - {}{}",
            roles_toml.display(),
            self.target,
            self.oracle,
            self.lines.len(),
            shown.join("\n  - "),
            if self.lines.len() > shown.len() { "\n  - …" } else { "" }
        );
    }
}
