//! Loads each roles.toml once per process: a compiler process expanding hundreds of
//! `#[derive(RequiresPermission)]` reads the file every time (cheap) but parses and validates
//! it only when its bytes change.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use crate::{Error, Project};

type Loaded = Arc<Result<Project, Error>>;
/// Per file: the bytes it was loaded from, and the result.
type Cache = Mutex<HashMap<PathBuf, (Vec<u8>, Loaded)>>;

static CACHE: OnceLock<Cache> = OnceLock::new();
static PARSES: AtomicUsize = AtomicUsize::new(0);

/// The project at `path`, validated once per distinct content. Diagnostics name the file
/// `shown` (as the user wrote it: no absolute path in compiler output).
pub fn load(path: &Path, shown: &Path) -> Loaded {
    let bytes = match crate::read_source(path) {
        Ok(bytes) => bytes,
        Err(Error::Io { source, .. }) => return Arc::new(Err(Error::Io { path: shown.to_path_buf(), source })),
        Err(e) => return Arc::new(Err(e)),
    };
    let cache = CACHE.get_or_init(|| Mutex::new(HashMap::new()));
    if let Ok(map) = cache.lock()
        && let Some((cached, loaded)) = map.get(path)
        && *cached == bytes
    {
        return Arc::clone(loaded);
    }
    PARSES.fetch_add(1, Ordering::Relaxed);
    let base = path.parent().map(Path::to_path_buf).unwrap_or_default();
    let loaded: Loaded = Arc::new(Project::from_bytes_in(shown, base, &bytes).map_err(Error::Invalid));
    if let Ok(mut map) = cache.lock() {
        map.insert(path.to_path_buf(), (bytes, Arc::clone(&loaded)));
    }
    loaded
}

/// How many times this process has parsed a roles.toml through [`load`].
pub fn parse_count() -> usize {
    PARSES.load(Ordering::Relaxed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_hundred_loads_parse_once_and_an_edit_parses_again() -> std::io::Result<()> {
        let dir = std::env::temp_dir().join(format!("role-gen-cache-{}", std::process::id()));
        std::fs::create_dir_all(&dir)?;
        let file = dir.join("roles.toml");
        std::fs::write(&file, "[project]\nname = \"x\"\n")?;
        let before = parse_count();
        for _ in 0..200 {
            assert!(load(&file, Path::new("roles.toml")).is_ok());
        }
        assert_eq!(parse_count() - before, 1);
        std::fs::write(&file, "[project]\nname = \"y\"\n")?;
        assert!(load(&file, Path::new("roles.toml")).as_ref().as_ref().is_ok_and(|p| p.model().project.name == "y"));
        assert_eq!(parse_count() - before, 2);
        std::fs::remove_dir_all(&dir)
    }
}
