//! The folder role-gen works in is a boundary: nothing it reads or writes lies outside it.
//!
//! roles.toml, its templates and whatever a branch committed under `gen/` are untrusted (role-gen
//! runs in CI on pull requests), so a path is resolved one component at a time: a symbolic link
//! on the way is followed only when where it leads is still inside the boundary, and the final
//! component of a file role-gen writes or compares is never a link. Files are opened only
//! when they are regular files and not links, so a link swapped in after the check, a FIFO or
//! `/proc/self/environ` is refused rather than read.

use std::fmt;
use std::fs;
use std::io::{self, Read as _};
use std::path::{Component, Path, PathBuf};

/// A folder, its existing part resolved (no links), that paths are resolved inside.
#[derive(Debug, Clone)]
pub struct Boundary {
    root: PathBuf,
}

/// Why a path cannot be used.
#[derive(Debug)]
pub enum PathError {
    /// After resolving links it leaves the boundary.
    Escape { path: String, resolved: PathBuf },
    /// It is a symbolic link (role-gen never writes or compares through one).
    Link { path: String },
    /// It exists and is not a regular file (a folder, a FIFO, a device).
    NotAFile { path: String },
    /// It is larger than role-gen reads.
    TooLarge { path: String, limit: u64 },
    /// The file system said no.
    Io { path: String, source: io::Error },
}

impl fmt::Display for PathError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use crate::escape::Shown;
        match self {
            PathError::Escape { path, resolved } => write!(
                f,
                "`{}` leads outside the project folder (to `{}`) through a symbolic link",
                Shown(path),
                Shown(&resolved.to_string_lossy())
            ),
            PathError::Link { path } => {
                write!(f, "`{}` is a symbolic link; role-gen never writes or reads through one", Shown(path))
            }
            PathError::NotAFile { path } => write!(f, "`{}` is not a regular file", Shown(path)),
            PathError::TooLarge { path, limit } => {
                write!(f, "`{}` is larger than {} MiB, more than role-gen reads", Shown(path), limit >> 20)
            }
            PathError::Io { path, source } => write!(f, "`{}`: {source}", Shown(path)),
        }
    }
}

impl std::error::Error for PathError {}

impl PathError {
    /// Whether the file system refused (exit 2) rather than the repository (exit 1).
    pub fn is_io(&self) -> bool {
        matches!(self, PathError::Io { .. })
    }
}

fn io_error(path: &str) -> impl FnOnce(io::Error) -> PathError + '_ {
    move |source| PathError::Io { path: path.to_string(), source }
}

impl Boundary {
    /// The boundary of `dir` (the caller's choice, trusted: the roles.toml folder, `--out-dir`,
    /// cargo's `OUT_DIR`). Its existing part is resolved; the rest need not exist yet.
    pub fn new(dir: &Path) -> Result<Boundary, PathError> {
        let dir = if dir.as_os_str().is_empty() { Path::new(".") } else { dir };
        let shown = dir.to_string_lossy().into_owned();
        let absolute = std::path::absolute(dir).map_err(io_error(&shown))?;
        let mut existing = absolute.as_path();
        let mut rest = Vec::new();
        // The longest existing prefix is canonicalized; what is missing is appended as written.
        let root = loop {
            match fs::canonicalize(existing) {
                Ok(real) => break real,
                Err(e) if e.kind() == io::ErrorKind::NotFound => match (existing.parent(), existing.file_name()) {
                    (Some(parent), Some(name)) => {
                        rest.push(name.to_os_string());
                        existing = parent;
                    }
                    _ => return Err(io_error(&shown)(e)),
                },
                Err(e) => return Err(io_error(&shown)(e)),
            }
        };
        Ok(Boundary { root: rest.iter().rev().fold(root, |p, n| p.join(n)) })
    }

    /// The resolved folder.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// A folder inside this one (like `output.dir`), as a boundary of its own.
    pub fn folder(&self, rel: &str) -> Result<Boundary, PathError> {
        Ok(Boundary { root: self.walk(rel, true)? })
    }

    /// Where a file role-gen writes or compares lives: every folder on the way resolved and
    /// inside, the file itself not a link. It need not exist.
    pub fn output(&self, rel: &str) -> Result<PathBuf, PathError> {
        self.walk(rel, false)
    }

    /// Where a file role-gen reads lives (a template): links allowed while they stay inside.
    pub fn input(&self, rel: &str) -> Result<PathBuf, PathError> {
        self.walk(rel, true)
    }

    fn walk(&self, rel: &str, follow_last: bool) -> Result<PathBuf, PathError> {
        let parts: Vec<Component<'_>> = Path::new(rel).components().collect();
        let mut cur = self.root.clone();
        let mut missing = false;
        for (i, part) in parts.iter().enumerate() {
            let last = i + 1 == parts.len();
            match part {
                Component::CurDir => {}
                Component::ParentDir if cur != self.root => {
                    cur.pop();
                }
                Component::Normal(name) if missing => cur.push(name),
                Component::Normal(name) => {
                    let next = cur.join(name);
                    (cur, missing) = self.step(rel, next, last && !follow_last)?;
                }
                _ => return Err(PathError::Escape { path: rel.to_string(), resolved: Path::new(rel).to_path_buf() }),
            }
        }
        Ok(cur)
    }

    /// One component: its own path when it is no link (and whether it is missing), or where
    /// the link leads when that is inside.
    fn step(&self, rel: &str, next: PathBuf, refuse_link: bool) -> Result<(PathBuf, bool), PathError> {
        match fs::symlink_metadata(&next) {
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok((next, true)),
            Err(e) => Err(io_error(rel)(e)),
            Ok(meta) if !meta.file_type().is_symlink() => Ok((next, false)),
            Ok(_) if refuse_link => Err(PathError::Link { path: rel.to_string() }),
            Ok(_) => match fs::canonicalize(&next) {
                Ok(real) if real.starts_with(&self.root) => Ok((real, false)),
                Ok(real) => Err(PathError::Escape { path: rel.to_string(), resolved: real }),
                // A link that leads nowhere cannot be checked, so it is not followed.
                Err(_) => Err(PathError::Link { path: rel.to_string() }),
            },
        }
    }
}

/// Reads a regular file without following a link at its last component, at most `limit`
/// bytes; `Ok(None)` when it does not exist. `shown` names it in errors.
pub fn read_file(path: &Path, shown: &str, limit: u64) -> Result<Option<Vec<u8>>, PathError> {
    let file = match open_regular(path) {
        Ok(Some(file)) => file,
        Ok(None) => return Ok(None),
        Err(Opened::Link) => return Err(PathError::Link { path: shown.to_string() }),
        Err(Opened::NotAFile) => return Err(PathError::NotAFile { path: shown.to_string() }),
        Err(Opened::Io(e)) => return Err(io_error(shown)(e)),
    };
    let mut bytes = Vec::new();
    file.take(limit + 1).read_to_end(&mut bytes).map_err(io_error(shown))?;
    if bytes.len() as u64 > limit {
        return Err(PathError::TooLarge { path: shown.to_string(), limit });
    }
    Ok(Some(bytes))
}

/// The first `n` bytes of a regular file, not following a link; `Ok(None)` when missing, a link
/// or not a regular file.
pub fn read_head(path: &Path, n: u64) -> io::Result<Option<Vec<u8>>> {
    let file = match open_regular(path) {
        Ok(Some(file)) => file,
        Ok(None) | Err(Opened::Link | Opened::NotAFile) => return Ok(None),
        Err(Opened::Io(e)) => return Err(e),
    };
    let mut head = Vec::new();
    file.take(n).read_to_end(&mut head)?;
    Ok(Some(head))
}

/// Whether `path` exists as anything (a dangling link included), without following it.
pub fn exists(path: &Path) -> bool {
    fs::symlink_metadata(path).is_ok()
}

/// Why a file was not opened.
enum Opened {
    Link,
    NotAFile,
    Io(io::Error),
}

/// Opens `path` for reading only when it is a regular file and not a link. It is checked
/// without following links first, so a FIFO or device is never opened (opening a FIFO would
/// wait for a writer), then the opened file is checked to be that same file, so a link swapped
/// in between is refused rather than read: `O_NOFOLLOW` with the standard library alone.
fn open_regular(path: &Path) -> Result<Option<fs::File>, Opened> {
    let before = match fs::symlink_metadata(path) {
        Ok(meta) => meta,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(Opened::Io(e)),
    };
    if before.file_type().is_symlink() {
        return Err(Opened::Link);
    }
    if !before.is_file() {
        return Err(Opened::NotAFile);
    }
    let file = match fs::File::open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(Opened::Io(e)),
    };
    let after = file.metadata().map_err(Opened::Io)?;
    if !after.is_file() || !same_file(&before, &after) {
        return Err(Opened::Link);
    }
    Ok(Some(file))
}

#[cfg(unix)]
fn same_file(a: &fs::Metadata, b: &fs::Metadata) -> bool {
    use std::os::unix::fs::MetadataExt as _;
    (a.dev(), a.ino()) == (b.dev(), b.ino())
}

#[cfg(not(unix))]
fn same_file(a: &fs::Metadata, b: &fs::Metadata) -> bool {
    a.len() == b.len() && a.modified().ok() == b.modified().ok()
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::symlink;

    fn scratch(name: &str) -> io::Result<PathBuf> {
        let dir = std::env::temp_dir().join(format!("role-gen-boundary-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(dir.join("project/gen"))?;
        fs::create_dir_all(dir.join("elsewhere"))?;
        Ok(dir)
    }

    #[test]
    fn links_inside_are_followed_and_links_out_refused() -> Result<(), Box<dyn std::error::Error>> {
        let dir = scratch("links")?;
        let project = Boundary::new(&dir.join("project"))?;
        symlink(dir.join("elsewhere"), dir.join("project/out"))?;
        symlink("gen", dir.join("project/alias"))?;
        assert!(matches!(project.output("out/roles.rs"), Err(PathError::Escape { .. })));
        assert!(matches!(project.folder("out"), Err(PathError::Escape { .. })));
        assert!(project.output("alias/roles.rs")?.ends_with("project/gen/roles.rs"));
        assert!(matches!(project.output("alias"), Err(PathError::Link { .. })));
        assert!(project.output("new/deeper/x.txt")?.ends_with("project/new/deeper/x.txt"));
        assert!(matches!(project.output("../x"), Err(PathError::Escape { .. })));
        fs::remove_dir_all(&dir)?;
        Ok(())
    }

    #[test]
    fn reading_never_follows_the_last_link() -> Result<(), Box<dyn std::error::Error>> {
        let dir = scratch("read")?;
        fs::write(dir.join("elsewhere/secret"), "s")?;
        symlink(dir.join("elsewhere/secret"), dir.join("project/gen/roles.ts"))?;
        let err = read_file(&dir.join("project/gen/roles.ts"), "gen/roles.ts", 10);
        assert!(matches!(err, Err(PathError::Link { .. })));
        assert!(matches!(read_file(&dir.join("project/gen"), "gen", 10), Err(PathError::NotAFile { .. })));
        assert!(read_file(&dir.join("project/none"), "none", 10)?.is_none());
        fs::write(dir.join("project/big"), "0123456789ab")?;
        assert!(matches!(read_file(&dir.join("project/big"), "big", 10), Err(PathError::TooLarge { .. })));
        fs::remove_dir_all(&dir)?;
        Ok(())
    }
}
