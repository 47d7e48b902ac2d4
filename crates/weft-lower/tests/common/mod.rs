//! Helpers shared by the lowering tests: compile a source text, render
//! diagnostics as users see them.

#![allow(dead_code, clippy::unwrap_used)]

use weft_ir::{Op, Program};

/// Render diagnostics plainly, with the source, as the CLI would.
pub fn render(name: &str, src: &str, errors: Vec<weft_lower::LowerError>) -> String {
    let handler =
        miette::GraphicalReportHandler::new_themed(miette::GraphicalTheme::unicode_nocolor())
            .with_width(100);
    let mut out = String::new();
    for e in errors {
        let report = miette::Report::new(e)
            .with_source_code(miette::NamedSource::new(name, src.to_string()));
        handler.render_report(&mut out, report.as_ref()).unwrap();
        out.push('\n');
    }
    out
}

pub fn parse(src: &str) -> weft_syntax::ast::Program {
    weft_syntax::parse(src).unwrap_or_else(|e| panic!("does not parse: {e:?}\n{src}"))
}

/// Compile with `-D` overrides; panics with the rendered errors.
pub fn compile_with(src: &str, defines: &[(&str, &str)]) -> Program {
    let defines: Vec<(String, String)> = defines
        .iter()
        .map(|(n, v)| (n.to_string(), v.to_string()))
        .collect();
    weft_lower::compile(&parse(src), &defines)
        .unwrap_or_else(|e| panic!("{}", render("test.weft", src, e)))
}

pub fn compile(src: &str) -> Program {
    compile_with(src, &[])
}

/// The errors of a program that must not compile, rendered.
pub fn errors(src: &str) -> String {
    match weft_lower::compile(&parse(src), &[]) {
        Ok(p) => panic!("compiled, but should not:\n{p}"),
        Err(e) => render("test.weft", src, e),
    }
}

/// The error codes of a program that must not compile.
pub fn codes(src: &str) -> Vec<String> {
    match weft_lower::compile(&parse(src), &[]) {
        Ok(p) => panic!("compiled, but should not:\n{p}"),
        Err(e) => e
            .iter()
            .map(|e| {
                miette::Diagnostic::code(e)
                    .map(|c| c.to_string())
                    .unwrap_or_default()
            })
            .collect(),
    }
}

/// The source, then the compiled program: one snapshot a reader can check.
pub fn listing(src: &str) -> String {
    format!("{}\n----\n{}", src.trim(), compile(src))
}

/// The ops of thread declaration `code`.
pub fn ops(p: &Program, code: usize) -> Vec<&Op> {
    p.codes[code].instrs.iter().map(|i| &i.op).collect()
}

/// The `from_read` flags of the writes of thread declaration `code`, in order.
pub fn writes_from_read(p: &Program, code: usize) -> Vec<bool> {
    ops(p, code)
        .into_iter()
        .filter_map(|op| match op {
            Op::Write { from_read, .. } => Some(from_read.any()),
            _ => None,
        })
        .collect()
}
