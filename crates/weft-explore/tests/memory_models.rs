//! The weak memory models (LANGUAGE.md section 8), end to end through the
//! front end: litmus tests and the rules for fences, locks, atomics,
//! `atomic { }`, `join` and finishing, each with the exact set of violation
//! kinds it must produce under `sc`, `tso` and `pso`.

use proptest::prelude::*;
use std::collections::BTreeSet;
use weft_explore::{check, Kind, Options, Outcome};
use weft_ir::Memory;

#[path = "support/random_program.rs"]
mod random_program;
use random_program::{bodies, program};

const TSO: Memory = Memory::Tso { buffer: 4 };
const PSO: Memory = Memory::Pso { buffer: 4 };

fn outcome(src: &str, memory: Memory, options: &Options) -> Outcome {
    let ast = weft_syntax::parse(src).unwrap_or_else(|e| panic!("parse: {e:?}\n{src}"));
    let mut program =
        weft_lower::compile(&ast, &[]).unwrap_or_else(|e| panic!("compile: {e:?}\n{src}"));
    program.memory = memory;
    check(&program, options, &mut |_| {})
}

fn kinds(src: &str, memory: Memory) -> Vec<&'static str> {
    let mut k: Vec<Kind> = (outcome(src, memory, &Options::default()).findings)
        .iter()
        .map(|f| f.kind)
        .collect();
    k.sort();
    k.dedup();
    k.into_iter().map(Kind::name).collect()
}

/// The kinds a program gives under each model.
macro_rules! models {
    ($name:ident, sc: [$($sc:literal),*], tso: [$($tso:literal),*], pso: [$($pso:literal),*], $src:literal) => {
        #[test]
        fn $name() {
            let sc: Vec<&str> = vec![$($sc),*];
            let tso: Vec<&str> = vec![$($tso),*];
            let pso: Vec<&str> = vec![$($pso),*];
            assert_eq!(kinds($src, Memory::Sc), sc, "sc\n{}", $src);
            assert_eq!(kinds($src, TSO), tso, "tso\n{}", $src);
            assert_eq!(kinds($src, PSO), pso, "pso\n{}", $src);
        }
    };
}

models!(
    store_buffering_reorders_a_write_with_a_later_read,
    sc: ["data-race"],
    tso: ["final", "data-race"],
    pso: ["final", "data-race"],
    r#"
shared x = 0;
shared y = 0;
shared r0 = 0;
shared r1 = 0;
thread a { x = 1; r0 = y; }
thread b { y = 1; r1 = x; }
final assert r0 == 1 || r1 == 1;
"#
);

models!(
    fences_forbid_store_buffering,
    sc: ["data-race"],
    tso: ["data-race"],
    pso: ["data-race"],
    r#"
shared x = 0;
shared y = 0;
shared r0 = 0;
shared r1 = 0;
thread a { x = 1; fence; r0 = y; }
thread b { y = 1; fence; r1 = x; }
final assert r0 == 1 || r1 == 1;
"#
);

models!(
    one_fence_is_not_enough,
    sc: ["data-race"],
    tso: ["final", "data-race"],
    pso: ["final", "data-race"],
    r#"
shared x = 0;
shared y = 0;
shared r0 = 0;
shared r1 = 0;
thread a { x = 1; fence; r0 = y; }
thread b { y = 1; r1 = x; }
final assert r0 == 1 || r1 == 1;
"#
);

models!(
    message_passing_breaks_only_under_pso,
    sc: ["data-race"],
    tso: ["data-race"],
    pso: ["assertion", "data-race"],
    r#"
shared data = 0;
shared ready = false;
thread producer { data = 42; ready = true; }
thread consumer {
    let seen = ready;
    if seen { assert data == 42, "ready implies data"; }
}
"#
);

models!(
    a_fence_between_the_writes_keeps_their_order,
    sc: ["data-race"],
    tso: ["data-race"],
    pso: ["data-race"],
    r#"
shared data = 0;
shared ready = false;
thread producer { data = 42; fence; ready = true; }
thread consumer {
    let seen = ready;
    if seen { assert data == 42, "ready implies data"; }
}
"#
);

models!(
    a_thread_reads_its_own_buffered_write,
    sc: [],
    tso: [],
    pso: [],
    r#"
shared x = 0;
shared y = 0;
thread a { x = 1; x = 2; y = x + 1; assert x == 2 && y == 3; }
thread b { let v = 0; v = v + 1; }
final assert x == 2 && y == 3;
"#
);

models!(
    atomic_variables_stay_sequentially_consistent,
    sc: [],
    tso: [],
    pso: [],
    r#"
atomic x = 0;
atomic y = 0;
shared r0 = 0;
shared r1 = 0;
thread a { x.store(1); r0 = y.load(); }
thread b { y.store(1); r1 = x.load(); }
final assert r0 == 1 || r1 == 1;
"#
);

models!(
    locks_drain_the_buffer,
    sc: [],
    tso: [],
    pso: [],
    r#"
shared x = 0;
shared y = 0;
shared r0 = 0;
shared r1 = 0;
mutex m;
thread a { with m { x = 1; } with m { r0 = y; } }
thread b { with m { y = 1; } with m { r1 = x; } }
final assert r0 == 1 || r1 == 1;
"#
);

models!(
    atomic_blocks_write_to_memory,
    sc: [],
    tso: [],
    pso: [],
    r#"
shared x = 0;
shared y = 0;
shared r0 = 0;
shared r1 = 0;
thread a { atomic { x = 1; } atomic { r0 = y; } }
thread b { atomic { y = 1; } atomic { r1 = x; } }
final assert r0 == 1 || r1 == 1;
"#
);

models!(
    a_thread_finishes_only_when_its_buffer_is_drained,
    sc: [],
    tso: [],
    pso: [],
    r#"
shared x = 0;
shared y = 0;
thread w { x = 1; y = 2; }
thread m { join(w); assert x == 1 && y == 2, "join sees every write"; }
final assert x == 1 && y == 2;
"#
);

models!(
    lost_updates_are_found_at_the_flush,
    sc: ["final", "data-race", "lost-update"],
    tso: ["final", "data-race", "lost-update"],
    pso: ["final", "data-race", "lost-update"],
    r#"
shared counter = 0;
thread inc[2] { counter = counter + 1; counter = counter + 1; }
final assert counter == 4;
"#
);

models!(
    deadlocks_are_still_deadlocks,
    sc: ["deadlock"],
    tso: ["deadlock"],
    pso: ["deadlock"],
    r#"
mutex a;
mutex b;
shared x = 0;
thread t1 { with a { x = 1; with b { } } }
thread t2 { with b { with a { } } }
"#
);

models!(
    spinning_on_a_flag_is_no_livelock,
    sc: ["data-race"],
    tso: ["data-race"],
    pso: ["data-race"],
    r#"
shared flag = false;
shared done_ = 0;
thread setter { flag = true; }
thread waiter { while !flag { } done_ = 1; }
final assert done_ == 1;
"#
);

models!(
    dekker_entry_breaks_under_tso,
    sc: ["data-race"],
    tso: ["invariant", "data-race"],
    pso: ["invariant", "data-race"],
    r#"
shared want: [bool; 2];
thread p[2] {
    want[self] = true;
    if !want[1 - self] {
        critical: want[self] = false;
    }
}
invariant "mutual exclusion": !(p[0]@critical && p[1]@critical);
"#
);

/// Verdicts and schedules do not depend on the number of workers under a
/// weak model either.
#[test]
fn jobs_do_not_change_weak_memory_results() {
    let src = r#"
shared flag: [bool; 2];
shared turn = 0;
shared count = 0;
thread p[2] {
    flag[self] = true;
    turn = 1 - self;
    while flag[1 - self] && turn == 1 - self { }
    critical: count = count + 1;
    flag[self] = false;
}
invariant "mutual exclusion": !(p[0]@critical && p[1]@critical);
final assert count == 2;
"#;
    for memory in [TSO, PSO] {
        let runs: Vec<String> = [1, 2]
            .into_iter()
            .map(|jobs| {
                let options = Options {
                    jobs,
                    ..Options::default()
                };
                let o = outcome(src, memory, &options);
                format!("{:?} {}", o.findings, o.stats.states)
            })
            .collect();
        assert_eq!(runs[0], runs[1], "{memory:?}");
        assert!(runs[0].contains("Invariant"), "{memory:?}: {}", runs[0]);
    }
}

/// A smaller buffer bound explores fewer reorderings, never more, and a
/// bound of one still finds store buffering.
#[test]
fn the_buffer_bound_limits_the_states() {
    let src = r#"
shared x = 0;
shared y = 0;
shared r0 = 0;
shared r1 = 0;
thread a { x = 1; x = 2; x = 3; r0 = y; }
thread b { y = 1; y = 2; y = 3; r1 = x; }
final assert r0 == 3 || r1 == 3;
"#;
    let states = |buffer| {
        let o = outcome(src, Memory::Tso { buffer }, &Options::default());
        assert!(
            o.findings.iter().any(|f| f.kind == Kind::Final),
            "buffer {buffer}"
        );
        o.stats.states
    };
    let (one, two, four) = (states(1), states(2), states(4));
    assert!(one < two && two < four, "{one} {two} {four}");
}

models!(
    a_buffered_write_is_flushed_eventually,
    sc: ["data-race"],
    tso: ["data-race"],
    pso: ["data-race"],
    r#"
shared flag = false;
shared x = 0;
thread a { x = 1; while !flag { } }
thread b { while x == 0 { } flag = true; }
"#
);

/// The violation kinds of `src` under `memory`, or `None` when the search
/// hit the state limit.
fn kinds_within(src: &str, memory: Memory, jobs: usize) -> Option<(BTreeSet<Kind>, u64)> {
    let options = Options {
        max_states: Some(40_000),
        jobs,
        ..Options::default()
    };
    let out = outcome(src, memory, &options);
    if out.limit.is_some() {
        return None;
    }
    Some((
        out.findings.iter().map(|f| f.kind).collect(),
        out.stats.states,
    ))
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 64,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    /// Each model allows every behaviour of the stronger one (a flush right
    /// after each write is sequential consistency; flushing the buffers of
    /// `pso` in the order of the writes is `tso`), and fairness covers the
    /// buffers, so every violation kind found under `sc` is found under
    /// `tso`, and every one found under `tso` under `pso`; one or two
    /// workers find the same.
    #[test]
    fn weaker_models_find_every_violation_of_stronger_ones((bodies, looping) in bodies()) {
        let src = program(&bodies, looping);
        let (Some(sc), Some(tso), Some(pso)) = (
            kinds_within(&src, Memory::Sc, 1),
            kinds_within(&src, TSO, 1),
            kinds_within(&src, PSO, 1),
        ) else {
            return Ok(());
        };
        prop_assert!(sc.0.is_subset(&tso.0), "sc {:?} tso {:?}\n{}", sc.0, tso.0, src);
        prop_assert!(tso.0.is_subset(&pso.0), "tso {:?} pso {:?}\n{}", tso.0, pso.0, src);
        prop_assert_eq!(kinds_within(&src, TSO, 2), Some(tso), "{}", src);
    }
}

/// Whether the final assertion fails under `sc`, `tso` and `pso` (the
/// relaxed outcome it forbids is allowed), with every other kind ignored:
/// the classic litmus tests beyond store buffering and message passing.
macro_rules! litmus {
    ($name:ident, [$sc:literal, $tso:literal, $pso:literal], $src:literal) => {
        #[test]
        fn $name() {
            let fails = |m| kinds($src, m).contains(&"final");
            assert_eq!(
                [fails(Memory::Sc), fails(TSO), fails(PSO)],
                [$sc, $tso, $pso],
                "final fails under [sc, tso, pso]\n{}",
                $src
            );
        }
    };
}

litmus!(
    load_buffering_never_reorders_a_read_with_a_later_write,
    [false, false, false],
    r#"
shared x = 0; shared y = 0; shared r0 = 0; shared r1 = 0;
thread a { let t = x; y = 1; r0 = t; }
thread b { let t = y; x = 1; r1 = t; }
final assert !(r0 == 1 && r1 == 1);
"#
);

litmus!(
    two_plus_two_writes_reorder_only_under_pso,
    [false, false, true],
    r#"
shared x = 0; shared y = 0;
thread a { x = 1; y = 2; }
thread b { y = 1; x = 2; }
final assert !(x == 1 && y == 1);
"#
);

litmus!(
    the_r_test_shows_store_buffering,
    [false, true, true],
    r#"
shared x = 0; shared y = 0; shared r0 = 0;
thread a { x = 1; y = 1; }
thread b { y = 2; let t = x; r0 = t; }
final assert !(y == 2 && r0 == 0);
"#
);

litmus!(
    the_s_test_reorders_writes_only_under_pso,
    [false, false, true],
    r#"
shared x = 0; shared y = 0; shared r0 = 0;
thread a { x = 2; y = 1; }
thread b { let t = y; x = 1; r0 = t; }
final assert !(x == 2 && r0 == 1);
"#
);

litmus!(
    independent_reads_of_independent_writes_agree_on_their_order,
    [false, false, false],
    r#"
shared x = 0; shared y = 0;
shared r0 = 0; shared r1 = 0; shared r2 = 0; shared r3 = 0;
thread w1 { x = 1; }
thread w2 { y = 1; }
thread o1 { let a = x; let b = y; r0 = a; r1 = b; }
thread o2 { let a = y; let b = x; r2 = a; r3 = b; }
final assert !(r0 == 1 && r1 == 0 && r2 == 1 && r3 == 0);
"#
);

// Each cell of an array is a variable of its own (LANGUAGE.md section 3),
// so under pso it has its own buffer: message passing through two cells
// of one array fails as through two variables.
litmus!(
    array_cells_have_buffers_of_their_own_under_pso,
    [false, false, true],
    r#"
shared a = [0, 0]; shared r0 = 0; shared r1 = 0;
thread w { a[0] = 1; a[1] = 1; }
thread r { let f = a[1]; let d = a[0]; r0 = f; r1 = d; }
final assert !(r0 == 1 && r1 == 0);
"#
);

litmus!(
    a_fence_in_the_reader_alone_does_not_fix_message_passing,
    [false, false, true],
    r#"
shared data = 0; shared flag = 0; shared r0 = 0; shared r1 = 0;
thread a { data = 1; flag = 1; }
thread b { let f = flag; fence; let d = data; r0 = f; r1 = d; }
final assert !(r0 == 1 && r1 == 0);
"#
);

litmus!(
    reads_of_one_cell_stay_coherent,
    [false, false, false],
    r#"
shared x = 0; shared r0 = 0; shared r1 = 0;
thread a { x = 1; x = 2; }
thread b { let u = x; let v = x; r0 = u; r1 = v; }
final assert !(r0 == 2 && r1 == 1);
"#
);

models!(
    a_thread_blocked_in_await_still_flushes,
    sc: ["data-race"],
    tso: ["data-race"],
    pso: ["data-race"],
    r#"
shared x = 0; shared y = 0;
thread a { x = 1; await y == 1; }
thread b { await x == 1; y = 1; }
final assert x == 1 && y == 1;
"#
);

// A thread with no code has no write to buffer: it finishes in its one
// step under every model (it used to wait forever under tso and pso, a
// deadlock that hid the store-buffering result).
models!(
    a_thread_with_no_code_finishes_under_every_model,
    sc: ["data-race"],
    tso: ["final", "data-race"],
    pso: ["final", "data-race"],
    r#"
shared x = 0;
shared y = 0;
shared r0 = 0;
shared r1 = 0;
thread z { }
thread a { x = 1; join(z); r0 = y; }
thread b { y = 1; r1 = x; }
final assert r0 == 1 || r1 == 1;
"#
);

/// The step of a thread with no code is in the schedules that need it.
#[test]
fn schedules_keep_the_step_of_a_thread_with_no_code() {
    let src = "thread z { }\nthread a { join(z); assert false; }\n";
    for memory in [Memory::Sc, TSO, PSO] {
        let o = outcome(src, memory, &Options::default());
        let f = (o.findings.iter())
            .find(|f| f.kind == Kind::Assertion)
            .unwrap_or_else(|| panic!("{memory:?}: {:?}", o.findings));
        let threads: Vec<u32> = f.schedule.iter().map(|s| s.thread).collect();
        assert_eq!(threads, [0, 1, 1], "{memory:?}");
    }
}
