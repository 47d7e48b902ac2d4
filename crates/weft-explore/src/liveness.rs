//! Livelock and starvation: fair cycles in the state graph (LANGUAGE.md
//! section 7), exact for weak fairness on the finite graph.
//!
//! Livelock: a strongly connected component of the graph of non-progress
//! steps (no `progress;`, no thread finishing) that is *fair*: every thread
//! either steps inside it or is unable to step in one of its states. Such a
//! component holds an infinite fair schedule that never progresses, and every
//! such schedule ends up in one. Starvation of thread T: the same over the
//! states where T has not finished and the steps that are not T's progress,
//! with a progress step of another thread inside the component.

use crate::detect::replay;
use crate::exec::{Exec, ThreadStep};
use crate::scc::{components_until, Csr};
use crate::search::Graph;
use crate::{Fairness, Finding, Kind, Location};
use std::collections::VecDeque;
use weft_ir::SrcSpan;

/// The target of an edge whose step failed (an assertion or a runtime
/// error): the branch of the search ends there.
pub const NO_STATE: u32 = u32::MAX;

/// One edge of the state graph.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Edge {
    /// The next state, or [`NO_STATE`] when the step failed.
    pub to: u32,
    pub thread: u32,
    pub branch: u32,
    /// The step executed `progress;` or finished its thread.
    pub progress: bool,
    /// Violations observed on this step (bits of [`crate::mark`]): lost
    /// updates, and the assertion or runtime error that ended it.
    pub kinds: u16,
}

/// The state graph's edges, in CSR form (the search numbers states in the
/// order it expands them, so each state's edges are contiguous).
#[derive(Default)]
pub struct Edges {
    /// Edges of state `v` are `edges[start[v]..start[v + 1]]`.
    pub start: Vec<u32>,
    pub edges: Vec<Edge>,
    /// Fairness agents with at least one step (even a failing one) in
    /// each state: the threads, and under a weak memory model the store
    /// buffers that can flush (`Exec::agent`).
    pub enabled: Vec<u64>,
    /// Threads that have finished, in each state.
    pub finished: Vec<u64>,
    /// Violations observed in each state (bits of [`crate::mark`]):
    /// invariants, races, deadlocks, final assertions.
    pub marks: Vec<u16>,
}

impl Edges {
    /// Close the lists: states never expanded (a limit stopped the search)
    /// get no edges.
    pub fn seal(&mut self, n_states: usize) {
        while self.start.len() < n_states + 1 {
            self.start.push(self.edges.len() as u32);
        }
        self.enabled.resize(n_states, 0);
        self.finished.resize(n_states, 0);
        self.marks.resize(n_states, 0);
    }

    /// Begin the edges of the next state.
    pub fn open(&mut self, enabled: u64, finished: u64, marks: u16) {
        self.start.push(self.edges.len() as u32);
        self.enabled.push(enabled);
        self.finished.push(finished);
        self.marks.push(marks);
    }

    /// Number of states.
    pub fn len(&self) -> usize {
        self.start.len().saturating_sub(1)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The edges out of state `v`.
    pub fn of(&self, v: u32) -> &[Edge] {
        &self.edges[self.start[v as usize] as usize..self.start[v as usize + 1] as usize]
    }
}

/// A subgraph: which edges count.
struct Sub<'a> {
    edges: &'a Edges,
    keep: &'a dyn Fn(u32, &Edge) -> bool,
    /// The fairness agent that takes an edge (`Exec::agent`).
    agent: &'a dyn Fn(&Edge) -> u32,
    /// Whether to give up (`--timeout`).
    stop: &'a dyn Fn() -> bool,
}

impl Sub<'_> {
    /// Does this subgraph keep the edge (failed steps lead nowhere)?
    fn kept(&self, v: u32, e: &Edge) -> bool {
        e.to != NO_STATE && (self.keep)(v, e)
    }

    fn internal<'b>(&'b self, comp: &'b [u32], v: u32) -> impl Iterator<Item = &'b Edge> + 'b {
        self.edges
            .of(v)
            .iter()
            .filter(move |e| self.kept(v, e) && comp[e.to as usize] == comp[v as usize])
    }

    /// The components of the subgraph, unless `stop` says to give up.
    fn components(&self) -> Option<Vec<u32>> {
        if (self.stop)() {
            return None;
        }
        let n = self.edges.start.len() - 1;
        let mut start = Vec::with_capacity(n + 1);
        let mut targets = Vec::new();
        start.push(0);
        for v in 0..n as u32 {
            targets.extend(
                self.edges
                    .of(v)
                    .iter()
                    .filter(|e| self.kept(v, e))
                    .map(|e| e.to),
            );
            start.push(targets.len() as u32);
        }
        components_until(
            &Csr {
                start: &start,
                targets: &targets,
            },
            self.stop,
        )
    }

    /// Shortest path inside component `c` from `from` to a state satisfying
    /// `goal`, as edges.
    fn path(
        &self,
        comp: &[u32],
        from: u32,
        goal: &dyn Fn(u32) -> bool,
    ) -> Option<Vec<(u32, Edge)>> {
        let mut prev: rustc_hash::FxHashMap<u32, (u32, Edge)> = Default::default();
        let mut queue = VecDeque::from([from]);
        let mut seen = rustc_hash::FxHashSet::from_iter([from]);
        while let Some(v) = queue.pop_front() {
            if goal(v) {
                let mut path = Vec::new();
                let mut cur = v;
                while cur != from {
                    let (p, e) = prev[&cur];
                    path.push((p, e));
                    cur = p;
                }
                path.reverse();
                return Some(path);
            }
            for e in self.internal(comp, v) {
                if seen.insert(e.to) {
                    prev.insert(e.to, (v, *e));
                    queue.push_back(e.to);
                }
            }
        }
        None
    }
}

/// What one fair component looks like.
struct Component {
    id: u32,
    entry: u32,
    stepping: u64,
    disabled: u64,
    progress_by_others: bool,
}

fn fair_components(
    sub: &Sub,
    comp: &[u32],
    all: u64,
    fairness: Fairness,
    member: &dyn Fn(u32) -> bool,
) -> Vec<Component> {
    let n_comp = comp
        .iter()
        .filter(|&&c| c != u32::MAX)
        .max()
        .map_or(0, |m| m + 1) as usize;
    let mut info: Vec<Option<Component>> = (0..n_comp).map(|_| None).collect();
    let mut has_edge = vec![false; n_comp];
    for v in 0..comp.len() as u32 {
        if !member(v) {
            continue;
        }
        let c = comp[v as usize] as usize;
        let e = info[c].get_or_insert(Component {
            id: c as u32,
            entry: v,
            stepping: 0,
            disabled: 0,
            progress_by_others: false,
        });
        e.disabled |= all & !sub.edges.enabled[v as usize];
        for edge in sub.internal(comp, v) {
            has_edge[c] = true;
            e.stepping |= 1 << (sub.agent)(edge);
            e.progress_by_others |= edge.progress;
        }
    }
    info.into_iter()
        .flatten()
        .filter(|c| has_edge[c.id as usize])
        .filter(|c| fairness == Fairness::None || (c.stepping | c.disabled) == all)
        .collect()
}

/// A fair loop through component `c` from its entry: every thread that can
/// step everywhere in it steps, every other thread is seen unable to step;
/// with `need_progress`, some thread (another than the starved one) progresses.
fn fair_loop(
    sub: &Sub,
    comp: &[u32],
    c: &Component,
    all: u64,
    need_progress: bool,
) -> Vec<(u32, Edge)> {
    let disabled = |v: u32, t: u32| sub.edges.enabled[v as usize] & (1 << t) == 0;
    let mut walk: Vec<(u32, Edge)> = Vec::new();
    let mut cur = c.entry;
    // Follow a path inside the component, then optionally one more edge.
    let go = |walk: &mut Vec<(u32, Edge)>,
              cur: &mut u32,
              goal: &dyn Fn(u32) -> bool,
              then: &dyn Fn(&Edge) -> bool,
              take: bool| {
        if let Some(path) = sub.path(comp, *cur, goal) {
            for (v, e) in path {
                walk.push((v, e));
                *cur = e.to;
            }
            if take {
                if let Some(e) = sub.internal(comp, *cur).find(|e| then(e)) {
                    walk.push((*cur, *e));
                    *cur = e.to;
                }
            }
        }
    };
    let agent = sub.agent;
    for t in (0..64u32).filter(|t| all & (1 << t) != 0) {
        let covered =
            disabled(cur, t) || walk.iter().any(|(v, e)| agent(e) == t || disabled(*v, t));
        if covered {
            continue;
        }
        if c.disabled & (1 << t) != 0 {
            go(&mut walk, &mut cur, &|v| disabled(v, t), &|_| false, false);
        } else {
            let has = |v: u32| sub.internal(comp, v).any(|e| agent(e) == t);
            go(&mut walk, &mut cur, &has, &|e| agent(e) == t, true);
        }
    }
    if need_progress && !walk.iter().any(|(_, e)| e.progress) {
        let has = |v: u32| sub.internal(comp, v).any(|e| e.progress);
        go(&mut walk, &mut cur, &has, &|e| e.progress, true);
    }
    if walk.is_empty() {
        go(&mut walk, &mut cur, &|_| true, &|_| true, true);
    }
    let entry = c.entry;
    go(&mut walk, &mut cur, &|v| v == entry, &|_| false, false);
    walk
}

/// Find livelocks and starvation in the explored graph; `Err` with what
/// was found when `stop` said to give up (`--timeout`) before the end.
pub fn check(
    exec: &Exec,
    graph: &Graph,
    edges: &Edges,
    checks: &[Kind],
    fairness: Fairness,
    stop: &dyn Fn() -> bool,
) -> Result<Vec<Finding>, Vec<Finding>> {
    let n_threads = exec.program.threads.len();
    let n_agents = exec.fairness_agents();
    let all: u64 = if n_agents == 64 {
        u64::MAX
    } else {
        (1u64 << n_agents) - 1
    };
    let agent = |e: &Edge| exec.agent(e.thread, e.branch);
    let mut findings = Vec::new();

    if checks.contains(&Kind::Livelock) {
        let keep = |_: u32, e: &Edge| !e.progress;
        let sub = Sub {
            edges,
            keep: &keep,
            agent: &agent,
            stop,
        };
        let Some(comp) = sub.components() else {
            return Err(findings);
        };
        let fair = fair_components(&sub, &comp, all, fairness, &|_| true);
        if let Some(c) = fair.iter().min_by_key(|c| c.entry) {
            let walk = fair_loop(&sub, &comp, c, all, false);
            findings.push(report(exec, graph, Kind::Livelock, c, &walk, None));
        }
    }
    if checks.contains(&Kind::Starvation) {
        for t in 0..n_threads as u32 {
            let member = |v: u32| edges.finished[v as usize] & (1 << t) == 0;
            let keep =
                |v: u32, e: &Edge| member(v) && member(e.to) && !(e.thread == t && e.progress);
            let sub = Sub {
                edges,
                keep: &keep,
                agent: &agent,
                stop,
            };
            let Some(comp) = sub.components() else {
                return Err(findings);
            };
            let fair = fair_components(&sub, &comp, all, fairness, &member);
            if let Some(c) = fair
                .iter()
                .filter(|c| c.progress_by_others)
                .min_by_key(|c| c.entry)
            {
                let walk = fair_loop(&sub, &comp, c, all, true);
                findings.push(report(exec, graph, Kind::Starvation, c, &walk, Some(t)));
            }
        }
    }
    Ok(findings)
}

fn report(
    exec: &Exec,
    graph: &Graph,
    kind: Kind,
    c: &Component,
    walk: &[(u32, Edge)],
    starved: Option<u32>,
) -> Finding {
    let mut path = graph.path(c.entry);
    let stem_len = path.len();
    path.extend(walk.iter().map(|(_, e)| (e.thread, e.branch)));
    let (mut schedule, _) = replay(exec, graph.initial(), &path);
    let cycle = schedule.split_off(stem_len.min(schedule.len()));
    let name = |t: u32| exec.program.threads[t as usize].name.clone();
    let mut locations: Vec<Location> = Vec::new();
    let mut add = |span: SrcSpan, thread: u32, label: String| {
        if !locations
            .iter()
            .any(|l| l.span == span && l.thread == Some(thread))
        {
            locations.push(Location {
                span,
                thread: Some(thread),
                label,
            });
        }
    };
    let message = match starved {
        None => {
            let mut spinners: Vec<u32> = cycle.iter().map(|s| s.thread).collect();
            spinners.sort_unstable();
            spinners.dedup();
            for s in &cycle {
                add(
                    s.span,
                    s.thread,
                    format!("{} loops here without progress", name(s.thread)),
                );
            }
            let names: Vec<String> = spinners.iter().map(|&t| name(t)).collect();
            format!(
                "livelock: {} can keep stepping forever, under a fair schedule, without any progress",
                names.join(", ")
            )
        }
        Some(t) => {
            let mine: Vec<SrcSpan> = cycle
                .iter()
                .filter(|s| s.thread == t)
                .map(|s| s.span)
                .collect();
            if mine.is_empty() {
                let mut step = ThreadStep::default();
                exec.step(&graph.state(exec, c.entry), t as usize, &mut step);
                let span = step
                    .blocked
                    .map(|(s, _)| s)
                    .or(step.transitions.first().map(|tr| tr.span));
                if let Some(span) = span {
                    add(span, t, format!("{} waits here forever", name(t)));
                }
            }
            for span in mine {
                add(span, t, format!("{} keeps coming back here", name(t)));
            }
            let mut others: Vec<u32> = cycle.iter().map(|s| s.thread).filter(|&u| u != t).collect();
            others.sort_unstable();
            others.dedup();
            let names: Vec<String> = others.iter().map(|&u| name(u)).collect();
            format!(
                "starvation: {} can wait forever under a fair schedule while {} make progress",
                name(t),
                names.join(", ")
            )
        }
    };
    Finding {
        kind,
        message,
        locations,
        schedule,
        cycle,
        deadlock: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A graph from (from, to, thread, progress) edges and per-state enabled masks.
    fn graph(n: usize, list: &[(u32, u32, u32, bool)], enabled: &[u64]) -> Edges {
        let mut e = Edges::default();
        for v in 0..n as u32 {
            e.open(enabled[v as usize], 0, 0);
            for &(a, b, t, p) in list {
                if a == v {
                    e.edges.push(Edge {
                        to: b,
                        thread: t,
                        branch: 0,
                        progress: p,
                        kinds: 0,
                    });
                }
            }
        }
        e.seal(n);
        e
    }

    #[test]
    fn components_give_up_when_told() {
        let e = graph(2, &[(0, 1, 0, false), (1, 0, 1, false)], &[0b11, 0b11]);
        let keep = |_: u32, _: &Edge| true;
        let sub = |stop: &'static dyn Fn() -> bool| {
            Sub {
                edges: &e,
                keep: &keep,
                agent: &|e: &Edge| e.thread,
                stop,
            }
            .components()
        };
        assert_eq!(sub(&|| false), Some(vec![0, 0]));
        assert_eq!(sub(&|| true), None);
    }

    fn livelocks(e: &Edges, fairness: Fairness) -> usize {
        let keep = |_: u32, e: &Edge| !e.progress;
        let sub = Sub {
            edges: e,
            keep: &keep,
            agent: &|e: &Edge| e.thread,
            stop: &|| false,
        };
        let comp = sub.components().unwrap_or_default();
        fair_components(&sub, &comp, 0b11, fairness, &|_| true).len()
    }

    #[test]
    fn a_spin_cycle_is_unfair_while_the_other_thread_stays_enabled() {
        // Thread 0 spins between states 0 and 1; thread 1 could step from
        // either state (to 2, leaving the cycle) but never does inside it.
        let e = graph(
            3,
            &[
                (0, 1, 0, false),
                (1, 0, 0, false),
                (0, 2, 1, false),
                (1, 2, 1, false),
            ],
            &[0b11, 0b11, 0b00],
        );
        assert_eq!(livelocks(&e, Fairness::Weak), 0);
        assert_eq!(livelocks(&e, Fairness::None), 1);
    }

    #[test]
    fn a_cycle_is_fair_when_the_idle_thread_is_blocked_somewhere_in_it() {
        let e = graph(
            3,
            &[(0, 1, 0, false), (1, 0, 0, false), (0, 2, 1, false)],
            &[0b11, 0b01, 0b00],
        );
        assert_eq!(livelocks(&e, Fairness::Weak), 1);
    }

    #[test]
    fn a_cycle_where_both_threads_step_is_fair() {
        let e = graph(2, &[(0, 1, 0, false), (1, 0, 1, false)], &[0b11, 0b11]);
        assert_eq!(livelocks(&e, Fairness::Weak), 1);
    }

    #[test]
    fn progress_breaks_the_cycle() {
        let e = graph(2, &[(0, 1, 0, false), (1, 0, 1, true)], &[0b11, 0b11]);
        assert_eq!(livelocks(&e, Fairness::Weak), 0);
        assert_eq!(livelocks(&e, Fairness::None), 0);
    }

    #[test]
    fn a_self_loop_is_a_cycle() {
        let e = graph(1, &[(0, 0, 0, false)], &[0b01]);
        // Thread 1 is never enabled (finished): the loop is fair.
        assert_eq!(livelocks(&e, Fairness::Weak), 1);
    }

    #[test]
    fn the_fair_loop_visits_what_fairness_needs() {
        // 0 -t0-> 1 -t1-> 2 -t0-> 0 ; both must step.
        let e = graph(
            3,
            &[(0, 1, 0, false), (1, 2, 1, false), (2, 0, 0, false)],
            &[0b11; 3],
        );
        let keep = |_: u32, e: &Edge| !e.progress;
        let sub = Sub {
            edges: &e,
            keep: &keep,
            agent: &|e: &Edge| e.thread,
            stop: &|| false,
        };
        let comp = sub.components().unwrap_or_default();
        let fair = fair_components(&sub, &comp, 0b11, Fairness::Weak, &|_| true);
        let walk = fair_loop(&sub, &comp, &fair[0], 0b11, false);
        let threads: Vec<u32> = walk.iter().map(|(_, e)| e.thread).collect();
        assert_eq!(threads, vec![0, 1, 0]);
        assert_eq!(walk.last().map(|(_, e)| e.to), Some(0));
    }
}
