//! The `from_read` flag of each `Write`: whether the written value may depend,
//! through the thread's locals, on an earlier read of the same variable (the
//! lost-update check needs it). A forward may-analysis over the code: each
//! local slot carries the set of variables its value may come from; control
//! dependence does not count.

use weft_ir::{Code, Expr, Op};

/// Per-slot sets of variables, as bit words (`words` per slot).
#[derive(Clone, PartialEq, Eq)]
struct Taint {
    bits: Vec<u64>,
    words: usize,
}

impl Taint {
    fn new(slots: usize, words: usize) -> Self {
        Taint {
            bits: vec![0; slots * words],
            words,
        }
    }

    fn slot(&self, s: u32) -> &[u64] {
        let at = s as usize * self.words;
        self.bits.get(at..at + self.words).unwrap_or(&[])
    }

    fn set(&mut self, s: u32, value: &[u64]) {
        let at = s as usize * self.words;
        if let Some(dst) = self.bits.get_mut(at..at + self.words) {
            dst.copy_from_slice(value);
        }
    }

    fn add(&mut self, s: u32, value: &[u64]) {
        let at = s as usize * self.words;
        if let Some(dst) = self.bits.get_mut(at..at + self.words) {
            dst.iter_mut().zip(value).for_each(|(d, v)| *d |= v);
        }
    }

    /// Join `other` into `self`; true if anything was added.
    fn join(&mut self, other: &Taint) -> bool {
        let mut changed = false;
        for (d, o) in self.bits.iter_mut().zip(&other.bits) {
            let n = *d | o;
            changed |= n != *d;
            *d = n;
        }
        changed
    }

    /// The variables the value of `e` may come from.
    fn of(&self, e: &Expr) -> Vec<u64> {
        let mut out = vec![0; self.words];
        self.collect(e, &mut out);
        out
    }

    fn collect(&self, e: &Expr, out: &mut [u64]) {
        match e {
            Expr::Const(_) | Expr::At { .. } | Expr::Done(_) => {}
            Expr::Local(s) => out.iter_mut().zip(self.slot(*s)).for_each(|(o, v)| *o |= v),
            // The index only chooses the element: an address, not a value.
            Expr::LocalIdx { base, len, .. } => {
                for s in *base..base + len {
                    out.iter_mut().zip(self.slot(s)).for_each(|(o, v)| *o |= v);
                }
            }
            Expr::Unary(_, x, _) => self.collect(x, out),
            Expr::Binary(_, l, r, _) => {
                self.collect(l, out);
                self.collect(r, out);
            }
        }
    }
}

fn one(var: u32, words: usize) -> Vec<u64> {
    let mut v = vec![0; words];
    if let Some(w) = v.get_mut(var as usize / 64) {
        *w |= 1 << (var % 64);
    }
    v
}

fn has(set: &[u64], var: u32) -> bool {
    set.get(var as usize / 64)
        .is_some_and(|w| w & (1 << (var % 64)) != 0)
}

/// The effect of one instruction on the taint of the slots.
fn transfer(op: &Op, t: &mut Taint) {
    let words = t.words;
    let none = vec![0; words];
    match op {
        Op::Set { dst, value, .. } => {
            let v = t.of(value);
            t.set(*dst, &v);
        }
        // Which element is written is unknown: every element may now hold it.
        Op::SetIdx {
            base, len, value, ..
        } => {
            let v = t.of(value);
            for s in *base..base + len {
                t.add(s, &v);
            }
        }
        Op::Clear { from, to } => (*from..*to).for_each(|s| t.set(s, &none)),
        Op::Read { dst, cell, .. } => t.set(*dst, &one(cell.var, words)),
        Op::Rmw {
            dst: Some(d), cell, ..
        }
        | Op::Cas {
            dst: Some(d), cell, ..
        } => t.set(*d, &one(cell.var, words)),
        Op::Choose { dst, .. } | Op::RecvOrEnd { dst, .. } => t.set(*dst, &none),
        Op::Recv { dst: Some(d), .. }
        | Op::TryLock { dst: Some(d), .. }
        | Op::TryAcquire { dst: Some(d), .. } => t.set(*d, &none),
        _ => {}
    }
}

fn successors(op: &Op, pc: usize) -> [Option<usize>; 2] {
    match op {
        Op::Jump(t) => [Some(*t as usize), None],
        Op::JumpIfNot { target, .. } => [Some(pc + 1), Some(*target as usize)],
        Op::RecvOrEnd { end, .. } => [Some(pc + 1), Some(*end as usize)],
        _ => [Some(pc + 1), None],
    }
}

/// Set `from_read` on every `Write` of `code` whose value may come from an
/// earlier read of the same variable (flags already set stay set).
pub(crate) fn mark_from_read(code: &mut Code, n_vars: usize) {
    let n = code.instrs.len();
    let words = n_vars.div_ceil(64).max(1);
    let mut before: Vec<Option<Taint>> = vec![None; n];
    if n == 0 {
        return;
    }
    before[0] = Some(Taint::new(code.n_locals as usize, words));
    let mut work = vec![0usize];
    while let Some(pc) = work.pop() {
        let Some(mut t) = before[pc].clone() else {
            continue;
        };
        let op = &code.instrs[pc].op;
        transfer(op, &mut t);
        for succ in successors(op, pc).into_iter().flatten().filter(|s| *s < n) {
            let changed = match &mut before[succ] {
                Some(existing) => existing.join(&t),
                slot @ None => {
                    *slot = Some(t.clone());
                    true
                }
            };
            if changed {
                work.push(succ);
            }
        }
    }
    for (instr, t) in code.instrs.iter_mut().zip(&before) {
        if let (
            Op::Write {
                cell,
                value,
                from_read,
            },
            Some(t),
        ) = (&mut instr.op, t)
        {
            *from_read |= has(&t.of(value), cell.var);
        }
    }
}
