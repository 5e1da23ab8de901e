//! `role-gen lsp`: a language server for roles.toml, on stdin and stdout (SPEC section 9).
//!
//! It offers `validate`'s diagnostics as the user types (same codes, same messages, on files
//! that do not parse yet too), completion of names, values, keys and sections, the file's
//! outline, hover, go to definition, references, highlights, rename (saying what it breaks, as
//! `diff` would), quick fixes and `fmt` as formatting. It reads no file: only the text the editor sends.
//!
//! Built on `lsp-types` (the protocol's types) and `lsp-server`'s messages, rather than
//! `tower-lsp-server`: the server is synchronous (a request is a function of one document's
//! text), so an async runtime would add tokio and its tree to a binary that never waits on two
//! things at once. lsp-server is rust-analyzer's scaffold: a message type and little else. Its
//! stdio reader is replaced by [`transport`], which bounds what a message may make the server
//! allocate and survives a message that is not JSON.
//!
//! The stages, one module each: [`transport`] reads and writes framed messages, `server` runs
//! the lifecycle and dispatches, `document` holds one text and what is computed from it once
//! per version; `position` converts byte spans to UTF-16 positions, `diagnostics` converts
//! validation's findings; `index` lists every name's places (from the core's tree), `scan` reads
//! context from text that may not parse, `outline` the names it declares and `typed` the name
//! under the cursor; `completion`,
//! `hover`, `navigate`, `symbols` and `actions` answer requests; `edits` turns a new text into edits.

mod actions;
mod client;
mod completion;
mod diagnostics;
mod document;
mod edits;
mod hover;
mod index;
mod navigate;
mod outline;
mod position;
mod scan;
mod server;
mod symbols;
pub mod transport;
mod typed;

use std::io::{self, Read, Write};

/// Which documents the server answers about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Serves {
    /// Those named `roles.toml` or `*.roles.toml`, and those whose leading comments hold the
    /// `#:schema` line naming `roles.schema.json` that `init` writes: an editor that starts
    /// the server for every TOML file does not get role-gen's errors on its Cargo.toml.
    RolesFiles,
    /// Every document the editor sends (an editor configured to send roles files only).
    EveryFile,
}

/// Serves the language server protocol on `input` and `output` until the client says `exit`
/// (or goes away); returns the exit code the protocol asks for: 0 after `shutdown`, else 1.
pub fn serve(input: impl Read + Send + 'static, output: impl Write, serves: Serves) -> io::Result<u8> {
    let incoming = transport::reader(input)?;
    Ok(server::serve(&incoming, output, serves == Serves::EveryFile))
}

/// [`serve`] on stdin and stdout.
pub fn run(serves: Serves) -> io::Result<u8> {
    serve(io::stdin(), io::stdout().lock(), serves)
}
