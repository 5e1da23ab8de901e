//! Helpers for role-gen's workspace-level integration tests.
//!
//! - [`workspace_root`], [`definitions`], [`hostile`]: where the inputs live.
//! - [`tool`], [`venv_tool`]: the pinned external compilers (`tests/tools`, installed by
//!   `scripts/test`). A missing tool fails the test; it never skips it.
//! - [`generate_into`]: every output of one `roles.toml`, written into a folder;
//!   [`Scratch::with_outputs`]: the same into a fresh scratch folder, with its `roles.json` read.
//! - [`read`], [`write`], [`copy`]: file access that fails the test with the path.
//! - [`run`]: runs a command, failing with its stdout and stderr when it fails.
//! - [`programs`]: the test programs of `tests/programs/`, and rustc/tsc/node to build and run them.
//! - [`Mismatches`]: every disagreement of a target with its oracle, reported at once.
//! - [`checks!`]: one `#[test]` per (definition, check) pair.
//! - [`Model`]: the generated `roles.json`, read into plain structs, as the oracle the other
//!   targets are compared against (and [`Model::check_against_source`] checks the oracle itself).
//! - [`synthetic`]: random valid definitions, reproducible from a seed.
//! - [`policies`]: the table of facts the generated policy evaluators run on, and role-gen's own
//!   model's answers for it.
//! - [`postgres`]: a throw-away PostgreSQL server (`scripts/postgres`), stopped when dropped.
//! - [`access`]: the scenarios the generated `check_access`/`permissions_on` run on (every role
//!   × placement × permission × target type, every path error, random assignment sets), and
//!   the model's answers for them.

use std::collections::{BTreeMap, BTreeSet};
use std::ffi::OsString;
use std::fmt::Write as _;
use std::path::{Component, Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

pub mod access;
pub mod engines;
mod mismatches;
pub mod policies;
pub mod postgres;
pub mod programs;
pub mod synthetic;
pub mod tuples;

pub use mismatches::Mismatches;

/// Declares `#[test]` functions that each run one check on one `roles.toml`, passing the test's
/// name as the scratch folder's label, so a failure names one definition and one target:
///
/// ```text
/// checks! {
///     slack_rust: rust(definition("slack"));
/// }
/// // #[test] fn slack_rust() { rust(&definition("slack"), "slack_rust"); }
/// ```
#[macro_export]
macro_rules! checks {
    ($($(#[$meta:meta])* $name:ident: $check:ident($roles_toml:expr);)+) => {
        $(
            $(#[$meta])*
            #[test]
            fn $name() {
                $check(&$roles_toml, stringify!($name));
            }
        )+
    };
}

/// The workspace root (the folder holding the workspace `Cargo.toml`).
pub fn workspace_root() -> PathBuf {
    let manifest_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest_dir.parent().map_or_else(|| manifest_dir.to_path_buf(), Path::to_path_buf)
}

/// Every `definitions/*/roles.toml`, sorted.
pub fn definitions() -> Vec<PathBuf> {
    let dir = workspace_root().join("definitions");
    let entries = std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()));
    let mut found: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|entry| entry.path().join("roles.toml"))
        .filter(|path| path.is_file())
        .collect();
    found.sort();
    found
}

/// `definitions/<name>/roles.toml`.
pub fn definition(name: &str) -> PathBuf {
    workspace_root().join("definitions").join(name).join("roles.toml")
}

/// `tests/hostile/roles.toml`: the valid file with every awkward name and description.
pub fn hostile() -> PathBuf {
    workspace_root().join("tests").join("hostile").join("roles.toml")
}

/// An edge-case definition: `tests/edge/<name>.toml`.
pub fn edge(name: &str) -> PathBuf {
    workspace_root().join("tests").join("edge").join(format!("{name}.toml"))
}

/// A pinned external tool: `tests/tools/node_modules/.bin/<name>`.
///
/// Panics when it is not installed: these tests exist to run the real compilers, so a missing
/// compiler is a failure, never a skip.
pub fn tool(name: &str) -> PathBuf {
    let bin = workspace_root().join("tests").join("tools").join("node_modules").join(".bin");
    let candidates = if cfg!(windows) {
        vec![bin.join(format!("{name}.cmd")), bin.join(format!("{name}.exe")), bin.join(name)]
    } else {
        vec![bin.join(name)]
    };
    candidates.into_iter().find(|path| path.is_file()).unwrap_or_else(|| {
        panic!(
            "the pinned tool `{name}` is not installed (looked in {}).\n\
             Run the tests with `scripts/test`, or install the tools first with\n\
             \n    npm ci --prefix tests/tools\n\n\
             (versions pinned in tests/tools/package.json and package-lock.json).",
            bin.display()
        )
    })
}

/// A pinned Python judge: `tests/tools/.venv/bin/<name>` (`scripts/test` makes the venv from
/// `tests/tools/requirements.txt`). Panics when it is not installed: a missing judge fails the
/// test, never skips it.
pub fn venv_tool(name: &str) -> PathBuf {
    let bin = workspace_root().join("tests/tools/.venv/bin").join(name);
    assert!(
        bin.is_file(),
        "the pinned `{name}` is not installed (looked for {}).\nRun the tests with `scripts/test`, or install \
         the Python judges first with\n\n    python3 -m venv tests/tools/.venv && tests/tools/.venv/bin/pip install \
         --require-hashes --only-binary=:all: -r tests/tools/requirements.txt\n\n(versions pinned by hash in \
         tests/tools/requirements.txt).",
        bin.display()
    );
    bin
}

/// The Rust compiler: `$RUSTC` when set, else `rustc` on `PATH`.
pub fn rustc() -> OsString {
    std::env::var_os("RUSTC").filter(|s| !s.is_empty()).unwrap_or_else(|| "rustc".into())
}

/// Loads and generates one `roles.toml`, panicking with the diagnostics when it is invalid.
pub fn generate(roles_toml: &Path) -> role_gen::Outputs {
    let project = role_gen::Project::load(roles_toml)
        .unwrap_or_else(|diagnostics| panic!("{} does not load:\n{diagnostics}", roles_toml.display()));
    project
        .generate()
        .unwrap_or_else(|diagnostics| panic!("{} does not generate:\n{diagnostics}", roles_toml.display()))
}

/// Writes every output of `roles_toml` under `dir` (paths as `Outputs` names them, e.g.
/// `roles.rs`, `proto/slack/roles/v1/roles.proto`). Returns the relative paths written.
pub fn generate_into(roles_toml: &Path, dir: &Path) -> Vec<String> {
    let outputs = generate(roles_toml);
    let mut written = Vec::new();
    for (rel_path, text) in outputs.iter() {
        let rel = Path::new(rel_path);
        assert!(
            rel.components().all(|c| matches!(c, Component::Normal(_))),
            "output path {rel_path:?} of {} is not a plain relative path",
            roles_toml.display()
        );
        write(&dir.join(rel), text);
        written.push(rel_path.to_string());
    }
    written
}

/// Reads a text file, failing the test with its path.
pub fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

/// Writes a file, creating its folder, failing the test with its path.
pub fn write(path: &Path, text: &str) {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).unwrap_or_else(|e| panic!("cannot create {}: {e}", parent.display()));
    }
    std::fs::write(path, text).unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
}

/// Copies a text file, creating the destination's folder.
pub fn copy(from: &Path, to: &Path) {
    write(to, &read(from));
}

/// A scratch folder for one test; deleted afterwards unless `ROLE_GEN_KEEP_TMP` is set (then
/// its path is printed, to look at the generated files and the test programs).
#[derive(Debug)]
pub struct Scratch {
    dir: Option<tempfile::TempDir>,
    path: PathBuf,
}

impl Scratch {
    /// A new empty folder whose name starts with `role-gen-<label>`.
    pub fn new(label: &str) -> Self {
        let dir = tempfile::Builder::new()
            .prefix(&format!("role-gen-{label}-"))
            .tempdir()
            .unwrap_or_else(|e| panic!("cannot create a temporary folder: {e}"));
        let path = dir.path().to_path_buf();
        if std::env::var_os("ROLE_GEN_KEEP_TMP").is_some() {
            eprintln!("ROLE_GEN_KEEP_TMP: keeping {}", path.display());
            let _kept = dir.keep();
            Self { dir: None, path }
        } else {
            Self { dir: Some(dir), path }
        }
    }

    /// A new folder holding every output of `roles_toml` (see [`generate_into`]), and its
    /// `roles.json`, read.
    pub fn with_outputs(roles_toml: &Path, label: &str) -> (Self, Model) {
        let scratch = Self::new(label);
        generate_into(roles_toml, scratch.path());
        let model = Model::read(scratch.path());
        (scratch, model)
    }

    /// The folder.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Whether the folder is deleted on drop.
    pub fn is_temporary(&self) -> bool {
        self.dir.is_some()
    }
}

/// Renders a command for messages.
fn describe(cmd: &Command) -> String {
    let mut text = cmd.get_program().to_string_lossy().into_owned();
    for arg in cmd.get_args() {
        text.push(' ');
        text.push_str(&arg.to_string_lossy());
    }
    if let Some(dir) = cmd.get_current_dir() {
        let _ = write!(text, "   (in {})", dir.display());
    }
    text
}

/// Runs `cmd` and returns its stdout; panics, printing stdout and stderr, unless it succeeds.
pub fn run(cmd: &mut Command) -> String {
    let output = run_output(cmd);
    assert_success(cmd, &output);
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// Runs `cmd` and returns its raw output, panicking only when it cannot be started.
pub fn run_output(cmd: &mut Command) -> Output {
    cmd.output().unwrap_or_else(|e| panic!("cannot run `{}`: {e}", describe(cmd)))
}

/// Panics, printing stdout and stderr, unless `output` is a success.
pub fn assert_success(cmd: &Command, output: &Output) {
    assert!(
        output.status.success(),
        "`{}` failed ({})\n--- stdout ---\n{}\n--- stderr ---\n{}",
        describe(cmd),
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr),
    );
}

/// `archive_channel` -> `ARCHIVE_CHANNEL` (TypeScript keys, protobuf values).
pub fn screaming(name: &str) -> String {
    name.to_ascii_uppercase()
}

/// One permission of `roles.json`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PermissionInfo {
    /// snake_case name.
    pub name: String,
    /// Its id (the wire number).
    pub id: u32,
    /// Its description, as the JSON holds it.
    pub description: String,
    /// The entity types it is checked against, as the JSON lists them.
    pub entities: Vec<String>,
    /// `deprecated = true` or a reason.
    pub deprecated: bool,
}

/// One role of `roles.json`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleInfo {
    /// snake_case name.
    pub name: String,
    /// Its id.
    pub id: u32,
    /// Its description.
    pub description: String,
    /// Direct grants.
    pub permissions: Vec<String>,
    /// Direct grants plus everything inherited through includes.
    pub effective_permissions: Vec<String>,
    /// Roles it includes.
    pub includes: Vec<String>,
    /// Entity types it may be assigned on, as the JSON lists them.
    pub assignable_on: Vec<String>,
}

/// `[reserved]`, as `roles.json` holds it (empty lists when absent).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Reserved {
    /// Permission ids never to be used again.
    pub permission_ids: Vec<u32>,
    /// Permission names never to be used again.
    pub permission_names: Vec<String>,
    /// Role ids never to be used again.
    pub role_ids: Vec<u32>,
    /// Role names never to be used again.
    pub role_names: Vec<String>,
    /// Policy ids never to be used again.
    pub policy_ids: Vec<u32>,
    /// Policy names never to be used again.
    pub policy_names: Vec<String>,
    /// Entity type numbers never to be used again.
    pub entity_ids: Vec<u32>,
    /// Entity type names never to be used again.
    pub entity_names: Vec<String>,
}

/// The generated `roles.json`, read: the oracle for the other targets.
#[derive(Debug, Clone)]
pub struct Model {
    /// `project.name`.
    pub project: String,
    /// Entity type names, in output (file) order.
    pub entities: Vec<String>,
    /// Their protobuf numbers, parallel to `entities`.
    pub entity_ids: Vec<u32>,
    /// Permissions, in output (id) order.
    pub permissions: Vec<PermissionInfo>,
    /// Roles, in output (id) order.
    pub roles: Vec<RoleInfo>,
    /// Legacy levels, lowest first (empty without `[legacy]`).
    pub legacy_levels: Vec<String>,
    /// Policies as (name, id), in output (id) order.
    pub policies: Vec<(String, u32)>,
    /// Reserved ids and names.
    pub reserved: Reserved,
    /// The whole document.
    pub json: Value,
}

fn field<'a>(value: &'a Value, key: &str, what: &str) -> &'a Value {
    value.get(key).unwrap_or_else(|| panic!("roles.json: {what} has no `{key}`: {value}"))
}

fn string(value: &Value, key: &str, what: &str) -> String {
    field(value, key, what)
        .as_str()
        .unwrap_or_else(|| panic!("roles.json: {what}.{key} is not a string: {value}"))
        .to_string()
}

fn id(value: &Value, what: &str) -> u32 {
    field(value, "id", what)
        .as_u64()
        .and_then(|id| u32::try_from(id).ok())
        .unwrap_or_else(|| panic!("roles.json: {what}.id is not a number: {value}"))
}

/// A list of names: an array of strings or of objects with a `name`; absent or null is empty.
fn names(value: Option<&Value>, what: &str) -> Vec<String> {
    match value {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) => items
            .iter()
            .map(|item| match item {
                Value::String(s) => s.clone(),
                Value::Object(_) => string(item, "name", what),
                other => panic!("roles.json: {what} holds {other}, not a name"),
            })
            .collect(),
        Some(other) => panic!("roles.json: {what} is {other}, not a list of names"),
    }
}

fn ids(value: Option<&Value>, what: &str) -> Vec<u32> {
    match value {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) => items
            .iter()
            .map(|item| {
                item.as_u64()
                    .and_then(|id| u32::try_from(id).ok())
                    .unwrap_or_else(|| panic!("roles.json: {what} holds {item}, not an id"))
            })
            .collect(),
        Some(other) => panic!("roles.json: {what} is {other}, not a list of ids"),
    }
}

fn array<'a>(json: &'a Value, key: &str) -> &'a [Value] {
    match json.get(key) {
        Some(Value::Array(items)) => items,
        None | Some(Value::Null) => &[],
        Some(other) => panic!("roles.json: `{key}` is {other}, not an array"),
    }
}

impl Model {
    /// Reads a `roles.json` text.
    pub fn parse(text: &str) -> Self {
        let json: Value =
            serde_json::from_str(text).unwrap_or_else(|e| panic!("roles.json is not valid JSON: {e}\n{text}"));
        assert_eq!(json.get("schema_version"), Some(&Value::from(1)), "roles.json: schema_version");
        let project = match json.get("project") {
            Some(Value::String(name)) => name.clone(),
            Some(project @ Value::Object(_)) => string(project, "name", "project"),
            other => panic!("roles.json: `project` is {other:?}"),
        };
        let entities = names(json.get("entities"), "entities");
        let entity_ids = array(&json, "entities").iter().map(|e| id(e, "an entity")).collect();
        let policy = |p: &Value| (string(p, "name", "a policy"), id(p, "a policy"));
        let policies = array(&json, "policies").iter().map(policy).collect();
        let permissions = array(&json, "permissions")
            .iter()
            .map(|p| {
                let name = string(p, "name", "a permission");
                let what = format!("permission {name}");
                PermissionInfo {
                    id: id(p, &what),
                    description: string(p, "description", &what),
                    entities: names(p.get("entities"), &format!("{what}.entities")),
                    deprecated: match p.get("deprecated") {
                        None | Some(Value::Null) | Some(Value::Bool(false)) => false,
                        Some(Value::Bool(true)) | Some(Value::String(_)) => true,
                        Some(other) => panic!("roles.json: {what}.deprecated is {other}"),
                    },
                    name,
                }
            })
            .collect();
        let roles = array(&json, "roles")
            .iter()
            .map(|r| {
                let name = string(r, "name", "a role");
                let what = format!("role {name}");
                RoleInfo {
                    id: id(r, &what),
                    description: string(r, "description", &what),
                    permissions: names(Some(field(r, "permissions", &what)), &what),
                    effective_permissions: names(Some(field(r, "effective_permissions", &what)), &what),
                    includes: names(r.get("includes"), &what),
                    assignable_on: names(r.get("assignable_on"), &what),
                    name,
                }
            })
            .collect();
        let legacy_levels = names(json.get("legacy_levels"), "legacy_levels");
        let reserved = json.get("reserved").map_or_else(Reserved::default, |r| Reserved {
            permission_ids: ids(r.get("permission_ids"), "reserved.permission_ids"),
            permission_names: names(r.get("permission_names"), "reserved.permission_names"),
            role_ids: ids(r.get("role_ids"), "reserved.role_ids"),
            role_names: names(r.get("role_names"), "reserved.role_names"),
            policy_ids: ids(r.get("policy_ids"), "reserved.policy_ids"),
            policy_names: names(r.get("policy_names"), "reserved.policy_names"),
            entity_ids: ids(r.get("entity_ids"), "reserved.entity_ids"),
            entity_names: names(r.get("entity_names"), "reserved.entity_names"),
        });
        Self { project, entities, entity_ids, permissions, roles, legacy_levels, policies, reserved, json }
    }

    /// Reads `<dir>/roles.json`.
    pub fn read(dir: &Path) -> Self {
        let path = dir.join("roles.json");
        let text = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("cannot read {} (is the `json` target enabled?): {e}", path.display()));
        Self::parse(&text)
    }

    /// The permission named `name`.
    pub fn permission(&self, name: &str) -> &PermissionInfo {
        self.permissions
            .iter()
            .find(|p| p.name == name)
            .unwrap_or_else(|| panic!("roles.json has no permission {name}"))
    }

    /// Whether `role` effectively holds `permission`, by `roles.json`.
    pub fn role_has(&self, role: &RoleInfo, permission: &str) -> bool {
        role.effective_permissions.iter().any(|p| p == permission)
    }

    /// The union of the effective permissions of `roles`, in permission (id) order.
    pub fn union_of(&self, roles: &[&RoleInfo]) -> Vec<String> {
        self.permissions
            .iter()
            .filter(|p| roles.iter().any(|r| self.role_has(r, &p.name)))
            .map(|p| p.name.clone())
            .collect()
    }

    /// The entity types a permission applies to: its list, or every entity when it has none.
    pub fn permission_entities(&self, permission: &PermissionInfo) -> Vec<String> {
        if permission.entities.is_empty() { self.entities.clone() } else { permission.entities.clone() }
    }

    /// The entity types a role may be assigned on: its list, or every entity when it has none.
    pub fn role_assignable_on(&self, role: &RoleInfo) -> Vec<String> {
        if role.assignable_on.is_empty() { self.entities.clone() } else { role.assignable_on.clone() }
    }

    /// Checks the oracle itself against the source `roles.toml`, read independently with the
    /// `toml` crate: names, ids and descriptions, output order (by id), and effective
    /// permissions recomputed from the direct grants and includes.
    pub fn check_against_source(&self, roles_toml: &Path) {
        let text =
            std::fs::read_to_string(roles_toml).unwrap_or_else(|e| panic!("cannot read {}: {e}", roles_toml.display()));
        let source: toml::Table = text.parse().unwrap_or_else(|e| panic!("{} is not TOML: {e}", roles_toml.display()));
        let table = |key: &str| -> toml::Table {
            match source.get(key) {
                Some(toml::Value::Table(t)) => t.clone(),
                None => toml::Table::new(),
                Some(other) => panic!("{key} is {other:?}"),
            }
        };
        let str_list = |value: Option<&toml::Value>| -> Vec<String> {
            value
                .and_then(toml::Value::as_array)
                .map(|items| items.iter().filter_map(|v| v.as_str().map(str::to_string)).collect())
                .unwrap_or_default()
        };
        let int = |value: Option<&toml::Value>, what: &str| -> u32 {
            value
                .and_then(toml::Value::as_integer)
                .and_then(|i| u32::try_from(i).ok())
                .unwrap_or_else(|| panic!("{}: {what} has no id", roles_toml.display()))
        };

        let project = table("project");
        assert_eq!(
            project.get("name").and_then(toml::Value::as_str),
            Some(self.project.as_str()),
            "roles.json project name"
        );

        let toml_entities = table("entities");
        let mut json_entities = self.entities.clone();
        json_entities.sort();
        let names: Vec<String> = toml_entities.keys().cloned().collect();
        assert_eq!(json_entities, names, "roles.json entities vs roles.toml");
        // An entity's number is its `id`, else its 1-based place in the file (which `toml`'s
        // sorted map does not keep): every number is distinct, and pinned ones are as written.
        let distinct: BTreeSet<u32> = self.entity_ids.iter().copied().collect();
        assert_eq!(distinct.len(), self.entity_ids.len(), "roles.json entity numbers are distinct");
        for (name, number) in self.entities.iter().zip(&self.entity_ids) {
            let pinned = toml_entities.get(name).and_then(|e| e.get("id")).map(|i| int(Some(i), name));
            let place = self.entities.iter().position(|e| e == name).map(|i| i as u32 + 1);
            assert_eq!(Some(*number), pinned.or(place), "roles.json number of entity {name}");
        }

        // (id, name, description) of a section's entries, in id order: the order of the JSON.
        let by_id = |section: &toml::Table| -> Vec<(u32, String, String)> {
            let mut entries: Vec<(u32, String, String)> = section
                .iter()
                .map(|(name, entry)| {
                    let description = entry.get("description").and_then(toml::Value::as_str).unwrap_or("");
                    (int(entry.get("id"), name), name.clone(), description.to_string())
                })
                .collect();
            entries.sort();
            entries
        };
        let found: Vec<(u32, String, String)> =
            self.permissions.iter().map(|p| (p.id, p.name.clone(), p.description.clone())).collect();
        assert_eq!(found, by_id(&table("permissions")), "roles.json permissions (id order) vs roles.toml");

        let toml_roles = table("roles");
        let found: Vec<(u32, String, String)> =
            self.roles.iter().map(|r| (r.id, r.name.clone(), r.description.clone())).collect();
        assert_eq!(found, by_id(&toml_roles), "roles.json roles (id order) vs roles.toml");

        // Effective permissions: direct grants plus, transitively, those of included roles.
        let direct: BTreeMap<String, BTreeSet<String>> = toml_roles
            .iter()
            .map(|(name, r)| (name.clone(), str_list(r.get("permissions")).into_iter().collect()))
            .collect();
        let includes: BTreeMap<String, Vec<String>> =
            toml_roles.iter().map(|(name, r)| (name.clone(), str_list(r.get("includes")))).collect();
        for role in &self.roles {
            let mut seen = BTreeSet::new();
            let mut stack = vec![role.name.clone()];
            let mut effective = BTreeSet::new();
            while let Some(r) = stack.pop() {
                if seen.insert(r.clone()) {
                    effective.extend(direct.get(&r).into_iter().flatten().cloned());
                    stack.extend(includes.get(&r).into_iter().flatten().cloned());
                }
            }
            let expected: Vec<String> =
                self.permissions.iter().filter(|p| effective.contains(&p.name)).map(|p| p.name.clone()).collect();
            assert_eq!(
                role.effective_permissions, expected,
                "roles.json effective_permissions of {} (in id order) vs roles.toml",
                role.name
            );
            let mut direct_json = role.permissions.clone();
            direct_json.sort();
            let direct_toml: Vec<String> = direct.get(&role.name).into_iter().flatten().cloned().collect();
            assert_eq!(direct_json, direct_toml, "roles.json permissions of {}", role.name);
        }

        let found: Vec<(u32, &str)> = self.policies.iter().map(|(name, id)| (*id, name.as_str())).collect();
        let expected = by_id(&table("policies"));
        let expected: Vec<(u32, &str)> = expected.iter().map(|(id, name, _)| (*id, name.as_str())).collect();
        assert_eq!(found, expected, "roles.json policies (id order) vs roles.toml");

        let legacy = table("legacy");
        assert_eq!(self.legacy_levels, str_list(legacy.get("levels")), "roles.json legacy_levels");
    }
}
