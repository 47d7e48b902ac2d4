//! A quick lexical pass before pest: rejects what pest cannot report well
//! (nesting deep enough to exhaust its recursion, comments and strings left
//! open) and finds where top-level items start, for error recovery.

use crate::ast::Span;
use crate::error::SyntaxError;
use crate::MAX_DEPTH;

/// Words that start a top-level item; a line starting with one of them (at
/// column 0) is where the parser resumes after an error.
const ITEM_KEYWORDS: &[&str] = &[
    "const",
    "shared",
    "atomic",
    "ghost",
    "fair",
    "mutex",
    "rwlock",
    "semaphore",
    "condvar",
    "channel",
    "barrier",
    "waitgroup",
    "fn",
    "thread",
    "invariant",
    "final",
];

/// What the scan learned about a source that passed it.
#[derive(Debug)]
pub(crate) struct Layout {
    /// Byte offsets of the lines that start a top-level item, ascending.
    /// Lines inside comments and strings are not counted.
    pub item_starts: Vec<usize>,
}

/// Scans `src` once, byte by byte: every delimiter the scan cares about is
/// ASCII, so multi-byte characters can never be mistaken for one.
pub(crate) fn scan(src: &str) -> Result<Layout, SyntaxError> {
    let bytes = src.as_bytes();
    let mut item_starts = Vec::new();
    // Open brackets of all three kinds, counted together: each one is a level
    // of recursion in the parser, whatever its kind.
    let mut depth = 0usize;
    let mut line_start = true;
    let mut i = 0;
    while i < bytes.len() {
        if line_start && starts_item(&bytes[i..]) {
            item_starts.push(i);
        }
        line_start = false;
        match bytes[i] {
            b'\n' => {
                line_start = true;
                i += 1;
            }
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                i = find_byte(bytes, i, b'\n').unwrap_or(bytes.len());
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                let close =
                    find_comment_end(bytes, i + 2).ok_or(SyntaxError::UnterminatedComment {
                        span: Span::new(i, i + 2).into(),
                    })?;
                i = close;
            }
            b'"' => i = string_end(bytes, i)?,
            b'(' | b'[' | b'{' => {
                depth += 1;
                if depth > MAX_DEPTH {
                    return Err(SyntaxError::too_deep(Span::new(i, i + 1)));
                }
                i += 1;
            }
            b')' | b']' | b'}' => {
                // Unbalanced closers are the parser's to report.
                depth = depth.saturating_sub(1);
                i += 1;
            }
            _ => i += 1,
        }
    }
    Ok(Layout { item_starts })
}

fn starts_item(rest: &[u8]) -> bool {
    ITEM_KEYWORDS.iter().any(|kw| {
        rest.starts_with(kw.as_bytes())
            && !rest
                .get(kw.len())
                .is_some_and(|&b| b.is_ascii_alphanumeric() || b == b'_')
    })
}

fn find_byte(bytes: &[u8], from: usize, byte: u8) -> Option<usize> {
    bytes[from..]
        .iter()
        .position(|&b| b == byte)
        .map(|at| from + at)
}

/// The offset just past the `*/` that closes a comment whose body starts at `from`.
fn find_comment_end(bytes: &[u8], from: usize) -> Option<usize> {
    bytes[from..]
        .windows(2)
        .position(|w| w == b"*/")
        .map(|at| from + at + 2)
}

/// The offset just past the closing quote of the string opening at `open`. A
/// backslash escapes the next byte (which escapes are valid is checked later);
/// strings end at the end of their line, as in the grammar.
fn string_end(bytes: &[u8], open: usize) -> Result<usize, SyntaxError> {
    let mut i = open + 1;
    while i < bytes.len() {
        match bytes[i] {
            b'"' => return Ok(i + 1),
            b'\n' => break,
            b'\\' if bytes.get(i + 1).is_some_and(|&b| b != b'\n') => i += 2,
            _ => i += 1,
        }
    }
    Err(SyntaxError::UnterminatedString {
        span: Span::new(open, open + 1).into(),
    })
}
