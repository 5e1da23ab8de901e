//! Paths as the command line shows them to people and to CI: inside a command the user can
//! paste (shell-quoted), and in GitHub annotations (relative to the repository root, which is
//! where GitHub looks the file up, whatever folder role-gen ran from).

use std::path::{Component, Path, PathBuf};

use crate::escape::shown;

/// `path` as one word of a POSIX shell command: bare when it holds only characters no shell
/// treats specially, else in single quotes (a `'` inside written `'\''`). Escaped for the
/// terminal afterwards, so a control character in a file name is shown, never emitted.
pub fn shell_word(path: &Path) -> String {
    let text = path.to_string_lossy();
    let plain = |c: char| c.is_ascii_alphanumeric() || "_-./+:=,@%".contains(c);
    if !text.is_empty() && text.chars().all(plain) {
        return shown(&text);
    }
    shown(&format!("'{}'", text.replace('\'', r"'\''")))
}

/// The `role-gen` command that acts on `file` (`-f` given): `role-gen generate -f 'my dir/roles.toml'`.
/// Without `-f` the command finds roles.toml itself, so none is added.
pub fn command(words: &str, file: Option<&Path>) -> String {
    match file {
        Some(file) => format!("role-gen {words} -f {}", shell_word(file)),
        None => format!("role-gen {words}"),
    }
}

/// `path` as a GitHub annotation's `file=`: relative to the repository root. The root is
/// `$GITHUB_WORKSPACE` when the file lies inside it (the checkout in GitHub Actions), else the
/// nearest folder above the file holding `.git`; outside any repository, the path as given.
pub fn repo_relative(path: &Path) -> String {
    let Some(absolute) = absolute(path) else { return path.to_string_lossy().into_owned() };
    let workspace = std::env::var_os("GITHUB_WORKSPACE").map(PathBuf::from).and_then(|w| absolute_dir(&w));
    let root = workspace.filter(|w| absolute.starts_with(w)).or_else(|| git_root(&absolute));
    match root.and_then(|root| absolute.strip_prefix(root).ok().map(Path::to_path_buf)) {
        Some(rel) => slashed(&rel),
        None => path.to_string_lossy().into_owned(),
    }
}

/// `path` made absolute with its folder's links resolved (the file name is kept as written: it
/// is never followed, only named).
fn absolute(path: &Path) -> Option<PathBuf> {
    let name = path.file_name()?;
    let parent = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    Some(absolute_dir(parent)?.join(name))
}

fn absolute_dir(dir: &Path) -> Option<PathBuf> {
    std::fs::canonicalize(dir).ok()
}

/// The nearest folder above `file` that holds `.git` (a folder, or a file in a worktree or a
/// submodule); only looked at, never read.
fn git_root(file: &Path) -> Option<PathBuf> {
    file.ancestors().skip(1).find(|dir| dir.join(".git").symlink_metadata().is_ok()).map(Path::to_path_buf)
}

/// A relative path with `/` between its parts, as GitHub writes paths on every platform.
fn slashed(rel: &Path) -> String {
    let parts: Vec<_> = rel
        .components()
        .filter_map(|c| match c {
            Component::Normal(part) => Some(part.to_string_lossy()),
            _ => None,
        })
        .collect();
    parts.join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_paths_stay_bare_and_others_are_single_quoted() {
        assert_eq!(shell_word(Path::new("defs/roles.toml")), "defs/roles.toml");
        assert_eq!(shell_word(Path::new("sub dir/my roles.toml")), "'sub dir/my roles.toml'");
        assert_eq!(shell_word(Path::new("it's.toml")), r"'it'\''s.toml'");
        assert_eq!(shell_word(Path::new("$(rm -rf ~).toml")), "'$(rm -rf ~).toml'");
        assert_eq!(shell_word(Path::new("a\nb")), "'a\\u{a}b'");
        assert_eq!(shell_word(Path::new("")), "''");
    }

    #[test]
    fn a_command_names_the_file_only_when_one_was_given() {
        assert_eq!(command("generate", None), "role-gen generate");
        assert_eq!(command("generate", Some(Path::new("a b/roles.toml"))), "role-gen generate -f 'a b/roles.toml'");
    }

    #[test]
    fn annotations_name_the_file_from_the_repository_root() -> std::io::Result<()> {
        let repo = tempfile::tempdir()?;
        std::fs::create_dir_all(repo.path().join(".git"))?;
        std::fs::create_dir_all(repo.path().join("svc/auth"))?;
        let file = repo.path().join("svc/auth/roles.toml");
        std::fs::write(&file, "")?;
        assert_eq!(repo_relative(&file), "svc/auth/roles.toml");
        Ok(())
    }
}
