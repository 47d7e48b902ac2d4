//! Counting complete schedules over the state graph by dynamic programming,
//! with exact (arbitrary-precision) integers: no schedule is enumerated.
//!
//! A complete schedule is a maximal path from the initial state: it ends in
//! a state where no thread can step (all finished, or deadlocked) or with a
//! failed step (an assertion or runtime error ends its branch). It is bad for
//! a kind when that kind is observed in some state or on some step along it
//! (the `marks` of states and `kinds` of edges). The number of schedules from
//! a state that never observe a kind satisfies the same recurrence as the
//! number of all schedules, restricted to unmarked states and edges, so each
//! kind costs one more pass over the edges, not an enumeration.
//!
//! On a cyclic graph there are infinitely many schedules; counting is then
//! bounded: a path that reaches the bound with steps left counts as one
//! schedule, *cut* at the bound.

use crate::liveness::{Edges, NO_STATE};
use crate::{mark, Kind, StateGraph};
use num_bigint::BigUint;

/// The kinds a finite schedule can show: livelock and starvation are
/// properties of infinite schedules.
pub fn countable(kind: Kind) -> bool {
    !matches!(kind, Kind::Livelock | Kind::Starvation)
}

/// The schedule counts of one program.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScheduleCounts {
    /// Every complete schedule (with a bound: those cut at it included).
    pub total: BigUint,
    /// Schedules that observe at least one of the counted kinds.
    pub bad: BigUint,
    /// For each counted kind, the schedules that observe it.
    pub by_kind: Vec<(Kind, BigUint)>,
    /// Schedules cut at the bound: they had steps left (0 without a bound).
    pub cut: BigUint,
    /// The most steps counted, when counting was bounded.
    pub bound: Option<u32>,
    /// The state graph has a cycle (so, unbounded, infinitely many schedules).
    pub cyclic: bool,
    /// Fewest and most steps of a complete schedule, when every schedule
    /// was counted whole (none cut).
    pub shortest: Option<u32>,
    pub longest: Option<u32>,
}

/// The states in an order where every edge goes forward, or `None` when
/// the graph has a cycle (Kahn's algorithm; failed steps lead nowhere).
pub fn topological_order(edges: &Edges) -> Option<Vec<u32>> {
    let n = edges.len();
    let mut indegree = vec![0u32; n];
    for e in &edges.edges {
        if e.to != NO_STATE {
            indegree[e.to as usize] += 1;
        }
    }
    let mut order: Vec<u32> = (0..n as u32)
        .filter(|&v| indegree[v as usize] == 0)
        .collect();
    let mut i = 0;
    while i < order.len() {
        let v = order[i];
        i += 1;
        for e in edges.of(v) {
            if e.to == NO_STATE {
                continue;
            }
            let d = &mut indegree[e.to as usize];
            *d -= 1;
            if *d == 0 {
                order.push(e.to);
            }
        }
    }
    (order.len() == n).then_some(order)
}

/// Counts from one state: all schedules, those cut at the bound, and for
/// each mask those that observe none of its kinds.
#[derive(Clone, Debug, Default)]
struct Row {
    total: BigUint,
    cut: BigUint,
    good: Vec<BigUint>,
}

/// The masks counted: first every kind together, then one per kind.
fn masks(kinds: &[Kind]) -> Vec<u16> {
    let any = kinds.iter().fold(0, |m, &k| m | mark(k));
    std::iter::once(any)
        .chain(kinds.iter().map(|&k| mark(k)))
        .collect()
}

/// The row of state `v`, given the rows of its successors (`next`, by
/// state). `at_bound`: no step may be taken any more.
fn row(edges: &Edges, v: u32, masks: &[u16], at_bound: bool, next: &[Row]) -> Row {
    let one = || BigUint::from(1u32);
    let zero = BigUint::default;
    let marks = edges.marks[v as usize];
    let clean = |m: u16| marks & m == 0;
    let out = edges.of(v);
    // No thread has a step: the schedule is complete here.
    if edges.enabled[v as usize] == 0 {
        return Row {
            total: one(),
            cut: zero(),
            good: masks
                .iter()
                .map(|&m| BigUint::from(clean(m) as u32))
                .collect(),
        };
    }
    // Steps left but none may be taken (the bound), or none was explored.
    if at_bound || out.is_empty() {
        return Row {
            total: one(),
            cut: one(),
            good: masks
                .iter()
                .map(|&m| BigUint::from(clean(m) as u32))
                .collect(),
        };
    }
    let mut r = Row {
        total: zero(),
        cut: zero(),
        good: vec![zero(); masks.len()],
    };
    for e in out {
        if e.to == NO_STATE {
            r.total += 1u32;
            for (g, &m) in r.good.iter_mut().zip(masks) {
                if clean(m) && e.kinds & m == 0 {
                    *g += 1u32;
                }
            }
            continue;
        }
        let s = &next[e.to as usize];
        r.total += &s.total;
        r.cut += &s.cut;
        for (g, (&m, sg)) in r.good.iter_mut().zip(masks.iter().zip(&s.good)) {
            if clean(m) && e.kinds & m == 0 {
                *g += sg;
            }
        }
    }
    r
}

/// Count the complete schedules of `graph` and the bad ones for each of
/// `kinds` (kinds that are not [`countable`] are left out). With `bound`,
/// schedules of at most that many steps are counted, longer ones cut at it.
/// `None` when the graph is cyclic and no bound is given.
pub fn count_schedules(
    graph: &StateGraph,
    kinds: &[Kind],
    bound: Option<u32>,
) -> Option<ScheduleCounts> {
    let edges = &graph.edges;
    let kinds: Vec<Kind> = kinds.iter().copied().filter(|&k| countable(k)).collect();
    // A kind seen nowhere in the graph has no bad schedule: only the kinds
    // seen get a pass (and a number per state).
    let seen =
        edges.marks.iter().fold(0, |m, &x| m | x) | edges.edges.iter().fold(0, |m, e| m | e.kinds);
    let counted: Vec<Kind> = kinds
        .iter()
        .copied()
        .filter(|&k| seen & mark(k) != 0)
        .collect();
    let masks = masks(&counted);
    if edges.is_empty() {
        return None;
    }
    let order = topological_order(edges);
    let cyclic = order.is_none();
    // An acyclic graph whose longest schedule fits in the bound needs no
    // layers: every schedule is counted whole.
    let fits = |order: &[u32], bound: u32| {
        let mut len: Vec<(u32, u32)> = vec![(0, 0); edges.len()];
        for &v in order.iter().rev() {
            len[v as usize] = lengths(edges, v, &len);
        }
        len[0].1 <= bound
    };
    let whole = match (bound, &order) {
        (_, None) => false,
        (None, Some(_)) => true,
        (Some(b), Some(order)) => fits(order, b),
    };
    let (root, shortest, longest) = match (whole, order) {
        (true, Some(order)) => {
            let mut rows: Vec<Row> = vec![Row::default(); edges.len()];
            let mut len: Vec<(u32, u32)> = vec![(0, 0); edges.len()];
            for &v in order.iter().rev() {
                let r = row(edges, v, &masks, false, &rows);
                rows[v as usize] = r;
                len[v as usize] = lengths(edges, v, &len);
            }
            let (lo, hi) = len[0];
            (std::mem::take(&mut rows[0]), Some(lo), Some(hi))
        }
        _ => {
            let bound = bound?;
            let n = edges.len() as u32;
            let mut prev: Vec<Row> = (0..n).map(|v| row(edges, v, &masks, true, &[])).collect();
            for _ in 0..bound {
                let cur: Vec<Row> = (0..n)
                    .map(|v| row(edges, v, &masks, false, &prev))
                    .collect();
                prev = cur;
            }
            (std::mem::take(&mut prev[0]), None, None)
        }
    };
    // Lengths of schedules cut short (by the bound, or unexplored states)
    // would say nothing.
    let (shortest, longest) = if root.cut == BigUint::default() {
        (shortest, longest)
    } else {
        (None, None)
    };
    let bad = &root.total - &root.good[0];
    let by_kind = kinds
        .iter()
        .map(|&k| match counted.iter().position(|&c| c == k) {
            Some(i) => (k, &root.total - &root.good[i + 1]),
            None => (k, BigUint::default()),
        })
        .collect();
    Some(ScheduleCounts {
        total: root.total,
        bad,
        by_kind,
        cut: root.cut,
        bound,
        cyclic,
        shortest,
        longest,
    })
}
/// Fewest and most steps of the complete schedules from `v`, given those of
/// its successors.
fn lengths(edges: &Edges, v: u32, len: &[(u32, u32)]) -> (u32, u32) {
    let out = edges.of(v);
    if out.is_empty() {
        return (0, 0);
    }
    let mut lo = u32::MAX;
    let mut hi = 0;
    for e in out {
        let (a, b) = if e.to == NO_STATE {
            (0, 0)
        } else {
            len[e.to as usize]
        };
        lo = lo.min(a + 1);
        hi = hi.max(b + 1);
    }
    (lo, hi)
}

/// One schedule, as listed by [`list_schedules`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Listed {
    /// The `(thread, branch)` steps, replayable with [`crate::replay`].
    pub steps: Vec<(u32, u32)>,
    /// The counted kinds seen along it (bits of [`mark`]).
    pub kinds: u16,
    /// Cut at the bound with steps left.
    pub cut: bool,
}

/// The first `limit` complete schedules of `graph` in order (threads by
/// index at each step), with the kinds each shows; with `only_bad`, the bad
/// ones only (subtrees without a bad schedule are skipped, not walked).
/// `bound` as in [`count_schedules`]; `None` on a cyclic graph lists
/// nothing.
pub fn list_schedules(
    graph: &StateGraph,
    kinds: &[Kind],
    bound: Option<u32>,
    only_bad: bool,
    limit: usize,
) -> Vec<Listed> {
    let edges = &graph.edges;
    let all = kinds
        .iter()
        .filter(|&&k| countable(k))
        .fold(0, |m, &k| m | mark(k));
    if edges.is_empty() || (bound.is_none() && topological_order(edges).is_none()) {
        return Vec::new();
    }
    let may_bad = MayBad::new(edges, all, bound);
    let mut out = Vec::new();
    // Depth-first: each frame is a state on the current path and the index
    // of its next edge to try.
    struct Frame {
        v: u32,
        next: usize,
        seen: u16,
    }
    let mut path: Vec<(u32, u32)> = Vec::new();
    let mut stack = vec![Frame {
        v: 0,
        next: 0,
        seen: edges.marks[0] & all,
    }];
    let keep = |seen: u16| !only_bad || seen != 0;
    while let Some(top) = stack.last_mut() {
        if out.len() >= limit {
            break;
        }
        let (v, seen) = (top.v, top.seen);
        let depth = path.len() as u32;
        let out_edges = edges.of(v);
        let terminal = edges.enabled[v as usize] == 0;
        let cut = !terminal && (bound.is_some_and(|b| depth >= b) || out_edges.is_empty());
        if terminal || cut {
            if keep(seen) {
                out.push(Listed {
                    steps: path.clone(),
                    kinds: seen,
                    cut,
                });
            }
            stack.pop();
            path.pop();
            continue;
        }
        let Some(e) = out_edges.get(top.next) else {
            stack.pop();
            path.pop();
            continue;
        };
        top.next += 1;
        let seen = seen | (e.kinds & all);
        if e.to == NO_STATE {
            if keep(seen) {
                let mut steps = path.clone();
                steps.push((e.thread, e.branch));
                out.push(Listed {
                    steps,
                    kinds: seen,
                    cut: false,
                });
            }
            continue;
        }
        let seen = seen | (edges.marks[e.to as usize] & all);
        if only_bad && seen == 0 && !may_bad.from(e.to, bound.map(|b| b - depth - 1)) {
            continue;
        }
        path.push((e.thread, e.branch));
        stack.push(Frame {
            v: e.to,
            next: 0,
            seen,
        });
    }
    out
}

/// Whether some schedule from a state shows one of the kinds: per state on
/// an acyclic graph, per state and steps left with a bound.
struct MayBad {
    /// `layers[d][v]`: within `d` steps (the last layer: unbounded).
    layers: Vec<Vec<bool>>,
}

impl MayBad {
    fn new(edges: &Edges, all: u16, bound: Option<u32>) -> MayBad {
        let n = edges.len();
        let here = |v: usize| edges.marks[v] & all != 0;
        let step = |v: usize, next: &dyn Fn(u32) -> bool| {
            here(v)
                || edges
                    .of(v as u32)
                    .iter()
                    .any(|e| e.kinds & all != 0 || (e.to != NO_STATE && next(e.to)))
        };
        match bound {
            Some(b) => {
                let mut layers = vec![(0..n).map(here).collect::<Vec<bool>>()];
                for d in 1..=b as usize {
                    let prev = &layers[d - 1];
                    let cur = (0..n).map(|v| step(v, &|u| prev[u as usize])).collect();
                    layers.push(cur);
                }
                MayBad { layers }
            }
            None => {
                let mut may = vec![false; n];
                for &v in topological_order(edges).unwrap_or_default().iter().rev() {
                    may[v as usize] = step(v as usize, &|u| may[u as usize]);
                }
                MayBad { layers: vec![may] }
            }
        }
    }

    fn from(&self, v: u32, steps_left: Option<u32>) -> bool {
        let layer = match steps_left {
            Some(d) => self.layers.get(d as usize),
            None => self.layers.last(),
        };
        layer.is_some_and(|l| l[v as usize])
    }
}
