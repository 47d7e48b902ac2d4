//! The ledger of syntax messages we know could be better (as PRQL keeps
//! one). Each test pins today's message with a FIXME saying what it should
//! say; when one is fixed, the test fails and moves to the snapshots.

#![allow(clippy::unwrap_used)] // tests may unwrap

mod common;

use common::only_error;

#[test]
fn walrus_assignment() {
    // FIXME: `x := 1;` reads as the label `x:` on the statement `= 1;`. It
    // should say "`:=` is not an operator: assign with `=`".
    let error = only_error("thread t {\n  x := 1;\n}\n");
    assert_eq!(error.to_string(), "expected a statement, found `=`");
}

#[test]
fn two_dimensional_index() {
    // FIXME: it should say that arrays have one dimension.
    let error = only_error("thread t {\n  grid[1][2] = 0;\n}\n");
    assert_eq!(
        error.to_string(),
        "expected an assignment or a call, found `[`"
    );
}
