//! A throw-away PostgreSQL server for the `sql` target's tests, run by `scripts/postgres`
//! (Debian's postgresql-15, installed by `scripts/test`): [`Postgres::start`] initialises and
//! starts it in a scratch folder, on a unix socket there only. Two guards stop it: dropping the
//! value (also when a test panics), and the script's watchdog, which stops it and deletes the
//! folder once the test process has ended, however it ended (a server kept in a `static`, or a
//! process killed, is never dropped). A missing server is a failure, never a skip.

use std::io::Write as _;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::workspace_root;

/// A running server; stopped on drop.
#[derive(Debug)]
pub struct Postgres {
    dir: tempfile::TempDir,
    /// How long `start` took (initdb and start).
    pub started_in: Duration,
}

fn script() -> PathBuf {
    workspace_root().join("scripts").join("postgres")
}

impl Postgres {
    /// Starts a new server in a fresh folder, panicking with the script's output when it cannot.
    pub fn start() -> Postgres {
        // The socket's path must stay short (unix sockets take about 100 bytes): /tmp, not a
        // deep TMPDIR.
        let dir = tempfile::Builder::new()
            .prefix("rg-pg-")
            .tempdir_in("/tmp")
            .unwrap_or_else(|e| panic!("cannot create a folder for PostgreSQL: {e}"));
        let begun = Instant::now();
        let mut server = Postgres { dir, started_in: Duration::ZERO };
        // From here on, a failure still runs `stop` (drop) for whatever did start.
        crate::run(Command::new(script()).arg("start").arg(server.dir.path()).arg(std::process::id().to_string()));
        server.started_in = begun.elapsed();
        server
    }

    /// Creates an empty database.
    pub fn create_database(&self, name: &str) {
        assert!(
            name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_'),
            "a plain database name: {name}"
        );
        self.psql("postgres", &format!("CREATE DATABASE {name};\n"));
    }

    /// Runs `script` in database `db` with psql (stopping at the first error, which fails the
    /// test) and returns what it printed: rows unaligned, without headers, fields split by tabs.
    pub fn psql(&self, db: &str, script: &str) -> String {
        self.try_psql(db, script).unwrap_or_else(|e| panic!("{e}\n--- script (start) ---\n{}", head(script)))
    }

    /// [`Postgres::psql`], returning psql's error output when the script fails.
    pub fn try_psql(&self, db: &str, script: &str) -> Result<String, String> {
        let mut child = Command::new(self::script())
            .arg("psql")
            .arg(self.dir.path())
            .args(["-d", db, "-A", "-t", "-F", "\t"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot run scripts/postgres psql: {e}"));
        let mut stdin = child.stdin.take().expect("psql's stdin");
        // Written from another thread: psql's output could fill its pipe before it reads all.
        // (When psql stops at an error, the rest of the script is refused: that is no failure.)
        let output = std::thread::scope(|scope| {
            scope.spawn(move || stdin.write_all(script.as_bytes()));
            child.wait_with_output()
        })
        .unwrap_or_else(|e| panic!("psql did not finish: {e}"));
        let stderr = String::from_utf8_lossy(&output.stderr);
        if !output.status.success() {
            return Err(format!("psql failed ({}): {stderr}", output.status));
        }
        Ok(String::from_utf8(output.stdout).unwrap_or_else(|e| panic!("psql printed non-UTF-8: {e}")))
    }
}

fn head(script: &str) -> String {
    script.lines().take(40).collect::<Vec<_>>().join("\n")
}

impl Drop for Postgres {
    fn drop(&mut self) {
        let stopped = Command::new(script()).arg("stop").arg(self.dir.path()).output();
        match stopped {
            Ok(out) if out.status.success() => {}
            Ok(out) => eprintln!("scripts/postgres stop failed: {}", String::from_utf8_lossy(&out.stderr)),
            Err(e) => eprintln!("cannot run scripts/postgres stop: {e}"),
        }
    }
}
