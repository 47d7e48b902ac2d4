//! Which steps an invariant can see: the cells the invariants read, and
//! for `t@label` and `done(t)`, the steps of `t` that may change them.
//!
//! A thread is at a label while its position is inside the label or the
//! local work from there to its next step passes through it (`eval.rs`,
//! `at_label`). So a step of `t` is invisible to `t@label` when that answer
//! is known at its position and is the same at every position the step can
//! leave `t` in (and the step cannot finish `t` while the answer is true).

use super::flow::Flow;
use super::touch::Space;
use crate::eval::infallible;
use weft_ir::{Op, Program};

/// Most local instructions `t@label` follows (`eval.rs`): past it the
/// answer is false, so longer code is left unknown.
const AT_BUDGET: usize = 10_000;

/// What the invariants look at.
pub(super) struct Watched {
    /// Cells read (and thread positions, when `t@label` reads every thread).
    pub cells: Vec<u64>,
    /// Per thread, the labels it is asked to be at.
    pub labels: Vec<Vec<u32>>,
    /// Per thread: is `done(t)` asked?
    pub done: Vec<bool>,
}

impl Watched {
    pub fn new(p: &Program, space: &Space, at_reads_all: bool) -> Watched {
        let mut w = Watched {
            cells: vec![0; space.words],
            labels: vec![Vec::new(); p.threads.len()],
            done: vec![false; p.threads.len()],
        };
        for inv in &p.invariants {
            let init = vec![Some(0); inv.code.n_locals.max(1) as usize];
            let flow = Flow::new(p, &inv.code, init, at_reads_all);
            let mut row = vec![0; 2 * space.words];
            for pc in (0..flow.len()).filter(|&pc| flow.reached(pc)) {
                flow.footprint(pc, space, &mut row);
                for (t, label) in flow.positions(pc) {
                    match label {
                        Some(l) => w.labels[t as usize].push(l),
                        None => w.done[t as usize] = true,
                    }
                }
            }
            for (i, c) in w.cells.iter_mut().enumerate() {
                *c |= row[i] | row[space.words + i];
            }
        }
        if !at_reads_all {
            space.clear_threads(&mut w.cells);
        }
        for l in &mut w.labels {
            l.sort_unstable();
            l.dedup();
        }
        w
    }
}

/// Where a step from some position may leave its thread.
#[derive(Default)]
pub(super) struct Ends {
    /// The positions it may rest at afterwards.
    pub rests: Vec<usize>,
    /// It may finish the thread.
    pub finish: bool,
}

/// For each position of `flow`'s thread: is it at label `l` (`None`: it
/// depends on the locals, or is not worth finding out)?
pub(super) fn at_label(flow: &Flow, l: u32) -> Vec<Option<bool>> {
    let n = flow.len();
    let Some(label) = flow.label(l).filter(|_| n < AT_BUDGET) else {
        return vec![None; n + 1];
    };
    // None: not settled yet.
    let mut at: Vec<Option<Option<bool>>> = (0..=n)
        .map(|pc| match flow.op(pc) {
            _ if label.contains(pc) => Some(Some(true)),
            Some(op) if local(op) => None,
            _ => Some(Some(false)),
        })
        .collect();
    let mut changed = true;
    while changed {
        changed = false;
        for pc in (0..n).rev() {
            if at[pc].is_some() {
                continue;
            }
            let mut all = [true, true];
            let mut settled = true;
            for s in flow.succs(pc, None).into_iter().flatten() {
                match at[s] {
                    None => settled = false,
                    Some(v) => {
                        all[0] &= v == Some(false);
                        all[1] &= v == Some(true);
                    }
                }
            }
            if !settled {
                continue;
            }
            let safe = flow.op(pc).is_some_and(cannot_fail);
            at[pc] = Some(match all {
                [true, _] => Some(false),
                [_, true] if safe => Some(true),
                _ => None,
            });
            changed = true;
        }
    }
    // A loop of local work: left unknown.
    at.into_iter().map(Option::flatten).collect()
}

/// Can the step from `pc`, which may end as `ends` says, change what the
/// invariants see of its thread's position?
pub(super) fn moves(ats: &[Vec<Option<bool>>], done: bool, pc: usize, ends: &Ends) -> bool {
    if done && ends.finish {
        return true;
    }
    ats.iter().any(|at| {
        let Some(now) = at.get(pc).copied().flatten() else {
            return true;
        };
        (ends.finish && now)
            || ends
                .rests
                .iter()
                .any(|&r| at.get(r).copied().flatten() != Some(now))
    })
}

/// The local work that `t@label` follows (`eval::local_step`).
fn local(op: &Op) -> bool {
    op.is_local_work()
}

/// Local work that never fails (a failure stops `t@label` with false).
fn cannot_fail(op: &Op) -> bool {
    match op {
        Op::Jump(_) | Op::Clear { .. } | Op::Progress => true,
        Op::JumpIfNot { cond, .. } => infallible(cond),
        Op::Set {
            value, range: None, ..
        } => infallible(value),
        _ => false,
    }
}
