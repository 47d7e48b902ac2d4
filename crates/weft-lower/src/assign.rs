//! Assignments to variables and cells: `x = e`, `a[i] = e`, and the
//! compound forms `+=`, `-=`, `*=`, `++`, `--` (a read, then a write).

use weft_ir::{self as ir, Op};
use weft_syntax::ast::{self, CompoundOp, Expr, Ident, Place, Span};

use crate::context::{Local, Lower, Resolved};
use crate::declare::GlobalKind;
use crate::error::{Detail, LowerError};
use crate::expr::{binary, not_an_array};
use crate::layout::span;
use crate::types::{self, Ty};
use crate::unparse;

impl<'e, 'a> Lower<'e, 'a> {
    pub fn assign(&mut self, target: &'a Place, value: &'a Expr, at: Span) {
        let Some(r) = self.resolve(&target.name) else {
            self.expr(value);
            return;
        };
        let context = format!("the value assigned to `{}`", target.name.name);
        match r {
            Resolved::Local(Local::Scalar { slot, ty, range }) => {
                if let Some(i) = &target.index {
                    self.expr(i);
                    self.error(not_an_array(&target.name));
                    return;
                }
                let v = self.expr_of(value, ty, &context);
                self.set_local(slot, v, range, at);
            }
            Resolved::Local(Local::Array {
                base,
                len,
                ty,
                range,
            }) => {
                let Some(i) = &target.index else {
                    self.error(whole_array(&target.name));
                    return;
                };
                let idx = self.index(i);
                let v = self.expr_of(value, ty, &context);
                self.b.emit(
                    Op::SetIdx {
                        base,
                        len,
                        idx,
                        value: v.expr,
                        range,
                    },
                    span(at),
                );
            }
            Resolved::Global(GlobalKind::Var(var)) => {
                if !self.allow_effect(&format!("{} = ...", target.name.name), at) {
                    return;
                }
                let Some(cell) = self.cell_ref(var, &target.name, target.index.as_deref()) else {
                    return;
                };
                let ty = if self.env.layout.vars[var].ty == ir::Ty::Bool {
                    Ty::Bool
                } else {
                    Ty::Int
                };
                let v = self.expr_of(value, ty, &context);
                self.b.emit(
                    Op::Write {
                        cell,
                        value: v.expr,
                        from_read: ir::FromRead::No,
                        keeps_read: false,
                    },
                    span(at),
                );
            }
            Resolved::Global(kind) => self.error(self.not_assignable(&target.name, kind)),
        }
    }

    fn not_assignable(&self, id: &Ident, kind: GlobalKind) -> LowerError {
        let help = match kind {
            GlobalKind::Const(_) => format!(
                "a constant never changes; declare `shared {} = ...;` for shared state, or use a `let` local",
                id.name
            ),
            GlobalKind::Object(_) => "objects change only through their methods (`m.lock()`, `ch.send(e)`, ...)".into(),
            _ => "only variables can be assigned".into(),
        };
        LowerError::NotAssignable(
            Detail::new(format!(
                "cannot assign to `{}`: it is {}",
                id.name,
                self.env.decls.describe(kind)
            ))
            .at(id.span, "not a variable")
            .help(help),
        )
    }

    pub fn compound(
        &mut self,
        target: &'a Place,
        op: CompoundOp,
        value: &'a Expr,
        incdec: bool,
        op_span: Span,
        at: Span,
    ) {
        let bin = match op {
            CompoundOp::Add => ast::BinOp::Add,
            CompoundOp::Sub => ast::BinOp::Sub,
            CompoundOp::Mul => ast::BinOp::Mul,
        };
        let Some(r) = self.resolve(&target.name) else {
            return;
        };
        let context = format!("`{}`", op_text(op, incdec));
        let int_target = |me: &mut Self, ty: Ty| {
            if let Some(err) = types::expect(
                ty,
                Ty::Int,
                target.span,
                &format!("the target of {context}"),
            ) {
                me.error(err);
            }
        };
        match r {
            Resolved::Local(Local::Scalar { slot, ty, range }) => {
                int_target(self, ty);
                let v = self.expr_of(value, Ty::Int, &context);
                let value = binary(bin, ir::Expr::Local(slot), v.expr, op_span);
                self.b.emit(
                    Op::Set {
                        dst: slot,
                        value,
                        range,
                    },
                    span(at),
                );
            }
            Resolved::Local(Local::Array {
                base,
                len,
                ty,
                range,
            }) => {
                let Some(i) = &target.index else {
                    self.error(whole_array(&target.name));
                    return;
                };
                int_target(self, ty);
                let idx = self.index(i);
                let v = self.expr_of(value, Ty::Int, &context);
                let old = ir::Expr::LocalIdx {
                    base,
                    len,
                    idx: Box::new(idx.clone()),
                    span: span(target.span),
                };
                let value = binary(bin, old, v.expr, op_span);
                self.b.emit(
                    Op::SetIdx {
                        base,
                        len,
                        idx,
                        value,
                        range,
                    },
                    span(at),
                );
            }
            Resolved::Global(GlobalKind::Var(var))
                if self.env.layout.vars[var].kind == ir::VarKind::Atomic =>
            {
                self.error(atomic_compound(target, op, value, incdec, op_span));
            }
            Resolved::Global(GlobalKind::Var(var)) => {
                if !self.allow_effect(&op_text(op, incdec), at) {
                    return;
                }
                let ty = if self.env.layout.vars[var].ty == ir::Ty::Bool {
                    Ty::Bool
                } else {
                    Ty::Int
                };
                int_target(self, ty);
                // `x[i] += e` is `x[i] = x[i] + e` (LANGUAGE.md section 4),
                // with the same steps: the index is worked out for the
                // target, then again for the read, each time reading what
                // it reads (nothing, for a constant, `self` or a local).
                let index = target.index.as_deref();
                let Some(cell) = self.cell_ref(var, &target.name, index) else {
                    return;
                };
                let Some(read) = self.cell_ref(var, &target.name, index) else {
                    return;
                };
                let old = self.temp();
                self.b.emit(
                    Op::Read {
                        dst: old,
                        cell: read,
                        racy: self.racy,
                        tracked: false,
                    },
                    span(target.span),
                );
                let v = self.expr_of(value, Ty::Int, &context);
                let value = binary(bin, ir::Expr::Local(old), v.expr, op_span);
                // As for the long form, the taint pass marks the value as
                // coming from the read.
                self.b.emit(
                    Op::Write {
                        cell,
                        value,
                        from_read: ir::FromRead::No,
                        keeps_read: false,
                    },
                    span(at),
                );
            }
            Resolved::Global(kind) => self.error(self.not_assignable(&target.name, kind)),
        }
    }
}

fn op_text(op: CompoundOp, incdec: bool) -> String {
    match (op, incdec) {
        (CompoundOp::Add, true) => "++".into(),
        (CompoundOp::Sub, true) => "--".into(),
        (CompoundOp::Add, false) => "+=".into(),
        (CompoundOp::Sub, false) => "-=".into(),
        (CompoundOp::Mul, _) => "*=".into(),
    }
}

fn whole_array(name: &Ident) -> LowerError {
    LowerError::ArrayValue(
        Detail::new(format!(
            "`{}` is an array and cannot be assigned as a whole",
            name.name
        ))
        .at(name.span, "a whole array")
        .help(format!(
            "assign one element at a time: `{}[i] = e;`",
            name.name
        )),
    )
}

/// `x += e` / `x++` on an atomic: one atomic step would be `fetch_add`, and
/// the spelled-out read-then-write shows the race the user may have meant.
fn atomic_compound(
    target: &Place,
    op: CompoundOp,
    value: &Expr,
    incdec: bool,
    op_span: Span,
) -> LowerError {
    let x = unparse::place(target);
    let e = unparse::expr(value);
    let (sym, fetch) = match op {
        CompoundOp::Add => ("+", Some("fetch_add")),
        CompoundOp::Sub => ("-", Some("fetch_sub")),
        CompoundOp::Mul => ("*", None),
    };
    let two_step = format!("`let t = {x}.load(); {x}.store(t {sym} {e});`");
    let help = match fetch {
        Some(f) => format!("write `{x}.{f}({e});` for one atomic step, or the two steps {two_step} if a read then a write is meant"),
        None => format!("there is no atomic multiply: write the two steps {two_step}, or loop on `{x}.cas(old, new)`"),
    };
    LowerError::AtomicCompound(
        Detail::new(format!(
            "`{}` is not allowed on the atomic variable `{}`",
            op_text(op, incdec),
            target.name.name
        ))
        .at(op_span, "a read and a write in one operator")
        .note(target.name.span, "an atomic variable")
        .help(help),
    )
}
