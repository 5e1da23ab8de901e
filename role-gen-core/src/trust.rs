//! What the checks may still trust in a file with errors, so that every check whose inputs are
//! sound runs: a typo in one role does not hide a shadowed deny in a policy that never names it.
//!
//! A check's inputs are sound when what it reads was read as written: every reference in it
//! resolved, no entry it reads is damaged ([`File::damaged`]), no name of a kind it reads over
//! is hidden ([`File::hidden`]), and the graph it walks has no cycle. Per check:
//!
//! - the warnings on roles and permissions (`check::model_rules`) read every entity,
//!   permission and role: they run when all of those are sound;
//! - a policy's rule checks (`shadowed-deny`, `unreachable-rule`) read its rules and, for the
//!   legacy rules, the ladder of levels: they run on each policy whose own references resolved;
//! - `inapplicable-permission` also reads the entity forest and each asked permission's
//!   `entities`;
//! - `unused-predicate` reads every policy's rules;
//! - the rest (names becoming methods) reads names as written, and always runs.

use std::collections::HashSet;

use crate::diagnostic::{Code, Diagnostic};
use crate::names::NameKind;
use crate::syntax::{File, Owner, PolicyDef, RuleKindDef};

/// Which checks may run on a file, and on which of its policies.
#[derive(Debug, Clone)]
pub(crate) struct Trust {
    /// Every entity, permission and role is sound.
    access: bool,
    /// The entity forest is sound: parents resolved, no cycle, every entity read as written.
    entities: bool,
    /// Every policy's rules were read, so the predicates asked are all known.
    predicates: bool,
    /// The policies (by name) whose own references resolved, read as written.
    policies: Option<HashSet<String>>,
    /// The permissions (by name) whose `entities` resolved, read as written.
    permissions: Option<HashSet<String>>,
}

impl Trust {
    /// A valid file: every check runs.
    pub fn everything() -> Trust {
        Trust { access: true, entities: true, predicates: true, policies: None, permissions: None }
    }

    /// What `file` lets the checks trust, given what was `found` so far (cycles among it).
    pub(crate) fn of(file: &File, found: &[Diagnostic]) -> Trust {
        let read = Read::of(file);
        let cycle = |code: Code| found.iter().any(|d| d.code == code);
        let entities = read.sound(NameKind::Entity, |o| matches!(o, Owner::Entity(_))) && !cycle(Code::EntityCycle);
        let access = entities
            && read.sound(NameKind::Permission, |o| matches!(o, Owner::Permission(_)))
            && read.sound(NameKind::Role, |o| matches!(o, Owner::Role(_)))
            && !cycle(Code::IncludeCycle);
        let policies = file.policies.iter().filter(|p| read.policy(p)).map(|p| p.name.get_ref().clone()).collect();
        let permissions = file
            .permissions
            .iter()
            .map(|p| p.name.get_ref().as_str())
            .filter(|&name| read.entry(NameKind::Permission, name, Owner::Permission(name)))
            .map(str::to_string)
            .collect();
        let predicates = !read.hidden(NameKind::Policy) && !read.damaged_any(NameKind::Policy);
        Trust { access, entities, predicates, policies: Some(policies), permissions: Some(permissions) }
    }

    /// Whether the warnings on entities, permissions and roles may run.
    pub fn access(&self) -> bool {
        self.access
    }

    /// Whether the checks on the rules of policy `name` may run.
    pub fn policy(&self, name: &str) -> bool {
        self.policies.as_ref().is_none_or(|p| p.contains(name))
    }

    /// Whether policy `name` may be checked against the entities of permission `permission`.
    pub fn policy_entities(&self, name: &str, permission: &str) -> bool {
        self.entities && self.policy(name) && self.permissions.as_ref().is_none_or(|p| p.contains(permission))
    }

    /// Whether every predicate the policies ask is known (for `unused-predicate`).
    pub fn predicates(&self) -> bool {
        self.predicates
    }
}

/// What was read of a file as written, by kind and by entry.
struct Read<'f> {
    file: &'f File,
    /// What holds a reference that resolves to nothing declared.
    unresolved: HashSet<Owner<'f>>,
    /// [`File::damaged`], to look up.
    damaged: HashSet<(NameKind, Option<&'f str>)>,
}

impl<'f> Read<'f> {
    fn of(file: &'f File) -> Self {
        let declared: HashSet<(NameKind, &str)> =
            [NameKind::Entity, NameKind::Permission, NameKind::Role, NameKind::LegacyLevel, NameKind::Policy]
                .into_iter()
                .flat_map(|k| file.declared(k).into_iter().map(move |n| (k, n.get_ref().as_str())))
                .collect();
        let unresolved = file
            .references()
            .into_iter()
            .filter(|r| !declared.contains(&(r.kind, r.name.get_ref().as_str())))
            .map(|r| r.owner)
            .collect();
        let damaged = file.damaged.iter().map(|(k, n)| (*k, n.as_deref())).collect();
        Read { file, unresolved, damaged }
    }

    /// Whether some names of `kind` could not be read at all.
    fn hidden(&self, kind: NameKind) -> bool {
        self.file.hidden.iter().any(|h| h.kind == kind)
    }

    fn damaged(&self, kind: NameKind, name: Option<&str>) -> bool {
        self.damaged.contains(&(kind, name))
    }

    fn damaged_any(&self, kind: NameKind) -> bool {
        self.file.damaged.iter().any(|(k, _)| *k == kind)
    }

    /// Every entry of `kind` read as written, with no reference it holds (`owned`) unresolved.
    fn sound(&self, kind: NameKind, owned: fn(&Owner<'_>) -> bool) -> bool {
        !self.hidden(kind) && !self.damaged_any(kind) && !self.unresolved.iter().any(owned)
    }

    /// One entry read as written, with every reference it holds resolved.
    fn entry(&self, kind: NameKind, name: &str, owner: Owner<'_>) -> bool {
        !self.damaged(kind, Some(name)) && !self.unresolved.contains(&owner)
    }

    /// The legacy levels as written, each once: the order of the ladder is known.
    fn ladder(&self) -> bool {
        let levels = self.file.declared(NameKind::LegacyLevel);
        let unique = levels.iter().map(|l| l.get_ref()).collect::<HashSet<_>>().len() == levels.len();
        unique && !self.damaged(NameKind::LegacyLevel, None) && !self.hidden(NameKind::LegacyLevel)
    }

    /// A policy read as written, its entity and names resolved, and its ladder known if it has
    /// legacy rules.
    fn policy(&self, p: &PolicyDef) -> bool {
        let name = p.name.get_ref().as_str();
        let legacy = p
            .rules
            .iter()
            .any(|r| matches!(r.kind, RuleKindDef::DenyIfLegacy(_) | RuleKindDef::AllowIfLegacyAtLeast(_)));
        p.entity.is_some() && self.entry(NameKind::Policy, name, Owner::Policy(name)) && (!legacy || self.ladder())
    }
}

#[cfg(test)]
mod tests {
    /// Every finding of `text`, errors first: (code, line).
    fn findings(text: &str) -> Vec<(String, usize)> {
        let d = match crate::validate_text("roles.toml", text) {
            Ok(v) => v.diagnostics().clone(),
            Err(d) => d,
        };
        d.iter().map(|f| (f.code.as_str().to_string(), d.position(f).0)).collect()
    }

    fn has(found: &[(String, usize)], code: &str) -> bool {
        found.iter().any(|(c, _)| c == code)
    }

    /// Lines 1-21: an entity, two permissions, a role granting `a`, three levels; then `extra`.
    fn file(grants: &str, extra: &str) -> String {
        format!(
            "[project]\nname = \"x\"\n[entities.channel]\ndescription = \"C\"\n[permissions.a]\nid = 1\n\
             description = \"A\"\nentities = [\"channel\"]\n[permissions.b]\nid = 2\ndescription = \"B\"\n\
             [roles.r]\nid = 1\ndescription = \"R\"\npermissions = [{grants}]\n[roles.empty]\nid = 2\n\
             description = \"E\"\n[legacy]\nlevels = [\"guest\", \"member\", \"admin\"]\n\n{extra}"
        )
    }

    const SHADOWED: &str = "[policies.p]\nid = 1\nentity = \"channel\"\nrules = [\n{ allow_if_legacy_at_least = \"guest\" },\n\
                            { deny_if_legacy = [\"guest\"] },\n{ allow_if_legacy_at_least = \"admin\" },\n]\n";

    #[test]
    fn a_typo_elsewhere_does_not_hide_the_policy_checks() {
        let found = findings(&file("\"a\", \"bb\"", SHADOWED));
        assert_eq!(
            found,
            [("unknown-permission".into(), 15), ("shadowed-deny".into(), 27), ("unreachable-rule".into(), 28)]
        );
        // The warnings on roles read the grants, one of which did not resolve: not run (`b`
        // might be what `bb` grants).
        assert!(!has(&found, "ungranted-permission") && !has(&found, "empty-role"));
    }

    #[test]
    fn a_policy_with_an_unresolved_reference_is_skipped_alone() {
        let broken = "[policies.q]\nid = 2\nentity = \"channel\"\nrules = [{ allow_if_legacy_at_least = \"guest\" }, \
                      { deny_if_legacy = [\"gest\", \"guest\"] }]\n";
        let found = findings(&file("\"a\"", &format!("{SHADOWED}{broken}")));
        assert_eq!(found.iter().filter(|(c, _)| c == "shadowed-deny").count(), 1, "{found:?}");
        assert!(found.contains(&("shadowed-deny".into(), 27)) && found.contains(&("unknown-legacy-level".into(), 33)));
    }

    #[test]
    fn an_error_outside_the_roles_lets_their_warnings_run() {
        let text = file("\"a\"", "[output]\ntargets = [\"rust\", \"cobol\"]\n");
        let found = findings(&text);
        assert!(has(&found, "unknown-key") && has(&found, "empty-role") && has(&found, "ungranted-permission"));
    }

    #[test]
    fn a_damaged_role_or_a_misspelt_key_in_one_stops_the_warnings_that_read_it() {
        for role in ["permissions = \"a\"\n", "permisions = [\"a\"]\n"] {
            let text = file("\"a\"", "").replace("[roles.empty]\nid = 2\n", &format!("[roles.empty]\nid = 2\n{role}"));
            let found = findings(&text);
            assert!(has(&found, "wrong-type") || has(&found, "unknown-key"), "{found:?}");
            assert!(!has(&found, "empty-role") && !has(&found, "ungranted-permission"), "{found:?}");
        }
        // A problem in a description changes nothing the warnings read.
        let text = file("\"a\"", "").replace("description = \"E\"", "description = 2");
        let found = findings(&text);
        assert!(has(&found, "wrong-type") && has(&found, "empty-role"), "{found:?}");
    }

    #[test]
    fn what_a_policy_check_reads_elsewhere_must_be_sound_too() {
        // `a`'s entities hold a typo: whether a workspace policy may ask for it is unknown.
        let ask = "[entities.workspace]\ndescription = \"W\"\n[policies.w]\nid = 3\nentity = \"workspace\"\n\
                   rules = [{ allow_if_permission = \"a\" }]\n";
        let text = file("\"a\"", ask).replace("entities = [\"channel\"]", "entities = [\"chanel\"]");
        let found = findings(&text);
        assert!(has(&found, "unknown-entity") && !has(&found, "inapplicable-permission"), "{found:?}");
        // A rule that could not be read may have been the one asking a declared predicate.
        let rules = "[predicates.mine]\ndescription = \"M\"\n[policies.p]\nid = 4\nentity = \"channel\"\n\
                     rules = [{ allow_if = \"mine\", deny_if = \"mine\" }]\n";
        let found = findings(&file("\"a\"", rules));
        assert!(has(&found, "wrong-type") && !has(&found, "unused-predicate"), "{found:?}");
        // An entity cycle: nothing walks the forest (and nothing loops).
        let cycle = "[entities.w]\ndescription = \"W\"\nparent = \"v\"\n[entities.v]\ndescription = \"V\"\n\
                     parent = \"w\"\n[policies.x]\nid = 5\nentity = \"w\"\nrules = [{ allow_if_permission = \"a\" }]\n";
        let found = findings(&file("\"a\"", cycle));
        assert!(has(&found, "entity-cycle") && !has(&found, "inapplicable-permission"), "{found:?}");
    }
}
