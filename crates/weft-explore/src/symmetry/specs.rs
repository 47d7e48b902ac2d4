//! Specifications that name instances but treat them all alike, such as
//! `invariant !(t[0]@cs && t[1]@cs);`: renaming the instances gives the same
//! specification, up to the order of the operands of `&&`, `||`, `==`, `!=`,
//! `+` and `*`.
//!
//! The test is syntactic and conservative: every instance is named by a
//! constant (`t[1]`, never `t[i]`), and each instruction of the spec, written
//! out without spans and with those operands sorted, is unchanged by the two
//! renamings that generate every permutation: swapping instances 0 and 1,
//! and shifting every instance `i` to `i + 1 mod n`.

use std::fmt::Write;
use weft_ir::{BinOp, Code, Expr, Op, ThreadRef};

/// Is `code` (a spec) unchanged by every permutation of the instances
/// `base..base + n`?
pub(super) fn symmetric(code: &Code, base: u32, n: u32) -> bool {
    let swap = |t: u32| match t.checked_sub(base) {
        Some(0) => base + 1,
        Some(1) => base,
        _ => t,
    };
    let shift = |t: u32| match t.checked_sub(base) {
        Some(i) if i < n => base + (i + 1) % n,
        _ => t,
    };
    let id = |t: u32| t;
    code.instrs.iter().all(|instr| {
        let Some(plain) = op(&instr.op, &id) else {
            return false;
        };
        op(&instr.op, &swap).as_ref() == Some(&plain)
            && op(&instr.op, &shift).as_ref() == Some(&plain)
    })
}

/// An instruction written out with threads renamed by `ren`, or None for an
/// instruction a spec does not use (or that names an instance by a computed
/// index).
fn op(op: &Op, ren: &dyn Fn(u32) -> u32) -> Option<String> {
    let e = |x: &Expr| expr(x, ren);
    Some(match op {
        Op::Set { dst, value, range } => format!("set {dst} {} {range:?}", e(value)?),
        Op::SetIdx {
            base,
            len,
            idx,
            value,
            range,
        } => format!("seti {base} {len} {} {} {range:?}", e(idx)?, e(value)?),
        Op::Clear { from, to } => format!("clear {from} {to}"),
        Op::Jump(t) => format!("jump {t}"),
        Op::JumpIfNot { cond, target } => format!("jumpif {} {target}", e(cond)?),
        Op::Choose { dst, lo, hi } => format!("choose {dst} {} {}", e(lo)?, e(hi)?),
        Op::Check { cond, message } => format!("check {} {message:?}", e(cond)?),
        Op::Read {
            dst, cell, racy, ..
        } => {
            let idx = match &cell.idx {
                Some(i) => e(i)?,
                None => String::new(),
            };
            format!("read {dst} {}[{idx}] {racy}", cell.var)
        }
        _ => return None,
    })
}

fn expr(e: &Expr, ren: &dyn Fn(u32) -> u32) -> Option<String> {
    let mut out = String::new();
    write(e, ren, &mut out)?;
    Some(out)
}

fn write(e: &Expr, ren: &dyn Fn(u32) -> u32, out: &mut String) -> Option<()> {
    match e {
        Expr::Const(v) => {
            let _ = write!(out, "{v}");
        }
        Expr::Local(i) => {
            let _ = write!(out, "l{i}");
        }
        Expr::LocalIdx { base, len, idx, .. } => {
            let _ = write!(out, "l{base}:{len}[{}]", expr(idx, ren)?);
        }
        Expr::Unary(op, a, _) => {
            let _ = write!(out, "({op:?} {})", expr(a, ren)?);
        }
        Expr::Binary(op, a, b, _) => {
            let mut operands = Vec::new();
            match op {
                // Strict over bools: any grouping and order gives the same value.
                BinOp::And | BinOp::Or => chain(*op, e, ren, &mut operands)?,
                // Commutative, one level only: regrouping `+` could move an overflow.
                BinOp::Add | BinOp::Mul | BinOp::Eq | BinOp::Ne => {
                    operands.push(expr(a, ren)?);
                    operands.push(expr(b, ren)?);
                }
                _ => {
                    let _ = write!(out, "({op:?} {} {})", expr(a, ren)?, expr(b, ren)?);
                    return Some(());
                }
            }
            operands.sort();
            let _ = write!(out, "({op:?} {})", operands.join(" "));
        }
        Expr::At { thread, label } => {
            let _ = write!(out, "(at {} {label})", ren(fixed(thread)?));
        }
        Expr::Done(thread) => {
            let _ = write!(out, "(done {})", ren(fixed(thread)?));
        }
    }
    Some(())
}

/// The operands of a chain `a op b op c ...` of one operator.
fn chain(op: BinOp, e: &Expr, ren: &dyn Fn(u32) -> u32, out: &mut Vec<String>) -> Option<()> {
    match e {
        Expr::Binary(o, a, b, _) if *o == op => {
            chain(op, a, ren, out)?;
            chain(op, b, ren, out)
        }
        _ => {
            out.push(expr(e, ren)?);
            Some(())
        }
    }
}

fn fixed(t: &ThreadRef) -> Option<u32> {
    match t {
        ThreadRef::Fixed(t) => Some(*t),
        ThreadRef::Group { .. } => None,
    }
}
