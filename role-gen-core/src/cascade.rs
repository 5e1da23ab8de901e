//! What follows from an error already reported is not reported again.
//!
//! `[permission.x]` for `[permissions.x]` is one mistake: the `unknown-key` on the section says
//! what to fix, and every grant of `x` would otherwise add an `unknown-permission` that goes away
//! with the same fix. So a reference to a name the file declares where it could not be read
//! ([`Hidden`]: a misspelt section or key, a value that is not a table), or to the valid
//! spelling an `invalid-name` error suggests (`manage_sso` for `Manage_SSO`), is folded into
//! the error that hid it: its own `unknown-…` error is dropped, and the cause gets a note
//! listing what depends on it. A reference is folded only when that cause was reported, so
//! nothing is ever silenced without an error in its place.

use std::collections::{HashMap, HashSet};

use crate::diagnostic::{Code, Diagnostic, Severity};
use crate::names::{NameKind, is_valid_name, suggest_valid};
use crate::source::{SourceFile, Span};
use crate::syntax::{File, Hidden};

const KINDS: [NameKind; 5] =
    [NameKind::Entity, NameKind::Permission, NameKind::Role, NameKind::LegacyLevel, NameKind::Policy];

/// Folds the `unknown-…` errors that an earlier error explains into it.
pub(crate) fn fold(source: &SourceFile, file: &File, found: &mut Vec<Diagnostic>) {
    let hidden = hidden(file);
    if hidden.is_empty() {
        return;
    }
    let folded = explained(file, &hidden, found);
    if folded.is_empty() {
        return;
    }
    let mut causes: Vec<(&Span, Vec<(&str, usize)>)> = Vec::new();
    for f in &folded {
        let line = source.line_col(f.at.start).0;
        match causes.iter_mut().find(|(c, _)| *c == &f.cause) {
            Some((_, uses)) => uses.push((f.name, line)),
            None => causes.push((&f.cause, vec![(f.name, line)])),
        }
    }
    for (cause, uses) in causes {
        let at_cause = |d: &&mut Diagnostic| d.severity() == Severity::Error && d.span.as_ref() == Some(cause);
        if let Some(d) = found.iter_mut().find(at_cause) {
            d.push_note(dependents(&uses));
        }
    }
    let dropped: HashSet<usize> = folded.iter().map(|f| f.index).collect();
    let mut i = 0;
    found.retain(|_| {
        i += 1;
        !dropped.contains(&(i - 1))
    });
}

/// An `unknown-…` error an earlier error explains.
struct Folded<'f> {
    /// Its place in what was found.
    index: usize,
    /// Where the error that explains it is reported.
    cause: Span,
    name: &'f str,
    at: Span,
}

/// The `unknown-…` errors in `found` on references to hidden names whose cause was reported.
fn explained<'f>(file: &'f File, hidden: &[Hidden], found: &[Diagnostic]) -> Vec<Folded<'f>> {
    let declared: HashSet<(NameKind, &str)> =
        KINDS.iter().flat_map(|&k| file.declared(k).into_iter().map(move |n| (k, n.get_ref().as_str()))).collect();
    let unknown: HashMap<(Code, Span), usize> =
        found.iter().enumerate().filter_map(|(i, d)| Some(((d.code, d.span.clone()?), i))).collect();
    let causes: HashSet<&Span> =
        found.iter().filter(|d| d.severity() == Severity::Error).filter_map(|d| d.span.as_ref()).collect();
    let hidden = hiding_index(hidden);
    let mut out = Vec::new();
    for r in file.references() {
        let name = r.name.get_ref().as_str();
        if declared.contains(&(r.kind, name)) {
            continue;
        }
        let Some(cause) = hiding(&hidden, r.kind, name).filter(|c| causes.contains(c)) else { continue };
        if let Some(&index) = unknown.get(&(r.kind.unknown_code(), r.name.span())) {
            out.push(Folded { index, cause, name, at: r.name.span() });
        }
    }
    out
}

/// What the file hides: the names the decoder could not read, and the valid spelling of each
/// invalid name (a reference using it is what the `invalid-name` help asks for).
fn hidden(file: &File) -> Vec<Hidden> {
    let mut out = file.hidden.clone();
    for kind in KINDS {
        for name in file.declared(kind).into_iter().filter(|n| !is_valid_name(n.get_ref())) {
            if let Some(valid) = suggest_valid(name.get_ref()) {
                out.push(Hidden { kind, name: Some(valid), cause: name.span() });
            }
        }
    }
    out
}

/// The cause hiding each name (`None`: every name of the kind), the first one found.
type Hiding<'h> = HashMap<(NameKind, Option<&'h str>), &'h Span>;

fn hiding_index(hidden: &[Hidden]) -> Hiding<'_> {
    let mut index = HashMap::with_capacity(hidden.len());
    for h in hidden {
        index.entry((h.kind, h.name.as_deref())).or_insert(&h.cause);
    }
    index
}

/// The cause hiding `name`: one naming it, else one hiding every name of its kind.
fn hiding(index: &Hiding<'_>, kind: NameKind, name: &str) -> Option<Span> {
    index.get(&(kind, Some(name))).or_else(|| index.get(&(kind, None))).map(|&cause| cause.clone())
}

/// `3 references depend on it and are not reported separately: `a` (line 4), `b` (lines 7 and 9)`.
fn dependents(uses: &[(&str, usize)]) -> String {
    let mut names: Vec<(&str, Vec<usize>)> = Vec::new();
    for &(name, line) in uses {
        match names.iter_mut().find(|(n, _)| *n == name) {
            Some((_, lines)) if !lines.contains(&line) => lines.push(line),
            Some(_) => {}
            None => names.push((name, vec![line])),
        }
    }
    let shown: Vec<String> = names.iter().take(5).map(|(n, lines)| format!("`{n}` ({})", lines_text(lines))).collect();
    let more = names.len().saturating_sub(5);
    let more =
        if more > 0 { format!(" and {more} more name{}", if more == 1 { "" } else { "s" }) } else { String::new() };
    let (n, verb) = match uses.len() {
        1 => ("1 reference".to_string(), "depends on it and is"),
        n => (format!("{n} references"), "depend on it and are"),
    };
    format!("{n} {verb} not reported separately: {}{more}", shown.join(", "))
}

/// `line 4`, `lines 7 and 9`, `lines 1, 2, 3, 4, 5, …` (at most five).
fn lines_text(lines: &[usize]) -> String {
    let shown: Vec<String> = lines.iter().take(5).map(usize::to_string).collect();
    match shown.as_slice() {
        [one] => format!("line {one}"),
        [rest @ .., last] if lines.len() <= 5 => format!("lines {} and {last}", rest.join(", ")),
        _ => format!("lines {}, …", shown.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every error of `text`: (code, line, notes).
    fn errors(text: &str) -> Vec<(String, usize, Vec<String>)> {
        let Err(d) = crate::validate_text("roles.toml", text) else { return Vec::new() };
        d.errors().map(|e| (e.code.as_str().to_string(), d.position(e).0, e.notes().to_vec())).collect()
    }

    fn codes(text: &str) -> Vec<(String, usize)> {
        errors(text).into_iter().map(|(c, l, _)| (c, l)).collect()
    }

    const ROLE: &str = "[roles.r]\nid = 1\ndescription = \"R\"\npermissions = [\"a\", \"b\", \"a\"]\n";

    #[test]
    fn a_misspelt_section_is_reported_once_with_what_depends_on_it() {
        let text = format!("[project]\nname = \"x\"\n[permission.a]\nid = 1\ndescription = \"A\"\n{ROLE}");
        let found = errors(&text);
        assert_eq!(found.len(), 2, "{found:?}");
        assert_eq!((found[0].0.as_str(), found[0].1), ("unknown-key", 3));
        assert_eq!(found[0].2, ["2 references depend on it and are not reported separately: `a` (line 9)"]);
        // `b` is not declared anywhere: still its own error.
        assert_eq!((found[1].0.as_str(), found[1].1), ("unknown-permission", 9));
    }

    #[test]
    fn a_misspelt_levels_key_hides_the_levels_it_lists_and_no_missing_key_follows() {
        let text = "[project]\nname = \"x\"\n[entities.e]\ndescription = \"E\"\n[legacy]\nlevel = [\"guest\", \"admin\"]\n\
                    [policies.p]\nid = 1\nentity = \"e\"\nrules = [{ deny_if_legacy = [\"guest\"] }, \
                    { allow_if_legacy_at_least = \"admin\" }, { deny_if_legacy = [\"owner\"] }]\n";
        assert_eq!(codes(text), [("unknown-key".into(), 6), ("unknown-legacy-level".into(), 10)]);
        // Without a misspelling, the missing key is the cause.
        let text = text.replace("level = [\"guest\", \"admin\"]\n", "");
        assert_eq!(codes(&text), [("missing-key".into(), 5)]);
        assert!(errors(&text)[0].2[0].starts_with("3 references depend on it"));
    }

    #[test]
    fn an_entry_that_is_not_a_table_still_declares_its_name() {
        let text =
            format!("[project]\nname = \"x\"\n[permissions]\na = 1\nb = {{ id = 2, description = \"B\" }}\n{ROLE}");
        assert_eq!(codes(&text), [("wrong-type".into(), 4)]);
        let text = format!("permissions = 1\n[project]\nname = \"x\"\n{ROLE}");
        assert_eq!(codes(&text), [("wrong-type".into(), 1)]);
        // A table that decodes with errors declares its name as ever.
        let text = format!(
            "[project]\nname = \"x\"\n[permissions.a]\nid = \"1\"\ndescription = \"A\"\n\
                            [permissions.b]\nid = 2\ndescription = \"B\"\n{ROLE}"
        );
        assert_eq!(codes(&text), [("wrong-type".into(), 4)]);
    }

    #[test]
    fn the_valid_spelling_of_an_invalid_name_is_not_an_error_of_its_own() {
        let text = format!(
            "[project]\nname = \"x\"\n[permissions.A]\nid = 1\ndescription = \"A\"\n\
                            [permissions.b]\nid = 2\ndescription = \"B\"\n{ROLE}"
        );
        let found = errors(&text);
        assert_eq!(found.iter().map(|(c, l, _)| (c.as_str(), *l)).collect::<Vec<_>>(), [("invalid-name", 3)]);
        assert!(found[0].2[0].contains("`a` (line 12)"), "{found:?}");
    }

    #[test]
    fn dependents_are_counted_by_name_with_their_lines() {
        assert_eq!(dependents(&[("a", 4)]), "1 reference depends on it and is not reported separately: `a` (line 4)");
        assert_eq!(
            dependents(&[("a", 4), ("b", 7), ("b", 9)]),
            "3 references depend on it and are not reported separately: `a` (line 4), `b` (lines 7 and 9)"
        );
        assert_eq!(lines_text(&[1, 2, 3, 4, 5, 6]), "lines 1, 2, 3, 4, 5, …");
        let many: Vec<(&str, usize)> = ["a", "b", "c", "d", "e", "f", "g"].iter().map(|n| (*n, 1)).collect();
        assert!(dependents(&many).ends_with("`e` (line 1) and 2 more names"));
    }
}
