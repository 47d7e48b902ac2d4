//! Each construct of LANGUAGE.md sections 2-5 parses to the AST it means.

#![allow(clippy::unwrap_used)] // tests may unwrap

mod common;

use common::{expr, parse_ok, place, sexpr, stmts};
use weft_syntax::ast::{
    CompoundOp, ExprKind, Item, ObjectKind, RwMode, StmtKind, TypeExpr, VarKind,
};

fn items(src: &str) -> Vec<Item> {
    parse_ok(src).items
}

fn only_item(src: &str) -> Item {
    let mut items = items(src);
    assert_eq!(items.len(), 1, "{items:?}");
    items.remove(0)
}

fn only_stmt(body: &str) -> StmtKind {
    let mut stmts = stmts(body);
    assert_eq!(stmts.len(), 1, "{stmts:?}");
    stmts.remove(0).kind
}

fn type_shape(ty: &TypeExpr) -> String {
    match ty {
        TypeExpr::Int { range: None, .. } => "int".into(),
        TypeExpr::Int {
            range: Some((lo, hi)),
            ..
        } => format!("int in {}..{}", sexpr(lo), sexpr(hi)),
        TypeExpr::Bool { .. } => "bool".into(),
        TypeExpr::Array { elem, len, .. } => format!("[{}; {}]", type_shape(elem), sexpr(len)),
    }
}

// ------------------------------------------------------------ lexical --

#[test]
fn empty_and_comment_only_programs_are_valid() {
    assert!(items("").is_empty());
    assert!(items("  \n\t\r\n").is_empty());
    assert!(items("// nothing here\n/* nor\n here */").is_empty());
    assert!(
        items("\u{FEFF}shared x = 0;").len() == 1,
        "a byte-order mark is skipped"
    );
}

#[test]
fn comments_go_anywhere_whitespace_does() {
    let src = "shared /* a */ x /* b */ = // c\n 1 /**/;// d";
    let Item::Var(var) = only_item(src) else {
        panic!()
    };
    assert_eq!(var.name.name, "x");
    assert_eq!(sexpr(&var.init.unwrap()), "1");
}

#[test]
fn windows_line_endings_and_tabs() {
    let src = std::fs::read_to_string(common::acceptance("programs/a06_bounded_buffer.weft"))
        .unwrap()
        .replace('\n', "\r\n")
        .replace("    ", "\t");
    common::check_spans(&src, &parse_ok(&src));
}

#[test]
fn spans_end_at_the_last_token() {
    // pest's own spans would take in the comment and spaces before `;`.
    let StmtKind::Assign { value, .. } = only_stmt("x = a /* note */ ;") else {
        panic!()
    };
    assert_eq!((value.span.start, value.span.end), (15, 16));
    let StmtKind::Let {
        init: Some(init), ..
    } = only_stmt("let t = f(1) // why\n;")
    else {
        panic!()
    };
    assert_eq!(init.span.len(), "f(1)".len());
}

#[test]
fn integer_literals_take_underscores() {
    assert_eq!(sexpr(&expr("1_000_000")), "1000000");
    assert_eq!(sexpr(&expr("0")), "0");
    assert_eq!(sexpr(&expr("9223372036854775807")), "9223372036854775807");
    assert_eq!(sexpr(&expr("-9223372036854775808")), "-9223372036854775808");
    assert_eq!(
        sexpr(&expr("- 9223372036854775807")),
        "(neg 9223372036854775807)"
    );
}

#[test]
fn strings_resolve_their_escapes() {
    let Item::FinalAssert(decl) = only_item(r#"final assert x, "say \"hi\" \\ bye";"#) else {
        panic!()
    };
    let message = decl.message.unwrap();
    assert_eq!(message.value, r#"say "hi" \ bye"#);
    assert_eq!(
        message.span.start, 16,
        "the span starts at the opening quote"
    );
}

#[test]
fn names_may_contain_reserved_words() {
    // `read_lock`, `format`, `iffy`, `done_flag` are names, not keywords.
    let body = "rw.read_lock(); format = iffy + done_flag; _x = 1;";
    assert_eq!(stmts(body).len(), 3);
}

// -------------------------------------------------------- declarations --

#[test]
fn const_declaration() {
    let Item::Const(decl) = only_item("const N = 3 * 2;") else {
        panic!()
    };
    assert_eq!(decl.name.name, "N");
    assert_eq!(sexpr(&decl.value), "(* 3 2)");
    assert_eq!((decl.span.start, decl.span.end), (0, 16));
}

#[test]
fn variable_declarations() {
    let cases = [
        ("shared x = 0;", VarKind::Shared, "x", None, Some("0")),
        ("shared x: int;", VarKind::Shared, "x", Some("int"), None),
        (
            "shared f: bool = false;",
            VarKind::Shared,
            "f",
            Some("bool"),
            Some("false"),
        ),
        (
            "shared buf: [int; N];",
            VarKind::Shared,
            "buf",
            Some("[int; N]"),
            None,
        ),
        (
            "shared a = [1, 2, 3];",
            VarKind::Shared,
            "a",
            None,
            Some("[1, 2, 3]"),
        ),
        (
            "shared z = [0; N];",
            VarKind::Shared,
            "z",
            None,
            Some("[0; N]"),
        ),
        (
            "shared t: int in 0..5 = 0;",
            VarKind::Shared,
            "t",
            Some("int in 0..5"),
            Some("0"),
        ),
        (
            "shared c: [int in 0..3; N];",
            VarKind::Shared,
            "c",
            Some("[int in 0..3; N]"),
            None,
        ),
        ("atomic x = 0;", VarKind::Atomic, "x", None, Some("0")),
        (
            "atomic flags: [bool; N];",
            VarKind::Atomic,
            "flags",
            Some("[bool; N]"),
            None,
        ),
        ("ghost g = 0;", VarKind::Ghost, "g", None, Some("0")),
    ];
    for (src, kind, name, ty, init) in cases {
        let Item::Var(var) = only_item(src) else {
            panic!("{src}")
        };
        assert_eq!(var.kind, kind, "{src}");
        assert_eq!(var.name.name, name, "{src}");
        assert_eq!(var.ty.as_ref().map(type_shape).as_deref(), ty, "{src}");
        assert_eq!(var.init.as_ref().map(sexpr).as_deref(), init, "{src}");
    }
}

#[test]
fn object_declarations() {
    let cases = [
        ("mutex m;", ObjectKind::Mutex, false, None, None),
        ("mutex fork[N];", ObjectKind::Mutex, false, Some("N"), None),
        ("fair mutex m;", ObjectKind::Mutex, true, None, None),
        ("rwlock rw;", ObjectKind::RwLock, false, None, None),
        ("fair rwlock rw;", ObjectKind::RwLock, true, None, None),
        (
            "semaphore s = 2;",
            ObjectKind::Semaphore,
            false,
            None,
            Some("2"),
        ),
        (
            "semaphore s[N] = 0;",
            ObjectKind::Semaphore,
            false,
            Some("N"),
            Some("0"),
        ),
        (
            "fair semaphore s = 1;",
            ObjectKind::Semaphore,
            true,
            None,
            Some("1"),
        ),
        ("condvar cv;", ObjectKind::Condvar, false, None, None),
        (
            "channel ch capacity 2;",
            ObjectKind::Channel,
            false,
            None,
            Some("2"),
        ),
        (
            "channel inbox[N] capacity 1;",
            ObjectKind::Channel,
            false,
            Some("N"),
            Some("1"),
        ),
        (
            "barrier b = 3;",
            ObjectKind::Barrier,
            false,
            None,
            Some("3"),
        ),
        ("waitgroup wg;", ObjectKind::WaitGroup, false, None, None),
    ];
    for (src, kind, fair, count, param) in cases {
        let Item::Object(object) = only_item(src) else {
            panic!("{src}")
        };
        assert_eq!(object.kind, kind, "{src}");
        assert_eq!(object.fair, fair, "{src}");
        assert_eq!(object.fair_span.is_some(), fair, "{src}");
        assert_eq!(object.count.as_ref().map(sexpr).as_deref(), count, "{src}");
        assert_eq!(object.param.as_ref().map(sexpr).as_deref(), param, "{src}");
    }
    let Item::Object(fair) = only_item("fair mutex m;") else {
        panic!()
    };
    assert_eq!(fair.fair_span.map(|s| (s.start, s.end)), Some((0, 4)));
}

#[test]
fn function_declarations() {
    let Item::Fn(f) = only_item("fn add(a, b: int, c: bool) { return a + b; }") else {
        panic!()
    };
    assert_eq!(f.name.name, "add");
    let params: Vec<_> = f
        .params
        .iter()
        .map(|p| (p.name.name.as_str(), p.ty.as_ref().map(type_shape)))
        .collect();
    assert_eq!(
        params,
        [
            ("a", None),
            ("b", Some("int".into())),
            ("c", Some("bool".into()))
        ]
    );
    assert!(matches!(
        f.body.stmts[0].kind,
        StmtKind::Return { value: Some(_) }
    ));
    let Item::Fn(empty) = only_item("fn nothing() {}") else {
        panic!()
    };
    assert!(empty.params.is_empty() && empty.body.stmts.is_empty());
}

#[test]
fn thread_declarations() {
    let Item::Thread(one) = only_item("thread main { progress; }") else {
        panic!()
    };
    assert_eq!(one.name.name, "main");
    assert!(one.count.is_none());
    assert_eq!(one.body.stmts.len(), 1);
    let Item::Thread(group) = only_item("thread worker[N + 1] { }") else {
        panic!()
    };
    assert_eq!(group.count.as_ref().map(sexpr).as_deref(), Some("(+ N 1)"));
    assert_eq!((group.body.span.start, group.body.span.end), (21, 24));
}

#[test]
fn invariants_and_final_asserts() {
    let Item::Invariant(plain) = only_item("invariant x >= 0;") else {
        panic!()
    };
    assert!(plain.name.is_none());
    assert_eq!(sexpr(&plain.cond), "(>= x 0)");
    let Item::Invariant(named) = only_item(r#"invariant "one at a time": !(t[0]@cs && t[1]@cs);"#)
    else {
        panic!()
    };
    assert_eq!(named.name.unwrap().value, "one at a time");
    assert_eq!(sexpr(&named.cond), "(not (&& t[0]@cs t[1]@cs))");
    let Item::FinalAssert(bare) = only_item("final assert done(a);") else {
        panic!()
    };
    assert!(bare.message.is_none());
    assert_eq!(sexpr(&bare.cond), "done(a)");
}

#[test]
fn items_keep_source_order() {
    let src = "thread a {} const N = 1; mutex m; shared x = 0; fn f() {} invariant true; final assert true;";
    let kinds: Vec<&str> = items(src)
        .iter()
        .map(|item| match item {
            Item::Const(_) => "const",
            Item::Var(_) => "var",
            Item::Object(_) => "object",
            Item::Fn(_) => "fn",
            Item::Thread(_) => "thread",
            Item::Invariant(_) => "invariant",
            Item::FinalAssert(_) => "final",
        })
        .collect();
    assert_eq!(
        kinds,
        [
            "thread",
            "const",
            "object",
            "var",
            "fn",
            "invariant",
            "final"
        ]
    );
}

// ---------------------------------------------------------- statements --

#[test]
fn let_statements() {
    let cases = [
        ("let t = x;", "t", None, Some("x")),
        ("let t: int = 1;", "t", Some("int"), Some("1")),
        ("let t: [int; 3];", "t", Some("[int; 3]"), None),
    ];
    for (src, name, ty, init) in cases {
        let StmtKind::Let {
            name: n,
            ty: t,
            init: i,
        } = only_stmt(src)
        else {
            panic!("{src}")
        };
        assert_eq!(n.name, name);
        assert_eq!(t.as_ref().map(type_shape).as_deref(), ty, "{src}");
        assert_eq!(i.as_ref().map(sexpr).as_deref(), init, "{src}");
    }
}

#[test]
fn assignments() {
    let StmtKind::Assign { target, value } = only_stmt("x = x + 1;") else {
        panic!()
    };
    assert_eq!(
        (place(&target), sexpr(&value)),
        ("x".into(), "(+ x 1)".into())
    );
    let StmtKind::Assign { target, .. } = only_stmt("a[i + 1] = 0;") else {
        panic!()
    };
    assert_eq!(place(&target), "a[(+ i 1)]");
}

#[test]
fn compound_assignments_and_increments() {
    let cases = [
        ("x += 2;", CompoundOp::Add, "2", false, "+="),
        ("x -= 2;", CompoundOp::Sub, "2", false, "-="),
        ("a[0] *= 2;", CompoundOp::Mul, "2", false, "*="),
        ("x++;", CompoundOp::Add, "1", true, "++"),
        ("x--;", CompoundOp::Sub, "1", true, "--"),
    ];
    for (src, op, value, incdec, op_text) in cases {
        let StmtKind::Compound {
            op: o,
            value: v,
            incdec: i,
            op_span,
            ..
        } = only_stmt(src)
        else {
            panic!("{src}")
        };
        assert_eq!((o, sexpr(&v).as_str(), i), (op, value, incdec), "{src}");
        // The body starts after `thread t {\n` (11 bytes).
        let at = 11 + src.find(op_text).unwrap();
        assert_eq!((op_span.start, op_span.end), (at, at + 2), "{src}");
        if incdec {
            assert_eq!(v.span, op_span, "`++` carries a 1 spanning the operator");
        }
    }
}

#[test]
fn if_else_chains_nest_in_the_else_block() {
    let StmtKind::If {
        cond,
        then_block,
        else_block,
    } = only_stmt("if a { x = 1; } else if b { x = 2; } else if c { } else { x = 4; }")
    else {
        panic!()
    };
    assert_eq!(sexpr(&cond), "a");
    assert_eq!(then_block.stmts.len(), 1);
    let second = &else_block.unwrap().stmts[0];
    let StmtKind::If {
        cond, else_block, ..
    } = &second.kind
    else {
        panic!()
    };
    assert_eq!(sexpr(cond), "b");
    let third = &else_block.as_ref().unwrap().stmts[0];
    let StmtKind::If {
        cond, else_block, ..
    } = &third.kind
    else {
        panic!()
    };
    assert_eq!(sexpr(cond), "c");
    let last = else_block.as_ref().unwrap();
    assert!(matches!(last.stmts[0].kind, StmtKind::Assign { .. }));
    let StmtKind::If { else_block, .. } = only_stmt("if a { }") else {
        panic!()
    };
    assert!(else_block.is_none());
}

#[test]
fn loops() {
    assert!(matches!(
        only_stmt("while !done_flag { }"),
        StmtKind::While { .. }
    ));
    assert!(matches!(
        only_stmt("loop { break; }"),
        StmtKind::Loop { .. }
    ));
    let StmtKind::ForRange { var, lo, hi, body } = only_stmt("for i in 0..N { continue; }") else {
        panic!()
    };
    assert_eq!(
        (var.name.as_str(), sexpr(&lo), sexpr(&hi)),
        ("i", "0".into(), "N".into())
    );
    assert!(matches!(body.stmts[0].kind, StmtKind::Continue));
    let StmtKind::ForRange { lo, hi, .. } = only_stmt("for i in a[0] + 1..n * 2 { }") else {
        panic!()
    };
    assert_eq!(
        (sexpr(&lo), sexpr(&hi)),
        ("(+ a[0] 1)".into(), "(* n 2)".into())
    );
    let StmtKind::ForChannel { var, channel, .. } = only_stmt("for v in ch { }") else {
        panic!()
    };
    assert_eq!((var.name.as_str(), place(&channel)), ("v", "ch".into()));
    let StmtKind::ForChannel { channel, .. } = only_stmt("for v in inbox[self] { }") else {
        panic!()
    };
    assert_eq!(place(&channel), "inbox[self]");
}

#[test]
fn returns() {
    assert!(matches!(
        only_stmt("return;"),
        StmtKind::Return { value: None }
    ));
    let StmtKind::Return { value: Some(v) } = only_stmt("return a * 2;") else {
        panic!()
    };
    assert_eq!(sexpr(&v), "(* a 2)");
}

#[test]
fn with_blocks() {
    let cases = [
        ("with m { }", "m", None),
        (
            "with fork[(self + 1) % N] { }",
            "fork[(% (+ self 1) N)]",
            None,
        ),
        ("with rw.read { }", "rw", Some(RwMode::Read)),
        ("with rw.write { x = 1; }", "rw", Some(RwMode::Write)),
    ];
    for (src, lock, mode) in cases {
        let StmtKind::With {
            lock: l, mode: m, ..
        } = only_stmt(src)
        else {
            panic!("{src}")
        };
        assert_eq!((place(&l).as_str(), m), (lock, mode), "{src}");
    }
}

#[test]
fn atomic_await_assert_progress_fence_join() {
    let StmtKind::Atomic { body } = only_stmt("atomic { x = 1; y = 2; }") else {
        panic!()
    };
    assert_eq!(body.stmts.len(), 2);
    let StmtKind::Await { cond } = only_stmt("await x == 1;") else {
        panic!()
    };
    assert_eq!(sexpr(&cond), "(== x 1)");
    let StmtKind::Assert { message: None, .. } = only_stmt("assert x;") else {
        panic!()
    };
    let StmtKind::Assert {
        message: Some(message),
        ..
    } = only_stmt(r#"assert x > 0, "positive";"#)
    else {
        panic!()
    };
    assert_eq!(message.value, "positive");
    assert!(matches!(only_stmt("progress;"), StmtKind::Progress));
    assert!(matches!(only_stmt("fence;"), StmtKind::Fence));
    let StmtKind::Join { thread } = only_stmt("join(worker[2]);") else {
        panic!()
    };
    assert_eq!(place(&thread), "worker[2]");
    let StmtKind::Join { thread } = only_stmt("join(main);") else {
        panic!()
    };
    assert_eq!(place(&thread), "main");
}

#[test]
fn calls_and_method_calls_as_statements() {
    let cases = [
        ("f(a, 1);", "f(a, 1)"),
        ("g();", "g()"),
        ("m.lock();", "m.lock()"),
        ("fork[self].unlock();", "fork[self].unlock()"),
        ("ch.send(x + 1);", "ch.send((+ x 1))"),
        ("cv.wait(m);", "cv.wait(m)"),
        ("wg.done();", "wg.done()"),
        ("a[i].cas(1, 2);", "a[i].cas(1, 2)"),
    ];
    for (src, shape) in cases {
        let StmtKind::Expr(call) = only_stmt(src) else {
            panic!("{src}")
        };
        assert_eq!(sexpr(&call), shape, "{src}");
        assert_eq!(
            call.span.len(),
            src.len() - 1,
            "{src}: the span leaves out the `;`"
        );
    }
}

#[test]
fn labels_and_nested_blocks() {
    let stmts = stmts("critical: progress;\nouter: { x = 1; }\nx = 2;");
    assert_eq!(stmts[0].label.as_ref().unwrap().name, "critical");
    assert!(matches!(stmts[0].kind, StmtKind::Progress));
    // The statement's span leaves the label out.
    assert_eq!((stmts[0].span.start, stmts[0].span.end), (21, 30));
    assert_eq!(stmts[1].label.as_ref().unwrap().name, "outer");
    let StmtKind::Block(block) = &stmts[1].kind else {
        panic!()
    };
    assert_eq!(block.stmts.len(), 1);
    assert!(stmts[2].label.is_none());
}

// --------------------------------------------------------- expressions --

#[test]
fn primary_expressions() {
    let cases = [
        ("true", "true"),
        ("false", "false"),
        ("self", "self"),
        ("x", "x"),
        ("a[i + 1]", "a[(+ i 1)]"),
        ("f(1, g(2))", "f(1, g(2))"),
        ("x.load()", "x.load()"),
        ("ch.recv() + 1", "(+ ch.recv() 1)"),
        ("m.try_lock()", "m.try_lock()"),
        ("a[i].cas(1, 2)", "a[i].cas(1, 2)"),
        ("choose(0..N + 1)", "choose(0..(+ N 1))"),
        ("t@cs", "t@cs"),
        ("t[self]@cs", "t[self]@cs"),
        ("done(t)", "done(t)"),
        ("done(t[1])", "done(t[1])"),
        ("[1, 2, 3]", "[1, 2, 3]"),
        ("[1, 2, 3,]", "[1, 2, 3]"),
        ("[]", "[]"),
        ("[false; N * 2]", "[false; (* N 2)]"),
    ];
    for (text, shape) in cases {
        assert_eq!(sexpr(&expr(text)), shape, "{text}");
    }
}

#[test]
fn names_and_indexes_keep_their_spans() {
    let e = expr("buf[ i ]");
    let ExprKind::Index { base, index } = &e.kind else {
        panic!("{e:?}")
    };
    assert_eq!((base.span.start, base.span.end), (10, 13));
    assert_eq!((index.span.start, index.span.end), (15, 16));
    assert_eq!((e.span.start, e.span.end), (10, 18));
}
