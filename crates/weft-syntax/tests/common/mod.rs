//! Helpers shared by the test files: reading programs and rendering
//! diagnostics as the CLI shows them (plain text, no colour).

#![allow(dead_code, clippy::unwrap_used)]

use std::path::{Path, PathBuf};

use miette::{GraphicalReportHandler, GraphicalTheme, NamedSource, Report};

/// `shared/acceptance/<sub>` beside the repository.
pub fn acceptance(sub: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/acceptance")
        .join(sub)
}

/// Every `.weft` file in `dir`, sorted; none if the folder does not exist.
pub fn weft_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "weft"))
        .collect();
    files.sort();
    files
}

/// Parse `src` and render every diagnostic, or "ok" when it parses.
pub fn diagnostics(name: &str, src: &str) -> String {
    match weft_syntax::parse(src) {
        Ok(_) => "ok\n".to_string(),
        Err(errors) => errors
            .into_iter()
            .map(|e| render(name, src, e))
            .collect::<Vec<_>>()
            .join("\n"),
    }
}

pub fn render(name: &str, src: &str, error: weft_syntax::SyntaxError) -> String {
    let report = Report::new(error).with_source_code(NamedSource::new(name, src.to_string()));
    let mut out = String::new();
    GraphicalReportHandler::new_themed(GraphicalTheme::unicode_nocolor())
        .with_width(100)
        .render_report(&mut out, report.as_ref())
        .unwrap();
    out
}

use weft_syntax::ast::{Expr, ExprKind, Item, Place, Stmt, UnOp};

/// An expression as a compact s-expression, to assert the shape of a tree
/// in one line: `1 - 2 - 3` is `(- (- 1 2) 3)`.
pub fn sexpr(expr: &Expr) -> String {
    let list = |args: &[Expr]| args.iter().map(sexpr).collect::<Vec<_>>().join(", ");
    match &expr.kind {
        ExprKind::Int(v) => v.to_string(),
        ExprKind::Bool(b) => b.to_string(),
        ExprKind::Name(ident) => ident.name.clone(),
        ExprKind::SelfIdx => "self".to_string(),
        ExprKind::Index { base, index } => format!("{}[{}]", base.name, sexpr(index)),
        ExprKind::Unary { op, operand } => {
            let op = match op {
                UnOp::Neg => "neg",
                UnOp::Not => "not",
            };
            format!("({op} {})", sexpr(operand))
        }
        ExprKind::Binary { op, lhs, rhs } => {
            format!("({} {} {})", op.symbol(), sexpr(lhs), sexpr(rhs))
        }
        ExprKind::Call { func, args } => format!("{}({})", func.name, list(args)),
        ExprKind::Method {
            receiver,
            method,
            args,
        } => format!("{}.{}({})", place(receiver), method.name, list(args)),
        ExprKind::Choose { lo, hi } => format!("choose({}..{})", sexpr(lo), sexpr(hi)),
        ExprKind::At { thread, label } => format!("{}@{}", place(thread), label.name),
        ExprKind::Done { thread } => format!("done({})", place(thread)),
        ExprKind::ArrayLit(elems) => format!("[{}]", list(elems)),
        ExprKind::ArrayRepeat { value, len } => format!("[{}; {}]", sexpr(value), sexpr(len)),
    }
}

pub fn place(place: &Place) -> String {
    match &place.index {
        Some(index) => format!("{}[{}]", place.name.name, sexpr(index)),
        None => place.name.name.clone(),
    }
}

/// Parses `src` or fails the test with the rendered diagnostics.
pub fn parse_ok(src: &str) -> weft_syntax::ast::Program {
    match weft_syntax::parse(src) {
        Ok(program) => program,
        Err(_) => panic!("{src:?} should parse:\n{}", diagnostics("test.weft", src)),
    }
}

/// The expression `text`, parsed as the value of a constant.
pub fn expr(text: &str) -> Expr {
    let program = parse_ok(&format!("const X = {text};"));
    match program.items.into_iter().next() {
        Some(Item::Const(decl)) => decl.value,
        other => panic!("expected a const, got {other:?}"),
    }
}

/// The statements of `body`, parsed as the body of a thread.
pub fn stmts(body: &str) -> Vec<Stmt> {
    let program = parse_ok(&format!("thread t {{\n{body}\n}}"));
    match program.items.into_iter().next() {
        Some(Item::Thread(thread)) => thread.body.stmts,
        other => panic!("expected a thread, got {other:?}"),
    }
}

/// The only error of `src`, which must fail to parse.
pub fn only_error(src: &str) -> weft_syntax::SyntaxError {
    let mut errors = weft_syntax::parse(src).expect_err("should not parse");
    assert_eq!(errors.len(), 1, "{errors:?}");
    errors.remove(0)
}

/// The diagnostic code of an error, as the CLI prints it.
pub fn code(error: &weft_syntax::SyntaxError) -> String {
    use miette::Diagnostic;
    error.code().map(|c| c.to_string()).unwrap_or_default()
}

/// Every span in `program` lies inside `src` on character boundaries, and
/// every expression's span covers those of its operands.
pub fn check_spans(src: &str, program: &weft_syntax::ast::Program) {
    use weft_syntax::ast::{Block, StmtKind, TypeExpr};

    fn span(src: &str, s: weft_syntax::ast::Span) {
        assert!(s.start <= s.end && s.end <= src.len(), "{s:?}");
        assert!(
            src.is_char_boundary(s.start) && src.is_char_boundary(s.end),
            "{s:?}"
        );
    }
    fn expr(src: &str, e: &Expr) {
        span(src, e.span);
        let mut children: Vec<&Expr> = Vec::new();
        let mut places: Vec<&Place> = Vec::new();
        match &e.kind {
            ExprKind::Index { index, .. } => children.push(index),
            ExprKind::Unary { operand, .. } => children.push(operand),
            ExprKind::Binary { lhs, rhs, .. } => children.extend([&**lhs, &**rhs]),
            ExprKind::Call { args, .. } | ExprKind::ArrayLit(args) => children.extend(args),
            ExprKind::Method { receiver, args, .. } => {
                places.push(receiver);
                children.extend(args);
            }
            ExprKind::Choose { lo, hi } => children.extend([&**lo, &**hi]),
            ExprKind::At { thread, .. } | ExprKind::Done { thread } => places.push(thread),
            ExprKind::ArrayRepeat { value, len } => children.extend([&**value, &**len]),
            ExprKind::Int(_) | ExprKind::Bool(_) | ExprKind::Name(_) | ExprKind::SelfIdx => {}
        }
        for child in children {
            assert!(e.span.start <= child.span.start && child.span.end <= e.span.end);
            expr(src, child);
        }
        for p in places {
            place(src, p);
        }
    }
    fn place(src: &str, p: &Place) {
        span(src, p.span);
        span(src, p.name.span);
        if let Some(index) = &p.index {
            expr(src, index);
        }
    }
    fn ty(src: &str, t: &TypeExpr) {
        span(src, t.span());
        match t {
            TypeExpr::Int {
                range: Some((lo, hi)),
                ..
            } => {
                expr(src, lo);
                expr(src, hi);
            }
            TypeExpr::Array { elem, len, .. } => {
                ty(src, elem);
                expr(src, len);
            }
            _ => {}
        }
    }
    fn block(src: &str, b: &Block) {
        span(src, b.span);
        for s in &b.stmts {
            span(src, s.span);
            match &s.kind {
                StmtKind::Let { ty: t, init, .. } => {
                    t.iter().for_each(|t| ty(src, t));
                    init.iter().for_each(|e| expr(src, e));
                }
                StmtKind::Assign { target, value } | StmtKind::Compound { target, value, .. } => {
                    place(src, target);
                    expr(src, value);
                }
                StmtKind::If {
                    cond,
                    then_block,
                    else_block,
                } => {
                    expr(src, cond);
                    block(src, then_block);
                    else_block.iter().for_each(|b| block(src, b));
                }
                StmtKind::While { cond, body } => {
                    expr(src, cond);
                    block(src, body);
                }
                StmtKind::Loop { body } | StmtKind::Atomic { body } | StmtKind::Block(body) => {
                    block(src, body)
                }
                StmtKind::ForRange { lo, hi, body, .. } => {
                    expr(src, lo);
                    expr(src, hi);
                    block(src, body);
                }
                StmtKind::ForChannel { channel, body, .. } => {
                    place(src, channel);
                    block(src, body);
                }
                StmtKind::With { lock, body, .. } => {
                    place(src, lock);
                    block(src, body);
                }
                StmtKind::Return { value } => value.iter().for_each(|e| expr(src, e)),
                StmtKind::Await { cond } | StmtKind::Assert { cond, .. } => expr(src, cond),
                StmtKind::Join { thread } => place(src, thread),
                StmtKind::Expr(e) => expr(src, e),
                StmtKind::Break | StmtKind::Continue | StmtKind::Progress | StmtKind::Fence => {}
            }
        }
    }
    for item in &program.items {
        match item {
            Item::Const(d) => {
                span(src, d.span);
                expr(src, &d.value);
            }
            Item::Var(d) => {
                span(src, d.span);
                d.ty.iter().for_each(|t| ty(src, t));
                d.init.iter().for_each(|e| expr(src, e));
            }
            Item::Object(d) => {
                span(src, d.span);
                d.count.iter().chain(&d.param).for_each(|e| expr(src, e));
            }
            Item::Fn(d) => {
                span(src, d.span);
                d.params
                    .iter()
                    .for_each(|p| p.ty.iter().for_each(|t| ty(src, t)));
                block(src, &d.body);
            }
            Item::Thread(d) => {
                span(src, d.span);
                d.count.iter().for_each(|e| expr(src, e));
                block(src, &d.body);
            }
            Item::Invariant(d) => {
                span(src, d.span);
                expr(src, &d.cond);
            }
            Item::FinalAssert(d) => {
                span(src, d.span);
                expr(src, &d.cond);
            }
        }
    }
}
