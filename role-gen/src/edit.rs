//! Editing roles.toml in place: `add`, `grant`, `revoke`, `remove`, `deprecate` and `fmt`.
//!
//! People comment their roles.toml heavily (why a permission exists, which ticket asked for a
//! grant), so an edit must not cost them a single comment. Every edit therefore works on a
//! [`toml_edit::DocumentMut`]: comments, blank lines and key order survive, including the
//! comment above or beside the entry being edited, and new entries are appended next to the
//! others of their kind, in their style.
//!
//! An edit is pure: [`apply`] takes the file's bytes and returns the new text, validated with
//! [`Project::from_bytes`], or says why not ([`EditError`]). Nothing is written until the caller
//! calls [`save`], which writes atomically and only when the text changed, so a refused or
//! empty edit leaves the file (and its mtime) exactly as it was. A caller that writes takes
//! [`lock`] first and holds it from reading the bytes to [`save`]: two edits at one moment then
//! run one after the other, and neither is lost.

mod array;
mod entries;
mod format;
mod layout;
mod refs;
mod replace;

use std::fmt;
use std::io;
use std::ops::Range;
use std::path::Path;

use toml_edit::{Document, DocumentMut, Item, Value};

pub use entries::Kind;
use entries::{entry, entry_item_mut, key_order, names, str_list};

use crate::names::{is_valid_name, name_problem};
use crate::suggest::did_you_mean;
use crate::{Diagnostics, Project, lock};

/// The UTF-8 byte order mark some Windows editors put first. toml_edit drops it on output, so an
/// edit takes it off before parsing and puts it back on the new text.
const BOM: &str = "\u{feff}";

/// The largest id a permission or role may have.
pub const MAX_ID: i64 = 65535;

/// `add permission`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NewPermission {
    pub name: String,
    pub description: String,
    pub entities: Vec<String>,
    pub group: Option<String>,
    /// Roles to grant it to.
    pub grants: Vec<String>,
}

/// `add role`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NewRole {
    pub name: String,
    pub description: String,
    pub permissions: Vec<String>,
    pub includes: Vec<String>,
    pub assignable_on: Vec<String>,
}

/// `add entity`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NewEntity {
    pub name: String,
    pub description: String,
    pub parent: Option<String>,
}

/// One editing command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Edit {
    AddPermission(NewPermission),
    AddRole(NewRole),
    AddEntity(NewEntity),
    Grant {
        role: String,
        permissions: Vec<String>,
    },
    Revoke {
        role: String,
        permissions: Vec<String>,
    },
    /// `kind` is a permission or a role.
    Remove {
        kind: Kind,
        name: String,
        force: bool,
    },
    Deprecate {
        name: String,
        reason: Option<String>,
    },
    Format,
}

/// A successful edit: the new text and what changed.
#[derive(Debug)]
pub struct Outcome {
    /// The whole new roles.toml (the old text when nothing changed).
    pub text: String,
    /// Whether `text` differs from the file: when not, nothing is to be written.
    pub changed: bool,
    /// One line saying what changed ("added permission export_data (id 12)"), or why nothing did.
    pub summary: String,
    /// Further lines worth telling (references dropped, a grant still inherited).
    pub notes: Vec<String>,
    /// Warnings the edit introduced (say, `empty-role` for a new role without permissions).
    pub new_warnings: Option<Diagnostics>,
}

/// Why an edit was not made.
#[derive(Debug)]
pub enum EditError {
    /// The request does not fit the file: an unknown or existing name, a reference left, ….
    Refused(Refusal),
    /// The edited text would not validate (or the file does not parse at all).
    Invalid {
        /// The diagnostics of the text the edit would have written.
        diagnostics: Diagnostics,
        /// Whether the file was already invalid before the edit.
        already_invalid: bool,
    },
}

/// A refused edit, said the way a diagnostic is: what, where, and what to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub message: String,
    /// One line each, printed indented under the message (references, locations).
    pub details: Vec<String>,
    pub help: Option<String>,
}

impl Refusal {
    fn new(message: impl Into<String>) -> Self {
        Refusal { message: message.into(), details: Vec::new(), help: None }
    }

    fn detail(mut self, line: impl Into<String>) -> Self {
        self.details.push(line.into());
        self
    }

    fn help(mut self, help: Option<String>) -> Self {
        self.help = help;
        self
    }
}

/// Each part escaped on its own line: a refusal quotes names the user (or the file) gave.
impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use crate::escape::Shown;
        write!(f, "{}", Shown(&self.message))?;
        for line in &self.details {
            write!(f, "\n  {}", Shown(line))?;
        }
        if let Some(help) = &self.help {
            write!(f, "\n  = help: {}", Shown(help))?;
        }
        Ok(())
    }
}

/// Applies `edit` to the roles.toml whose bytes are `bytes` (`path` names it in messages and
/// anchors its relative paths). Pure: writes nothing.
pub fn apply(path: &Path, bytes: &[u8], edit: &Edit) -> Result<Outcome, EditError> {
    let Ok(text) = std::str::from_utf8(bytes) else {
        return Err(unparsable(path, bytes, "roles.toml is not UTF-8"));
    };
    match text.strip_prefix(BOM) {
        Some(rest) => apply_text(path, rest, edit).map(|mut outcome| {
            outcome.text.insert_str(0, BOM);
            outcome
        }),
        None => apply_text(path, text, edit),
    }
}

/// [`apply`] on the text after any byte order mark.
fn apply_text(path: &Path, text: &str, edit: &Edit) -> Result<Outcome, EditError> {
    let bytes = text.as_bytes();
    let mut editor = Editor::open(path, text)?;
    if *edit == Edit::Format && editor.before.is_none() {
        // Formatting an invalid file could hide its errors' lines; fix them first.
        return Err(unparsable(path, bytes, "roles.toml is invalid"));
    }
    let change = match edit {
        Edit::AddPermission(new) => editor.add_permission(new),
        Edit::AddRole(new) => editor.add_role(new),
        Edit::AddEntity(new) => editor.add_entity(new),
        Edit::Grant { role, permissions } => editor.grant(role, permissions),
        Edit::Revoke { role, permissions } => editor.revoke(role, permissions),
        Edit::Remove { kind, name, force } => editor.remove(*kind, name, *force),
        Edit::Deprecate { name, reason } => editor.deprecate(name, reason.as_deref()),
        Edit::Format => editor.format(),
    }
    .map_err(EditError::Refused)?;
    editor.finish(change)
}

/// Takes the lock every writing edit holds from reading roles.toml to [`save`]: an exclusive
/// lock on the file (see [`lock::exclusive`]), which opens it for writing and so fails with
/// `PermissionDenied` for a user who may not write it.
///
/// The rule for read-only files: a file whose permission bits let nobody write it (no `w` for
/// user, group or others; on Windows, the read-only attribute) is refused too, even for root,
/// who could open it anyway. Somebody made it read-only on purpose, and an edit would replace it
/// with a file of the same mode behind their back.
pub fn lock(path: &Path) -> io::Result<lock::Guard> {
    let guard = lock::exclusive(path)?;
    if guard.file().metadata()?.permissions().readonly() {
        return Err(io::Error::new(
            io::ErrorKind::PermissionDenied,
            "it is read-only (nobody has write permission); make it writable to edit it",
        ));
    }
    Ok(guard)
}

/// Writes an outcome's text over `path`, atomically, and only when it changed. A symlinked
/// roles.toml is written through (the link stays a link), and the file keeps its permission
/// bits and (on unix) its owner and group: the atomic rename would otherwise replace all of
/// them with a fresh file's.
pub fn save(path: &Path, outcome: &Outcome) -> io::Result<()> {
    if !outcome.changed {
        return Ok(());
    }
    let target = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    let was = std::fs::metadata(&target)?;
    replace::replace(&target, outcome.text.as_bytes(), &was)
}

/// The error for a file that cannot be edited at all: validation's own diagnostics when it has
/// them (a `toml-syntax` error with its line), else `fallback`.
fn unparsable(path: &Path, bytes: &[u8], fallback: &str) -> EditError {
    match Project::from_bytes(path, bytes) {
        Err(diagnostics) => EditError::Invalid { diagnostics, already_invalid: true },
        Ok(_) => EditError::Refused(Refusal::new(fallback.to_string())),
    }
}

/// What an edit did to the document, before validation.
enum Change {
    Made { summary: String, notes: Vec<String> },
    Nothing(String),
}

impl Change {
    fn made(summary: impl Into<String>) -> Self {
        Change::Made { summary: summary.into(), notes: Vec::new() }
    }
}

/// The file being edited: its text, a parse that kept spans (for line numbers in messages), the
/// document being changed, and the validated project when the file is valid now.
struct Editor<'a> {
    path: &'a Path,
    original: &'a str,
    spanned: Document<&'a str>,
    doc: DocumentMut,
    before: Option<Project>,
}

/// Names, deduplicated, first occurrence kept.
fn unique(names: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for n in names {
        if !out.contains(n) {
            out.push(n.clone());
        }
    }
    out
}

/// `text` with the line breaks of `original`: a file written on Windows (CRLF) stays CRLF,
/// though what an edit adds comes out of toml_edit with `\n`.
fn same_line_breaks(original: &str, text: String) -> String {
    if original.contains("\r\n") { text.replace("\r\n", "\n").replace('\n', "\r\n") } else { text }
}

/// `a, b and c`.
fn listed(names: &[String]) -> String {
    match names {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

impl<'a> Editor<'a> {
    fn open(path: &'a Path, text: &'a str) -> Result<Self, EditError> {
        let spanned = Document::parse(text)
            .map_err(|e| unparsable(path, text.as_bytes(), &format!("roles.toml is not TOML: {e}")))?;
        let doc = spanned.clone().into_mut();
        let before = Project::from_bytes(path, text.as_bytes()).ok();
        Ok(Editor { path, original: text, spanned, doc, before })
    }

    /// `roles.toml:12`, for a span of the original text.
    fn at(&self, span: Option<Range<usize>>) -> String {
        let file = self.path.display();
        match span {
            Some(span) => {
                let line = self.original[..span.start.min(self.original.len())].matches('\n').count() + 1;
                format!("{file}:{line}")
            }
            None => file.to_string(),
        }
    }

    /// Where an entry's name is written.
    fn entry_at(&self, kind: Kind, name: &str) -> String {
        let span = entries::section(self.spanned.as_table(), kind).and_then(|s| s.key(name)).and_then(|k| k.span());
        self.at(span)
    }

    /// Refuses a name that does not exist, with a did-you-mean.
    fn require(&self, kind: Kind, name: &str) -> Result<(), Refusal> {
        let known = names(self.doc.as_table(), kind);
        if known.iter().any(|k| k == name) {
            return Ok(());
        }
        let hint = did_you_mean(name, known.iter().map(String::as_str));
        let file = self.path.file_name().map_or_else(|| "roles.toml".into(), |f| f.to_string_lossy());
        let hint = hint.or_else(|| known.is_empty().then(|| format!("{file} has no {} yet", kind.section())));
        Err(Refusal::new(format!("unknown {} `{name}`", kind.noun())).help(hint))
    }

    /// Refuses a new name that is invalid, taken, or reserved.
    fn check_new_name(&self, kind: Kind, name: &str) -> Result<(), Refusal> {
        if !is_valid_name(name) {
            return Err(Refusal::new(format!("invalid {} name `{name}`", kind.noun()))
                .help(Some(format!("{}; names are ASCII snake_case, like `export_data`", name_problem(name)))));
        }
        if names(self.doc.as_table(), kind).iter().any(|n| n == name) {
            return Err(Refusal::new(format!("{} `{name}` already exists", kind.noun()))
                .detail(format!("--> {}", self.entry_at(kind, name)))
                .help(Some("choose another name, or edit the existing entry".into())));
        }
        if entries::reserved_names(self.doc.as_table(), kind).iter().any(|n| n == name) {
            return Err(Refusal::new(format!("{} name `{name}` is reserved", kind.noun()))
                .detail(format!(
                    "it is listed in [reserved] {noun}_names: a removed {noun} keeps its name forever, \
                     so old data and code naming it never meet a new meaning",
                    noun = kind.noun()
                ))
                .help(Some("choose another name".into())));
        }
        Ok(())
    }

    fn check_description(description: &str) -> Result<(), Refusal> {
        if description.trim().is_empty() {
            return Err(Refusal::new("the description is empty").help(Some("say what it is for".into())));
        }
        Ok(())
    }

    /// max(used ∪ reserved) + 1: never an id that was ever given out.
    fn next_id(&self, kind: Kind) -> Result<i64, Refusal> {
        let used = entries::used_ids(self.doc.as_table(), kind);
        let next = used.into_iter().max().unwrap_or(0).max(0) + 1;
        if next > MAX_ID {
            return Err(Refusal::new(format!(
                "no {} id is left: ids run up to {MAX_ID} and are never reused",
                kind.noun()
            )));
        }
        Ok(next)
    }

    fn add_permission(&mut self, new: &NewPermission) -> Result<Change, Refusal> {
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

    fn add_role(&mut self, new: &NewRole) -> Result<Change, Refusal> {
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

    fn add_entity(&mut self, new: &NewEntity) -> Result<Change, Refusal> {
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

    /// Appends `name` to list `key` of a role (creating the list in its place when missing).
    fn push_to_role(&mut self, role: &str, key: &str, name: &str) {
        let Some(item) = entry_item_mut(&mut self.doc, Kind::Role, role) else { return };
        if let Some(list) = entries::array_mut(item, key, key_order("roles")) {
            array::push(list, name);
        }
    }

    /// The role's direct grants in the document.
    fn direct_grants(&self, role: &str) -> Vec<String> {
        entry(self.doc.as_table(), Kind::Role, role).map(|e| str_list(e, "permissions")).unwrap_or_default()
    }

    fn grant(&mut self, role: &str, permissions: &[String]) -> Result<Change, Refusal> {
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

    fn revoke(&mut self, role: &str, permissions: &[String]) -> Result<Change, Refusal> {
        self.require(Kind::Role, role)?;
        let permissions = unique(permissions);
        permissions.iter().try_for_each(|p| self.require(Kind::Permission, p))?;
        let direct = self.direct_grants(role);
        if let Some(p) = permissions.iter().find(|p| !direct.contains(p)) {
            return Err(self.not_granted_directly(role, p));
        }
        let notes: Vec<String> = permissions.iter().filter_map(|p| self.still_inherited(role, p)).collect();
        let item = entry_item_mut(&mut self.doc, Kind::Role, role);
        if let Some(list) = item.and_then(|i| i.get_mut("permissions")).and_then(Item::as_array_mut) {
            permissions.iter().for_each(|p| {
                array::remove_str(list, p);
            });
        }
        Ok(Change::Made { summary: format!("revoked {} from role {role}", listed(&permissions)), notes })
    }

    /// Why `role` cannot lose `perm`: it only inherits it (naming where from), or lacks it.
    fn not_granted_directly(&self, role: &str, perm: &str) -> Refusal {
        let Some(model) = self.before.as_ref().map(Project::model) else {
            return Refusal::new(format!("role `{role}` does not grant `{perm}` directly"));
        };
        let chain = model.role(role).zip(model.permission(perm)).and_then(|(r, p)| model.via(r, p));
        match chain {
            Some(chain) => {
                let names: Vec<&str> = chain.iter().map(|&i| model.roles[i].name.as_str()).collect();
                let source = names.last().copied().unwrap_or(role);
                let first_include = names.get(1).copied().unwrap_or(source);
                let message =
                    format!("role `{role}` does not grant `{perm}` directly: it inherits it from role `{source}`");
                let help = format!(
                    "revoke it from `{source}` (every role including `{source}` loses it), \
                     or drop `{first_include}` from the includes of `{role}`"
                );
                Refusal::new(message).detail(format!("include path: {}", names.join(" > "))).help(Some(help))
            }
            None => {
                let grants = self.direct_grants(role);
                let help =
                    if grants.is_empty() { None } else { Some(format!("its direct grants: {}", listed(&grants))) };
                Refusal::new(format!("role `{role}` does not hold `{perm}`")).help(help)
            }
        }
    }

    /// A note when `role` keeps `perm` through an include after the direct grant goes.
    fn still_inherited(&self, role: &str, perm: &str) -> Option<String> {
        let model = self.before.as_ref()?.model();
        let (r, p) = (model.role(role)?, model.permission(perm)?);
        let through = model.roles[r].includes.iter().find(|&&i| model.roles[i].effective.contains(p))?;
        Some(format!("role {role} still holds {perm} through role {}", model.roles[*through].name))
    }

    fn remove(&mut self, kind: Kind, name: &str, force: bool) -> Result<Change, Refusal> {
        self.require(kind, name)?;
        let references = refs::find(self.spanned.as_table(), kind, name);
        let lines: Vec<String> =
            references.iter().map(|r| format!("{}: {}", self.at(r.span.clone()), r.what)).collect();
        if !references.is_empty() && !force {
            let mut refusal =
                Refusal::new(format!("{} `{name}` is still referenced", kind.noun())).help(Some(format!(
                    "drop these references first, or run `role-gen remove {} {name} --force` to drop them too",
                    kind.noun()
                )));
            refusal.details = lines;
            return Err(refusal);
        }
        refs::drop_all(&mut self.doc, name, &references);
        let id = entry(self.doc.as_table(), kind, name).and_then(entries::id_of);
        layout::remove_entry(&mut self.doc, kind.section(), name);
        self.reserve(kind, id, name);
        let id_text = id.map(|id| format!(" (id {id})")).unwrap_or_default();
        let summary = format!("removed {} {name}{id_text}; its id and name are now reserved", kind.noun());
        let notes = lines.into_iter().map(|l| format!("dropped the reference at {l}")).collect();
        Ok(Change::Made { summary, notes })
    }

    /// Records a removed entry's id and name in `[reserved]`, creating the table or keys.
    fn reserve(&mut self, kind: Kind, id: Option<i64>, name: &str) {
        if self.doc.get("reserved").is_none() {
            let table = layout::new_table_in(&mut self.doc, "reserved");
            self.doc.insert("reserved", Item::Table(table));
        }
        let Some(reserved) = self.doc.get_mut("reserved") else { return };
        let order = key_order("reserved");
        if let Some(id) = id
            && let Some(list) = entries::array_mut(reserved, &format!("{}_ids", kind.noun()), order)
            && !list.iter().any(|v| v.as_integer() == Some(id))
        {
            array::push(list, id);
        }
        if let Some(list) = entries::array_mut(reserved, &format!("{}_names", kind.noun()), order)
            && !list.iter().any(|v| v.as_str() == Some(name))
        {
            array::push(list, name);
        }
    }

    fn deprecate(&mut self, name: &str, reason: Option<&str>) -> Result<Change, Refusal> {
        self.require(Kind::Permission, name)?;
        let current = entry(self.doc.as_table(), Kind::Permission, name).and_then(|e| e.get("deprecated"));
        let (was, old_reason) = match current {
            Some(item) => (item.as_bool().unwrap_or(item.is_str()), item.as_str().map(str::to_string)),
            None => (false, None),
        };
        if was && (reason.is_none() || reason == old_reason.as_deref()) {
            let why = old_reason.map(|r| format!(" ({r})")).unwrap_or_default();
            return Ok(Change::Nothing(format!("permission {name} is already deprecated{why}; nothing changed")));
        }
        let value = reason.map_or_else(|| Value::from(true), Value::from);
        if let Some(item) = entry_item_mut(&mut self.doc, Kind::Permission, name) {
            entries::set_value(item, "deprecated", value, key_order("permissions"));
        }
        let summary = match (was, reason) {
            (true, Some(r)) => format!("changed why permission {name} is deprecated: {r}"),
            (false, Some(r)) => format!("deprecated permission {name}: {r}"),
            _ => format!("deprecated permission {name}"),
        };
        Ok(Change::made(summary))
    }

    fn format(&mut self) -> Result<Change, Refusal> {
        format::format(&mut self.doc);
        let text = same_line_breaks(self.original, self.doc.to_string());
        if text == self.original {
            return Ok(Change::Nothing(format!("{} is already formatted", self.path.display())));
        }
        let same = |t: &str| t.parse::<toml::Table>().ok();
        if same(&text) != same(self.original) {
            return Err(Refusal::new("formatting would change what roles.toml means; it was left as it is")
                .help(Some("this is a bug in role-gen fmt: please report it with the file".into())));
        }
        Ok(Change::made(format!("formatted {}", self.path.display())))
    }

    /// Validates the new text; reports what changed and which warnings are new.
    fn finish(self, change: Change) -> Result<Outcome, EditError> {
        let unchanged = |summary: String| Outcome {
            text: self.original.to_string(),
            changed: false,
            summary,
            notes: Vec::new(),
            new_warnings: None,
        };
        let (summary, notes) = match change {
            Change::Nothing(summary) => return Ok(unchanged(summary)),
            Change::Made { summary, notes } => (summary, notes),
        };
        let text = same_line_breaks(self.original, self.doc.to_string());
        if text == self.original {
            return Ok(unchanged(format!("{summary}: the file already said so; nothing changed")));
        }
        match Project::from_bytes(self.path, text.as_bytes()) {
            Ok(project) => {
                let new_warnings = self.new_warnings(&project);
                Ok(Outcome { text, changed: true, summary, notes, new_warnings })
            }
            Err(diagnostics) => Err(EditError::Invalid { diagnostics, already_invalid: self.before.is_none() }),
        }
    }

    /// The warnings of `after` that the file did not have before.
    fn new_warnings(&self, after: &Project) -> Option<Diagnostics> {
        let old: Vec<(crate::Code, String)> =
            self.before.iter().flat_map(|b| b.diagnostics().warnings().map(|w| (w.code, w.message.clone()))).collect();
        let mut fresh = Diagnostics::new(after.source().clone());
        after
            .diagnostics()
            .warnings()
            .filter(|w| !old.contains(&(w.code, w.message.clone())))
            .for_each(|w| fresh.push(w.clone()));
        (!fresh.is_empty()).then_some(fresh)
    }
}
