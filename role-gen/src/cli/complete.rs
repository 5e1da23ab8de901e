//! Shell completion: clap_complete's dynamic completion. The script a shell sources (`role-gen
//! completions bash`, the same as `COMPLETE=bash role-gen`) asks role-gen itself at each TAB
//! (`COMPLETE=bash role-gen -- role-gen grant …`), so subcommands and flags come from the clap
//! definition that parses them: the bash script `clap_complete::generate` wrote never matched
//! its own `case` labels for a hyphenated binary name (clap-rs/clap#6421), so `role-gen add
//! <TAB>` completed nothing. Names come from the nearest roles.toml, or the `-f` on the line:
//! `grant` offers roles, then the permissions the role does not grant yet, and so on.
//!
//! Reading roles.toml for a completion follows every command's rules (`read_source`: no link out
//! of its folder, at most `SOURCE_LIMIT` bytes) and is quiet: a missing, unreadable or broken
//! file offers no names and prints nothing, and a panic prints nothing either. A file with
//! errors still offers the names it declares (syntax only; no validation runs).

use std::collections::HashMap;
use std::ffi::{OsStr, OsString};
use std::path::PathBuf;
use std::sync::OnceLock;

use clap::CommandFactory as _;
use clap_complete::engine::CompletionCandidate;
use clap_complete::env::{CompleteEnv, EnvCompleter, Shells};
use role_gen_core::codes::{Change, Class};
use role_gen_core::syntax::{self, Deprecation, RuleKindDef};

use super::Failure;
use crate::escape::shown;
use crate::names::is_valid_name;

/// The environment variable that makes a run a completion request.
const VAR: &str = "COMPLETE";

/// Answers a completion request and exits, when this run is one; else returns at once.
pub(super) fn answer_if_asked() {
    if std::env::var_os(VAR).is_none_or(|v| v.is_empty() || v == "0") {
        return;
    }
    // A prompt is no place for a panic message: the shell shows nothing when role-gen fails.
    std::panic::set_hook(Box::new(|_| {}));
    let _ = LINE.set(Line::read());
    CompleteEnv::with_factory(super::Cli::command).var(VAR).complete();
}

/// The script that makes `shell` complete role-gen by asking it (`role-gen completions SHELL`):
/// what `COMPLETE=SHELL role-gen` prints.
pub(super) fn registration(shell: &str) -> Result<String, Failure> {
    let shells = Shells::builtins();
    let completer: &dyn EnvCompleter =
        shells.completer(shell).ok_or_else(|| Failure::Usage(format!("no completion for the shell `{shell}`")))?;
    let mut script = Vec::new();
    completer.write_registration(VAR, "role-gen", "role-gen", &this_program(), &mut script)?;
    Ok(String::from_utf8_lossy(&script).into_owned())
}

/// How the script calls role-gen back: as it was called now (a name found on `PATH` stays a
/// name; a relative path is made absolute, as `COMPLETE=SHELL role-gen` does).
fn this_program() -> String {
    let called = std::env::args_os().next().map_or_else(|| PathBuf::from("role-gen"), PathBuf::from);
    let called = match std::env::current_dir() {
        Ok(cwd) if called.components().count() > 1 => cwd.join(called),
        _ => called,
    };
    called.to_string_lossy().into_owned()
}

/// The command line before the word being completed: what a completer needs besides that word.
#[derive(Debug, Default)]
struct Line {
    /// `-f PATH`, when given.
    file: Option<PathBuf>,
    /// Every word before the one being completed.
    words: Vec<String>,
    /// The innermost command's arguments given so far, by id, as written.
    given: HashMap<String, String>,
}

static LINE: OnceLock<Line> = OnceLock::new();

impl Line {
    /// The line the shell passed after `--`; bash and zsh say which word the cursor is in, the
    /// other shells complete the last.
    fn read() -> Line {
        let args: Vec<OsString> = std::env::args_os().collect();
        let words = args.iter().position(|a| a == "--").map_or(&args[..0], |i| &args[i + 1..]);
        let cursor = std::env::var("_CLAP_COMPLETE_INDEX").ok().and_then(|i| i.parse().ok());
        let cursor: usize = cursor.unwrap_or(words.len().saturating_sub(1));
        Line::of(&words[..cursor.min(words.len())])
    }

    /// Parsed by the same clap definition, forgiving what is missing or wrong so far.
    fn of(before: &[OsString]) -> Line {
        let words = before.iter().map(|w| w.to_string_lossy().into_owned()).collect();
        let Ok(matches) = super::Cli::command().ignore_errors(true).try_get_matches_from(before) else {
            return Line { words, ..Line::default() };
        };
        let raw = |m: &clap::ArgMatches, id: &str| {
            m.try_get_raw(id).ok().flatten().and_then(|mut v| v.next()).map(|v| v.to_string_lossy().into_owned())
        };
        let (mut inner, mut file) = (&matches, raw(&matches, "file"));
        while let Some((_, sub)) = inner.subcommand() {
            inner = sub;
            file = raw(inner, "file").or(file);
        }
        let typed = |id: &&clap::Id| inner.value_source(id.as_str()) == Some(clap::parser::ValueSource::CommandLine);
        let given =
            inner.ids().filter(typed).filter_map(|id| Some((id.to_string(), raw(inner, id.as_str())?))).collect();
        Line { file: file.map(PathBuf::from), words, given }
    }

    fn given(&self, id: &str) -> Option<&str> {
        self.given.get(id).map(String::as_str)
    }

    fn has(&self, word: &str) -> bool {
        self.words.iter().any(|w| w == word)
    }
}

/// What roles.toml names, as its syntax declares it (valid names only: a name is offered to a
/// shell only when it needs no quoting).
#[derive(Debug, Default)]
struct Names {
    roles: Vec<Named>,
    permissions: Vec<Named>,
    entities: Vec<Named>,
    policies: Vec<Named>,
    levels: Vec<Named>,
    predicates: Vec<Named>,
    groups: Vec<Named>,
    /// Each role's direct grants.
    grants: HashMap<String, Vec<String>>,
    /// The entity types each role may be assigned on, when it says.
    assignable: HashMap<String, Vec<String>>,
    /// The entity types each permission is checked against, when it says.
    applies: HashMap<String, Vec<String>>,
}

#[derive(Debug, Clone)]
struct Named {
    name: String,
    help: Option<String>,
    deprecated: bool,
}

/// The names of the roles.toml the line works on, read once per completion.
fn names() -> &'static Names {
    static NAMES: OnceLock<Names> = OnceLock::new();
    NAMES.get_or_init(|| std::panic::catch_unwind(read_names).ok().flatten().unwrap_or_default())
}

fn read_names() -> Option<Names> {
    let line = LINE.get()?;
    let path = super::find_roles_file(line.file.as_deref()).ok()?;
    let bytes = crate::read_source(&path).ok()?;
    let text = std::str::from_utf8(&bytes).ok()?;
    Some(Names::of(&syntax::parse(text, &mut Vec::new())))
}

/// A name with its description, when the name is one a shell can take as it is.
fn named(name: &syntax::Sp<String>, description: Option<&syntax::Sp<String>>) -> Option<Named> {
    let help = description.map(|d| help(d.get_ref()));
    is_valid_name(name.get_ref()).then(|| Named { name: name.get_ref().clone(), help, deprecated: false })
}

/// A description as a shell shows it beside a name: escaped like all user text on a terminal
/// (no control or bidi character reaches it), and short.
fn help(description: &str) -> String {
    const MAX: usize = 72;
    let shown = shown(description);
    match shown.char_indices().nth(MAX) {
        Some((end, _)) => format!("{}…", &shown[..end]),
        None => shown,
    }
}

fn list(names: &[syntax::Sp<String>]) -> Vec<String> {
    names.iter().map(|n| n.get_ref().clone()).collect()
}

impl Names {
    fn of(file: &syntax::File) -> Names {
        let mut predicates: Vec<Named> =
            file.predicates.iter().filter_map(|p| named(&p.name, p.description.as_ref())).collect();
        predicates.extend(rule_predicates(file).filter_map(|p| named(p, None)));
        let groups = file.permissions.iter().filter_map(|p| p.group.as_ref()).filter_map(|g| named(g, None));
        let roles = &file.roles;
        Names {
            roles: roles.iter().filter_map(|r| named(&r.name, r.description.as_ref())).collect(),
            permissions: file.permissions.iter().filter_map(permission).collect(),
            entities: file.entities.iter().filter_map(|e| named(&e.name, e.description.as_ref())).collect(),
            policies: file.policies.iter().filter_map(|p| named(&p.name, p.description.as_ref())).collect(),
            levels: file.legacy.iter().flat_map(|l| &l.levels).filter_map(|l| named(l, None)).collect(),
            predicates: unique(predicates),
            groups: unique(groups.collect()),
            grants: roles.iter().map(|r| (r.name.get_ref().clone(), list(&r.permissions))).collect(),
            assignable: roles
                .iter()
                .filter_map(|r| Some((r.name.get_ref().clone(), list(r.assignable_on.as_ref()?))))
                .collect(),
            applies: file
                .permissions
                .iter()
                .filter_map(|p| Some((p.name.get_ref().clone(), list(p.entities.as_ref()?))))
                .collect(),
        }
    }
}

/// The first of each name.
fn unique(mut names: Vec<Named>) -> Vec<Named> {
    let mut seen = std::collections::HashSet::new();
    names.retain(|n| seen.insert(n.name.clone()));
    names
}

/// A permission, its help marking it deprecated.
fn permission(p: &syntax::PermissionDef) -> Option<Named> {
    let mut named = named(&p.name, p.description.as_ref())?;
    if !matches!(p.deprecated, Deprecation::No) {
        named.deprecated = true;
        named.help = Some(format!("(deprecated) {}", named.help.unwrap_or_default()));
    }
    Some(named)
}

/// The predicates the policies' rules ask about.
fn rule_predicates(file: &syntax::File) -> impl Iterator<Item = &syntax::Sp<String>> {
    file.policies.iter().flat_map(|p| &p.rules).filter_map(|r| match &r.kind {
        RuleKindDef::AllowIf(p) | RuleKindDef::DenyIf(p) => Some(p),
        _ => None,
    })
}

/// The candidates among `names` for the word `current`; in a comma-separated list (`list`), for
/// its last part, the parts before it kept and not offered again.
fn offer<'n>(current: &OsStr, list: bool, names: impl Iterator<Item = &'n Named>) -> Vec<CompletionCandidate> {
    let current = current.to_string_lossy();
    let (done, part) = match current.rfind(',') {
        Some(at) if list => current.split_at(at + 1),
        _ => ("", current.as_ref()),
    };
    let taken: Vec<&str> = done.split(',').collect();
    names
        .filter(|n| n.name.starts_with(part) && !taken.contains(&n.name.as_str()))
        .map(|n| CompletionCandidate::new(format!("{done}{}", n.name)).help(n.help.clone().map(Into::into)))
        .collect()
}

/// The names not yet on the line (a permission given twice is no use).
fn not_on_line(names: &[Named]) -> impl Iterator<Item = &Named> {
    let line = LINE.get();
    names.iter().filter(move |n| !line.is_some_and(|l| l.has(&n.name)))
}

/// Role names.
pub(super) fn roles(current: &OsStr) -> Vec<CompletionCandidate> {
    offer(current, false, names().roles.iter())
}

/// Permission names.
pub(super) fn permissions(current: &OsStr) -> Vec<CompletionCandidate> {
    offer(current, false, names().permissions.iter())
}

/// Permission names, comma-separated.
pub(super) fn permission_list(current: &OsStr) -> Vec<CompletionCandidate> {
    offer(current, true, names().permissions.iter())
}

/// Entity type names.
pub(super) fn entities(current: &OsStr) -> Vec<CompletionCandidate> {
    offer(current, false, names().entities.iter())
}

/// Legacy levels.
pub(super) fn levels(current: &OsStr) -> Vec<CompletionCandidate> {
    offer(current, false, names().levels.iter())
}

/// Legacy levels, comma-separated.
pub(super) fn level_list(current: &OsStr) -> Vec<CompletionCandidate> {
    offer(current, true, names().levels.iter())
}

/// Custom predicates: declared, or asked about by a rule.
pub(super) fn predicates(current: &OsStr) -> Vec<CompletionCandidate> {
    offer(current, false, names().predicates.iter())
}

/// The groups permissions already use.
pub(super) fn groups(current: &OsStr) -> Vec<CompletionCandidate> {
    offer(current, false, names().groups.iter())
}

/// `grant ROLE <TAB>`: the permissions the role does not grant directly yet.
pub(super) fn grantable(current: &OsStr) -> Vec<CompletionCandidate> {
    let granted = direct_grants();
    offer(current, false, not_on_line(&names().permissions).filter(|p| !granted.contains(&p.name)))
}

/// `revoke ROLE <TAB>`: the permissions the role grants directly.
pub(super) fn revocable(current: &OsStr) -> Vec<CompletionCandidate> {
    let granted = direct_grants();
    offer(current, false, not_on_line(&names().permissions).filter(|p| granted.contains(&p.name)))
}

/// The direct grants of the role on the line.
fn direct_grants() -> Vec<String> {
    let role = LINE.get().and_then(|l| l.given("role"));
    role.and_then(|r| names().grants.get(r)).cloned().unwrap_or_default()
}

/// `remove KIND <TAB>`: the names of that kind.
pub(super) fn removable(current: &OsStr) -> Vec<CompletionCandidate> {
    let n = names();
    let of_kind = match LINE.get().and_then(|l| l.given("kind")) {
        Some("permission") => &n.permissions,
        Some("role") => &n.roles,
        Some("policy") => &n.policies,
        Some("entity") => &n.entities,
        _ => return Vec::new(),
    };
    offer(current, false, of_kind.iter())
}

/// `deprecate permission <TAB>`: the permissions not deprecated yet.
pub(super) fn deprecatable(current: &OsStr) -> Vec<CompletionCandidate> {
    offer(current, false, names().permissions.iter().filter(|p| !p.deprecated))
}

/// `explain ROLE --on <TAB>`: the entity types the role may be assigned on.
pub(super) fn assignable_on(current: &OsStr) -> Vec<CompletionCandidate> {
    among(current, LINE.get().and_then(|l| l.given("role")).and_then(|r| names().assignable.get(r)))
}

/// `who-can PERMISSION --on <TAB>`: the entity types the permission is checked against.
pub(super) fn checked_on(current: &OsStr) -> Vec<CompletionCandidate> {
    among(current, LINE.get().and_then(|l| l.given("permission")).and_then(|p| names().applies.get(p)))
}

/// The entity types in `only`, or every one when the definition does not narrow them.
fn among(current: &OsStr, only: Option<&Vec<String>>) -> Vec<CompletionCandidate> {
    offer(current, false, names().entities.iter().filter(|e| only.is_none_or(|o| o.contains(&e.name))))
}

/// `diff --allow <TAB>`: the codes a diff can fail on.
pub(super) fn diff_codes(current: &OsStr) -> Vec<CompletionCandidate> {
    let codes: Vec<Named> = Change::ALL
        .iter()
        .filter(|c| c.class() != Class::Note)
        .map(|c| Named { name: c.as_str().to_string(), help: Some(c.doc().to_string()), deprecated: false })
        .collect();
    let current = current.to_string_lossy();
    let part = current.split(':').next().unwrap_or_default();
    offer(OsStr::new(part), false, codes.iter())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(words: &[&str]) -> Line {
        Line::of(&words.iter().map(OsString::from).collect::<Vec<_>>())
    }

    #[test]
    fn the_line_is_read_by_the_clap_definition_forgiving_what_is_missing() {
        let l = line(&["role-gen", "-f", "a/roles.toml", "revoke", "admin"]);
        assert_eq!((l.file.as_deref(), l.given("role")), (Some(std::path::Path::new("a/roles.toml")), Some("admin")));
        let l = line(&["role-gen", "remove", "role", "--file=b.toml"]);
        assert_eq!((l.file.as_deref(), l.given("kind")), (Some(std::path::Path::new("b.toml")), Some("role")));
        let l = line(&["role-gen", "no-such-command", "--nope"]);
        assert!(l.given.is_empty() && l.file.is_none());
    }

    #[test]
    fn lists_complete_their_last_part_and_never_offer_a_name_twice() {
        let names: Vec<Named> =
            ["guest", "member", "admin"].map(|n| Named { name: n.into(), help: None, deprecated: false }).to_vec();
        let values = |c: Vec<CompletionCandidate>| -> Vec<String> {
            c.iter().map(|c| c.get_value().to_string_lossy().into_owned()).collect()
        };
        assert_eq!(values(offer(OsStr::new("guest,m"), true, names.iter())), ["guest,member"]);
        assert_eq!(values(offer(OsStr::new("guest,"), true, names.iter())), ["guest,member", "guest,admin"]);
        assert_eq!(values(offer(OsStr::new("guest,m"), false, names.iter())), Vec::<String>::new());
    }

    #[test]
    fn help_is_escaped_and_short() {
        assert_eq!(help("a\u{1b}[31mred\nline"), "a\\u{1b}[31mred\\u{a}line");
        let long = help(&"é".repeat(100));
        assert_eq!(long.chars().count(), 73);
        assert!(long.ends_with('…'));
    }
}
