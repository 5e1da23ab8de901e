//! JSON-RPC over a byte stream, framed by `Content-Length` headers, bounded.
//!
//! lsp-server's own stdio reader allocates whatever `Content-Length` says before reading a byte
//! of the body, and stops at the first message that is not valid JSON. This one caps a message
//! at [`MOST_BYTES`] (a roles.toml role-gen reads, JSON-escaped, fits) and skips a larger one
//! unread, answers a body that is not JSON with the protocol's parse error, and goes on: only a
//! stream whose framing itself is broken ends the session (no later message could be found in
//! it). The messages are lsp-server's types.

use std::io::{self, BufRead, BufReader, Read, Write};
use std::sync::mpsc::{Receiver, sync_channel};

use lsp_server::Message;

/// The largest message read: room for the largest roles.toml role-gen reads, escaped as JSON.
pub const MOST_BYTES: usize = 4 * crate::SOURCE_LIMIT as usize;

/// The longest header line; a real one is about 30 bytes.
const MOST_HEADER: u64 = 4096;

/// What the reader hands the server.
#[derive(Debug)]
pub enum Incoming {
    Message(Message),
    /// A message that could not be read, with why; the stream goes on after it.
    Malformed(String),
}

/// Reads messages from `input` on a thread of its own, until the input ends or its framing
/// breaks (said on stderr). At most a few messages wait unread, so a client cannot fill memory
/// faster than the server works.
pub fn reader(input: impl Read + Send + 'static) -> io::Result<Receiver<Incoming>> {
    let (sender, receiver) = sync_channel(16);
    std::thread::Builder::new().name("role-gen lsp reader".into()).spawn(move || {
        let mut input = BufReader::new(input);
        loop {
            let incoming = match frame(&mut input) {
                Ok(Some(body)) => parse(&body),
                Ok(None) => return,
                Err(e) => {
                    eprintln!("role-gen lsp: the input stream is broken, stopping: {e}");
                    return;
                }
            };
            let exit = matches!(&incoming, Incoming::Message(Message::Notification(n)) if n.method == "exit");
            if sender.send(incoming).is_err() || exit {
                return;
            }
        }
    })?;
    Ok(receiver)
}

/// One message's body (`Err` inside: it was skipped, with why); `None` at the end of input.
fn frame(input: &mut impl BufRead) -> io::Result<Option<Result<Vec<u8>, String>>> {
    let mut length: Option<usize> = None;
    let mut first = true;
    loop {
        let mut line = Vec::new();
        input.by_ref().take(MOST_HEADER).read_until(b'\n', &mut line)?;
        if line.is_empty() && first {
            return Ok(None);
        }
        first = false;
        let Some(line) = line.strip_suffix(b"\r\n").or_else(|| line.strip_suffix(b"\n")) else {
            return Err(io::Error::new(io::ErrorKind::InvalidData, "a header line without its line break"));
        };
        if line.is_empty() {
            break;
        }
        let text = String::from_utf8_lossy(line);
        if let Some((name, value)) = text.split_once(':')
            && name.trim().eq_ignore_ascii_case("content-length")
        {
            let n = value.trim().parse::<usize>().map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))?;
            length = Some(n);
        }
    }
    let Some(length) = length else {
        return Err(io::Error::new(io::ErrorKind::InvalidData, "a message without Content-Length"));
    };
    if length > MOST_BYTES {
        io::copy(&mut input.by_ref().take(length as u64), &mut io::sink())?;
        return Ok(Some(Err(format!("a message of {length} bytes is larger than the {MOST_BYTES} bytes read"))));
    }
    let mut body = vec![0; length];
    input.read_exact(&mut body)?;
    Ok(Some(Ok(body)))
}

fn parse(body: &Result<Vec<u8>, String>) -> Incoming {
    let bytes = match body {
        Ok(bytes) => bytes,
        Err(reason) => return Incoming::Malformed(reason.clone()),
    };
    let value = match serde_json::from_slice::<serde_json::Value>(bytes) {
        Ok(value) => value,
        Err(e) => return Incoming::Malformed(format!("not JSON: {e}")),
    };
    let has_id = value.get("id").is_some_and(|id| !id.is_null());
    match serde_json::from_value::<Message>(value) {
        // A request whose id is neither an integer nor a string reads as a notification (the
        // id ignored); it would then never be answered.
        Ok(Message::Notification(_)) if has_id => {
            Incoming::Malformed("a request id must be an integer or a string".into())
        }
        Ok(message) => Incoming::Message(message),
        Err(e) => Incoming::Malformed(format!("not a JSON-RPC message: {e}")),
    }
}

/// Where the server's messages go.
#[derive(Debug)]
pub struct Output<W: Write> {
    out: W,
}

impl<W: Write> Output<W> {
    pub fn new(out: W) -> Self {
        Output { out }
    }

    /// Writes one message.
    pub fn send(&mut self, message: impl Into<Message>) -> io::Result<()> {
        message.into().write(&mut self.out)
    }

    /// The protocol's answer to a message that could not be read: an error with no id (the id
    /// could not be read either).
    pub fn parse_error(&mut self, why: &str) -> io::Result<()> {
        let error = serde_json::json!({
            "jsonrpc": "2.0",
            "id": null,
            "error": { "code": lsp_server::ErrorCode::ParseError as i32, "message": why },
        });
        let text = error.to_string();
        write!(self.out, "Content-Length: {}\r\n\r\n{text}", text.len())?;
        self.out.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frames(input: &str) -> Vec<Result<String, String>> {
        let mut input = io::Cursor::new(input.as_bytes().to_vec());
        let mut out = Vec::new();
        while let Ok(Some(body)) = frame(&mut input) {
            out.push(body.map(|b| String::from_utf8_lossy(&b).into_owned()));
        }
        out
    }

    #[test]
    fn a_message_too_large_is_skipped_and_the_next_one_read() {
        let huge = MOST_BYTES + 1;
        let mut input = format!("Content-Length: {huge}\r\n\r\n").into_bytes();
        input.resize(input.len() + huge, b' ');
        input.extend_from_slice(b"content-length:2\r\nContent-Type: x\r\n\r\n{}");
        let mut reader = io::Cursor::new(input);
        assert!(matches!(frame(&mut reader), Ok(Some(Err(_)))));
        assert_eq!(frame(&mut reader).ok().flatten().and_then(Result::ok), Some(b"{}".to_vec()));
        assert!(matches!(frame(&mut reader), Ok(None)));
    }

    #[test]
    fn broken_framing_ends_the_stream_and_bad_json_does_not() {
        assert_eq!(
            frames("Content-Length: 3\r\n\r\n{x}Content-Length: 2\r\n\r\n{}"),
            [Ok("{x}".into()), Ok("{}".into())]
        );
        assert!(matches!(parse(&Ok(b"{x}".to_vec())), Incoming::Malformed(_)));
        assert!(frames("Content-Type: x\r\n\r\n{}").is_empty(), "no length");
        assert!(frames(&format!("X: {}\r\n", "y".repeat(5000))).is_empty(), "a header line too long");
    }
}
