//! The `from_read` flag of each `Write`, and the `tracked` flag of each
//! `Read`: whether the written value may depend, through the thread's locals,
//! on an earlier read of the same cell, and which reads it may depend on (the
//! lost-update check needs both: LANGUAGE.md counts a write "with a value
//! computed from an earlier read of that cell", and only such reads are
//! remembered at run time, so that a read that only decides a branch does not
//! hide an earlier read's staleness). A forward may-analysis over the code:
//! each local slot carries the set of reads (instructions) its value may come
//! from; control dependence does not count. Two reads or writes are of the
//! same cell if they name the same scalar, or the same array at the same
//! constant index; an index known only at run time may be any element. A
//! write at such an index whose value comes only from reads at constant
//! indices records those elements ([`FromRead::Elements`]): at run time it
//! comes from a read of the cell it writes only if that is one of them.

use weft_ir::{CellRef, Code, Expr, FromRead, Op};

/// The reads of a code, one taint bit each: every instruction that reads a
/// cell into a local.
struct Sites {
    /// Per pc: its bit, if it reads.
    bit: Vec<Option<u32>>,
    /// Per bit: the pc and the cell read.
    reads: Vec<(usize, CellRef)>,
}

impl Sites {
    fn new(code: &Code) -> Sites {
        let mut sites = Sites {
            bit: vec![None; code.instrs.len()],
            reads: Vec::new(),
        };
        for (pc, instr) in code.instrs.iter().enumerate() {
            if let Some(cell) = read_cell(&instr.op) {
                sites.bit[pc] = Some(sites.reads.len() as u32);
                sites.reads.push((pc, cell.clone()));
            }
        }
        sites
    }
}

/// The cell an instruction reads into a local.
fn read_cell(op: &Op) -> Option<&CellRef> {
    match op {
        Op::Read { cell, .. }
        | Op::Rmw {
            dst: Some(_), cell, ..
        }
        | Op::Cas {
            dst: Some(_), cell, ..
        } => Some(cell),
        _ => None,
    }
}

/// The element a cell reference names when its index is a constant (out
/// of range: none, the access fails before any write).
fn constant_index(c: &CellRef) -> Option<u32> {
    match c.idx {
        Some(Expr::Const(k)) => u32::try_from(k).ok(),
        _ => None,
    }
}

/// Whether `a` and `b` may be the same cell: the same variable, and not
/// two different constant indices.
fn may_alias(a: &CellRef, b: &CellRef) -> bool {
    let constant = |c: &CellRef| match c.idx {
        Some(Expr::Const(k)) => Some(k),
        _ => None,
    };
    a.var == b.var && !matches!((constant(a), constant(b)), (Some(x), Some(y)) if x != y)
}

/// Per-slot sets of reads ([`Sites`]), as bit words (`words` per slot).
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

    /// The reads the value of `e` may come from.
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
            // A constant one names it; any other may name each.
            Expr::LocalIdx { base, len, idx, .. } => {
                for s in elements(*base, *len, idx) {
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

/// The slot of a local array element at a constant index within bounds
/// (out of bounds, the run stops with an error before any use).
fn constant_element(base: u32, len: u32, idx: &Expr) -> Option<u32> {
    match idx {
        Expr::Const(k) => u32::try_from(*k)
            .ok()
            .filter(|k| *k < len)
            .map(|k| base + k),
        _ => None,
    }
}

/// The slots an element access `base[idx]` (of `len` elements) may name.
fn elements(base: u32, len: u32, idx: &Expr) -> std::ops::Range<u32> {
    match constant_element(base, len, idx) {
        Some(s) => s..s + 1,
        None => base..base + len,
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
fn transfer(op: &Op, pc: usize, t: &mut Taint, sites: &Sites) {
    let words = t.words;
    let none = vec![0; words];
    match op {
        Op::Set { dst, value, .. } => {
            let v = t.of(value);
            t.set(*dst, &v);
        }
        // A constant index replaces that element's value. Otherwise which
        // element is written is unknown: every element may now hold it.
        Op::SetIdx {
            base,
            len,
            idx,
            value,
            ..
        } => {
            let v = t.of(value);
            match constant_element(*base, *len, idx) {
                Some(s) => t.set(s, &v),
                None => (*base..base + len).for_each(|s| t.add(s, &v)),
            }
        }
        Op::Clear { from, to } => (*from..*to).for_each(|s| t.set(s, &none)),
        Op::Read { dst: d, .. } | Op::Rmw { dst: Some(d), .. } | Op::Cas { dst: Some(d), .. } => {
            let bit = sites.bit.get(pc).copied().flatten().unwrap_or(0);
            t.set(*d, &one(bit, words));
        }
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
        // A constant test (`if true`, `while false`) goes one way only.
        Op::JumpIfNot {
            cond: Expr::Const(0),
            target,
        } => [Some(*target as usize), None],
        Op::JumpIfNot {
            cond: Expr::Const(_),
            ..
        } => [Some(pc + 1), None],
        Op::JumpIfNot { target, .. } => [Some(pc + 1), Some(*target as usize)],
        Op::RecvOrEnd { end, .. } => [Some(pc + 1), Some(*end as usize)],
        _ => [Some(pc + 1), None],
    }
}

/// Set `from_read` on every `Write` of `code` whose value may come from an
/// earlier read of the same cell (flags already set stay set), and
/// `tracked` on every `Read` whose value such a write may use.
pub(crate) fn mark_from_read(code: &mut Code) {
    let sites = Sites::new(code);
    if sites.reads.is_empty() {
        // No read for a write to come from.
        return;
    }
    let n = code.instrs.len();
    let words = sites.reads.len().div_ceil(64).max(1);
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
        transfer(op, pc, &mut t, &sites);
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
    let mut tracked = vec![false; n];
    // Per write from a read: the reads that may be of its cell (any of
    // them still held for a later write keeps the thread's read).
    let mut sources: Vec<(usize, Vec<u64>)> = Vec::new();
    for (pc, (instr, t)) in code.instrs.iter_mut().zip(&before).enumerate() {
        if let (
            Op::Write {
                cell,
                value,
                from_read,
                ..
            },
            Some(t),
        ) = (&mut instr.op, t)
        {
            let from = t.of(value);
            if sites
                .reads
                .iter()
                .enumerate()
                .any(|(bit, (_, read))| has(&from, bit as u32) && may_alias(read, cell))
            {
                let mut same_cell = vec![0; words];
                for (bit, (_, read)) in sites.reads.iter().enumerate() {
                    if may_alias(read, cell) {
                        same_cell[bit / 64] |= 1 << (bit % 64);
                    }
                }
                sources.push((pc, same_cell));
            }
            // The constant elements of the reads it may come from; `None`
            // once one of them has an index known only at run time.
            let mut elements: Option<Vec<u32>> = Some(Vec::new());
            let mut any = false;
            for (bit, (pc, read)) in sites.reads.iter().enumerate() {
                if has(&from, bit as u32) && may_alias(read, cell) {
                    any = true;
                    tracked[*pc] = true;
                    match (constant_index(read), elements.as_mut()) {
                        (Some(k), Some(els)) => els.push(k),
                        _ => elements = None,
                    }
                }
            }
            if any && *from_read == FromRead::No {
                // A write at a constant index met only the reads of its
                // element (`may_alias`); one at an index known only at
                // run time comes from a read of the cell it writes only
                // if that is one of the elements read.
                *from_read = match (elements, constant_index(cell)) {
                    (Some(mut els), None) if cell.idx.is_some() => {
                        els.sort_unstable();
                        els.dedup();
                        FromRead::Elements(els.into())
                    }
                    _ => FromRead::Yes,
                };
            }
        }
    }
    for (instr, &on) in code.instrs.iter_mut().zip(&tracked) {
        if let Op::Read { tracked, .. } = &mut instr.op {
            *tracked = on;
        }
    }
    // Past this much work, a write keeps its read without looking (more
    // states, the same verdicts).
    let mut budget = KEEPS_BUDGET;
    for (pc, from) in sources {
        let keeps = budget.checked_sub(n * words).is_none_or(|rest| {
            budget = rest;
            used_again(code, &sites, &before, pc, &from)
        });
        if let Op::Write { keeps_read, .. } = &mut code.instrs[pc].op {
            *keeps_read = keeps;
        }
    }
}

/// How many instruction visits (times taint words) finding the writes that
/// keep their reads may take in one code.
const KEEPS_BUDGET: usize = 50_000_000;

/// Whether, after the write at `pc` (computed from a read of its cell),
/// the thread may write the cell again with a value computed from what one
/// of the reads `from` (bits of [`Sites`]: the reads that may be of that
/// cell) gave before the write, its own or an older one (`let t = c;
/// c += 1; ...; c = t + 5;`): a forward analysis from the write, with only
/// the values those reads left in the locals as taint (a read run again
/// gives a new value, no longer theirs).
fn used_again(
    code: &Code,
    sites: &Sites,
    before: &[Option<Taint>],
    pc: usize,
    from: &[u64],
) -> bool {
    let n = code.instrs.len();
    let Op::Write { cell, .. } = &code.instrs[pc].op else {
        return false;
    };
    let Some(start) = before[pc].as_ref() else {
        return false;
    };
    let mut first = start.clone();
    for (w, f) in first.bits.iter_mut().zip(from.iter().cycle()) {
        *w &= f;
    }
    let words = first.words;
    let none = vec![0; words];
    let mut at: Vec<Option<Taint>> = vec![None; n];
    let mut work: Vec<(usize, Taint)> = successors(&code.instrs[pc].op, pc)
        .into_iter()
        .flatten()
        .filter(|s| *s < n)
        .map(|s| (s, first.clone()))
        .collect();
    while let Some((p, incoming)) = work.pop() {
        let t = match &mut at[p] {
            Some(existing) => {
                if !existing.join(&incoming) {
                    continue;
                }
                existing.clone()
            }
            slot @ None => {
                *slot = Some(incoming.clone());
                incoming
            }
        };
        let op = &code.instrs[p].op;
        if let Op::Write {
            cell: other, value, ..
        } = op
        {
            if may_alias(other, cell) && t.of(value).iter().zip(from).any(|(v, f)| v & f != 0) {
                return true;
            }
        }
        let mut t = t;
        match op_dst(op) {
            Some(d) => t.set(d, &none),
            None => transfer(op, p, &mut t, sites),
        }
        for s in successors(op, p).into_iter().flatten().filter(|s| *s < n) {
            work.push((s, t.clone()));
        }
    }
    false
}

/// The local an instruction reads a cell into ([`read_cell`]).
fn op_dst(op: &Op) -> Option<u32> {
    match op {
        Op::Read { dst, .. } => Some(*dst),
        Op::Rmw { dst, .. } | Op::Cas { dst, .. } => *dst,
        _ => None,
    }
}
