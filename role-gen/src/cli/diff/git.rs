//! `diff --against GIT_REV`: the old roles.toml read from git, with every revision checked
//! before it reaches git and only a verified commit id passed on.

use std::path::Path;
use std::process::Command as Process;

use super::Old;
use crate::cli::Failure;

/// The version of `file` at `rev`, and `file`'s path from the repository root.
pub(super) fn from_git(file: &Path, rev: &str) -> Result<(Old, String), Failure> {
    if rev.starts_with('-') || rev.is_empty() {
        // Never let a revision reach git as an option (`--output=…` would write a file).
        return Err(Failure::Usage(format!("`{rev}` is not a git revision")));
    }
    let dir = file.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let name = file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .ok_or_else(|| Failure::Usage(format!("`{}` does not name a file", file.display())))?;
    let shown_dir =
        if dir == Path::new(".") { "the current folder".to_string() } else { format!("`{}`", dir.display()) };
    let prefix = git_ok(dir, &["rev-parse", "--show-prefix"])?.map_err(|stderr| {
        Failure::Usage(format!("`--against` needs a git repository, and {shown_dir} is not in one ({stderr})"))
    })?;
    let resolved = git_ok(dir, &["rev-parse", "--verify", "--quiet", &format!("{rev}^{{commit}}")])?
        .map_err(|_| Failure::Usage(format!("unknown git revision `{rev}`")))?;
    let commit = one_commit_id(&resolved).ok_or_else(|| {
        Failure::Usage(format!(
            "`{rev}` does not name one commit (git resolves it to `{}`); give a branch, tag or commit id",
            resolved.trim()
        ))
    })?;
    let repo_path = format!("{}{name}", prefix.trim_end_matches(['\n', '\r']));
    let shown = format!("{rev}:{repo_path}");
    // The verified commit id, not the user's text, goes to git from here on.
    let object = format!("{commit}:{repo_path}");
    if !git(dir, &["cat-file", "-e", &object])?.status.success() {
        return Ok((Old::Missing { shown }, repo_path));
    }
    let out = git(dir, &["show", &object])?;
    if !out.status.success() {
        let stderr = String::from_utf8_lossy(&out.stderr).trim().to_string();
        return Err(Failure::Usage(format!("cannot read `{shown}` from git: {stderr}")));
    }
    Ok((Old::Git { shown, bytes: out.stdout }, repo_path))
}

/// The commit id when `rev-parse` printed exactly one full object id (40 hex digits, or 64 in a
/// SHA-256 repository) and nothing else. `--verify` alone lets through revisions that resolve
/// with a prefix: `^HEAD` ("not HEAD") prints `^<id>`, and the `^<id>:roles.toml` built from it
/// names nothing, which read as "the file did not exist" and let a breaking change pass.
fn one_commit_id(resolved: &str) -> Option<&str> {
    let id = resolved.trim_end_matches(['\n', '\r']);
    let full = matches!(id.len(), 40 | 64) && id.bytes().all(|b| b.is_ascii_hexdigit());
    full.then_some(id)
}

/// Runs git in `dir`; only a git that cannot be started is an error here.
fn git(dir: &Path, args: &[&str]) -> Result<std::process::Output, Failure> {
    Process::new("git").arg("-C").arg(dir).args(args).output().map_err(|e| {
        if e.kind() == std::io::ErrorKind::NotFound {
            Failure::Usage("`--against` needs git, and `git` is not installed or not on PATH".into())
        } else {
            Failure::Usage(format!("cannot run git: {e}"))
        }
    })
}

/// git's stdout when it succeeds, its stderr (trimmed) when it fails; the outer error is a git
/// that cannot be started, which no retry with other arguments would fix.
fn git_ok(dir: &Path, args: &[&str]) -> Result<Result<String, String>, Failure> {
    let out = git(dir, args)?;
    Ok(if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).trim().to_string())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn option_like_revisions_never_reach_git() {
        let err = from_git(Path::new("roles.toml"), "--output=/tmp/x").map(|_| ()).map_err(|f| match f {
            Failure::Usage(m) => m,
            Failure::Checked => String::new(),
        });
        assert_eq!(err, Err("`--output=/tmp/x` is not a git revision".to_string()));
    }

    #[test]
    fn only_one_full_object_id_is_a_commit() {
        let sha1 = "fb1ffc5472dd2b76e0cbd533278c7d5f11005372";
        let sha256 = "a".repeat(64);
        assert_eq!(one_commit_id(&format!("{sha1}\n")), Some(sha1));
        assert_eq!(one_commit_id(&format!("{sha256}\n")), Some(sha256.as_str()));
        for bad in [format!("^{sha1}\n"), format!("{sha1}\n^{sha1}\n"), sha1[..39].to_string(), String::new()] {
            assert_eq!(one_commit_id(&bad), None, "{bad:?}");
        }
    }
}
