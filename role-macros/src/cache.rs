//! Loads each roles.toml once per process: a compiler process expanding hundreds of
//! `#[derive(RequiresPermission)]` reads the file every time (cheap) but parses and validates
//! it only when its bytes change.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use role_gen_core::{Error, SourceFile, Validated};

type Loaded = Arc<Result<Validated, Error>>;
/// Per file: the bytes it was loaded from, and the result.
type Cache = Mutex<HashMap<PathBuf, (Vec<u8>, Loaded)>>;

static CACHE: OnceLock<Cache> = OnceLock::new();
static PARSES: AtomicUsize = AtomicUsize::new(0);

/// The project at `path`, validated once per distinct content. Diagnostics name the file
/// `shown` (as the user wrote it: no absolute path in compiler output).
pub fn load(path: &Path, shown: &Path) -> Loaded {
    let bytes = match role_gen_core::read_source(path) {
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
    let source = SourceFile::new(shown, "").with_base(base);
    let loaded: Loaded = Arc::new(
        role_gen_core::decode(source, &bytes).and_then(role_gen_core::validate_errors).map_err(Error::Invalid),
    );
    if let Ok(mut map) = cache.lock() {
        map.insert(path.to_path_buf(), (bytes, Arc::clone(&loaded)));
    }
    loaded
}

/// How many times this process has parsed a roles.toml through [`load`].
#[cfg_attr(not(test), allow(dead_code, reason = "read by the derive bench, which compiles this module"))]
pub fn parse_count() -> usize {
    PARSES.load(Ordering::Relaxed)
}

#[cfg(test)]
mod tests {
    #[test]
    fn two_hundred_loads_parse_once_and_an_edit_parses_again() -> std::io::Result<()> {
        let dir = std::env::temp_dir().join(format!("role-gen-cache-{}", std::process::id()));
        std::fs::create_dir_all(&dir)?;
        let file = dir.join("roles.toml");
        std::fs::write(&file, "[project]\nname = \"x\"\n")?;
        let before = super::parse_count();
        for _ in 0..200 {
            assert!(super::load(&file, std::path::Path::new("roles.toml")).is_ok());
        }
        assert_eq!(super::parse_count() - before, 1);
        std::fs::write(&file, "[project]\nname = \"y\"\n")?;
        assert!(
            super::load(&file, std::path::Path::new("roles.toml")).as_ref().as_ref().is_ok_and(|p| p
                .model()
                .project()
                .name
                == "y")
        );
        assert_eq!(super::parse_count() - before, 2);
        std::fs::remove_dir_all(&dir)
    }
}
