//! `test`.

use super::{Cli, Failure, Style};

/// Runs `test`.
pub fn run(cli: &Cli, _style: Style) -> Result<(), Failure> {
    Err(Failure::Usage(format!("`{:?}` is not built yet", cli.command)))
}
