//! Every reference the file makes to a name, with what holds it: the one list of the places
//! `lower` resolves, for the stages that reason about references without resolving them again
//! (what an earlier error explains, which checks may trust what).

use super::{File, RuleKindDef, Sp};
use crate::names::NameKind;

/// What holds a reference.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Owner<'f> {
    Entity(&'f str),
    Permission(&'f str),
    Role(&'f str),
    Policy(&'f str),
    /// A `[[tests]]` entry.
    Test,
}

/// One name as a reference names it.
#[derive(Debug, Clone, Copy)]
pub struct Reference<'f> {
    pub kind: NameKind,
    pub name: &'f Sp<String>,
    pub owner: Owner<'f>,
}

impl File {
    /// Every reference, in the order of the file's sections.
    pub fn references(&self) -> Vec<Reference<'_>> {
        let mut out = Vec::new();
        for e in &self.entities {
            add(&mut out, NameKind::Entity, Owner::Entity(e.name.get_ref()), &e.parent);
        }
        for p in &self.permissions {
            add(&mut out, NameKind::Entity, Owner::Permission(p.name.get_ref()), p.entities.iter().flatten());
        }
        for r in &self.roles {
            let owner = Owner::Role(r.name.get_ref());
            add(&mut out, NameKind::Permission, owner, &r.permissions);
            add(&mut out, NameKind::Role, owner, &r.includes);
            add(&mut out, NameKind::Entity, owner, r.assignable_on.iter().flatten());
        }
        for p in &self.policies {
            let owner = Owner::Policy(p.name.get_ref());
            add(&mut out, NameKind::Entity, owner, &p.entity);
            for rule in &p.rules {
                match &rule.kind {
                    RuleKindDef::DenyIfLegacy(levels) => add(&mut out, NameKind::LegacyLevel, owner, levels),
                    RuleKindDef::AllowIfLegacyAtLeast(level) => add(&mut out, NameKind::LegacyLevel, owner, [level]),
                    RuleKindDef::AllowIfPermission(perms) => add(&mut out, NameKind::Permission, owner, perms),
                    RuleKindDef::AllowIf(_) | RuleKindDef::DenyIf(_) => {}
                }
            }
        }
        for t in &self.tests {
            add(&mut out, NameKind::Role, Owner::Test, t.role.iter().chain(t.roles.iter().flatten()));
            add(&mut out, NameKind::Policy, Owner::Test, &t.policy);
            add(&mut out, NameKind::LegacyLevel, Owner::Test, &t.legacy);
            add(&mut out, NameKind::Permission, Owner::Test, t.allow.iter().chain(&t.deny));
            add(&mut out, NameKind::Role, Owner::Test, &t.covers);
        }
        out
    }

    /// The names the file declares of `kind` (a name declared twice, twice).
    pub fn declared(&self, kind: NameKind) -> Vec<&Sp<String>> {
        match kind {
            NameKind::Entity => self.entities.iter().map(|e| &e.name).collect(),
            NameKind::Permission => self.permissions.iter().map(|p| &p.name).collect(),
            NameKind::Role => self.roles.iter().map(|r| &r.name).collect(),
            NameKind::LegacyLevel => self.legacy.iter().flat_map(|l| &l.levels).collect(),
            NameKind::Policy => self.policies.iter().map(|p| &p.name).collect(),
        }
    }
}

fn add<'f>(
    out: &mut Vec<Reference<'f>>,
    kind: NameKind,
    owner: Owner<'f>,
    names: impl IntoIterator<Item = &'f Sp<String>>,
) {
    out.extend(names.into_iter().map(|name| Reference { kind, name, owner }));
}
