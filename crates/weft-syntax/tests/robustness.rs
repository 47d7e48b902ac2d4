//! Hostile input never panics nor overflows the stack: deep nesting, long
//! lines, huge literals, NUL bytes, invalid UTF-8, garbage. The tests run on
//! the 2 MiB stack of a test thread (one on a much smaller one), in a debug
//! build.

#![allow(clippy::unwrap_used)] // tests may unwrap

mod common;

use common::{code, only_error, parse_ok};
use weft_syntax::{decode, parse, MAX_DEPTH};

fn thread_with(body: &str) -> String {
    format!("shared x = 0;\nthread t {{\n{body}\n}}\n")
}

fn assert_too_deep(src: &str) {
    let error = only_error(src);
    assert_eq!(code(&error), "weft::too_deep", "{error:?}");
}

/// `open` repeated `n` times around `inner`, then `close` as often.
fn nest(open: &str, inner: &str, close: &str, n: usize) -> String {
    format!("{}{inner}{}", open.repeat(n), close.repeat(n))
}

/// A program of each kind nested as deep as allowed.
fn deepest_programs() -> Vec<String> {
    // Each form counts every bracket it opens, including the thread's `{`.
    let inside = MAX_DEPTH - 1;
    vec![
        thread_with(&format!("x = {};", nest("(", "1", ")", inside))),
        thread_with(&format!("x = a{};", nest("[a", "[1]", "]", inside - 1))),
        thread_with(&format!("x = {};", nest("f(", "1", ")", inside))),
        thread_with(&format!("x.m({});", nest("a[", "1", "]", inside - 1))),
        thread_with(&nest("{", "progress;", "}", inside)),
        thread_with(&nest("while x { ", "progress;", " }", inside)),
        thread_with(&nest("if x { ", "", " } else { }", inside)),
        thread_with(&nest("for i in 0..1 { ", "", " }", inside)),
        thread_with(&nest("with m { ", "", " }", inside)),
        thread_with(&nest("atomic { ", "", " }", inside)),
        format!("const C = {};", vec!["1"; MAX_DEPTH].join(" + ")),
        format!("const C = {}x;", "!".repeat(MAX_DEPTH - 1)),
    ]
}

#[test]
fn nesting_up_to_the_limit_parses() {
    for src in deepest_programs() {
        parse_ok(&src);
    }
}

#[test]
fn the_caller_needs_little_stack() {
    // `parse` moves to a stack of its own when its caller's is nearly used up.
    let parsed = std::thread::Builder::new()
        .stack_size(128 * 1024)
        .spawn(|| deepest_programs().iter().all(|src| parse(src).is_ok()))
        .unwrap()
        .join()
        .unwrap();
    assert!(parsed);
}

#[test]
fn nesting_past_the_limit_is_too_deep() {
    let past = MAX_DEPTH;
    assert_too_deep(&thread_with(&format!("x = {};", nest("(", "1", ")", past))));
    assert_too_deep(&thread_with(&nest("{", "", "}", past)));
    assert_too_deep(&thread_with(&format!("x = {};", nest("[", "1", "]", past))));
}

#[test]
fn twenty_thousand_levels_of_every_kind() {
    let n = 20_000;
    assert_too_deep(&thread_with(&format!("x = {};", nest("(", "1", ")", n))));
    assert_too_deep(&thread_with(&format!("x = {};", nest("[", "1", "]", n))));
    assert_too_deep(&thread_with(&nest("{", "", "}", n)));
    assert_too_deep(&thread_with(&format!("x = {}x;", "!".repeat(n))));
    assert_too_deep(&thread_with(&format!("x = {}x;", "- ".repeat(n))));
    // Unbalanced: only opening brackets, then the end of the file.
    assert_too_deep(&"(".repeat(n));
    assert_too_deep(&format!("thread t {}", "{".repeat(n)));
}

#[test]
fn prefix_operators_count_as_levels() {
    let ok = MAX_DEPTH - 1;
    parse_ok(&format!("const C = {}x;", "!".repeat(ok)));
    assert_too_deep(&format!("const C = {}x;", "!".repeat(MAX_DEPTH)));
}

#[test]
fn operator_chains_count_as_levels() {
    // A chain of n operands is a tree of height n.
    let chain = |n: usize| vec!["1"; n].join(" + ");
    parse_ok(&format!("const C = {};", chain(MAX_DEPTH)));
    assert_too_deep(&format!("const C = {};", chain(MAX_DEPTH + 1)));
    // 100 KB on one line.
    assert_too_deep(&format!("const C = {};", chain(25_000)));
    // Grouping keeps a long chain shallow: 1,000 operands, 110 levels.
    let groups = vec![format!("({})", chain(100)); 10].join(" + ");
    parse_ok(&format!("const C = {groups};"));
}

#[test]
fn else_if_chains_count_as_levels() {
    let chain = |n: usize| format!("if x == 0 {{ }}{}", " else if x == 1 { }".repeat(n));
    parse_ok(&thread_with(&chain(50)));
    assert_too_deep(&thread_with(&chain(10_000)));
}

#[test]
fn long_flat_lines_parse() {
    let n = 20_000;
    let long_name = "v".repeat(100_000);
    parse_ok(&format!("shared {long_name} = 1;"));
    parse_ok(&format!("// {}\nshared x = 0;", "c".repeat(100_000)));
    parse_ok(&format!(r#"final assert true, "{}";"#, "m".repeat(100_000)));
    parse_ok(&format!("shared a = [{}];", vec!["1"; n].join(", ")));
    parse_ok(&thread_with(&"x = 1; ".repeat(n)));
    parse_ok(&format!(
        "fn f({}) {{}}",
        (0..n)
            .map(|i| format!("p{i}"))
            .collect::<Vec<_>>()
            .join(", ")
    ));
}

#[test]
fn huge_integer_literals_are_errors_at_the_literal() {
    let digits = "9".repeat(100_000);
    let error = only_error(&format!("const C = {digits};"));
    assert_eq!(code(&error), "weft::int_literal_range");
    assert_eq!((error.span().start, error.span().end), (10, 100_010));
    let error = only_error("const C = 9223372036854775808;");
    assert_eq!(code(&error), "weft::int_literal_range");
    let error = only_error("const C = -9223372036854775809;");
    assert_eq!(code(&error), "weft::int_literal_range");
}

#[test]
fn found_tokens_are_cut_in_messages() {
    let error = only_error(&format!("shared x = 0 {};", "y".repeat(10_000)));
    assert!(error.to_string().len() < 200, "{error}");
}

#[test]
fn nul_bytes() {
    let error = only_error("shared x = 0;\0");
    assert_eq!(code(&error), "weft::syntax");
    assert!(error.to_string().contains(r"`\0`"), "{error}");
    // NUL inside a comment or a message is just text.
    parse_ok("// \0\nshared x = 0;");
    parse_ok("final assert true, \"\0\";");
    assert!(parse(&"\0".repeat(10_000)).is_err());
}

#[test]
fn empty_and_blank_inputs_are_valid() {
    assert!(parse_ok("").items.is_empty());
    assert!(parse_ok("\n\n   \t").items.is_empty());
    assert!(parse_ok("/* only */ // comments").items.is_empty());
}

#[test]
fn invalid_utf8_points_at_the_first_bad_byte() {
    let bytes = b"shared x = 0;\nthread t { x = \xff; }\n";
    let error = decode(bytes).unwrap_err();
    assert_eq!(code(&error), "weft::invalid_utf8");
    assert_eq!((error.span().start, error.span().end), (29, 30));
    assert!(error.to_string().contains("line 2, column 16"), "{error}");
    // A truncated multi-byte character at the very end.
    let error = decode(b"shared x = 0; // caf\xc3").unwrap_err();
    assert_eq!(error.span().start, 20);
    assert_eq!(decode(b"shared x = 0;").unwrap(), "shared x = 0;");
}

#[test]
fn binary_garbage_never_panics() {
    // A fixed pseudo-random stream (xorshift), so failures reproduce.
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    for _ in 0..200 {
        let bytes: Vec<u8> = (0..512)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                (state >> 24) as u8
            })
            .collect();
        if let Ok(src) = decode(&bytes) {
            let _ = parse(src);
        }
        let lossy = String::from_utf8_lossy(&bytes);
        let _ = parse(&lossy);
    }
}

#[test]
fn errors_stop_at_the_limit() {
    let broken = "shared x = ;\n".repeat(100);
    let errors = parse(&broken).unwrap_err();
    assert_eq!(errors.len(), weft_syntax::MAX_ERRORS);
    let starts: Vec<usize> = errors.iter().map(|e| e.span().start).collect();
    assert!(
        starts.windows(2).all(|w| w[0] < w[1]),
        "in source order: {starts:?}"
    );
}

#[test]
fn errors_of_every_item_are_reported() {
    // Two parse errors, and two literals out of range found while
    // converting the items that parsed.
    let src = "const A = 99999999999999999999;\n\
               shared x = ;\n\
               const B = 1 +;\n\
               thread t { x = 99999999999999999999; }\n";
    let errors = parse(src).unwrap_err();
    let codes: Vec<String> = errors.iter().map(code).collect();
    assert_eq!(
        codes,
        [
            "weft::int_literal_range",
            "weft::syntax",
            "weft::syntax",
            "weft::int_literal_range"
        ]
    );
}
