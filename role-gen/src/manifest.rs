//! The manifest (`.role-gen` in the output folder): the files role-gen generated there.
//!
//! Leftover removal used to delete every file under the output folder that carried role-gen's
//! marker, which took other projects' generated files with it (a nested project, `--out-dir`
//! over a shared folder). Now role-gen removes only what its own manifest lists, and even then
//! only a regular file inside the output folder that carries the marker and lies in no folder
//! holding another roles.toml or another manifest. The manifest is committed with the generated
//! files, so it is untrusted too: every entry passes the same path rules as an output path.

use std::collections::BTreeSet;
use std::path::Path;

use crate::boundary::{self, Boundary};
use crate::outputs::GENERATED_MARKER;

/// The manifest's file name in the output folder.
pub const MANIFEST: &str = ".role-gen";

/// The most role-gen reads of a manifest.
const LIMIT: u64 = 4 << 20;

/// The manifest listing `paths`.
pub fn render<'a>(paths: impl Iterator<Item = &'a str>) -> String {
    let mut text = format!(
        "# {GENERATED_MARKER}: the files it generated in this folder.\n\
         # role-gen removes a file it no longer generates only when it is listed here.\n"
    );
    for path in paths {
        text.push_str(path);
        text.push('\n');
    }
    text
}

/// The entries of the manifest in `dir` that pass the output path rules (none without one).
pub fn read(dir: &Boundary) -> Result<BTreeSet<String>, boundary::PathError> {
    let path = dir.output(MANIFEST)?;
    let Some(bytes) = boundary::read_file(&path, MANIFEST, LIMIT)? else { return Ok(BTreeSet::new()) };
    let text = String::from_utf8_lossy(&bytes);
    Ok(text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .filter(|l| crate::check::output_path_problem(l).is_none())
        .map(str::to_string)
        .collect())
}

/// Whether `rel`, listed in the manifest of `dir`, may be removed as a leftover: a regular file
/// inside, with the marker, in no folder that belongs to another project.
pub fn removable(dir: &Boundary, rel: &str) -> bool {
    let Ok(path) = dir.output(rel) else { return false };
    if !path.starts_with(dir.root()) || belongs_elsewhere(dir.root(), &path) {
        return false;
    }
    matches!(boundary::read_head(&path, 512), Ok(Some(head)) if String::from_utf8_lossy(&head).contains(GENERATED_MARKER))
}

/// Whether a folder between `root` (excluded) and `path` holds another roles.toml or manifest.
fn belongs_elsewhere(root: &Path, path: &Path) -> bool {
    path.ancestors()
        .skip(1)
        .take_while(|dir| *dir != root && dir.starts_with(root))
        .any(|dir| boundary::exists(&dir.join("roles.toml")) || boundary::exists(&dir.join(MANIFEST)))
}
