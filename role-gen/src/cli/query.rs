//! `explain, who-can and matrix`.

use super::{Cli, Failure, Style};

/// Runs `explain, who-can and matrix`.
pub fn run(cli: &Cli, _style: Style) -> Result<(), Failure> {
    Err(Failure::Usage(format!("`{:?}` is not built yet", cli.command)))
}
