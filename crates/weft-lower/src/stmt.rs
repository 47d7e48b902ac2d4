//! Statements: the dispatch over statement kinds, per-statement bookkeeping
//! (labels, freeing temporaries), and the statements that are one step of
//! their own: `assert`, `await`, `join`, `progress`, `fence`, calls.

use weft_ir::Op;
use weft_syntax::ast::{self, Expr, ExprKind, Ident, Span, Stmt, StmtKind, StrLit};

use crate::context::{AtomicCtx, Lower, Mode};
use crate::error::{Detail, LowerError};
use crate::layout::span;
use crate::types::Ty;

impl<'e, 'a> Lower<'e, 'a> {
    pub fn block(&mut self, block: &'a ast::Block) {
        self.push_scope();
        for s in &block.stmts {
            self.stmt(s);
        }
        self.pop_scope(closing_brace(block.span));
    }

    pub fn stmt(&mut self, s: &'a Stmt) {
        let label = s.label.as_ref().and_then(|l| self.open_label(l));
        let floor = self.stmt_floor;
        self.stmt_floor = self.b.sp;
        let keep = self.stmt_kind(s);
        self.b.free_to(keep, span(s.span));
        self.stmt_floor = floor;
        if let Some((i, k)) = label {
            let here = self.b.here();
            let l = &mut self.labels[i];
            match k.checked_sub(1) {
                None => l.end = here,
                Some(k) => l.more[k].1 = here,
            }
        }
    }

    /// Open a range of a label of the thread being lowered (in its body, or
    /// in a function it calls, once per place the function is inlined):
    /// the label's index and which of its ranges (0: `start..end`, `k`:
    /// `more[k - 1]`). Labels are not recorded anywhere else.
    fn open_label(&mut self, l: &Ident) -> Option<(usize, usize)> {
        let Mode::Thread { .. } = self.mode else {
            return None;
        };
        let i = self.labels.iter().position(|x| x.name == l.name)?;
        let here = self.b.here();
        if self.labels_opened.len() < self.labels.len() {
            self.labels_opened.resize(self.labels.len(), false);
        }
        let label = &mut self.labels[i];
        if !self.labels_opened[i] {
            self.labels_opened[i] = true;
            (label.start, label.end) = (here, here);
            return Some((i, 0));
        }
        label.more.push((here, here));
        Some((i, label.more.len()))
    }

    /// Lower one statement; returns the `sp` to keep after it (above it are
    /// temporaries; a `let` keeps its own slots).
    fn stmt_kind(&mut self, s: &'a Stmt) -> u32 {
        let start = self.b.sp;
        let at = s.span;
        match &s.kind {
            StmtKind::Let { name, ty, init } => {
                return self.let_stmt(name, ty.as_ref(), init.as_ref(), at)
            }
            StmtKind::Assign { target, value } => self.assign(target, value, at),
            StmtKind::Compound {
                target,
                op,
                value,
                incdec,
                op_span,
            } => self.compound(target, *op, value, *incdec, *op_span, at),
            StmtKind::If {
                cond,
                then_block,
                else_block,
            } => self.if_stmt(cond, then_block, else_block.as_ref()),
            StmtKind::While { cond, body } => self.while_stmt(cond, body),
            StmtKind::Loop { body } => self.loop_stmt(body),
            StmtKind::ForRange { var, lo, hi, body } => self.for_range(var, lo, hi, body),
            StmtKind::ForChannel { var, channel, body } => self.for_channel(var, channel, body, at),
            StmtKind::Break => self.break_stmt(at),
            StmtKind::Continue => self.continue_stmt(at),
            StmtKind::Return { value } => self.return_stmt(value.as_ref(), at),
            StmtKind::With { lock, mode, body } => self.with_stmt(lock, *mode, body, at),
            StmtKind::Atomic { body } => self.atomic_stmt(body, at),
            StmtKind::Await { cond } => self.await_stmt(cond, at),
            StmtKind::Assert { cond, message } => self.assert_stmt(cond, message.as_ref(), at),
            StmtKind::Progress => {
                if self.allow_effect("progress", at) {
                    self.b.emit(Op::Progress, span(at));
                }
            }
            StmtKind::Fence => {
                if self.allow_effect("fence", at) {
                    self.b.emit(Op::Fence, span(at));
                }
            }
            StmtKind::Join { thread } => {
                let text = format!("join({})", thread.name.name);
                if self.allow_effect(&text, at) {
                    self.check_blocking(&text, at);
                    if let Some((t, _)) = self.thread_ref(thread) {
                        self.b.emit(Op::Join { thread: t }, span(at));
                    }
                }
            }
            StmtKind::Expr(e) => match &e.kind {
                ExprKind::Call { func, args } => drop(self.call(func, args, e.span, false)),
                ExprKind::Method {
                    receiver,
                    method,
                    args,
                } => drop(self.method(receiver, method, args, e.span, false)),
                _ => {
                    self.expr(e);
                    self.error(LowerError::UnusedExpression(
                        Detail::new("this expression's value is not used")
                            .at(e.span, "computed and thrown away")
                            .help("assign it (`x = ...;` or `let v = ...;`), or use it in a condition"),
                    ));
                }
            },
            StmtKind::Block(b) => self.block(b),
        }
        start
    }

    fn await_stmt(&mut self, cond: &'a Expr, at: Span) {
        if !self.allow_effect("await", at) {
            return;
        }
        self.check_blocking("await", at);
        self.b.emit(Op::AtomicBegin { block: false }, span(at));
        let outer = self.atomic.replace(AtomicCtx {
            span: keyword(at, "await"),
            what: "an `await`",
            call_depth: self.calls.len(),
        });
        let v = self.expr_of(cond, Ty::Bool, "an `await` condition");
        self.atomic = outer;
        self.b.emit(Op::Await { cond: v.expr }, span(at));
        self.b.emit(Op::AtomicEnd, span(at));
    }

    fn assert_stmt(&mut self, cond: &'a Expr, message: Option<&StrLit>, at: Span) {
        if !self.allow_effect("assert", at) {
            return;
        }
        // Inside `atomic { }` the assert is already part of one step.
        let group = self.atomic.is_none();
        if group {
            self.b.emit(Op::AtomicBegin { block: false }, span(at));
        }
        let (racy, spec_ok) = (self.racy, self.spec_ok);
        (self.racy, self.spec_ok) = (false, true);
        let ctx = AtomicCtx {
            span: keyword(at, "assert"),
            what: "an `assert`",
            call_depth: self.calls.len(),
        };
        let outer = self.atomic.replace(self.atomic.unwrap_or(ctx));
        let v = self.expr_of(cond, Ty::Bool, "an `assert` condition");
        self.atomic = outer;
        (self.racy, self.spec_ok) = (racy, spec_ok);
        let message = message.map(|m| m.value.clone());
        self.b.emit(
            Op::Assert {
                cond: v.expr,
                message,
            },
            span(at),
        );
        if group {
            self.b.emit(Op::AtomicEnd, span(at));
        }
    }
}

/// The span of the keyword that starts the statement at `at`.
pub(crate) fn keyword(at: Span, word: &str) -> Span {
    Span::new(at.start, at.start + word.len().min(at.len()))
}

/// The span of a block's closing `}`.
pub(crate) fn closing_brace(block: Span) -> Span {
    Span::new(block.end.saturating_sub(1).max(block.start), block.end)
}
