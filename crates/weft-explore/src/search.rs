//! Breadth-first search over the state graph with a visited set, so the
//! first schedule found for each violation is a shortest one.
//!
//! States are numbered in the order they are found; since that order is
//! breadth-first, the visited set doubles as the queue. Each state keeps
//! its parent and the (thread, branch) step that reached it, from which
//! schedules are replayed for reports.

use crate::detect::Detector;
use crate::exec::{Exec, ThreadStep};
use crate::liveness::{self, Edge, Edges, NO_STATE};
use crate::{Limit, Options, Outcome, Progress, Stats};
use indexmap::IndexSet;
use rustc_hash::FxBuildHasher;
use std::time::Instant;
use weft_ir::{Program, Value};

/// How a state was first reached.
#[derive(Clone, Copy, Debug)]
pub struct Parent {
    /// Index of the previous state (`u32::MAX` for the initial state).
    pub state: u32,
    pub thread: u32,
    pub branch: u32,
}

/// The visited set and the way back to the initial state.
pub struct Graph {
    pub states: IndexSet<Box<[Value]>, FxBuildHasher>,
    pub parents: Vec<Parent>,
}

impl Graph {
    /// The (thread, branch) steps from the initial state to state `i`.
    pub fn path(&self, mut i: u32) -> Vec<(u32, u32)> {
        let mut path = Vec::new();
        while let Some(p) = self.parents.get(i as usize) {
            if p.state == u32::MAX {
                break;
            }
            path.push((p.thread, p.branch));
            i = p.state;
        }
        path.reverse();
        path
    }
}

/// The explored state graph: every state and every edge, including failed
/// steps, with the violations observed on each.
pub struct StateGraph {
    /// States in the order found (breadth-first); state 0 is the initial one.
    pub states: Vec<Box<[Value]>>,
    pub edges: Edges,
}

pub fn run(
    program: &Program,
    options: &Options,
    progress: &mut dyn FnMut(&Progress),
) -> (Outcome, Option<StateGraph>) {
    let start = Instant::now();
    let exec = Exec::new(program);
    let n_threads = program.threads.len();
    let mut graph = Graph {
        states: IndexSet::with_hasher(FxBuildHasher),
        parents: Vec::new(),
    };
    let init = exec.layout.initial(program);
    graph.states.insert(init.into_boxed_slice());
    graph.parents.push(Parent {
        state: u32::MAX,
        thread: 0,
        branch: 0,
    });

    let mut detector = Detector::new(&exec, options);
    let mut steps: Vec<ThreadStep> = (0..n_threads).map(|_| ThreadStep::default()).collect();
    let mut stats = Stats::default();
    let mut limit = None;
    let mut depth = 0u32;
    let mut layer_end = 1usize;
    let mut i = 0usize;
    let mut last_report = Instant::now();
    let liveness = options.checks(crate::Kind::Livelock) || options.checks(crate::Kind::Starvation);
    let record = liveness || options.record_graph;
    let mut edges = Edges::default();

    'search: while i < graph.states.len() {
        if i == layer_end {
            depth += 1;
            layer_end = graph.states.len();
        }
        let state: Box<[Value]> = graph.states[i].clone();
        let id = i as u32;
        i += 1;
        stats.depth = depth;

        detector.check_state(&graph, id, &state);
        let mut enabled = 0;
        for (t, step) in steps.iter_mut().enumerate() {
            exec.step(&state, t, step);
            enabled += step.transitions.len();
        }
        detector.check_steps(&graph, id, &state, &steps);
        let marks = detector.take_marks();
        if record {
            let mut enabled = 0u64;
            let mut finished = 0u64;
            for (t, step) in steps.iter().enumerate() {
                if !step.transitions.is_empty() {
                    enabled |= 1 << t;
                }
                if exec.finished(&state, t) {
                    finished |= 1 << t;
                }
            }
            edges.open(enabled, finished, marks);
        }

        if enabled > 0 && options.max_depth.is_some_and(|d| depth >= d) {
            limit.get_or_insert(Limit::MaxDepth(depth));
            continue;
        }
        for (t, step) in steps.iter_mut().enumerate() {
            for tr in step.transitions.drain(..) {
                stats.transitions += 1;
                let ends = detector.check_transition(&graph, id, t as u32, &tr);
                let kinds = detector.take_marks();
                let (branch, progress) = (tr.branch, tr.progress);
                if ends {
                    if record {
                        edges.edges.push(Edge {
                            to: NO_STATE,
                            thread: t as u32,
                            branch,
                            progress,
                            kinds,
                        });
                    }
                    continue;
                }
                // Full: a state not seen yet cannot be stored (the lookup
                // only happens once the limit is reached).
                if let Some(m) = options.max_states {
                    if graph.states.len() as u64 >= m && !graph.states.contains(&*tr.state) {
                        limit = Some(Limit::MaxStates(m));
                        break 'search;
                    }
                }
                let (idx, new) = graph.states.insert_full(tr.state.into_boxed_slice());
                if record {
                    edges.edges.push(Edge {
                        to: idx as u32,
                        thread: t as u32,
                        branch,
                        progress,
                        kinds,
                    });
                }
                if new {
                    graph.parents.push(Parent {
                        state: id,
                        thread: t as u32,
                        branch,
                    });
                    debug_assert_eq!(idx + 1, graph.parents.len());
                }
            }
        }
        if i.is_multiple_of(1024) {
            let now = Instant::now();
            if let Some(t) = options.timeout {
                if now.duration_since(start) >= t {
                    limit = Some(Limit::Timeout(t));
                    break;
                }
            }
            if now.duration_since(last_report).as_millis() >= 100 {
                last_report = now;
                progress(&Progress {
                    states: graph.states.len() as u64,
                    transitions: stats.transitions,
                    frontier: (graph.states.len() - i) as u64,
                    depth,
                    bytes: (graph.states.len() * (exec.layout.len * 8 + 24)) as u64,
                });
            }
        }
    }
    let mut findings = detector.into_findings();
    if record {
        edges.seal(graph.states.len());
    }
    if liveness {
        findings.extend(liveness::check(
            &exec,
            &graph,
            &edges,
            &options.checks,
            options.fairness,
        ));
    }
    stats.states = graph.states.len() as u64;
    stats.elapsed = start.elapsed();
    let outcome = Outcome {
        findings,
        stats,
        limit,
    };
    let state_graph = options.record_graph.then(|| StateGraph {
        states: graph.states.into_iter().collect(),
        edges,
    });
    (outcome, state_graph)
}
