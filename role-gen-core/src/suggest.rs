//! Did-you-mean: the closest known name to a misspelt one; and why a name does not resolve,
//! worded once for `validate`, the editing commands and the questions (`who-can`, `explain`).

use crate::names::{NameKind, is_valid_name};

/// The candidate closest to `name`, if one is close enough to be what was meant. A candidate
/// that is not a valid name (`Manage_SSO`, itself an error) is never offered.
pub fn closest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let limit = (name.chars().count() / 3).max(1);
    candidates
        .into_iter()
        .filter(|c| is_valid_name(c))
        .map(|c| (strsim::damerau_levenshtein(name, c), c))
        .filter(|&(distance, c)| {
            distance <= limit || (c.contains(name) && name.len() >= 3) || (name.contains(c) && c.len() >= 3)
        })
        .min_by_key(|&(distance, c)| (distance, c))
        .map(|(_, c)| c)
}

/// "did you mean `x`?", when a candidate is close.
pub fn did_you_mean<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<String> {
    closest(name, candidates).map(|c| format!("did you mean `{c}`?"))
}

/// Why a name does not resolve: the message, the label under it, and what to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unknown {
    pub message: String,
    pub label: String,
    /// Why, when there is more to say than the message (the name was removed and is reserved).
    pub reason: Option<String>,
    pub help: Option<String>,
}

/// Why `name`, said to be a `kind`, is none of `known`: a name `reserved` keeps is one that was
/// removed (no did-you-mean then: a close name is something else); any other gets the closest
/// valid known name, if one is close.
pub fn unknown_name<'a>(
    kind: NameKind,
    name: &str,
    known: impl IntoIterator<Item = &'a str>,
    reserved: &[impl AsRef<str>],
) -> Unknown {
    let noun = kind.noun();
    if reserved.iter().any(|r| r.as_ref() == name) {
        return Unknown {
            message: format!("{noun} `{name}` was removed; its name is reserved"),
            label: "removed, and its name is reserved".to_string(),
            reason: Some(reserved_reason(kind)),
            help: Some(format!("name another {noun}: a reserved name never comes back")),
        };
    }
    Unknown {
        message: format!("unknown {noun} `{name}`"),
        label: format!("no {noun} has this name"),
        reason: None,
        help: did_you_mean(name, known),
    }
}

/// Why a name in `[reserved]` is never used again: said by `add` when it refuses one, and by
/// every place that meets a reference to one.
pub fn reserved_reason(kind: NameKind) -> String {
    let noun = kind.noun();
    let key = kind.reserved_key().unwrap_or("names");
    format!(
        "it is listed in [reserved] {key}: a removed {noun} keeps its name forever, so old data and code naming it \
         never meet a new meaning"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invalid_names_are_never_offered() {
        assert_eq!(closest("manage_sso", ["Manage_SSO", "manage_ssh"]), Some("manage_ssh"));
        assert_eq!(closest("manage_sso", ["Manage_SSO"]), None);
    }

    #[test]
    fn a_reserved_name_is_said_to_be_removed_not_misspelt() {
        let none: &[&str] = &[];
        let removed = unknown_name(NameKind::Permission, "create_projects", ["create_project"], &["create_projects"]);
        assert_eq!(removed.message, "permission `create_projects` was removed; its name is reserved");
        assert!(
            removed.reason.as_deref().is_some_and(|r| r.starts_with("it is listed in [reserved] permission_names"))
        );
        assert!(!removed.help.as_deref().unwrap_or_default().contains("did you mean"));
        let typo = unknown_name(NameKind::Role, "admn", ["admin"], none);
        assert_eq!(
            (typo.message.as_str(), typo.help.as_deref()),
            ("unknown role `admn`", Some("did you mean `admin`?"))
        );
    }

    #[test]
    fn finds_typos_but_not_strangers() {
        let known = ["archive_channel", "rename_channel", "assign_roles"];
        assert_eq!(closest("archiv_channel", known), Some("archive_channel"));
        assert_eq!(closest("renmae_channel", known), Some("rename_channel"));
        assert_eq!(closest("zzz", known), None);
    }
}
