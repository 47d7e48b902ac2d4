//! The `from_read` flag of each `Write`: whether the written value may depend,
//! through the thread's locals, on an earlier read of the same cell (the
//! lost-update check needs it: LANGUAGE.md counts a write "with a value
//! computed from an earlier read of that cell"). A forward may-analysis over
//! the code: each local slot carries the set of cells its value may come
//! from; control dependence does not count. A cell is a scalar, an element
//! read at a constant index, or "some element" of an array read at an index
//! known only at run time, which any element written may be.

use weft_ir::{CellRef, Code, Expr, Op, Value, Var};

/// The bits that stand for the cells of each variable: the first for the
/// variable as a whole (a scalar, or some element of an array), then one
/// per element of an array, for reads and writes at a constant index.
struct Cells {
    start: Vec<u32>,
    len: Vec<u32>,
    total: usize,
}

impl Cells {
    fn new(vars: &[Var]) -> Cells {
        let (mut start, mut len, mut total) = (Vec::new(), Vec::new(), 0u32);
        for v in vars {
            start.push(total);
            let elements = if v.is_array { v.len } else { 0 };
            len.push(elements);
            total = total.saturating_add(1 + elements);
        }
        Cells {
            start,
            len,
            total: total as usize,
        }
    }

    /// The bit of the element `cell` names at a constant index, if it does.
    fn element(&self, cell: &CellRef) -> Option<u32> {
        let v = cell.var as usize;
        let (start, len) = (*self.start.get(v)?, *self.len.get(v)?);
        match cell.idx {
            Some(Expr::Const(k)) if (0..Value::from(len)).contains(&k) => {
                Some(start + 1 + k as u32)
            }
            _ => None,
        }
    }

    /// The bit a read of `cell` sets.
    fn read(&self, cell: &CellRef) -> u32 {
        self.element(cell)
            .unwrap_or_else(|| self.start.get(cell.var as usize).copied().unwrap_or(0))
    }

    /// The bits of the reads a write of `cell` may have read: the element
    /// itself and "some element" at a constant index, all of the
    /// variable's otherwise.
    fn written(&self, cell: &CellRef) -> Vec<u32> {
        let v = cell.var as usize;
        let (Some(&start), Some(&len)) = (self.start.get(v), self.len.get(v)) else {
            return Vec::new();
        };
        match self.element(cell) {
            Some(bit) => vec![start, bit],
            None => (start..=start + len).collect(),
        }
    }
}

/// Per-slot sets of cells ([`Cells`]), as bit words (`words` per slot).
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

    /// The cells the value of `e` may come from.
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

fn one(bit: u32, words: usize) -> Vec<u64> {
    let mut v = vec![0; words];
    if let Some(w) = v.get_mut(bit as usize / 64) {
        *w |= 1 << (bit % 64);
    }
    v
}

fn has(set: &[u64], bit: u32) -> bool {
    set.get(bit as usize / 64)
        .is_some_and(|w| w & (1 << (bit % 64)) != 0)
}

/// The effect of one instruction on the taint of the slots.
fn transfer(op: &Op, t: &mut Taint, cells: &Cells) {
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
        Op::Read { dst, cell, .. } => t.set(*dst, &one(cells.read(cell), words)),
        Op::Rmw {
            dst: Some(d), cell, ..
        }
        | Op::Cas {
            dst: Some(d), cell, ..
        } => t.set(*d, &one(cells.read(cell), words)),
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
/// earlier read of the same cell of `vars` (flags already set stay set).
pub(crate) fn mark_from_read(code: &mut Code, vars: &[Var]) {
    let cells = Cells::new(vars);
    let n = code.instrs.len();
    let words = cells.total.div_ceil(64).max(1);
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
        transfer(op, &mut t, &cells);
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
            let from = t.of(value);
            *from_read |= cells.written(cell).into_iter().any(|bit| has(&from, bit));
        }
    }
}
