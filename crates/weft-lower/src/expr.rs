//! Expressions. Each read of a shared, atomic or ghost cell becomes a `Read`
//! into a temporary, emitted in left-to-right order (index expressions first);
//! what remains is a pure `weft_ir::Expr` over locals and constants.

use weft_ir::{self as ir, Op};
use weft_syntax::ast::{BinOp, Expr, ExprKind, Ident, Span, UnOp};

use crate::context::{Local, Lower, Mode, Resolved};
use crate::declare::GlobalKind;
use crate::error::{Detail, LowerError};
use crate::layout::span;
use crate::types::{self, Ty};

/// A lowered expression: its pure value (after the instructions emitted for
/// it) and its type.
#[derive(Clone, Debug)]
pub(crate) struct Val {
    pub expr: ir::Expr,
    pub ty: Ty,
}

impl Val {
    /// The value of an expression that already produced an error.
    pub fn unknown() -> Val {
        Val {
            expr: ir::Expr::Const(0),
            ty: Ty::Unknown,
        }
    }

    pub fn new(expr: ir::Expr, ty: Ty) -> Val {
        Val { expr, ty }
    }

    pub fn as_const(&self) -> Option<i64> {
        match self.expr {
            ir::Expr::Const(v) => Some(v),
            _ => None,
        }
    }
}

impl<'e, 'a> Lower<'e, 'a> {
    pub fn expr(&mut self, e: &'a Expr) -> Val {
        match &e.kind {
            ExprKind::Int(v) => Val::new(ir::Expr::Const(*v), Ty::Int),
            ExprKind::Bool(b) => Val::new(ir::Expr::Const(i64::from(*b)), Ty::Bool),
            ExprKind::Name(id) => self.name_value(id),
            ExprKind::SelfIdx => self.self_value(e.span),
            ExprKind::Index { base, index } => self.index_value(base, index, e.span),
            ExprKind::Unary { op, operand } => {
                let v = self.expr(operand);
                let ty = types::unary(*op, (v.ty, operand.span), &mut self.errors);
                Val::new(unary(*op, v.expr, e.span), ty)
            }
            ExprKind::Binary {
                op: op @ (BinOp::And | BinOp::Or),
                lhs,
                rhs,
            } if self.needs_jumps(rhs) => self.short_circuit(*op, lhs, rhs),
            ExprKind::Binary { op, lhs, rhs } => {
                let mut l = self.expr(lhs);
                // Left to right: what the left operand computes, and the
                // error it may raise, comes before the right operand's
                // steps (`x / 0 + y` fails before it reads `y`).
                if self.mode != Mode::Spec && may_fail(&l.expr) && self.may_take_steps(rhs) {
                    let dst = self.temp();
                    self.b.emit(
                        Op::Set {
                            dst,
                            value: l.expr,
                            range: None,
                        },
                        span(lhs.span),
                    );
                    l.expr = ir::Expr::Local(dst);
                }
                let r = self.expr(rhs);
                let ty = types::binary(*op, (l.ty, lhs.span), (r.ty, rhs.span), &mut self.errors);
                Val::new(binary(*op, l.expr, r.expr, e.span), ty)
            }
            ExprKind::Call { func, args } => self.call(func, args, e.span, true),
            ExprKind::Method {
                receiver,
                method,
                args,
            } => self.method(receiver, method, args, e.span, true),
            ExprKind::Choose { lo, hi } => self.choose(lo, hi, e.span),
            ExprKind::At { thread, label } => self.at(thread, label, e.span),
            ExprKind::Done { thread } => self.done(thread, e.span),
            ExprKind::ArrayLit(_) | ExprKind::ArrayRepeat { .. } => {
                self.error(LowerError::ArrayValue(
                    Detail::new("an array literal can only initialize a declaration")
                        .at(e.span, "an array here")
                        .help("use it as `let a = [1, 2];` or `shared a = [0; N];`, and work on single elements `a[i]` elsewhere"),
                ));
                Val::unknown()
            }
        }
    }

    /// Lower `e` and report it unless it has type `want`; `context` names the
    /// place ("an `if` condition").
    pub fn expr_of(&mut self, e: &'a Expr, want: Ty, context: &str) -> Val {
        let v = self.expr(e);
        if let Some(err) = types::expect(v.ty, want, e.span, context) {
            self.error(err);
        }
        v
    }

    fn name_value(&mut self, id: &Ident) -> Val {
        match self.resolve(id) {
            None => Val::unknown(),
            Some(Resolved::Local(Local::Scalar { slot, ty, .. })) => {
                Val::new(ir::Expr::Local(slot), ty)
            }
            Some(Resolved::Local(Local::Array { len, .. })) => {
                self.error(needs_index(
                    id,
                    &format!("a local array of {len}"),
                    "read one element with",
                    len,
                ));
                Val::unknown()
            }
            Some(Resolved::Global(GlobalKind::Const(i))) => match self.const_value(i) {
                Some(c) => Val::new(ir::Expr::Const(c.value()), c.ty()),
                None => Val::unknown(),
            },
            Some(Resolved::Global(GlobalKind::Var(i))) => {
                let var = &self.env.layout.vars[i];
                if var.is_array {
                    let len = var.len;
                    self.error(needs_index(
                        id,
                        &format!("an array of {len}"),
                        "read one element with",
                        len,
                    ));
                    return Val::unknown();
                }
                self.read_cell(i, None, id.span)
            }
            Some(Resolved::Global(kind)) => {
                self.error(self.not_a_value(id, kind));
                Val::unknown()
            }
        }
    }

    /// The error for a thread, object or function used as a value.
    pub fn not_a_value(&self, id: &Ident, kind: GlobalKind) -> LowerError {
        let help = match kind {
            GlobalKind::Object(_) => "objects are used through their methods, e.g. `m.lock();`".to_string(),
            GlobalKind::Thread(_) => "threads are used with `join(t);`, and with `done(t)` or `t@label` in specifications".into(),
            GlobalKind::Fn(_) => format!("call it: `{}(...)`", id.name),
            _ => "use a variable or a constant here".into(),
        };
        LowerError::NotAValue(
            Detail::new(format!(
                "`{}` is {}, not a value",
                id.name,
                self.env.decls.describe(kind)
            ))
            .at(id.span, "not a value")
            .help(help),
        )
    }

    fn self_value(&mut self, at: Span) -> Val {
        match self.mode {
            Mode::FnAlone => Val::new(ir::Expr::Local(0), Ty::Int),
            Mode::Thread { group } => {
                let g = &self.env.layout.thread_groups[group];
                if g.is_array {
                    return Val::new(ir::Expr::Local(0), Ty::Int);
                }
                let name = g.decl.name.name.clone();
                let mut d = Detail::new(format!(
                    "`self` is used in thread `{name}`, which is not a thread group"
                ))
                .at(at, "no `self` here");
                if let Some(call) = self.outer_call() {
                    d = d.note(call, format!("called from thread `{name}` here"));
                }
                self.error(LowerError::SelfOutsideGroup(d.help(format!(
                    "`self` is the instance index of a group such as `thread {name}[2] {{ ... }}`; a single thread has none"
                ))));
                Val::unknown()
            }
            Mode::Spec => {
                self.error(LowerError::SelfOutsideGroup(
                    Detail::new("specifications have no `self`")
                        .at(at, "no `self` here")
                        .help("name the instance instead: `t[0]`"),
                ));
                Val::unknown()
            }
        }
    }

    fn index_value(&mut self, base: &Ident, index: &'a Expr, at: Span) -> Val {
        match self.resolve(base) {
            None => {
                self.expr(index);
                Val::unknown()
            }
            Some(Resolved::Local(Local::Array {
                base: b, len, ty, ..
            })) => {
                let idx = self.index(index);
                Val::new(
                    ir::Expr::LocalIdx {
                        base: b,
                        len,
                        idx: Box::new(idx),
                        span: span(at),
                    },
                    ty,
                )
            }
            Some(Resolved::Global(GlobalKind::Var(i))) if self.env.layout.vars[i].is_array => {
                let idx = self.index(index);
                self.read_cell(i, Some(idx), at)
            }
            Some(Resolved::Global(
                kind @ (GlobalKind::Object(_) | GlobalKind::Thread(_) | GlobalKind::Fn(_)),
            )) => {
                self.error(self.not_a_value(base, kind));
                Val::unknown()
            }
            Some(_) => {
                self.error(not_an_array(base));
                self.expr(index);
                Val::unknown()
            }
        }
    }

    /// An index: an int. One out of bounds, even a constant one, is a
    /// runtime error where it is evaluated (LANGUAGE.md section 7), so a
    /// branch that never runs it is fine.
    pub fn index(&mut self, index: &'a Expr) -> ir::Expr {
        self.expr_of(index, Ty::Int, "an index").expr
    }

    /// Emit a read of a global cell into a new temporary.
    pub fn read_cell(&mut self, var: usize, idx: Option<ir::Expr>, at: Span) -> Val {
        let ty = if self.env.layout.vars[var].ty == ir::Ty::Bool {
            Ty::Bool
        } else {
            Ty::Int
        };
        let dst = self.temp();
        let cell = ir::CellRef {
            var: var as u32,
            idx,
        };
        self.b.emit(
            Op::Read {
                dst,
                cell,
                racy: self.racy,
                tracked: false,
            },
            span(at),
        );
        Val::new(ir::Expr::Local(dst), ty)
    }
}

/// The error for an array (of cells, objects, threads) used without an index.
pub(crate) fn needs_index(id: &Ident, what: &str, verb: &str, len: u32) -> LowerError {
    LowerError::NeedsIndex(
        Detail::new(format!("`{}` is {what}", id.name))
            .at(id.span, "needs an index")
            .help(format!(
                "{verb} `{}[i]`, where i is from 0 to {}",
                id.name,
                len.saturating_sub(1)
            )),
    )
}

pub(crate) fn not_an_array(id: &Ident) -> LowerError {
    LowerError::NotAnArray(
        Detail::new(format!("`{}` is not an array", id.name))
            .at(id.span, "cannot be indexed")
            .help(format!("use `{}` without `[...]`", id.name)),
    )
}

pub(crate) fn ir_binop(op: BinOp) -> ir::BinOp {
    match op {
        BinOp::Mul => ir::BinOp::Mul,
        BinOp::Div => ir::BinOp::Div,
        BinOp::Rem => ir::BinOp::Rem,
        BinOp::Add => ir::BinOp::Add,
        BinOp::Sub => ir::BinOp::Sub,
        BinOp::Lt => ir::BinOp::Lt,
        BinOp::Le => ir::BinOp::Le,
        BinOp::Gt => ir::BinOp::Gt,
        BinOp::Ge => ir::BinOp::Ge,
        BinOp::Eq => ir::BinOp::Eq,
        BinOp::Ne => ir::BinOp::Ne,
        BinOp::And => ir::BinOp::And,
        BinOp::Or => ir::BinOp::Or,
    }
}

/// Whether evaluating `e` may fail: arithmetic that may overflow or
/// divide by zero, an element at an index known only at run time.
fn may_fail(e: &ir::Expr) -> bool {
    !matches!(
        e,
        ir::Expr::Const(_) | ir::Expr::Local(_) | ir::Expr::At { .. } | ir::Expr::Done(_)
    )
}

/// `l op r`, folded when both are constants and the result is defined
/// (otherwise the run reports the overflow or division by zero at `at`).
pub(crate) fn binary(op: BinOp, l: ir::Expr, r: ir::Expr, at: Span) -> ir::Expr {
    if let (ir::Expr::Const(a), ir::Expr::Const(b)) = (&l, &r) {
        if let Some(v) = types::fold_binary(op, *a, *b) {
            return ir::Expr::Const(v);
        }
    }
    ir::Expr::Binary(ir_binop(op), Box::new(l), Box::new(r), span(at))
}

pub(crate) fn unary(op: UnOp, v: ir::Expr, at: Span) -> ir::Expr {
    if let ir::Expr::Const(a) = v {
        if let Some(r) = types::fold_unary(op, a) {
            return ir::Expr::Const(r);
        }
    }
    let op = match op {
        UnOp::Neg => ir::UnOp::Neg,
        UnOp::Not => ir::UnOp::Not,
    };
    ir::Expr::Unary(op, Box::new(v), span(at))
}
