//! weft source text to an AST with spans, and syntax diagnostics. The only
//! crate that sees pest.
//!
//! The pipeline is `decode` (bytes to text) then `parse`, which runs:
//!
//! 1. a lexical scan (`scan`) that rejects nesting deeper than [`MAX_DEPTH`]
//!    and comments or strings left open, before pest could recurse too deep;
//! 2. the pest grammar `grammar/weft.pest`, with recovery (`recover`): after
//!    an error the failing top-level item is skipped, so one run reports up
//!    to [`MAX_ERRORS`] errors;
//! 3. the conversion of pest's tree into [`ast`] (`lower`), one
//!    `lower_<rule>` function per rule, which also checks what the grammar
//!    cannot: integer literals fit in 64 bits, string escapes, and the depth
//!    of the tree it builds.
//!
//! An empty file, or one holding only comments, is a valid program with no
//! declarations and no threads; whether such a program is worth checking is
//! for the later stages to say.

pub mod ast;
mod diagnose;
mod error;
mod grammar;
mod lower;
mod recover;
mod scan;

pub use error::SyntaxError;

/// The deepest nesting a program may have, counted three ways, each against
/// this limit: brackets, parentheses and braces open at once; the height of
/// an expression tree (`1 + 2 + 3` is three levels, as a long chain of
/// operators nests too); and blocks inside blocks (each `else if` nests one
/// level).
///
/// It bounds every recursive walk of the tree: pest's and ours here (each
/// level costs them about 12 KiB of stack in a debug build; `parse` makes
/// sure it has enough), and those of later stages, which then fit in the
/// 2 MiB stack of a spawned thread. A program nested this deep is already far
/// beyond anything written by hand.
pub const MAX_DEPTH: usize = 128;

/// `parse` stops after this many syntax errors.
pub const MAX_ERRORS: usize = 20;

/// The stack `parse` makes sure it has. A program nested `MAX_DEPTH` deep
/// takes pest, then the lowering, each under 2 MiB in a debug build.
const STACK_NEEDED: usize = 4 << 20;
/// The size of the fresh stack segment used when less than that is left.
const STACK_GROWN: usize = 8 << 20;

/// Check that the bytes are UTF-8 text; the error points at the first byte
/// that is not. To show it in context, render it over
/// `String::from_utf8_lossy(bytes)`: every offset before that byte is the
/// same there.
pub fn decode(bytes: &[u8]) -> Result<&str, SyntaxError> {
    std::str::from_utf8(bytes).map_err(|e| {
        let start = e.valid_up_to();
        // The valid prefix is text, so lines and columns can be counted in it.
        let before = String::from_utf8_lossy(&bytes[..start]);
        let line = before.matches('\n').count() + 1;
        let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        SyntaxError::InvalidUtf8 {
            span: ast::Span::new(start, start + 1).into(),
            line,
            column,
        }
    })
}

/// Parse a whole program. On failure, every error found (at least one, at
/// most [`MAX_ERRORS`]) in source order.
pub fn parse(src: &str) -> Result<ast::Program, Vec<SyntaxError>> {
    // A spawned thread has 2 MiB of stack, and the caller may have used some:
    // `stacker` moves to a fresh segment only when less than needed is left,
    // so no caller can make the parser overflow.
    stacker::maybe_grow(STACK_NEEDED, STACK_GROWN, || {
        let layout = scan::scan(src).map_err(|e| vec![e])?;
        recover::parse_program(src, layout)
    })
}
