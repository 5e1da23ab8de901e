//! Editing roles.toml in place: `add`, `grant`, `revoke`, `remove`, `deprecate` and `fmt`.
//!
//! People comment their roles.toml heavily (why a permission exists, which ticket asked for a
//! grant), so an edit must not cost them a single comment. Every edit therefore works on a
//! [`toml_edit::DocumentMut`]: comments, blank lines and key order survive, including the
//! comment above or beside the entry being edited, and new entries are appended next to the
//! others of their kind, in their style.
//!
//! An edit is pure: [`apply`] takes the file's bytes and returns the new text, validated with
//! [`Project::from_bytes`] (custom templates read, as `validate` reads them), or says why not
//! ([`EditError`]); [`apply_to_text`] validates without reading any file (the language server,
//! which edits the text an editor sent). Nothing is written until the caller
//! calls [`save`], which writes atomically and only when the text changed, so a refused or
//! empty edit leaves the file (and its mtime) exactly as it was. A caller that writes takes
//! [`lock`] first and holds it from reading the bytes to [`save`]: two edits at one moment then
//! run one after the other, and neither is lost.
//!
//! This file holds the requests and what they give back; the commands are `editor` (the file
//! being edited, the checks every command shares, validation of the result), `add`, `grants`
//! (`grant`, `revoke`) and `retire` (`remove`, `deprecate`), on the document helpers of
//! `entries`, `layout`, `array` and `refs`; `format` is `fmt` (`sort` its `--sort`), `replace`
//! the atomic write.

mod add;
mod array;
mod editor;
mod entries;
mod format;
mod grants;
mod layout;
mod refs;
mod refusal;
mod replace;
mod retire;
mod sort;

use std::io;
use std::path::Path;

use editor::Editor;
pub use entries::Kind;
pub use refusal::Refusal;
pub use role_gen_core::codes::Refused;

use crate::{Diagnostics, Project, Validated, lock};

/// The UTF-8 byte order mark some Windows editors put first. toml_edit drops it on output, so an
/// edit takes it off before parsing and puts it back on the new text.
const BOM: &str = "\u{feff}";

/// The largest id a permission, role, policy or entity type may have.
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

/// `add policy`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NewPolicy {
    pub name: String,
    pub description: String,
    /// The entity type it decides on.
    pub entity: String,
    /// Its rules, in order: the first that fires decides.
    pub rules: Vec<NewRule>,
}

/// One rule of a new policy (SPEC section 5), named as roles.toml names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NewRule {
    DenyIfLegacy(Vec<String>),
    AllowIfLegacyAtLeast(String),
    AllowIfPermission(Vec<String>),
    AllowIf(String),
    DenyIf(String),
}

/// One editing command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Edit {
    AddPermission(NewPermission),
    AddRole(NewRole),
    AddEntity(NewEntity),
    AddPolicy(NewPolicy),
    Grant {
        role: String,
        permissions: Vec<String>,
    },
    Revoke {
        role: String,
        permissions: Vec<String>,
    },
    /// `kind` is a permission, role, policy or entity type.
    Remove {
        kind: Kind,
        name: String,
        force: bool,
    },
    Deprecate {
        name: String,
        reason: Option<String>,
    },
    /// `fmt`: the canonical layout; with `sort`, the canonical order too (`fmt --sort`).
    Format {
        sort: bool,
    },
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

/// Whether validating an edit reads the custom templates the file names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Reading {
    /// As `validate` does: a template that cannot be read is a `template-error`.
    Templates,
    /// The text alone: every rule of the file itself, no file read.
    TextOnly,
}

impl Reading {
    /// `bytes` validated this way.
    fn validate(self, path: &Path, bytes: &[u8]) -> Result<Validated, Diagnostics> {
        let validated = crate::validate(crate::decode(crate::SourceFile::new(path, ""), bytes)?)?;
        match self {
            Reading::Templates => Project::new(validated).map(Project::into_validated),
            Reading::TextOnly => Ok(validated),
        }
    }
}

/// Applies `edit` to the roles.toml whose bytes are `bytes` (`path` names it in messages and
/// anchors its relative paths). Pure: writes nothing.
pub fn apply(path: &Path, bytes: &[u8], edit: &Edit) -> Result<Outcome, EditError> {
    apply_reading(path, bytes, edit, Reading::Templates)
}

/// [`apply`] reading no file at all: the result is validated as `validate` does but for the
/// custom templates, which are not read (a `template-error` is not found). For a caller that
/// holds the text and may not touch the disk: the language server edits what the editor sent.
pub fn apply_to_text(path: &Path, text: &str, edit: &Edit) -> Result<Outcome, EditError> {
    apply_reading(path, text.as_bytes(), edit, Reading::TextOnly)
}

fn apply_reading(path: &Path, bytes: &[u8], edit: &Edit, reading: Reading) -> Result<Outcome, EditError> {
    let Ok(text) = std::str::from_utf8(bytes) else {
        return Err(unparsable(path, bytes, "roles.toml is not UTF-8", reading));
    };
    match text.strip_prefix(BOM) {
        Some(rest) => apply_text(path, rest, edit, reading).map(|mut outcome| {
            outcome.text.insert_str(0, BOM);
            outcome
        }),
        None => apply_text(path, text, edit, reading),
    }
}

/// [`apply`] on the text after any byte order mark.
fn apply_text(path: &Path, text: &str, edit: &Edit, reading: Reading) -> Result<Outcome, EditError> {
    let bytes = text.as_bytes();
    let mut editor = Editor::open(path, text, reading)?;
    if matches!(edit, Edit::Format { .. }) && editor.before.is_none() {
        // Formatting an invalid file could hide its errors' lines; fix them first.
        return Err(unparsable(path, bytes, "roles.toml is invalid", reading));
    }
    let change = match edit {
        Edit::AddPermission(new) => editor.add_permission(new),
        Edit::AddRole(new) => editor.add_role(new),
        Edit::AddEntity(new) => editor.add_entity(new),
        Edit::AddPolicy(new) => editor.add_policy(new),
        Edit::Grant { role, permissions } => editor.grant(role, permissions),
        Edit::Revoke { role, permissions } => editor.revoke(role, permissions),
        Edit::Remove { kind, name, force } => editor.remove(*kind, name, *force),
        Edit::Deprecate { name, reason } => editor.deprecate(name, reason.as_deref()),
        Edit::Format { sort } => editor.format(*sort),
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
fn unparsable(path: &Path, bytes: &[u8], fallback: &str, reading: Reading) -> EditError {
    match reading.validate(path, bytes) {
        Err(diagnostics) => EditError::Invalid { diagnostics, already_invalid: true },
        Ok(_) => EditError::Refused(Refusal::new(Refused::NotEditable, fallback.to_string())),
    }
}
