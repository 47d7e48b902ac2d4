//! Literals: integers (range-checked to i64) and strings (escapes resolved).

use pest::iterators::Pair;

use super::{span_of, Result};
use crate::ast::{Span, StrLit};
use crate::error::SyntaxError;
use crate::grammar::Rule;

/// The value of an `int_lit` as written, without sign: up to 2^63, the one
/// value that fits only when negated (`-9223372036854775808`).
pub(super) fn lower_int_lit(pair: &Pair<'_, Rule>) -> Result<u64> {
    let mut value: u64 = 0;
    for digit in pair.as_str().bytes().filter(u8::is_ascii_digit) {
        value = value
            .checked_mul(10)
            .and_then(|v| v.checked_add(u64::from(digit - b'0')))
            .filter(|&v| v <= MAGNITUDE_OF_MIN)
            .ok_or_else(|| out_of_range(span_of(pair)))?;
    }
    Ok(value)
}

/// `i64::MIN.unsigned_abs()`: the largest magnitude a literal may have.
pub(super) const MAGNITUDE_OF_MIN: u64 = 1 << 63;

pub(super) fn out_of_range(span: Span) -> SyntaxError {
    SyntaxError::IntLiteralRange { span: span.into() }
}

/// A string with `\"` and `\\` resolved; any other escape is an error that
/// points at it.
pub(super) fn lower_string(pair: Pair<'_, Rule>) -> Result<StrLit> {
    let span = span_of(&pair);
    let body = pair
        .as_str()
        .strip_prefix('"')
        .and_then(|s| s.strip_suffix('"'))
        .ok_or_else(|| SyntaxError::internal("a string without its quotes", span))?;
    let start = span.start + 1;
    let mut value = String::with_capacity(body.len());
    let mut chars = body.char_indices();
    while let Some((_, c)) = chars.next() {
        if c != '\\' {
            value.push(c);
            continue;
        }
        match chars.next() {
            Some((_, escaped @ ('"' | '\\'))) => value.push(escaped),
            Some((at, other)) => {
                let span = Span::new(start + at - 1, start + at + other.len_utf8());
                return Err(SyntaxError::UnknownEscape {
                    escape: format!("\\{}", other.escape_debug()),
                    span: span.into(),
                });
            }
            // The grammar never ends a string body on a lone backslash.
            None => return Err(SyntaxError::internal("a string ending in `\\`", span)),
        }
    }
    Ok(StrLit { value, span })
}
