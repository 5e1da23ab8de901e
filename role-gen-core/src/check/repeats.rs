//! Warning: a list names each entry once. `permissions = ["a", "b", "a"]` grants the same as
//! `["a", "b"]`, so the repeat is noise at best and, at worst, a typo for another name; it is
//! reported on the repeat, pointing at the first. (Legacy `levels` are different: they are an
//! ordered ladder, where a repeat makes the order ambiguous; that is an error, in `check`.)

use std::collections::HashMap;
use std::fmt::Display;
use std::hash::Hash;

use crate::diagnostic::{Code, Diagnostic};
use crate::syntax::{File, RuleKindDef, Sp, TestDef};

// Warning: no list of names or ids repeats an entry.
pub(super) fn lists_hold_no_repeats(file: &File, diags: &mut Vec<Diagnostic>) {
    if let Some(targets) = file.output.as_ref().and_then(|o| o.targets.as_ref()) {
        repeats(targets, || "`targets` of `[output]`".to_string(), diags);
    }
    for p in &file.permissions {
        if let Some(entities) = &p.entities {
            repeats(entities, || format!("`entities` of permission `{}`", p.name.get_ref()), diags);
        }
    }
    for r in &file.roles {
        let of = |key: &str| format!("`{key}` of role `{}`", r.name.get_ref());
        repeats(&r.permissions, || of("permissions"), diags);
        repeats(&r.includes, || of("includes"), diags);
        if let Some(on) = &r.assignable_on {
            repeats(on, || of("assignable_on"), diags);
        }
    }
    for p in &file.policies {
        for (i, rule) in p.rules.iter().enumerate() {
            let of = |key: &str| format!("`{key}` of rule {} of policy `{}`", i + 1, p.name.get_ref());
            match &rule.kind {
                RuleKindDef::DenyIfLegacy(levels) => repeats(levels, || of("deny_if_legacy"), diags),
                RuleKindDef::AllowIfPermission(perms) => repeats(perms, || of("allow_if_permission"), diags),
                _ => {}
            }
        }
    }
    let r = &file.reserved;
    repeats(&r.permission_ids, || "`[reserved] permission_ids`".to_string(), diags);
    repeats(&r.permission_names, || "`[reserved] permission_names`".to_string(), diags);
    repeats(&r.role_ids, || "`[reserved] role_ids`".to_string(), diags);
    repeats(&r.role_names, || "`[reserved] role_names`".to_string(), diags);
    repeats(&r.policy_ids, || "`[reserved] policy_ids`".to_string(), diags);
    repeats(&r.policy_names, || "`[reserved] policy_names`".to_string(), diags);
    repeats(&r.entity_ids, || "`[reserved] entity_ids`".to_string(), diags);
    repeats(&r.entity_names, || "`[reserved] entity_names`".to_string(), diags);
    file.tests.iter().for_each(|t| test_lists(t, diags));
}

/// A test's lists; `role` and `roles` name the roles held together, so they count as one list.
fn test_lists(t: &TestDef, diags: &mut Vec<Diagnostic>) {
    let test = match &t.name {
        Some(name) => format!("test `{}`", name.get_ref()),
        None => "this test".to_string(),
    };
    let held: Vec<Sp<String>> = t.role.iter().chain(t.roles.iter().flatten()).cloned().collect();
    let key = if t.role.is_some() && t.roles.is_some() { "`role` and `roles`" } else { "`roles`" };
    repeats(&held, || format!("{key} of {test}"), diags);
    for (key, list) in [("allow", &t.allow), ("deny", &t.deny), ("covers", &t.covers)] {
        repeats(list, || format!("`{key}` of {test}"), diags);
    }
}

/// One `duplicate-entry` per repeat in `items`, each pointing at the entry's first place.
fn repeats<T: Eq + Hash + Display>(items: &[Sp<T>], what: impl FnOnce() -> String, diags: &mut Vec<Diagnostic>) {
    let found = first_repeats(items);
    if found.is_empty() {
        return;
    }
    let what = what();
    for (item, earlier) in found {
        diags.push(
            Diagnostic::new(
                Code::DuplicateEntry,
                item.span(),
                format!("`{}` is listed twice in {what}", item.get_ref()),
            )
            .label("listed again here")
            .related(earlier.span(), "first listed here")
            .help("remove the repeat: a list names each entry once, and the repeat changes nothing"),
        );
    }
}

/// Each repeated item with the first one like it. Short lists (most are) are compared item by
/// item; longer ones through a hash map, so a list of thousands stays linear.
fn first_repeats<T: Eq + Hash>(items: &[Sp<T>]) -> Vec<(&Sp<T>, &Sp<T>)> {
    const SHORT: usize = 16;
    if items.len() <= SHORT {
        let earlier = |i: usize| items[..i].iter().find(|e| e.get_ref() == items[i].get_ref());
        return (0..items.len()).filter_map(|i| earlier(i).map(|e| (&items[i], e))).collect();
    }
    let mut first: HashMap<&T, &Sp<T>> = HashMap::with_capacity(items.len());
    let mut out = Vec::new();
    for item in items {
        match first.get(item.get_ref()) {
            Some(earlier) => out.push((item, *earlier)),
            None => {
                first.insert(item.get_ref(), item);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use crate::model::RuleKind;

    const FILE: &str = "[project]\nname = \"x\"\n[entities.org]\ndescription = \"O\"\n\
        [permissions.a]\nid = 1\ndescription = \"A\"\n[permissions.b]\nid = 2\ndescription = \"B\"\n\
        [roles.base]\nid = 2\ndescription = \"B\"\npermissions = [\"b\"]\n\
        [roles.other]\nid = 3\ndescription = \"O\"\npermissions = [\"a\"]\n\
        [roles.r]\nid = 1\ndescription = \"R\"\nincludes = [\"base\", \"other\", \"base\"]\n\
        [policies.p]\nid = 1\nentity = \"org\"\nrules = [{ allow_if_permission = [\"a\", \"b\", \"a\"] }]\n";

    #[test]
    fn every_repeat_is_reported_on_the_repeat_pointing_at_the_first() {
        let validated = crate::validate_text("roles.toml", FILE).expect("valid");
        let source = validated.source();
        let repeats: Vec<(usize, usize, String)> = validated
            .diagnostics()
            .iter()
            .filter(|d| d.code.as_str() == "duplicate-entry")
            .map(|d| {
                let at = |s: &crate::source::Span| source.line_col(s.start).0;
                (
                    d.span.as_ref().map_or(0, at),
                    d.related_places().first().map_or(0, |r| at(&r.span)),
                    d.message.clone(),
                )
            })
            .collect();
        assert_eq!(
            repeats,
            [
                (22, 22, "`base` is listed twice in `includes` of role `r`".to_string()),
                (26, 26, "`a` is listed twice in `allow_if_permission` of rule 1 of policy `p`".to_string()),
            ]
        );
    }

    #[test]
    fn the_model_keeps_each_entry_once_even_when_the_repeat_is_not_adjacent() {
        let validated = crate::validate_text("roles.toml", FILE).expect("valid");
        let model = validated.model();
        let r = model.role("r").expect("r");
        let includes: Vec<&str> = model.roles()[r].includes.iter().map(|&i| model.roles()[i].name.as_str()).collect();
        assert_eq!(includes, ["base", "other"]);
        assert_eq!(model.roles()[r].include_spans.len(), 2);
        let RuleKind::AllowIfPermission(asked) = &model.policies()[0].rules[0].kind else { panic!("rule kind") };
        assert_eq!(asked.len(), 2);
    }
}
