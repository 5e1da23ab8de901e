//! `grant` and `revoke`: a role's direct grants. A revoke of what the role only inherits is
//! refused with the include chain it comes through, so the user knows where to revoke it.

use super::editor::{Change, Editor, listed, unique};
use super::entries::{self, Kind, entry, str_list};
use super::{Refusal, Refused, array};
use crate::Validated;

impl Editor<'_> {
    /// Appends `name` to list `key` of a role (creating the list in its place when missing), in
    /// `fmt`'s layout when the list was laid out so.
    pub(super) fn push_to_role(&mut self, role: &str, key: &str, name: &str) {
        entries::edit_entry_list(&mut self.doc, Kind::Role, role, key, true, |list| array::push(list, name));
    }

    /// The role's direct grants in the document.
    fn direct_grants(&self, role: &str) -> Vec<String> {
        entry(self.doc.as_table(), Kind::Role, role).map(|e| str_list(e, "permissions")).unwrap_or_default()
    }

    /// `grant`: adds what the role does not grant directly yet; nothing when it all is.
    pub(super) fn grant(&mut self, role: &str, permissions: &[String]) -> Result<Change, Refusal> {
        self.require(Kind::Role, role)?;
        let permissions = unique(permissions);
        permissions.iter().try_for_each(|p| self.require(Kind::Permission, p))?;
        let direct = self.direct_grants(role);
        let (held, new): (Vec<String>, Vec<String>) = permissions.into_iter().partition(|p| direct.contains(p));
        if new.is_empty() {
            return Ok(Change::Nothing(format!(
                "role {role} already grants {} directly; nothing changed",
                listed(&held)
            )));
        }
        for p in &new {
            self.push_to_role(role, "permissions", p);
        }
        let mut notes: Vec<String> = Vec::new();
        if !held.is_empty() {
            notes.push(format!("role {role} already granted {}", listed(&held)));
        }
        Ok(Change::Made { summary: format!("granted {} to role {role}", listed(&new)), notes })
    }

    /// `revoke`: drops direct grants, noting any the role keeps through an include.
    pub(super) fn revoke(&mut self, role: &str, permissions: &[String]) -> Result<Change, Refusal> {
        self.require(Kind::Role, role)?;
        let permissions = unique(permissions);
        permissions.iter().try_for_each(|p| self.require(Kind::Permission, p))?;
        let direct = self.direct_grants(role);
        if let Some(p) = permissions.iter().find(|p| !direct.contains(p)) {
            return Err(self.not_granted_directly(role, p));
        }
        let notes: Vec<String> = permissions.iter().filter_map(|p| self.still_inherited(role, p)).collect();
        entries::edit_entry_list(&mut self.doc, Kind::Role, role, "permissions", false, |list| {
            permissions.iter().for_each(|p| {
                array::remove_str(list, p);
            });
        });
        Ok(Change::Made { summary: format!("revoked {} from role {role}", listed(&permissions)), notes })
    }

    /// Why `role` cannot lose `perm`: it only inherits it (naming where from), or lacks it.
    fn not_granted_directly(&self, role: &str, perm: &str) -> Refusal {
        let Some(model) = self.before.as_ref().map(Validated::model) else {
            return Refusal::new(Refused::GrantMissing, format!("role `{role}` does not grant `{perm}` directly"));
        };
        let chain = model.role(role).zip(model.permission(perm)).and_then(|(r, p)| model.via(r, p));
        match chain {
            Some(chain) => {
                let names: Vec<&str> = chain.iter().map(|&i| model.roles()[i].name.as_str()).collect();
                let source = names.last().copied().unwrap_or(role);
                let first_include = names.get(1).copied().unwrap_or(source);
                let message =
                    format!("role `{role}` does not grant `{perm}` directly: it inherits it from role `{source}`");
                let help = format!(
                    "revoke it from `{source}` (every role including `{source}` loses it), \
                     or drop `{first_include}` from the includes of `{role}`"
                );
                Refusal::new(Refused::GrantInherited, message)
                    .detail(format!("include path: {}", names.join(" > ")))
                    .help(Some(help))
            }
            None => {
                let grants = self.direct_grants(role);
                let help =
                    if grants.is_empty() { None } else { Some(format!("its direct grants: {}", listed(&grants))) };
                Refusal::new(Refused::GrantMissing, format!("role `{role}` does not hold `{perm}`")).help(help)
            }
        }
    }

    /// A note when `role` keeps `perm` through an include after the direct grant goes.
    fn still_inherited(&self, role: &str, perm: &str) -> Option<String> {
        let model = self.before.as_ref()?.model();
        let (r, p) = (model.role(role)?, model.permission(perm)?);
        let through = model.roles()[r].includes.iter().find(|&&i| model.roles()[i].effective.contains(p))?;
        Some(format!("role {role} still holds {perm} through role {}", model.roles()[*through].name))
    }
}
