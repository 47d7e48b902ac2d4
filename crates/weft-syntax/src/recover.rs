//! Reports more than the first syntax error. After a failure, the top-level
//! item holding it is blanked out (replaced by spaces, so every byte offset
//! stays where it was) and the whole text is parsed again.

use std::borrow::Cow;

use pest::Parser;

use crate::ast::Program;
use crate::error::SyntaxError;
use crate::grammar::{Rule, WeftParser};
use crate::scan::Layout;
use crate::{diagnose, lower, MAX_ERRORS};

pub(crate) fn parse_program(src: &str, layout: Layout) -> Result<Program, Vec<SyntaxError>> {
    let mut errors = Vec::new();
    let mut text = Cow::Borrowed(src);
    let mut item_starts = layout.item_starts;
    loop {
        let failure = match WeftParser::parse(Rule::program, &text) {
            Ok(pairs) => {
                // The items that parsed are still converted, so that their
                // own errors (a literal too large, ...) are reported too.
                let program = lower::lower_program(pairs, &mut errors);
                if errors.is_empty() {
                    return Ok(program);
                }
                break;
            }
            Err(failure) => failure,
        };
        let pos = diagnose::position(&failure);
        errors.push(diagnose::from_pest(&failure, &text));
        if errors.len() >= MAX_ERRORS {
            break;
        }
        let Some((start, end)) = failed_item(&text, &item_starts, pos) else {
            break;
        };
        let Some(blanked) = blank(&text, start, end) else {
            break;
        };
        text = Cow::Owned(blanked);
        item_starts.retain(|&s| s < start || s >= end);
    }
    errors.sort_by_key(|e| e.span().start);
    errors.truncate(MAX_ERRORS);
    Err(errors)
}

/// The byte range to skip for an error at `pos`: from the start of the item
/// holding it to the start of the next item. An error right at an item's
/// first keyword belongs to the item before it (a missing `;` or `}`).
fn failed_item(text: &str, item_starts: &[usize], pos: usize) -> Option<(usize, usize)> {
    let start = item_starts
        .iter()
        .rev()
        .find(|&&s| s < pos)
        .copied()
        .unwrap_or_else(|| {
            let line = text.get(..pos).and_then(|before| before.rfind('\n'));
            line.map_or(0, |nl| nl + 1)
        });
    let end = item_starts
        .iter()
        .find(|&&s| s >= pos)
        .copied()
        .unwrap_or(text.len());
    (start < end).then_some((start, end))
}

/// The text with `start..end` replaced by as many spaces. Both ends are line
/// starts or the end of the text, so the range holds whole characters and
/// the result is valid UTF-8 of the same length; `None` if they were not.
fn blank(text: &str, start: usize, end: usize) -> Option<String> {
    let (before, after) = (text.get(..start)?, text.get(end..)?);
    let mut out = String::with_capacity(text.len());
    out.push_str(before);
    out.extend(std::iter::repeat_n(' ', end - start));
    out.push_str(after);
    Some(out)
}
