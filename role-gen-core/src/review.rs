//! Accepting a reviewed break: `diff --allow CODE[:NAME]` and `[review] allow = […]` in
//! roles.toml name the `diff` findings a reviewer accepted, so that a pull request check can go
//! green after review. This module holds the one parser both share (unknown codes get a
//! did-you-mean); `role-gen diff` does the matching.

use std::fmt;

use crate::check::is_versioned_package;
use crate::codes::{Change, Class};
use crate::names::is_valid_name;
use crate::suggest::did_you_mean;

/// One accepted kind of finding: a `diff` code, for every finding of it or only for those about
/// one name.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Allowance {
    pub change: Change,
    /// The name (or, for a dropped reserved id, the id; for `proto-package-changed`, a package)
    /// the finding must be about; `None`: every finding of the code.
    pub subject: Option<String>,
}

/// Why a written allowance is not one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AllowanceError {
    /// Whether the code is at fault (else the name after `:`).
    pub in_code: bool,
    pub message: String,
    pub help: String,
}

impl fmt::Display for Allowance {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.subject {
            Some(subject) => write!(f, "{}:{subject}", self.change),
            None => f.write_str(self.change.as_str()),
        }
    }
}

impl Allowance {
    /// Parses `CODE` or `CODE:NAME`. The code must be one `diff` can fail on (wire, source or
    /// access: a note never fails, so allowing one is a mistake worth saying).
    pub fn parse(text: &str) -> Result<Allowance, AllowanceError> {
        let (code, subject) = match text.split_once(':') {
            Some((code, subject)) => (code.trim(), Some(subject.trim())),
            None => (text.trim(), None),
        };
        let change = parse_change(code)?;
        let subject = subject.map(parse_subject).transpose()?;
        Ok(Allowance { change, subject })
    }

    /// Whether it accepts a finding of `change` about `subjects`.
    pub fn accepts(&self, change: Change, subjects: &[String]) -> bool {
        self.change == change && self.subject.as_ref().is_none_or(|s| subjects.contains(s))
    }
}

fn parse_change(code: &str) -> Result<Change, AllowanceError> {
    let failing = || Change::ALL.iter().filter(|c| c.class() != Class::Note).map(|c| c.as_str());
    match Change::ALL.iter().find(|c| c.as_str() == code) {
        Some(c) if c.class() == Class::Note => Err(AllowanceError {
            in_code: true,
            message: format!("`{code}` is a note: it never fails `diff`, so there is nothing to allow"),
            help: "allow the codes a diff fails on: wire, source or access changes".into(),
        }),
        Some(c) => Ok(*c),
        None => Err(AllowanceError {
            in_code: true,
            message: format!("unknown diff code `{code}`"),
            help: did_you_mean(code, failing()).unwrap_or_else(|| {
                "write a code `role-gen diff` reports, like `permission-removed` or `permission-removed:old_name`"
                    .into()
            }),
        }),
    }
}

fn parse_subject(subject: &str) -> Result<String, AllowanceError> {
    let is_id = !subject.is_empty() && subject.len() <= 5 && subject.bytes().all(|b| b.is_ascii_digit());
    if is_valid_name(subject) || is_id || is_versioned_package(subject) {
        return Ok(subject.to_string());
    }
    Err(AllowanceError {
        in_code: false,
        message: format!("`{subject}` is not a name an allowance can be about"),
        help: "after `:` write the snake_case name the finding is about (`permission-removed:old_name`), \
               an id for a dropped reservation, or a package for `proto-package-changed`"
            .into(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_with_and_without_a_name() {
        let a = Allowance::parse("permission-removed:old_perm").expect("valid");
        assert_eq!((a.change, a.subject.as_deref()), (Change::PermissionRemoved, Some("old_perm")));
        assert!(a.accepts(Change::PermissionRemoved, &["old_perm".into()]));
        assert!(!a.accepts(Change::PermissionRemoved, &["other".into()]));
        assert!(!a.accepts(Change::RoleRemoved, &["old_perm".into()]));
        let all = Allowance::parse("role-id-changed").expect("valid");
        assert!(all.accepts(Change::RoleIdChanged, &["anything".into()]));
        assert_eq!(all.to_string(), "role-id-changed");
        assert_eq!(a.to_string(), "permission-removed:old_perm");
        assert!(Allowance::parse("permission-id-unreserved:7").is_ok());
        assert!(Allowance::parse("proto-package-changed:acme.roles.v2").is_ok());
    }

    #[test]
    fn unknown_codes_get_a_did_you_mean_and_notes_are_refused() {
        let e = Allowance::parse("permision-removed").expect_err("unknown");
        assert!(e.in_code);
        assert_eq!(e.help, "did you mean `permission-removed`?");
        let e = Allowance::parse("permission-added").expect_err("a note");
        assert!(e.message.contains("is a note"));
        let e = Allowance::parse("permission-removed:Old Perm").expect_err("bad name");
        assert!(!e.in_code);
    }
}
