//! Writing an edited roles.toml: atomically, and as the same file it was.
//!
//! An edit writes a temporary file beside roles.toml and renames it over the old one, so a
//! reader never sees half a file. A fresh file would get the editor's umask, user and group,
//! though: a roles.toml kept at 0640 for a deploy group would turn world-readable or lose the
//! group. So the temporary file is given the old file's owner, group and permission bits
//! before it takes the old one's place.

use std::fs::{self, File, Metadata};
use std::io::{self, Write as _};
use std::path::{Path, PathBuf};

/// Replaces `target` by `contents`, keeping the mode and owner recorded in `was` (the old
/// file's metadata). On any error the old file is left as it was and the temporary removed.
pub(super) fn replace(target: &Path, contents: &[u8], was: &Metadata) -> io::Result<()> {
    let dir = match target.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = target.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let (tmp, file) = create_temp(&dir, &name)?;
    let result = fill(&file, contents, was).and_then(|()| {
        drop(file);
        fs::rename(&tmp, target)
    });
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

/// Writes the text, then the owner, then the mode (in that order: changing the owner clears
/// set-user-id bits, and the mode must end up exactly the old one), then syncs.
fn fill(mut file: &File, contents: &[u8], was: &Metadata) -> io::Result<()> {
    file.write_all(contents)?;
    keep_owner(file, was)?;
    file.set_permissions(was.permissions())?;
    file.sync_all()
}

/// Gives `file` the user and group of `was`. Nothing to do when they already match (the usual
/// case: people edit their own files); otherwise only a privileged process may, and when the
/// change is not permitted the edit fails rather than silently hand the file to someone else.
#[cfg(unix)]
fn keep_owner(file: &File, was: &Metadata) -> io::Result<()> {
    use std::os::unix::fs::MetadataExt as _;
    let now = file.metadata()?;
    if (now.uid(), now.gid()) == (was.uid(), was.gid()) {
        return Ok(());
    }
    std::os::unix::fs::fchown(file, Some(was.uid()), Some(was.gid())).map_err(|e| {
        let message = format!("cannot keep its owner (uid {}, gid {}) in the new file: {e}", was.uid(), was.gid());
        io::Error::new(e.kind(), message)
    })
}

/// Elsewhere a file's owner is not part of what std can read or set.
#[cfg(not(unix))]
fn keep_owner(_file: &File, _was: &Metadata) -> io::Result<()> {
    Ok(())
}

/// A new file beside the target, readable by its owner only until [`fill`] sets the old mode
/// (a 0600 roles.toml must not be world-readable for a moment as a temporary).
fn create_temp(dir: &Path, name: &str) -> io::Result<(PathBuf, File)> {
    for attempt in 0..100u32 {
        let tmp = dir.join(format!(".{name}.{}.{attempt}.tmp", std::process::id()));
        let mut options = File::options();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        match options.open(&tmp) {
            Ok(file) => return Ok((tmp, file)),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
    Err(io::Error::new(io::ErrorKind::AlreadyExists, "could not create a temporary file"))
}
