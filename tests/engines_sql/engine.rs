//! The two judges behind one interface: SQLite in-process (rusqlite, bundled) and a real
//! PostgreSQL server (`scripts/postgres`, through psql). Both run the generated files as they
//! are: the schema as a script, the check as a prepared statement whose parameters are bound
//! (SQLite: `:user_id`, `:permission_id`, `:path`; PostgreSQL: `PREPARE … AS <the file>` then
//! `EXECUTE` with `$1`, `$2`, `$3`).

use std::fmt::Write as _;
use std::sync::OnceLock;
use std::time::Instant;

use role_gen_tests::postgres::Postgres;
use rusqlite::types::ValueRef;

/// Rows of one table as text (`None`: NULL), as its query orders them.
pub type Rows = Vec<Vec<Option<String>>>;

/// One stored assignment: `role_assignment`'s columns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub user: String,
    pub role: u32,
    pub entity_type: u32,
    pub entity: String,
}

/// One call of the check query.
#[derive(Debug, Clone)]
pub struct Question {
    pub user: String,
    pub permission: u32,
    /// The path as JSON text: `[[entity_type_id, "entity_id"], …]`, target first (or anything
    /// else, to see what the query does with it).
    pub path: String,
}

/// Which engine, and which generated files it reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Sqlite,
    Postgres,
}

impl Kind {
    pub const BOTH: [Kind; 2] = [Kind::Sqlite, Kind::Postgres];

    /// `sql/roles.<dialect>.sql`.
    pub fn schema_file(self) -> &'static str {
        match self {
            Kind::Sqlite => "sql/roles.sqlite.sql",
            Kind::Postgres => "sql/roles.postgres.sql",
        }
    }

    /// `sql/check_access.<dialect>.sql`.
    pub fn check_file(self) -> &'static str {
        match self {
            Kind::Sqlite => "sql/check_access.sqlite.sql",
            Kind::Postgres => "sql/check_access.postgres.sql",
        }
    }

    /// A fresh, empty database of this engine; `label` names it (PostgreSQL: the database).
    pub fn open(self, label: &str) -> Box<dyn Engine> {
        match self {
            Kind::Sqlite => Box::new(Sqlite::new()),
            Kind::Postgres => Box::new(Pg::new(label)),
        }
    }
}

/// A database to load the generated files into and ask.
pub trait Engine {
    /// Runs a script (a schema file); fails the test on an error.
    fn execute(&mut self, sql: &str);
    /// Stores assignments.
    fn insert(&mut self, rows: &[Row]);
    /// Prepares `query` (a check file) once and runs it on every question: the role ids each
    /// returned, in order (an error fails the test).
    fn check(&mut self, query: &str, questions: &[Question]) -> Vec<Vec<u32>>;
    /// The engine's error when `query` fails on `question`; `None` when it answers.
    fn error(&mut self, query: &str, question: &Question) -> Option<String>;
    /// The rows `select` returns.
    fn rows(&mut self, select: &str) -> Rows;
}

/// SQLite in memory, foreign keys enforced (so the sync must leave them whole).
pub struct Sqlite(rusqlite::Connection);

impl Sqlite {
    pub fn new() -> Sqlite {
        let connection = rusqlite::Connection::open_in_memory().expect("an in-memory SQLite database");
        connection.execute_batch("PRAGMA foreign_keys = ON;").expect("foreign keys on");
        Sqlite(connection)
    }
}

fn text(value: ValueRef<'_>) -> Option<String> {
    match value {
        ValueRef::Null => None,
        ValueRef::Integer(i) => Some(i.to_string()),
        ValueRef::Real(r) => Some(r.to_string()),
        ValueRef::Text(t) => Some(String::from_utf8(t.to_vec()).expect("SQLite holds UTF-8 text")),
        ValueRef::Blob(b) => Some(format!("blob {b:?}")),
    }
}

impl Engine for Sqlite {
    fn execute(&mut self, sql: &str) {
        self.0.execute_batch(sql).unwrap_or_else(|e| panic!("SQLite refused the script: {e}"));
    }

    fn insert(&mut self, rows: &[Row]) {
        let tx = self.0.transaction().expect("a transaction");
        {
            let mut insert = tx.prepare("INSERT INTO role_assignment VALUES (?1, ?2, ?3, ?4)").expect("an insert");
            for r in rows {
                insert.execute(rusqlite::params![r.user, r.role, r.entity_type, r.entity]).expect("a row stored");
            }
        }
        tx.commit().expect("committed");
    }

    fn check(&mut self, query: &str, questions: &[Question]) -> Vec<Vec<u32>> {
        let mut statement = self.0.prepare(query).unwrap_or_else(|e| panic!("SQLite cannot prepare the check: {e}"));
        let mut ask = |q: &Question| -> rusqlite::Result<Vec<u32>> {
            let params =
                rusqlite::named_params! { ":user_id": q.user, ":permission_id": q.permission, ":path": q.path };
            statement.query_map(params, |row| row.get::<_, u32>(0))?.collect()
        };
        questions.iter().map(|q| ask(q).unwrap_or_else(|e| panic!("SQLite failed on {q:?}: {e}"))).collect()
    }

    fn error(&mut self, query: &str, question: &Question) -> Option<String> {
        let mut statement = self.0.prepare(query).unwrap_or_else(|e| panic!("SQLite cannot prepare the check: {e}"));
        let q = question;
        let params = rusqlite::named_params! { ":user_id": q.user, ":permission_id": q.permission, ":path": q.path };
        let rows = statement.query_map(params, |row| row.get::<_, u32>(0));
        rows.and_then(Iterator::collect::<rusqlite::Result<Vec<u32>>>).err().map(|e| e.to_string())
    }

    fn rows(&mut self, select: &str) -> Rows {
        let mut statement = self.0.prepare(select).unwrap_or_else(|e| panic!("SQLite cannot run {select}: {e}"));
        let columns = statement.column_count();
        let rows = statement.query_map([], |row| (0..columns).map(|i| row.get_ref(i).map(text)).collect());
        rows.and_then(Iterator::collect).unwrap_or_else(|e| panic!("SQLite cannot read {select}: {e}"))
    }
}

/// The server every PostgreSQL test of this process shares, started by the first that asks.
/// A `static` is never dropped: the script's watchdog stops the server and deletes its folder
/// when the process ends, passed or failed.
fn server() -> &'static Postgres {
    static SERVER: OnceLock<Postgres> = OnceLock::new();
    SERVER.get_or_init(|| {
        let server = Postgres::start();
        eprintln!("PostgreSQL started in {:.2?}", server.started_in);
        server
    })
}

/// A database of its own on the shared server.
pub struct Pg {
    server: &'static Postgres,
    db: String,
}

impl Pg {
    pub fn new(label: &str) -> Pg {
        let server = server();
        let db = format!("rg_{}", label.to_ascii_lowercase().replace(|c: char| !c.is_ascii_alphanumeric(), "_"));
        server.create_database(&db);
        Pg { server, db }
    }
}

/// A string literal (the questions' values hold no backslash, so doubling quotes is enough).
fn quoted(s: &str) -> String {
    assert!(!s.contains('\\'), "a question without backslashes: {s}");
    format!("'{}'", s.replace('\'', "''"))
}

/// The field COPY's text format wrote: `\N` is NULL, backslash escapes the rest.
fn copy_field(field: &str) -> Option<String> {
    if field == "\\N" {
        return None;
    }
    let mut out = String::with_capacity(field.len());
    let mut chars = field.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        out.push(match chars.next() {
            Some('n') => '\n',
            Some('r') => '\r',
            Some('t') => '\t',
            Some('b') => '\u{8}',
            Some('f') => '\u{c}',
            Some('v') => '\u{b}',
            Some(other) => other,
            None => panic!("COPY field ends in a backslash: {field}"),
        });
    }
    Some(out)
}

/// A line that cannot be a role id: ends one question's rows in psql's output.
const END: &str = "--end--";

/// How many questions [`Pg::check`] also asks through `PREPARE`/`EXECUTE`, a round trip each:
/// the client's own path (and its latency), kept short of the thousands a function answers.
const EXECUTED: usize = 2_000;

/// A psql script that prepares `query` and executes it on each question, an [`END`] line
/// after each one's rows.
fn executions(query: &str, questions: &[Question]) -> String {
    let mut script = format!("PREPARE role_gen_check AS\n{query}\n");
    for q in questions {
        let (user, path) = (quoted(&q.user), quoted(&q.path));
        let _ = writeln!(script, "EXECUTE role_gen_check({user}, {}, {path});\n\\echo {END}", q.permission);
    }
    script
}

/// A psql script that makes `query` the body of a session's function (its `$1`, `$2`, `$3` are
/// the function's arguments), copies the questions into a table and asks them all in one
/// query: each question's role ids, in the query's order, then an [`END`] line.
fn through_function(query: &str, questions: &[Question]) -> String {
    assert!(!query.contains("$role_gen$"), "the query does not end the function's quoting");
    let mut script = format!(
        "CREATE FUNCTION pg_temp.role_gen_check(text, integer, jsonb) RETURNS SETOF integer\n\
         LANGUAGE sql STABLE AS $role_gen$\n{query}\n$role_gen$;\n\
         CREATE TEMP TABLE question (n integer, user_id text, permission_id integer, path text);\n\
         COPY question FROM STDIN;\n"
    );
    for (n, q) in questions.iter().enumerate() {
        assert!(!format!("{}{}", q.user, q.path).contains(['\t', '\n', '\\']), "plain questions: {q:?}");
        let _ = writeln!(script, "{n}\t{}\t{}\t{}", q.user, q.permission, q.path);
    }
    let _ = write!(
        script,
        "\\.\nSELECT format(E'%s\\n%s', string_agg(r.role_id::text, E'\\n' ORDER BY r.o), '{END}')\n\
         FROM question AS q\n\
         LEFT JOIN LATERAL pg_temp.role_gen_check(q.user_id, q.permission_id, q.path::jsonb)\n\
         WITH ORDINALITY AS r (role_id, o) ON true\n\
         GROUP BY q.n ORDER BY q.n;\n"
    );
    script
}

/// The answers psql printed: role ids, one a line, each question's closed by an [`END`] line.
fn answers(printed: &str, questions: usize) -> Vec<Vec<u32>> {
    let mut answers = vec![Vec::new()];
    for line in printed.lines().filter(|l| !l.is_empty()) {
        if line == END {
            answers.push(Vec::new());
        } else if let (Ok(id), Some(last)) = (line.parse(), answers.last_mut()) {
            last.push(id);
        } else {
            panic!("psql printed {line:?} for a check");
        }
    }
    answers.pop();
    assert_eq!(answers.len(), questions, "one answer per question");
    answers
}

impl Engine for Pg {
    fn execute(&mut self, sql: &str) {
        self.server.psql(&self.db, sql);
    }

    fn insert(&mut self, rows: &[Row]) {
        let mut script =
            String::from("COPY role_assignment (user_id, role_id, entity_type_id, entity_id) FROM STDIN;\n");
        for r in rows {
            assert!(!format!("{}{}", r.user, r.entity).contains(['\t', '\n', '\\']), "plain ids");
            let _ = writeln!(script, "{}\t{}\t{}\t{}", r.user, r.role, r.entity_type, r.entity);
        }
        script.push_str("\\.\n");
        self.server.psql(&self.db, &script);
    }

    /// Every question through the file wrapped in a function (one query over a table of them),
    /// and the first [`EXECUTED`] also through `PREPARE`/`EXECUTE`, which must agree.
    fn check(&mut self, query: &str, questions: &[Question]) -> Vec<Vec<u32>> {
        let begun = Instant::now();
        let all = answers(&self.server.psql(&self.db, &through_function(query, questions)), questions.len());
        let took = begun.elapsed();
        let some = &questions[..questions.len().min(EXECUTED)];
        let begun = Instant::now();
        let executed = answers(&self.server.psql(&self.db, &executions(query, some)), some.len());
        let each = |took: std::time::Duration, n: usize| took / n.max(1) as u32;
        eprintln!(
            "  PostgreSQL: {} through a function in {took:.2?} ({:.1?} each); {} EXECUTEs in {:.2?} ({:.1?} each)",
            questions.len(),
            each(took, questions.len()),
            some.len(),
            begun.elapsed(),
            each(begun.elapsed(), some.len())
        );
        assert_eq!(executed, all[..some.len()], "EXECUTE and the function answer alike");
        all
    }

    fn error(&mut self, query: &str, question: &Question) -> Option<String> {
        self.server.try_psql(&self.db, &executions(query, std::slice::from_ref(question))).err()
    }

    fn rows(&mut self, select: &str) -> Rows {
        let printed = self.server.psql(&self.db, &format!("COPY ({select}) TO STDOUT;\n"));
        printed.lines().map(|line| line.split('\t').map(copy_field).collect()).collect()
    }
}
