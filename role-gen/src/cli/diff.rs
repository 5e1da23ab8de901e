//! `diff`.

use super::{Cli, Failure, Style};

/// Runs `diff`.
pub fn run(cli: &Cli, _style: Style) -> Result<(), Failure> {
    Err(Failure::Usage(format!("`{:?}` is not built yet", cli.command)))
}
