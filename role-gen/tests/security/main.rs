//! The adversarial suite: every way a hostile roles.toml, template or committed file tried to
//! get out of the project folder, crash role-gen, lose an edit or forge output, kept as a test
//! (issue 9).
#![cfg(unix)]

mod common;
mod crashes;
mod edits;
mod injection;
mod paths;
mod syntax;
