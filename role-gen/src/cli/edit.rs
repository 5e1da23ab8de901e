//! `add`, `grant`, `revoke`, `remove`, `deprecate` and `fmt`: their arguments, prompts, printing
//! and exit codes. The document work is [`crate::edit`]; this file only talks to the user.

use std::io::{BufRead as _, Write as _};
use std::path::Path;

use clap::{ArgMatches, Args, Subcommand, ValueEnum};
use clap_complete::engine::{ArgValueCompleter, CompletionCandidate};

use super::complete;
use super::output::{err, errln, out, outln};
use super::paths::command;
use super::{Context, Failure, Style, can_prompt, shown_path};
use crate::edit::{self, Edit, EditError, Kind, NewEntity, NewPermission, NewPolicy, NewRole, NewRule, Outcome};
use crate::escape::{shown, shown_lines};

/// `role-gen add …`
#[derive(Debug, Subcommand)]
pub enum AddCommand {
    /// Add a permission with the next free id
    #[command(
        after_help = "Example:\n  role-gen add permission export_data --description \"Export data\" --entity workspace --grant admin"
    )]
    Permission(AddPermissionArgs),
    /// Add a role with the next free id
    #[command(
        after_help = "Example:\n  role-gen add role billing_admin --description \"Runs billing\" --permission manage_billing --assignable-on enterprise"
    )]
    Role(AddRoleArgs),
    /// Add an entity type with the next free id (its protobuf number)
    #[command(after_help = "Example:\n  role-gen add entity channel --description \"A channel\" --parent workspace")]
    Entity(AddEntityArgs),
    /// Add a policy with the next free id; its rules in the order given
    #[command(after_help = "Rules run in the order they are given; the first that fires decides, and none firing \
                      denies. A list is comma-separated.\n\nExample:\n  role-gen add policy channel_archive \\\n    \
                      --description \"Whether the actor may archive the channel\" --entity channel \\\n    \
                      --deny-if-legacy guest --allow-if-legacy-at-least admin \\\n    \
                      --allow-if-permission archive_channel --allow-if actor_created_channel")]
    Policy(AddPolicyArgs),
}

/// `role-gen add permission`.
#[derive(Debug, Args)]
pub struct AddPermissionArgs {
    /// Its snake_case name (asked for on a terminal when missing)
    name: Option<String>,
    /// What it allows (asked for on a terminal when missing)
    #[arg(long)]
    description: Option<String>,
    /// An entity type it is checked against (repeatable; default: every entity type)
    #[arg(long = "entity", value_name = "ENTITY", add = ArgValueCompleter::new(complete::entities))]
    entities: Vec<String>,
    /// A group, for docs
    #[arg(long, add = ArgValueCompleter::new(complete::groups))]
    group: Option<String>,
    /// A role to grant it to (repeatable)
    #[arg(long = "grant", value_name = "ROLE", add = ArgValueCompleter::new(complete::roles))]
    grants: Vec<String>,
}

/// `role-gen add role`.
#[derive(Debug, Args)]
pub struct AddRoleArgs {
    /// Its snake_case name (asked for on a terminal when missing)
    name: Option<String>,
    /// What it is for (asked for on a terminal when missing)
    #[arg(long)]
    description: Option<String>,
    /// A permission to grant it (repeatable)
    #[arg(long = "permission", value_name = "PERMISSION", add = ArgValueCompleter::new(complete::permissions))]
    permissions: Vec<String>,
    /// A role whose permissions it inherits (repeatable)
    #[arg(long = "include", value_name = "ROLE", add = ArgValueCompleter::new(complete::roles))]
    includes: Vec<String>,
    /// An entity type it may be assigned on (repeatable; default: every entity type)
    #[arg(long = "assignable-on", value_name = "ENTITY", add = ArgValueCompleter::new(complete::entities))]
    assignable_on: Vec<String>,
}

/// `role-gen add entity`.
#[derive(Debug, Args)]
pub struct AddEntityArgs {
    /// Its snake_case name (asked for on a terminal when missing)
    name: Option<String>,
    /// What it is (asked for on a terminal when missing)
    #[arg(long)]
    description: Option<String>,
    /// The entity it lies inside
    #[arg(long, add = ArgValueCompleter::new(complete::entities))]
    parent: Option<String>,
}

/// `role-gen add policy`. Its rule flags may be mixed and repeated: the rules keep the order
/// of the command line, read from clap's argument indices (which the derive API drops, hence
/// the hand-written [`Args`] impl below).
#[derive(Debug, Clone, Default)]
pub struct AddPolicyArgs {
    name: Option<String>,
    description: Option<String>,
    entity: Option<String>,
    rules: Vec<NewRule>,
}

/// One rule flag: its id and long name, the value's name, help, the rule it makes, and what
/// completes its value.
type RuleFlag = (&'static str, &'static str, &'static str, fn(Vec<String>) -> NewRule, Completer);

/// What completes a value on the command line.
type Completer = fn(&std::ffi::OsStr) -> Vec<CompletionCandidate>;

/// Every rule flag.
const RULE_FLAGS: [RuleFlag; 5] = [
    (
        "deny-if-legacy",
        "LEVEL[,LEVEL…]",
        "Deny an actor at one of these legacy levels",
        NewRule::DenyIfLegacy,
        complete::level_list,
    ),
    (
        "allow-if-legacy-at-least",
        "LEVEL",
        "Allow an actor at this legacy level or above",
        |v| NewRule::AllowIfLegacyAtLeast(v.into_iter().next().unwrap_or_default()),
        complete::levels,
    ),
    (
        "allow-if-permission",
        "PERMISSION[,PERMISSION…]",
        "Allow an actor holding one of these permissions",
        NewRule::AllowIfPermission,
        complete::permission_list,
    ),
    (
        "allow-if",
        "PREDICATE",
        "Allow when this custom predicate holds",
        |v| NewRule::AllowIf(v.into_iter().next().unwrap_or_default()),
        complete::predicates,
    ),
    (
        "deny-if",
        "PREDICATE",
        "Deny when this custom predicate holds",
        |v| NewRule::DenyIf(v.into_iter().next().unwrap_or_default()),
        complete::predicates,
    ),
];

impl Args for AddPolicyArgs {
    fn augment_args(cmd: clap::Command) -> clap::Command {
        use clap::{Arg, ArgAction};
        let mut cmd = cmd
            .arg(Arg::new("name").value_name("NAME").help("Its snake_case name (asked for on a terminal when missing)"))
            .arg(
                Arg::new("description")
                    .long("description")
                    .help("What it decides (asked for on a terminal when missing)"),
            )
            .arg(
                Arg::new("entity")
                    .long("entity")
                    .value_name("ENTITY")
                    .required(true)
                    .help("The entity type it decides on")
                    .add(ArgValueCompleter::new(complete::entities)),
            );
        for (id, value, help, _, completer) in RULE_FLAGS {
            let help = format!("{help} (a rule; repeatable, kept in command-line order)");
            let arg = Arg::new(id).long(id).value_name(value).action(ArgAction::Append).help(help);
            cmd = cmd.arg(arg.add(ArgValueCompleter::new(completer)));
        }
        cmd
    }

    fn augment_args_for_update(cmd: clap::Command) -> clap::Command {
        Self::augment_args(cmd)
    }
}

impl clap::FromArgMatches for AddPolicyArgs {
    fn from_arg_matches(m: &ArgMatches) -> Result<Self, clap::Error> {
        let one = |id: &str| m.get_one::<String>(id).cloned();
        let mut rules: Vec<(usize, NewRule)> = Vec::new();
        for (id, _, _, make, _) in RULE_FLAGS {
            let (Some(values), Some(at)) = (m.get_many::<String>(id), m.indices_of(id)) else { continue };
            for (value, at) in values.zip(at) {
                let list = value.split(',').map(str::trim).filter(|s| !s.is_empty()).map(str::to_string).collect();
                rules.push((at, make(list)));
            }
        }
        rules.sort_by_key(|(at, _)| *at);
        let rules = rules.into_iter().map(|(_, r)| r).collect();
        Ok(AddPolicyArgs { name: one("name"), description: one("description"), entity: one("entity"), rules })
    }

    fn update_from_arg_matches(&mut self, m: &ArgMatches) -> Result<(), clap::Error> {
        *self = Self::from_arg_matches(m)?;
        Ok(())
    }
}

/// `role-gen grant`.
#[derive(Debug, Args)]
pub struct GrantArgs {
    /// The role
    #[arg(add = ArgValueCompleter::new(complete::roles))]
    role: String,
    /// The permissions to grant
    #[arg(required = true, add = ArgValueCompleter::new(complete::grantable))]
    permissions: Vec<String>,
}

/// `role-gen revoke`.
#[derive(Debug, Args)]
pub struct RevokeArgs {
    /// The role
    #[arg(add = ArgValueCompleter::new(complete::roles))]
    role: String,
    /// The permissions to revoke
    #[arg(required = true, add = ArgValueCompleter::new(complete::revocable))]
    permissions: Vec<String>,
}

/// `role-gen remove`.
#[derive(Debug, Args)]
pub struct RemoveArgs {
    /// What to remove
    #[arg(value_enum)]
    kind: ItemKind,
    /// Its name
    #[arg(add = ArgValueCompleter::new(complete::removable))]
    name: String,
    /// Also drop every reference to it (grants, includes, policy rules, tests; an entity's
    /// `entities`, `assignable_on` and `parent` mentions)
    #[arg(long)]
    force: bool,
}

/// What `remove` removes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ItemKind {
    Permission,
    Role,
    Policy,
    Entity,
}

/// `role-gen deprecate`.
#[derive(Debug, Args)]
pub struct DeprecateArgs {
    /// What to deprecate (only permissions can be)
    #[arg(value_enum)]
    kind: DeprecateKind,
    /// Its name
    #[arg(add = ArgValueCompleter::new(complete::deprecatable))]
    name: String,
    /// Why, and what to use instead
    #[arg(long)]
    reason: Option<String>,
}

/// What `deprecate` deprecates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DeprecateKind {
    Permission,
}

/// `role-gen fmt`.
#[derive(Debug, Args)]
pub struct FmtArgs {
    /// Only report (exit 1) when the file is not formatted
    #[arg(long)]
    check: bool,
    /// Also order: sections as in the SPEC, permissions and roles by id within each group a
    /// comment block heads, keys as in the SPEC
    #[arg(long)]
    sort: bool,
}

impl AddCommand {
    /// Adds the item, asking for its name and description on a terminal when they are missing.
    pub(super) fn run(&self, cx: &Context) -> Result<(), Failure> {
        run_edit(cx, || match self {
            AddCommand::Permission(args) => args.request(),
            AddCommand::Role(args) => args.request(),
            AddCommand::Entity(args) => args.request(),
            AddCommand::Policy(args) => args.request(),
        })
    }
}

impl AddPermissionArgs {
    fn request(&self) -> Result<Edit, Failure> {
        let (name, description) = named(&self.name, &self.description, "permission", "what it allows")?;
        let (entities, group, grants) = (self.entities.clone(), self.group.clone(), self.grants.clone());
        Ok(Edit::AddPermission(NewPermission { name, description, entities, group, grants }))
    }
}

impl AddRoleArgs {
    fn request(&self) -> Result<Edit, Failure> {
        let (name, description) = named(&self.name, &self.description, "role", "what the role is for")?;
        let (permissions, includes, assignable_on) =
            (self.permissions.clone(), self.includes.clone(), self.assignable_on.clone());
        Ok(Edit::AddRole(NewRole { name, description, permissions, includes, assignable_on }))
    }
}

impl AddEntityArgs {
    fn request(&self) -> Result<Edit, Failure> {
        let (name, description) = named(&self.name, &self.description, "entity type", "what it is")?;
        Ok(Edit::AddEntity(NewEntity { name, description, parent: self.parent.clone() }))
    }
}

impl AddPolicyArgs {
    fn request(&self) -> Result<Edit, Failure> {
        let (name, description) = named(&self.name, &self.description, "policy", "what it decides")?;
        let entity = self.entity.clone().unwrap_or_default();
        Ok(Edit::AddPolicy(NewPolicy { name, description, entity, rules: self.rules.clone() }))
    }
}

/// The new item's name and description, each given or asked for (the name first).
fn named(
    name: &Option<String>,
    description: &Option<String>,
    kind: &str,
    what: &str,
) -> Result<(String, String), Failure> {
    let name = given_or_asked(name, "NAME", &format!("name of the new {kind}"))?;
    Ok((name, given_or_asked(description, "--description", what)?))
}

impl GrantArgs {
    /// Grants the permissions to the role directly.
    pub(super) fn run(&self, cx: &Context) -> Result<(), Failure> {
        run_edit(cx, || Ok(Edit::Grant { role: self.role.clone(), permissions: self.permissions.clone() }))
    }
}

impl RevokeArgs {
    /// Revokes the role's direct grants of the permissions.
    pub(super) fn run(&self, cx: &Context) -> Result<(), Failure> {
        run_edit(cx, || Ok(Edit::Revoke { role: self.role.clone(), permissions: self.permissions.clone() }))
    }
}

impl RemoveArgs {
    /// Removes the item and reserves its id and name.
    pub(super) fn run(&self, cx: &Context) -> Result<(), Failure> {
        let kind = match self.kind {
            ItemKind::Role => Kind::Role,
            ItemKind::Permission => Kind::Permission,
            ItemKind::Policy => Kind::Policy,
            ItemKind::Entity => Kind::Entity,
        };
        run_edit(cx, || Ok(Edit::Remove { kind, name: self.name.clone(), force: self.force }))
    }
}

impl DeprecateArgs {
    /// Marks the permission deprecated (the only kind there is: `kind` is for the command's shape).
    pub(super) fn run(&self, cx: &Context) -> Result<(), Failure> {
        let DeprecateKind::Permission = self.kind;
        run_edit(cx, || Ok(Edit::Deprecate { name: self.name.clone(), reason: self.reason.clone() }))
    }
}

impl FmtArgs {
    /// Rewrites roles.toml in its canonical layout; with `--check`, only reports.
    pub(super) fn run(&self, cx: &Context) -> Result<(), Failure> {
        if !self.check {
            return run_edit(cx, || Ok(Edit::Format { sort: self.sort }));
        }
        // `fmt --check` writes nothing, so it takes no lock and works on a read-only file.
        let path = cx.roles_file()?;
        let bytes = read(&path, std::fs::read(&path))?;
        let outcome = edit::apply(&path, &bytes, &Edit::Format { sort: self.sort })
            .map_err(|e| report_error(&path, &e, cx.style))?;
        fmt_check(cx, &path, &outcome)
    }
}

/// Runs one edit of roles.toml: the file is found first, then `request` (which may prompt) says
/// what to do, and only then is the file locked, since a prompt may wait on the user for as long
/// as they like.
fn run_edit(cx: &Context, request: impl FnOnce() -> Result<Edit, Failure>) -> Result<(), Failure> {
    let path = cx.roles_file()?;
    let request = request()?;
    let outcome = edit_locked(&path, &request, cx.style)?;
    report(cx, &request, &outcome);
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
            err!("{}", style.human(diagnostics));
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
fn report(cx: &Context, request: &Edit, outcome: &Outcome) {
    let style = cx.style;
    if style.quiet {
        return;
    }
    outln!("{}", shown(&outcome.summary));
    for note in &outcome.notes {
        outln!("  {}", shown(note));
    }
    if let Some(warnings) = &outcome.new_warnings {
        err!("{}", style.human(warnings));
    }
    if outcome.changed && !matches!(request, Edit::Format { .. }) {
        outln!("next: `{}` refreshes the generated files", command("generate", cx.file.as_deref()));
    }
}

/// `fmt --check`: exit 1 with the diff when formatting would change the file; writes nothing.
fn fmt_check(cx: &Context, path: &Path, outcome: &Outcome) -> Result<(), Failure> {
    if !outcome.changed {
        if !cx.style.quiet {
            outln!("{}", shown(&outcome.summary));
        }
        return Ok(());
    }
    let old = std::fs::read_to_string(path).unwrap_or_default();
    let name = shown_path(path);
    let diff = similar::TextDiff::from_lines(old.as_str(), outcome.text.as_str());
    let diff = diff.unified_diff().context_radius(2).header(&name, &format!("{name} (formatted)")).to_string();
    out!("{}", shown_lines(&diff));
    errln!("error: {name} is not formatted; `{}` would change it as shown", command("fmt", cx.file.as_deref()));
    Err(Failure::Checked)
}
