//! A file's text as miette reads it, with the header's line and column
//! counted as the JSON report and editors count them.

use crate::position::{line_starts, position};
use miette::{MietteError, MietteSpanContents, NamedSource, SourceCode, SourceSpan, SpanContents};

/// A named source text for diagnostics. miette's own counts the bytes in
/// front of a span on its line for the `file:line:column` header, so a
/// line with `é` or `😀` before the span gave another column than the JSON
/// report's (which counts characters, `docs/json-schema.md`).
#[derive(Debug)]
pub struct Source {
    named: NamedSource<String>,
    /// Where each line starts ([`line_starts`]), found once for every
    /// diagnostic on the file.
    starts: Vec<usize>,
}

impl Source {
    pub fn new(file: &str, text: &str) -> Source {
        Source {
            named: NamedSource::new(file, text.to_string()),
            starts: line_starts(text),
        }
    }

    pub fn text(&self) -> &str {
        self.named.inner()
    }
}

impl SourceCode for Source {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let contents = self
            .named
            .read_span(span, context_lines_before, context_lines_after)?;
        // With lines of context the contents start a line (column 0); the
        // header reads the span alone.
        if context_lines_before != 0 {
            return Ok(contents);
        }
        let at = position(self.text(), &self.starts, contents.span().offset());
        Ok(Box::new(MietteSpanContents::new_named(
            self.named.name().to_string(),
            contents.data(),
            *contents.span(),
            at.line - 1,
            at.column - 1,
            contents.line_count(),
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_count_characters() {
        let source = Source::new("f.weft", "ab\n/* é€😀 */ x = 1;\n");
        let at = "ab\n/* é€😀 */ ".len();
        let contents = source.read_span(&SourceSpan::from((at, 1)), 0, 0);
        let contents = contents.expect("in the text");
        assert_eq!((contents.line(), contents.column()), (1, 10));
        assert_eq!(contents.data(), b"x");
    }
}
