//! Why an edit was refused, said the way a diagnostic is: a code from the one registry
//! ([`Refused`]), what, where, and what to do.

use std::fmt;

use role_gen_core::codes::Refused;

/// A refused edit, said the way a diagnostic is: what, where, and what to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// The stable code, for tools that act on a refusal; the text shown does not print it (an
    /// edit's messages read as they did before refusals had codes).
    pub code: Refused,
    pub message: String,
    /// One line each, printed indented under the message (references, locations).
    pub details: Vec<String>,
    pub help: Option<String>,
}

impl Refusal {
    /// A refusal with `code`, saying `message`.
    pub fn new(code: Refused, message: impl Into<String>) -> Self {
        Refusal { code, message: message.into(), details: Vec::new(), help: None }
    }

    /// Adds a line under the message.
    pub fn detail(mut self, line: impl Into<String>) -> Self {
        self.details.push(line.into());
        self
    }

    /// Sets the help line, when there is one.
    pub fn help(mut self, help: Option<String>) -> Self {
        self.help = help;
        self
    }
}

/// Each part escaped on its own line: a refusal quotes names the user (or the file) gave.
impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use crate::escape::Shown;
        write!(f, "{}", Shown(&self.message))?;
        for line in &self.details {
            write!(f, "\n  {}", Shown(line))?;
        }
        if let Some(help) = &self.help {
            write!(f, "\n  = help: {}", Shown(help))?;
        }
        Ok(())
    }
}
