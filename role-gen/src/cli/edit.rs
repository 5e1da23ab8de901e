//! `add, grant, revoke, remove, deprecate and fmt`.

use super::{Cli, Failure, Style};

/// Runs `add, grant, revoke, remove, deprecate and fmt`.
pub fn run(cli: &Cli, _style: Style) -> Result<(), Failure> {
    Err(Failure::Usage(format!("`{:?}` is not built yet", cli.command)))
}
