//! Unit tests on hand-built IR, independent of the front end: the step
//! rules and the checks on the smallest programs that show them.

use crate::{check, Kind, Options};
use weft_ir::*;

fn sp(a: usize) -> SrcSpan {
    SrcSpan::new(a, a + 1)
}

fn ins(op: Op, at: usize) -> Instr {
    Instr { op, span: sp(at) }
}

fn shared(name: &str, base: u32, init: Value) -> Var {
    Var {
        name: name.into(),
        kind: VarKind::Shared,
        ty: Ty::Int,
        base,
        len: 1,
        is_array: false,
        range: None,
        init: vec![init],
        span: sp(0),
    }
}

fn group(name: &str, n: u32, code: Code) -> Program {
    Program {
        threads: (0..n)
            .map(|i| Thread {
                name: format!("{name}[{i}]"),
                code: 0,
                index: i,
            })
            .collect(),
        thread_groups: vec![ThreadGroup {
            name: name.into(),
            base: 0,
            len: n,
            is_array: true,
        }],
        codes: vec![code],
        ..Program::default()
    }
}

fn kinds(p: &Program) -> Vec<Kind> {
    let out = check(p, &Options::default(), &mut |_| {});
    let mut k: Vec<Kind> = out.findings.iter().map(|f| f.kind).collect();
    k.sort();
    k.dedup();
    k
}

fn plus_one(l: u32) -> Expr {
    Expr::Binary(
        BinOp::Add,
        Box::new(Expr::Local(l)),
        Box::new(Expr::Const(1)),
        sp(9),
    )
}

fn counter(n: u32) -> Program {
    let counter = CellRef { var: 0, idx: None };
    let code = Code {
        name: "inc".into(),
        instrs: vec![
            ins(
                Op::Read {
                    dst: 1,
                    cell: counter.clone(),
                    racy: true,
                    tracked: true,
                },
                1,
            ),
            ins(
                Op::Write {
                    cell: counter,
                    value: plus_one(1),
                    from_read: weft_ir::FromRead::Yes,
                    keeps_read: false,
                },
                2,
            ),
            ins(Op::Clear { from: 1, to: 2 }, 3),
        ],
        n_locals: 2,
        ..Code::default()
    };
    let mut p = group("inc", n, code);
    p.vars = vec![shared("counter", 0, 0)];
    p.n_cells = 1;
    p.finals = vec![Spec {
        name: "counter == n".into(),
        message: None,
        code: Code {
            instrs: vec![
                ins(
                    Op::Read {
                        dst: 0,
                        cell: CellRef { var: 0, idx: None },
                        racy: false,
                        tracked: true,
                    },
                    5,
                ),
                ins(
                    Op::Check {
                        cond: Expr::Binary(
                            BinOp::Eq,
                            Box::new(Expr::Local(0)),
                            Box::new(Expr::Const(n as Value)),
                            sp(6),
                        ),
                        message: None,
                    },
                    6,
                ),
            ],
            n_locals: 1,
            ..Code::default()
        },
        span: sp(5),
    }];
    p
}

#[test]
fn racy_counter_races_loses_updates_and_fails_its_final_assert() {
    assert_eq!(
        kinds(&counter(2)),
        vec![Kind::Final, Kind::DataRace, Kind::LostUpdate]
    );
}

#[test]
fn one_incrementer_is_fine() {
    assert_eq!(kinds(&counter(1)), vec![]);
}

#[test]
fn racy_counter_schedule_is_shortest() {
    let out = check(&counter(2), &Options::default(), &mut |_| {});
    let lost = out
        .findings
        .iter()
        .find(|f| f.kind == Kind::LostUpdate)
        .expect("a lost update");
    // read, read, write, write: the second write loses the first.
    assert_eq!(lost.schedule.len(), 4);
    assert_eq!(lost.locations.len(), 3);
    let race = out
        .findings
        .iter()
        .find(|f| f.kind == Kind::DataRace)
        .expect("a race");
    assert_eq!(race.schedule.len(), 1);
}

fn mutex(name: &str) -> Object {
    Object {
        name: name.into(),
        kind: ObjectKind::Mutex,
        fair: false,
        param: 0,
        span: sp(0),
    }
}

fn two_locks(first: ObjRef, second: ObjRef) -> Code {
    Code {
        name: "t".into(),
        instrs: vec![
            ins(Op::Lock { obj: first.clone() }, 1),
            ins(
                Op::Lock {
                    obj: second.clone(),
                },
                2,
            ),
            ins(Op::Unlock { obj: second }, 3),
            ins(Op::Unlock { obj: first }, 4),
        ],
        n_locals: 1,
        ..Code::default()
    }
}

#[test]
fn opposite_lock_order_deadlocks_with_a_cycle() {
    let p = Program {
        objects: vec![mutex("a"), mutex("b")],
        object_groups: vec![],
        threads: vec![
            Thread {
                name: "x".into(),
                code: 0,
                index: 0,
            },
            Thread {
                name: "y".into(),
                code: 1,
                index: 0,
            },
        ],
        codes: vec![
            two_locks(ObjRef::Fixed(0), ObjRef::Fixed(1)),
            two_locks(ObjRef::Fixed(1), ObjRef::Fixed(0)),
        ],
        ..Program::default()
    };
    let out = check(&p, &Options::default(), &mut |_| {});
    assert_eq!(out.findings.len(), 1);
    let d = out.findings[0].deadlock.as_ref().expect("deadlock details");
    assert_eq!(d.cycle, vec![0, 1]);
    assert_eq!(d.waits[0].holds, vec!["a".to_string()]);
    assert_eq!(out.findings[0].schedule.len(), 2);
}

#[test]
fn same_lock_order_is_fine() {
    let p = Program {
        objects: vec![mutex("a"), mutex("b")],
        threads: vec![
            Thread {
                name: "x".into(),
                code: 0,
                index: 0,
            },
            Thread {
                name: "y".into(),
                code: 0,
                index: 0,
            },
        ],
        codes: vec![two_locks(ObjRef::Fixed(0), ObjRef::Fixed(1))],
        ..Program::default()
    };
    assert_eq!(kinds(&p), vec![]);
}

#[test]
fn max_states_ends_inconclusive() {
    let options = Options {
        max_states: Some(2),
        ..Options::default()
    };
    let out = check(&counter(3), &options, &mut |_| {});
    assert!(matches!(out.limit, Some(crate::Limit::MaxStates(_))));
}

#[test]
fn explore_hands_back_every_state_and_edge_with_marks() {
    let (out, g) = crate::explore(&counter(2), &Options::default(), &mut |_| {});
    assert_eq!(g.states.len() as u64, out.stats.states);
    assert_eq!(g.edges.len(), g.states.len());
    assert_eq!(g.edges.edges.len() as u64, out.stats.transitions);
    let race = crate::mark(Kind::DataRace);
    let fin = crate::mark(Kind::Final);
    let lost = crate::mark(Kind::LostUpdate);
    assert!(g.edges.marks.iter().any(|m| m & race != 0));
    // The two final states: counter == 1 fails the final assertion, 2 does not.
    assert_eq!(g.edges.marks.iter().filter(|m| *m & fin != 0).count(), 1);
    assert_eq!(
        g.edges.edges.iter().filter(|e| e.kinds & lost != 0).count(),
        2
    );
}

#[test]
fn max_states_stores_exactly_that_many() {
    let full = check(&counter(3), &Options::default(), &mut |_| {});
    for m in 1..full.stats.states {
        let options = Options {
            max_states: Some(m),
            ..Options::default()
        };
        let out = check(&counter(3), &options, &mut |_| {});
        assert_eq!(out.stats.states, m);
        assert_eq!(out.limit, Some(crate::Limit::MaxStates(m)));
    }
    let options = Options {
        max_states: Some(full.stats.states),
        ..Options::default()
    };
    // Exactly enough room: the search completes.
    assert_eq!(check(&counter(3), &options, &mut |_| {}).limit, None);
}
