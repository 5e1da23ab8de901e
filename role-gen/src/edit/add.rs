//! `add permission`, `add role`, `add entity` and `add policy`: a new entry at the end of its
//! section, in the style of its neighbours, with the next id never given out.

use toml_edit::Value;

use super::editor::{Change, Editor, listed, unique};
use super::entries::{self, Kind};
use super::{NewEntity, NewPermission, NewPolicy, NewRole, NewRule, Refusal, Refused, array, layout};
use crate::names::{is_valid_name, name_problem};

impl Editor<'_> {
    /// `add permission`: the next free id, granted to `new.grants` when asked.
    pub(super) fn add_permission(&mut self, new: &NewPermission) -> Result<Change, Refusal> {
        self.check_new_name(Kind::Permission, &new.name)?;
        Self::check_description(&new.description)?;
        let entities = unique(&new.entities);
        let grants = unique(&new.grants);
        entities.iter().try_for_each(|e| self.require(Kind::Entity, e))?;
        grants.iter().try_for_each(|r| self.require(Kind::Role, r))?;
        let id = self.next_id(Kind::Permission)?;
        let mut fields = vec![("id", Value::from(id)), ("description", Value::from(new.description.as_str()))];
        if !entities.is_empty() {
            fields.push(("entities", entries::string_array(&entities)));
        }
        if let Some(group) = &new.group {
            fields.push(("group", Value::from(group.as_str())));
        }
        layout::insert_entry(&mut self.doc, Kind::Permission.section(), &new.name, fields);
        for role in &grants {
            self.push_to_role(role, "permissions", &new.name);
        }
        let granted = if grants.is_empty() { String::new() } else { format!(", granted to {}", listed(&grants)) };
        Ok(Change::made(format!("added permission {} (id {id}){granted}", new.name)))
    }

    /// `add role`: the next free id; what it grants, includes and is assignable on must exist.
    pub(super) fn add_role(&mut self, new: &NewRole) -> Result<Change, Refusal> {
        self.check_new_name(Kind::Role, &new.name)?;
        Self::check_description(&new.description)?;
        let (permissions, includes, on) = (unique(&new.permissions), unique(&new.includes), unique(&new.assignable_on));
        permissions.iter().try_for_each(|p| self.require(Kind::Permission, p))?;
        includes.iter().try_for_each(|r| self.require(Kind::Role, r))?;
        on.iter().try_for_each(|e| self.require(Kind::Entity, e))?;
        let id = self.next_id(Kind::Role)?;
        let mut fields = vec![
            ("id", Value::from(id)),
            ("description", Value::from(new.description.as_str())),
            ("permissions", entries::string_array(&permissions)),
        ];
        if !includes.is_empty() {
            fields.push(("includes", entries::string_array(&includes)));
        }
        if !on.is_empty() {
            fields.push(("assignable_on", entries::string_array(&on)));
        }
        layout::insert_entry(&mut self.doc, Kind::Role.section(), &new.name, fields);
        Ok(Change::made(format!("added role {} (id {id})", new.name)))
    }

    /// `add entity`, inside its parent when it has one, with the next free id written out: its
    /// protobuf number then stays wherever the entry is moved.
    pub(super) fn add_entity(&mut self, new: &NewEntity) -> Result<Change, Refusal> {
        self.check_new_name(Kind::Entity, &new.name)?;
        Self::check_description(&new.description)?;
        if let Some(parent) = &new.parent {
            self.require(Kind::Entity, parent)?;
        }
        let id = self.next_id(Kind::Entity)?;
        let mut fields = vec![("id", Value::from(id)), ("description", Value::from(new.description.as_str()))];
        if let Some(parent) = &new.parent {
            fields.push(("parent", Value::from(parent.as_str())));
        }
        layout::insert_entry(&mut self.doc, Kind::Entity.section(), &new.name, fields);
        let below = new.parent.as_ref().map(|p| format!(" inside {p}")).unwrap_or_default();
        Ok(Change::made(format!("added entity {} (id {id}){below}", new.name)))
    }

    /// `add policy`: the next free id, deciding on an existing entity type by `new.rules` in
    /// the order given.
    pub(super) fn add_policy(&mut self, new: &NewPolicy) -> Result<Change, Refusal> {
        self.check_new_name(Kind::Policy, &new.name)?;
        Self::check_description(&new.description)?;
        self.require(Kind::Entity, &new.entity)?;
        new.rules.iter().try_for_each(|r| self.check_rule(r))?;
        let id = self.next_id(Kind::Policy)?;
        let fields = vec![
            ("id", Value::from(id)),
            ("description", Value::from(new.description.as_str())),
            ("entity", Value::from(new.entity.as_str())),
            ("rules", rules_value(&new.rules)),
        ];
        layout::insert_entry(&mut self.doc, Kind::Policy.section(), &new.name, fields);
        let count = match new.rules.len() {
            1 => "1 rule".to_string(),
            n => format!("{n} rules"),
        };
        Ok(Change::made(format!("added policy {} (id {id}) on {}, {count}", new.name, new.entity)))
    }

    /// Refuses a rule naming a permission or legacy level the file does not have, or an invalid
    /// predicate name, with a did-you-mean.
    fn check_rule(&self, rule: &NewRule) -> Result<(), Refusal> {
        match rule {
            NewRule::DenyIfLegacy(levels) => levels.iter().try_for_each(|l| self.require_level(l)),
            NewRule::AllowIfLegacyAtLeast(level) => self.require_level(level),
            NewRule::AllowIfPermission(perms) => perms.iter().try_for_each(|p| self.require(Kind::Permission, p)),
            NewRule::AllowIf(p) | NewRule::DenyIf(p) if !is_valid_name(p) => Err(Refusal::new(
                Refused::NameNotAllowed,
                format!("invalid predicate name `{p}`"),
            )
            .help(Some(format!("{}; predicates are ASCII snake_case, like `actor_created_channel`", name_problem(p))))),
            NewRule::AllowIf(_) | NewRule::DenyIf(_) => Ok(()),
        }
    }

    /// Refuses a legacy level `[legacy] levels` does not list.
    fn require_level(&self, level: &str) -> Result<(), Refusal> {
        let levels = self.doc.get("legacy").and_then(|l| l.get("levels")).and_then(toml_edit::Item::as_array);
        let known = levels.map(array::strings).unwrap_or_default();
        if known.iter().any(|k| k == level) {
            return Ok(());
        }
        let help = crate::suggest::did_you_mean(level, known.iter().map(String::as_str)).or_else(|| {
            Some(if known.is_empty() {
                "the file has no `[legacy] levels` yet".to_string()
            } else {
                format!("`[legacy] levels` lists {}", listed(&known))
            })
        });
        Err(Refusal::new(Refused::UnknownName, format!("unknown legacy level `{level}`")).help(help))
    }
}

/// A policy's `rules`, one inline table per rule, laid out by `fmt`'s one rule for arrays.
fn rules_value(rules: &[NewRule]) -> Value {
    let tables: Vec<String> = rules.iter().map(rule_text).collect();
    let text = format!("[{}]", tables.join(", "));
    let mut value: Value = text.parse().unwrap_or_else(|_| Value::Array(toml_edit::Array::new()));
    if let Value::Array(array) = &mut value {
        super::array::lay_out("rules".len(), array);
    }
    value.decor_mut().clear();
    value
}

/// `{ deny_if_legacy = ["guest"] }`; names are quoted as TOML quotes them.
fn rule_text(rule: &NewRule) -> String {
    let one = |s: &str| Value::from(s).to_string();
    let many = |list: &[String]| format!("[{}]", list.iter().map(|s| one(s)).collect::<Vec<_>>().join(", "));
    let (key, value) = match rule {
        NewRule::DenyIfLegacy(levels) => ("deny_if_legacy", many(levels)),
        NewRule::AllowIfLegacyAtLeast(level) => ("allow_if_legacy_at_least", one(level)),
        NewRule::AllowIfPermission(perms) if perms.len() == 1 => ("allow_if_permission", one(&perms[0])),
        NewRule::AllowIfPermission(perms) => ("allow_if_permission", many(perms)),
        NewRule::AllowIf(p) => ("allow_if", one(p)),
        NewRule::DenyIf(p) => ("deny_if", one(p)),
    };
    format!("{{ {key} = {value} }}")
}
