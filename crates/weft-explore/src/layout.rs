//! Where each part of a program's state lives in the flat state vector.
//!
//! A state is a `[Value]`: the global cells first, then each sync object's
//! slots, then each thread's program counter and locals, then the
//! lost-update bookkeeping (two thread masks per tracked cell). Keeping it flat makes states cheap to hash,
//! compare and store, and leaves room for fingerprints and symmetry later.

use weft_ir::{Memory, ObjectKind, Op, Program, Value, VarKind};

/// The program counter of a thread that has finished.
pub const FINISHED: Value = -1;

/// Most threads a program may have: thread sets are `u64` bit masks.
pub const MAX_THREADS: usize = 64;

/// Offsets of every component in the state vector.
#[derive(Clone, Debug)]
pub struct Layout {
    /// Offset of each object's first slot.
    pub obj: Vec<usize>,
    /// Offset of each thread's program counter; its locals follow.
    pub thread: Vec<usize>,
    /// Offset of the lost-update masks: per tracked cell, the threads that
    /// have read it since their last write of it (bit `t` for thread `t`),
    /// then those of them whose read another thread's write made stale.
    /// One pair of words per cell, not per thread: a write updates its
    /// cell's pair and nothing else, and a cell that no one reads costs two
    /// zeros.
    pub lost_update: usize,
    /// Each cell's "readers" slot if tracked (its "stale" slot follows):
    /// the cells of plain shared variables that some write computes from
    /// their own read.
    pub tracked: Vec<Option<usize>>,
    /// Number of tracked cells.
    pub n_tracked: usize,
    /// Number of threads (the length of every FIFO queue).
    pub n_threads: usize,
    /// The store buffers under a weak memory model (after the lost-update
    /// masks).
    pub buffers: Option<Buffers>,
    /// Total length of a state.
    pub len: usize,
}

/// Where the store buffers of a weak memory model live (LANGUAGE.md
/// section 8): per thread one buffer (`tso`) or one per plain `shared`
/// cell (`pso`: each cell of an array is a variable of its own, section
/// 3), each `cap` entries of [`ENTRY`] slots: the cell, the
/// value, and the write's pc in the thread's code plus one. Entries fill
/// from the front, oldest first; an entry whose last slot is 0 is empty.
#[derive(Clone, Debug)]
pub struct Buffers {
    /// Entries per buffer.
    pub cap: usize,
    /// Buffers per thread.
    pub per_thread: usize,
    /// Offset of each thread's first buffer.
    pub thread: Vec<usize>,
    /// Per cell: the index of its buffer within its thread's (`None`: not
    /// a plain `shared` cell, never buffered).
    pub of_cell: Vec<Option<usize>>,
}

/// Slots of one store-buffer entry: cell, value, write pc + 1.
pub const ENTRY: usize = 3;

impl Buffers {
    fn new(program: &Program, off: &mut usize) -> Option<Buffers> {
        let cap = program.memory.buffer()?.max(1) as usize;
        let mut of_cell = vec![None; program.n_cells as usize];
        let mut n = 0;
        for cell in program.plain_shared_cells() {
            of_cell[cell as usize] = Some(match program.memory {
                Memory::Pso { .. } => n,
                _ => 0,
            });
            n += 1;
        }
        let per_thread = match program.memory {
            Memory::Pso { .. } => n,
            _ => 1,
        };
        let thread = (0..program.threads.len())
            .map(|t| *off + t * per_thread * cap * ENTRY)
            .collect();
        *off += program.threads.len() * per_thread * cap * ENTRY;
        Some(Buffers {
            cap,
            per_thread,
            thread,
            of_cell,
        })
    }

    /// The slots of thread `t`'s buffer `b`.
    pub fn buffer(&self, t: usize, b: usize) -> std::ops::Range<usize> {
        let at = self.thread[t] + b * self.cap * ENTRY;
        at..at + self.cap * ENTRY
    }

    /// Is thread `t`'s buffer `b` empty in `state` (its oldest entry
    /// unused)?
    pub fn empty(&self, state: &[Value], t: usize, b: usize) -> bool {
        state[self.buffer(t, b).start + ENTRY - 1] == 0
    }
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
                    cell, from_read, ..
                } = &instr.op
                {
                    if !from_read.any() {
                        continue;
                    }
                    let var = &program.vars[cell.var as usize];
                    if var.kind != VarKind::Shared {
                        continue;
                    }
                    for c in var.base..var.base + var.len {
                        if tracked[c as usize].is_none() {
                            tracked[c as usize] = Some(n_tracked);
                            n_tracked += 1;
                        }
                    }
                }
            }
        }
        let lost_update = off;
        for slot in tracked.iter_mut().flatten() {
            *slot = lost_update + 2 * *slot;
        }
        off += 2 * n_tracked;
        let buffers = Buffers::new(program, &mut off);
        Layout {
            obj,
            thread,
            lost_update,
            tracked,
            n_tracked,
            n_threads,
            buffers,
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

    /// The readers-and-stale pair of every tracked cell: slots
    /// `lost_update..lost_update + 2 * n_tracked`, two per cell.
    pub fn lu_masks(&self) -> std::ops::Range<usize> {
        self.lost_update..self.lost_update + 2 * self.n_tracked
    }
}

/// Thread `t`'s bit in a thread mask (bit 63, the 64th thread, is the sign).
pub fn thread_bit(t: usize) -> Value {
    (1u64 << t) as Value
}
