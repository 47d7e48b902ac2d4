//! A ledger of messages we know are weaker than they should be. Each test
//! pins today's behaviour with a FIXME, so improving it shows up as a change.

#![allow(clippy::unwrap_used)] // tests may unwrap

mod common;

use weft_ir::{Expr, Op};

/// FIXME: the AST has no span for a binary operator, so a division by zero or
/// an overflow at run time points at the whole `a / b`, not at the `/`.
#[test]
fn runtime_errors_point_at_the_whole_binary_expression() {
    let src = "shared d = 0;\nthread t { let q = 10 / d; }";
    let p = common::compile(src);
    let span = p.codes[0]
        .instrs
        .iter()
        .find_map(|i| match &i.op {
            Op::Set {
                value: Expr::Binary(_, _, _, s),
                ..
            } => Some(*s),
            _ => None,
        })
        .unwrap();
    assert_eq!(&src[span.start as usize..span.end as usize], "10 / d");
}

/// FIXME: two parameters of one name are reported as a duplicate "in this
/// block", which reads oddly for a parameter list.
#[test]
fn duplicate_parameters_are_called_a_block_duplicate() {
    let out = common::errors("fn f(a, a) { }\nthread t { f(1, 2); }");
    assert!(out.contains("`a` is declared twice in this block"), "{out}");
}
