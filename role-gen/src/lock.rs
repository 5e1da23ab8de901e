//! Exclusive advisory locks on a file that is replaced by atomic rename.
//!
//! Two role-gen processes editing one roles.toml at the same moment would both read the old
//! text and the second rename would drop the first edit. Each edit therefore reads, applies and
//! writes while holding an exclusive lock on the file.
//!
//! Locking a file that writers replace by rename has one trap: the lock belongs to the inode
//! that was opened, and once a writer renames a new file over the path, a process that was
//! waiting on the old inode would "win" a lock nobody else ever asks for again. So after taking
//! the lock, [`exclusive`] checks that the path still names the locked file, and otherwise
//! starts again on the new one.

use std::fs::{self, File};
use std::io;
use std::path::Path;

/// How many times the path may be replaced under us before giving up: each retry means another
/// process finished an edit, so running out takes that many edits in a row.
const ATTEMPTS: u32 = 1000;

/// An exclusive lock on a file, held until the guard is dropped.
#[derive(Debug)]
pub struct Guard {
    file: File,
}

impl Guard {
    /// The locked file, open for reading and writing.
    pub fn file(&self) -> &File {
        &self.file
    }

    /// The locked file's bytes, read through the locked handle: exactly what the lock covers.
    pub fn read(&self) -> io::Result<Vec<u8>> {
        use std::io::{Read as _, Seek as _};
        let mut file = &self.file;
        file.rewind()?;
        let mut bytes = Vec::new();
        file.read_to_end(&mut bytes)?;
        Ok(bytes)
    }
}

/// Takes an exclusive advisory lock on the file at `path`, waiting while another process holds
/// it. The file is opened for writing (never created), so a file the user may not write fails
/// here with `PermissionDenied` before any work is done.
///
/// Meant for files replaced by atomic rename (roles.toml under `add`, `grant`, …): the lock is
/// only returned once `path` still names the locked file (on unix, the same device and inode),
/// so every process that writes `path` under this lock sees the previous writer's result. Other
/// platforms have no stable file identity in std; there the lock is taken without the check.
pub fn exclusive(path: &Path) -> io::Result<Guard> {
    for _ in 0..ATTEMPTS {
        let file = File::options().read(true).write(true).open(path)?;
        file.lock()?;
        if still_named(path, &file)? {
            return Ok(Guard { file });
        }
        // Replaced while we waited: our lock guards a file nobody reads any more. Dropping
        // `file` releases it; the next round opens what the path names now.
    }
    Err(io::Error::other(format!("`{}` kept being replaced while waiting for its lock", path.display())))
}

/// Whether `path` names the very file `file` has open.
#[cfg(unix)]
fn still_named(path: &Path, file: &File) -> io::Result<bool> {
    use std::os::unix::fs::MetadataExt as _;
    let open = file.metadata()?;
    match fs::metadata(path) {
        Ok(named) => Ok(named.dev() == open.dev() && named.ino() == open.ino()),
        // Removed or renamed away: try again, and fail to open if it is gone for good.
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(e),
    }
}

#[cfg(not(unix))]
fn still_named(path: &Path, _file: &File) -> io::Result<bool> {
    fs::metadata(path).map(|_| true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_lock_waits_until_the_first_is_dropped() -> io::Result<()> {
        let dir = tempfile::tempdir()?;
        let path = dir.path().join("roles.toml");
        fs::write(&path, "x")?;
        let first = exclusive(&path)?;
        let other = File::options().read(true).write(true).open(&path)?;
        assert!(matches!(other.try_lock(), Err(fs::TryLockError::WouldBlock)));
        drop(first);
        assert!(other.try_lock().is_ok());
        Ok(())
    }

    #[test]
    fn a_missing_file_is_not_created() -> io::Result<()> {
        let dir = tempfile::tempdir()?;
        let path = dir.path().join("missing.toml");
        assert_eq!(exclusive(&path).map(|_| ()).map_err(|e| e.kind()), Err(io::ErrorKind::NotFound));
        assert!(!path.exists());
        Ok(())
    }

    #[test]
    fn a_file_replaced_while_waiting_is_locked_afresh() -> io::Result<()> {
        let dir = tempfile::tempdir()?;
        let path = dir.path().join("roles.toml");
        fs::write(&path, "old")?;
        let first = exclusive(&path)?;
        let waiter = std::thread::spawn({
            let path = path.clone();
            move || exclusive(&path).and_then(|guard| guard.read())
        });
        // The holder replaces the file by rename, as an edit does, then lets go.
        std::thread::sleep(std::time::Duration::from_millis(50));
        let tmp = dir.path().join("roles.toml.tmp");
        fs::write(&tmp, "new")?;
        fs::rename(&tmp, &path)?;
        drop(first);
        let seen = waiter.join().map_err(|_| io::Error::other("waiter panicked"))??;
        assert_eq!(seen, b"new");
        Ok(())
    }
}
