//! The checks of LANGUAGE.md section 7, applied to each state and step as
//! the search meets them; each distinct violation is kept once, with the
//! schedule of its first (so shortest) occurrence.

use crate::deadlock;
use crate::exec::{Event, Exec, ThreadStep, Trace, Transition};
use crate::search::Graph;
use crate::{spec, Finding, Kind, Location, Options, Step};
use rustc_hash::FxHashSet;
use weft_ir::{SrcSpan, Value};

/// What makes two violations the same: kind, source locations, detail.
pub type Key = (Kind, Vec<u32>, String);

/// A violation and where the search made it: (state id, order among the
/// findings of that state). Of the same violation found by several
/// workers, the one made first in breadth-first order is kept.
#[derive(Debug)]
pub struct Found {
    pub at: (u32, u32),
    pub key: Key,
    pub finding: Finding,
}

/// Keep the first of each violation, in the order the search made them.
pub fn first_of_each(mut found: Vec<Found>) -> Vec<Found> {
    found.sort_by_key(|f| f.at);
    let mut seen = FxHashSet::default();
    found.retain(|f| seen.insert(f.key.clone()));
    found
}

pub struct Detector<'e, 'p> {
    exec: &'e Exec<'p>,
    /// The checks that are on, as a mask of [`mark`]s: asked on every
    /// state, so one test of a bit.
    checks: u16,
    seen: FxHashSet<Key>,
    findings: Vec<Found>,
    /// The key of the last fresh violation.
    last: Option<Key>,
    /// The state being checked, and how many findings it has made so far.
    at: (u32, u32),
    /// Kinds observed since the last `take_marks`, new or not.
    marks: u16,
}

/// The bit of a kind in a mark mask.
pub fn mark(kind: Kind) -> u16 {
    1 << kind as u16
}

fn span_key(s: SrcSpan) -> [u32; 2] {
    [s.start, s.end]
}

impl<'e, 'p> Detector<'e, 'p> {
    pub fn new(exec: &'e Exec<'p>, options: &Options) -> Self {
        Detector {
            exec,
            checks: options.checks.iter().fold(0, |m, &k| m | mark(k)),
            seen: FxHashSet::default(),
            findings: Vec::new(),
            last: None,
            at: (0, 0),
            marks: 0,
        }
    }

    /// The findings made since the last call, each with where it was made.
    pub fn take_findings(&mut self) -> Vec<Found> {
        std::mem::take(&mut self.findings)
    }

    /// The checks that follow are of state `id`.
    pub fn at(&mut self, id: u32) {
        self.at = (id, 0);
    }

    fn found(&mut self, finding: Finding) {
        let key = self
            .last
            .take()
            .unwrap_or_else(|| (finding.kind, Vec::new(), finding.message.clone()));
        self.findings.push(Found {
            at: self.at,
            key,
            finding,
        });
        self.at.1 += 1;
    }

    #[inline(always)]
    fn on(&self, kind: Kind) -> bool {
        self.checks & mark(kind) != 0
    }

    /// Record a violation unless the same one was recorded before.
    fn fresh(&mut self, key: Key) -> bool {
        if !self.on(key.0) {
            return false;
        }
        self.marks |= mark(key.0);
        // Most checks meet a violation seen before: no copy of the key then.
        if self.seen.contains(&key) {
            return false;
        }
        self.seen.insert(key.clone());
        self.last = Some(key);
        true
    }

    /// The kinds observed (in a state, or on a step) since the last call.
    pub fn take_marks(&mut self) -> u16 {
        std::mem::take(&mut self.marks)
    }

    fn thread_name(&self, t: usize) -> &str {
        &self.exec.program.threads[t].name
    }

    /// Invariants, in every reachable state.
    #[inline]
    pub fn check_state(&mut self, graph: &Graph, id: u32, state: &[Value]) {
        // Most programs have no invariant: then no call.
        if self.exec.program.invariants.is_empty()
            || !(self.on(Kind::Invariant) || self.on(Kind::Runtime))
        {
            return;
        }
        self.invariants(graph, id, state);
    }

    #[inline(never)]
    fn invariants(&mut self, graph: &Graph, id: u32, state: &[Value]) {
        for (k, inv) in self.exec.program.invariants.iter().enumerate() {
            match spec::holds(self.exec, inv, state) {
                Ok(true) => {}
                Ok(false) => {
                    if self.fresh((Kind::Invariant, vec![k as u32], String::new())) {
                        let (schedule, _) = self.schedule(graph, id, None);
                        self.found(Finding {
                            kind: Kind::Invariant,
                            message: format!("invariant \"{}\" does not hold", inv.name),
                            locations: vec![Location {
                                span: inv.span,
                                thread: None,
                                label: "false in the state this schedule reaches".to_string(),
                            }],
                            schedule,
                            cycle: Vec::new(),
                            deadlock: None,
                        });
                    }
                }
                Err(e) => self.runtime_in_spec(graph, id, e),
            }
        }
    }

    fn runtime_in_spec(&mut self, graph: &Graph, id: u32, e: crate::eval::RuntimeError) {
        if self.fresh((Kind::Runtime, span_key(e.span).to_vec(), class(&e.message))) {
            let (schedule, _) = self.schedule(graph, id, None);
            self.found(Finding {
                kind: Kind::Runtime,
                message: e.message,
                locations: vec![Location {
                    span: e.span,
                    thread: None,
                    label: "while evaluating this specification".to_string(),
                }],
                schedule,
                cycle: Vec::new(),
                deadlock: None,
            });
        }
    }

    /// Races between the threads' next steps; deadlock; final assertions.
    #[inline]
    pub fn check_steps(&mut self, graph: &Graph, id: u32, state: &[Value], steps: &[ThreadStep]) {
        // A race takes accesses of two threads, and the rest a state where
        // no thread moves: most states have neither, and cost no call.
        let (mut accessing, mut moves) = (0, false);
        for s in steps {
            accessing += usize::from(!s.accesses.is_empty());
            moves |= !s.transitions.is_empty();
        }
        if accessing >= 2 && self.on(Kind::DataRace) {
            self.races(graph, id, steps);
        }
        if !moves {
            self.stuck(graph, id, state, steps);
        }
    }

    /// Deadlock or final assertions, in a state where no thread moves.
    #[inline(never)]
    fn stuck(&mut self, graph: &Graph, id: u32, state: &[Value], steps: &[ThreadStep]) {
        let n = steps.len();
        if (0..n).all(|t| self.exec.finished(state, t)) {
            self.finals(graph, id, state);
        } else if self.on(Kind::Deadlock) {
            let mut spans: Vec<u32> = steps
                .iter()
                .filter_map(|s| s.blocked.map(|(sp, _)| sp))
                .flat_map(span_key)
                .collect();
            spans.sort_unstable();
            if self.fresh((Kind::Deadlock, spans, String::new())) {
                let info = deadlock::describe(self.exec, state, steps);
                let (schedule, traces) = self.schedule(graph, id, None);
                let mut locations: Vec<Location> = info
                    .waits
                    .iter()
                    .map(|w| Location {
                        span: w.span,
                        thread: Some(w.thread),
                        label: format!(
                            "{} waits: {}",
                            self.thread_name(w.thread as usize),
                            w.waits_for
                        ),
                    })
                    .collect();
                locations.extend(self.lock_sites(state, &schedule, &traces));
                let waits: Vec<String> = info
                    .waits
                    .iter()
                    .map(|w| {
                        format!(
                            "{} waits for {}",
                            self.thread_name(w.thread as usize),
                            w.waits_for
                        )
                    })
                    .collect();
                self.found(Finding {
                    kind: Kind::Deadlock,
                    message: format!("deadlock: no thread can move ({})", waits.join(", ")),
                    locations,
                    schedule,
                    cycle: Vec::new(),
                    deadlock: Some(info),
                });
            }
        }
    }

    /// Where each lock still held in `state` was taken: the last step of its
    /// holder that acquired it.
    fn lock_sites(&self, state: &[Value], schedule: &[Step], traces: &[Trace]) -> Vec<Location> {
        let mut out = Vec::new();
        for t in 0..self.exec.program.threads.len() {
            for o in deadlock::held(self.exec, state, t) {
                let site =
                    schedule.iter().zip(traces).rev().find(|(step, trace)| {
                        step.thread as usize == t && trace.acquired.contains(&o)
                    });
                if let Some((step, _)) = site {
                    out.push(Location {
                        span: step.span,
                        thread: Some(t as u32),
                        label: format!(
                            "{} took {} and holds it",
                            self.thread_name(t),
                            self.exec.program.objects[o].name
                        ),
                    });
                }
            }
        }
        out
    }

    #[inline(never)]
    fn races(&mut self, graph: &Graph, id: u32, steps: &[ThreadStep]) {
        for t in 0..steps.len() {
            for u in t + 1..steps.len() {
                for a in &steps[t].accesses {
                    for b in &steps[u].accesses {
                        if a.cell != b.cell || !(a.write || b.write) || (a.grouped && b.grouped) {
                            continue;
                        }
                        let (first, second) = if a.span <= b.span {
                            (a.span, b.span)
                        } else {
                            (b.span, a.span)
                        };
                        let key = vec![first.start, first.end, second.start, second.end];
                        // The two places name the variable: no need to copy its name.
                        if !self.fresh((Kind::DataRace, key, String::new())) {
                            continue;
                        }
                        let cell = self.exec.program.cell_name(a.cell);
                        let verb = |w: bool| if w { "write" } else { "read" };
                        let (tn, un) = (
                            self.thread_name(t).to_string(),
                            self.thread_name(u).to_string(),
                        );
                        let (schedule, _) = self.schedule(graph, id, None);
                        self.found(Finding {
                            kind: Kind::DataRace,
                            message: format!(
                                "data race on {cell}: {tn} is about to {} it while {un} is about to {} it",
                                verb(a.write),
                                verb(b.write)
                            ),
                            locations: vec![
                                Location {
                                    span: a.span,
                                    thread: Some(t as u32),
                                    label: format!("{tn} {}s {cell}", verb(a.write)),
                                },
                                Location {
                                    span: b.span,
                                    thread: Some(u as u32),
                                    label: format!("{un} {}s {cell}", verb(b.write)),
                                },
                            ],
                            schedule,
                            cycle: Vec::new(),
                            deadlock: None,
                        });
                    }
                }
            }
        }
    }

    fn finals(&mut self, graph: &Graph, id: u32, state: &[Value]) {
        for (k, fin) in self.exec.program.finals.iter().enumerate() {
            match spec::holds(self.exec, fin, state) {
                Ok(true) => {}
                Ok(false) => {
                    if self.fresh((Kind::Final, vec![k as u32], String::new())) {
                        let (schedule, _) = self.schedule(graph, id, None);
                        let message = match &fin.message {
                            Some(m) => format!("final assertion failed: {m}"),
                            None => format!("final assertion failed: {}", fin.name),
                        };
                        self.found(Finding {
                            kind: Kind::Final,
                            message,
                            locations: vec![Location {
                                span: fin.span,
                                thread: None,
                                label: "false once every thread has finished".to_string(),
                            }],
                            schedule,
                            cycle: Vec::new(),
                            deadlock: None,
                        });
                    }
                }
                Err(e) => self.runtime_in_spec(graph, id, e),
            }
        }
    }

    /// Assertion failures, runtime errors and lost updates of one step.
    /// Returns true when the step ends its branch of the search.
    #[inline]
    pub fn check_transition(&mut self, graph: &Graph, id: u32, t: u32, tr: &Transition) -> bool {
        // Most steps lose no update and end nothing: no call then.
        if tr.lost_updates.is_empty() && tr.event.is_none() {
            return false;
        }
        self.transition(graph, id, t, tr)
    }

    #[inline(never)]
    fn transition(&mut self, graph: &Graph, id: u32, t: u32, tr: &Transition) -> bool {
        for &(cell, span) in &tr.lost_updates {
            // The place of the write names the variable.
            if self.fresh((Kind::LostUpdate, span_key(span).to_vec(), String::new())) {
                let finding = self.lost_update(graph, id, t, tr, cell, span);
                self.found(finding);
            }
        }
        let Some(event) = &tr.event else {
            return false;
        };
        let (kind, span, message, key) = match event {
            Event::Assertion { span, message } => (
                Kind::Assertion,
                *span,
                match message {
                    Some(m) => format!("assertion failed: {m}"),
                    None => "assertion failed".to_string(),
                },
                String::new(),
            ),
            Event::Runtime(e) => (Kind::Runtime, e.span, e.message.clone(), class(&e.message)),
        };
        if self.fresh((kind, span_key(span).to_vec(), key)) {
            let (schedule, _) = self.schedule(graph, id, Some((t, tr.branch)));
            let name = self.thread_name(t as usize).to_string();
            self.found(Finding {
                kind,
                message,
                locations: vec![Location {
                    span,
                    thread: Some(t),
                    label: match kind {
                        Kind::Assertion => format!("fails in {name}"),
                        _ => format!("in {name}"),
                    },
                }],
                schedule,
                cycle: Vec::new(),
                deadlock: None,
            });
        }
        true
    }

    fn lost_update(
        &self,
        graph: &Graph,
        id: u32,
        t: u32,
        tr: &Transition,
        cell: u32,
        span: SrcSpan,
    ) -> Finding {
        let (schedule, traces) = self.schedule(graph, id, Some((t, tr.branch)));
        let name = self.exec.program.cell_name(cell);
        let me = self.thread_name(t as usize).to_string();
        // Walk back: the other thread's overwriting write, then our read before it.
        let mut other_write = None;
        let mut our_read = None;
        for (step, trace) in schedule.iter().zip(&traces).rev().skip(1) {
            for &(c, write, sp) in trace.cells.iter().rev() {
                if c != cell {
                    continue;
                }
                if step.thread != t && write && other_write.is_none() {
                    other_write = Some((step.thread, sp));
                } else if step.thread == t && !write && other_write.is_some() && our_read.is_none()
                {
                    our_read = Some(sp);
                }
            }
        }
        let mut locations = Vec::new();
        if let Some(sp) = our_read {
            locations.push(Location {
                span: sp,
                thread: Some(t),
                label: format!("{me} reads {name}"),
            });
        }
        let mut other = String::from("another thread");
        if let Some((u, sp)) = other_write {
            other = self.thread_name(u as usize).to_string();
            locations.push(Location {
                span: sp,
                thread: Some(u),
                label: format!("{other} writes {name} in between"),
            });
        }
        locations.push(Location {
            span,
            thread: Some(t),
            label: format!("{me} overwrites it with a value computed from the stale read"),
        });
        Finding {
            kind: Kind::LostUpdate,
            message: format!(
                "lost update on {name}: {me} writes a value computed from its earlier read, \
                 but {other} wrote {name} in between"
            ),
            locations,
            schedule,
            cycle: Vec::new(),
            deadlock: None,
        }
    }

    /// Replay the path to state `id` (and one more step, if given).
    fn schedule(
        &self,
        graph: &Graph,
        id: u32,
        extra: Option<(u32, u32)>,
    ) -> (Vec<Step>, Vec<Trace>) {
        let mut path = graph.path(id);
        path.extend(extra);
        replay(self.exec, graph.initial(), &path)
    }
}

/// Replay `(thread, branch)` steps from `init`, describing each.
pub fn replay(exec: &Exec, init: &[Value], path: &[(u32, u32)]) -> (Vec<Step>, Vec<Trace>) {
    let n_cells = exec.program.n_cells as usize;
    let mut state = init.to_vec();
    let mut steps = Vec::with_capacity(path.len());
    let mut traces = Vec::with_capacity(path.len());
    for &(t, branch) in path {
        let Some((tr, trace)) = exec.replay(&state, t as usize, branch) else {
            break;
        };
        let mut action = trace.notes.join("; ");
        match &tr.event {
            Some(Event::Runtime(e)) => {
                if !action.is_empty() {
                    action.push_str("; ");
                }
                action.push_str(&format!("runtime error: {}", e.message));
            }
            Some(Event::Assertion { .. }) if action.is_empty() => action.push_str("assert fails"),
            _ => {}
        }
        if action.is_empty() {
            action.push_str("local work");
        }
        steps.push(Step {
            thread: t,
            branch,
            span: tr.span,
            action,
            values: tr.state[..n_cells].to_vec(),
        });
        traces.push(trace);
        state = tr.state;
    }
    (steps, traces)
}

/// The kind of a runtime error ("division by zero", "overflow"...), so that
/// the same error with other values counts once.
fn class(message: &str) -> String {
    message.split(':').next().unwrap_or(message).to_string()
}
