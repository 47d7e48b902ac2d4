//! `SyntaxError`: every way the text of a program can be rejected, each with a
//! stable code, a labelled byte span and a help line.

use crate::ast::Span;
use miette::SourceSpan;

/// A syntax error, with a byte span into the source. The source text itself is
/// not carried: the CLI attaches it (`miette::NamedSource`) when rendering.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error, miette::Diagnostic)]
pub enum SyntaxError {
    /// The bytes are not UTF-8 (`decode`).
    #[error(
        "the file is not valid UTF-8: line {line}, column {column} has a byte that is not text"
    )]
    #[diagnostic(
        code(weft::invalid_utf8),
        help("save the program as UTF-8 text; weft programs are plain text files")
    )]
    InvalidUtf8 {
        /// The first byte that is not UTF-8.
        #[label("not UTF-8")]
        span: SourceSpan,
        /// 1-based line of that byte.
        line: usize,
        /// 1-based column (in characters) of that byte.
        column: usize,
    },

    /// The parser met something other than what may come next.
    #[error("expected {expected}, found {found}")]
    #[diagnostic(code(weft::syntax))]
    Unexpected {
        /// What could have come next, in prose ("an expression or `)`").
        expected: String,
        /// What was there ("`;`", "end of input").
        found: String,
        #[label("expected {expected}")]
        span: SourceSpan,
        #[help]
        help: String,
    },

    /// A reserved word where a name belongs.
    #[error("`{word}` is a reserved word, so it cannot be used as a name")]
    #[diagnostic(
        code(weft::reserved_word),
        help("choose another name, for example `{word}_` or `my_{word}`")
    )]
    ReservedWord {
        word: String,
        #[label("reserved word")]
        span: SourceSpan,
    },

    /// Brackets, blocks or operators nested past `MAX_DEPTH`.
    #[error("this is nested too deeply: weft allows at most {limit} levels")]
    #[diagnostic(
        code(weft::too_deep),
        help("split the expression with `let` locals, or move deeply nested code into a `fn`")
    )]
    TooDeep {
        limit: usize,
        #[label("more than {limit} levels deep here")]
        span: SourceSpan,
    },

    /// An integer literal that does not fit in an `int` (i64).
    #[error("this integer literal does not fit in 64 bits")]
    #[diagnostic(
        code(weft::int_literal_range),
        help("weft integers are 64-bit: from -9223372036854775808 to 9223372036854775807")
    )]
    IntLiteralRange {
        #[label("too large for an `int`")]
        span: SourceSpan,
    },

    /// `/*` without its `*/`.
    #[error("this block comment is never closed")]
    #[diagnostic(
        code(weft::unterminated_comment),
        help("end the comment with `*/` (block comments do not nest)")
    )]
    UnterminatedComment {
        #[label("comment starts here")]
        span: SourceSpan,
    },

    /// `"` without its closing `"` on the same line.
    #[error("this string is never closed")]
    #[diagnostic(
        code(weft::unterminated_string),
        help("close the string with `\"` on the same line; inside it, `\\\"` is a quote")
    )]
    UnterminatedString {
        #[label("string starts here")]
        span: SourceSpan,
    },

    /// A backslash escape other than `\"` and `\\`.
    #[error("unknown escape `{escape}` in a string")]
    #[diagnostic(
        code(weft::syntax),
        help("the only escapes are `\\\"` (a quote) and `\\\\` (a backslash)")
    )]
    UnknownEscape {
        escape: String,
        #[label("unknown escape")]
        span: SourceSpan,
    },

    /// The parse tree did not have the shape the grammar promises: a bug in
    /// weft, reported instead of panicking.
    #[error("internal error in the parser: {what}")]
    #[diagnostic(
        code(weft::internal),
        help("this is a bug in weft, not in your program; please report it with this file")
    )]
    Internal {
        what: String,
        #[label("while reading this")]
        span: SourceSpan,
    },
}

impl SyntaxError {
    /// Where the error is, as a byte range of the source.
    pub fn span(&self) -> Span {
        let span = match self {
            SyntaxError::InvalidUtf8 { span, .. }
            | SyntaxError::Unexpected { span, .. }
            | SyntaxError::ReservedWord { span, .. }
            | SyntaxError::TooDeep { span, .. }
            | SyntaxError::IntLiteralRange { span }
            | SyntaxError::UnterminatedComment { span }
            | SyntaxError::UnterminatedString { span }
            | SyntaxError::UnknownEscape { span, .. }
            | SyntaxError::Internal { span, .. } => *span,
        };
        Span::new(span.offset(), span.offset() + span.len())
    }

    pub(crate) fn too_deep(span: Span) -> Self {
        SyntaxError::TooDeep {
            limit: crate::MAX_DEPTH,
            span: span.into(),
        }
    }

    pub(crate) fn internal(what: impl Into<String>, span: Span) -> Self {
        SyntaxError::Internal {
            what: what.into(),
            span: span.into(),
        }
    }
}

impl From<Span> for SourceSpan {
    fn from(span: Span) -> Self {
        (span.start, span.len()).into()
    }
}
