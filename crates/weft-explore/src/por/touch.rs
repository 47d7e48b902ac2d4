//! What an instruction touches: the things of a footprint (cells, sync
//! objects, thread positions), read or written, with the indices constant
//! propagation knows (`flow.rs`).

use super::flow::{Abs, Flow};
use weft_ir::{CellRef, Expr, ObjRef, Op, Program, ThreadRef};

/// Where each thing lives in a footprint bit set. A row is `2 * words` words:
/// the things read, then the things written.
#[derive(Clone, Copy, Debug)]
pub(super) struct Space {
    n_cells: usize,
    n_objects: usize,
    n_threads: usize,
    /// Words of one half of a row.
    pub words: usize,
}

impl Space {
    pub fn new(p: &Program) -> Space {
        let (n_cells, n_objects, n_threads) =
            (p.n_cells as usize, p.objects.len(), p.threads.len());
        Space {
            n_cells,
            n_objects,
            n_threads,
            words: (n_cells + n_objects + n_threads).div_ceil(64).max(1),
        }
    }

    pub fn cell(&self, c: u32) -> usize {
        c as usize
    }

    pub fn object(&self, o: u32) -> usize {
        self.n_cells + o as usize
    }

    pub fn thread(&self, t: u32) -> usize {
        self.n_cells + self.n_objects + t as usize
    }

    pub fn set(&self, row: &mut [u64], bit: usize, write: bool) {
        let i = bit / 64 + if write { self.words } else { 0 };
        row[i] |= 1 << (bit % 64);
    }

    /// Forget the threads' positions in a `words`-long set.
    pub fn clear_threads(&self, set: &mut [u64]) {
        for t in 0..self.n_threads {
            let bit = self.thread(t as u32);
            set[bit / 64] &= !(1 << (bit % 64));
        }
    }

    /// A row with every bit set, read and written: conflicts with anything.
    pub fn fill(&self, row: &mut [u64]) {
        let bits = self.n_cells + self.n_objects + self.n_threads;
        for b in 0..bits {
            self.set(row, b, false);
            self.set(row, b, true);
        }
    }
}

impl Flow<'_> {
    /// The thread positions the instruction at `pc` looks at: `(t, Some(l))`
    /// for `t@l`, `(t, None)` for `done(t)`.
    pub fn positions(&self, pc: usize) -> Vec<(u32, Option<u32>)> {
        let st = self.locals(pc);
        let mut out = Vec::new();
        let Some(op) = self.op(pc) else {
            return out;
        };
        let mut es = op.values();
        if let Op::Read { cell, .. } = op {
            es.extend(cell.idx.as_ref());
        }
        for e in es {
            self.collect_positions(e, st, &mut out);
        }
        out
    }

    fn collect_positions(&self, e: &Expr, st: &[Abs], out: &mut Vec<(u32, Option<u32>)>) {
        let (thread, label) = match e {
            Expr::Const(_) | Expr::Local(_) => return,
            Expr::LocalIdx { idx, .. } | Expr::Unary(_, idx, _) => {
                return self.collect_positions(idx, st, out)
            }
            Expr::Binary(_, a, b, _) => {
                self.collect_positions(a, st, out);
                return self.collect_positions(b, st, out);
            }
            Expr::At { thread, label } => (thread, Some(*label)),
            Expr::Done(thread) => (thread, None),
        };
        out.extend(self.threads(thread, st).map(|t| (t, label)));
        if let ThreadRef::Group { idx, .. } = thread {
            self.collect_positions(idx, st, out);
        }
    }

    /// Add what the instruction at `pc` reads and writes to `row`. Every
    /// operation on a sync object writes it; a read-modify-write writes its
    /// cell even when a CAS fails.
    pub fn footprint(&self, pc: usize, space: &Space, row: &mut [u64]) {
        let Some(op) = self.op(pc) else {
            return;
        };
        let st = self.locals(pc);
        let cells = |c: &CellRef, write: bool, row: &mut [u64]| {
            for c in self.cells(c, st) {
                space.set(row, space.cell(c), write);
            }
            self.expr_threads(c.idx.as_ref(), st, space, row);
        };
        match op {
            Op::Read { cell, .. } => cells(cell, false, row),
            Op::Write { cell, .. } | Op::Rmw { cell, .. } | Op::Cas { cell, .. } => {
                cells(cell, true, row)
            }
            Op::Join { thread } => self.thread_reads(thread, false, st, space, row),
            _ => {}
        }
        for r in op.objects() {
            for o in self.objects(r, st) {
                space.set(row, space.object(o), true);
            }
            if let ObjRef::Group { idx, .. } = r {
                self.expr_threads(Some(idx), st, space, row);
            }
        }
        for e in op.values() {
            self.expr_threads(Some(e), st, space, row);
        }
    }

    fn thread_reads(&self, r: &ThreadRef, at: bool, st: &[Abs], space: &Space, row: &mut [u64]) {
        let all = at && self.at_reads_all;
        let ts = if all {
            0..self.program.threads.len() as u32
        } else {
            self.threads(r, st)
        };
        for t in ts {
            space.set(row, space.thread(t), false);
        }
        if let ThreadRef::Group { idx, .. } = r {
            self.expr_threads(Some(idx), st, space, row);
        }
    }

    /// `done(t)` and `t@label` read thread `t` (its position and locals).
    fn expr_threads(&self, e: Option<&Expr>, st: &[Abs], space: &Space, row: &mut [u64]) {
        match e {
            None | Some(Expr::Const(_) | Expr::Local(_)) => {}
            Some(Expr::LocalIdx { idx, .. } | Expr::Unary(_, idx, _)) => {
                self.expr_threads(Some(idx), st, space, row)
            }
            Some(Expr::Binary(_, a, b, _)) => {
                self.expr_threads(Some(a), st, space, row);
                self.expr_threads(Some(b), st, space, row);
            }
            Some(Expr::At { thread, .. }) => self.thread_reads(thread, true, st, space, row),
            Some(Expr::Done(thread)) => self.thread_reads(thread, false, st, space, row),
        }
    }
}
