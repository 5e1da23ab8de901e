//! Every byte the command line prints goes through here.
//!
//! `println!` panics when the reader has gone (`role-gen matrix | head -1`): exit 101 and a
//! panic message in the middle of a pipeline. Here a closed pipe only silences that stream; the
//! command still finishes and exits with its own code, as cargo and ripgrep do. Any other write
//! error (a full disk behind `>`) is remembered and turns the exit code into 2, so output that
//! was lost is never reported as success.

use std::fmt;
use std::io::{self, Write as _};
use std::sync::Mutex;

/// The first write error that was not a closed pipe.
static LOST: Mutex<Option<String>> = Mutex::new(None);

/// Which stream.
#[derive(Debug, Clone, Copy)]
pub enum Stream {
    Out,
    Err,
}

/// Writes formatted text to one stream (what the `out!` and `err!` macros call).
pub fn write(stream: Stream, args: fmt::Arguments<'_>) {
    let result = match stream {
        Stream::Out => io::stdout().lock().write_fmt(args),
        Stream::Err => io::stderr().lock().write_fmt(args),
    };
    if let Err(e) = result {
        remember(&e);
    }
}

/// Flushes stdout (buffered by line); called once before exiting.
pub fn flush() {
    if let Err(e) = io::stdout().lock().flush() {
        remember(&e);
    }
}

/// The write error to report, if output was lost other than to a closed pipe.
pub fn lost() -> Option<String> {
    LOST.lock().ok().and_then(|mut lost| lost.take())
}

fn remember(e: &io::Error) {
    if e.kind() == io::ErrorKind::BrokenPipe {
        return;
    }
    if let Ok(mut lost) = LOST.lock() {
        lost.get_or_insert_with(|| e.to_string());
    }
}

/// `print!` that survives a closed pipe.
macro_rules! out {
    ($($arg:tt)*) => { $crate::cli::output::write($crate::cli::output::Stream::Out, format_args!($($arg)*)) };
}

/// `println!` that survives a closed pipe.
macro_rules! outln {
    () => { $crate::cli::output::out!("\n") };
    ($($arg:tt)*) => { $crate::cli::output::out!("{}\n", format_args!($($arg)*)) };
}

/// `eprint!` that survives a closed pipe.
macro_rules! err {
    ($($arg:tt)*) => { $crate::cli::output::write($crate::cli::output::Stream::Err, format_args!($($arg)*)) };
}

/// `eprintln!` that survives a closed pipe.
macro_rules! errln {
    () => { $crate::cli::output::err!("\n") };
    ($($arg:tt)*) => { $crate::cli::output::err!("{}\n", format_args!($($arg)*)) };
}

pub(crate) use {err, errln, out, outln};
