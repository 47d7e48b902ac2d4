//! The static side of partial-order reduction: for one thread instance,
//! which instructions can run after which, with the locals that are known
//! constants at each point (what each instruction touches: `touch.rs`).
//!
//! Local values are found by constant propagation with `self` known, so
//! `fork[self]` or `meals[(self + 1) % N]` name one object or cell of each
//! philosopher, not the whole array; a branch on a known condition has one
//! successor (that is what resolves inlined `lower(left, right)`).

use crate::eval::binary;
use weft_ir::{CellRef, Code, Expr, ObjRef, Op, Program, ThreadRef, UnOp, Value, VarKind};

/// A local's value at a program point: known, or any value (`None`).
pub(super) type Abs = Option<Value>;

/// An instruction that cannot complete while a candidate thread `p` has not
/// moved: the cut points of a thread's future (see `por.rs`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Cut {
    /// `join(p)`: `p` has not finished.
    Join(u32),
    /// Taking mutex (or rwlock) `o`, which `p` holds (for writing): only its
    /// holder can release it.
    Held(u32),
    /// Write-locking rwlock `o`, which `p` holds for reading.
    ReadHeld(u32),
}

/// One code analysed for one thread instance (or one specification).
pub(super) struct Flow<'p> {
    pub program: &'p Program,
    code: &'p Code,
    /// Abstract locals before each instruction (index `len`: the end), or
    /// `None` where no run gets.
    before: Vec<Option<Vec<Abs>>>,
    /// `t@label` of any thread runs that thread's local work, whose
    /// expressions read other threads (`done(u)`): then `t@label` reads
    /// every thread.
    pub at_reads_all: bool,
}

/// At most two successors of an instruction.
pub(super) type Succs = [Option<usize>; 2];

impl<'p> Flow<'p> {
    /// Constant propagation from `init` (the locals at pc 0).
    pub fn new(program: &'p Program, code: &'p Code, init: Vec<Abs>, at_reads_all: bool) -> Self {
        let n = code.instrs.len();
        let mut flow = Flow {
            program,
            code,
            before: vec![None; n + 1],
            at_reads_all,
        };
        flow.before[0] = Some(init);
        let mut work = vec![0usize];
        while let Some(pc) = work.pop() {
            let Some(state) = flow.before[pc].clone() else {
                continue;
            };
            if pc >= n {
                continue;
            }
            let out = flow.transfer(pc, state);
            for s in flow.succs(pc, None).into_iter().flatten() {
                let changed = match &mut flow.before[s] {
                    slot @ None => {
                        *slot = Some(out.clone());
                        true
                    }
                    Some(old) => {
                        let mut changed = false;
                        for (o, v) in old.iter_mut().zip(&out) {
                            if o.is_some() && *o != *v {
                                *o = None;
                                changed = true;
                            }
                        }
                        changed
                    }
                };
                if changed && !work.contains(&s) {
                    work.push(s);
                }
            }
        }
        flow
    }

    pub fn len(&self) -> usize {
        self.code.instrs.len()
    }

    pub fn reached(&self, pc: usize) -> bool {
        self.before.get(pc).is_some_and(|b| b.is_some())
    }

    pub fn locals(&self, pc: usize) -> &[Abs] {
        self.before
            .get(pc)
            .and_then(|b| b.as_deref())
            .unwrap_or(&[])
    }

    pub fn op(&self, pc: usize) -> Option<&'p Op> {
        self.code.instrs.get(pc).map(|i| &i.op)
    }

    /// Is the instruction at `pc` (part of) a step? Ghost accesses are not.
    pub fn visible(&self, pc: usize) -> bool {
        match self.op(pc) {
            Some(Op::Read { cell, .. } | Op::Write { cell, .. }) => {
                self.program.vars[cell.var as usize].kind != VarKind::Ghost
            }
            Some(op) => op.is_visible(),
            None => false,
        }
    }

    /// The locals after the instruction at `pc`.
    fn transfer(&self, pc: usize, mut st: Vec<Abs>) -> Vec<Abs> {
        let Some(op) = self.op(pc) else {
            return st;
        };
        let set = |st: &mut Vec<Abs>, dst: u32, v: Abs| {
            if let Some(slot) = st.get_mut(dst as usize) {
                *slot = v;
            }
        };
        match op {
            Op::Set { dst, value, .. } => {
                let v = eval(value, &st);
                set(&mut st, *dst, v);
            }
            Op::SetIdx {
                base,
                len,
                idx,
                value,
                ..
            } => match eval(idx, &st) {
                Some(i) if (0..*len as Value).contains(&i) => {
                    let v = eval(value, &st);
                    set(&mut st, base + i as u32, v);
                }
                _ => (*base..base + len).for_each(|s| set(&mut st, s, None)),
            },
            Op::Clear { from, to } => (*from..*to).for_each(|s| set(&mut st, s, Some(0))),
            Op::Choose { dst, .. } | Op::Read { dst, .. } | Op::RecvOrEnd { dst, .. } => {
                set(&mut st, *dst, None)
            }
            Op::Rmw { dst, .. }
            | Op::Cas { dst, .. }
            | Op::TryLock { dst, .. }
            | Op::TryAcquire { dst, .. }
            | Op::Recv { dst, .. } => {
                if let Some(d) = dst {
                    set(&mut st, *d, None);
                }
            }
            _ => {}
        }
        st
    }

    /// Where control may go after the instruction at `pc`; with a cut, the
    /// edges the instruction cannot take while the cut holds are gone.
    pub fn succs(&self, pc: usize, cut: Option<Cut>) -> Succs {
        let n = self.len();
        let at = |q: usize| Some(q.min(n));
        let Some(op) = self.op(pc) else {
            return [None, None];
        };
        let st = self.locals(pc);
        if let Some(cut) = cut {
            if let Some(fair) = self.cut_by(pc, cut) {
                // A fair acquisition of a held lock still joins the queue
                // (pc + 1, the grant, which waits); nothing gets past it.
                return [if fair { at(pc + 1) } else { None }, None];
            }
        }
        let fair = |r: &ObjRef| {
            self.objects(r, st)
                .any(|o| self.program.objects[o as usize].fair)
        };
        match op {
            Op::Jump(t) => [at(*t as usize), None],
            Op::JumpIfNot { cond, target } => match eval(cond, st) {
                Some(0) => [at(*target as usize), None],
                Some(_) => [at(pc + 1), None],
                None => [at(pc + 1), at(*target as usize)],
            },
            Op::RecvOrEnd { end, .. } => [at(pc + 1), at(*end as usize)],
            Op::Lock { obj }
            | Op::ReadLock { obj }
            | Op::WriteLock { obj }
            | Op::Acquire { obj }
                if fair(obj) =>
            {
                [at(pc + 1), at(pc + 2)]
            }
            Op::CvRelock { mutex, .. } if fair(mutex) => [at(pc + 1), at(pc + 2)],
            Op::BarrierArrive { .. } => [at(pc + 1), at(pc + 2)],
            _ => [at(pc + 1), None],
        }
    }

    /// Is the instruction at `pc` stopped by `cut`? `Some(fair)` if so.
    fn cut_by(&self, pc: usize, cut: Cut) -> Option<bool> {
        let st = self.locals(pc);
        let one = |r: &ObjRef, o: u32| {
            let mut it = self.objects(r, st);
            it.next() == Some(o) && it.next().is_none()
        };
        let fair = |o: u32| self.program.objects[o as usize].fair;
        match (self.op(pc)?, cut) {
            (Op::Join { thread }, Cut::Join(p)) => {
                let mut it = self.threads(thread, st);
                (it.next() == Some(p) && it.next().is_none()).then_some(false)
            }
            (Op::Lock { obj } | Op::ReadLock { obj } | Op::WriteLock { obj }, Cut::Held(o))
                if one(obj, o) =>
            {
                Some(fair(o))
            }
            (Op::CvRelock { mutex, .. }, Cut::Held(o)) if one(mutex, o) => Some(fair(o)),
            (Op::LockGrant { obj } | Op::RwGrant { obj }, Cut::Held(o)) if one(obj, o) => {
                Some(false)
            }
            (Op::WriteLock { obj }, Cut::ReadHeld(o)) if one(obj, o) => Some(fair(o)),
            // The grant after a fair write_lock waits for the readers too.
            (Op::RwGrant { obj }, Cut::ReadHeld(o)) if one(obj, o) && self.write_grant(pc) => {
                Some(false)
            }
            _ => None,
        }
    }

    /// Is the `RwGrant` at `pc` the one of a `write_lock` (which queues and
    /// goes on to the grant right after it)?
    fn write_grant(&self, pc: usize) -> bool {
        pc.checked_sub(1)
            .and_then(|q| self.op(q))
            .is_some_and(|op| matches!(op, Op::WriteLock { .. }))
    }

    /// Can the instruction at `pc` never complete under `cut`? Then it is
    /// never executed before the candidate moves, and touches nothing.
    pub fn dead_end(&self, pc: usize, cut: Cut) -> bool {
        self.cut_by(pc, cut) == Some(false)
    }

    /// The cuts that stop the instruction at `pc` for some candidate.
    pub fn cuts(&self, pc: usize) -> Vec<Cut> {
        let st = self.locals(pc);
        let single = |mut it: std::ops::Range<u32>| match (it.next(), it.next()) {
            (Some(x), None) => Some(x),
            _ => None,
        };
        let held = |r: &ObjRef| single(self.objects(r, st)).map(Cut::Held);
        let read_held = |r: &ObjRef| single(self.objects(r, st)).map(Cut::ReadHeld);
        match self.op(pc) {
            Some(Op::Join { thread }) => vec![single(self.threads(thread, st)).map(Cut::Join)],
            Some(Op::Lock { obj } | Op::ReadLock { obj } | Op::LockGrant { obj }) => {
                vec![held(obj)]
            }
            Some(Op::WriteLock { obj } | Op::RwGrant { obj }) => vec![held(obj), read_held(obj)],
            Some(Op::CvRelock { mutex, .. }) => vec![held(mutex)],
            _ => Vec::new(),
        }
        .into_iter()
        .flatten()
        .collect()
    }

    /// Label `l` of this code (its ranges of program counters).
    pub fn label(&self, l: u32) -> Option<&weft_ir::Label> {
        self.code.labels.get(l as usize)
    }

    pub fn objects(&self, r: &ObjRef, st: &[Abs]) -> std::ops::Range<u32> {
        match r {
            ObjRef::Fixed(o) => *o..o + 1,
            ObjRef::Group { group, idx } => {
                let g = &self.program.object_groups[*group as usize];
                match eval(idx, st) {
                    Some(i) if (0..g.len as Value).contains(&i) => {
                        g.base + i as u32..g.base + i as u32 + 1
                    }
                    _ => g.base..g.base + g.len,
                }
            }
        }
    }

    pub fn threads(&self, r: &ThreadRef, st: &[Abs]) -> std::ops::Range<u32> {
        match r {
            ThreadRef::Fixed(t) => *t..t + 1,
            ThreadRef::Group { group, idx, .. } => {
                let g = &self.program.thread_groups[*group as usize];
                match eval(idx, st) {
                    Some(i) if (0..g.len as Value).contains(&i) => {
                        g.base + i as u32..g.base + i as u32 + 1
                    }
                    _ => g.base..g.base + g.len,
                }
            }
        }
    }

    pub fn cells(&self, c: &CellRef, st: &[Abs]) -> std::ops::Range<u32> {
        let var = &self.program.vars[c.var as usize];
        match c.idx.as_ref().map(|e| eval(e, st)) {
            None => var.base..var.base + 1,
            Some(Some(i)) if (0..var.len as Value).contains(&i) => {
                var.base + i as u32..var.base + i as u32 + 1
            }
            Some(_) => var.base..var.base + var.len,
        }
    }
}

/// A pure expression over abstract locals.
fn eval(e: &Expr, st: &[Abs]) -> Abs {
    match e {
        Expr::Const(v) => Some(*v),
        Expr::Local(i) => st.get(*i as usize).copied().flatten(),
        Expr::LocalIdx { base, len, idx, .. } => {
            let i = eval(idx, st)?;
            if !(0..*len as Value).contains(&i) {
                return None;
            }
            st.get(*base as usize + i as usize).copied().flatten()
        }
        Expr::Unary(op, a, _) => {
            let a = eval(a, st)?;
            match op {
                UnOp::Not => Some((a == 0) as Value),
                UnOp::Neg => a.checked_neg(),
            }
        }
        Expr::Binary(op, a, b, span) => {
            let (a, b) = (eval(a, st), eval(b, st));
            binary(*op, a?, b?, *span).ok()
        }
        Expr::At { .. } | Expr::Done(_) => None,
    }
}
