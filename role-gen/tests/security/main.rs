//! The adversarial suite: every way a hostile roles.toml, template or committed file tried to
//! get out of the project folder, crash role-gen or forge output, kept as a test (issue 9).
#![cfg(unix)]

mod common;
mod crashes;
mod injection;
mod paths;
