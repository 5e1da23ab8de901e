//! Comparing two versions of a roles.toml, the way `buf breaking` compares protobuf files.
//!
//! A reviewer of a pull request that edits roles.toml needs two answers: does this break
//! anything that already exists (stored ids, names sent as strings, protobuf numbers, code built
//! from the generated outputs), and who gains or loses which permission. [`compare`] answers
//! both from two validated [`Model`]s; it reads no files and prints nothing, so the CLI, a test
//! or another tool can render the [`Report`] as it likes.
//!
//! Items are matched by name: a permission, role, policy or entity type keeps its name across
//! versions, and its id (an entity type's protobuf number: its `id`, else its place in the file)
//! is checked against the old one; an old item whose name is gone while a new name holds its id
//! was renamed, and the rest of the comparison maps it through the rename. Legacy levels have no
//! ids: their protobuf numbers are their 1-based position, so their positions are compared.
//!
//! The codes ([`Change`]) and their classes are in the one registry of `role_gen_core::codes`.
//! This file holds the report and the order [`compare`] runs the comparisons in; `identity`
//! compares ids and names, `protobuf` the package and the legacy levels (numbered by position),
//! `properties` what else a permission, role, entity type or policy says, and `access` who holds
//! what.

mod access;
mod identity;
mod properties;
mod protobuf;
#[cfg(test)]
mod tests;

use std::path::PathBuf;

pub use role_gen_core::codes::{Change, Class};
pub use role_gen_core::review::Allowance;

use crate::diagnostic::{Diagnostics, Severity};
use crate::model::Model;
use crate::source::{SourceFile, Span};

/// One change between the two versions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// The stable code; its [`Change::class`] says how much it matters.
    pub change: Change,
    /// Lowercase, user input in backticks.
    pub message: String,
    /// Why it matters or how to avoid it.
    pub help: Option<String>,
    /// Where it shows in the NEW file (`None`: the item is gone from it).
    pub span: Option<Span>,
    /// The names (or, for a dropped reserved id, the id) it is about, old and new: what
    /// `diff --allow CODE:NAME` matches.
    pub subjects: Vec<String>,
    /// Whether a reviewer accepted it ([`Report::allow`]): still shown, never failing.
    pub allowed: bool,
}

impl Finding {
    fn new(change: Change, message: String, span: Option<Span>) -> Self {
        Finding { change, message, help: None, span, subjects: Vec::new(), allowed: false }
    }

    fn help(mut self, help: String) -> Self {
        self.help = Some(help);
        self
    }

    fn about<S: ToString>(mut self, subjects: impl IntoIterator<Item = S>) -> Self {
        self.subjects = subjects.into_iter().map(|s| s.to_string()).collect();
        self
    }
}

/// A permission a role gained or lost, in its effective permissions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant {
    pub role: String,
    pub permission: String,
    /// The include chain from `role` to the role that grants it directly, both ends included,
    /// in the version that holds it (the new one for a grant, the old one for a revocation).
    pub via: Vec<String>,
    /// The role's place in the NEW file (`None`: the role is gone).
    pub span: Option<Span>,
    /// Whether a reviewer accepted the role's access change (`access-changed:ROLE`).
    pub allowed: bool,
}

/// Who gains and loses what.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Access {
    /// Effective permissions roles hold now and did not before (every permission of a new role).
    pub granted: Vec<Grant>,
    /// Effective permissions roles held and no longer do (every permission of a removed role).
    pub revoked: Vec<Grant>,
    /// Changes that move access without a per-role grant: policy rules, entity parents, where a
    /// permission is checked or a role assigned.
    pub other: Vec<Finding>,
}

impl Access {
    /// Whether anyone's access changed.
    pub fn is_empty(&self) -> bool {
        self.granted.is_empty() && self.revoked.is_empty() && self.other.is_empty()
    }
}

/// Everything that changed, grouped by what a reviewer does with it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    /// Wire-breaking changes first, then source-breaking ones.
    pub breaking: Vec<Finding>,
    pub access: Access,
    /// Additions and deprecations.
    pub notes: Vec<Finding>,
}

impl Report {
    /// Whether anything breaks that no reviewer accepted (`diff` exits 1).
    pub fn is_breaking(&self) -> bool {
        self.failing_breaking().next().is_some()
    }

    /// The breaking changes no reviewer accepted.
    pub fn failing_breaking(&self) -> impl Iterator<Item = &Finding> {
        self.breaking.iter().filter(|f| !f.allowed)
    }

    /// Marks every breaking change and access change that one of `allowances` accepts as
    /// allowed (a role's grants and revocations are `access-changed:ROLE`); returns the
    /// allowances that accepted nothing (a typo in a name, or a break that is no longer there).
    pub fn allow<'a>(&mut self, allowances: &'a [Allowance]) -> Vec<&'a Allowance> {
        let mut used = vec![false; allowances.len()];
        let mut accept = |change: Change, subjects: &[String]| {
            let mut any = false;
            for (i, _) in allowances.iter().enumerate().filter(|(_, a)| a.accepts(change, subjects)) {
                used[i] = true;
                any = true;
            }
            any
        };
        for f in self.breaking.iter_mut().chain(self.access.other.iter_mut()) {
            f.allowed |= accept(f.change, &f.subjects);
        }
        for g in self.access.granted.iter_mut().chain(self.access.revoked.iter_mut()) {
            g.allowed |= accept(Change::AccessChanged, std::slice::from_ref(&g.role));
        }
        allowances.iter().zip(used).filter(|(_, u)| !u).map(|(a, _)| a).collect()
    }

    /// Whether some access change is not accepted by a reviewer (what `--fail-on access` fails on).
    pub fn access_fails(&self) -> bool {
        let a = &self.access;
        a.granted.iter().chain(&a.revoked).any(|g| !g.allowed) || a.other.iter().any(|f| !f.allowed)
    }

    /// How many breaking and access changes a reviewer accepted (a role's access counting once).
    pub fn allowed_count(&self) -> usize {
        let a = &self.access;
        let mut roles: Vec<&str> =
            a.granted.iter().chain(&a.revoked).filter(|g| g.allowed).map(|g| g.role.as_str()).collect();
        roles.sort_unstable();
        roles.dedup();
        self.breaking.iter().chain(&a.other).filter(|f| f.allowed).count() + roles.len()
    }

    /// Whether nothing at all changed.
    pub fn is_empty(&self) -> bool {
        self.breaking.is_empty() && self.access.is_empty() && self.notes.is_empty()
    }
}

/// A roles.toml validated for comparison, with its text (to turn spans into lines).
#[derive(Debug, Clone)]
pub struct Definition {
    pub model: Model,
    pub source: SourceFile,
}

/// Validates roles.toml contents for comparison: every rule of SPEC section 1 except reading
/// custom templates. An old version read from git has its templates at that revision, not on
/// disk, and templates never change what a diff compares, so requiring them would only refuse
/// good diffs. Warnings are dropped: they describe one version, not the change.
pub fn load(path: impl Into<PathBuf>, bytes: &[u8]) -> Result<Definition, Diagnostics> {
    match crate::validate(crate::decode(SourceFile::new(path, ""), bytes)?) {
        Ok(validated) => {
            let source = validated.source().clone();
            Ok(Definition { model: validated.into_parts().0, source })
        }
        Err(mut diagnostics) => {
            diagnostics.retain(|d| d.severity() == Severity::Error);
            Err(diagnostics)
        }
    }
}

/// A model with `model`'s project and nothing in it (see [`Model::empty_like`]).
pub fn empty_like(model: &Model) -> Model {
    model.empty_like()
}

/// Everything that changed from `old` to `new`.
pub fn compare(old: &Model, new: &Model) -> Report {
    let mut found = Vec::new();
    protobuf::package(old, new, &mut found);
    let renames = identity::compare(old, new, &mut found);
    protobuf::positions(old, new, &mut found);
    properties::compare(old, new, &renames, &mut found);
    let (mut breaking, rest): (Vec<_>, Vec<_>) = found.into_iter().partition(|f| f.change.class().is_breaking());
    breaking.sort_by_key(|f| f.change.class());
    let (other, notes) = rest.into_iter().partition(|f| f.change.class() == Class::Access);
    let (granted, revoked) = access::effective(old, new, &renames);
    Report { breaking, access: Access { granted, revoked, other }, notes }
}

/// `` `a`, `b` `` for messages.
fn quoted<S: AsRef<str>>(names: impl IntoIterator<Item = S>) -> String {
    names.into_iter().map(|n| format!("`{}`", n.as_ref())).collect::<Vec<_>>().join(", ")
}
