//! The step structure of each construct (LANGUAGE.md section 6): a snapshot
//! of the compiled listing, plus an assertion of the property that matters,
//! so accepting a snapshot cannot approve wrong steps.

#![allow(clippy::unwrap_used)] // tests may unwrap

mod common;

use common::{compile, compile_with, listing, ops, writes_from_read};
use insta::assert_snapshot;
use weft_ir::{Expr, ObjRef, Op};

#[test]
fn increment_is_a_read_then_a_write_from_the_read() {
    let src = "shared counter = 0;\nthread inc[2] { counter = counter + 1; }";
    let p = compile(src);
    assert!(matches!(
        ops(&p, 0)[..],
        [
            Op::Read { racy: true, .. },
            Op::Write {
                from_read: weft_ir::FromRead::Yes,
                keeps_read: false,
                ..
            },
            Op::Clear { .. }
        ]
    ));
    assert_snapshot!(listing(src));
}

#[test]
fn a_write_through_a_local_is_from_the_read() {
    let src = "shared counter = 0;\nthread inc[2] { let t = counter; t = t + 1; counter = t; }";
    let p = compile(src);
    assert_eq!(writes_from_read(&p, 0), [true]);
    assert_snapshot!(listing(src));
}

#[test]
fn a_write_from_another_variable_is_not_from_a_read() {
    let src = "shared x = 0;\nshared y = 0;\nthread a { x = y + 1; }";
    let p = compile(src);
    assert_eq!(writes_from_read(&p, 0), [false]);
    assert_snapshot!(listing(src));
}

#[test]
fn a_write_from_another_element_is_not_from_a_read() {
    // LANGUAGE.md: a lost update is a write "with a value computed from an
    // earlier read of that cell". At constant indices the cells are known:
    // `a[1]` written from `a[0]` is not from its own read of `a[1]`.
    let src = "shared a = [0, 0];
thread t {
    let r = a[1];
    a[1] = a[0];
    a[0] = r;
    a[1] = a[1] + r;
    let i = 1;
    a[i] = a[0];
    a[1] = a[i];
}";
    let p = compile(src);
    // a[1] = a[0]: no; a[0] = r (r from a[1]): no; a[1] = a[1] + r: yes;
    // a[i] (an element not known before the run) = a[0]: maybe, so yes;
    // a[1] = a[i] (a[i] may be a[1]): yes.
    assert_eq!(writes_from_read(&p, 0), [false, false, true, true, true]);
}

#[test]
fn local_array_elements_at_constant_indices_carry_their_own_reads() {
    // The read of `c` goes into `a[0]`: a write of `a[1]` (another
    // element) is not from it, nor one of `a[0]` after a constant replaced
    // it; a write of `a[j]` (any element) may be.
    let src = "shared c = 0;
thread t {
    let a = [0, 1];
    a[0] = c;
    c = a[1] + 1;
    c = a[0] + 1;
    let j = 1;
    a[0] = c;
    c = a[j];
    a[0] = c;
    a[0] = 3;
    c = a[0];
}";
    let p = compile(src);
    assert_eq!(writes_from_read(&p, 0), [false, true, true, false]);
}

#[test]
fn a_write_at_a_run_time_index_records_the_elements_its_value_was_read_from() {
    use weft_ir::FromRead;
    // `a[j] = t + 1`: from a read of `a[0]` only, so from a read of the
    // cell it writes only when `j` is 0; `a[j] = a[k]`: from an element
    // known only at run time, any; `a[0] = a[0] + 1`: constant, as before.
    let src = "shared a = [0, 0, 0];
thread t {
    let j = 1;
    let k = 2;
    let t = a[0];
    let u = a[2];
    a[j] = t + u;
    a[j] = a[k];
    a[0] = a[0] + 1;
}";
    let p = compile(src);
    let from: Vec<FromRead> = ops(&p, 0)
        .into_iter()
        .filter_map(|op| match op {
            Op::Write { from_read, .. } => Some(from_read.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(
        from,
        [
            FromRead::Elements(vec![0, 2].into()),
            FromRead::Yes,
            FromRead::Yes
        ]
    );
}

#[test]
fn a_constant_test_goes_one_way_for_the_taint() {
    // `if true` always replaces `t`: the write is of 5, not of the read.
    let src = "const ON = true;
shared x = 0;
thread a { let t = x; if ON { t = 5; } x = t; }
thread b { let t = x; if !ON { t = 5; } x = t; }";
    let p = compile(src);
    assert_eq!(writes_from_read(&p, 0), [false]);
    assert_eq!(writes_from_read(&p, 1), [true]);
}

#[test]
fn only_reads_a_write_of_their_cell_may_use_are_tracked() {
    // The lost-update check remembers a read only if a write of the same
    // cell may use its value: the re-check in the `if` does not count, so
    // it cannot make the older read look fresh.
    let src = "shared b = 100;
thread w {
    let old = b;
    if b >= 10 {
        b = old - 10;
    }
}";
    let p = compile(src);
    let tracked: Vec<bool> = ops(&p, 0)
        .iter()
        .filter_map(|op| match op {
            Op::Read { tracked, .. } => Some(*tracked),
            _ => None,
        })
        .collect();
    assert_eq!(tracked, [true, false]);
    assert_eq!(writes_from_read(&p, 0), [true]);
}

#[test]
fn taint_flows_through_parameters_returns_and_loops() {
    let src = "
shared x = 0;
fn plus(v) { return v + 1; }
thread a {
    let t = 0;
    for i in 0..2 {
        x = t;
        t = plus(x);
    }
}";
    let p = compile(src);
    // The first write is reached a second time with `t` from the read of x.
    assert_eq!(writes_from_read(&p, 0), [true]);
    let src2 = "shared x = 0;\nshared y = 0;\nthread a { let t = x; if t > 0 { y = 1; } x = 5; }";
    // Control dependence does not count.
    assert_eq!(writes_from_read(&compile(src2), 0), [false, false]);
    assert_snapshot!(listing(src));
}

#[test]
fn compound_assignment_on_shared_reads_then_writes() {
    let src =
        "shared c = 0;\nshared a = [0, 0];\nthread t { let i = 1; c += 2; a[i] *= 3; c++; i--; }";
    let p = compile(src);
    assert_eq!(writes_from_read(&p, 0), [true, true, true]);
    assert_eq!(
        ops(&p, 0)
            .iter()
            .filter(|o| matches!(o, Op::Read { .. }))
            .count(),
        3
    );
    assert_snapshot!(listing(src));
}

#[test]
fn reads_are_left_to_right_with_indices_first() {
    let src =
        "shared a = [1, 2];\nshared i = 0;\nshared b = 0;\nthread t { b = a[i] + b * a[1 - i]; }";
    let p = compile(src);
    let read_vars: Vec<u32> = ops(&p, 0)
        .iter()
        .filter_map(|o| match o {
            Op::Read { cell, .. } => Some(cell.var),
            _ => None,
        })
        .collect();
    assert_eq!(read_vars, [1, 0, 2, 1, 0]);
    assert_snapshot!(listing(src));
}

#[test]
fn and_with_steps_on_the_right_short_circuits() {
    let src = "
shared x = 0;
fn f() { return x > 0; }
thread t {
    let a = true;
    let b = a && f();
    let c = a && !b;
}";
    let p = compile(src);
    let code = ops(&p, 0);
    let read_at = code
        .iter()
        .position(|o| matches!(o, Op::Read { .. }))
        .unwrap();
    let jump_at = code
        .iter()
        .position(|o| matches!(o, Op::JumpIfNot { .. }))
        .unwrap();
    assert!(
        jump_at < read_at,
        "the read of f() happens only when `a` holds"
    );
    // `a && !b` has no step: one strict expression.
    assert!(code.iter().any(|o| matches!(
        o,
        Op::Set {
            value: Expr::Binary(weft_ir::BinOp::And, ..),
            ..
        }
    )));
    assert_snapshot!(listing(src));
}

#[test]
fn division_on_the_right_of_and_is_guarded() {
    let src = "thread t { let d = 0; let ok = d != 0 && 10 / d > 1; }";
    let p = compile(src);
    assert!(ops(&p, 0).iter().any(|o| matches!(o, Op::JumpIfNot { .. })));
}

#[test]
fn break_out_of_with_unlocks_first() {
    let src = "
mutex m;
shared x = 0;
thread t {
    loop {
        with m {
            if x == 1 { break; }
            x = 1;
        }
    }
}";
    let p = compile(src);
    let code = ops(&p, 0);
    assert_eq!(
        code.iter()
            .filter(|o| matches!(o, Op::Unlock { .. }))
            .count(),
        2
    );
    let brk = code
        .iter()
        .position(|o| matches!(o, Op::Unlock { .. }))
        .unwrap();
    assert!(matches!(
        code[brk + 1..]
            .iter()
            .find(|o| !matches!(o, Op::Clear { .. })),
        Some(Op::Jump(_))
    ));
    assert_snapshot!(listing(src));
}

#[test]
fn fair_objects_queue_for_a_grant() {
    let src = "
fair mutex m;
fair rwlock rw;
fair semaphore s = 1;
mutex plain;
thread t {
    m.lock(); m.unlock();
    with rw.read { }
    with rw.write { }
    s.acquire(); s.release();
    with plain { }
}";
    let p = compile(src);
    let code = ops(&p, 0);
    assert!(matches!(code[..2], [Op::Lock { .. }, Op::LockGrant { .. }]));
    assert_eq!(
        code.iter()
            .filter(|o| matches!(o, Op::RwGrant { .. }))
            .count(),
        2
    );
    assert!(code.iter().any(|o| matches!(o, Op::AcquireGrant { .. })));
    assert_eq!(
        code.iter()
            .filter(|o| matches!(o, Op::LockGrant { .. }))
            .count(),
        1,
        "plain mutex has no grant"
    );
    assert_snapshot!(listing(src));
}

#[test]
fn condvar_wait_releases_sleeps_and_relocks() {
    let src = "
fair mutex m;
condvar cv;
shared ready = false;
thread waiter { with m { while !ready { cv.wait(m); } } }
thread setter { with m { ready = true; cv.notify_one(); } }";
    let p = compile(src);
    let code = ops(&p, 0);
    let w = code
        .iter()
        .position(|o| matches!(o, Op::CvWait { .. }))
        .unwrap();
    assert!(matches!(
        code[w + 1..w + 3],
        [Op::CvRelock { .. }, Op::LockGrant { .. }]
    ));
    assert_snapshot!(listing(src));
}

#[test]
fn rendezvous_send_waits_for_the_receiver() {
    let src = "
channel sync capacity 0;
channel buffered capacity 1;
shared got = 0;
thread s { sync.send(1); buffered.send(2); buffered.close(); }
thread r { got = sync.recv(); sync.recv(); }";
    let p = compile(src);
    assert!(matches!(
        ops(&p, 0)[..],
        [
            Op::Send { .. },
            Op::SendWait { .. },
            Op::Send { .. },
            Op::Close { .. }
        ]
    ));
    assert_snapshot!(listing(src));
}

#[test]
fn for_in_channel_receives_until_closed() {
    let src = "
channel ch capacity 2;
shared sum = 0;
thread consumer { for v in ch { if v == 0 { continue; } sum = sum + v; } }
thread producer { ch.send(1); ch.close(); }";
    let p = compile(src);
    let code = ops(&p, 0);
    let Op::RecvOrEnd { dst, end, .. } = code[0] else {
        panic!("head is not RecvOrEnd: {:?}", code[0])
    };
    assert!(matches!(code[*end as usize], Op::Clear { from, to } if from <= dst && dst < to));
    assert_snapshot!(listing(src));
}

#[test]
fn assert_and_await_are_one_step_each() {
    let src = "
shared x = 0;
shared y = 0;
thread t {
    assert x == y, \"equal\";
    await x > 0;
    assert true;
}";
    let p = compile(src);
    let code = ops(&p, 0);
    assert!(matches!(
        code[..5],
        [
            Op::AtomicBegin { block: false },
            Op::Read { racy: false, .. },
            Op::Read { racy: false, .. },
            Op::Assert { .. },
            Op::AtomicEnd
        ]
    ));
    let aw = code
        .iter()
        .position(|o| matches!(o, Op::Await { .. }))
        .unwrap();
    assert!(matches!(code[aw - 1], Op::Read { racy: true, .. }));
    assert!(matches!(code[aw + 1], Op::AtomicEnd));
    assert_snapshot!(listing(src));
}

#[test]
fn atomic_blocks_end_on_every_exit() {
    let src = "
shared x = 0;
fn bump() { atomic { if x > 3 { return; } x = x + 1; } }
thread t {
    for i in 0..3 {
        atomic { if x == 2 { break; } x = x + 1; }
        bump();
    }
}";
    let p = compile(src);
    let code = ops(&p, 0);
    let begins = code
        .iter()
        .filter(|o| matches!(o, Op::AtomicBegin { .. }))
        .count();
    let ends = code.iter().filter(|o| matches!(o, Op::AtomicEnd)).count();
    assert_eq!((begins, ends), (2, 4));
    assert_snapshot!(listing(src));
}

#[test]
fn labels_cover_their_statement() {
    let src = "
shared x = 0;
thread t[2] {
    x = x + 1;
    cs: progress;
    out: { x = 0; }
}
invariant !(t[0]@cs && t[1]@cs);
final assert done(t[0]);";
    let p = compile(src);
    let labels = &p.codes[0].labels;
    assert_eq!(
        labels.iter().map(|l| l.name.as_str()).collect::<Vec<_>>(),
        ["cs", "out"]
    );
    // Exactly the instructions of the labelled statement.
    assert_eq!((labels[0].start, labels[0].end), (3, 4));
    assert!(matches!(p.codes[0].instrs[3].op, Op::Progress));
    assert_snapshot!(listing(src));
}

#[test]
fn a_label_in_a_function_has_a_range_per_call() {
    let src = "
shared x = 0;
fn bump() { inc: x = x + 1; }
fn twice() { bump(); bump(); }
thread t[2] {
    first: x = 0;
    twice();
}
thread u { x = 5; }
invariant !(t[0]@inc && t[1]@inc);";
    let p = compile(src);
    let t = &p.codes[0];
    assert_eq!(
        t.labels.iter().map(|l| l.name.as_str()).collect::<Vec<_>>(),
        ["first", "inc"]
    );
    let inc = &t.labels[1];
    assert_eq!(inc.more.len(), 1, "{inc:?}");
    // Each range is one inlined `x = x + 1`: a read, then the write (and
    // the clear of its temporary, which is trailing: a thread past the
    // write has left `inc`).
    for (start, end) in std::iter::once((inc.start, inc.end)).chain(inc.more.iter().copied()) {
        let ops: Vec<&Op> = (start..end).map(|pc| &t.instrs[pc as usize].op).collect();
        assert!(
            matches!(
                ops[..],
                [Op::Read { .. }, Op::Write { .. }, Op::Clear { .. }]
            ),
            "{start}..{end}: {ops:?}"
        );
        let at: Vec<bool> = (start..end).map(|pc| inc.contains(pc as usize)).collect();
        assert_eq!(at, [true, true, false], "{start}..{end}");
    }
    assert!(!inc.contains(0));
    // A thread that never calls the function has none of its labels.
    assert!(p.codes[1].labels.is_empty());
}

/// The local work that only the statement's own steps lead to is not part
/// of its label; local work a thread reaches from outside is.
#[test]
fn trailing_local_work_is_outside_its_label() {
    let src = "
shared c = 1;
shared x = 0;
thread a {
    cs: if c == 1 { x = 1; } else { x = 2; }
    gate: progress;
    x = 3;
}
invariant !a@cs || !a@gate;";
    let p = compile(src);
    let t = &p.codes[0];
    let (cs, gate) = (&t.labels[0], &t.labels[1]);
    let at = |label: &weft_ir::Label| -> Vec<usize> {
        (0..t.instrs.len())
            .filter(|&pc| label.contains(pc))
            .collect()
    };
    let ops = |pcs: &[usize]| -> Vec<String> {
        pcs.iter()
            .map(|&pc| format!("{:?}", t.instrs[pc].op))
            .collect()
    };
    // The read of `c`, its test, the clears and writes of each branch; not
    // the jump out of the `then` branch, nor clears after a write.
    let inside = at(cs);
    assert!(inside.iter().all(|&pc| cs.within(pc)));
    assert!(
        ops(&inside).iter().all(|op| !op.starts_with("Jump(")),
        "{:?}",
        ops(&inside)
    );
    assert!(
        (0..t.instrs.len()).any(|pc| cs.within(pc) && !cs.contains(pc)),
        "the jump out of the `then` branch is trailing"
    );
    // `progress;` has no step before it in `gate`: a thread in front of it
    // is at `gate`.
    assert_eq!(ops(&at(gate)), ["Progress"]);
}

#[test]
fn dynamic_lock_index_is_held_for_the_unlock() {
    let src = "
const N = 3;
mutex fork[N];
shared turn = 0;
thread p[N] {
    with fork[(self + 1) % N] { }
    with fork[turn] { turn = 1; }
    fork[2].lock();
    fork[2].unlock();
}";
    let p = compile(src);
    let code = ops(&p, 0);
    // `fork[turn]` is read once, kept in a slot, and unlocked through it.
    let held: Vec<&ObjRef> = code
        .iter()
        .filter_map(|o| match o {
            Op::Lock { obj } | Op::Unlock { obj } => Some(obj),
            _ => None,
        })
        .collect();
    assert!(matches!(
        held[2],
        ObjRef::Group {
            idx: Expr::Local(_),
            ..
        }
    ));
    assert_eq!(held[2], held[3]);
    assert_eq!(held[4], &ObjRef::Fixed(2));
    assert_snapshot!(listing(src));
}

#[test]
fn atomics_and_the_other_objects() {
    let src = "
atomic n = 0;
atomic flag = false;
barrier b = 2;
waitgroup wg;
semaphore s = 0;
thread w[2] {
    let old = n.fetch_add(2);
    n.fetch_sub(1);
    let was = flag.swap(true);
    let ok = n.cas(old, old + 1);
    n.store(n.load() + 1);
    n = n + 1;
    b.wait();
    wg.done();
    if s.try_acquire() { s.release(); }
    fence;
}
thread main { wg.add(2); wg.wait(); join(w[0]); join(w[1]); }";
    let p = compile(src);
    assert_snapshot!(listing(src));
    let code = ops(&p, 0);
    assert!(code
        .iter()
        .any(|o| matches!(o, Op::Cas { dst: Some(_), .. })));
    assert!(code.iter().any(|o| matches!(
        o,
        Op::Rmw {
            dst: None,
            op: weft_ir::Rmw::Sub,
            ..
        }
    )));
    assert!(code
        .windows(2)
        .any(|w| matches!(w, [Op::BarrierArrive { .. }, Op::BarrierLeave { .. }])));
}

#[test]
fn locals_choose_and_local_arrays() {
    let src = "
shared out = 0;
thread t {
    let a = [1, 2, 3];
    let z: [int in 0..4; 2];
    let k: int in 0..3 = choose(0..3);
    z[1] = a[k];
    a[k] += 1;
    out = z[1];
}";
    let p = compile(src);
    let code = ops(&p, 0);
    assert!(code.iter().any(|o| matches!(o, Op::Choose { .. })));
    assert!(code.iter().any(|o| matches!(
        o,
        Op::SetIdx {
            range: Some((0, 4)),
            ..
        }
    )));
    assert!(code.iter().any(|o| matches!(
        o,
        Op::Set {
            range: Some((0, 3)),
            ..
        }
    )));
    assert_snapshot!(listing(src));
}

#[test]
fn scopes_clear_their_locals() {
    let src = "thread t { let a = 1; { let b = a + 1; } let c = 2; }";
    let p = compile(src);
    // `c` reuses the slot of `b`, cleared at the end of its block.
    assert_eq!(p.codes[0].n_locals, 3);
    assert!(ops(&p, 0)
        .iter()
        .any(|o| matches!(o, Op::Clear { from: 2, to: 3 })));
    assert_snapshot!(listing(src));
}

#[test]
fn a_define_overrides_a_constant() {
    let src = "const N = 2;\nshared a: [int; N];\nthread t[N] { a[self] = 1; }";
    let p = compile_with(src, &[("N", "4")]);
    assert_eq!((p.vars[0].len, p.threads.len()), (4, 4));
}

#[test]
fn layout_of_variables_objects_and_threads() {
    let src = "
const K = 2;
shared x: int in 0..5 = 3;
ghost g = 0;
atomic flags: [bool; K];
shared z = [7; 3];
mutex fork[K];
channel ch capacity 1;
thread one { g = x; }
thread many[K] { flags[self] = true; }";
    let p = compile(src);
    assert_eq!(p.n_cells, 1 + 1 + 2 + 3);
    assert_eq!(p.vars[3].init, [7, 7, 7]);
    assert_eq!(p.vars[0].range, Some((0, 5)));
    assert_eq!(
        p.objects
            .iter()
            .map(|o| o.name.as_str())
            .collect::<Vec<_>>(),
        ["fork[0]", "fork[1]", "ch"]
    );
    assert_eq!(
        p.threads
            .iter()
            .map(|t| t.name.as_str())
            .collect::<Vec<_>>(),
        ["one", "many[0]", "many[1]"]
    );
    assert_eq!(p.thread_groups[1].base, 1);
    assert!(!p.thread_groups[0].is_array);
    assert_snapshot!(listing(src));
}

#[test]
fn specifications_read_without_racing() {
    let src = "
shared x = 0;
thread w[2] { x = 1; done_here: progress; }
invariant \"bounded\": x < 2;
invariant x >= 0 && (w[0]@done_here || !done(w[1]));
final assert x == 1, \"x is one\";";
    let p = compile(src);
    assert_eq!(p.invariants[0].name, "bounded");
    assert_eq!(
        p.invariants[1].name,
        "x >= 0 && (w[0]@done_here || !done(w[1]))"
    );
    assert_eq!(p.finals[0].message.as_deref(), Some("x is one"));
    let spec_ops: Vec<&Op> = p.invariants[0].code.instrs.iter().map(|i| &i.op).collect();
    assert!(matches!(
        spec_ops[..],
        [Op::Read { racy: false, .. }, Op::Check { .. }]
    ));
    assert_snapshot!(listing(src));
}

/// `a[i] += e` is `a[i] = a[i] + e` (LANGUAGE.md section 4), with the same
/// steps: a shared index is read for the target, then again for the read.
#[test]
fn a_compound_assignment_is_its_long_form() {
    let program = |body: &str| {
        compile(&format!(
            "shared i = 0;\nshared a = [0, 5];\nthread p {{ {body} }}\nthread w {{ i = 1; }}"
        ))
    };
    let ops = |p: &weft_ir::Program| -> Vec<String> {
        p.codes[0]
            .instrs
            .iter()
            .map(|ins| format!("{:?}", ins.op))
            .map(|op| op.split(" {").next().unwrap_or_default().to_string())
            .collect()
    };
    let short = program("a[i] += 1;");
    let long = program("a[i] = a[i] + 1;");
    assert_eq!(ops(&short), ops(&long));
    let reads = ops(&short).iter().filter(|op| *op == "Read").count();
    assert_eq!(reads, 3, "{:?}", ops(&short));
}

#[test]
fn each_call_cycle_is_reported_once_and_callers_of_cycles_are_not_recursive() {
    // a-b and b-c share b: one report; d calls itself; f-g-h is a cycle
    // that also holds the shorter g-h; e only calls into a cycle.
    let src = "shared x = 0;
fn a() { b(); }
fn b() { a(); c(); }
fn c() { b(); }
fn d() { d(); }
fn e() { a(); }
fn f() { g(); }
fn g() { h(); }
fn h() { f(); g(); }
thread t { e(); d(); f(); x = 1; }";
    let errors = common::errors(src);
    let named: Vec<&str> = errors
        .lines()
        .filter(|l| l.contains("is recursive"))
        .map(str::trim)
        .collect();
    assert_eq!(
        named,
        [
            "× `a` is recursive: a -> b -> a",
            "× `d` is recursive: d -> d",
            "× `f` is recursive: f -> g -> h -> f",
        ]
    );
    assert_eq!(common::codes(src), ["weft::recursion"; 3]);
}

#[test]
fn a_long_chain_of_calls_is_too_deep_not_recursive() {
    // Thousands of functions, each calling the next: one error, at the
    // thread's call (finding cycles and labels is linear in the chain).
    let n = 3000;
    let mut src = String::from("shared x = 0;\n");
    for i in 0..n - 1 {
        src.push_str(&format!("fn f{i}() {{ f{}(); }}\n", i + 1));
    }
    src.push_str(&format!(
        "fn f{}() {{ x = 1; }}\nthread t {{ f0(); }}\n",
        n - 1
    ));
    assert_eq!(common::codes(&src), ["weft::calls_too_deep"]);
}

/// Whether each write of a code keeps its read for a later write.
fn keeps(p: &weft_ir::Program, code: usize) -> Vec<bool> {
    ops(p, code)
        .iter()
        .filter_map(|op| match op {
            Op::Write { keeps_read, .. } => Some(*keeps_read),
            _ => None,
        })
        .collect()
}

#[test]
fn a_write_keeps_its_read_only_while_a_later_write_may_use_it() {
    // `t` is used again by `c = t + 2`: the first write keeps the read.
    let p = compile("shared c = 0;\nthread a { let t = c; c = t + 1; c = t + 2; }");
    assert_eq!(keeps(&p, 0), [true, false]);
    // Read again each time round: each write is done with its read.
    let p = compile("shared c = 0;\nthread a { for i in 0..3 { c = c + 1; } }");
    assert_eq!(keeps(&p, 0), [false]);
    // `t` holds a constant by the second write.
    let p = compile("shared c = 0;\nthread a { let t = c; c = t + 1; t = 7; c = t; }");
    assert_eq!(keeps(&p, 0), [false, false]);
    // `c += 1` reads again, but `t` still holds the older read.
    let p = compile("shared c = 0;\nthread a { let t = c; c += 1; c = t + 5; }");
    assert_eq!(keeps(&p, 0), [true, false]);
    // The same read written on each turn of a loop.
    let p = compile("shared c = 0;\nthread a { let t = c; for i in 0..2 { c = t + i; } }");
    assert_eq!(keeps(&p, 0), [true]);
}

#[test]
fn each_duplicate_points_at_the_declaration_just_before_it() {
    // A snippet from the first declaration would grow with each of many.
    let src = "shared x = 0;\nthread t {\nlet a = 1;\nlet a = 2;\nlet a = 3;\nlet a = 4;\n}";
    let errors = common::errors(src);
    assert_eq!(errors.matches("first declared here").count(), 1);
    assert_eq!(errors.matches("declared before here").count(), 2);
    let src = "shared x = 0;\nshared x = 1;\nshared x = 2;\nthread t { x = 1; }";
    let errors = common::errors(src);
    assert_eq!(errors.matches("first declared here").count(), 1);
    assert_eq!(errors.matches("declared before here").count(), 1);
}
