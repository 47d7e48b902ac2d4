//! The semantics of every construct, end to end through the front end: each
//! small program with the exact set of violation kinds it must produce.

use weft_explore::{check, Kind, Options, Outcome};

fn outcome(src: &str) -> Outcome {
    outcome_with(src, &Options::default())
}

fn outcome_with(src: &str, options: &Options) -> Outcome {
    let ast = weft_syntax::parse(src).unwrap_or_else(|e| panic!("parse: {e:?}\n{src}"));
    let program =
        weft_lower::compile(&ast, &[]).unwrap_or_else(|e| panic!("compile: {e:?}\n{src}"));
    check(&program, options, &mut |_| {})
}

fn kinds(src: &str) -> Vec<&'static str> {
    let mut k: Vec<Kind> = outcome(src).findings.iter().map(|f| f.kind).collect();
    k.sort();
    k.dedup();
    k.into_iter().map(Kind::name).collect()
}

macro_rules! verdict {
    ($name:ident, [$($kind:literal),*], $src:literal) => {
        #[test]
        fn $name() {
            let expected: Vec<&str> = vec![$($kind),*];
            assert_eq!(kinds($src), expected, "{}", $src);
        }
    };
}

verdict!(
    racy_counter,
    ["final", "data-race", "lost-update"],
    r#"
shared counter = 0;
thread inc[2] { counter = counter + 1; }
final assert counter == 2;
"#
);

verdict!(
    lost_update_through_a_local_copy,
    ["final", "data-race", "lost-update"],
    r#"
shared counter = 0;
thread inc[2] { let t = counter; t = t + 1; counter = t; }
final assert counter == 2;
"#
);

verdict!(
    a_label_inside_a_function_counts_at_every_call,
    ["invariant", "data-race", "lost-update"],
    r#"
shared x = 0;
fn bump() { inc: x = x + 1; }
thread a { bump(); bump(); }
thread b { x = x - 1; bump(); }
invariant "one at a time": !(a@inc && b@inc);
"#
);

verdict!(
    a_label_inside_a_function_under_its_lock_holds,
    [],
    r#"
shared x = 0;
mutex m;
fn bump() { with m { inc: x = x + 1; } }
thread a { bump(); bump(); }
thread b { bump(); }
invariant "one at a time": !(a@inc && b@inc);
final assert x == 3;
"#
);

verdict!(
    an_own_write_in_between_does_not_refresh_the_read,
    ["data-race", "lost-update"],
    r#"
shared c = 0;
thread a { let t = c; c = 0; c = t + 1; }
thread b { c = 9; }
"#
);

verdict!(
    compound_assignment_is_two_steps,
    ["final", "data-race", "lost-update"],
    r#"
shared counter = 0;
thread inc[2] { counter += 1; }
final assert counter == 2;
"#
);

verdict!(
    unrelated_write_is_a_race_but_no_lost_update,
    ["data-race"],
    r#"
shared x = 0;
shared y = 5;
thread a { x = y + 1; }
thread b { x = 3; }
"#
);

verdict!(
    locked_counter,
    [],
    r#"
shared counter = 0;
mutex m;
thread inc[3] { with m { counter = counter + 1; } }
final assert counter == 3;
"#
);

verdict!(
    atomic_counter,
    [],
    r#"
atomic counter = 0;
thread inc[3] { counter.fetch_add(1); }
final assert counter == 3;
"#
);

verdict!(
    atomic_block_counter,
    [],
    r#"
shared counter = 0;
thread inc[2] { atomic { counter = counter + 1; } }
final assert counter == 2;
"#
);

verdict!(
    atomic_block_against_plain_access_races,
    ["data-race"],
    r#"
shared x = 0;
thread a { atomic { x = x + 1; } }
thread b { x = 5; }
"#
);

verdict!(
    assert_reads_never_race,
    [],
    r#"
shared x = 0;
thread a { x = 1; }
thread b { assert x == 0 || x == 1; }
"#
);

verdict!(
    await_reads_race_with_plain_writes,
    ["data-race"],
    r#"
shared flag = false;
thread a { flag = true; }
thread b { await flag; }
"#
);

verdict!(
    await_on_atomic_is_fine,
    [],
    r#"
atomic flag = false;
shared data = 0;
thread a { data = 42; flag = true; }
thread b { await flag; assert data == 42; }
"#
);

verdict!(
    check_then_act_on_atomic_fails,
    ["assertion"],
    r#"
atomic x = 0;
ghost inside = 0;
thread t[2] {
    if x == 0 {
        x = 1;
        inside = inside + 1;
        assert inside == 1, "only one thread gets in";
    }
}
"#
);

verdict!(
    opposite_lock_order_deadlocks,
    ["deadlock"],
    r#"
mutex a;
mutex b;
thread x { a.lock(); b.lock(); b.unlock(); a.unlock(); }
thread y { b.lock(); a.lock(); a.unlock(); b.unlock(); }
"#
);

verdict!(
    nested_with_in_the_same_order_is_fine,
    [],
    r#"
mutex a;
mutex b;
shared n = 0;
thread t[2] { with a { with b { n = n + 1; } } }
final assert n == 2;
"#
);

verdict!(
    with_unlocks_on_break,
    [],
    r#"
mutex m;
shared n = 0;
thread t[2] {
    loop {
        with m {
            n = n + 1;
            break;
        }
    }
}
final assert n == 2;
"#
);

verdict!(
    try_lock,
    [],
    r#"
mutex m;
shared n = 0;
atomic tries = 0;
thread t[2] {
    if m.try_lock() {
        n = n + 1;
        m.unlock();
    }
}
"#
);

verdict!(
    relocking_a_held_mutex_is_a_runtime_error,
    ["runtime"],
    r#"
mutex m;
thread t { m.lock(); m.lock(); }
"#
);

verdict!(
    unlocking_a_free_mutex_is_a_runtime_error,
    ["runtime"],
    r#"
mutex m;
thread t { m.unlock(); }
"#
);

verdict!(
    unlocking_another_threads_mutex_is_a_runtime_error,
    ["runtime"],
    r#"
mutex m;
thread a { m.lock(); }
thread b { join(a); m.unlock(); }
"#
);

verdict!(
    finished_holder_deadlocks_the_waiter,
    ["deadlock"],
    r#"
mutex m;
thread a { m.lock(); }
thread b { join(a); m.lock(); }
"#
);

verdict!(
    rwlock_readers_share_writers_exclude,
    [],
    r#"
rwlock rw;
shared v = 0;
thread r[2] { with rw.read { let x = v; } }
thread w { with rw.write { v = v + 1; } }
"#
);

// LANGUAGE.md section 7 makes only a mutex's relock a runtime error: a
// rwlock taken again for writing, or for reading under the write lock, waits
// for its own holder.
verdict!(
    read_lock_then_write_lock_waits_for_itself,
    ["deadlock"],
    r#"
rwlock rw;
thread t { rw.read_lock(); rw.write_lock(); }
"#
);

verdict!(
    write_lock_then_read_lock_waits_for_itself,
    ["deadlock"],
    r#"
fair rwlock rw;
thread t { rw.write_lock(); rw.read_lock(); }
"#
);

// Read locks are not counted: a second one would be released by the first
// unlock, so it is refused.
verdict!(
    a_second_read_lock_is_a_runtime_error,
    ["runtime"],
    r#"
rwlock rw;
thread t { rw.read_lock(); rw.read_lock(); }
"#
);

verdict!(
    semaphore_orders_accesses,
    [],
    r#"
semaphore s = 0;
shared data = 0;
thread a { data = 1; s.release(); }
thread b { s.acquire(); assert data == 1; data = 2; }
final assert data == 2;
"#
);

verdict!(
    semaphore_with_no_release_deadlocks,
    ["deadlock"],
    r#"
semaphore s = 0;
thread b { s.acquire(); }
"#
);

verdict!(
    try_acquire,
    [],
    r#"
semaphore s = 1;
atomic got = 0;
thread t[2] { if s.try_acquire() { got.fetch_add(1); } }
final assert got == 1;
"#
);

verdict!(
    condvar_with_while_is_correct,
    [],
    r#"
mutex m;
condvar cv;
shared ready = false;
thread producer { with m { ready = true; cv.notify_one(); } }
thread consumer { with m { while !ready { cv.wait(m); } } }
"#
);

verdict!(
    condvar_notify_before_wait_without_a_flag_deadlocks,
    ["deadlock"],
    r#"
mutex m;
condvar cv;
thread producer { with m { cv.notify_one(); } }
thread consumer { with m { cv.wait(m); } }
"#
);

// A consumer that finds no item after the producer is done also waits forever.
verdict!(
    condvar_if_instead_of_while,
    ["assertion", "deadlock"],
    r#"
mutex m;
condvar cv;
shared items = 0;
thread producer { with m { items = items + 1; cv.notify_all(); } }
thread consumer[2] {
    with m {
        if items == 0 { cv.wait(m); }
        assert items > 0, "an item is there";
        items = items - 1;
    }
}
"#
);

verdict!(
    condvar_wait_without_the_mutex_is_a_runtime_error,
    ["runtime"],
    r#"
mutex m;
condvar cv;
thread t { cv.wait(m); }
"#
);

verdict!(
    notify_one_picks_any_waiter,
    ["deadlock"],
    r#"
mutex m;
condvar cv;
atomic woken = 0;
thread waiter[2] { with m { cv.wait(m); woken.fetch_add(1); } }
thread notifier { await woken == 0; with m { cv.notify_one(); } }
"#
);

verdict!(
    rendezvous_channel,
    [],
    r#"
channel ch capacity 0;
shared got = 0;
thread sender { ch.send(7); }
thread receiver { got = ch.recv(); }
final assert got == 7;
"#
);

verdict!(
    rendezvous_send_without_receiver_deadlocks,
    ["deadlock"],
    r#"
channel ch capacity 0;
thread sender { ch.send(7); }
"#
);

verdict!(
    buffered_channel_does_not_block_the_sender,
    [],
    r#"
channel ch capacity 1;
thread sender { ch.send(7); }
"#
);

verdict!(
    buffered_channel_full_blocks,
    ["deadlock"],
    r#"
channel ch capacity 1;
thread sender { ch.send(1); ch.send(2); }
"#
);

verdict!(
    channel_is_fifo_and_for_drains_it,
    [],
    r#"
channel ch capacity 2;
shared sum = 0;
thread producer { for i in 0..3 { ch.send(i + 1); } ch.close(); }
thread consumer {
    let expected = 1;
    for v in ch {
        assert v == expected, "values come in order";
        expected = expected + 1;
        sum = sum + v;
    }
}
final assert sum == 6;
"#
);

verdict!(
    receive_on_closed_empty_channel,
    ["runtime"],
    r#"
channel ch capacity 1;
thread a { ch.close(); }
thread b { let v = ch.recv(); }
"#
);

verdict!(
    send_on_closed_channel,
    ["runtime"],
    r#"
channel ch capacity 1;
thread a { ch.close(); ch.send(1); }
"#
);

verdict!(
    barrier_two_rounds,
    [],
    r#"
barrier b = 2;
atomic phase: [int; 2];
thread t[2] {
    for round in 0..2 {
        phase[self] = round + 1;
        b.wait();
        assert phase[1 - self] >= round + 1, "the other thread reached this round";
        b.wait();
    }
}
"#
);

verdict!(
    barrier_with_too_few_parties_deadlocks,
    ["deadlock"],
    r#"
barrier b = 3;
thread t[2] { b.wait(); }
"#
);

verdict!(
    waitgroup,
    [],
    r#"
waitgroup wg;
atomic started = false;
atomic done_count = 0;
thread main {
    wg.add(2);
    started = true;
    wg.wait();
    assert done_count == 2;
}
thread worker[2] { await started; done_count.fetch_add(1); wg.done(); }
"#
);

verdict!(
    waitgroup_negative_counter,
    ["runtime"],
    r#"
waitgroup wg;
thread t { wg.done(); }
"#
);

verdict!(
    join_orders_accesses,
    [],
    r#"
shared data = 0;
thread a { data = 1; }
thread b { join(a); data = data + 1; }
final assert data == 2;
"#
);

verdict!(
    choose_branches_over_every_value,
    ["assertion"],
    r#"
thread t { let v = choose(0..4); assert v != 3; }
"#
);

verdict!(
    division_by_zero,
    ["runtime"],
    r#"
shared d = 0;
thread t { let x = 10 / d; }
"#
);

verdict!(
    overflow,
    ["runtime"],
    r#"
const BIG = 9223372036854775807;
shared x = BIG;
thread t { x = x + 1; }
"#
);

// A remainder always fits in 64 bits (i64::MIN % -1 is 0); a quotient can
// overflow.
verdict!(
    the_smallest_int_modulo_minus_one_is_zero,
    [],
    r#"
shared x = 1;
thread t { let m = -9_223_372_036_854_775_807 - 1; x = m % -1; }
final assert x == 0;
"#
);

verdict!(
    the_smallest_int_divided_by_minus_one_overflows,
    ["runtime"],
    r#"
shared x = 1;
thread t { let m = -9_223_372_036_854_775_807 - 1; x = m / -1; }
"#
);

// Local work that ends runs within the next step however long it is.
verdict!(
    a_long_local_loop_runs_within_one_step,
    [],
    r#"
shared x = 0;
thread t { let s = 0; for i in 0..1_500_000 { s = s + 1; } x = s; }
final assert x == 1_500_000;
"#
);

verdict!(
    a_long_atomic_block_is_one_step,
    [],
    r#"
shared x = 0;
thread t { atomic { for i in 0..1_200_000 { x = x + 1; } } }
thread u { atomic { x = x + 1; } }
final assert x == 1_200_001;
"#
);

// Local work that comes back to a state it was in never reaches a step.
verdict!(
    a_local_loop_that_repeats_is_a_runtime_error,
    ["runtime"],
    r#"
shared x = 0;
thread t { let i = 0; while i < 10 { i = i + 1; if i == 10 { i = 0; } } x = 1; }
"#
);

verdict!(
    a_loop_of_progress_alone_never_reaches_a_step,
    ["runtime"],
    r#"
thread a { loop { progress; } }
"#
);

#[test]
fn an_endless_local_loop_is_named_as_one() {
    let out = outcome("thread a { let i = 0; loop { i = 1 - i; } }");
    let f = out.findings.iter().find(|f| f.kind == Kind::Runtime);
    let message = f.map(|f| f.message.as_str()).unwrap_or_default();
    assert!(message.contains("loops forever"), "{message}");
    let out = outcome("thread a { let i = 0; loop { i = i + 1; } }");
    let f = out.findings.iter().find(|f| f.kind == Kind::Runtime);
    let message = f.map(|f| f.message.as_str()).unwrap_or_default();
    assert!(message.contains("10000000 instructions"), "{message}");
}

/// A local loop around `choose` whose state repeats is not endless on the
/// branches that leave it: only the one that never does (32 zeros) fails.
#[test]
fn a_repeating_loop_around_choose_ends_on_each_branch_that_leaves_it() {
    let src = "shared x = 0;
thread t {
    while true {
        let s = 0;
        for i in 0..2000 { s = s + 1; }
        let c = choose(0..2);
        if c == 1 { break; }
    }
    x = 1;
}";
    let ast = weft_syntax::parse(src).expect("parses");
    let program = weft_lower::compile(&ast, &[]).expect("compiles");
    let exec = weft_explore::Exec::new(&program);
    let mut step = weft_explore::ThreadStep::default();
    exec.step(&exec.initial(), 0, &mut step);
    let ended = step
        .transitions
        .iter()
        .filter(|t| t.event.is_none())
        .count();
    let failed = step
        .transitions
        .iter()
        .filter(|t| t.event.is_some())
        .count();
    assert_eq!((ended, failed), (32, 1));
}

// A local array's elements at constant indices carry their own reads: the
// write below is not computed from the read of `c` (LANGUAGE.md section 7).
verdict!(
    lost_updates_follow_local_array_elements,
    ["final", "data-race"],
    r#"
shared c = 0;
thread t[2] { let a = [0, 1]; a[0] = c; a[0] = 3; c = a[1] + a[0] + self; }
final assert c == 4;
"#
);

// The thread is at a label while its next step is the labelled one, local
// work in front of it included (docs/language.md section 6.7).
verdict!(
    a_label_holds_before_its_step_past_local_work,
    ["invariant"],
    r#"
shared x = 0;
thread a { let k = 1; L: x = k; }
invariant !a@L;
"#
);

// A ghost access in that local work counts as where the step starts.
verdict!(
    a_label_past_a_ghost_access_waits_for_it,
    [],
    r#"
shared x = 0;
ghost g = 0;
thread a { let k = 1; g = 1; L: x = k; }
invariant !a@L;
"#
);

// However long that local work is (here past what settling runs ahead).
verdict!(
    a_label_holds_before_its_step_past_long_local_work,
    ["invariant"],
    r#"
shared x = 0;
thread a { let s = 0; for i in 0..20000 { s = s + 1; } L: x = s; }
invariant !a@L;
"#
);

verdict!(
    range_violation,
    ["runtime"],
    r#"
shared t: int in 0..3 = 0;
thread a { for i in 0..3 { t = t + 1; } }
"#
);

verdict!(
    index_out_of_bounds,
    ["runtime"],
    r#"
shared a: [int; 2];
thread t { for i in 0..3 { a[i] = 1; } }
"#
);

verdict!(
    a_thread_without_steps_finishes,
    [],
    r#"
shared x = 0;
thread t { let a = 1; a = a + 1; }
final assert x == 0;
"#
);

verdict!(
    join_self_deadlocks,
    ["deadlock"],
    r#"
thread t { join(t); }
"#
);

verdict!(
    ghosts_never_race,
    [],
    r#"
ghost g = 0;
thread t[2] { g = g + 1; }
final assert g == 2;
"#
);

verdict!(
    invariant_over_labels,
    ["invariant"],
    r#"
atomic taken = false;
thread t[2] {
    while taken { }
    taken = true;
    critical: progress;
    taken = false;
}
invariant "one at a time": !(t[0]@critical && t[1]@critical);
"#
);

verdict!(
    fair_mutex,
    [],
    r#"
fair mutex m;
shared n = 0;
thread t[3] { with m { n = n + 1; } }
final assert n == 3;
"#
);

verdict!(
    fair_semaphore,
    [],
    r#"
fair semaphore s = 1;
shared n = 0;
thread t[2] { s.acquire(); n = n + 1; s.release(); }
final assert n == 2;
"#
);

verdict!(
    fair_rwlock,
    [],
    r#"
fair rwlock rw;
shared v = 0;
thread r[2] { with rw.read { let x = v; } }
thread w { with rw.write { v = v + 1; } }
"#
);

verdict!(
    functions_are_inlined,
    ["final", "data-race", "lost-update"],
    r#"
shared counter = 0;
fn bump(x) { return x + 1; }
thread inc[2] { counter = bump(counter); }
final assert counter == 2;
"#
);

verdict!(
    polite_livelock,
    ["livelock"],
    r#"
atomic busy: [bool; 2];
thread worker[2] {
    busy[self] = true;
    while busy[1 - self] {
        busy[self] = false;
        busy[self] = true;
    }
    progress;
    busy[self] = false;
}
"#
);

verdict!(
    spin_wait_is_fine_under_fairness,
    [],
    r#"
atomic flag = false;
thread waiter { while !flag { } progress; }
thread setter { flag = true; }
"#
);

#[test]
fn spin_wait_livelocks_without_fairness() {
    let src = r#"
atomic flag = false;
thread waiter { while !flag { } progress; }
thread setter { flag = true; }
"#;
    let ast = weft_syntax::parse(src).expect("parses");
    let program = weft_lower::compile(&ast, &[]).expect("compiles");
    let options = Options {
        fairness: weft_explore::Fairness::None,
        ..Options::default()
    };
    let out = check(&program, &options, &mut |_| {});
    assert!(out.findings.iter().any(|f| f.kind == Kind::Livelock));
}

#[test]
fn readers_starve_a_writer_with_an_unfair_rwlock() {
    let out = outcome(
        r#"
rwlock rw;
shared value = 0;
thread reader[2] { loop { rw.read_lock(); let v = value; rw.read_unlock(); progress; } }
thread writer { loop { rw.write_lock(); value = 1; rw.write_unlock(); progress; } }
"#,
    );
    let starving: Vec<&str> = out
        .findings
        .iter()
        .filter(|f| f.kind == Kind::Starvation)
        .map(|f| f.message.as_str())
        .collect();
    assert!(
        starving
            .iter()
            .any(|m| m.contains("writer can wait forever")),
        "{starving:?}"
    );
    assert!(!out
        .findings
        .iter()
        .any(|f| f.kind.severity() == weft_explore::Severity::Error));
}

#[test]
fn racy_counter_state_count_is_pinned() {
    let src = r#"
shared counter = 0;
thread inc[2] { counter = counter + 1; }
final assert counter == 2;
"#;
    let plain = Options {
        reduction: false,
        symmetry: false,
        ..Options::default()
    };
    let out = outcome_with(src, &plain);
    // Levels of the search: 1 start; 2 one read; 3 (one done | both read);
    // 4 (one done, other read before or after the write); 2 final values.
    // A changed count means the step rules changed.
    assert_eq!(out.stats.states, 12, "{:?}", out.stats);
    // The two instances are interchangeable: symmetry folds the states
    // that differ only by which of them is ahead (12 -> 8).
    assert_eq!(outcome(src).stats.states, 8, "{:?}", outcome(src).stats);
}

// After the last test of `while taken { }` the thread's next step is the
// labelled write: it is at `critical` already, so the broken lock is caught
// even though the critical section is a single step.
verdict!(
    label_on_a_single_step_after_a_loop,
    ["invariant"],
    r#"
atomic taken = false;
thread t[2] {
    while taken { }
    critical: taken = true;
    taken = false;
}
invariant !(t[0]@critical && t[1]@critical);
"#
);

verdict!(
    label_on_a_single_step_guarded_by_a_lock_holds,
    [],
    r#"
mutex m;
atomic n = 0;
thread t[2] {
    m.lock();
    critical: n = self;
    m.unlock();
}
invariant !(t[0]@critical && t[1]@critical);
"#
);

// Local work that loops around a `choose` may never reach a step: the
// same runtime error as any loop without a step, not an endless search.
// (Storing forever without `progress;` is a livelock besides.)
verdict!(
    choose_in_a_local_loop_is_bounded,
    ["livelock", "runtime"],
    r#"
atomic a = 0;
thread t { loop { let c = choose(0..2); if c == 1 { a.store(2); } } }
"#
);

// More than 64 tracked cells: every cell keeps its own lost-update bits.
verdict!(
    lost_updates_beyond_64_cells,
    ["final", "data-race", "lost-update"],
    r#"
shared cells: [int; 70];
thread inc[2] { cells[69] = cells[69] + 1; }
final assert cells[69] == 2;
"#
);

// A constant index out of bounds, an empty `choose` and an instance out of
// bounds are runtime errors where they run (LANGUAGE.md section 7): code
// that never runs them is fine.
verdict!(
    an_index_out_of_bounds_that_never_runs_is_fine,
    [],
    r#"
const N = 2;
shared a: [int; 2];
shared x = 0;
thread t { if x == 1 { a[2] = 1; } if N > 2 { a[N] = 1; } a[0] = 1; }
final assert a[0] == 1;
"#
);

verdict!(
    a_constant_index_out_of_bounds_is_a_runtime_error,
    ["runtime"],
    r#"
shared a: [int; 3];
mutex fork[2];
thread t { a[3] = 1; }
thread u { with fork[2] { } }
"#
);

verdict!(
    an_empty_choose_is_a_runtime_error_where_it_runs,
    ["runtime"],
    r#"
shared x = 0;
thread t { if x == 1 { x = choose(2..2); } x = choose(3..1); }
"#
);

// `return;` in a thread's own body ends the thread, leaving its `with`
// and `atomic` blocks on the way.
verdict!(
    return_ends_a_thread_and_unlocks,
    [],
    r#"
mutex m;
shared c = 0;
atomic d = 0;
thread t[2] { with m { c = c + 1; return; } c = 100; }
thread u { for i in 0..5 { atomic { d = d + 1; if d == 2 { return; } } } d = 100; }
final assert c == 2 && d == 2;
"#
);

// A write at an index known only at run time, of a value read from
// another element: no lost update when another thread wrote the written
// cell, which this thread read only for a different write.
verdict!(
    a_write_from_another_element_loses_no_update,
    ["data-race"],
    r#"
shared arr: [int; 2];
thread a { let j = 1; let t = arr[0]; let u = arr[j]; arr[j] = t + 1; arr[0] = u; }
thread b { arr[1] = 5; }
"#
);

// The same write of a value read from the element it writes does.
verdict!(
    a_write_from_the_same_element_at_a_run_time_index_loses_an_update,
    ["data-race", "lost-update"],
    r#"
shared arr: [int; 2];
thread a { let j = 0; let t = arr[0]; arr[j] = t + 1; }
thread b { arr[0] = 5; }
"#
);
