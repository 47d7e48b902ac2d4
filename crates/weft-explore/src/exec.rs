//! The step executor: from a state, run one thread's next step (LANGUAGE.md
//! section 6) in every way it can go, recording what it accessed.
//!
//! A step runs the local instructions in front of one visible instruction (or
//! one `AtomicBegin..AtomicEnd` group), then that instruction. When the rest
//! of the thread is local work, it runs within the same step, so a thread
//! finishes in its last step. `choose` and `notify_one` branch: each branch is
//! one run with a different script of choices.

use crate::eval::{
    binary, check_range, constant, in_range, local_index, rt_err, Env, EvalResult, RuntimeError,
};
use crate::layout::{thread_bit, Layout, FINISHED};
use kind::{kinds, Kind};
use weft_ir::{
    BinOp, CellRef, Code, Instr, ObjRef, Op, Program, Rmw, SrcSpan, Value, Var, VarKind,
};

/// Most instructions one step may run. A loop that comes back to a state
/// it was in never reaches a step, and [`Repeats`] says so exactly, long
/// before this; the budget stops the loops that never repeat (a counter
/// that only grows), after a few tenths of a second.
pub(crate) const LOCAL_BUDGET: u32 = 10_000_000;

/// Instructions a step runs before [`Repeats`] starts watching it: every
/// ordinary step is over long before.
const WATCH_AFTER: u64 = 1 << 12;

/// Where a run is, besides its state: the program counter, the nesting of
/// `atomic { }` groups, whether the step's visible part has started, and
/// how many `choose`s it has made.
pub(crate) type Position = (Value, u32, bool, usize);

/// Brent's cycle detection over a step's run. Between two `choose`s a run
/// is deterministic, so if it comes back to a position and state it was
/// in with no `choose` made in between (the count is part of the
/// position), it goes round that loop forever; a loop around `choose`
/// ends at `MAX_STEP_CHOICES` instead. It watches only past the first
/// [`WATCH_AFTER`] instructions (it costs nothing before: no snapshot);
/// then the snapshot is taken at powers of two of instructions, and the
/// whole state compared only where the position matches.
#[derive(Default)]
pub(crate) struct Repeats {
    /// Instructions run so far.
    run: u64,
    /// Position and state of the snapshot.
    at: Option<Position>,
    state: Vec<Value>,
    /// Instructions since the snapshot, and when the next one is taken.
    since: u64,
    power: u64,
}

impl Repeats {
    /// Is `(at, state)` the snapshot's position and state? Called once per
    /// instruction.
    pub(crate) fn seen(&mut self, at: Position, state: &[Value]) -> bool {
        self.run += 1;
        if self.run <= WATCH_AFTER {
            return false;
        }
        if self.at == Some(at) && self.state == state {
            return true;
        }
        self.since += 1;
        if self.since >= self.power {
            self.at = Some(at);
            self.state.clear();
            self.state.extend_from_slice(state);
            self.since = 0;
            self.power = (self.power * 2).max(1);
        }
        false
    }
}

/// The error of a step whose local work (or `atomic { }` block) loops
/// forever or runs past [`LOCAL_BUDGET`].
fn endless(span: SrcSpan, in_atomic: bool, repeats: bool) -> Stop {
    let what = match in_atomic {
        true => "this `atomic { }` block",
        false => "this thread's local work",
    };
    let why = match repeats {
        true => "loops forever: it comes back to a state it was in without reaching a step"
            .to_string(),
        false => format!(
            "ran {LOCAL_BUDGET} instructions without reaching a step: a loop that never touches shared state never ends"
        ),
    };
    sync::runtime(span, format!("{what} {why}"))
}

/// Most values one `choose` may branch over.
const MAX_CHOICES: Value = 1 << 16;

/// Most `choose`s one step may resolve. Only a loop of local work around a
/// `choose` reaches this (each choice would multiply the step's branches),
/// and such a loop is one that may never reach a step: the same runtime
/// error as [`LOCAL_BUDGET`].
const MAX_STEP_CHOICES: usize = 32;

/// Most ways one step may go: its `choose`s multiply its branches, each
/// run anew, so a step with many (a loop of binary ones, say) would take
/// exponential time inside one step, out of reach of `--timeout`. Once
/// this many branches ran, the next fails at its first `choose` with a
/// runtime error, and the step's other branches are not run.
const MAX_STEP_BRANCHES: u64 = 1 << 16;

/// One access to a plain shared cell, for the data-race check.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Access {
    pub cell: u32,
    pub write: bool,
    /// Inside an indivisible group (`atomic {}`, `await`): such accesses
    /// never race with each other.
    pub grouped: bool,
    pub span: SrcSpan,
}

/// Why a thread cannot take its next step.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BlockReason {
    Mutex(usize),
    /// Queued on a fair lock or semaphore, waiting for its turn.
    Queue(usize),
    RwRead(usize),
    RwWrite(usize),
    Semaphore(usize),
    /// Waiting on a condvar for a notify; the mutex it will re-lock.
    Condvar(usize, usize),
    /// Notified, waiting to re-lock the mutex.
    Relock(usize),
    ChannelFull(usize),
    ChannelEmpty(usize),
    /// Capacity 0: another sender's value is still waiting for a receiver.
    RendezvousBusy(usize),
    /// Capacity 0: our value waits for a receiver.
    RendezvousTake(usize),
    Barrier(usize),
    WaitGroup(usize),
    Join(usize),
    Await,
}

/// Something that ends a branch of the search.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Event {
    Assertion {
        span: SrcSpan,
        message: Option<String>,
    },
    Runtime(RuntimeError),
}

/// One way a thread's next step can go.
#[derive(Clone, Debug)]
pub struct Transition {
    /// The index of this branch among the thread's branches.
    pub branch: u32,
    pub state: Vec<Value>,
    /// Set when the step failed: the successor state is not explored.
    pub event: Option<Event>,
    /// The step executed `progress;` or finished the thread.
    pub progress: bool,
    /// Writes that lost another thread's update: (cell, span of the write).
    pub lost_updates: Vec<(u32, SrcSpan)>,
    /// The step's (first) visible instruction.
    pub span: SrcSpan,
}

/// Everything about one thread's next step in one state.
#[derive(Clone, Debug, Default)]
pub struct ThreadStep {
    pub transitions: Vec<Transition>,
    /// Set when some branch is blocked (the thread waits there).
    pub blocked: Option<(SrcSpan, BlockReason)>,
    /// Plain shared accesses of every branch, blocked ones included.
    pub accesses: Vec<Access>,
    /// Where the transitions' states may differ from the state stepped,
    /// when the executor knows it (a quick step: the slot of its object or
    /// cell, the thread's program counter and locals, the lost-update
    /// masks; disjoint ranges); `None`: anywhere. The search then compares
    /// a handful of values with the parent, not all of them, to update the
    /// fingerprint (`store::fingerprint_from`).
    pub changed: Option<[std::ops::Range<usize>; 3]>,
    /// Buffers of earlier steps, reused so that stepping allocates nothing
    /// once they are warm.
    pool: Pool,
}

impl ThreadStep {
    /// [`ThreadStep::changed`] as a slice of ranges.
    pub fn within(&self) -> Option<&[std::ops::Range<usize>]> {
        self.changed.as_ref().map(|w| &w[..])
    }

    /// No transition and no access: the thread has finished (`None`) or
    /// waits.
    #[inline(always)]
    fn idle(&mut self, blocked: Option<(SrcSpan, BlockReason)>) {
        self.pool.recycle(&mut self.transitions);
        self.accesses.clear();
        self.blocked = blocked;
        self.changed = None;
    }
}

/// Buffers a [`ThreadStep`] recycles from one step to the next.
#[derive(Clone, Debug, Default)]
struct Pool {
    states: Vec<Vec<Value>>,
    lost: Vec<Vec<(u32, SrcSpan)>>,
    /// Scratch of `Run::tail`'s look-ahead.
    saved: Vec<Value>,
    /// The number of values of each choice the last run met.
    ranges: Vec<u32>,
    script: Vec<u32>,
    /// How many branches of the step ran before this run.
    runs: u64,
    /// This run's choices made more than [`MAX_STEP_BRANCHES`] branches:
    /// the step's other branches are not run.
    too_many: bool,
}

impl Pool {
    /// Take back the buffers of the transitions of an earlier step.
    #[inline(always)]
    fn recycle(&mut self, transitions: &mut Vec<Transition>) {
        // Most steps wait and leave nothing: only a call's worth of checks.
        if !transitions.is_empty() {
            self.take_back(transitions);
        }
    }

    #[inline(never)]
    fn take_back(&mut self, transitions: &mut Vec<Transition>) {
        while let Some(tr) = transitions.pop() {
            self.states.push(tr.state);
            self.lost.push(tr.lost_updates);
        }
    }

    /// A run of thread `t`'s step from `state` along `script`, with the
    /// pool's buffers; its plain shared accesses go to `accesses`.
    fn run<'a, 'p>(
        &'a mut self,
        x: &'a Exec<'p>,
        state: &[Value],
        t: usize,
        script: &'a [u32],
        accesses: &'a mut Vec<Access>,
        trace: bool,
    ) -> Run<'a, 'p> {
        let mut st = self.states.pop().unwrap_or_default();
        st.clear();
        st.extend_from_slice(state);
        let mut lost = self.lost.pop().unwrap_or_default();
        lost.clear();
        self.ranges.clear();
        self.too_many = false;
        let c = x.program.threads[t].code as usize;
        Run {
            x,
            code: &x.program.codes[c],
            kinds: &x.kinds[c],
            drains: x.drains.get(c).map_or(&[], |d| &d[..]),
            direct: false,
            may_end: &x.may_end[c],
            trailing: &x.trailing[c],
            st,
            pool: self,
            t,
            pc_slot: x.layout.thread[t],
            script,
            accesses,
            lost_updates: lost,
            progress: false,
            depth: 0,
            visible: false,
            span: None,
            trace: trace.then(Trace::default),
        }
    }
}

/// What a replayed step did, for reports.
#[derive(Clone, Debug, Default)]
pub struct Trace {
    pub notes: Vec<String>,
    /// Accesses of plain shared cells (cell, write, span), racy or not.
    pub cells: Vec<(u32, bool, SrcSpan)>,
    /// Locks this step took (object indices).
    pub acquired: Vec<usize>,
    /// Everything the step touched, and whether it wrote it (see
    /// `footprint.rs`): the independence relation of schedule classes.
    pub touched: Vec<(footprint::Touch, bool)>,
}

/// Runs steps of one program.
pub struct Exec<'p> {
    pub program: &'p Program,
    pub layout: Layout,
    /// Per code and pc: can local work alone (no step, no `choose`) reach
    /// the end of the thread from there, or can it reach no step at all?
    /// Where neither, a step need not look ahead (`Run::tail`).
    may_end: Vec<Vec<bool>>,
    /// Per code and pc: is all that is left from there local work (and
    /// `choose`s), no step reachable? It runs with the thread's last step,
    /// which resolves its choices, and fails if it fails (LANGUAGE.md
    /// section 6, rules 3 and 5).
    trailing: Vec<Vec<bool>>,
    /// Some expression looks at positions (`t@label`): local work may then
    /// move a thread only where that keeps it at the same labels.
    watch_labels: bool,
    /// Steps settle at the next step ([`Exec::settle`]); when off, they
    /// only run the clears and unconditional jumps right after them.
    settles: bool,
    /// Per code and pc: settling from there, worked out beforehand
    /// (`shortcut.rs`).
    shortcuts: Vec<Vec<Option<shortcut::Shortcut>>>,
    /// Per code and pc: how the instruction there runs (`kind.rs`).
    kinds: Vec<Vec<Kind>>,
    /// Per code and pc: whether the step there may be stepped without
    /// the interpreter (`quick.rs`).
    quick: Vec<Vec<Option<quick::Quick>>>,
    /// Per thread: the offset of its program counter, and its code.
    threads: Vec<(usize, usize)>,
    /// Per code and pc: the plain mutex a `lock` there takes, and the
    /// lock's span (`waits.rs`).
    locks: Vec<Vec<Option<(waits::LockSite, SrcSpan)>>>,
    /// Per code and pc: how settling runs the instruction there.
    plans: Vec<Vec<Plan>>,
    /// Per cell: the index of its variable (`Program::var_of_cell` without
    /// the search).
    cell_vars: Vec<u32>,
    /// Per code and pc: the step there drains the store buffers first
    /// (`weak.rs`); empty under sequential consistency.
    drains: Vec<Vec<bool>>,
}

impl<'p> Exec<'p> {
    pub fn new(program: &'p Program) -> Self {
        Exec::with_settling(program, true)
    }

    /// An executor whose steps settle at the next step or not
    /// (`--no-settle`).
    pub fn with_settling(program: &'p Program, settles: bool) -> Self {
        let layout = Layout::new(program);
        let trailing: Vec<Vec<bool>> = program
            .codes
            .iter()
            .map(|c| may_step(program, c).iter().map(|s| !s).collect())
            .collect();
        let mut exec = Exec {
            program,
            threads: (program.threads.iter().zip(&layout.thread))
                .map(|(th, &pc_slot)| (pc_slot, th.code as usize))
                .collect(),
            layout,
            may_end: (program.codes.iter().zip(&trailing))
                .map(|(c, trailing)| {
                    may_end(program, c)
                        .iter()
                        .zip(trailing)
                        .map(|(end, last)| *end || *last)
                        .collect()
                })
                .collect(),
            trailing,
            watch_labels: program.names_positions(),
            settles,
            shortcuts: Vec::new(),
            kinds: program.codes.iter().map(|c| kinds(program, c)).collect(),
            quick: Vec::new(),
            locks: Vec::new(),
            plans: Vec::new(),
            cell_vars: (0..program.n_cells)
                .map(|c| program.vars.partition_point(|v| v.base + v.len <= c) as u32)
                .collect(),
            drains: Vec::new(),
        };
        let weak = exec.layout.buffers.is_some();
        // Under a weak model a held lock is no answer: the thread may
        // flush instead (`weak_step`), so the lock table stays empty.
        exec.locks = (program.codes.iter())
            .map(|c| match weak {
                true => Vec::new(),
                false => waits::lock_sites(program, &exec.layout, c),
            })
            .collect();
        if weak {
            exec.drains = (program.codes.iter())
                .map(|c| weak::drains(program, c))
                .collect();
        }
        if settles {
            exec.shortcuts = program.codes.iter().map(|c| exec.shortcuts(c)).collect();
        }
        exec.plans = (program.codes.iter().enumerate())
            .map(|(c, code)| exec.plans(c, code))
            .collect();
        exec.quick = (program.codes.iter())
            .map(|c| match weak {
                true => vec![Some(quick::Quick::Weak); c.instrs.len() + 1],
                false => quick::quick_steps(program, c),
            })
            .collect();
        exec
    }

    /// The initial state, each thread resting at its first step (its
    /// leading local work run, as every step leaves it: `Exec::settle`).
    pub fn initial(&self) -> Vec<Value> {
        let mut state = self.layout.initial(self.program);
        for t in 0..self.program.threads.len() {
            self.settle(&mut state, t);
        }
        state
    }

    /// The variable of a cell (as `Program::var_of_cell`, from a table).
    fn var_of_cell(&self, cell: u32) -> &'p Var {
        match self.cell_vars.get(cell as usize) {
            Some(&v) => &self.program.vars[v as usize],
            None => self.program.var_of_cell(cell),
        }
    }

    /// Thread `t` finishes in `st`: its locals but `self` cleared, its
    /// program counter [`FINISHED`], its reads forgotten by the lost-update
    /// bookkeeping.
    fn finish_thread(&self, st: &mut [Value], t: usize) {
        let pc_slot = self.layout.thread[t];
        let n = self.program.codes[self.program.threads[t].code as usize]
            .n_locals
            .max(1);
        for i in 1..n {
            st[pc_slot + 1 + i as usize] = 0;
        }
        st[pc_slot] = FINISHED;
        let me = thread_bit(t);
        for slot in self.layout.lu_masks() {
            st[slot] &= !me;
        }
    }

    /// A cell's value as users write it (`true` for a bool).
    fn show(&self, cell: u32, v: Value) -> String {
        match self.var_of_cell(cell).ty {
            weft_ir::Ty::Bool => (v != 0).to_string(),
            weft_ir::Ty::Int => v.to_string(),
        }
    }

    pub fn finished(&self, state: &[Value], t: usize) -> bool {
        state[self.layout.thread[t]] == FINISHED
    }

    /// Run thread `t`'s pending local work in `state` as far as it is
    /// certain and unseen, so that the thread rests at its next step:
    /// assignments to locals, clears, jumps and `progress;`, up to the first
    /// instruction that is a step, a `choose`, a ghost access, or that would
    /// fail (an error stays for the step to report), never to the thread's
    /// end, and never out of a label (`t@label` counts the local work in
    /// front of a step as part of it, so it must see the same labels).
    /// Every step ends with this, and the initial state starts with it.
    ///
    /// Nothing can tell the difference (LANGUAGE.md section 6, rule 3: the
    /// local work runs with the next step, and no one else sees a thread's
    /// locals), except where `progress;` is credited: to the step before
    /// the marker instead of the one after. Both steps are in the same
    /// cycles of the state graph (a thread that steps around a cycle comes
    /// back to where it was), so livelock and starvation, which count
    /// progress per cycle, find the same. What it buys: a thread back at
    /// the top of its loop is one state, not one per place in its local
    /// work, and a step that waits is seen without running anything
    /// ([`Exec::step`]). Returns whether it passed `progress;`.
    #[inline]
    pub(crate) fn settle(&self, state: &mut [Value], t: usize) -> bool {
        // Most steps end at a step: no local work in front of it.
        let (pc_slot, c) = self.threads[t];
        let kinds = &self.kinds[c];
        match usize::try_from(state[pc_slot]).map(|pc| kinds.get(pc)) {
            Ok(Some(Kind::Local | Kind::Progress)) => self.settle_local(state, t),
            _ => false,
        }
    }

    /// [`Exec::settle`] where there is local work to run.
    #[inline(never)]
    fn settle_local(&self, state: &mut [Value], t: usize) -> bool {
        let (pc_slot, c) = self.threads[t];
        let code = &self.program.codes[c];
        let plans = &self.plans[c];
        let end = code.instrs.len();
        let mut progress = false;
        for _ in 0..LOCAL_BUDGET.min(1 << 12) {
            let Ok(pc) = usize::try_from(state[pc_slot]) else {
                break;
            };
            // Only local work and `progress;` settle (`local_effect` says
            // `None` for anything else), and only they have shortcuts.
            let (effect, passes_progress) = match plans.get(pc) {
                None | Some(Plan::Stop) => break,
                Some(Plan::Shortcut) => {
                    let Some(Some(sc)) = self.shortcuts.get(c).and_then(|s| s.get(pc)) else {
                        break;
                    };
                    for &(from, to) in &sc.clears {
                        state[pc_slot + 1 + from as usize..pc_slot + 1 + to as usize].fill(0);
                    }
                    progress |= sc.progress;
                    state[pc_slot] = Value::from(sc.to);
                    continue;
                }
                // An instruction that would fail stays for the step to report.
                Some(Plan::Fast(fast)) => match fast.effect(&state[pc_slot + 1..], pc) {
                    Some(effect) => (effect, false),
                    None => break,
                },
                Some(Plan::Slow) => {
                    let instr = &code.instrs[pc];
                    if !self.settles && !matches!(instr.op, Op::Clear { .. } | Op::Jump(_)) {
                        break;
                    }
                    if matches!(instr.op, Op::Progress) {
                        (Local::Goto(pc + 1), true)
                    } else {
                        let env = Env {
                            program: self.program,
                            layout: &self.layout,
                            state,
                            locals: &state[pc_slot + 1..],
                        };
                        match local_effect(&env, &instr.op, instr.span, pc) {
                            Ok(Some(effect)) => (effect, false),
                            _ => break,
                        }
                    }
                }
            };
            let next = match effect {
                Local::Write(_, _, next) | Local::Clear(_, _, next) | Local::Goto(next) => next,
            };
            if next >= end || self.leaves_label(code, pc, next) {
                break;
            }
            let local = |i: u32| pc_slot + 1 + i as usize;
            match effect {
                Local::Write(dst, v, _) => state[local(dst)] = v,
                Local::Clear(from, to, _) => (from..to).for_each(|i| state[local(i)] = 0),
                Local::Goto(_) => {}
            }
            progress |= passes_progress;
            state[pc_slot] = next as Value;
        }
        progress
    }

    /// For each pc of `code` (code `c`): how settling runs it.
    fn plans(&self, c: usize, code: &Code) -> Vec<Plan> {
        let fast = fast::fast_locals(code);
        (0..code.instrs.len())
            .map(|pc| match self.kinds[c][pc] {
                Kind::Local | Kind::Progress => {
                    if let Some(Some(_)) = self.shortcuts.get(c).and_then(|s| s.get(pc)) {
                        Plan::Shortcut
                    } else {
                        match fast[pc] {
                            Some(f) if self.settles => Plan::Fast(f),
                            _ => Plan::Slow,
                        }
                    }
                }
                _ => Plan::Stop,
            })
            .collect()
    }

    /// Would moving from `pc` to `next` take the thread out of a label
    /// that some `t@label` may look at?
    fn leaves_label(&self, code: &Code, pc: usize, next: usize) -> bool {
        self.settles
            && self.watch_labels
            && code
                .labels
                .iter()
                .any(|l| l.contains(pc) && !l.contains(next))
    }

    /// Every branch of thread `t`'s next step from `state`.
    ///
    /// Most calls find the thread finished or waiting for a held mutex:
    /// those two answers are a load of the pc and a look at one table
    /// (`waits::lock_sites`); everything else goes on out of line.
    #[inline(always)]
    pub fn step(&self, state: &[Value], t: usize, out: &mut ThreadStep) {
        let (pc_slot, c) = self.threads[t];
        let pc = state[pc_slot];
        if pc == FINISHED {
            out.idle(None);
            return;
        }
        let lock_site = self.locks[c].get(pc as usize);
        if let Some(Some((lock, span))) = lock_site {
            if let Some((o, off)) = lock.object(&self.layout, state, pc_slot) {
                let holder = state[off];
                if holder != 0 && holder != t as Value + 1 {
                    out.idle(Some((*span, BlockReason::Mutex(o))));
                    return;
                }
            }
        }
        self.step_rest(state, t, out, matches!(lock_site, Some(Some(_))));
    }

    /// [`Exec::step`] past its two commonest answers. `lock_checked`: the
    /// step is a plain lock that `step` found not waiting (its mutex free,
    /// or its index out of bounds, which the run reports).
    #[inline(never)]
    fn step_rest(&self, state: &[Value], t: usize, out: &mut ThreadStep, lock_checked: bool) {
        // The commonest step of all: one that waits (a lock that is held, a
        // permit that is not there), seen without running anything. Reads,
        // writes and unlocks never wait, nor a lock `step` checked: no need
        // to ask.
        let (pc_slot, c) = self.threads[t];
        let never_waits = lock_checked
            || match usize::try_from(state[pc_slot]).map(|pc| self.quick[c].get(pc)) {
                Ok(Some(Some(
                    quick::Quick::Read | quick::Quick::Write(_) | quick::Quick::Unlock,
                ))) => true,
                Ok(Some(Some(quick::Quick::Weak))) => return self.weak_step(state, t, out),
                _ => false,
            };
        if !never_waits {
            if let Some(waits) = self.waits(state, t) {
                out.idle(Some(waits));
                return;
            }
        }
        if !self.quick(state, t, out) {
            self.run_step(state, t, out);
        }
    }

    /// [`Exec::step`] by running every branch, waits included. Kept out of
    /// line: `step`'s commonest answers (a finished thread, a wait) then
    /// need no room for a run.
    #[inline(never)]
    fn run_step(&self, state: &[Value], t: usize, out: &mut ThreadStep) {
        out.pool.recycle(&mut out.transitions);
        out.blocked = None;
        out.accesses.clear();
        out.changed = None;
        if self.finished(state, t) {
            return;
        }
        let mut script = std::mem::take(&mut out.pool.script);
        script.clear();
        let mut branch = 0;
        loop {
            out.pool.runs = u64::from(branch);
            let mut run = out
                .pool
                .run(self, state, t, &script, &mut out.accesses, false);
            match run.run() {
                Ok(()) => out.transitions.push(run.transition(branch, None)),
                Err(Stop::Event(e)) => out.transitions.push(run.transition(branch, Some(e))),
                Err(Stop::Blocked(span, reason)) => {
                    run.give_back();
                    if out.blocked.is_none() {
                        out.blocked = Some((span, reason));
                    }
                }
                Err(Stop::Unavailable) => run.give_back(),
            }
            branch += 1;
            if out.pool.too_many || !next_script(&mut script, &out.pool.ranges) {
                break;
            }
        }
        out.pool.script = script;
    }

    /// Replay branch `branch` of thread `t`'s step, describing it.
    pub fn replay(&self, state: &[Value], t: usize, branch: u32) -> Option<(Transition, Trace)> {
        if branch >= FLUSH {
            return self.replay_flush(state, t, branch - FLUSH);
        }
        if self.flushing(state, t) {
            return None;
        }
        let mut script: Vec<u32> = Vec::new();
        let mut b = 0;
        loop {
            let (mut pool, mut accesses) = (Pool::default(), Vec::new());
            pool.runs = u64::from(b);
            let mut run = pool.run(self, state, t, &script, &mut accesses, true);
            let result = run.run();
            if b == branch {
                let trace = run.trace.take().unwrap_or_default();
                return match result {
                    Ok(()) => Some((run.transition(branch, None), trace)),
                    Err(Stop::Event(e)) => Some((run.transition(branch, Some(e)), trace)),
                    Err(Stop::Blocked(..) | Stop::Unavailable) => None,
                };
            }
            b += 1;
            if pool.too_many || !next_script(&mut script, &pool.ranges) {
                return None;
            }
        }
    }
}

/// How settling runs one instruction, worked out beforehand.
#[derive(Clone, Copy, Debug)]
enum Plan {
    /// Not local work: settling stops there.
    Stop,
    /// Take the shortcut of `Exec::shortcuts` there.
    Shortcut,
    /// Local work with a fast form (`fast.rs`).
    Fast(fast::FastLocal),
    /// Anything else: `local_effect`.
    Slow,
}

/// What one of the pure local instructions (`Set`, `SetIdx`, `Clear`,
/// `Jump`, `JumpIfNot`) does, computed without changing the state.
#[derive(Clone, Copy, Debug)]
enum Local {
    /// Store a value in a local (by index), then go on at `next`.
    Write(u32, Value, usize),
    /// Zero locals `from..to`, then go on at `next`.
    Clear(u32, u32, usize),
    /// Go on at this pc.
    Goto(usize),
}

/// The effect of `op` at `pc` when it is a pure local instruction (None for
/// any other), or the runtime error it stops with.
#[inline]
fn local_effect(env: &Env, op: &Op, span: SrcSpan, pc: usize) -> EvalResult<Option<Local>> {
    let next = pc + 1;
    Ok(Some(match op {
        Op::Set { dst, value, range } => {
            let v = env.eval(value)?;
            check_range(v, *range, "a local", span)?;
            Local::Write(*dst, v, next)
        }
        Op::SetIdx {
            base,
            len,
            idx,
            value,
            range,
        } => {
            let i = local_index(env.eval(idx)?, *len, span)?;
            let v = env.eval(value)?;
            check_range(v, *range, "a local", span)?;
            Local::Write(*base + i as u32, v, next)
        }
        Op::Clear { from, to } => Local::Clear(*from, *to, next),
        Op::Jump(target) => Local::Goto(*target as usize),
        Op::JumpIfNot { cond, target } => match env.eval(cond)? {
            0 => Local::Goto(*target as usize),
            _ => Local::Goto(next),
        },
        _ => return Ok(None),
    }))
}

/// Is this instruction a step (ghost reads and writes are not)?
fn is_visible(program: &Program, op: &Op) -> bool {
    match op {
        Op::Read { cell, .. } | Op::Write { cell, .. } => {
            program.vars[cell.var as usize].kind != VarKind::Ghost
        }
        _ => op.is_visible(),
    }
}

/// For each pc of `code` (and one past the end): whether some path of
/// local instructions, without a `choose`, leads from there to the end.
fn may_end(program: &Program, code: &Code) -> Vec<bool> {
    local_paths(program, code, Goal::End)
}

/// For each pc of `code` (and one past the end): whether some path of
/// local instructions (`choose` included) leads from there to a step.
fn may_step(program: &Program, code: &Code) -> Vec<bool> {
    local_paths(program, code, Goal::Step)
}

/// Where the paths of [`local_paths`] go.
#[derive(Clone, Copy, PartialEq)]
enum Goal {
    /// The end of the thread, through local work without a `choose`.
    End,
    /// A step, through local work and `choose`s.
    Step,
}

/// For each pc of `code` (and one past the end): whether some path of
/// local instructions leads from there to `goal`.
fn local_paths(program: &Program, code: &Code, goal: Goal) -> Vec<bool> {
    let n = code.instrs.len();
    let end = goal == Goal::End;
    let mut can = vec![false; n + 1];
    can[n] = end;
    let at = |can: &[bool], pc: u32| can.get(pc as usize).copied().unwrap_or(end);
    let mut changed = true;
    while changed {
        changed = false;
        for pc in (0..n).rev() {
            if can[pc] {
                continue;
            }
            let op = &code.instrs[pc].op;
            let next = pc as u32 + 1;
            let v = match op {
                _ if is_visible(program, op) => !end,
                Op::Choose { .. } if end => false,
                Op::Jump(t) => at(&can, *t),
                Op::JumpIfNot { cond, target } => match constant(cond) {
                    Some(0) => at(&can, *target),
                    Some(_) => at(&can, next),
                    None => at(&can, next) || at(&can, *target),
                },
                _ => at(&can, next),
            };
            if v {
                can[pc] = true;
                changed = true;
            }
        }
    }
    can
}

/// The lost-update bookkeeping of thread `t`'s racy read of `cell` in
/// `st`, when the cell is tracked: `t` has read it, and nobody wrote it since.
fn lost_update_read(layout: &Layout, st: &mut [Value], t: usize, cell: u32) {
    if let Some(readers) = layout.tracked[cell as usize] {
        let me = thread_bit(t);
        st[readers] |= me;
        st[readers + 1] &= !me;
    }
}

/// The lost-update bookkeeping of thread `t`'s write of `cell` in `st`, when
/// the cell is tracked: the other threads' reads of it turn stale. A write
/// computed from `t`'s own read (`from_read`) returns whether that read was
/// stale (another thread wrote the cell since): the write then loses that
/// update. It is done with the read unless the thread may write the cell
/// again from the same read (`keeps`: `let r = x; x = r + 1; ...;
/// x = r + 2;` loses an update written in between). A write that is not
/// computed from the read (`x = 5`) leaves `t`'s read as it was, for a
/// later write computed from it (`let r = x; x = 5; x = r + 1;` loses an
/// update written before `x = 5`).
fn lost_update_write(
    layout: &Layout,
    st: &mut [Value],
    t: usize,
    cell: u32,
    write: LuWrite,
) -> bool {
    let Some(readers) = layout.tracked[cell as usize] else {
        return false;
    };
    let (me, stale) = (thread_bit(t), readers + 1);
    st[stale] |= st[readers] & !me;
    if !write.from_read {
        return false;
    }
    let lost = st[stale] & me != 0;
    if !write.keeps {
        st[readers] &= !me;
        st[stale] &= !me;
    }
    lost
}

/// What the lost-update check needs of a write ([`Op::Write`]'s
/// `from_read` for the cell written, and `keeps_read`).
#[derive(Clone, Copy)]
struct LuWrite {
    from_read: bool,
    keeps: bool,
}

impl LuWrite {
    /// A write that comes from no read of its cell.
    const FRESH: LuWrite = LuWrite {
        from_read: false,
        keeps: false,
    };

    /// `Op::Write`'s flags for a write of `cell`, an element of `var`.
    fn of(from_read: &weft_ir::FromRead, keeps: bool, cell: u32, var: &weft_ir::Var) -> LuWrite {
        let from_read = from_read.of(|| cell - var.base);
        LuWrite {
            from_read,
            keeps: from_read && keeps,
        }
    }
}

/// Advance an odometer of choices: the last choice that has another value
/// takes it, and the choices after it start over.
fn next_script(script: &mut Vec<u32>, ranges: &[u32]) -> bool {
    script.truncate(ranges.len());
    while script.len() < ranges.len() {
        script.push(0);
    }
    while let Some(last) = script.pop() {
        let i = script.len();
        if last + 1 < ranges[i] {
            script.push(last + 1);
            return true;
        }
    }
    false
}

enum Stop {
    Blocked(SrcSpan, BlockReason),
    Event(Event),
    /// Under a weak memory model: the step must wait for the thread's
    /// store buffers (to drain, or to make room), which its own flushes
    /// will do; the thread is not blocked.
    Unavailable,
}

impl From<RuntimeError> for Stop {
    fn from(e: RuntimeError) -> Self {
        Stop::Event(Event::Runtime(e))
    }
}

type StepResult<T> = Result<T, Stop>;

/// One run of a step along one script of choices.
struct Run<'a, 'p> {
    x: &'a Exec<'p>,
    code: &'p Code,
    /// The kind of each instruction of `code`.
    kinds: &'a [Kind],
    /// Per pc of `code`: whether the step there drains the store buffers
    /// (`weak.rs`; empty under sequential consistency).
    drains: &'a [bool],
    /// The step's writes go to memory, not to the store buffer: it is an
    /// `atomic { }` block (which drained it first).
    direct: bool,
    /// Per pc of `code`: whether local work may end the thread from there,
    /// or reaches no step (`Exec::may_end`).
    may_end: &'a [bool],
    /// Per pc of `code`: whether only local work is left (`Exec::trailing`).
    trailing: &'a [bool],
    st: Vec<Value>,
    /// The step's buffers: the look-ahead's scratch, the choices' ranges,
    /// spare states.
    pool: &'a mut Pool,
    t: usize,
    /// Offset of the program counter; locals follow.
    pc_slot: usize,
    script: &'a [u32],
    /// Plain shared accesses, of this run and of the step's earlier runs.
    accesses: &'a mut Vec<Access>,
    lost_updates: Vec<(u32, SrcSpan)>,
    progress: bool,
    /// Nesting depth of `AtomicBegin` groups.
    depth: u32,
    visible: bool,
    span: Option<SrcSpan>,
    trace: Option<Trace>,
}

impl<'a, 'p> Run<'a, 'p> {
    /// A run that ends nowhere (it waits) gives its buffers back.
    fn give_back(&mut self) {
        self.pool.states.push(std::mem::take(&mut self.st));
        self.pool.lost.push(std::mem::take(&mut self.lost_updates));
    }

    fn transition(&mut self, branch: u32, event: Option<Event>) -> Transition {
        Transition {
            branch,
            state: std::mem::take(&mut self.st),
            event,
            progress: self.progress,
            lost_updates: std::mem::take(&mut self.lost_updates),
            span: self.span.unwrap_or(self.code.span),
        }
    }

    fn pc(&self) -> usize {
        self.st[self.pc_slot] as usize
    }

    fn set_pc(&mut self, pc: usize) {
        self.st[self.pc_slot] = pc as Value;
    }

    fn note(&mut self, f: impl FnOnce(&Self) -> String) {
        if self.trace.is_some() {
            let s = f(self);
            if let Some(tr) = self.trace.as_mut() {
                tr.notes.push(s);
            }
        }
    }

    fn run(&mut self) -> StepResult<()> {
        let mut budget = LOCAL_BUDGET;
        let mut repeats = Repeats::default();
        loop {
            let pc = self.pc();
            let Some(instr) = self.code.instrs.get(pc) else {
                self.finish();
                return Ok(());
            };
            let visible = self.kinds[pc] == Kind::Step;
            if visible && self.visible && self.depth == 0 {
                return Ok(());
            }
            if budget == 0 {
                return Err(endless(instr.span, self.depth > 0, false));
            }
            budget -= 1;
            let at = (
                pc as Value,
                self.depth,
                self.visible,
                self.pool.ranges.len(),
            );
            if repeats.seen(at, &self.st) {
                return Err(endless(instr.span, self.depth > 0, true));
            }
            if visible {
                if !self.visible {
                    if self.must_drain(pc) {
                        return Err(Stop::Unavailable);
                    }
                    self.direct = self.drains.get(pc) == Some(&true);
                }
                self.visible = true;
                self.span.get_or_insert(instr.span);
            }
            self.exec(instr)?;
            if self.visible && self.depth == 0 && (visible || matches!(instr.op, Op::AtomicEnd)) {
                return self.tail();
            }
        }
    }

    /// After the step's visible part: if the rest of the thread is local
    /// work without choices, it runs now and the thread finishes; otherwise
    /// the thread settles at its next step ([`Exec::settle`]).
    fn tail(&mut self) -> StepResult<()> {
        // Settling first runs what the look-ahead would run first anyway;
        // a thread that settles at a step (nearly always) needs no more.
        self.rest();
        if !self.may_end.get(self.pc()).copied().unwrap_or(true) {
            return Ok(());
        }
        // Work after the thread's last step runs with it: it resolves its
        // choices, and fails it if it fails (an error, a loop that never
        // ends). Work from which a step can still be reached runs with
        // that step, which reports its errors.
        let last = |pc: usize| self.trailing.get(pc).copied().unwrap_or(false);
        let saved_pc = self.pc();
        let mut saved = std::mem::take(&mut self.pool.saved);
        saved.clear();
        saved.extend_from_slice(&self.st);
        let saved_progress = self.progress;
        let notes = self.trace.as_ref().map(|t| t.notes.len());
        let mut budget = LOCAL_BUDGET;
        let mut repeats = Repeats::default();
        let finished = loop {
            let pc = self.pc();
            let Some(instr) = self.code.instrs.get(pc) else {
                break true;
            };
            match self.kinds[pc] {
                Kind::Step => break false,
                Kind::Choose if !last(pc) => break false,
                _ => {}
            }
            if budget == 0 {
                if last(pc) {
                    self.pool.saved = saved;
                    return Err(endless(instr.span, false, false));
                }
                break false;
            }
            budget -= 1;
            // Local work that loops forever does not end the thread: the
            // next step says why, or this one when it is the last.
            let at = (pc as Value, 0, true, self.pool.ranges.len());
            if repeats.seen(at, &self.st) {
                if last(pc) {
                    self.pool.saved = saved;
                    return Err(endless(instr.span, false, true));
                }
                break false;
            }
            if let Err(e) = self.exec(instr) {
                if last(pc) {
                    self.pool.saved = saved;
                    return Err(e);
                }
                break false;
            }
        };
        if finished {
            self.pool.saved = saved;
            self.finish();
            return Ok(());
        }
        std::mem::swap(&mut self.st, &mut saved);
        self.pool.saved = saved;
        self.progress = saved_progress;
        if let (Some(n), Some(tr)) = (notes, self.trace.as_mut()) {
            tr.notes.truncate(n);
        }
        self.set_pc(saved_pc);
        Ok(())
    }

    /// Settle at the next step, crediting a `progress;` passed on the way.
    fn rest(&mut self) {
        if self.x.settle(&mut self.st, self.t) {
            self.progress = true;
        }
    }

    fn finish(&mut self) {
        self.progress = true;
        if self.finish_buffered() {
            self.note(|_| "code done; buffered writes left to flush".to_string());
            return;
        }
        self.x.finish_thread(&mut self.st, self.t);
        self.note(|_| "finishes".to_string());
    }

    fn clear(&mut self, from: u32, to: u32) {
        for i in from..to {
            let slot = self.pc_slot + 1 + i as usize;
            self.st[slot] = 0;
        }
    }

    /// What expressions of this thread see: the state, and its locals in it.
    fn env(&self) -> Env<'_> {
        Env {
            program: self.x.program,
            layout: &self.x.layout,
            state: &self.st,
            locals: &self.st[self.pc_slot + 1..],
        }
    }

    fn eval(&self, e: &weft_ir::Expr) -> EvalResult<Value> {
        self.env().eval(e)
    }

    fn local(&self, i: u32) -> usize {
        self.pc_slot + 1 + i as usize
    }

    /// Pick one of `n` values along the script (n >= 1).
    fn choose(&mut self, n: u32) -> u32 {
        let i = self.pool.ranges.len();
        self.pool.ranges.push(n);
        self.script.get(i).copied().unwrap_or(0)
    }

    fn cell(&self, c: &CellRef, span: SrcSpan) -> EvalResult<u32> {
        self.env().cell(c, span)
    }

    fn obj(&self, o: &ObjRef, span: SrcSpan) -> EvalResult<usize> {
        match o {
            ObjRef::Fixed(i) => Ok(*i as usize),
            ObjRef::Group { group, idx } => {
                let g = &self.x.program.object_groups[*group as usize];
                let i = self.env().operand(idx)?;
                if i < 0 || i >= g.len as Value {
                    return rt_err(
                        span,
                        format!(
                            "index {i} is out of bounds: {} has {} objects",
                            g.name, g.len
                        ),
                    );
                }
                Ok((g.base + i as u32) as usize)
            }
        }
    }

    /// An access of plain shared `cell`: for the race check when `racy`,
    /// and for the trace.
    fn record(&mut self, cell: u32, write: bool, racy: bool, span: SrcSpan) {
        if racy {
            self.accesses.push(Access {
                cell,
                write,
                grouped: self.depth > 0,
                span,
            });
        }
        if let Some(tr) = self.trace.as_mut() {
            tr.cells.push((cell, write, span));
        }
    }

    /// A read of `cell`: a racy read is an access, a tracked one counts
    /// for the lost-update check (`Op::Read`).
    fn read_cell(&mut self, cell: u32, racy: bool, tracked: bool, span: SrcSpan) -> Value {
        let kind = self.x.var_of_cell(cell).kind;
        if kind == VarKind::Shared {
            let own = self.read_buffered(cell);
            self.record(cell, false, racy, span);
            if let Some(v) = own {
                return v;
            }
            if tracked {
                lost_update_read(&self.x.layout, &mut self.st, self.t, cell);
            }
        }
        self.st[cell as usize]
    }

    fn write_cell(
        &mut self,
        cell: u32,
        v: Value,
        from_read: LuWrite,
        span: SrcSpan,
    ) -> EvalResult<()> {
        let p = self.x.program;
        let var = self.x.var_of_cell(cell);
        // The name is for the error alone: spelling it costs an allocation.
        if !in_range(v, var.range) {
            check_range(v, var.range, &p.cell_name(cell), span)?;
        }
        if var.kind == VarKind::Shared {
            self.record(cell, true, true, span);
            if lost_update_write(&self.x.layout, &mut self.st, self.t, cell, from_read) {
                self.lost_updates.push((cell, span));
            }
        }
        self.st[cell as usize] = v;
        Ok(())
    }

    /// "read x = 1", "store flag = true": one access, for traces.
    fn access_note(&self, c: u32, v: Value, write: bool) -> String {
        let atomic = self.x.program.var_of_cell(c).kind == VarKind::Atomic;
        let verb = match (atomic, write) {
            (true, false) => "load",
            (true, true) => "store",
            (false, false) => "read",
            (false, true) => "write",
        };
        format!(
            "{verb} {} = {}",
            self.x.program.cell_name(c),
            self.x.show(c, v)
        )
    }

    fn set_local(&mut self, dst: Option<u32>, v: Value) {
        if let Some(d) = dst {
            let slot = self.local(d);
            self.st[slot] = v;
        }
    }

    fn exec(&mut self, instr: &'p Instr) -> StepResult<()> {
        if self.trace.is_some() {
            self.touch(&instr.op);
        }
        let span = instr.span;
        let pc = self.pc();
        let mut next = pc + 1;
        if self.kinds[pc] != Kind::Local {
            // Not local work: `local_effect` would say `None`.
        } else if let Some(effect) = local_effect(&self.env(), &instr.op, span, pc)? {
            match effect {
                Local::Write(dst, v, n) => {
                    let slot = self.local(dst);
                    self.st[slot] = v;
                    next = n;
                }
                Local::Clear(from, to, n) => {
                    self.clear(from, to);
                    next = n;
                }
                Local::Goto(n) => next = n,
            }
            self.set_pc(next);
            return Ok(());
        }
        match &instr.op {
            Op::Choose { dst, lo, hi } => {
                let lo = self.eval(lo)?;
                let hi = self.eval(hi)?;
                if lo >= hi {
                    return Err(sync::runtime(
                        span,
                        format!("choose({lo}..{hi}) has no values"),
                    ));
                }
                let n = hi.saturating_sub(lo);
                if n > MAX_CHOICES {
                    return Err(sync::runtime(
                        span,
                        format!(
                            "choose({lo}..{hi}) has {n} values; at most {MAX_CHOICES} are explored"
                        ),
                    ));
                }
                if self.pool.ranges.len() >= MAX_STEP_CHOICES {
                    return Err(sync::runtime(
                        span,
                        format!(
                            "this thread made {MAX_STEP_CHOICES} choices without taking a step: \
                             a loop around `choose` that touches no shared state may never end"
                        ),
                    ));
                }
                if self.pool.runs >= MAX_STEP_BRANCHES {
                    self.pool.too_many = true;
                    return Err(sync::runtime(
                        span,
                        format!(
                            "this step's choices make more than {MAX_STEP_BRANCHES} ways for it to go: \
                             choose from fewer values, or in separate steps"
                        ),
                    ));
                }
                let k = self.choose(n as u32);
                let v = lo + k as Value;
                self.set_local(Some(*dst), v);
                self.note(|_| format!("choose {v}"));
            }
            Op::Progress => self.progress = true,
            Op::Check { cond, message } => {
                if self.eval(cond)? == 0 {
                    return Err(Stop::Event(Event::Assertion {
                        span,
                        message: message.clone(),
                    }));
                }
            }
            Op::Read {
                dst,
                cell,
                racy,
                tracked,
            } => {
                let c = self.cell(cell, span)?;
                let v = self.read_cell(c, *racy, *racy && *tracked, span);
                self.set_local(Some(*dst), v);
                self.note(|r| r.access_note(c, v, false));
            }
            Op::Write {
                cell,
                value,
                from_read,
                keeps_read,
            } => {
                let c = self.cell(cell, span)?;
                let v = self.eval(value)?;
                if self.buffers_write(c) {
                    self.buffer_write(c, v, span, pc)?;
                    self.note(|r| format!("{} (buffered)", r.access_note(c, v, true)));
                } else {
                    let write = LuWrite::of(from_read, *keeps_read, c, self.x.var_of_cell(c));
                    self.write_cell(c, v, write, span)?;
                    self.note(|r| r.access_note(c, v, true));
                }
            }
            Op::Rmw {
                dst,
                cell,
                op,
                value,
            } => {
                let c = self.cell(cell, span)?;
                let arg = self.eval(value)?;
                let old = self.st[c as usize];
                let new = match op {
                    Rmw::Add => binary(BinOp::Add, old, arg, span)?,
                    Rmw::Sub => binary(BinOp::Sub, old, arg, span)?,
                    Rmw::Swap => arg,
                };
                self.write_cell(c, new, LuWrite::FRESH, span)?;
                self.set_local(*dst, old);
                self.note(|r| {
                    let name = match op {
                        Rmw::Add => "fetch_add",
                        Rmw::Sub => "fetch_sub",
                        Rmw::Swap => "swap",
                    };
                    format!(
                        "{name} {}: {} -> {}",
                        r.x.program.cell_name(c),
                        r.x.show(c, old),
                        r.x.show(c, new)
                    )
                });
            }
            Op::Cas {
                dst,
                cell,
                expected,
                new,
            } => {
                let c = self.cell(cell, span)?;
                let exp = self.eval(expected)?;
                let new = self.eval(new)?;
                let cur = self.st[c as usize];
                let ok = cur == exp;
                if ok {
                    self.write_cell(c, new, LuWrite::FRESH, span)?;
                }
                self.set_local(*dst, ok as Value);
                self.note(|r| {
                    let name = r.x.program.cell_name(c);
                    let (cur, exp, new) = (r.x.show(c, cur), r.x.show(c, exp), r.x.show(c, new));
                    if ok {
                        format!("cas {name}: {cur} -> {new} (swapped)")
                    } else {
                        format!("cas {name}: expected {exp}, found {cur} (no swap)")
                    }
                });
            }
            Op::AtomicBegin { .. } => self.depth += 1,
            Op::AtomicEnd => self.depth = self.depth.saturating_sub(1),
            Op::Assert { cond, message } => {
                if self.eval(cond)? == 0 {
                    self.note(|_| "assert fails".to_string());
                    return Err(Stop::Event(Event::Assertion {
                        span,
                        message: message.clone(),
                    }));
                }
                self.note(|_| "assert holds".to_string());
            }
            Op::Await { cond } => {
                if self.eval(cond)? == 0 {
                    return Err(Stop::Blocked(span, BlockReason::Await));
                }
                self.note(|_| "await: condition holds".to_string());
            }
            Op::Fence => self.note(|_| "fence".to_string()),
            Op::Join { thread } => {
                let env_t = self.env().thread(thread)?;
                if !self.x.finished(&self.st, env_t) {
                    return Err(Stop::Blocked(span, BlockReason::Join(env_t)));
                }
                self.note(|r| {
                    format!("join({}): it has finished", r.x.program.threads[env_t].name)
                });
            }
            op => next = self.sync(op, span, pc)?,
        }
        self.set_pc(next);
        Ok(())
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::{Exec, ThreadStep};
    use rustc_hash::FxHashSet;
    use weft_ir::Value;

    /// Every catalogue program with up to 20,000 of its reachable states,
    /// found by an executor that settles or not, handed to `f`.
    pub(crate) fn catalogue_states(settles: bool, mut f: impl FnMut(&str, &Exec, &[Vec<Value>])) {
        for path in crate::catalogue::catalogue() {
            let name = path.display().to_string();
            let src = std::fs::read_to_string(&path).unwrap_or_default();
            let ast = weft_syntax::parse(&src).unwrap_or_else(|e| panic!("{name}: {e:?}"));
            let program =
                weft_lower::compile(&ast, &[]).unwrap_or_else(|e| panic!("{name}: {e:?}"));
            let exec = Exec::with_settling(&program, settles);
            let init = exec.initial();
            let mut seen: FxHashSet<Vec<Value>> = FxHashSet::from_iter([init.clone()]);
            let mut states = vec![init];
            let mut step = ThreadStep::default();
            let mut i = 0;
            while i < states.len() && states.len() < 20_000 {
                for t in 0..program.threads.len() {
                    exec.step(&states[i], t, &mut step);
                    for tr in &step.transitions {
                        if tr.event.is_none() && seen.insert(tr.state.clone()) {
                            states.push(tr.state.clone());
                        }
                    }
                }
                i += 1;
            }
            f(&name, &exec, &states);
        }
    }

    /// On every catalogue state, every thread: [`Exec::step`], with all its
    /// tables and fast paths, gives what the full run gives.
    #[test]
    fn steps_agree_with_the_full_run_on_the_catalogue() {
        let mut checked = 0usize;
        for settles in [true, false] {
            catalogue_states(settles, |name, exec, states| {
                let (mut fast, mut full) = (ThreadStep::default(), ThreadStep::default());
                for state in states {
                    for t in 0..exec.program.threads.len() {
                        exec.step(state, t, &mut fast);
                        exec.run_step(state, t, &mut full);
                        checked += 1;
                        assert_eq!(
                            format!("{:?}", fast.transitions),
                            format!("{:?}", full.transitions),
                            "{name}: thread {t} at {state:?}"
                        );
                        assert_eq!(fast.blocked, full.blocked, "{name}: thread {t}");
                        assert_eq!(fast.accesses, full.accesses, "{name}: thread {t}");
                    }
                }
            });
        }
        assert!(checked > 10_000, "only {checked} steps checked");
    }

    /// On every catalogue state, every thread: where [`ThreadStep::changed`]
    /// says where the successors may differ, they differ nowhere else, and
    /// the fingerprint updated over those places (or over all, without
    /// the hint) is the successor's own, as the search computes it.
    #[test]
    fn changed_places_and_incremental_fingerprints_agree_on_the_catalogue() {
        let (mut hinted, mut checked) = (0usize, 0usize);
        for settles in [true, false] {
            catalogue_states(settles, |name, exec, states| {
                let mut step = ThreadStep::default();
                for state in states {
                    let fp = crate::store::fingerprint(state);
                    for t in 0..exec.program.threads.len() {
                        exec.step(state, t, &mut step);
                        let within = step.changed.as_ref().map(|w| &w[..]);
                        hinted += usize::from(within.is_some());
                        for tr in &step.transitions {
                            checked += 1;
                            if let Some(ranges) = within {
                                for (i, (a, b)) in state.iter().zip(&tr.state).enumerate() {
                                    assert!(
                                        a == b || ranges.iter().any(|r| r.contains(&i)),
                                        "{name}: thread {t} changed {i} at {state:?}"
                                    );
                                }
                            }
                            let own = crate::store::fingerprint(&tr.state);
                            for w in [within, None] {
                                let incremental =
                                    crate::store::fingerprint_from(state, fp, &tr.state, w);
                                assert_eq!(incremental, own, "{name}: thread {t} at {state:?}");
                            }
                        }
                    }
                }
            });
        }
        assert!(checked > 10_000, "only {checked} transitions checked");
        assert!(hinted > 1_000, "only {hinted} steps told where they change");
    }

    /// The per-cell variable table names the variable the program's own
    /// search finds, for every cell of every catalogue program.
    #[test]
    fn cell_vars_agree_with_the_program() {
        catalogue_states(true, |name, exec, _| {
            for cell in 0..exec.program.n_cells {
                let (fast, slow) = (exec.var_of_cell(cell), exec.program.var_of_cell(cell));
                assert!(std::ptr::eq(fast, slow), "{name}: cell {cell}");
            }
        });
    }
}

mod fast;
mod footprint;
mod kind;
mod quick;
mod shortcut;
mod sync;
mod waits;
mod weak;
pub use footprint::Touch;
pub use weak::FLUSH;
