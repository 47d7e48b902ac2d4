//! Explaining a deadlock: why each stuck thread waits, who holds what, and
//! the wait-for cycle among threads (strongly connected components of the
//! wait-for graph, found with petgraph).

use crate::exec::{BlockReason, Exec, ThreadStep};
use crate::layout::FINISHED;
use crate::{Deadlock, Wait};
use petgraph::algo::tarjan_scc;
use petgraph::graphmap::DiGraphMap;
use weft_ir::{ObjectKind, Value};

/// Who waits for what in a state where no thread can move.
pub fn describe(exec: &Exec, state: &[Value], steps: &[ThreadStep]) -> Deadlock {
    let p = exec.program;
    let l = &exec.layout;
    let name = |t: usize| p.threads[t].name.as_str();
    let obj = |o: usize| p.objects[o].name.as_str();
    let owner = |o: usize| -> Vec<u32> {
        match state[l.obj[o]] {
            0 => Vec::new(),
            h => vec![h as u32 - 1],
        }
    };
    let readers = |o: usize| -> Vec<u32> {
        let mask = state[l.obj[o] + 1];
        (0..l.n_threads as u32)
            .filter(|t| mask & (1 << t) != 0)
            .collect()
    };
    let list = |ts: &[u32]| -> String {
        ts.iter()
            .map(|&t| name(t as usize))
            .collect::<Vec<_>>()
            .join(", ")
    };

    let mut waits = Vec::new();
    for (t, step) in steps.iter().enumerate() {
        if state[l.thread[t]] == FINISHED {
            continue;
        }
        let Some((span, reason)) = step.blocked else {
            continue;
        };
        let (waits_for, holders, why): (String, Vec<u32>, String) = match reason {
            BlockReason::Mutex(o) | BlockReason::Relock(o) => {
                let h = owner(o);
                let why = held_why(&h, &list, state, l, p);
                (format!("lock {}", obj(o)), h, why)
            }
            BlockReason::Queue(o) => {
                let h = match p.objects[o].kind {
                    ObjectKind::RwLock => [owner(o), readers(o)].concat(),
                    ObjectKind::Mutex => owner(o),
                    _ => Vec::new(),
                };
                let why = if h.is_empty() {
                    "its turn in the queue has not come".to_string()
                } else {
                    format!("its turn has not come; held by {}", list(&h))
                };
                (format!("its turn for {}", obj(o)), h, why)
            }
            BlockReason::RwRead(o) => {
                let h = owner(o);
                let why = format!("write-locked by {}", list(&h));
                (format!("read_lock {}", obj(o)), h, why)
            }
            BlockReason::RwWrite(o) => {
                let h = [owner(o), readers(o)].concat();
                let why = format!("held by {}", list(&h));
                (format!("write_lock {}", obj(o)), h, why)
            }
            BlockReason::Semaphore(o) => (
                format!("a permit of {}", obj(o)),
                Vec::new(),
                "no permits left, and no thread can run to release one".to_string(),
            ),
            BlockReason::Condvar(c, _) => (
                format!("a notify on {}", obj(c)),
                Vec::new(),
                "no thread can run to notify it".to_string(),
            ),
            BlockReason::ChannelFull(c) => (
                format!("room in {}", obj(c)),
                Vec::new(),
                "the channel is full, and no thread can run to receive".to_string(),
            ),
            BlockReason::ChannelEmpty(c) => (
                format!("a value from {}", obj(c)),
                Vec::new(),
                "the channel is empty, and no thread can run to send on it or close it".to_string(),
            ),
            BlockReason::RendezvousBusy(c) => (
                format!("its turn to send on {}", obj(c)),
                Vec::new(),
                "another sender's value is waiting for a receiver".to_string(),
            ),
            BlockReason::RendezvousTake(c) => (
                format!("a receiver on {}", obj(c)),
                Vec::new(),
                "no thread can run to receive from this unbuffered channel".to_string(),
            ),
            BlockReason::Barrier(b) => {
                let parties = p.objects[b].param;
                let arrived = state[l.obj[b]].count_ones();
                (
                    format!("barrier {}", obj(b)),
                    Vec::new(),
                    format!("{arrived} of {parties} parties arrived"),
                )
            }
            BlockReason::WaitGroup(w) => (
                format!("wait group {}", obj(w)),
                Vec::new(),
                format!(
                    "its counter is {}, and no thread can run to call done()",
                    state[l.obj[w]]
                ),
            ),
            BlockReason::Join(u) => (
                format!("join({})", name(u)),
                vec![u as u32],
                format!("{} has not finished", name(u)),
            ),
            BlockReason::Await => (
                "its await condition".to_string(),
                Vec::new(),
                "the condition is false, and no thread can run to change it".to_string(),
            ),
        };
        waits.push(Wait {
            thread: t as u32,
            span,
            waits_for,
            holders,
            why,
            holds: holds(exec, state, t),
        });
    }
    let cycle = wait_for_cycle(&waits);
    Deadlock { waits, cycle }
}

fn held_why(
    h: &[u32],
    list: &dyn Fn(&[u32]) -> String,
    state: &[Value],
    l: &crate::layout::Layout,
    p: &weft_ir::Program,
) -> String {
    match h.first() {
        None => "it is free, but others are first in line".to_string(),
        Some(&t) if state[l.thread[t as usize]] == FINISHED => {
            format!(
                "held by {}, which has finished without unlocking it",
                p.threads[t as usize].name
            )
        }
        Some(_) => format!("held by {}", list(h)),
    }
}

/// The locks thread `t` holds, as object indices.
pub fn held(exec: &Exec, state: &[Value], t: usize) -> Vec<usize> {
    let l = &exec.layout;
    let me = t as Value + 1;
    (0..exec.program.objects.len())
        .filter(|&o| {
            let off = l.obj[o];
            match exec.program.objects[o].kind {
                ObjectKind::Mutex => state[off] == me,
                ObjectKind::RwLock => state[off] == me || state[off + 1] & (1 << t) != 0,
                _ => false,
            }
        })
        .collect()
}

/// The locks thread `t` holds, as users name them.
pub fn holds(exec: &Exec, state: &[Value], t: usize) -> Vec<String> {
    held(exec, state, t)
        .into_iter()
        .map(|o| {
            let obj = &exec.program.objects[o];
            match obj.kind {
                ObjectKind::RwLock if state[exec.layout.obj[o]] == t as Value + 1 => {
                    format!("{} (write)", obj.name)
                }
                ObjectKind::RwLock => format!("{} (read)", obj.name),
                _ => obj.name.clone(),
            }
        })
        .collect()
}

/// A cycle in the wait-for graph (thread -> thread holding what it waits
/// for), if there is one.
fn wait_for_cycle(waits: &[Wait]) -> Vec<u32> {
    let mut g: DiGraphMap<u32, (), rustc_hash::FxBuildHasher> = DiGraphMap::default();
    for w in waits {
        g.add_node(w.thread);
        for &h in &w.holders {
            g.add_edge(w.thread, h, ());
        }
    }
    let Some(scc) = tarjan_scc(&g)
        .into_iter()
        .filter(|c| c.len() > 1 || g.contains_edge(c[0], c[0]))
        .min_by_key(|c| c.iter().copied().min())
    else {
        return Vec::new();
    };
    // Walk inside the component from its smallest thread until we come back.
    let start = scc.iter().copied().min().unwrap_or(scc[0]);
    let mut cycle = vec![start];
    let mut cur = start;
    while let Some(next) = g.neighbors(cur).filter(|n| scc.contains(n)).min() {
        if let Some(pos) = cycle.iter().position(|&c| c == next) {
            cycle.drain(..pos);
            break;
        }
        cycle.push(next);
        cur = next;
    }
    cycle
}
