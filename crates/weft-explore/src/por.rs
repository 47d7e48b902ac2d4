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
mod tables;
#[cfg(test)]
mod tests;
mod touch;
mod visible;

use crate::exec::{Exec, ThreadStep};
use crate::layout::FINISHED;
use crate::Kind;
use flow::{Abs, Cut, Flow};
use tables::{future, next_footprint};
use touch::Space;
use visible::Watched;
use weft_ir::Value;

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
            p.codes[t.code as usize].instrs.iter().any(|i| {
                !i.op.is_visible()
                    && i.op
                        .values()
                        .into_iter()
                        .any(weft_ir::Expr::names_positions)
            })
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

    /// Whether the reduction does anything: off with the liveness checks
    /// and for programs too large for its tables.
    pub(crate) fn is_on(&self) -> bool {
        self.on
    }

    /// A thread whose next step alone is an ample set at `state`, or None
    /// to expand every thread. `steps[t]` is thread t's ThreadStep at this
    /// state (as the search computes them with Exec::step; a thread with no
    /// transitions is blocked or finished). Of the candidates, the one with
    /// the fewest transitions (then the lowest index) is returned. The
    /// caller still applies the cycle proviso (see the module doc).
    #[cfg(test)]
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
