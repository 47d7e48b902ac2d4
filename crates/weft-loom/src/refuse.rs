//! What loom cannot express, found before any Rust is printed: each
//! construct becomes a diagnostic on its span.

use miette::{Diagnostic, SourceSpan};
use weft_syntax::ast::{self, Expr, ExprKind, Item, Stmt, StmtKind};

/// loom has threads; weft programs run at most this many (loom's limit,
/// counting the model's main thread, which runs one weft thread itself).
pub(crate) const MAX_THREADS: usize = 5;

/// A construct `weft emit loom` cannot translate.
#[derive(Debug, thiserror::Error, Diagnostic)]
#[error("loom cannot express {construct}")]
#[diagnostic(code(weft::loom_unsupported), help("{help}"))]
pub struct Unsupported {
    /// What was written, in words: "a `fair` object".
    pub construct: String,
    pub help: String,
    #[label("{construct}")]
    pub span: SourceSpan,
}

fn refusal(construct: &str, help: &str, span: ast::Span) -> Unsupported {
    Unsupported {
        construct: construct.to_string(),
        help: help.to_string(),
        span: SourceSpan::from(span.start..span.end),
    }
}

/// Every construct loom cannot express, in source order.
pub(crate) fn find(program: &ast::Program, ir: &weft_ir::Program) -> Vec<Unsupported> {
    let mut out = Vec::new();
    if ir.memory.buffer().is_some() {
        out.push(refusal(
            &format!("the `{}` memory model", ir.memory.name()),
            "loom checks Rust's memory model for atomics, where weft's plain `shared` \
             variables are data races, not store buffers; emit the program under the \
             default `--memory-model sc`",
            ast::Span { start: 0, end: 0 },
        ));
    }
    let mut threads = 0usize;
    for item in &program.items {
        match item {
            Item::Object(o) if o.fair => out.push(refusal(
                "a `fair` object",
                "loom's locks and the shim's objects promise no order among waiters, and loom \
                 checks no fairness or starvation; drop `fair` to emit the program",
                o.fair_span.unwrap_or(o.span),
            )),
            Item::Invariant(inv) => out.push(refusal(
                "an `invariant`",
                "loom checks assertions where a thread runs them, not a property of every \
                 state; turn the invariant into an `assert` or a `final assert`",
                inv.span,
            )),
            Item::Thread(t) => {
                let group = ir.thread_groups.iter().find(|g| g.name == t.name.name);
                let before = threads;
                threads += group.map_or(1, |g| g.len as usize);
                if threads > MAX_THREADS && before <= MAX_THREADS {
                    out.push(refusal(
                        "more than 5 threads",
                        "loom runs at most 5 threads (4 spawned ones and its main thread); \
                         make the program smaller, e.g. with `-D`",
                        t.span,
                    ));
                }
                block(&t.body, &mut out);
            }
            Item::Fn(f) => block(&f.body, &mut out),
            Item::FinalAssert(f) => expr(&f.cond, &mut out),
            _ => {}
        }
    }
    out.sort_by_key(|u| u.span.offset());
    out
}

fn block(b: &ast::Block, out: &mut Vec<Unsupported>) {
    for s in &b.stmts {
        stmt(s, out);
    }
}

fn stmt(s: &Stmt, out: &mut Vec<Unsupported>) {
    match &s.kind {
        StmtKind::Progress => out.push(refusal(
            "`progress;`",
            "`progress;` is for the livelock and starvation checks, which need infinite \
             schedules; loom explores finite executions only",
            s.span,
        )),
        StmtKind::Let { init, .. } => {
            if let Some(e) = init {
                expr(e, out);
            }
        }
        StmtKind::Assign { target, value } | StmtKind::Compound { target, value, .. } => {
            place(target, out);
            expr(value, out);
        }
        StmtKind::If {
            cond,
            then_block,
            else_block,
        } => {
            expr(cond, out);
            block(then_block, out);
            if let Some(b) = else_block {
                block(b, out);
            }
        }
        StmtKind::While { cond, body } => {
            expr(cond, out);
            block(body, out);
        }
        StmtKind::Loop { body } | StmtKind::Atomic { body } => block(body, out),
        StmtKind::ForRange { lo, hi, body, .. } => {
            expr(lo, out);
            expr(hi, out);
            block(body, out);
        }
        StmtKind::ForChannel { channel, body, .. } => {
            place(channel, out);
            block(body, out);
        }
        StmtKind::With { lock, body, .. } => {
            place(lock, out);
            block(body, out);
        }
        StmtKind::Await { cond } | StmtKind::Assert { cond, .. } => expr(cond, out),
        StmtKind::Return { value: Some(e) } | StmtKind::Expr(e) => expr(e, out),
        StmtKind::Join { thread } => place(thread, out),
        StmtKind::Block(b) => block(b, out),
        StmtKind::Return { value: None }
        | StmtKind::Break
        | StmtKind::Continue
        | StmtKind::Fence => {}
    }
}

fn place(p: &ast::Place, out: &mut Vec<Unsupported>) {
    if let Some(i) = &p.index {
        expr(i, out);
    }
}

fn expr(e: &Expr, out: &mut Vec<Unsupported>) {
    match &e.kind {
        ExprKind::At { .. } => out.push(refusal(
            "`thread@label`",
            "loom cannot observe where another thread stands; check the property with an \
             `assert` inside the thread instead",
            e.span,
        )),
        ExprKind::Index { index, .. } => expr(index, out),
        ExprKind::Unary { operand, .. } => expr(operand, out),
        ExprKind::Binary { lhs, rhs, .. } => {
            expr(lhs, out);
            expr(rhs, out);
        }
        ExprKind::Call { args, .. } => args.iter().for_each(|a| expr(a, out)),
        ExprKind::Method { receiver, args, .. } => {
            place(receiver, out);
            args.iter().for_each(|a| expr(a, out));
        }
        ExprKind::Choose { lo, hi } => {
            expr(lo, out);
            expr(hi, out);
        }
        ExprKind::Done { thread } => place(thread, out),
        ExprKind::ArrayLit(items) => items.iter().for_each(|a| expr(a, out)),
        ExprKind::ArrayRepeat { value, len } => {
            expr(value, out);
            expr(len, out);
        }
        ExprKind::Int(_) | ExprKind::Bool(_) | ExprKind::Name(_) | ExprKind::SelfIdx => {}
    }
}
