//! weft source text to an AST with spans. The only crate that sees pest.

pub mod ast;

/// A syntax error. (Scaffolding: the syntax helper replaces this.)
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
#[error("syntax error")]
#[diagnostic(code(weft::syntax))]
pub struct SyntaxError {
    #[label("here")]
    pub span: miette::SourceSpan,
}

/// Check that the bytes are UTF-8.
pub fn decode(bytes: &[u8]) -> Result<&str, SyntaxError> {
    std::str::from_utf8(bytes).map_err(|e| SyntaxError {
        span: (e.valid_up_to(), 1).into(),
    })
}

/// Parse a whole program.
pub fn parse(src: &str) -> Result<ast::Program, Vec<SyntaxError>> {
    let _ = src;
    todo!("being written: the parser")
}
