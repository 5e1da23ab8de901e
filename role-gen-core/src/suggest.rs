//! Did-you-mean: the closest known name to a misspelt one; and why a name does not resolve,
//! worded once for `validate`, the editing commands and the questions (`who-can`, `explain`).

use crate::names::{NameKind, is_valid_name};

/// The longest text a suggestion is looked for: twice the longest valid name. A longer one is
/// not a misspelling of anything role-gen knows, and comparing it would cost its length times
/// every candidate's.
const LONGEST: usize = 128;

/// The candidate closest to `name`, if one is close enough to be what was meant: within a third
/// of its length in edits, or containing it (or contained in it), ties to the lower.
pub fn closest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    if name.len() > LONGEST {
        return None;
    }
    let name: Vec<char> = name.chars().collect();
    let text: String = name.iter().collect();
    let limit = (name.len() / 3).max(1);
    let mut best: Option<(usize, &str)> = None;
    for c in candidates.into_iter().filter(|c| c.len() <= LONGEST) {
        // Anything at least as far as the best so far cannot replace it (ties go to the lower).
        let bound = best.map_or(usize::MAX, |(d, _)| d);
        let contains = (c.contains(&text) && name.len() >= 3) || (text.contains(c) && c.len() >= 3);
        let distance =
            if contains { Some(edits(&name, c, bound.min(LONGEST))) } else { within(&name, c, limit, bound) };
        if let Some(d) = distance.filter(|&d| d <= bound)
            && best.is_none_or(|(bd, bc)| (d, c) < (bd, bc))
        {
            best = Some((d, c));
        }
    }
    best.map(|(_, c)| c)
}

/// The edit distance from `name` to `c` when it is at most `limit` and below `bound`.
fn within(name: &[char], c: &str, limit: usize, bound: usize) -> Option<usize> {
    let cap = limit.min(bound);
    let len = c.chars().count();
    if len.abs_diff(name.len()) > cap {
        return None;
    }
    let d = edits(name, c, cap);
    (d <= cap).then_some(d)
}

/// The optimal-string-alignment distance (edits, adjacent swaps counting one), computed only
/// as far as `cap`: past it the answer is `cap + 1`, whatever the rest of the strings.
fn edits(a: &[char], b: &str, cap: usize) -> usize {
    let b: Vec<char> = b.chars().collect();
    let (n, m) = (a.len(), b.len());
    if n.abs_diff(m) > cap {
        return cap + 1;
    }
    let mut rows = [(0..=m).collect::<Vec<usize>>(), vec![0; m + 1], vec![0; m + 1]];
    // A swap reaches back two rows, so only two rows past the cap in a row end the search.
    let mut over = false;
    for i in 1..=n {
        let (prev2, prev, cur) = (i.wrapping_sub(2) % 3, (i - 1) % 3, i % 3);
        rows[cur][0] = i;
        let mut smallest = i;
        for j in 1..=m {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut d = (rows[prev][j] + 1).min(rows[cur][j - 1] + 1).min(rows[prev][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d = d.min(rows[prev2][j - 2] + 1);
            }
            rows[cur][j] = d;
            smallest = smallest.min(d);
        }
        if smallest > cap && std::mem::replace(&mut over, true) {
            return cap + 1;
        }
        over = smallest > cap;
    }
    rows[n % 3][m].min(cap + 1)
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
        // An invalid name (`Manage_SSO`, itself an error) is never offered.
        help: did_you_mean(name, known.into_iter().filter(|k| is_valid_name(k))),
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
        let none: &[&str] = &[];
        let help = |known: &[&'static str]| unknown_name(NameKind::Permission, "manage_sso", known.to_vec(), none).help;
        assert_eq!(help(&["Manage_SSO", "manage_ssh"]).as_deref(), Some("did you mean `manage_ssh`?"));
        assert_eq!(help(&["Manage_SSO"]), None);
        // Codes and keys are not names: they are offered as they are.
        assert_eq!(closest("permision-renamed", ["permission-renamed", "role-renamed"]), Some("permission-renamed"));
    }

    /// The distance as the textbook writes it (optimal string alignment), all of it.
    fn reference(a: &str, b: &str) -> usize {
        let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
        let mut d = vec![vec![0; b.len() + 1]; a.len() + 1];
        (0..=a.len()).for_each(|i| d[i][0] = i);
        (0..=b.len()).for_each(|j| d[0][j] = j);
        for i in 1..=a.len() {
            for j in 1..=b.len() {
                let cost = usize::from(a[i - 1] != b[j - 1]);
                d[i][j] = (d[i - 1][j] + 1).min(d[i][j - 1] + 1).min(d[i - 1][j - 1] + cost);
                if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                    d[i][j] = d[i][j].min(d[i - 2][j - 2] + 1);
                }
            }
        }
        d[a.len()][b.len()]
    }

    #[test]
    fn the_capped_distance_is_exact_up_to_its_cap() {
        let words =
            ["", "a", "ab", "ba", "abc", "acb", "archive_channel", "archiv_chanel", "rename_channel", "é_x", "x_é"];
        for a in words {
            let chars: Vec<char> = a.chars().collect();
            for b in words {
                let exact = reference(a, b);
                for cap in 0..6 {
                    assert_eq!(edits(&chars, b, cap), exact.min(cap + 1), "{a:?} {b:?} cap {cap}");
                }
            }
        }
    }

    #[test]
    fn names_longer_than_any_name_are_not_compared() {
        let long = "x".repeat(20_000);
        let known: Vec<String> = (0..2_000).map(|i| format!("permission_number_{i}")).collect();
        assert_eq!(closest(&long, known.iter().map(String::as_str)), None);
        // Past the longest name nothing is compared; within it, the closest still wins.
        let typo = format!("{}_permission_number_7", "y".repeat(100));
        assert_eq!(closest(&typo, known.iter().map(String::as_str)), Some("permission_number_7"));
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
