//! Where each part of a program's state lives in the flat state vector.
//!
//! A state is a `[Value]`: the global cells first, then each sync object's
//! slots, then each thread's program counter and locals, then the
//! lost-update bookkeeping. Keeping it flat makes states cheap to hash,
//! compare and store, and leaves room for fingerprints and symmetry later.

use weft_ir::{ObjectKind, Op, Program, Value, VarKind};

/// The program counter of a thread that has finished.
pub const FINISHED: Value = -1;

/// Most threads a program may have: thread sets are `u64` bit masks.
pub const MAX_THREADS: usize = 64;

/// Where a tracked cell's bit lives in a thread's lost-update masks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Bit {
    /// Which word of the mask.
    pub word: usize,
    pub mask: Value,
}

/// Offsets of every component in the state vector.
#[derive(Clone, Debug)]
pub struct Layout {
    /// Offset of each object's first slot.
    pub obj: Vec<usize>,
    /// Offset of each thread's program counter; its locals follow.
    pub thread: Vec<usize>,
    /// Offset of the lost-update words: per thread, a mask of tracked cells
    /// it has read since its last write of them, then a mask of those that
    /// another thread wrote since (each mask `lu_words` words long).
    pub lost_update: usize,
    /// Words in one lost-update mask (64 tracked cells a word).
    pub lu_words: usize,
    /// Each cell's bit in the lost-update masks, if tracked: the cells of
    /// plain shared variables that some write computes from their own read.
    pub tracked: Vec<Option<Bit>>,
    /// Number of threads (the length of every FIFO queue).
    pub n_threads: usize,
    /// Total length of a state.
    pub len: usize,
}

impl Layout {
    pub fn new(program: &Program) -> Layout {
        let n_threads = program.threads.len();
        let mut off = program.n_cells as usize;
        let mut obj = Vec::with_capacity(program.objects.len());
        for o in &program.objects {
            obj.push(off);
            let queue = if o.fair { n_threads } else { 0 };
            off += match o.kind {
                ObjectKind::Mutex => 1 + queue,
                ObjectKind::RwLock => 2 + queue,
                ObjectKind::Semaphore => 1 + queue,
                ObjectKind::Condvar | ObjectKind::Barrier | ObjectKind::WaitGroup => 1,
                // len, closed, offerer (rendezvous), then the buffer
                ObjectKind::Channel => 3 + (o.param.max(1) as usize),
            };
        }
        let mut thread = Vec::with_capacity(n_threads);
        for t in &program.threads {
            thread.push(off);
            off += 1 + (program.codes[t.code as usize].n_locals as usize).max(1);
        }
        let mut tracked = vec![None; program.n_cells as usize];
        let mut n_tracked = 0;
        for code in &program.codes {
            for instr in &code.instrs {
                if let Op::Write {
                    cell,
                    from_read: true,
                    ..
                } = &instr.op
                {
                    let var = &program.vars[cell.var as usize];
                    if var.kind != VarKind::Shared {
                        continue;
                    }
                    for c in var.base..var.base + var.len {
                        if tracked[c as usize].is_none() {
                            tracked[c as usize] = Some(Bit {
                                word: n_tracked / 64,
                                mask: 1 << (n_tracked % 64),
                            });
                            n_tracked += 1;
                        }
                    }
                }
            }
        }
        let lost_update = off;
        let lu_words = n_tracked.div_ceil(64);
        off += 2 * lu_words * n_threads;
        Layout {
            obj,
            thread,
            lost_update,
            lu_words,
            tracked,
            n_threads,
            len: off,
        }
    }

    /// The initial state: initial values, free objects, threads at pc 0
    /// with `self` in local 0.
    pub fn initial(&self, program: &Program) -> Vec<Value> {
        let mut s = vec![0; self.len];
        for v in &program.vars {
            for (i, x) in v.init.iter().enumerate() {
                s[v.base as usize + i] = *x;
            }
        }
        for (o, &off) in program.objects.iter().zip(&self.obj) {
            if o.kind == ObjectKind::Semaphore {
                s[off] = o.param;
            }
        }
        for (t, &off) in program.threads.iter().zip(&self.thread) {
            s[off] = 0;
            s[off + 1] = t.index as Value;
        }
        s
    }

    /// Slot of local `i` of thread `t`.
    pub fn local(&self, t: usize, i: u32) -> usize {
        self.thread[t] + 1 + i as usize
    }

    /// Word `word` of thread `t`'s lost-update "read" mask.
    pub fn lu_read(&self, t: usize, word: usize) -> usize {
        self.lost_update + 2 * self.lu_words * t + word
    }

    /// Word `word` of thread `t`'s lost-update "stale" mask.
    pub fn lu_stale(&self, t: usize, word: usize) -> usize {
        self.lost_update + 2 * self.lu_words * t + self.lu_words + word
    }

    /// All of thread `t`'s lost-update words.
    pub fn lu_all(&self, t: usize) -> std::ops::Range<usize> {
        let start = self.lu_read(t, 0);
        start..start + 2 * self.lu_words
    }
}
