//! The tables of `por.rs`, built once per thread instance: for every
//! program counter, what the step from there may touch and where it may
//! leave the thread, and what everything reachable from there may touch.

use super::flow::{Cut, Flow};
use super::touch::Space;
use super::visible::Ends;
use weft_ir::Op;

/// What thread `me`'s step from `pc` may touch: the local work in front of
/// one visible instruction (or one atomic group), that instruction, and the
/// local work after it that runs when the thread finishes (LANGUAGE.md 6);
/// every step writes the thread's own position.
pub(super) fn next_footprint(
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
        } else if matches!(flow.op(q), Some(Op::AtomicBegin { .. })) {
            // The whole group, up to its matching end, is the step.
            let mut inner: Vec<(usize, u32)> = succs.map(|s| (s, 1)).collect();
            while let Some((x, depth)) = inner.pop() {
                if x >= n || !group.mark(x) {
                    continue;
                }
                flow.footprint(x, space, row);
                let depth = match flow.op(x) {
                    Some(Op::AtomicBegin { .. }) => depth + 1,
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
pub(super) struct Marks {
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
pub(super) fn future(flow: &Flow, cut: Option<Cut>, me: u32, space: &Space) -> Vec<u64> {
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
