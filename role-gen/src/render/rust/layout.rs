//! rustfmt's layout of the few shapes roles.rs is made of, so that the file is already what
//! `cargo fmt` (edition 2024, default configuration) makes of it: a team that formats its
//! committed `gen/roles.rs` changes nothing and `role-gen check` stays green.
//!
//! Only what the generated code needs, and only where the layout depends on the definition:
//! lists (`&[…]`, `(…)`, `f(…)`), the right side of a `const`, a struct literal's field, a match
//! arm, a function signature. Everything else is fixed text that the templates hold already
//! formatted. The rules are rustfmt's (`max_width` 100, `array_width` and `fn_call_width` 60, a
//! list of one item exempt from the latter); the formatter tests run rustfmt over every
//! definition and over random ones of every name length to hold them to it.
//!
//! Widths count characters: what reaches a layout decision is names, ids and fixed text, all
//! ASCII. Free text (descriptions, deprecation notes) only ever stands where rustfmt leaves it
//! as it is whatever its width: alone in a `#[doc = "…"]` or `#[deprecated = "…"]`, or as the
//! value of a field of a struct literal that is laid out one field per line.

/// rustfmt's `max_width`.
const MAX_WIDTH: usize = 100;
/// rustfmt's `array_width` and `fn_call_width`: the widest list kept on one line.
const LIST_WIDTH: usize = 60;
/// rustfmt's `short_array_element_width_threshold`: an array whose items are all literals at
/// most this wide is packed, many to a line, when it breaks.
const SHORT_ITEM: usize = 10;
/// One level of indentation.
pub const TAB: usize = 4;

/// An expression whose layout depends on its contents: text that never breaks, or a list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expr {
    /// Text rustfmt never breaks (a path, a literal, a short call).
    Atom(String),
    /// Items between `open` (`&[`, `(`, `Some(`) and `close`.
    List { open: String, items: Vec<Expr>, close: &'static str },
    /// `callee(arg)` whose one argument, a list, hugs the parentheses: `f(&[` … `])`.
    Hug { callee: String, arg: Box<Expr> },
    /// `receiver.method(…)`: `call` is the `.method(…)` part, a [`Expr::Hug`] or a list.
    Method { receiver: String, call: Box<Expr> },
    /// `[1, 2, 3]` (or `&[…]`, after `open`): literals at most [`SHORT_ITEM`] wide, packed as
    /// many to a line as fit when the array breaks.
    Packed { open: &'static str, items: Vec<String> },
}

impl Expr {
    /// Text that never breaks.
    pub fn atom(text: impl Into<String>) -> Expr {
        Expr::Atom(text.into())
    }

    /// `&[a, b]`.
    pub fn slice(items: Vec<Expr>) -> Expr {
        Expr::List { open: "&[".into(), items, close: "]" }
    }

    /// `[a, b]`.
    pub fn array(items: Vec<Expr>) -> Expr {
        Expr::List { open: "[".into(), items, close: "]" }
    }

    /// `[1, 2, 3]` of short literals (numbers): packed when it breaks, if every item is short
    /// enough for rustfmt to pack it; else one per line.
    pub fn numbers(items: Vec<String>) -> Expr {
        Expr::packed("[", items)
    }

    /// `["a", "b"]` of literals (ASCII strings): rustfmt packs short ones as it packs numbers.
    pub fn literals(items: Vec<String>) -> Expr {
        Expr::packed("[", items)
    }

    /// `&[1, 2, 3]`, as [`Expr::numbers`] lays it out.
    pub fn number_slice(items: Vec<String>) -> Expr {
        Expr::packed("&[", items)
    }

    fn packed(open: &'static str, items: Vec<String>) -> Expr {
        if items.iter().all(|i| width(i) <= SHORT_ITEM) {
            Expr::Packed { open, items }
        } else {
            Expr::List { open: open.into(), items: items.into_iter().map(Expr::Atom).collect(), close: "]" }
        }
    }

    /// `callee(a, b)`.
    pub fn call(callee: &str, items: Vec<Expr>) -> Expr {
        Expr::List { open: format!("{callee}("), items, close: ")" }
    }

    /// `callee(arg)`, the one argument a list that breaks inside the parentheses.
    pub fn hug(callee: &str, arg: Expr) -> Expr {
        Expr::Hug { callee: callee.to_string(), arg: Box::new(arg) }
    }

    /// `receiver.method(arg)`, where `arg` is a list (then it hugs the parentheses) or not.
    pub fn method(receiver: &str, method: &str, arg: Expr) -> Expr {
        let callee = format!(".{method}");
        let call = if arg.is_list() { Expr::hug(&callee, arg) } else { Expr::call(&callee, vec![arg]) };
        Expr::Method { receiver: receiver.to_string(), call: Box::new(call) }
    }

    /// The expression laid out where its first character stands at column `col` of a line
    /// indented by `indent`, with `reserve` columns needed after it on its last line (`,`,
    /// `;`, ` {`).
    pub fn layout(&self, indent: usize, col: usize, reserve: usize) -> String {
        match self {
            Expr::Atom(text) => text.clone(),
            Expr::List { open, items, close } => list(open, items, close, indent, col, reserve),
            Expr::Hug { callee, arg } => {
                let col = col + width(callee) + 1;
                format!("{callee}({})", arg.layout(indent, col, reserve + 1))
            }
            Expr::Method { receiver, call } => method_call(receiver, call, indent, col, reserve),
            Expr::Packed { open, items } => packed(open, items, indent, col, reserve),
        }
    }

    /// Whether this is a list (which rustfmt may break inside a match arm, not an atom).
    fn is_list(&self) -> bool {
        matches!(self, Expr::List { .. } | Expr::Hug { .. } | Expr::Packed { .. })
    }
}

/// A list on one line when every item is one line, the whole fits, and the items take at most
/// [`LIST_WIDTH`] (a single item is exempt); else one item per line, one level deeper. A single
/// item that is itself a list hugs the delimiters instead: `&[(` … `)]`.
fn list(open: &str, items: &[Expr], close: &str, indent: usize, col: usize, reserve: usize) -> String {
    if let [item] = items
        && item.is_list()
    {
        let laid = item.layout(indent, col + width(open), reserve + width(close));
        return format!("{open}{laid}{close}");
    }
    let inner = indent + TAB;
    let laid: Vec<String> = items.iter().map(|item| item.layout(inner, inner, 1)).collect();
    if laid.iter().all(|item| !item.contains('\n')) {
        let one_line = laid.join(", ");
        let fits = col + width(open) + width(&one_line) + width(close) + reserve <= MAX_WIDTH;
        if fits && (laid.len() == 1 || width(&one_line) <= LIST_WIDTH) {
            return format!("{open}{one_line}{close}");
        }
    }
    let mut out = open.to_string();
    for item in &laid {
        out.push('\n');
        out.push_str(&spaces(inner));
        out.push_str(item);
        out.push(',');
    }
    out.push('\n');
    out.push_str(&spaces(indent));
    out.push_str(close);
    out
}

/// Short literals on one line when the whole fits and they take at most [`LIST_WIDTH`]; else
/// one level deeper, as many to a line as fit: rustfmt counts each item's separator as `, `
/// even at the end of a line, so a line holds at most `MAX_WIDTH - 1` columns.
fn packed(open: &str, items: &[String], indent: usize, col: usize, reserve: usize) -> String {
    let one_line = items.join(", ");
    if col + width(open) + width(&one_line) + 1 + reserve <= MAX_WIDTH && width(&one_line) <= LIST_WIDTH {
        return format!("{open}{one_line}]");
    }
    let inner = indent + TAB;
    let mut out = String::from(open);
    let mut at = MAX_WIDTH;
    for item in items {
        if at + 1 + width(item) + 2 > MAX_WIDTH {
            out.push('\n');
            out.push_str(&spaces(inner));
            at = inner;
        } else {
            out.push(' ');
            at += 1;
        }
        out.push_str(item);
        out.push(',');
        at += width(item) + 1;
    }
    out.push('\n');
    out.push_str(&spaces(indent));
    out.push(']');
    out
}

/// `receiver.method(…)` as rustfmt lays out a chain of one call: on one line if it fits; else
/// the call breaks where it stands, unless it has fewer than five lines that way and fewer
/// still on a line of its own below the receiver (`receiver\n    .method(…)`).
fn method_call(receiver: &str, call: &Expr, indent: usize, col: usize, reserve: usize) -> String {
    let here = format!("{receiver}{}", call.layout(indent, col + width(receiver), reserve));
    if fits_one_line(&here, col, reserve) {
        return here;
    }
    let lines = here.lines().count();
    if lines >= 5 {
        return here;
    }
    let below = call.layout(indent + TAB, indent + TAB, reserve);
    if below.lines().count() >= lines { here } else { format!("{receiver}\n{}{below}", spaces(indent + TAB)) }
}

/// `lhs = rhs;` at `indent` (the line's indentation is not included): the right side on the
/// same line, unless only on the next line, one level deeper, it fits on one line.
pub fn assign(lhs: &str, rhs: &Expr, indent: usize) -> String {
    let col = indent + width(lhs) + 3;
    let same = rhs.layout(indent, col, 1);
    if fits_one_line(&same, col, 1) {
        return format!("{lhs} = {same};");
    }
    let next = rhs.layout(indent + TAB, indent + TAB, 1);
    if fits_one_line(&next, indent + TAB, 1) {
        return format!("{lhs} =\n{}{next};", spaces(indent + TAB));
    }
    format!("{lhs} = {same};")
}

/// `name: value,`: a field of a struct literal laid out one field per line, at `indent`.
pub fn field(name: &str, value: &Expr, indent: usize) -> String {
    format!("{name}: {},", value.layout(indent, indent + width(name) + 2, 1))
}

/// `decl = [Ty { … }, …];` at column 0: one struct literal per row, one field per line (every
/// row is wider than rustfmt's `struct_lit_width`, so none joins a line); a single row hugs
/// the brackets, as rustfmt lays out an array of one struct literal.
pub fn table(decl: &str, ty: &str, rows: &[Vec<(&str, Expr)>]) -> String {
    let row = |fields: &[(&str, Expr)], indent: usize| {
        let mut out = format!("{ty} {{\n");
        for (name, value) in fields {
            out.push_str(&spaces(indent + TAB));
            out.push_str(&field(name, value, indent + TAB));
            out.push('\n');
        }
        out.push_str(&spaces(indent));
        out.push('}');
        out
    };
    match rows {
        [] => format!("{decl} = [];"),
        [one] => format!("{decl} = [{}];", row(one, 0)),
        _ => {
            let mut out = format!("{decl} = [\n");
            for fields in rows {
                out.push_str(&spaces(TAB));
                out.push_str(&row(fields, TAB));
                out.push_str(",\n");
            }
            out.push_str("];");
            out
        }
    }
}

/// `pat => body,`, a match arm at `indent`: on one line when it fits; else the body in a block
/// on the next line; a list that fits neither way breaks where it stands.
pub fn arm(pat: &str, body: &Expr, indent: usize) -> String {
    let col = indent + width(pat) + 4;
    let same = body.layout(indent, col, 1);
    if fits_one_line(&same, col, 1) {
        return format!("{pat} => {same},");
    }
    let next = body.layout(indent + TAB, indent + TAB, 0);
    let first_line_fits = same.lines().next().is_some_and(|first| col + width(first) < MAX_WIDTH);
    if !next.contains('\n') || !body.is_list() || !first_line_fits {
        return format!("{pat} => {{\n{}{next}\n{}}}", spaces(indent + TAB), spaces(indent));
    }
    format!("{pat} => {same},")
}

/// `if cond {` at `indent`: the condition where it stands, and the brace on a line of its own
/// when the condition leaves it no room, unless the condition breaks and ends in closing
/// delimiters (`)`, `])`), which the brace follows.
pub fn if_head(cond: &Expr, indent: usize) -> String {
    let col = indent + 3;
    let laid = cond.layout(indent, col, 0);
    let fits = !laid.contains('\n') && col + width(&laid) + 2 <= MAX_WIDTH;
    if fits || last_line_closes(&laid) { format!("if {laid} {{") } else { format!("if {laid}\n{}{{", spaces(indent)) }
}

/// Whether the last line of a broken expression holds only closing delimiters (`)`, `])`),
/// which an opening brace may follow.
fn last_line_closes(text: &str) -> bool {
    text.contains('\n')
        && text.lines().last().is_some_and(|line| line.trim().chars().all(|c| matches!(c, ')' | ']' | '}' | '?' | '>')))
}

/// A function's signature at column 0 without its body: `head(params) ret` on one line when it
/// fits with the ` {` or the where clause after it, else the parameter on a line of its own.
pub fn signature(head: &str, param: &str, ret: &str) -> String {
    let one_line = format!("{head}({param}){ret}");
    if width(&one_line) <= MAX_WIDTH { one_line } else { format!("{head}(\n{}{param},\n){ret}", spaces(TAB)) }
}

fn fits_one_line(text: &str, col: usize, reserve: usize) -> bool {
    !text.contains('\n') && col + width(text) + reserve <= MAX_WIDTH
}

fn width(text: &str) -> usize {
    text.chars().count()
}

fn spaces(n: usize) -> String {
    " ".repeat(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn paths(n: usize, name: &str) -> Vec<Expr> {
        (0..n).map(|i| Expr::atom(format!("Self::{name}{i}"))).collect()
    }

    #[test]
    fn short_lists_stay_on_one_line() {
        let all = Expr::slice(paths(2, "A"));
        assert_eq!(
            assign("pub const ALL: &'static [Self]", &all, 4),
            "pub const ALL: &'static [Self] = &[Self::A0, Self::A1];"
        );
    }

    #[test]
    fn lists_wider_than_sixty_break_one_item_per_line() {
        let all = Expr::slice(paths(6, "LongerName"));
        let laid = assign("pub const ALL: &'static [Self]", &all, 4);
        assert!(laid.starts_with("pub const ALL: &'static [Self] = &[\n        Self::LongerName0,\n"), "{laid}");
        assert!(laid.ends_with("        Self::LongerName5,\n    ];"), "{laid}");
    }

    #[test]
    fn a_single_long_item_moves_to_the_next_line_rather_than_breaking() {
        let all = Expr::slice(vec![Expr::atom(format!("Self::{}", "A".repeat(64)))]);
        let laid = assign("pub const ALL: &'static [Self]", &all, 4);
        assert!(laid.starts_with("pub const ALL: &'static [Self] =\n        &[Self::AAAA"), "{laid}");
    }

    #[test]
    fn arms_move_their_body_into_a_block_when_too_long() {
        let body = Expr::atom(format!("\"{}\"", "a".repeat(80)));
        let laid = arm("Self::Name", &body, 12);
        assert!(laid.starts_with("Self::Name => {\n                \"aaa"), "{laid}");
        assert!(laid.ends_with("\"\n            }"), "{laid}");
        assert_eq!(arm("Self::A", &Expr::atom("1"), 12), "Self::A => 1,");
    }

    #[test]
    fn signatures_put_the_parameter_on_its_own_line_when_too_long() {
        assert_eq!(signature("pub fn f<F>", "facts: &F", " -> Decision"), "pub fn f<F>(facts: &F) -> Decision");
        let long = format!("pub fn evaluate_{}<F>", "x".repeat(64));
        assert_eq!(signature(&long, "facts: &F", " -> Decision"), format!("{long}(\n    facts: &F,\n) -> Decision"));
    }
}
