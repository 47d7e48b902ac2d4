//! Loops: `while`, `loop`, `for i in lo..hi`, `for v in ch`, and `break` /
//! `continue`, which emit the cleanups of the blocks they leave and clear
//! the locals they drop.

use weft_ir::{self as ir, Op};
use weft_syntax::ast::{BinOp, Block, Expr, Ident, ObjectKind, Place, Span};

use crate::context::{Local, LoopCtx, Lower, Resolved};
use crate::declare::GlobalKind;
use crate::error::{Detail, LowerError};
use crate::expr::binary;
use crate::layout::span;
use crate::stmt::closing_brace;
use crate::types::Ty;

impl<'e, 'a> Lower<'e, 'a> {
    pub fn while_stmt(&mut self, cond: &'a Expr, body: &'a Block) {
        let floor = self.stmt_floor;
        let head = self.b.mark_target();
        let v = self.expr_of(cond, Ty::Bool, "a `while` condition");
        let top = self.b.sp;
        let at = span(cond.span);
        let exit = self.b.jump_if_not_forward(v.expr, at);
        self.b.free_to(floor, at);
        self.loop_body(body, floor, Some(head), floor);
        self.b.jump_to(head, span(closing_brace(body.span)));
        self.b.patch_here(exit);
        self.b.clear(floor, top, at);
        self.close_loop();
    }

    pub fn loop_stmt(&mut self, body: &'a Block) {
        let floor = self.stmt_floor;
        let head = self.b.mark_target();
        self.loop_body(body, floor, Some(head), floor);
        self.b.jump_to(head, span(closing_brace(body.span)));
        self.close_loop();
    }

    /// `for i in lo..hi`: the bounds are evaluated once, on entry.
    pub fn for_range(&mut self, var: &'a Ident, lo: &'a Expr, hi: &'a Expr, body: &'a Block) {
        let floor = self.stmt_floor;
        let i = self.b.alloc(1);
        // A slot for the upper bound unless it is a constant.
        let mut h = (!self.is_constant(hi)).then(|| self.b.alloc(1));
        let at = span(var.span);
        let l = self.expr_of(lo, Ty::Int, "a `for` bound");
        let u = self.expr_of(hi, Ty::Int, "a `for` bound");
        self.b.emit(
            Op::Set {
                dst: i,
                value: l.expr,
                range: None,
            },
            span(lo.span),
        );
        let bound = match u.expr {
            c @ ir::Expr::Const(_) => c,
            other => {
                let slot = *h.get_or_insert_with(|| self.b.alloc(1));
                self.b.emit(
                    Op::Set {
                        dst: slot,
                        value: other,
                        range: None,
                    },
                    span(hi.span),
                );
                ir::Expr::Local(slot)
            }
        };
        let body_sp = h.unwrap_or(i) + 1;
        self.b.free_to(body_sp, at);
        let head = self.b.mark_target();
        let cond = binary(BinOp::Lt, ir::Expr::Local(i), bound, var.span);
        let exit = self.b.jump_if_not_forward(cond, at);
        self.push_scope();
        self.bind(
            var,
            Local::Scalar {
                slot: i,
                ty: Ty::Int,
                range: None,
            },
        );
        self.loop_body(body, floor, None, body_sp);
        self.patch_continues();
        let next = binary(BinOp::Add, ir::Expr::Local(i), ir::Expr::Const(1), var.span);
        self.b.emit(
            Op::Set {
                dst: i,
                value: next,
                range: None,
            },
            at,
        );
        self.b.jump_to(head, at);
        self.b.patch_here(exit);
        if let Some(s) = self.scopes.pop() {
            debug_assert_eq!(s.start, body_sp);
        }
        self.b.free_to(floor, at);
        self.close_loop();
    }

    /// `for v in ch`: receive until the channel is closed and drained.
    pub fn for_channel(&mut self, var: &'a Ident, channel: &'a Place, body: &'a Block, at: Span) {
        let floor = self.stmt_floor;
        let holder = channel
            .index
            .as_ref()
            .filter(|i| !self.is_fixed(i))
            .map(|_| self.b.alloc(1));
        let v = self.b.alloc(1);
        // The head `for v in ch`: the statement itself spans the whole body.
        let head = Span::new(at.start, channel.span.end.max(at.start));
        let s = span(head);
        let ch = self.channel_ref(channel);
        let ch = ch.map(|c| self.stable_obj(c, holder, s));
        self.b.free_to(v + 1, s);
        self.check_blocking(&format!("for {} in {}", var.name, channel.name.name), head);
        let Some(ch) = ch else {
            // Still check the body, with the variable bound.
            self.push_scope();
            self.bind(
                var,
                Local::Scalar {
                    slot: v,
                    ty: Ty::Int,
                    range: None,
                },
            );
            self.loop_body(body, floor, None, v + 1);
            self.patch_continues();
            self.scopes.pop();
            self.b.free_to(floor, s);
            self.close_loop();
            return;
        };
        let head = self.b.mark_target();
        let recv = self.b.emit(
            Op::RecvOrEnd {
                dst: v,
                ch,
                end: u32::MAX,
            },
            s,
        );
        self.push_scope();
        self.bind(
            var,
            Local::Scalar {
                slot: v,
                ty: Ty::Int,
                range: None,
            },
        );
        self.loop_body(body, floor, None, v + 1);
        self.patch_continues();
        // The received value is dead while waiting for the next one.
        self.b.clear(v, v + 1, s);
        self.b.jump_to(head, s);
        self.b.patch_here(recv);
        self.scopes.pop();
        self.b.free_to(floor, s);
        self.close_loop();
    }

    fn channel_ref(&mut self, channel: &'a Place) -> Option<ir::ObjRef> {
        match self.resolve(&channel.name)? {
            Resolved::Global(GlobalKind::Object(g))
                if self.env.layout.obj_groups[g].kind == ObjectKind::Channel =>
            {
                self.obj_ref(g, &channel.name, channel.index.as_deref())
            }
            other => {
                let what = self.describe(other);
                self.error(LowerError::WrongKind(
                    Detail::new(format!(
                        "`for ... in` needs a channel, but `{}` is {what}",
                        channel.name.name
                    ))
                    .at(channel.name.span, "not a channel")
                    .help("for a counted loop write `for i in 0..N { ... }`"),
                ));
                None
            }
        }
    }

    /// Lower a loop body with a new loop context on the stack.
    fn loop_body(
        &mut self,
        body: &'a Block,
        break_sp: u32,
        continue_to: Option<u32>,
        continue_sp: u32,
    ) {
        self.loops.push(LoopCtx {
            break_patches: Vec::new(),
            break_sp,
            continue_to,
            continue_patches: Vec::new(),
            continue_sp,
            cleanup_depth: self.cleanups.len(),
        });
        self.block(body);
    }

    fn patch_continues(&mut self) {
        let patches = self
            .loops
            .last_mut()
            .map(|l| std::mem::take(&mut l.continue_patches))
            .unwrap_or_default();
        for p in patches {
            self.b.patch_here(p);
        }
    }

    /// Pop the loop context; its `break`s land here.
    fn close_loop(&mut self) {
        if let Some(l) = self.loops.pop() {
            for p in l.break_patches {
                self.b.patch_here(p);
            }
        }
    }

    fn outside_loop(&mut self, what: &str, at: Span) {
        let help = if self.calls.is_empty() {
            format!("`{what}` works inside `while`, `loop` and `for`")
        } else {
            "a function cannot leave its caller's loop: return a value and test it in the caller"
                .to_string()
        };
        self.error(LowerError::OutsideLoop(
            Detail::new(format!("`{what}` outside a loop"))
                .at(at, "not in a loop")
                .help(help),
        ));
    }

    pub fn break_stmt(&mut self, at: Span) {
        if self.loops.len() <= self.loop_floor {
            return self.outside_loop("break", at);
        }
        let Some(l) = self.loops.last() else { return };
        let (depth, sp) = (l.cleanup_depth, l.break_sp);
        self.emit_cleanups(depth);
        self.b.clear(sp, self.b.sp, span(at));
        let p = self.b.jump_forward(span(at));
        if let Some(l) = self.loops.last_mut() {
            l.break_patches.push(p);
        }
    }

    pub fn continue_stmt(&mut self, at: Span) {
        if self.loops.len() <= self.loop_floor {
            return self.outside_loop("continue", at);
        }
        let Some(l) = self.loops.last() else { return };
        let (depth, sp, to) = (l.cleanup_depth, l.continue_sp, l.continue_to);
        self.emit_cleanups(depth);
        self.b.clear(sp, self.b.sp, span(at));
        match to {
            Some(t) => self.b.jump_to(t, span(at)),
            None => {
                let p = self.b.jump_forward(span(at));
                if let Some(l) = self.loops.last_mut() {
                    l.continue_patches.push(p);
                }
            }
        }
    }
}
