//! The instruction buffer of one code: emitting, forward jumps that are
//! patched later, and local slots allocated like a stack.
//!
//! Slot discipline: every slot at or above `sp` holds 0 at every point of the
//! code. Whoever lowers `sp` first emits a `Clear` for the slots it gives back,
//! and every jump clears down to the `sp` of its target, so states that differ
//! only in dead locals are one state.

use weft_ir::{Expr, Instr, Op, SrcSpan};

/// Target of a jump that is not known yet.
const UNPATCHED: u32 = u32::MAX;

#[derive(Default)]
pub(crate) struct Builder {
    pub instrs: Vec<Instr>,
    /// The first free local slot.
    pub sp: u32,
    /// The most slots ever in use: the code's `n_locals`.
    pub max_sp: u32,
    /// The latest position some jump targets: an instruction before it must
    /// not be rewritten as if it were the only way to reach that position.
    last_target: u32,
}

impl Builder {
    /// A builder whose slot 0 is `self`.
    pub fn new() -> Self {
        Builder {
            instrs: Vec::new(),
            sp: 1,
            max_sp: 1,
            last_target: 0,
        }
    }

    /// The position of the next instruction.
    pub fn here(&self) -> u32 {
        self.instrs.len() as u32
    }

    pub fn emit(&mut self, op: Op, span: SrcSpan) -> usize {
        self.instrs.push(Instr { op, span });
        self.instrs.len() - 1
    }

    /// Allocate `n` consecutive slots.
    pub fn alloc(&mut self, n: u32) -> u32 {
        let at = self.sp;
        self.sp += n;
        self.max_sp = self.max_sp.max(self.sp);
        at
    }

    /// Give back the slots from `to` up, clearing them.
    pub fn free_to(&mut self, to: u32, span: SrcSpan) {
        self.clear(to, self.sp, span);
        self.sp = self.sp.min(to);
    }

    /// Emit a `Clear` of `from..to`, if that is not empty.
    pub fn clear(&mut self, from: u32, to: u32, span: SrcSpan) {
        if from < to {
            self.emit(Op::Clear { from, to }, span);
        }
    }

    /// A jump to a known position (backward jumps).
    pub fn jump_to(&mut self, target: u32, span: SrcSpan) {
        self.emit(Op::Jump(target), span);
    }

    /// A jump whose target is patched later; returns its position.
    pub fn jump_forward(&mut self, span: SrcSpan) -> usize {
        self.emit(Op::Jump(UNPATCHED), span)
    }

    /// A conditional jump (taken when `cond` is false) patched later.
    pub fn jump_if_not_forward(&mut self, cond: Expr, span: SrcSpan) -> usize {
        self.emit(
            Op::JumpIfNot {
                cond,
                target: UNPATCHED,
            },
            span,
        )
    }

    /// Make the jump at `at` go to the current position.
    pub fn patch_here(&mut self, at: usize) {
        let here = self.here();
        self.last_target = here;
        match &mut self.instrs[at].op {
            Op::Jump(t) | Op::JumpIfNot { target: t, .. } | Op::RecvOrEnd { end: t, .. } => {
                *t = here
            }
            other => debug_assert!(false, "patching a non-jump {other:?}"),
        }
    }

    /// Record that a backward jump will target the current position.
    pub fn mark_target(&mut self) -> u32 {
        self.last_target = self.here();
        self.last_target
    }

    /// If the last instruction wrote temporary `temp` (a read, receive,
    /// choose, ...; `temp >= floor`, the first temporary of the current
    /// statement) and nothing jumps past it, make it write `dst` instead and
    /// return true: `let v = x;` then reads straight into `v`.
    pub fn retarget_last(&mut self, temp: u32, floor: u32, dst: u32) -> bool {
        if temp < floor || self.last_target == self.here() {
            return false;
        }
        let Some(last) = self.instrs.last_mut() else {
            return false;
        };
        let slot = match &mut last.op {
            Op::Read { dst, .. } | Op::Choose { dst, .. } => dst,
            Op::Recv { dst: Some(d), .. }
            | Op::Rmw { dst: Some(d), .. }
            | Op::Cas { dst: Some(d), .. }
            | Op::TryLock { dst: Some(d), .. }
            | Op::TryAcquire { dst: Some(d), .. } => d,
            _ => return false,
        };
        if *slot != temp {
            return false;
        }
        *slot = dst;
        true
    }
}
