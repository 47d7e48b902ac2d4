//! Reports of outcomes from the real explorer, on IR built by hand for the
//! fixture programs: the report must read well with the explorer's own
//! messages, labels, actions and wait descriptions.
// Tests may unwrap: a panic is the failure report.
#![allow(clippy::unwrap_used)]

mod fixtures;

use fixtures::{span, COUNTER, LOCK_ORDER, POLITE};
use miette::{GraphicalReportHandler, GraphicalTheme};
use weft_explore::{Kind, Options, Outcome};
use weft_ir::*;
use weft_report::{human, json, Checked, HumanOptions};

fn at(source: &str, needle: &str, nth: usize) -> SrcSpan {
    span(source, needle, nth)
}

fn ins(op: Op, span: SrcSpan) -> Instr {
    Instr { op, span }
}

fn threads(names: &[&str], codes: &[u32]) -> Vec<Thread> {
    names
        .iter()
        .zip(codes)
        .enumerate()
        .map(|(i, (n, &code))| Thread {
            name: n.to_string(),
            code,
            index: if n.contains('[') { i as u32 } else { 0 },
        })
        .collect()
}

fn cell(var: u32, idx: Option<Expr>) -> CellRef {
    CellRef { var, idx }
}

fn render(file: &str, source: &str, program: &Program) -> (Outcome, String, serde_json::Value) {
    let outcome = weft_explore::check(program, &Options::default(), &mut |_| {});
    let checked = Checked {
        file,
        source,
        program,
        outcome: &outcome,
    };
    let handler =
        GraphicalReportHandler::new_themed(GraphicalTheme::unicode_nocolor()).with_width(100);
    let text = human::render(&checked, &HumanOptions::default(), &handler);
    let value = json::report(&checked);
    (outcome, text, value)
}

fn kinds(outcome: &Outcome) -> Vec<Kind> {
    let mut k: Vec<Kind> = outcome.findings.iter().map(|f| f.kind).collect();
    k.sort();
    k.dedup();
    k
}

fn counter_program() -> Program {
    let s = COUNTER;
    let lhs = at(s, "counter", 1);
    let rhs = at(s, "counter", 2);
    let sum = at(s, "counter + 1", 0);
    let code = Code {
        name: "inc".into(),
        instrs: vec![
            ins(
                Op::Read {
                    dst: 1,
                    cell: cell(0, None),
                    racy: true,
                    tracked: true,
                },
                rhs,
            ),
            ins(
                Op::Write {
                    cell: cell(0, None),
                    value: Expr::Binary(
                        BinOp::Add,
                        Box::new(Expr::Local(1)),
                        Box::new(Expr::Const(1)),
                        sum,
                    ),
                    from_read: weft_ir::FromRead::Yes,
                    keeps_read: false,
                },
                lhs,
            ),
        ],
        n_locals: 2,
        span: at(s, "thread inc[2]", 0),
        ..Code::default()
    };
    let cond = at(s, "counter == 2", 0);
    Program {
        vars: vec![Var {
            name: "counter".into(),
            kind: VarKind::Shared,
            ty: Ty::Int,
            base: 0,
            len: 1,
            is_array: false,
            range: None,
            init: vec![0],
            span: at(s, "shared counter = 0;", 0),
        }],
        n_cells: 1,
        threads: threads(&["inc[0]", "inc[1]"], &[0, 0]),
        thread_groups: vec![ThreadGroup {
            name: "inc".into(),
            base: 0,
            len: 2,
            is_array: true,
        }],
        codes: vec![code],
        finals: vec![Spec {
            name: "counter == 2".into(),
            message: Some("both increments are kept".into()),
            code: Code {
                instrs: vec![
                    ins(
                        Op::Read {
                            dst: 0,
                            cell: cell(0, None),
                            racy: false,
                            tracked: true,
                        },
                        at(s, "counter", 3),
                    ),
                    ins(
                        Op::Check {
                            cond: Expr::Binary(
                                BinOp::Eq,
                                Box::new(Expr::Local(0)),
                                Box::new(Expr::Const(2)),
                                cond,
                            ),
                            message: Some("both increments are kept".into()),
                        },
                        cond,
                    ),
                ],
                n_locals: 1,
                ..Code::default()
            },
            span: at(
                s,
                "final assert counter == 2, \"both increments are kept\";",
                0,
            ),
        }],
        ..Program::default()
    }
}

#[test]
fn counter_race_from_the_explorer() {
    let (outcome, text, value) = render("counter_race.weft", COUNTER, &counter_program());
    assert_eq!(
        kinds(&outcome),
        vec![Kind::Final, Kind::DataRace, Kind::LostUpdate]
    );
    assert_eq!(value["verdict"], "errors");
    insta::assert_snapshot!(text);
}

fn lock_order_program() -> Program {
    let s = LOCK_ORDER;
    let obj = |i| ObjRef::Fixed(i);
    let code = |nth: usize, first: u32, second: u32| {
        let (f, g) = (format!("lock{}", first + 1), format!("lock{}", second + 1));
        Code {
            name: if nth == 0 { "a".into() } else { "b".into() },
            instrs: vec![
                ins(
                    Op::Lock { obj: obj(first) },
                    at(s, &format!("{f}.lock()"), nth),
                ),
                ins(
                    Op::Lock { obj: obj(second) },
                    at(s, &format!("{g}.lock()"), nth),
                ),
                ins(
                    Op::Unlock { obj: obj(second) },
                    at(s, &format!("{g}.unlock()"), nth),
                ),
                ins(
                    Op::Unlock { obj: obj(first) },
                    at(s, &format!("{f}.unlock()"), nth),
                ),
            ],
            n_locals: 1,
            ..Code::default()
        }
    };
    let mutex = |name: &str| Object {
        name: name.into(),
        kind: ObjectKind::Mutex,
        fair: false,
        param: 0,
        span: at(s, &format!("mutex {name};"), 0),
    };
    Program {
        objects: vec![mutex("lock1"), mutex("lock2")],
        object_groups: ["lock1", "lock2"]
            .iter()
            .enumerate()
            .map(|(i, n)| ObjectGroup {
                name: n.to_string(),
                base: i as u32,
                len: 1,
                is_array: false,
            })
            .collect(),
        threads: threads(&["a", "b"], &[0, 1]),
        codes: vec![code(0, 0, 1), code(1, 1, 0)],
        ..Program::default()
    }
}

#[test]
fn lock_order_deadlock_from_the_explorer() {
    let (outcome, text, value) = render("lock_order.weft", LOCK_ORDER, &lock_order_program());
    assert_eq!(kinds(&outcome), vec![Kind::Deadlock]);
    let deadlock = &value["violations"][0]["deadlock"];
    assert_eq!(
        deadlock["cycle_text"],
        "a holds lock1, waits for lock2 -> b holds lock2, waits for lock1"
    );
    insta::assert_snapshot!(text);
}

fn polite_program() -> Program {
    let s = POLITE;
    let me = || Some(Expr::Local(0));
    let other = || {
        Some(Expr::Binary(
            BinOp::Sub,
            Box::new(Expr::Const(1)),
            Box::new(Expr::Local(0)),
            at(s, "1 - self", 0),
        ))
    };
    let store = |v: Value, span| {
        ins(
            Op::Write {
                cell: cell(0, me()),
                value: Expr::Const(v),
                from_read: weft_ir::FromRead::No,
                keeps_read: false,
            },
            span,
        )
    };
    let code = Code {
        name: "worker".into(),
        instrs: vec![
            store(1, at(s, "busy[self] = true", 0)),
            ins(
                Op::Read {
                    dst: 1,
                    cell: cell(0, other()),
                    racy: true,
                    tracked: true,
                },
                at(s, "busy[1 - self]", 0),
            ),
            ins(
                Op::JumpIfNot {
                    cond: Expr::Local(1),
                    target: 6,
                },
                at(s, "busy[1 - self]", 0),
            ),
            store(0, at(s, "busy[self] = false", 0)),
            store(1, at(s, "busy[self] = true", 1)),
            ins(Op::Jump(1), at(s, "while", 0)),
            ins(Op::Progress, at(s, "progress;", 0)),
            store(0, at(s, "busy[self] = false", 1)),
        ],
        n_locals: 2,
        ..Code::default()
    };
    Program {
        vars: vec![Var {
            name: "busy".into(),
            kind: VarKind::Atomic,
            ty: Ty::Bool,
            base: 0,
            len: 2,
            is_array: true,
            range: None,
            init: vec![0, 0],
            span: at(s, "atomic busy: [bool; 2];", 0),
        }],
        n_cells: 2,
        threads: threads(&["worker[0]", "worker[1]"], &[0, 0]),
        thread_groups: vec![ThreadGroup {
            name: "worker".into(),
            base: 0,
            len: 2,
            is_array: true,
        }],
        codes: vec![code],
        ..Program::default()
    }
}

#[test]
fn polite_livelock_from_the_explorer() {
    let (outcome, text, value) = render("polite.weft", POLITE, &polite_program());
    assert_eq!(kinds(&outcome), vec![Kind::Livelock]);
    let violation = &value["violations"][0];
    assert!(!violation["cycle"].as_array().unwrap().is_empty());
    insta::assert_snapshot!(text);
}
