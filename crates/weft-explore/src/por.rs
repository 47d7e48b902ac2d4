//! Partial-order reduction: at a state, pick one thread whose next step
//! alone is an ample set, so the search need not try the other threads'
//! steps there (docs/reductions.md has the argument for each check).
//!
//! Thread `p` is picked at state `s` when
//! - its step has transitions and none of them fails (assertion, runtime
//!   error): a failing step ends its branch, so it cannot stand for the
//!   other threads' futures;
//! - it is invisible: it writes nothing an invariant reads, and cannot
//!   change an invariant's `p@label` (`visible.rs`) or `done(p)`;
//! - it is independent of everything any other unfinished thread `u` can do
//!   before `p` moves: `NEXT(p)` (what `p`'s next step may touch, blocked
//!   branches included) does not conflict with `FUTURE(u)` (what every
//!   instruction `u` can reach from its position may touch). Two footprints
//!   conflict when they touch one thing and one of them writes it.
//!
//! `FUTURE(u)` stops where `u` must wait for `p`: a `join(p)`, taking a
//! lock that `p` holds, or write-locking an rwlock `p` reads (only its
//! holder releases a lock). Such an
//! instruction cannot complete before `p`'s next step, so what comes after
//! it is not in `u`'s future, and the instruction itself touches nothing
//! (a fair lock's queueing step still counts). That is what lets a thread
//! inside a critical section run alone while the others wait at the lock.
//!
//! The search adds the cycle proviso: it takes the ample set only when every
//! successor is a state numbered after the current one (new, or still in the
//! queue), else it expands every thread. So along ample steps state numbers
//! grow, and no step is postponed forever. Livelock and starvation need the
//! full graph: with either check selected, [`Reduction::ample`] always says
//! `None`.

mod flow;
#[cfg(test)]
mod tests;
mod visible;

use crate::exec::{Exec, ThreadStep};
use crate::layout::FINISHED;
use crate::Kind;
use flow::{names_threads, Abs, Cut, Flow, Space};
use visible::{Ends, Watched};
use weft_ir::{Op, Value};

/// Most words the cut futures may take; past it, futures are not cut.
const CUT_BUDGET: usize = 1 << 24;

/// Most words the next-step and future tables may take; past it (a huge
/// program), the reduction is off rather than the memory gone.
const TABLE_BUDGET: usize = 1 << 26;

/// Static tables for one program: footprints of every thread's next step
/// and future from every program counter.
pub(crate) struct Reduction {
    /// False when a selected check needs the full graph (liveness), or
    /// the tables would be too big.
    on: bool,
    space: Space,
    /// State slot of each thread's program counter.
    pc_slot: Vec<usize>,
    /// Each thread's first row (its pc 0) and number of rows (pcs 0..=len).
    rows: Vec<(usize, usize)>,
    /// Rows of `2 * space.words` words (reads, then writes): what the step
    /// from that pc may touch.
    next: Vec<u64>,
    /// The same rows: what every instruction reachable from that pc may touch.
    future: Vec<u64>,
    /// Per thread, its cut futures: the cut, and its first row in `cut_rows`
    /// (rows follow the thread's pcs like `future`).
    cuts: Vec<Vec<(Cut, usize)>>,
    cut_rows: Vec<u64>,
    /// The owner slot of each object (for `Cut::Held`).
    owner_slot: Vec<usize>,
    /// What the invariants read (`space.words` words): steps that write any
    /// of it are visible.
    visible: Vec<u64>,
    /// Per row: the step from there may change a `t@label` or `done(t)`
    /// that an invariant asks about.
    moves: Vec<bool>,
}

impl Reduction {
    /// Static tables for `exec`'s program under the selected checks.
    pub(crate) fn new(exec: &Exec, checks: &[Kind]) -> Reduction {
        let p = exec.program;
        let space = Space::new(p);
        let width = 2 * space.words;
        let rows: usize = p
            .threads
            .iter()
            .map(|t| p.codes[t.code as usize].instrs.len() + 1)
            .sum();
        let on = !checks
            .iter()
            .any(|k| matches!(k, Kind::Livelock | Kind::Starvation))
            && rows.saturating_mul(2 * width) <= TABLE_BUDGET;
        let at_reads_all = p.threads.iter().any(|t| {
            p.codes[t.code as usize]
                .instrs
                .iter()
                .any(|i| !i.op.is_visible() && flow::exprs(&i.op).into_iter().any(names_threads))
        });
        let mut red = Reduction {
            on,
            space,
            pc_slot: exec.layout.thread.clone(),
            rows: Vec::new(),
            next: Vec::new(),
            future: Vec::new(),
            cuts: Vec::new(),
            cut_rows: Vec::new(),
            owner_slot: exec.layout.obj.clone(),
            visible: vec![0; space.words],
            moves: Vec::new(),
        };
        let watched = if checks.contains(&Kind::Invariant) || checks.contains(&Kind::Runtime) {
            Watched::new(p, &space, at_reads_all)
        } else {
            Watched {
                cells: vec![0; space.words],
                labels: vec![Vec::new(); p.threads.len()],
                done: vec![false; p.threads.len()],
            }
        };
        red.visible.clone_from(&watched.cells);
        if !on {
            return red;
        }
        let mut first = 0;
        for (t, th) in p.threads.iter().enumerate() {
            let code = &p.codes[th.code as usize];
            let mut init: Vec<Abs> = vec![Some(0); code.n_locals.max(1) as usize];
            init[0] = Some(th.index as Value);
            let flow = Flow::new(p, code, init, at_reads_all);
            let n_rows = flow.len() + 1;
            red.rows.push((first, n_rows));
            first += n_rows;
            let ats: Vec<_> = watched.labels[t]
                .iter()
                .map(|&l| visible::at_label(&flow, l))
                .collect();
            let mut marks = Default::default();
            for pc in 0..n_rows {
                let mut row = vec![0; width];
                let ends = next_footprint(&flow, pc, t as u32, &space, &mut row, &mut marks);
                red.next.extend(row);
                red.moves
                    .push(visible::moves(&ats, watched.done[t], pc, &ends));
            }
            red.future.extend(future(&flow, None, t as u32, &space));
            let mut cuts: Vec<Cut> = (0..n_rows)
                .filter(|&pc| flow.reached(pc))
                .flat_map(|pc| flow.cuts(pc))
                .collect();
            cuts.sort();
            cuts.dedup();
            let mut mine = Vec::new();
            for cut in cuts {
                if red.cut_rows.len() + n_rows * width > CUT_BUDGET {
                    break;
                }
                mine.push((cut, red.cut_rows.len() / width));
                red.cut_rows
                    .extend(future(&flow, Some(cut), t as u32, &space));
            }
            red.cuts.push(mine);
        }
        red
    }

    /// A thread whose next step alone is an ample set at `state`, or None
    /// to expand every thread. `steps[t]` is thread t's ThreadStep at this
    /// state (as the search computes them with Exec::step; a thread with no
    /// transitions is blocked or finished). Of the candidates, the one with
    /// the fewest transitions (then the lowest index) is returned. The
    /// caller still applies the cycle proviso (see the module doc).
    pub(crate) fn ample(&self, state: &[Value], steps: &[ThreadStep]) -> Option<usize> {
        if !self.on {
            return None;
        }
        let mut best: Option<(usize, usize)> = None;
        for (p, step) in steps.iter().enumerate() {
            let n = step.transitions.len();
            if !Reduction::fits(step) || best.is_some_and(|(_, m)| m <= n) {
                continue;
            }
            if self.independent(state, p) {
                best = Some((p, n));
                if n == 1 {
                    break;
                }
            }
        }
        best.map(|(p, _)| p)
    }

    /// The second entry point, for a search that computes a thread's step
    /// only when needed: the threads that meet every condition at `state`
    /// that does not need their step (unfinished, invisible, independent of
    /// the others' futures), lowest index first. The first one whose step
    /// [`Reduction::fits`] (and passes the proviso) is an ample set; the
    /// other threads' steps need not be computed at all (docs/reductions.md,
    /// "Computing fewer steps"). Nothing when the reduction is off.
    pub(crate) fn candidates<'a>(&'a self, state: &'a [Value]) -> impl Iterator<Item = usize> + 'a {
        (0..self.rows.len()).filter(move |&p| {
            self.on
                && state.get(self.pc_slot[p]).is_some_and(|&pc| pc != FINISHED)
                && self.independent(state, p)
        })
    }

    /// Can this step be an ample set: it has transitions and none fails (a
    /// failing step ends its branch, so it cannot stand in for the other
    /// threads' futures)?
    pub(crate) fn fits(step: &ThreadStep) -> bool {
        !step.transitions.is_empty() && step.transitions.iter().all(|tr| tr.event.is_none())
    }

    /// Thread `t`'s row at its position in `state`, in a table with the
    /// threads' rows laid out from `first`.
    fn row<'a>(
        &self,
        table: &'a [u64],
        first: usize,
        state: &[Value],
        t: usize,
    ) -> Option<&'a [u64]> {
        let pc = state.get(self.pc_slot[t]).copied()?;
        let (_, n_rows) = self.rows[t];
        if pc < 0 || pc as usize >= n_rows {
            return None;
        }
        let width = 2 * self.space.words;
        let start = (first + pc as usize) * width;
        table.get(start..start + width)
    }

    /// Is thread `p`'s next step invisible and independent of whatever the
    /// other threads can do before `p` moves?
    fn independent(&self, state: &[Value], p: usize) -> bool {
        let w = self.space.words;
        let Some(next) = self.row(&self.next, self.rows[p].0, state, p) else {
            return false;
        };
        let (nr, nw) = next.split_at(w);
        // `row` found the position in range.
        let pc = state[self.pc_slot[p]] as usize;
        let moves = self.moves.get(self.rows[p].0 + pc) != Some(&false);
        if moves || nw.iter().zip(&self.visible).any(|(a, b)| a & b != 0) {
            return false;
        }
        for u in 0..self.rows.len() {
            if u == p || state.get(self.pc_slot[u]) == Some(&FINISHED) {
                continue;
            }
            let Some(fut) = self.row(&self.future, self.rows[u].0, state, u) else {
                return false;
            };
            for i in 0..w {
                let (mut fr, mut fw) = (fut[i], fut[w + i]);
                for &(cut, first) in &self.cuts[u] {
                    let slot = |o: u32, k: usize| {
                        self.owner_slot
                            .get(o as usize)
                            .and_then(|&s| state.get(s + k))
                            .copied()
                    };
                    // Mutex `[owner+1, ..]`, rwlock `[writer+1, reader mask, ..]`.
                    let applies = match cut {
                        Cut::Join(q) => q as usize == p,
                        Cut::Held(o) => slot(o, 0) == Some(p as Value + 1),
                        Cut::ReadHeld(o) => slot(o, 1).is_some_and(|m| m & (1 << p) != 0),
                    };
                    if !applies {
                        continue;
                    }
                    let Some(cut_row) = self.row(&self.cut_rows, first, state, u) else {
                        return false;
                    };
                    fr &= cut_row[i];
                    fw &= cut_row[w + i];
                }
                if nw[i] & (fr | fw) != 0 || nr[i] & fw != 0 {
                    return false;
                }
            }
        }
        true
    }
}

/// What thread `me`'s step from `pc` may touch: the local work in front of
/// one visible instruction (or one atomic group), that instruction, and the
/// local work after it that runs when the thread finishes (LANGUAGE.md 6);
/// every step writes the thread's own position.
fn next_footprint(
    flow: &Flow,
    pc: usize,
    me: u32,
    space: &Space,
    row: &mut [u64],
    marks: &mut [Marks; 3],
) -> Ends {
    space.set(row, space.thread(me), true);
    let mut ends = Ends::default();
    if !flow.reached(pc) {
        space.fill(row);
        ends.finish = true;
        return ends;
    }
    let n = flow.len();
    let [front, group, tail] = marks;
    for m in [&mut *front, &mut *group, &mut *tail] {
        m.clear(n + 1);
    }
    let mut stack = vec![pc];
    let mut tails: Vec<usize> = Vec::new();
    while let Some(q) = stack.pop() {
        if q >= n {
            ends.finish = true;
        }
        if q >= n || !front.mark(q) {
            continue;
        }
        flow.footprint(q, space, row);
        let succs = flow.succs(q, None).into_iter().flatten();
        if !flow.visible(q) {
            stack.extend(succs);
        } else if matches!(flow.op(q), Some(Op::AtomicBegin)) {
            // The whole group, up to its matching end, is the step.
            let mut inner: Vec<(usize, u32)> = succs.map(|s| (s, 1)).collect();
            while let Some((x, depth)) = inner.pop() {
                if x >= n || !group.mark(x) {
                    continue;
                }
                flow.footprint(x, space, row);
                let depth = match flow.op(x) {
                    Some(Op::AtomicBegin) => depth + 1,
                    Some(Op::AtomicEnd) => depth - 1,
                    _ => depth,
                };
                let succs = flow.succs(x, None).into_iter().flatten();
                if depth == 0 {
                    tails.extend(succs);
                } else {
                    inner.extend(succs.map(|s| (s, depth)));
                }
            }
        } else {
            tails.extend(succs);
        }
    }
    // Where the step leaves the thread: after the visible part and the
    // `Clear`s right there (`Run::tail`).
    for &s in &tails {
        let mut r = s;
        while matches!(flow.op(r), Some(Op::Clear { .. })) {
            r += 1;
        }
        ends.rests.push(r);
    }
    // The local work after the visible part (it stops at a `choose`); if
    // it reaches the end, the thread finishes in this step.
    while let Some(q) = tails.pop() {
        if q >= n {
            ends.finish = true;
        }
        if q >= n || !tail.mark(q) {
            continue;
        }
        if flow.visible(q) || matches!(flow.op(q), Some(Op::Choose { .. })) {
            continue;
        }
        flow.footprint(q, space, row);
        tails.extend(flow.succs(q, None).into_iter().flatten());
    }
    ends
}

/// A set of program counters, emptied in constant time (the steps from
/// every pc are walked one after another).
#[derive(Default)]
struct Marks {
    stamp: u32,
    at: Vec<u32>,
}

impl Marks {
    fn clear(&mut self, len: usize) {
        self.at.resize(len, self.stamp);
        self.stamp += 1;
    }

    /// Mark `i`; false if it was marked already.
    fn mark(&mut self, i: usize) -> bool {
        std::mem::replace(&mut self.at[i], self.stamp) != self.stamp
    }
}

/// Rows for every pc of thread `me`: what every instruction reachable from
/// it may touch (with `cut`, not past an instruction the cut stops).
fn future(flow: &Flow, cut: Option<Cut>, me: u32, space: &Space) -> Vec<u64> {
    let n = flow.len();
    let width = 2 * space.words;
    let mut rows = vec![0u64; (n + 1) * width];
    for (pc, row) in rows.chunks_mut(width).enumerate() {
        space.set(row, space.thread(me), true);
        if !flow.reached(pc) {
            space.fill(row);
        } else if !cut.is_some_and(|c| flow.dead_end(pc, c)) {
            flow.footprint(pc, space, row);
        }
    }
    // Union over successors until nothing changes; a backward sweep
    // settles straight-line code in one pass, each loop in one more.
    let mut changed = true;
    while changed {
        changed = false;
        for pc in (0..n).rev() {
            if !flow.reached(pc) {
                continue;
            }
            for s in flow.succs(pc, cut).into_iter().flatten() {
                for i in 0..width {
                    let add = rows[s * width + i] & !rows[pc * width + i];
                    if add != 0 {
                        rows[pc * width + i] |= add;
                        changed = true;
                    }
                }
            }
        }
    }
    rows
}
