//! Running one given schedule step by step (`weft run --schedule`),
//! checking each state and step on the way as the search would, and
//! stopping with a reason at a step that cannot be taken.

use crate::deadlock;
use crate::detect::replay;
use crate::exec::{Event, Exec, ThreadStep};
use crate::{spec, Kind, Step};
use weft_ir::{SrcSpan, Value};

/// A violation seen while walking.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Seen {
    /// The number of steps taken when it was seen: 0 is the initial state;
    /// for a violation of a step (lost update, assertion, runtime), the
    /// number of that step.
    pub after: usize,
    pub kind: Kind,
    pub message: String,
}

/// Why the walk stopped before the end of the schedule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Stuck {
    /// The thread has finished.
    Finished { thread: u32 },
    /// The thread cannot take its next step; what it waits for.
    Blocked {
        thread: u32,
        span: SrcSpan,
        waits_for: String,
        why: String,
    },
    /// The step has no such branch; these are the branches it has.
    NoBranch {
        thread: u32,
        branch: u32,
        branches: Vec<u32>,
    },
    /// The step failed (assertion or runtime error): the run ends there.
    Failed { kind: Kind },
}

/// Where a thread is after some steps.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum At {
    Finished,
    /// About to take the step at this instruction.
    Next(SrcSpan),
    /// Under a weak memory model: the code is done, and writes are still
    /// in the thread's store buffers.
    Flushing,
}

/// The result of walking a schedule.
#[derive(Clone, Debug, Default)]
pub struct Walk {
    /// The steps taken, each with the values of every global cell after it.
    pub steps: Vec<Step>,
    /// Where each thread is after each step (index 0: the initial state).
    pub at: Vec<Vec<At>>,
    /// Under a weak memory model, the writes waiting in each thread's store
    /// buffers after each step (index 0: the initial state), as (cell,
    /// value), oldest first; empty lists under sequential consistency.
    pub pending: Vec<Vec<Vec<(u32, Value)>>>,
    /// Violations, in the order seen.
    pub seen: Vec<Seen>,
    /// Set when the walk stopped at step `.0` (1-based) of the schedule.
    pub stuck: Option<(usize, Stuck)>,
    /// The threads that can step in the last state reached.
    pub next: Vec<u32>,
    /// The state after each step (index 0: the initial state).
    pub states: Vec<Vec<Value>>,
}

impl Walk {
    /// Does the walk end in the state it was in after step `after` (0: the
    /// initial state), with at least one step since: a loop that can
    /// repeat forever?
    pub fn returns_to(&self, after: usize) -> bool {
        let last = self.states.len().saturating_sub(1);
        after < last && self.states.get(after) == self.states.last()
    }
}

/// Walk the `(thread, branch)` steps of `path` from the initial state.
pub fn walk(exec: &Exec, path: &[(u32, u32)]) -> Walk {
    let program = exec.program;
    let n = program.threads.len();
    let mut state = exec.initial();
    let mut out = Walk::default();
    let mut steps: Vec<ThreadStep> = (0..n).map(|_| ThreadStep::default()).collect();
    observe(exec, &state, &mut steps, 0, &mut out);
    // Every write so far, (cell, thread), in order: a lost update names the
    // last other thread that wrote the cell, as `weft check` does (under
    // `tso` and `pso` the thread's own buffered write comes in between).
    let mut writes: Vec<(u32, u32)> = Vec::new();
    for (i, &(t, branch)) in path.iter().enumerate() {
        let number = i + 1;
        let stuck = if t as usize >= n {
            // Callers resolve names first; an index out of range is theirs.
            Some(Stuck::NoBranch {
                thread: t,
                branch,
                branches: Vec::new(),
            })
        } else if exec.finished(&state, t as usize) {
            Some(Stuck::Finished { thread: t })
        } else {
            let step = &steps[t as usize];
            let branches: Vec<u32> = step.transitions.iter().map(|tr| tr.branch).collect();
            if branches.is_empty() {
                let info = deadlock::describe(exec, &state, &steps);
                let wait = info.waits.into_iter().find(|w| w.thread == t);
                Some(Stuck::Blocked {
                    thread: t,
                    span: wait
                        .as_ref()
                        .map_or_else(|| program.codes[0].span, |w| w.span),
                    waits_for: wait
                        .as_ref()
                        .map_or_else(String::new, |w| w.waits_for.clone()),
                    why: wait.map_or_else(String::new, |w| w.why),
                })
            } else if !branches.contains(&branch) {
                Some(Stuck::NoBranch {
                    thread: t,
                    branch,
                    branches,
                })
            } else {
                None
            }
        };
        if let Some(stuck) = stuck {
            out.stuck = Some((number, stuck));
            break;
        }
        let Some(tr) = steps[t as usize]
            .transitions
            .iter()
            .find(|tr| tr.branch == branch)
            .cloned()
        else {
            break;
        };
        let name = &program.threads[t as usize].name;
        for &(cell, _) in &tr.lost_updates {
            let other = (writes.iter().rev())
                .find(|&&(c, u)| c == cell && u != t)
                .map_or("another thread", |&(_, u)| {
                    program.threads[u as usize].name.as_str()
                });
            let cell = program.cell_name(cell);
            out.seen.push(Seen {
                after: number,
                kind: Kind::LostUpdate,
                message: format!(
                    "lost update on {cell}: {name} writes a value computed from its earlier read, \
                     but {other} wrote {cell} in between"
                ),
            });
        }
        let (described, traces) = replay(exec, &state, &[(t, branch)]);
        out.steps.extend(described);
        for trace in &traces {
            for &(cell, write, _) in &trace.cells {
                if write {
                    writes.push((cell, t));
                }
            }
        }
        if let Some(event) = &tr.event {
            let (kind, message) = match event {
                Event::Assertion { message, .. } => (
                    Kind::Assertion,
                    match message {
                        Some(m) => format!("assertion failed: {m}"),
                        None => "assertion failed".to_string(),
                    },
                ),
                Event::Runtime(e) => (Kind::Runtime, e.message.clone()),
            };
            out.seen.push(Seen {
                after: number,
                kind,
                message,
            });
            for (u, step) in steps.iter_mut().enumerate() {
                exec.step(&tr.state, u, step);
            }
            out.at.push(positions(exec, &tr.state, &steps));
            out.pending.push(pending(exec, &tr.state));
            out.stuck = Some((number, Stuck::Failed { kind }));
            return out;
        }
        state = tr.state;
        observe(exec, &state, &mut steps, number, &mut out);
    }
    out
}

/// Run every thread's next step from `state` (kept in `steps` for the next
/// move) and record what the state shows: invariants, races, deadlock,
/// final assertions.
fn observe(exec: &Exec, state: &[Value], steps: &mut [ThreadStep], after: usize, out: &mut Walk) {
    let program = exec.program;
    for (t, step) in steps.iter_mut().enumerate() {
        exec.step(state, t, step);
    }
    out.at.push(positions(exec, state, steps));
    out.pending.push(pending(exec, state));
    out.states.push(state.to_vec());
    out.next = (0..steps.len() as u32)
        .filter(|&t| !steps[t as usize].transitions.is_empty())
        .collect();
    let mut seen = |kind, message| {
        out.seen.push(Seen {
            after,
            kind,
            message,
        })
    };
    for inv in &program.invariants {
        match spec::holds(exec, inv, state) {
            Ok(true) => {}
            Ok(false) => seen(
                Kind::Invariant,
                format!("invariant \"{}\" does not hold", inv.name),
            ),
            Err(e) => seen(Kind::Runtime, e.message),
        }
    }
    let name = |t: usize| program.threads[t].name.as_str();
    for t in 0..steps.len() {
        for u in t + 1..steps.len() {
            let mut said: Vec<String> = Vec::new();
            for a in &steps[t].accesses {
                for b in &steps[u].accesses {
                    if a.cell != b.cell || !(a.write || b.write) || (a.grouped && b.grouped) {
                        continue;
                    }
                    let verb = |w: bool| if w { "write" } else { "read" };
                    let message = format!(
                        "data race on {}: {} is about to {} it while {} is about to {} it",
                        program.cell_name(a.cell),
                        name(t),
                        verb(a.write),
                        name(u),
                        verb(b.write)
                    );
                    if !said.contains(&message) {
                        said.push(message.clone());
                        seen(Kind::DataRace, message);
                    }
                }
            }
        }
    }
    if steps.iter().all(|s| s.transitions.is_empty()) {
        if (0..steps.len()).all(|t| exec.finished(state, t)) {
            for fin in &program.finals {
                match spec::holds(exec, fin, state) {
                    Ok(true) => {}
                    Ok(false) => seen(
                        Kind::Final,
                        match &fin.message {
                            Some(m) => format!("final assertion failed: {m}"),
                            None => format!("final assertion failed: {}", fin.name),
                        },
                    ),
                    Err(e) => seen(Kind::Runtime, e.message),
                }
            }
        } else {
            let info = deadlock::describe(exec, state, steps);
            let waits: Vec<String> = info
                .waits
                .iter()
                .map(|w| format!("{} waits for {}", name(w.thread as usize), w.waits_for))
                .collect();
            seen(
                Kind::Deadlock,
                format!("deadlock: no thread can move ({})", waits.join(", ")),
            );
        }
    }
}

/// Where each thread is: finished, or at its next step's instruction
/// (the one it is blocked at, if it is blocked).
fn positions(exec: &Exec, state: &[Value], steps: &[ThreadStep]) -> Vec<At> {
    let program = exec.program;
    (0..program.threads.len())
        .map(|t| {
            if exec.finished(state, t) {
                return At::Finished;
            }
            if exec.flushing(state, t) {
                return At::Flushing;
            }
            let step = &steps[t];
            // A flush is not where the thread is: its next instruction is.
            let span = (step.transitions.iter())
                .find(|tr| tr.branch < crate::FLUSH)
                .map(|tr| tr.span)
                .or_else(|| exec.next_span(state, t))
                .or(step.blocked.map(|(span, _)| span))
                .unwrap_or(program.codes[program.threads[t].code as usize].span);
            At::Next(span)
        })
        .collect()
}

/// The writes in each thread's store buffers in `state`.
fn pending(exec: &Exec, state: &[Value]) -> Vec<Vec<(u32, Value)>> {
    (0..exec.program.threads.len())
        .map(|t| exec.pending(state, t))
        .collect()
}

/// Where each thread is in `state`: finished, or at its next step.
pub fn positions_in(exec: &Exec, state: &[Value]) -> Vec<At> {
    let steps: Vec<ThreadStep> = (0..exec.program.threads.len())
        .map(|t| {
            let mut step = ThreadStep::default();
            exec.step(state, t, &mut step);
            step
        })
        .collect();
    positions(exec, state, &steps)
}
