//! `add permission`, `add role` and `add entity`: a new entry at the end of its section, in the
//! style of its neighbours, with the next id never given out.

use toml_edit::Value;

use super::editor::{Change, Editor, listed, unique};
use super::entries::{self, Kind};
use super::{NewEntity, NewPermission, NewRole, Refusal, layout};

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

    /// `add entity`, inside its parent when it has one.
    pub(super) fn add_entity(&mut self, new: &NewEntity) -> Result<Change, Refusal> {
        self.check_new_name(Kind::Entity, &new.name)?;
        Self::check_description(&new.description)?;
        if let Some(parent) = &new.parent {
            self.require(Kind::Entity, parent)?;
        }
        let mut fields = vec![("description", Value::from(new.description.as_str()))];
        if let Some(parent) = &new.parent {
            fields.push(("parent", Value::from(parent.as_str())));
        }
        layout::insert_entry(&mut self.doc, Kind::Entity.section(), &new.name, fields);
        let below = new.parent.as_ref().map(|p| format!(" inside {p}")).unwrap_or_default();
        Ok(Change::made(format!("added entity {}{below}", new.name)))
    }
}
