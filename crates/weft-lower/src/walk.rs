//! Read-only walks over the AST, for the checks that look at a whole body
//! before lowering it (call graph, labels in functions, `return e`).

use weft_syntax::ast::{Block, Expr, ExprKind, Stmt, StmtKind};

/// Call `f` on every statement of `block`, nested ones included, outer first.
pub(crate) fn stmts<'a>(block: &'a Block, f: &mut impl FnMut(&'a Stmt)) {
    for s in &block.stmts {
        f(s);
        for b in crate::layout::child_blocks(&s.kind) {
            stmts(b, f);
        }
    }
}

/// Call `f` on every expression of `block` (sub-expressions included, outer
/// first, left to right).
pub(crate) fn exprs<'a>(block: &'a Block, f: &mut impl FnMut(&'a Expr)) {
    stmts(block, &mut |s| stmt_exprs(s, &mut *f));
}

fn stmt_exprs<'a>(s: &'a Stmt, f: &mut impl FnMut(&'a Expr)) {
    let mut top: Vec<&'a Expr> = Vec::new();
    match &s.kind {
        StmtKind::Let { init, .. } => top.extend(init),
        StmtKind::Assign { target, value } | StmtKind::Compound { target, value, .. } => {
            top.extend(target.index.as_deref());
            top.push(value);
        }
        StmtKind::If { cond, .. } | StmtKind::While { cond, .. } | StmtKind::Await { cond } => {
            top.push(cond)
        }
        StmtKind::Assert { cond, .. } => top.push(cond),
        StmtKind::ForRange { lo, hi, .. } => top.extend([lo, hi]),
        StmtKind::ForChannel { channel: p, .. }
        | StmtKind::With { lock: p, .. }
        | StmtKind::Join { thread: p } => top.extend(p.index.as_deref()),
        StmtKind::Return { value } => top.extend(value),
        StmtKind::Expr(e) => top.push(e),
        StmtKind::Loop { .. }
        | StmtKind::Break
        | StmtKind::Continue
        | StmtKind::Atomic { .. }
        | StmtKind::Progress
        | StmtKind::Fence
        | StmtKind::Block(_) => {}
    }
    for e in top {
        expr(e, f);
    }
}

/// Call `f` on `e` and every sub-expression, outer first, left to right.
pub(crate) fn expr<'a>(e: &'a Expr, f: &mut impl FnMut(&'a Expr)) {
    f(e);
    match &e.kind {
        ExprKind::Int(_) | ExprKind::Bool(_) | ExprKind::Name(_) | ExprKind::SelfIdx => {}
        ExprKind::Index { index, .. } => expr(index, f),
        ExprKind::Unary { operand, .. } => expr(operand, f),
        ExprKind::Binary { lhs, rhs, .. } => {
            expr(lhs, f);
            expr(rhs, f);
        }
        ExprKind::Call { args, .. } => args.iter().for_each(|a| expr(a, f)),
        ExprKind::Method { receiver, args, .. } => {
            if let Some(i) = &receiver.index {
                expr(i, f);
            }
            args.iter().for_each(|a| expr(a, f));
        }
        ExprKind::Choose { lo, hi } => {
            expr(lo, f);
            expr(hi, f);
        }
        ExprKind::At { thread, .. } | ExprKind::Done { thread } => {
            if let Some(i) = &thread.index {
                expr(i, f);
            }
        }
        ExprKind::ArrayLit(items) => items.iter().for_each(|a| expr(a, f)),
        ExprKind::ArrayRepeat { value, len } => {
            expr(value, f);
            expr(len, f);
        }
    }
}

/// Whether a function body has a `return e;`, which makes its calls values.
pub(crate) fn returns_value(body: &Block) -> bool {
    let mut found = false;
    stmts(body, &mut |s| {
        found |= matches!(s.kind, StmtKind::Return { value: Some(_) })
    });
    found
}
