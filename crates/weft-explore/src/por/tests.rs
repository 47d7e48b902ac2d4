//! The reduced search finds exactly what the full one finds: the same
//! deadlocked and terminal states, assertion and runtime failures, races,
//! lost updates, violated invariants and final assertions, on the catalogue,
//! on handwritten models and on random programs; and it stores fewer states.

use super::Reduction;
use crate::detect::Detector;
use crate::exec::{Event, Exec, ThreadStep};
use crate::search::Graph;
use crate::store::Parent;
use crate::{spec, Kind, Options};
use indexmap::IndexSet;
use proptest::prelude::*;
use rustc_hash::FxBuildHasher;
use std::collections::{BTreeMap, BTreeSet};
use weft_ir::{Program, SrcSpan, Value};

#[path = "../../tests/support/random_program.rs"]
mod random_program;

/// Everything the checks of LANGUAGE.md section 7 (but liveness) report,
/// as sets keyed at least as finely as `detect.rs` keys its findings.
#[derive(Debug, Default, PartialEq)]
struct Found {
    deadlocks: BTreeSet<Box<[Value]>>,
    terminals: BTreeSet<Box<[Value]>>,
    /// Failed steps: where, and the message (values included).
    events: BTreeSet<(SrcSpan, String)>,
    /// Racing accesses: the two spans (ordered) and the cell.
    races: BTreeSet<(SrcSpan, SrcSpan, u32)>,
    lost_updates: BTreeSet<(u32, SrcSpan)>,
    invariants: BTreeSet<usize>,
    finals: BTreeSet<usize>,
    spec_errors: BTreeSet<(SrcSpan, String)>,
    /// How many findings of each kind the tool's own detector reports.
    findings: BTreeMap<Kind, usize>,
}

struct Searched {
    found: Found,
    states: usize,
    /// States where one thread's step was taken alone.
    reduced: usize,
    /// States where an ample set was offered but the proviso refused it.
    refused: usize,
}

fn safety_checks() -> Vec<Kind> {
    Kind::ALL
        .into_iter()
        .filter(|k| !matches!(k, Kind::Livelock | Kind::Starvation))
        .collect()
}

/// How the test search expands a state.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Mode {
    Full,
    /// Every thread's step, then [`Reduction::ample`].
    Ample,
    /// [`Reduction::candidates`] first, computing only their steps, and
    /// every step only when none fits.
    Lazy,
}

/// Breadth-first search as `search.rs` does it, full or reduced (with the
/// cycle proviso); `None` past `cap` states.
fn search(program: &Program, mode: Mode, cap: usize) -> Option<Searched> {
    let exec = Exec::new(program);
    let options = Options {
        checks: safety_checks(),
        ..Options::default()
    };
    let reduction = Reduction::new(&exec, &options.checks);
    let mut detector = Detector::new(&exec, &options);
    let init = exec.initial();
    let mut graph = Graph::in_memory(init.clone());
    let mut states: IndexSet<Box<[Value]>, FxBuildHasher> = IndexSet::with_hasher(FxBuildHasher);
    states.insert(init.into_boxed_slice());
    let n = program.threads.len();
    let mut steps: Vec<ThreadStep> = (0..n).map(|_| ThreadStep::default()).collect();
    let mut f = Found::default();
    let mut reduced = 0;
    let mut refused = 0;
    let mut i = 0;
    while i < states.len() {
        if states.len() > cap {
            return None;
        }
        let state = states[i].clone();
        let id = i as u32;
        i += 1;
        detector.check_state(&graph, id, &state);
        for (k, inv) in program.invariants.iter().enumerate() {
            match spec::holds(&exec, inv, &state) {
                Ok(true) => {}
                Ok(false) => drop(f.invariants.insert(k)),
                Err(e) => drop(f.spec_errors.insert((e.span, e.message))),
            }
        }
        // The cycle proviso: the ample set only if every successor comes
        // after this state in the visited order.
        let proviso = |step: &ThreadStep| {
            step.transitions
                .iter()
                .all(|tr| !matches!(states.get_index_of(&*tr.state), Some(j) if j <= id as usize))
        };
        let mut lazy = None;
        if mode == Mode::Lazy {
            for p in reduction.candidates(&state) {
                exec.step(&state, p, &mut steps[p]);
                if Reduction::fits(&steps[p]) && proviso(&steps[p]) {
                    lazy = Some(p);
                    break;
                }
            }
        }
        for (t, step) in steps.iter_mut().enumerate() {
            match lazy {
                Some(p) if p != t => *step = ThreadStep::default(),
                Some(_) => {}
                None => exec.step(&state, t, step),
            }
        }
        detector.check_steps(&graph, id, &state, &steps);
        races(&steps, &mut f.races);
        if steps.iter().all(|s| s.transitions.is_empty()) {
            if (0..n).all(|t| exec.finished(&state, t)) {
                for (k, fin) in program.finals.iter().enumerate() {
                    match spec::holds(&exec, fin, &state) {
                        Ok(true) => {}
                        Ok(false) => drop(f.finals.insert(k)),
                        Err(e) => drop(f.spec_errors.insert((e.span, e.message))),
                    }
                }
                f.terminals.insert(state.clone());
            } else {
                f.deadlocks.insert(state.clone());
            }
        }
        let offered = match mode {
            Mode::Full => None,
            Mode::Ample => reduction.ample(&state, &steps),
            Mode::Lazy => lazy,
        };
        let ample = offered.filter(|&p| proviso(&steps[p]));
        reduced += ample.is_some() as usize;
        refused += (offered.is_some() && ample.is_none()) as usize;
        for (t, step) in steps.iter_mut().enumerate() {
            if ample.is_some_and(|p| p != t) {
                continue;
            }
            for tr in step.transitions.drain(..) {
                let ends = detector.check_transition(&graph, id, t as u32, &tr);
                f.lost_updates.extend(tr.lost_updates.iter().copied());
                match &tr.event {
                    Some(Event::Assertion { span, message }) => {
                        f.events.insert((*span, format!("assert {message:?}")));
                    }
                    Some(Event::Runtime(e)) => {
                        f.events.insert((e.span, e.message.clone()));
                    }
                    None => {}
                }
                if ends {
                    continue;
                }
                let (_, new) = states.insert_full(tr.state.into_boxed_slice());
                if new {
                    graph.push(Parent {
                        state: id,
                        thread: t as u32,
                        branch: tr.branch,
                    });
                }
            }
        }
    }
    for found in detector.take_findings() {
        *f.findings.entry(found.finding.kind).or_default() += 1;
    }
    Some(Searched {
        found: f,
        states: states.len(),
        reduced,
        refused,
    })
}

/// Races as `detect.rs` defines them.
fn races(steps: &[ThreadStep], out: &mut BTreeSet<(SrcSpan, SrcSpan, u32)>) {
    for t in 0..steps.len() {
        for u in t + 1..steps.len() {
            for a in &steps[t].accesses {
                for b in &steps[u].accesses {
                    if a.cell == b.cell && (a.write || b.write) && !(a.grouped && b.grouped) {
                        out.insert((a.span.min(b.span), a.span.max(b.span), a.cell));
                    }
                }
            }
        }
    }
}

fn compile(src: &str, defines: &[(&str, i64)]) -> Program {
    let ast = weft_syntax::parse(src).unwrap_or_else(|e| panic!("parse: {e:?}\n{src}"));
    let defines: Vec<(String, String)> = defines
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    weft_lower::compile(&ast, &defines).unwrap_or_else(|e| panic!("compile: {e:?}\n{src}"))
}

/// Full and reduced agree; the state counts (full, reduced), or None when
/// the full graph is bigger than `cap`. Prints the counts, with the states
/// expanded by one thread and those where the proviso refused it.
fn agree(name: &str, program: &Program, cap: usize) -> Option<(usize, usize)> {
    let full = search(program, Mode::Full, cap)?;
    let red = search(program, Mode::Ample, cap)
        .unwrap_or_else(|| panic!("{name}: reduced search too big"));
    assert_eq!(full.found, red.found, "{name}: the reduced search differs");
    assert!(red.states <= full.states, "{name}: more states reduced");
    let lazy = search(program, Mode::Lazy, cap)
        .unwrap_or_else(|| panic!("{name}: lazy reduced search too big"));
    assert_eq!(
        full.found, lazy.found,
        "{name}: the lazy reduced search differs"
    );
    assert_eq!(full.reduced, 0);
    println!(
        "{name:40} full {:7} reduced {:7} (one thread {:6}, proviso {:5}) lazy {:7}",
        full.states, red.states, red.reduced, red.refused, lazy.states
    );
    Some((full.states, red.states))
}

const CAP: usize = 60_000;

#[test]
fn catalogue_reduced_finds_the_same() {
    let paths = crate::catalogue::catalogue();
    let (mut total_full, mut total_red) = (0, 0);
    for path in paths {
        let src = std::fs::read_to_string(&path).unwrap_or_default();
        let name = path.file_name().unwrap_or_default().to_string_lossy();
        match agree(&name, &compile(&src, &[]), CAP) {
            Some((full, red)) => {
                total_full += full;
                total_red += red;
            }
            None => println!("{name:40} skipped: more than {CAP} states"),
        }
    }
    println!("catalogue total: full {total_full} reduced {total_red}");
    assert!(total_red < total_full);
}

const PHILOSOPHERS: &str = r#"
const N = 3;
const ROUNDS = 1;
mutex fork[N];
shared meals = [0; N];
thread philosopher[N] {
    let left = self;
    let right = (self + 1) % N;
    let first = left;
    let second = right;
    if right < left { first = right; second = left; }
    for round in 0..ROUNDS {
        with fork[first] {
            with fork[second] {
                meals[self] = meals[self] + 1;
            }
        }
    }
}
"#;

const LOCKED_COUNTER: &str = r#"
const N = 3;
shared counter = 0;
mutex m;
thread inc[N] {
    for i in 0..2 {
        with m { counter = counter + 1; }
    }
}
final assert counter == 2 * N;
"#;

const DISJOINT: &str = r#"
const N = 3;
shared v = [0; N];
atomic a = [0; N];
thread w[N] {
    for i in 0..3 {
        v[self] = v[self] + 1;
        a[self].fetch_add(1);
    }
}
final assert v[0] == 3;
"#;

const BOUNDED_BUFFER: &str = r#"
const SIZE = 2;
shared buf: [int; SIZE];
shared in_pos = 0;
shared out_pos = 0;
semaphore empty_slots = SIZE;
semaphore full_slots = 0;
mutex m;
thread producer[2] {
    for i in 0..2 {
        empty_slots.acquire();
        with m {
            buf[in_pos] = 10 * self + i + 1;
            in_pos = (in_pos + 1) % SIZE;
        }
        full_slots.release();
    }
}
thread consumer {
    let total = 0;
    for k in 0..4 {
        full_slots.acquire();
        total = total + buf[out_pos];
        out_pos = (out_pos + 1) % SIZE;
        empty_slots.release();
    }
    assert total == 26;
}
"#;

#[test]
fn handwritten_models_shrink() {
    let mut cases: Vec<(String, Program)> = Vec::new();
    for n in 3..=6 {
        let rounds = if n <= 4 { 2 } else { 1 };
        cases.push((
            format!("ordered philosophers N={n} rounds={rounds}"),
            compile(PHILOSOPHERS, &[("N", n), ("ROUNDS", rounds)]),
        ));
    }
    for n in 2..=4 {
        cases.push((
            format!("locked counter N={n}"),
            compile(LOCKED_COUNTER, &[("N", n)]),
        ));
        cases.push((
            format!("disjoint variables N={n}"),
            compile(DISJOINT, &[("N", n)]),
        ));
    }
    cases.push(("bounded buffer".into(), compile(BOUNDED_BUFFER, &[])));
    for (name, program) in &cases {
        let (full, red) =
            agree(name, program, 200_000).unwrap_or_else(|| panic!("{name}: too big"));
        // A lock held by one thread blocks the others: the full graph of
        // a locked counter has nothing independent left to reduce.
        if !name.starts_with("locked counter") {
            assert!(red < full, "{name}: no reduction");
        }
    }
}

#[test]
fn liveness_checks_turn_it_off() {
    let program = compile(DISJOINT, &[]);
    let exec = Exec::new(&program);
    let mut steps: Vec<ThreadStep> = (0..3).map(|_| ThreadStep::default()).collect();
    let init = exec.initial();
    for (t, s) in steps.iter_mut().enumerate() {
        exec.step(&init, t, s);
    }
    assert!(Reduction::new(&exec, &safety_checks())
        .ample(&init, &steps)
        .is_some());
    for k in [Kind::Livelock, Kind::Starvation] {
        let mut checks = safety_checks();
        checks.push(k);
        assert_eq!(Reduction::new(&exec, &checks).ample(&init, &steps), None);
    }
}

/// Every thread's step at `state`.
fn steps_at(exec: &Exec, state: &[Value]) -> Vec<ThreadStep> {
    (0..exec.program.threads.len())
        .map(|t| {
            let mut step = ThreadStep::default();
            exec.step(state, t, &mut step);
            step
        })
        .collect()
}

#[test]
fn the_tables_can_be_shared_between_threads() {
    fn sync<T: Sync>() {}
    sync::<Reduction>();
}

#[test]
fn a_philosopher_takes_only_its_own_forks() {
    let program = compile(PHILOSOPHERS, &[("N", 3), ("ROUNDS", 1)]);
    let exec = Exec::new(&program);
    let red = Reduction::new(&exec, &safety_checks());
    let space = red.space;
    let w = space.words;
    let init = exec.initial();
    // philosopher[1] takes fork[1] first; philosopher[2] takes fork[0].
    for (t, fork) in [(1, 1u32), (2, 0)] {
        let next = red
            .row(&red.next, red.rows[t].0, &init, t)
            .unwrap_or_else(|| panic!("no row"));
        for o in 0..3u32 {
            let bit = space.object(o);
            let written = next[w + bit / 64] & (1 << (bit % 64)) != 0;
            assert_eq!(written, o == fork, "philosopher[{t}] and fork[{o}]");
        }
    }
}

#[test]
fn a_thread_in_its_critical_section_runs_alone() {
    let program = compile(LOCKED_COUNTER, &[("N", 2)]);
    let exec = Exec::new(&program);
    let red = Reduction::new(&exec, &safety_checks());
    let init = exec.initial();
    let steps = steps_at(&exec, &init);
    // Both are about to take the lock: those steps conflict.
    assert_eq!(red.ample(&init, &steps), None);
    // inc[0] holds it, inc[1] waits: inc[0]'s read of the counter is
    // independent of all inc[1] can do before inc[0] moves.
    let locked = steps[0].transitions[0].state.clone();
    let steps = steps_at(&exec, &locked);
    assert!(steps[1].transitions.is_empty());
    assert_eq!(red.ample(&locked, &steps), Some(0));
}

#[test]
fn racing_threads_are_never_alone() {
    let program = compile(
        "shared counter = 0;\nthread inc[2] { counter = counter + 1; }",
        &[],
    );
    let exec = Exec::new(&program);
    let red = Reduction::new(&exec, &safety_checks());
    let init = exec.initial();
    assert_eq!(red.ample(&init, &steps_at(&exec, &init)), None);
}

#[test]
fn a_write_an_invariant_reads_is_visible() {
    let src = "shared x = 0;\nshared y = 0;\nthread a { x = 1; }\nthread b { y = 1; }\n\
               invariant x <= 1;";
    let program = compile(src, &[]);
    let exec = Exec::new(&program);
    let init = exec.initial();
    let steps = steps_at(&exec, &init);
    assert_eq!(
        Reduction::new(&exec, &safety_checks()).ample(&init, &steps),
        Some(1)
    );
    // Without the invariant checks, either thread may go alone.
    let checks = [Kind::DataRace, Kind::Deadlock];
    assert_eq!(Reduction::new(&exec, &checks).ample(&init, &steps), Some(0));
}

#[test]
fn a_step_into_or_out_of_a_watched_label_is_visible() {
    let src = "shared x = 0;\nshared y = 0;\nshared z = 0;\n\
               thread a { x = 1; cs: { x = 2; } x = 3; }\nthread b { y = 1; }\n\
               invariant !a@cs || z == 0;";
    let program = compile(src, &[]);
    let exec = Exec::new(&program);
    let red = Reduction::new(&exec, &safety_checks());
    let mut state = exec.initial();
    // a's first step takes it to cs: visible, so b goes alone.
    let steps = steps_at(&exec, &state);
    assert_eq!(red.ample(&state, &steps), Some(1));
    // At cs, a's step leaves it: visible again.
    state = steps[0].transitions[0].state.clone();
    let steps = steps_at(&exec, &state);
    assert_eq!(red.ample(&state, &steps), Some(1));
    // After cs, a's last step changes nothing the invariant sees.
    state = steps[0].transitions[0].state.clone();
    let steps = steps_at(&exec, &state);
    assert_eq!(red.ample(&state, &steps), Some(0));
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 64,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn random_programs_reduced_find_the_same((bodies, looping) in random_program::bodies()) {
        let src = random_program::program(&bodies, looping);
        let program = compile(&src, &[]);
        if let Some(full) = search(&program, Mode::Full, 20_000) {
            for mode in [Mode::Ample, Mode::Lazy] {
                let red = search(&program, mode, 20_000)
                    .ok_or_else(|| TestCaseError::fail(format!("reduced too big\n{src}")))?;
                prop_assert_eq!(&full.found, &red.found, "{:?}\n{}", mode, src);
                prop_assert!(red.states <= full.states);
            }
        }
    }

    /// The same programs with invariants on thread positions: a label on
    /// each thread's last statement, `t0@cs`, `t1@cs`, `done(t0)`.
    #[test]
    fn random_programs_with_positions_reduced_find_the_same(
        (bodies, looping) in random_program::bodies()
    ) {
        let src = labelled(&random_program::program(&bodies, looping));
        let program = compile(&src, &[]);
        if let Some(full) = search(&program, Mode::Full, 20_000) {
            for mode in [Mode::Ample, Mode::Lazy] {
                let red = search(&program, mode, 20_000)
                    .ok_or_else(|| TestCaseError::fail(format!("reduced too big\n{src}")))?;
                prop_assert_eq!(&full.found, &red.found, "{:?}\n{}", mode, src);
            }
        }
    }

    #[test]
    fn more_random_programs_reduced_find_the_same(
        bodies in prop::collection::vec(
            prop::collection::vec(0..MORE_STATEMENTS.len(), 1..4), 2..=3),
        looping in any::<bool>(),
    ) {
        let src = more_program(&bodies, looping);
        let program = compile(&src, &[]);
        if let Some(full) = search(&program, Mode::Full, 20_000) {
            for mode in [Mode::Ample, Mode::Lazy] {
                let red = search(&program, mode, 20_000)
                    .ok_or_else(|| TestCaseError::fail(format!("reduced too big\n{src}")))?;
                prop_assert_eq!(&full.found, &red.found, "{:?}\n{}", mode, src);
            }
        }
    }
}

/// Statements for the reduction's own random programs: what the shared
/// generator lacks (fair locks, rwlocks, condvars, joins, rendezvous, wait
/// groups, ghosts, dynamic indices, thread positions in asserts).
const MORE_STATEMENTS: &[&str] = &[
    "with fm { x = x + 1; }",
    "with m { while y == 3 { cv.wait(m); } y = y + 1; cv.notify_one(); }",
    "with m { cv.notify_all(); }",
    "with frw.read { let r = arr[0]; }",
    "with frw.write { arr[0] = 1; }",
    "with rw.write { arr[1] = 2; }",
    "with rw.read { let r = arr[1]; }",
    "fs.acquire(); arr[1] = arr[1] + 1; fs.release();",
    "join(t0);",
    "rv.send(1);",
    "let v = rv.recv(); x = v;",
    "ch.close();",
    "wg.add(1);",
    "wg.done();",
    "wg.wait();",
    "g = g + 1;",
    "await x == 1 || y == 1;",
    "arr[x % 2] = 2;",
    "a.cas(0, 1);",
    "if m.try_lock() { x = 1; m.unlock(); }",
    "let c = choose(0..3); arr[c % 2] = c;",
    "assert x != 3 || done(t0);",
    "y = y + 1;",
];

fn more_program(bodies: &[Vec<usize>], looping: bool) -> String {
    let mut src = String::from(
        "shared x: int in 0..4 = 0;\nshared y: int in 0..4 = 0;\nshared arr = [0, 0];\n\
         atomic a: int in 0..4 = 0;\nghost g: int in 0..4 = 0;\nmutex m;\nfair mutex fm;\n\
         rwlock rw;\nfair rwlock frw;\nfair semaphore fs = 1;\ncondvar cv;\n\
         channel ch capacity 1;\nchannel rv capacity 0;\nwaitgroup wg;\n",
    );
    for (i, body) in bodies.iter().enumerate() {
        src.push_str(&format!("thread t{i} {{\n"));
        if looping && i == 0 {
            src.push_str("    loop {\n");
        }
        for &k in body {
            let stmt = match MORE_STATEMENTS[k] {
                "join(t0);" if i == 0 => "fence;",
                s => s,
            };
            src.push_str(&format!("    {{ {stmt} }}\n"));
        }
        if looping && i == 0 {
            src.push_str("    progress;\n    }\n");
        }
        src.push_str("}\n");
    }
    src.push_str("invariant g < 3;\nfinal assert x >= 0;\n");
    labelled(&src)
}

/// Label the last statement of every thread `cs`, and add invariants on
/// where threads are.
fn labelled(src: &str) -> String {
    let mut lines: Vec<String> = src.lines().map(str::to_string).collect();
    let mut last = None;
    for i in 0..lines.len() {
        if lines[i].starts_with("    { ") {
            last = Some(i);
        }
        if lines[i] == "}" {
            if let Some(j) = last.take() {
                lines[j] = lines[j].replacen("    { ", "    cs: { ", 1);
            }
        }
    }
    lines.push("invariant !(t0@cs && t1@cs) || x == y;".into());
    lines.push("invariant !done(t0) || done(t1) || y == 0;".into());
    lines.join("\n")
}

/// A thread back at the top of its loop, past `progress;`, rests where it
/// first rested: the loop's head is one state, not one before and one after
/// the marker (the bounded buffer stored up to 17 times more states than
/// SPIN's before this), and the step that passed the marker is credited.
#[test]
fn a_step_settles_past_progress() {
    let program = compile(
        "mutex m;\nthread t[2] {\n    let r = 0;\n    loop {\n        m.lock();\n        m.unlock();\n        progress;\n        r = 0;\n    }\n}\n",
        &[],
    );
    let exec = Exec::new(&program);
    let start = exec.initial();
    let mut state = start.clone();
    let mut step = ThreadStep::default();
    let mut credited = Vec::new();
    for _ in 0..2 {
        exec.step(&state, 0, &mut step);
        credited.push(step.transitions[0].progress);
        state = step.transitions[0].state.clone();
    }
    assert_eq!(state, start);
    assert_eq!(credited, [false, true]);
}
