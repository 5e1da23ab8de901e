//! `add`, `grant`, `revoke`, `remove`, `deprecate` and `fmt`: arguments, prompts, printing and
//! exit codes. The document work is [`crate::edit`]; this file only talks to the user.

use std::io::{BufRead as _, Write as _};
use std::path::Path;

use super::output::{err, errln, out, outln};
use super::{AddCommand, Cli, Command, Failure, ItemKind, Style, can_prompt, find_roles_file, shown_path};
use crate::edit::{self, Edit, EditError, Kind, NewEntity, NewPermission, NewRole, Outcome};
use crate::escape::{shown, shown_lines};

/// Runs one editing command against roles.toml.
pub fn run(cli: &Cli, style: Style) -> Result<(), Failure> {
    let path = find_roles_file(cli.file.as_deref())?;
    // Asked before the file is locked: a prompt may wait on the user for as long as they like.
    let (request, check_only) = request(&cli.command)?;
    if check_only {
        // `fmt --check` writes nothing, so it takes no lock and works on a read-only file.
        let bytes = read(&path, std::fs::read(&path))?;
        let outcome = edit::apply(&path, &bytes, &request).map_err(|e| report_error(&path, &e, style))?;
        return fmt_check(&path, &outcome, style);
    }
    let outcome = edit_locked(&path, &request, style)?;
    report(cli, &request, &outcome, style);
    Ok(())
}

/// Reads, applies and writes under the edit lock, so that an edit made by another process at
/// the same moment is applied before or after this one, never lost.
fn edit_locked(path: &Path, request: &Edit, style: Style) -> Result<Outcome, Failure> {
    let guard = edit::lock(path).map_err(|e| Failure::Usage(format!("cannot edit `{}`: {e}", path.display())))?;
    let bytes = read(path, guard.read())?;
    let outcome = edit::apply(path, &bytes, request).map_err(|e| report_error(path, &e, style))?;
    edit::save(path, &outcome).map_err(|e| Failure::Usage(format!("cannot write `{}`: {e}", path.display())))?;
    drop(guard);
    Ok(outcome)
}

fn read(path: &Path, bytes: std::io::Result<Vec<u8>>) -> Result<Vec<u8>, Failure> {
    bytes.map_err(|e| Failure::Usage(format!("cannot read `{}`: {e}", path.display())))
}

/// The edit the command line asks for, and whether it is `fmt --check`.
fn request(command: &Command) -> Result<(Edit, bool), Failure> {
    let edit = match command {
        Command::Add(add) => add_request(add)?,
        Command::Grant { role, permissions } => Edit::Grant { role: role.clone(), permissions: permissions.clone() },
        Command::Revoke { role, permissions } => Edit::Revoke { role: role.clone(), permissions: permissions.clone() },
        Command::Remove { kind, name, force } => {
            let kind = if *kind == ItemKind::Role { Kind::Role } else { Kind::Permission };
            Edit::Remove { kind, name: name.clone(), force: *force }
        }
        Command::Deprecate { kind: _, name, reason } => Edit::Deprecate { name: name.clone(), reason: reason.clone() },
        Command::Fmt { check } => return Ok((Edit::Format, *check)),
        other => return Err(Failure::Usage(format!("`{other:?}` is not an editing command"))),
    };
    Ok((edit, false))
}

fn add_request(add: &AddCommand) -> Result<Edit, Failure> {
    Ok(match add {
        AddCommand::Permission { name, description, entities, group, grants } => Edit::AddPermission(NewPermission {
            name: given_or_asked(name, "NAME", "name of the new permission")?,
            description: given_or_asked(description, "--description", "what it allows")?,
            entities: entities.clone(),
            group: group.clone(),
            grants: grants.clone(),
        }),
        AddCommand::Role { name, description, permissions, includes, assignable_on } => Edit::AddRole(NewRole {
            name: given_or_asked(name, "NAME", "name of the new role")?,
            description: given_or_asked(description, "--description", "what the role is for")?,
            permissions: permissions.clone(),
            includes: includes.clone(),
            assignable_on: assignable_on.clone(),
        }),
        AddCommand::Entity { name, description, parent } => Edit::AddEntity(NewEntity {
            name: given_or_asked(name, "NAME", "name of the new entity type")?,
            description: given_or_asked(description, "--description", "what it is")?,
            parent: parent.clone(),
        }),
    })
}

/// The argument when given; else, on a terminal, a line asked for on stderr. Without a terminal
/// (CI, a pipe) it never waits for input: a missing argument is a usage error.
fn given_or_asked(value: &Option<String>, argument: &str, what: &str) -> Result<String, Failure> {
    if let Some(value) = value {
        return Ok(value.clone());
    }
    if !can_prompt() {
        return Err(Failure::Usage(format!(
            "missing {argument} ({what}); stdin is not a terminal, so role-gen does not ask for it"
        )));
    }
    err!("{what}: ");
    std::io::stderr().flush()?;
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line)?;
    let answer = line.trim();
    if answer.is_empty() {
        return Err(Failure::Usage(format!("missing {argument} ({what}): nothing was entered")));
    }
    Ok(answer.to_string())
}

/// Prints why an edit was not made; the file is untouched.
fn report_error(path: &Path, error: &EditError, style: Style) -> Failure {
    match error {
        EditError::Refused(refusal) => errln!("error: {refusal}"),
        EditError::Invalid { diagnostics, already_invalid } => {
            err!("{}", diagnostics.render_human(style.color));
            let errors = diagnostics.errors().count();
            let plural = if errors == 1 { "" } else { "s" };
            if *already_invalid {
                errln!(
                    "error: {} is invalid ({errors} error{plural}) and this edit does not fix it; it was not changed",
                    shown_path(path)
                );
            } else {
                errln!(
                    "error: the edit would make {} invalid ({errors} error{plural}); it was not changed",
                    shown_path(path)
                );
            }
        }
    }
    Failure::Checked
}

/// Says what changed, what else to know, and how to refresh the generated files.
fn report(cli: &Cli, request: &Edit, outcome: &Outcome, style: Style) {
    if style.quiet {
        return;
    }
    outln!("{}", shown(&outcome.summary));
    for note in &outcome.notes {
        outln!("  {}", shown(note));
    }
    if let Some(warnings) = &outcome.new_warnings {
        err!("{}", warnings.render_human(style.color));
    }
    if outcome.changed && *request != Edit::Format {
        let file = cli.file.as_ref().map(|f| format!(" -f {}", shown_path(f))).unwrap_or_default();
        outln!("next: `role-gen generate{file}` refreshes the generated files");
    }
}

/// `fmt --check`: exit 1 with the diff when formatting would change the file; writes nothing.
fn fmt_check(path: &Path, outcome: &Outcome, style: Style) -> Result<(), Failure> {
    if !outcome.changed {
        if !style.quiet {
            outln!("{}", shown(&outcome.summary));
        }
        return Ok(());
    }
    let old = std::fs::read_to_string(path).unwrap_or_default();
    let name = shown_path(path);
    let diff = similar::TextDiff::from_lines(old.as_str(), outcome.text.as_str());
    let diff = diff.unified_diff().context_radius(2).header(&name, &format!("{name} (formatted)")).to_string();
    out!("{}", shown_lines(&diff));
    errln!("error: {name} is not formatted; `role-gen fmt` would change it as shown");
    Err(Failure::Checked)
}
