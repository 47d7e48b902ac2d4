//! Checks a weft AST and lowers it to the `weft_ir` state machine.

use weft_syntax::ast;

/// A semantic error. (Scaffolding: the lowering helper replaces this.)
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
#[error("semantic error")]
#[diagnostic(code(weft::semantic))]
pub struct LowerError {
    #[label("here")]
    pub span: miette::SourceSpan,
}

/// Check the program (with `-D NAME=VALUE` overrides) and compile it.
pub fn compile(
    program: &ast::Program,
    defines: &[(String, String)],
) -> Result<weft_ir::Program, Vec<LowerError>> {
    let _ = (program, defines);
    todo!("being written: the lowering")
}
