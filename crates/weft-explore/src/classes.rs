//! Grouping schedules into equivalence classes: two schedules are
//! equivalent when they order every pair of conflicting steps the same way
//! (the same Mazurkiewicz trace). Steps of one thread always conflict; steps
//! of two threads conflict when they touch the same cell, sync object or
//! thread and one of them writes it (`exec/footprint.rs`).
//!
//! The schedules are enumerated (up to a cap); each is reduced to its
//! lexicographic normal form, the smallest reordering (threads by index)
//! that keeps the order of every conflicting pair. Two schedules are
//! equivalent exactly when their normal forms are equal.

use crate::exec::{Exec, Touch};
use crate::liveness::NO_STATE;
use crate::schedules::list_schedules;
use crate::{Kind, StateGraph};
use rustc_hash::FxHashMap;

/// One equivalence class of schedules.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Class {
    /// The class's lexicographic normal form, itself one of its schedules.
    pub representative: Vec<(u32, u32)>,
    /// How many schedules the class holds.
    pub size: usize,
    /// How many of them are bad (show one of the counted kinds).
    pub bad: usize,
    /// Every kind shown by some schedule of the class (bits of [`crate::mark`]).
    pub kinds: u16,
}

/// The classes of the complete schedules of `graph`, or `Err(n)` when
/// there are more than `cap` schedules (`n` = the cap). Classes are in the
/// order of their first schedule.
pub fn classes(
    exec: &Exec,
    graph: &StateGraph,
    kinds: &[Kind],
    bound: Option<u32>,
    cap: usize,
) -> Result<Vec<Class>, usize> {
    let listed = list_schedules(graph, kinds, bound, false, cap.saturating_add(1));
    if listed.len() > cap {
        return Err(cap);
    }
    let mut footprints = Footprints::new(exec, graph);
    let mut index: FxHashMap<Vec<(u32, u32)>, usize> = FxHashMap::default();
    let mut out: Vec<Class> = Vec::new();
    for l in &listed {
        let fps = footprints.of(&l.steps);
        let normal = normal_form(&l.steps, &fps);
        let i = *index.entry(normal.clone()).or_insert_with(|| {
            out.push(Class {
                representative: normal,
                size: 0,
                bad: 0,
                kinds: 0,
            });
            out.len() - 1
        });
        let class = &mut out[i];
        class.size += 1;
        class.bad += usize::from(l.kinds != 0);
        class.kinds |= l.kinds;
    }
    Ok(out)
}

/// What each step of a schedule touches.
pub type Footprint = Vec<(Touch, bool)>;

/// In the footprint of a step that failed (an assertion or runtime
/// error): the schedule ends with it, so it conflicts with every step (no
/// step of another thread can move past it).
pub const ENDS: (Touch, bool) = (Touch::Thread(u32::MAX), true);

/// Do two steps of different threads conflict?
pub fn conflict(a: &Footprint, b: &Footprint) -> bool {
    a.contains(&ENDS)
        || b.contains(&ENDS)
        || a.iter()
            .any(|(x, wa)| b.iter().any(|(y, wb)| x == y && (*wa || *wb)))
}

/// The lexicographic normal form of a schedule: repeatedly take the step
/// of the lowest-numbered thread whose earlier conflicting steps are taken.
pub fn normal_form(steps: &[(u32, u32)], fps: &[Footprint]) -> Vec<(u32, u32)> {
    let n = steps.len();
    // before[j]: the steps that must come before step j.
    let before: Vec<Vec<usize>> = (0..n)
        .map(|j| {
            (0..j)
                .filter(|&i| steps[i].0 == steps[j].0 || conflict(&fps[i], &fps[j]))
                .collect()
        })
        .collect();
    let mut taken = vec![false; n];
    let mut out = Vec::with_capacity(n);
    for _ in 0..n {
        let next = (0..n)
            .filter(|&j| !taken[j] && before[j].iter().all(|&i| taken[i]))
            .min_by_key(|&j| (steps[j].0, j));
        let Some(j) = next else { break };
        taken[j] = true;
        out.push(steps[j]);
    }
    out
}

/// Footprints of the edges of the state graph, computed once each by
/// replaying the step with a trace.
pub struct Footprints<'e, 'p> {
    exec: &'e Exec<'p>,
    graph: &'e StateGraph,
    cache: FxHashMap<u32, Footprint>,
}

impl<'e, 'p> Footprints<'e, 'p> {
    pub fn new(exec: &'e Exec<'p>, graph: &'e StateGraph) -> Self {
        Footprints {
            exec,
            graph,
            cache: FxHashMap::default(),
        }
    }

    /// The footprint of each step of a schedule of the graph.
    pub fn of(&mut self, steps: &[(u32, u32)]) -> Vec<Footprint> {
        let edges = &self.graph.edges;
        let mut v = 0u32;
        let mut out = Vec::with_capacity(steps.len());
        for &(t, b) in steps {
            let start = edges.start[v as usize];
            let found = edges
                .of(v)
                .iter()
                .position(|e| e.thread == t && e.branch == b);
            let Some(k) = found else {
                break;
            };
            let id = start + k as u32;
            let fp = self.cache.entry(id).or_insert_with(|| {
                let state = &self.graph.states[v as usize];
                let mut fp: Footprint = self
                    .exec
                    .replay(state, t as usize, b)
                    .map(|(_, trace)| trace.touched)
                    .unwrap_or_default();
                fp.push((Touch::Thread(t), true));
                if edges.edges[id as usize].to == NO_STATE {
                    fp.push(ENDS);
                }
                fp.sort_unstable();
                fp.dedup();
                fp
            });
            out.push(fp.clone());
            v = edges.edges[id as usize].to;
            if v == NO_STATE {
                break;
            }
        }
        out
    }
}
