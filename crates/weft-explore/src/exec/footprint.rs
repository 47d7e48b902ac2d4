//! What a step touches, for the independence relation of schedule classes
//! (`weft schedules --classes`): two steps of different threads conflict
//! when they touch the same thing and at least one of them writes it.
//!
//! Recorded only while replaying with a trace, so the search never pays
//! for it. Conservative where exactness would cost: every operation on a
//! sync object, and every read-modify-write or CAS of an atomic (even a
//! CAS that fails), counts as a write.

use super::Run;
use weft_ir::{Expr, Op, ThreadRef};

/// A thing a step can touch.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Touch {
    /// A global cell of any kind (plain, atomic, ghost).
    Cell(u32),
    /// A sync object.
    Object(u32),
    /// A thread's program counter: every step of the thread writes it;
    /// `join(t)`, `done(t)` and `t@label` read it.
    Thread(u32),
}

impl Run<'_, '_> {
    /// Record what `op` touches, with its indices in the current state.
    pub(super) fn touch(&mut self, op: &Op) {
        let mut touched: Vec<(Touch, bool)> = Vec::new();
        let span = self.code.span;
        let cell = |run: &Self, c: &weft_ir::CellRef, write: bool, out: &mut Vec<(Touch, bool)>| {
            match run.cell(c, span) {
                Ok(c) => out.push((Touch::Cell(c), write)),
                // A bad index fails the step; the whole variable is touched.
                Err(_) => {
                    let var = &run.x.program.vars[c.var as usize];
                    out.extend((var.base..var.base + var.len).map(|c| (Touch::Cell(c), write)));
                }
            }
        };
        let mut exprs: Vec<&Expr> = Vec::new();
        match op {
            Op::Read { cell: c, .. } => cell(self, c, false, &mut touched),
            Op::Write { cell: c, value, .. } | Op::Rmw { cell: c, value, .. } => {
                cell(self, c, true, &mut touched);
                exprs.push(value);
            }
            Op::Cas {
                cell: c,
                expected,
                new,
                ..
            } => {
                cell(self, c, true, &mut touched);
                exprs.extend([expected, new]);
            }
            Op::Join { thread } => self.thread_ref(thread, &mut touched),
            Op::Set { value, .. } => exprs.push(value),
            Op::SetIdx { idx, value, .. } => exprs.extend([idx, value]),
            Op::JumpIfNot { cond, .. }
            | Op::Check { cond, .. }
            | Op::Assert { cond, .. }
            | Op::Await { cond } => exprs.push(cond),
            Op::Choose { lo, hi, .. } => exprs.extend([lo, hi]),
            Op::Send { value, .. } | Op::WgAdd { value, .. } => exprs.push(value),
            _ => {}
        }
        for o in op.objects() {
            if let Ok(o) = self.obj(o, span) {
                touched.push((Touch::Object(o as u32), true));
            }
        }
        for e in exprs {
            self.expr_threads(e, &mut touched);
        }
        if let Some(trace) = self.trace.as_mut() {
            trace.touched.extend(touched);
        }
    }

    fn thread_ref(&self, r: &ThreadRef, out: &mut Vec<(Touch, bool)>) {
        let env = weft_ir_env(self);
        match env.thread(r) {
            Ok(t) => out.push((Touch::Thread(t as u32), false)),
            Err(_) => out.extend(
                (0..self.x.program.threads.len() as u32).map(|t| (Touch::Thread(t), false)),
            ),
        }
    }

    /// `done(t)` and `t@label` inside an expression read thread `t`.
    fn expr_threads(&self, e: &Expr, out: &mut Vec<(Touch, bool)>) {
        match e {
            Expr::Const(_) | Expr::Local(_) => {}
            Expr::LocalIdx { idx, .. } => self.expr_threads(idx, out),
            Expr::Unary(_, a, _) => self.expr_threads(a, out),
            Expr::Binary(_, a, b, _) => {
                self.expr_threads(a, out);
                self.expr_threads(b, out);
            }
            Expr::At { thread, .. } | Expr::Done(thread) => self.thread_ref(thread, out),
        }
    }
}

fn weft_ir_env<'a>(run: &'a Run) -> crate::eval::Env<'a> {
    let locals_start = run.pc_slot + 1;
    crate::eval::Env {
        program: run.x.program,
        layout: &run.x.layout,
        state: &run.st,
        locals: &run.st[locals_start..],
    }
}
