//! Weak memory models (LANGUAGE.md section 8): store buffers and flushes.
//!
//! Under `--memory-model tso` every thread has one first-in, first-out
//! buffer for its writes of plain `shared` cells; under `pso` one per plain
//! `shared` variable. A write goes to the buffer (a full buffer makes the
//! writer flush first); a read looks in the thread's own buffers first,
//! newest write first, then in memory. Flushing the oldest write of one
//! buffer to memory is a step of its own: branch [`FLUSH`] `+ b` of the
//! thread's step, next to the branches of its next instruction. `fence`,
//! every operation on a sync object or an `atomic` variable, and
//! `atomic { }` blocks drain: the thread takes them only once its buffers
//! are empty (until then its only steps are flushes), and the writes of an
//! `atomic { }` block go to memory directly, within its one step. A thread
//! whose code is done but whose buffers are not rests one past its last
//! instruction, and finishes with its last flush.
//!
//! The lost-update check follows memory: a write is done when it is
//! flushed. A thread's tracked read of memory marks it a reader of the cell
//! (a read of its own buffered write marks nothing: it sees itself), a
//! flush makes the other readers stale, and a flushed write computed from
//! a stale read lost an update. A flush that leaves a later write of the
//! same cell computed from a read in the buffer marks the thread a reader
//! again: that read saw the write just flushed.

use super::{
    lost_update_write, Exec, LuWrite, Run, StepResult, Stop, ThreadStep, Trace, Transition,
};
use crate::eval::{check_range, in_range};
use crate::layout::{thread_bit, ENTRY};
use weft_ir::{Code, Op, Program, SrcSpan, Value, VarKind};

/// Branch `FLUSH + b` of a thread's step flushes the oldest write of its
/// store buffer `b` (`b` = 0 under `tso`; under `pso` the buffer of the
/// `b`th plain `shared` variable).
pub const FLUSH: u32 = 1 << 31;

/// Per pc of `code`: whether the step there drains the thread's store
/// buffers before it is taken: `fence`, atomic variables, sync objects, and
/// the groups of `atomic { }` blocks (and of `await`s that read an atomic
/// variable). Plain reads and writes, `join`, and the groups of `assert`
/// and `await` do not.
pub(super) fn drains(program: &Program, code: &Code) -> Vec<bool> {
    let strong = |op: &Op| match op {
        Op::Read { cell, .. } | Op::Write { cell, .. } => {
            program.vars[cell.var as usize].kind == VarKind::Atomic
        }
        Op::AtomicBegin { .. }
        | Op::AtomicEnd
        | Op::Assert { .. }
        | Op::Await { .. }
        | Op::Join { .. } => false,
        op => op.is_visible(),
    };
    let group = |pc: usize| {
        let mut depth = 0u32;
        for instr in &code.instrs[pc..] {
            match instr.op {
                Op::AtomicBegin { .. } => depth += 1,
                Op::AtomicEnd => {
                    depth -= 1;
                    if depth == 0 {
                        return false;
                    }
                }
                ref op if strong(op) => return true,
                _ => {}
            }
        }
        false
    };
    (code.instrs.iter().enumerate())
        .map(|(pc, instr)| match instr.op {
            Op::AtomicBegin { block } => block || group(pc),
            ref op => strong(op),
        })
        .collect()
}

impl Exec<'_> {
    /// Are all of thread `t`'s store buffers empty in `st`?
    pub(crate) fn drained(&self, st: &[Value], t: usize) -> bool {
        let Some(bufs) = &self.layout.buffers else {
            return true;
        };
        (0..bufs.per_thread).all(|b| bufs.empty(st, t, b))
    }

    /// The newest write of `cell` in thread `t`'s buffers, if there is one.
    fn buffered(&self, st: &[Value], t: usize, cell: u32) -> Option<Value> {
        let bufs = self.layout.buffers.as_ref()?;
        let b = bufs.of_cell[cell as usize]?;
        let mut found = None;
        for e in st[bufs.buffer(t, b)].chunks_exact(ENTRY) {
            if e[2] == 0 {
                break;
            }
            if e[0] == Value::from(cell) {
                found = Some(e[1]);
            }
        }
        found
    }

    /// Append the write of `v` to `cell` at `pc` to thread `t`'s buffer;
    /// false when the buffer is full.
    fn buffer(&self, st: &mut [Value], t: usize, cell: u32, v: Value, pc: usize) -> bool {
        let Some(bufs) = &self.layout.buffers else {
            return false;
        };
        let Some(b) = bufs.of_cell[cell as usize] else {
            return false;
        };
        for e in st[bufs.buffer(t, b)].chunks_exact_mut(ENTRY) {
            if e[2] == 0 {
                e.copy_from_slice(&[Value::from(cell), v, pc as Value + 1]);
                return true;
            }
        }
        false
    }

    /// Thread `t`'s step under a weak memory model: the branches of its
    /// next instruction (none when it must drain first, or has no code
    /// left but buffered writes), then one flush per non-empty buffer. A thread that can flush
    /// is not blocked.
    #[inline(never)]
    pub(super) fn weak_step(&self, state: &[Value], t: usize, out: &mut ThreadStep) {
        if !self.finished(state, t) && !self.flushing(state, t) {
            self.run_step(state, t, out);
        } else {
            out.idle(None);
        }
        let Some(bufs) = &self.layout.buffers else {
            return;
        };
        for b in 0..bufs.per_thread {
            if bufs.empty(state, t, b) {
                continue;
            }
            let mut st = out.pool.states.pop().unwrap_or_default();
            st.clear();
            st.extend_from_slice(state);
            let mut lost = out.pool.lost.pop().unwrap_or_default();
            lost.clear();
            out.transitions.push(self.flushed(st, lost, t, b, None));
            out.blocked = None;
        }
    }

    /// Replay branch `FLUSH + b` of thread `t`'s step (None when buffer
    /// `b` is empty or does not exist).
    pub(super) fn replay_flush(
        &self,
        state: &[Value],
        t: usize,
        b: u32,
    ) -> Option<(Transition, Trace)> {
        let bufs = self.layout.buffers.as_ref()?;
        let b = b as usize;
        if b >= bufs.per_thread || bufs.empty(state, t, b) {
            return None;
        }
        let mut trace = Trace::default();
        let transition = self.flushed(state.to_vec(), Vec::new(), t, b, Some(&mut trace));
        Some((transition, trace))
    }

    /// The transition that flushes the oldest write of thread `t`'s buffer
    /// `b` (not empty) in `st` (a copy of the state), its lost updates
    /// going to `lost` (empty).
    fn flushed(
        &self,
        mut st: Vec<Value>,
        mut lost: Vec<(u32, SrcSpan)>,
        t: usize,
        b: usize,
        trace: Option<&mut Trace>,
    ) -> Transition {
        let span = self.flush(&mut st, t, b, &mut lost, trace);
        Transition {
            branch: FLUSH + b as u32,
            state: st,
            event: None,
            progress: false,
            lost_updates: lost,
            span,
        }
    }

    /// Flush the oldest write of thread `t`'s buffer `b` (not empty) to
    /// memory in `st`; returns the write's span.
    fn flush(
        &self,
        st: &mut [Value],
        t: usize,
        b: usize,
        lost: &mut Vec<(u32, SrcSpan)>,
        trace: Option<&mut Trace>,
    ) -> SrcSpan {
        let Some(bufs) = &self.layout.buffers else {
            return SrcSpan::default();
        };
        let r = bufs.buffer(t, b);
        let (cell, v, site) = (st[r.start], st[r.start + 1], st[r.start + 2]);
        st.copy_within(r.start + ENTRY..r.end, r.start);
        st[r.end - ENTRY..r.end].fill(0);
        let c = self.threads[t].1;
        let code = &self.program.codes[c];
        let write = |site: Value| {
            usize::try_from(site - 1)
                .ok()
                .and_then(|pc| code.instrs.get(pc))
        };
        let span = write(site).map_or(code.span, |i| i.span);
        let Ok(cell) = u32::try_from(cell) else {
            return span;
        };
        let lu_write = |site: Value| match write(site).map(|i| &i.op) {
            Some(Op::Write {
                from_read,
                keeps_read,
                ..
            }) => LuWrite::of(from_read, *keeps_read, cell, self.program.var_of_cell(cell)),
            _ => LuWrite::FRESH,
        };
        let from_read = |site: Value| lu_write(site).from_read;
        st[cell as usize] = v;
        if lost_update_write(&self.layout, st, t, cell, lu_write(site)) {
            lost.push((cell, span));
        }
        if let Some(readers) = self.layout.tracked[cell as usize] {
            let again = st[r.clone()]
                .chunks_exact(ENTRY)
                .any(|e| e[2] != 0 && e[0] == Value::from(cell) && from_read(e[2]));
            if again {
                st[readers] |= thread_bit(t);
            }
        }
        let ends = self.code_done(st, t) && self.drained(st, t);
        if ends {
            self.finish_thread(st, t);
        }
        if let Some(tr) = trace {
            let name = self.program.cell_name(cell);
            let shown = self.show(cell, v);
            tr.notes.push(format!("flush {name} = {shown} to memory"));
            tr.cells.push((cell, true, span));
            tr.touched.push((super::Touch::Cell(cell), true));
            if ends {
                tr.notes.push("finishes".to_string());
            }
        }
        span
    }

    /// Has thread `t` run all of its code in `state` but not finished (its
    /// writes are still buffered)? Its only steps are flushes.
    pub fn flushing(&self, state: &[Value], t: usize) -> bool {
        self.code_done(state, t) && !self.drained(state, t)
    }

    /// Is thread `t` one past its last instruction in `state`? True also of
    /// a thread with no code at all before its one step, which finishes it
    /// ([`Exec::flushing`] is what waits for buffers).
    fn code_done(&self, state: &[Value], t: usize) -> bool {
        let (pc_slot, c) = self.threads[t];
        usize::try_from(state[pc_slot]).is_ok_and(|pc| pc >= self.program.codes[c].instrs.len())
    }

    /// The span of the instruction thread `t` rests at in `state` under a
    /// weak model, when that is all it can tell (its only steps flush).
    pub fn next_span(&self, state: &[Value], t: usize) -> Option<SrcSpan> {
        self.layout.buffers.as_ref()?;
        let (pc_slot, c) = self.threads[t];
        let pc = usize::try_from(state[pc_slot]).ok()?;
        self.program.codes[c].instrs.get(pc).map(|i| i.span)
    }

    /// The writes waiting in thread `t`'s store buffers in `state`, as
    /// (cell, value), each buffer oldest first (empty under sequential
    /// consistency).
    pub fn pending(&self, state: &[Value], t: usize) -> Vec<(u32, Value)> {
        let Some(bufs) = &self.layout.buffers else {
            return Vec::new();
        };
        (0..bufs.per_thread)
            .flat_map(|b| state[bufs.buffer(t, b)].chunks_exact(ENTRY))
            .filter(|e| e[2] != 0)
            .filter_map(|e| Some((u32::try_from(e[0]).ok()?, e[1])))
            .collect()
    }

    /// Thread `t`'s code is done in `st` but its buffers are not: its
    /// locals but `self` cleared, it rests one past its last instruction,
    /// and its reads stay tracked until its writes are flushed.
    fn finish_code(&self, st: &mut [Value], t: usize) {
        let (pc_slot, c) = self.threads[t];
        let code = &self.program.codes[c];
        for i in 1..code.n_locals.max(1) {
            st[pc_slot + 1 + i as usize] = 0;
        }
        st[pc_slot] = code.instrs.len() as Value;
    }
}

impl Run<'_, '_> {
    /// Is thread's step at `pc` one that must wait for its buffers to
    /// drain, while they are not empty?
    pub(super) fn must_drain(&self, pc: usize) -> bool {
        self.drains.get(pc) == Some(&true) && !self.x.drained(&self.st, self.t)
    }

    /// Does a write of `cell` go to the store buffer (a plain `shared`
    /// cell under a weak model, outside an `atomic { }` block)?
    pub(super) fn buffers_write(&self, cell: u32) -> bool {
        self.x.layout.buffers.is_some()
            && !self.direct
            && self.x.var_of_cell(cell).kind == VarKind::Shared
    }

    /// A read of `cell` that this thread's own buffer answers, if it does.
    pub(super) fn read_buffered(&self, cell: u32) -> Option<Value> {
        if self.x.layout.buffers.is_none() || self.direct {
            return None;
        }
        self.x.buffered(&self.st, self.t, cell)
    }

    /// The write of `v` to `cell` at `pc`, into the store buffer: an access
    /// like any write; a full buffer stops the branch (the thread flushes
    /// first).
    pub(super) fn buffer_write(
        &mut self,
        cell: u32,
        v: Value,
        span: SrcSpan,
        pc: usize,
    ) -> StepResult<()> {
        let var = self.x.var_of_cell(cell);
        if !in_range(v, var.range) {
            check_range(v, var.range, &self.x.program.cell_name(cell), span)?;
        }
        self.record(cell, true, true, span);
        if !self.x.buffer(&mut self.st, self.t, cell, v, pc) {
            return Err(Stop::Unavailable);
        }
        Ok(())
    }

    /// The thread's code is done: under a weak model with writes still
    /// buffered it rests until they are flushed (true); otherwise false.
    pub(super) fn finish_buffered(&mut self) -> bool {
        if self.x.drained(&self.st, self.t) {
            return false;
        }
        self.x.finish_code(&mut self.st, self.t);
        true
    }
}

/// Fairness under a weak memory model: a real store buffer drains on its
/// own, so a flush that stays possible is eventually taken. The liveness
/// checks treat each buffer as one more agent of weak fairness, next to
/// the threads (`liveness.rs`): agents `0..n` are the threads, then thread
/// `t`'s buffer `b` is `n + t * per_thread + b`, or `n + t` (all of a
/// thread's buffers as one) where that many do not fit in 64, or the
/// thread itself where even those do not.
impl Exec<'_> {
    /// How the buffers map to agents: the number of buffers per thread
    /// that get an agent each (0: they share the thread's).
    fn buffer_agents(&self) -> usize {
        let n = self.program.threads.len();
        match &self.layout.buffers {
            None => 0,
            Some(b) if n + n * b.per_thread <= 64 => b.per_thread,
            Some(_) if 2 * n <= 64 => 1,
            Some(_) => 0,
        }
    }

    /// The number of fairness agents.
    pub fn fairness_agents(&self) -> u32 {
        let n = self.program.threads.len();
        (n + n * self.buffer_agents()) as u32
    }

    /// The fairness agent of branch `branch` of thread `t`'s step.
    pub fn agent(&self, t: u32, branch: u32) -> u32 {
        if branch < FLUSH {
            return t;
        }
        let n = self.program.threads.len() as u32;
        match self.buffer_agents() as u32 {
            0 => t,
            1 => n + t,
            per => n + t * per + (branch - FLUSH).min(per - 1),
        }
    }

    /// The agents that can move in thread `t`'s step `step`, as a mask.
    pub fn enabled_agents(&self, t: usize, step: &ThreadStep) -> u64 {
        if self.layout.buffers.is_none() {
            return u64::from(!step.transitions.is_empty()) << t;
        }
        (step.transitions.iter()).fold(0, |m, tr| m | 1 << self.agent(t as u32, tr.branch))
    }
}
