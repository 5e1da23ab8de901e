//! Rules on the paths of `[output]`: where generation may write, decided at `validate` time so
//! that `generate` never starts what it cannot finish.
//!
//! A roles.toml is untrusted (it arrives in pull requests), so an output path may not leave its
//! folder, overwrite the roles.toml or a template, land in a hidden or version-control folder
//! (`path = ".git/config"` would run a command at the next `git status`), hold a control
//! character, or collide with another output (`path = "proto"` beside `proto/…/roles.proto`).

use std::collections::BTreeMap;
use std::path::{Component, Path};

use crate::diagnostic::{Code, Diagnostic};
use crate::model::Target;
use crate::source::{Span, normalize};
use crate::syntax::{File, Sp};

/// Version-control folders whose names do not start with a dot.
const VCS_FOLDERS: [&str; 3] = ["cvs", "_darcs", "_fossil_"];

// Rule: `output.dir`, custom templates and custom paths are relative and never leave their
// folder; outputs stay out of hidden and version-control folders and off roles.toml and the
// templates; no output is, or is inside, another.
pub(super) fn stay_inside(file: &File, source_name: &str, diags: &mut Vec<Diagnostic>) {
    let Some(output) = &file.output else { return };
    let dir = output.dir.as_ref().map_or_else(|| "gen".to_string(), |d| normalize(d.get_ref()));
    if let Some(d) = &output.dir
        && check_relative(d, "`output.dir`", true, diags)
    {
        check_writable(d, "`output.dir`", diags);
    }
    let templates: Vec<String> =
        output.custom.iter().filter_map(|c| c.template.as_ref()).map(|t| normalize(t.get_ref())).collect();
    let mut taken: BTreeMap<String, Option<Span>> =
        builtin_paths(file).into_iter().map(|p| (p.to_ascii_lowercase(), None)).collect();
    for custom in &output.custom {
        if let Some(t) = &custom.template {
            check_relative(t, "a custom template", false, diags);
        }
        let Some(path) = &custom.path else { continue };
        if !check_relative(path, "a custom output path", false, diags) || !check_writable(path, "an output path", diags)
        {
            continue;
        }
        let normal = normalize(path.get_ref());
        overwrites_input(path, &join(&dir, &normal), source_name, &templates, diags);
        if let Some(first) = taken.insert(normal.to_ascii_lowercase(), Some(path.span())) {
            let whose = if first.is_some() { "another custom output" } else { "a built-in target" };
            diags.push(conflict(path, format!("output path `{normal}` is already written by {whose}")));
        }
    }
    nested_outputs(&taken, diags, output.custom.iter().filter_map(|c| c.path.as_ref()));
}

fn builtin_paths(file: &File) -> Vec<String> {
    let package =
        file.project.as_ref().and_then(|p| p.proto_package.as_ref().map(|s| s.get_ref().clone())).unwrap_or_default();
    Target::ALL.iter().flat_map(|t| t.paths(&package)).collect()
}

fn join(dir: &str, path: &str) -> String {
    if dir.is_empty() { path.to_string() } else { format!("{dir}/{path}") }
}

fn conflict(path: &Sp<String>, message: String) -> Diagnostic {
    Diagnostic::new(Code::PathConflict, path.span(), message).label("taken").help("give each output its own path")
}

/// An output at roles.toml or at (or inside) a template would destroy an input.
fn overwrites_input(
    path: &Sp<String>,
    full: &str,
    source_name: &str,
    templates: &[String],
    diags: &mut Vec<Diagnostic>,
) {
    let full = full.to_ascii_lowercase();
    let inside = |other: &str| {
        let other = other.to_ascii_lowercase();
        full == other || full.starts_with(&format!("{other}/"))
    };
    let hit = if inside(source_name) {
        Some(format!("`{source_name}` itself"))
    } else {
        templates.iter().find(|t| inside(t)).map(|t| format!("the template `{t}`"))
    };
    if let Some(what) = hit {
        diags.push(
            Diagnostic::new(
                Code::PathConflict,
                path.span(),
                format!("output path `{}` would overwrite {what}", path.get_ref()),
            )
            .label("an input, not an output")
            .help("generated files never replace the files they are generated from; choose another path"),
        );
    }
}

/// An output that is a folder of another (`proto` beside `proto/…/roles.proto`, `roles.rs/x`).
fn nested_outputs<'a>(
    taken: &BTreeMap<String, Option<Span>>,
    diags: &mut Vec<Diagnostic>,
    custom: impl Iterator<Item = &'a Sp<String>>,
) {
    for path in custom {
        let normal = normalize(path.get_ref()).to_ascii_lowercase();
        let below = taken.range(format!("{normal}/")..).next().filter(|(p, _)| p.starts_with(&format!("{normal}/")));
        let above = normal.match_indices('/').map(|(i, _)| &normal[..i]).find(|a| taken.contains_key(*a));
        let other = below.map(|(p, _)| p.clone()).or(above.map(str::to_string));
        if let Some(other) = other {
            diags.push(conflict(
                path,
                format!(
                    "output path `{}` and the output `{other}` cannot both exist: one is a folder of the other",
                    path.get_ref()
                ),
            ));
        }
    }
}

/// Reports a path that is absolute or climbs out of its folder; returns whether it is fine.
fn check_relative(path: &Sp<String>, what: &str, may_be_empty: bool, diags: &mut Vec<Diagnostic>) -> bool {
    let text = path.get_ref();
    let problem = if text.contains('\\') {
        Some("use `/` to separate folders")
    } else if Path::new(text).is_absolute() || text.starts_with('/') {
        Some("absolute paths are not allowed; write it relative to roles.toml's folder")
    } else if escapes(text) {
        Some("`..` may not climb out of the folder")
    } else if !may_be_empty && normalize(text).is_empty() {
        Some("name a file")
    } else {
        None
    };
    if let Some(help) = problem {
        diags.push(
            Diagnostic::new(Code::PathEscape, path.span(), format!("{what} `{text}` leaves its folder"))
                .label("not a path inside the project")
                .help(help),
        );
    }
    problem.is_none()
}

/// Reports a path generation may not write to; returns whether it is fine.
fn check_writable(path: &Sp<String>, what: &str, diags: &mut Vec<Diagnostic>) -> bool {
    let Some(help) = output_path_problem(path.get_ref()) else { return true };
    diags.push(
        Diagnostic::new(
            Code::PathEscape,
            path.span(),
            format!("{what} `{}` is not a place role-gen writes", path.get_ref()),
        )
        .label("refused")
        .help(help),
    );
    false
}

/// Why role-gen never writes at `path` (relative to a folder it writes in), if it does not: a
/// control or invisible character, a hidden or version-control folder or file, `..` out.
/// Also the rule for every entry of a manifest.
pub fn output_path_problem(path: &str) -> Option<&'static str> {
    if path.chars().any(crate::escape::is_invisible) {
        return Some("a path may not hold control or invisible characters");
    }
    if path.contains('\\') || Path::new(path).is_absolute() || escapes(path) {
        return Some("write a `/`-separated path that stays inside its folder");
    }
    for part in path.split('/').filter(|p| !p.is_empty() && *p != "." && *p != "..") {
        if part.starts_with('.') {
            return Some("hidden files and folders (`.git`, `.github`, `.envrc`, …) are never generated");
        }
        if VCS_FOLDERS.contains(&part.to_ascii_lowercase().as_str()) {
            return Some("version-control folders are never generated into");
        }
    }
    None
}

fn escapes(path: &str) -> bool {
    let mut depth = 0i32;
    for c in Path::new(path).components() {
        match c {
            Component::ParentDir => depth -= 1,
            Component::Normal(_) => depth += 1,
            Component::CurDir => {}
            Component::RootDir | Component::Prefix(_) => return true,
        }
        if depth < 0 {
            return true;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_paths() {
        assert!(escapes("../x"));
        assert!(escapes("a/../../x"));
        assert!(!escapes("a/../x"));
        assert_eq!(normalize("./a/../b//c"), "b/c");
    }

    #[test]
    fn hidden_vcs_and_control_paths_are_refused() {
        for bad in [".git/config", "a/.github/workflows/x.yml", ".envrc", "CVS/Entries", "a\0b", "a\nb", "../x"] {
            assert!(output_path_problem(bad).is_some(), "{bad:?}");
        }
        for ok in ["roles.rs", "docs/ROLES.md", "./a/b.txt", "a..b/c"] {
            assert_eq!(output_path_problem(ok), None, "{ok:?}");
        }
    }
}
