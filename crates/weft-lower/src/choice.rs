//! The expressions that branch: `&&` and `||` (short-circuit jumps when the
//! right side has steps or can fail) and `choose(lo..hi)`.

use weft_ir::{self as ir, Op};
use weft_syntax::ast::{BinOp, Expr, ExprKind, Span, UnOp};

use crate::context::{Lower, Mode, Resolved};
use crate::declare::GlobalKind;
use crate::error::{Detail, LowerError};
use crate::expr::Val;
use crate::layout::span;
use crate::types::Ty;

impl<'e, 'a> Lower<'e, 'a> {
    /// `a && b` / `a || b` whose right side has steps or can fail: evaluate
    /// it only when needed, with a jump.
    pub fn short_circuit(&mut self, op: BinOp, lhs: &'a Expr, rhs: &'a Expr) -> Val {
        let l = self.expr_of(lhs, Ty::Bool, &format!("each side of `{}`", op.symbol()));
        let t = self.temp();
        let at = span(lhs.span.to(rhs.span));
        self.b.emit(
            Op::Set {
                dst: t,
                value: l.expr,
                range: None,
            },
            at,
        );
        let skip_when = match op {
            BinOp::And => ir::Expr::Local(t),
            _ => ir::Expr::Unary(ir::UnOp::Not, Box::new(ir::Expr::Local(t)), at),
        };
        let j = self.b.jump_if_not_forward(skip_when, at);
        let r = self.expr_of(rhs, Ty::Bool, &format!("each side of `{}`", op.symbol()));
        self.b.emit(
            Op::Set {
                dst: t,
                value: r.expr,
                range: None,
            },
            at,
        );
        self.b.patch_here(j);
        Val::new(ir::Expr::Local(t), Ty::Bool)
    }

    /// Whether evaluating `e` emits instructions or can fail at run time; then
    /// `&&`/`||` must not evaluate it unless needed.
    pub fn needs_jumps(&self, e: &Expr) -> bool {
        match &e.kind {
            ExprKind::Int(_) | ExprKind::Bool(_) | ExprKind::SelfIdx => false,
            ExprKind::ArrayLit(_) | ExprKind::ArrayRepeat { .. } => false,
            ExprKind::Name(id) => matches!(
                self.lookup(&id.name),
                Some(Resolved::Global(GlobalKind::Var(_)))
            ),
            ExprKind::Unary {
                op: UnOp::Not,
                operand,
            } => self.needs_jumps(operand),
            ExprKind::Binary {
                op: BinOp::And | BinOp::Or | BinOp::Eq | BinOp::Ne,
                lhs,
                rhs,
            }
            | ExprKind::Binary {
                op: BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge,
                lhs,
                rhs,
            } => self.needs_jumps(lhs) || self.needs_jumps(rhs),
            // A constant instance in bounds cannot fail; any other index
            // may be out of bounds when it runs.
            ExprKind::At { thread, .. } | ExprKind::Done { thread } => {
                thread.index.as_ref().is_some_and(|i| {
                    let len = match self.lookup(&thread.name.name) {
                        Some(Resolved::Global(GlobalKind::Thread(g))) => {
                            self.env.layout.thread_groups[g].len
                        }
                        _ => return true,
                    };
                    !self
                        .constant_int(i)
                        .is_some_and(|k| (0..i64::from(len)).contains(&k))
                })
            }
            _ => true,
        }
    }

    /// Whether lowering `e` may emit a step: it names a global variable,
    /// or calls a function or a method (an over-approximation: a ghost
    /// is read without one).
    pub fn may_take_steps(&self, e: &Expr) -> bool {
        let mut steps = false;
        crate::walk::expr(e, &mut |e| {
            steps |= match &e.kind {
                ExprKind::Name(id) | ExprKind::Index { base: id, .. } => matches!(
                    self.lookup(&id.name),
                    Some(Resolved::Global(GlobalKind::Var(_)))
                ),
                ExprKind::Call { .. } | ExprKind::Method { .. } => true,
                _ => false,
            };
        });
        steps
    }

    pub fn choose(&mut self, lo: &'a Expr, hi: &'a Expr, at: Span) -> Val {
        if self.mode == Mode::Spec {
            self.error(LowerError::EffectInSpec(
                Detail::new("`choose` in a specification")
                    .at(at, "a nondeterministic value")
                    .help("specifications are checked against each state as it is; move the choice into a thread"),
            ));
        }
        // An empty range, even a constant one, is a runtime error where
        // the `choose` runs: a branch that never runs it is fine.
        let l = self.expr_of(lo, Ty::Int, "a `choose` bound");
        let h = self.expr_of(hi, Ty::Int, "a `choose` bound");
        let dst = self.temp();
        self.b.emit(
            Op::Choose {
                dst,
                lo: l.expr,
                hi: h.expr,
            },
            span(at),
        );
        Val::new(ir::Expr::Local(dst), Ty::Int)
    }
}
