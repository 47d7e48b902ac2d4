//! Turns a pest parse failure into a `SyntaxError` a student can act on:
//! what was expected in prose, what was found, and what to write instead.

use crate::ast::Span;
use crate::error::SyntaxError;
use crate::grammar::{describe, Rule, RESERVED};
use pest::error::{Error, ErrorVariant, InputLocation};

/// Longest first, so `+=` is found before `+`.
const OPERATORS: &[&str] = &[
    "==", "!=", "<=", ">=", "&&", "||", "+=", "-=", "*=", "++", "--", "..", "+", "-", "*", "/",
    "%", "<", ">", "!", "=",
];

/// Binary operators that want an operand on their right.
const BINARY: &[&str] = &[
    "||", "&&", "==", "!=", "<=", ">=", "<", ">", "+", "-", "*", "/", "%", "=", "+=", "-=", "*=",
];

/// Found tokens longer than this are cut in messages (a 100 KB name would
/// otherwise be the whole message).
const MAX_FOUND_CHARS: usize = 32;

/// The byte offset where the parse failed.
pub(crate) fn position(error: &Error<Rule>) -> usize {
    match error.location {
        InputLocation::Pos(pos) => pos,
        InputLocation::Span((start, _)) => start,
    }
}

pub(crate) fn from_pest(error: &Error<Rule>, src: &str) -> SyntaxError {
    let pos = position(error);
    match &error.variant {
        // pest reports its own stack and call limits this way; the scan's
        // depth limit normally keeps them out of reach.
        ErrorVariant::CustomError { .. } => SyntaxError::too_deep(Span::new(pos, pos)),
        ErrorVariant::ParsingError { positives, .. } => unexpected(positives, pos, src),
    }
}

fn unexpected(positives: &[Rule], pos: usize, src: &str) -> SyntaxError {
    let expected = expected_phrases(positives);
    let token = Token::at(src, pos);
    let wants_name = expected
        .iter()
        .any(|&e| e == "a name" || e == "an expression");
    if wants_name && token.reserved {
        return SyntaxError::ReservedWord {
            word: token.text.to_string(),
            span: token.span.into(),
        };
    }
    let help = help(&expected, &token, previous_operator(src, pos));
    // A missing `;` is noticed only at the next line, and the end of input
    // may be blank lines after the code: point where the code stops instead.
    let span = match missing_semi_at(&expected, src, pos) {
        Some(at) => Span::new(at, at),
        None if token.end_of_input => {
            let end = src.trim_end().len();
            Span::new(end, end)
        }
        None => token.span,
    };
    SyntaxError::Unexpected {
        expected: join_or(&expected),
        found: token.describe(),
        span: span.into(),
        help,
    }
}

/// The prose of each expected rule, without repeats, broad constructs first
/// and "an operator" / "end of input" last (they are the least likely fix).
fn expected_phrases(positives: &[Rule]) -> Vec<&'static str> {
    let mut phrases: Vec<&'static str> = Vec::new();
    for &rule in positives {
        let phrase = describe(rule);
        if !phrases.contains(&phrase) {
            phrases.push(phrase);
        }
    }
    // After a name at the start of a statement, seven tokens could follow;
    // name the two constructs instead.
    if phrases.contains(&"`=`") && phrases.contains(&COMPOUND) {
        phrases.retain(|p| !AFTER_STATEMENT_NAME.contains(p));
        phrases.push(ASSIGNMENT_OR_CALL);
    }
    // After an operand, `.`, `@`, `(` and `[` could continue it as an
    // operator could; listing them all hides the likely `;` or `)`.
    if phrases.contains(&"an operator") {
        phrases.retain(|p| !["`.`", "`@`", "`(`", "`[`"].contains(p));
    }
    phrases.sort_by_key(|phrase| match *phrase {
        "end of input" => 3,
        "an operator" => 2,
        p if p.starts_with('`') => 1,
        _ => 0,
    });
    if phrases.is_empty() {
        phrases.push("something else");
    }
    phrases
}

const COMPOUND: &str = "`+=`, `-=` or `*=`";
const ASSIGNMENT_OR_CALL: &str = "an assignment or a call";
/// What may follow a name that starts a statement: a label's `:`, a method's
/// `.`, a call's `(`, an index, and the assignment operators.
const AFTER_STATEMENT_NAME: &[&str] =
    &["`:`", "`.`", "`(`", "`[`", "`=`", COMPOUND, "`++` or `--`"];

fn join_or(phrases: &[&str]) -> String {
    match phrases {
        [] => String::new(),
        [one] => (*one).to_string(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

/// What the parser stopped at: a word, a number, an operator or one character.
struct Token<'a> {
    text: &'a str,
    span: Span,
    reserved: bool,
    end_of_input: bool,
}

impl<'a> Token<'a> {
    fn at(src: &'a str, pos: usize) -> Self {
        let rest = src.get(pos..).unwrap_or("");
        let Some(first) = rest.chars().next() else {
            return Token {
                text: "",
                span: Span::new(src.len(), src.len()),
                reserved: false,
                end_of_input: true,
            };
        };
        let len = if first.is_ascii_alphanumeric() || first == '_' {
            rest.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(rest.len())
        } else {
            OPERATORS
                .iter()
                .find(|op| rest.starts_with(*op))
                .map_or(first.len_utf8(), |op| op.len())
        };
        let text = &rest[..len];
        Token {
            text,
            span: Span::new(pos, pos + len),
            reserved: RESERVED.contains(&text),
            end_of_input: false,
        }
    }

    fn describe(&self) -> String {
        if self.end_of_input {
            return "end of input".to_string();
        }
        let shown: String = self.text.chars().take(MAX_FOUND_CHARS).collect();
        let cut = if shown.len() < self.text.len() {
            "..."
        } else {
            ""
        };
        let shown: String = shown.chars().flat_map(char::escape_debug).collect();
        if self.reserved {
            format!("the keyword `{shown}`")
        } else {
            format!("`{shown}{cut}`")
        }
    }
}

/// Where a `;` was probably forgotten: the end of the previous line's code,
/// when `;` was expected and the parser only stopped on a later line.
fn missing_semi_at(expected: &[&str], src: &str, pos: usize) -> Option<usize> {
    if !expected.contains(&"`;`") {
        return None;
    }
    let before = src.get(..pos)?;
    let end = before.trim_end().len();
    (end > 0 && before[end..].contains('\n')).then_some(end)
}

/// The binary operator just before `pos` (spaces skipped), if there is one.
fn previous_operator(src: &str, pos: usize) -> Option<&'static str> {
    let before = src.get(..pos)?.trim_end();
    BINARY
        .iter()
        .filter(|op| before.ends_with(*op))
        .max_by_key(|op| op.len())
        .copied()
}

/// One line saying what to write, chosen from the most telling thing that
/// was expected.
fn help(expected: &[&str], found: &Token, previous_op: Option<&str>) -> String {
    let has = |phrase: &str| expected.contains(&phrase);
    if found
        .text
        .starts_with(|c: char| !c.is_ascii() && c.is_alphanumeric())
    {
        return "names are ASCII: letters `a`-`z` and `A`-`Z`, digits and `_`".to_string();
    }
    if has("an expression") {
        if let Some(op) = previous_op {
            return format!(
                "`{op}` needs a value on its right: write a number, a name or `( ... )` after it"
            );
        }
    }
    if found.text == "=" && has("an operator") {
        return "`=` assigns a value; to compare two values, write `==`".to_string();
    }
    if has("`}`") && found.end_of_input {
        return "a block is still open at the end of the file: close it with `}`".to_string();
    }
    if has("`,`") && (has("`)`") || has("`]`")) {
        return "separate the items of a list with `,` and close it where it ends".to_string();
    }
    if has("`;`") {
        return "end the statement or declaration with `;`".to_string();
    }
    if has("`)`") {
        return "every `(` needs a matching `)`: close the parentheses before going on".to_string();
    }
    if has("`]`") {
        return "every `[` needs a matching `]`".to_string();
    }
    if has("`capacity`") {
        return "a channel declares its capacity: `channel ch capacity 1;` (`capacity 0` is a rendezvous channel)".to_string();
    }
    if has("`read` or `write`") {
        return "a readers-writer lock is held with `with rw.read { ... }` or `with rw.write { ... }`".to_string();
    }
    if has(ASSIGNMENT_OR_CALL) {
        return "a statement that starts with a name is an assignment (`x = e;`, `x += e;`, `x++;`) or a call (`m.lock();`)".to_string();
    }
    if has("`:`") && has("`=`") {
        return "a `let` needs a value (`let x = 0;`) or a type (`let x: int;`), or both"
            .to_string();
    }
    if has("`if`") && has("`{`") {
        return "after `else` comes a block `{ ... }` or another `if`".to_string();
    }
    if has("`{`") {
        return "`thread`, `fn`, `if`, `while`, `loop`, `for`, `with` and `atomic` each take a block: open it with `{`".to_string();
    }
    if has("`assert`") {
        return "a check on the final state is written `final assert expr;`".to_string();
    }
    if has("a declaration") {
        return "a program is a list of declarations: `const`, `shared`, `atomic`, `ghost`, `mutex`, `rwlock`, `semaphore`, `condvar`, `channel`, `barrier`, `waitgroup`, `fn`, `thread`, `invariant` and `final assert`".to_string();
    }
    if has("a statement") {
        return "a statement is `let`, an assignment, `if`, `while`, `loop`, `for`, `with`, `atomic`, `await`, `assert`, a call such as `m.lock();`, or a closing `}`".to_string();
    }
    if has("an expression") {
        return "write a value here: a number, `true`, `false`, a name, a call or `( ... )`"
            .to_string();
    }
    if has("a type") {
        return "the types are `int`, `bool`, `int in lo..hi` and arrays `[T; N]`".to_string();
    }
    if has("a name") {
        return "a name starts with a letter or `_`, followed by letters, digits or `_`"
            .to_string();
    }
    if has("a string") {
        return "a message is a string in double quotes: `\"...\"`".to_string();
    }
    format!("write {} here", join_or(expected))
}
