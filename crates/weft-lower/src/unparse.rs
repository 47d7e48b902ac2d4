//! AST expressions back to text: the name of an unnamed invariant, and code
//! quoted in help lines.

use weft_syntax::ast::{BinOp, Expr, ExprKind, Place, UnOp};

/// `e` as a user would write it, with only the parentheses precedence needs.
pub(crate) fn expr(e: &Expr) -> String {
    let mut out = String::new();
    write(e, 0, &mut out);
    out
}

/// `x` or `a[i]`.
pub(crate) fn place(p: &Place) -> String {
    match &p.index {
        Some(i) => format!("{}[{}]", p.name.name, expr(i)),
        None => p.name.name.clone(),
    }
}

/// Binding strength, loosest first (LANGUAGE.md section 5).
fn precedence(op: BinOp) -> u8 {
    match op {
        BinOp::Or => 1,
        BinOp::And => 2,
        BinOp::Eq | BinOp::Ne => 3,
        BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge => 4,
        BinOp::Add | BinOp::Sub => 5,
        BinOp::Mul | BinOp::Div | BinOp::Rem => 6,
    }
}

const UNARY: u8 = 7;

fn list(items: &[Expr]) -> String {
    items.iter().map(expr).collect::<Vec<_>>().join(", ")
}

fn write(e: &Expr, min: u8, out: &mut String) {
    match &e.kind {
        ExprKind::Int(v) => out.push_str(&v.to_string()),
        ExprKind::Bool(b) => out.push_str(&b.to_string()),
        ExprKind::Name(id) => out.push_str(&id.name),
        ExprKind::SelfIdx => out.push_str("self"),
        ExprKind::Index { base, index } => out.push_str(&format!("{}[{}]", base.name, expr(index))),
        ExprKind::Unary { op, operand } => {
            out.push(match op {
                UnOp::Neg => '-',
                UnOp::Not => '!',
            });
            write(operand, UNARY, out);
        }
        ExprKind::Binary { op, lhs, rhs } => {
            let p = precedence(*op);
            if p < min {
                out.push('(');
            }
            // Left-associative: the right operand binds one level tighter.
            write(lhs, p, out);
            out.push_str(&format!(" {} ", op.symbol()));
            write(rhs, p + 1, out);
            if p < min {
                out.push(')');
            }
        }
        ExprKind::Call { func, args } => out.push_str(&format!("{}({})", func.name, list(args))),
        ExprKind::Method {
            receiver,
            method,
            args,
        } => out.push_str(&format!(
            "{}.{}({})",
            place(receiver),
            method.name,
            list(args)
        )),
        ExprKind::Choose { lo, hi } => out.push_str(&format!("choose({}..{})", expr(lo), expr(hi))),
        ExprKind::At { thread, label } => {
            out.push_str(&format!("{}@{}", place(thread), label.name))
        }
        ExprKind::Done { thread } => out.push_str(&format!("done({})", place(thread))),
        ExprKind::ArrayLit(items) => out.push_str(&format!("[{}]", list(items))),
        ExprKind::ArrayRepeat { value, len } => {
            out.push_str(&format!("[{}; {}]", expr(value), expr(len)))
        }
    }
}
