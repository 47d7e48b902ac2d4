//! Precedence and associativity of every operator level (LANGUAGE.md 5).

#![allow(clippy::unwrap_used)] // tests may unwrap

mod common;

use common::{expr, sexpr};

fn shape(text: &str) -> String {
    sexpr(&expr(text))
}

#[test]
fn binary_levels_are_left_associative() {
    assert_eq!(shape("1 - 2 - 3"), "(- (- 1 2) 3)");
    assert_eq!(shape("8 / 4 / 2"), "(/ (/ 8 4) 2)");
    assert_eq!(shape("a % b * c / d"), "(/ (* (% a b) c) d)");
    assert_eq!(shape("a < b < c"), "(< (< a b) c)");
    assert_eq!(shape("a == b != c"), "(!= (== a b) c)");
    assert_eq!(shape("a && b && c"), "(&& (&& a b) c)");
    assert_eq!(shape("a || b || c"), "(|| (|| a b) c)");
}

#[test]
fn and_binds_tighter_than_or() {
    assert_eq!(shape("a || b && c"), "(|| a (&& b c))");
    assert_eq!(shape("a && b || c && d"), "(|| (&& a b) (&& c d))");
}

#[test]
fn unary_operators_bind_tightest() {
    assert_eq!(shape("-x * y"), "(* (neg x) y)");
    assert_eq!(shape("!a == b"), "(== (not a) b)");
    assert_eq!(shape("- - x"), "(neg (neg x))");
    assert_eq!(shape("!-x"), "(not (neg x))");
    assert_eq!(shape("a - -b"), "(- a (neg b))");
}

#[test]
fn each_level_above_the_next() {
    assert_eq!(shape("1 + 2 * 3"), "(+ 1 (* 2 3))");
    assert_eq!(shape("1 * 2 + 3"), "(+ (* 1 2) 3)");
    assert_eq!(shape("a + 1 < b * 2"), "(< (+ a 1) (* b 2))");
    assert_eq!(shape("a < b == c >= d"), "(== (< a b) (>= c d))");
    assert_eq!(shape("a == b && c != d"), "(&& (== a b) (!= c d))");
    assert_eq!(
        shape("!a || b + 1 * -c <= 2 && d"),
        "(|| (not a) (&& (<= (+ b (* 1 (neg c))) 2) d))"
    );
}

#[test]
fn parentheses_override_precedence() {
    assert_eq!(shape("(1 + 2) * 3"), "(* (+ 1 2) 3)");
    assert_eq!(shape("1 - (2 - 3)"), "(- 1 (- 2 3))");
    assert_eq!(shape("!(a == b)"), "(not (== a b))");
    assert_eq!(shape("((((x))))"), "x");
}

#[test]
fn comparison_operators_are_not_split() {
    // `<=` must not read as `<` then `=`, nor `!=` as `!` then `=`.
    assert_eq!(shape("a <= b"), "(<= a b)");
    assert_eq!(shape("a >= b"), "(>= a b)");
    assert_eq!(shape("a != b"), "(!= a b)");
    assert_eq!(shape("a>b"), "(> a b)");
}

#[test]
fn spans_cover_operands_and_parentheses() {
    let e = expr("(1 + 2) * x");
    // `const X = ` is 10 bytes.
    assert_eq!((e.span.start, e.span.end), (10, 21));
    let weft_syntax::ast::ExprKind::Binary { lhs, rhs, .. } = &e.kind else {
        panic!("{e:?}")
    };
    assert_eq!(
        (lhs.span.start, lhs.span.end),
        (10, 17),
        "the parentheses belong to it"
    );
    assert_eq!((rhs.span.start, rhs.span.end), (20, 21));
    let neg = expr("- x");
    assert_eq!((neg.span.start, neg.span.end), (10, 13));
}
