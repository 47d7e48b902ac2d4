//! Property tests: `decode` and `parse` never panic, whatever the bytes, and
//! what they return is consistent: every span lies inside the source, on
//! character boundaries, so rendering a diagnostic can never fail either.

#![allow(clippy::unwrap_used)] // tests may unwrap

mod common;

use proptest::prelude::*;
use weft_syntax::ast::Span;
use weft_syntax::{decode, parse};

/// The shared acceptance programs, read once.
fn corpus() -> &'static [String] {
    static CORPUS: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
    CORPUS.get_or_init(|| {
        common::weft_files(&common::acceptance("programs"))
            .iter()
            .map(|path| std::fs::read_to_string(path).unwrap())
            .collect()
    })
}

fn assert_span_in(src: &str, span: Span) {
    assert!(span.start <= span.end && span.end <= src.len(), "{span:?}");
    assert!(
        src.is_char_boundary(span.start) && src.is_char_boundary(span.end),
        "{span:?}"
    );
}

/// Parses and checks the result; renders every diagnostic as the CLI would.
fn check(src: &str) {
    match parse(src) {
        Ok(program) => common::check_spans(src, &program),
        Err(errors) => {
            assert!(!errors.is_empty() && errors.len() <= weft_syntax::MAX_ERRORS);
            for error in errors {
                assert_span_in(src, error.span());
                common::render("fuzz.weft", src, error);
            }
        }
    }
}

/// One edit of a program's bytes, as a student's typo or a bad paste might.
#[derive(Debug, Clone)]
enum Mutation {
    Delete { at: usize, len: usize },
    Duplicate { at: usize, len: usize },
    Swap { a: usize, b: usize, len: usize },
    Insert { at: usize, byte: u8 },
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<usize>(), 1..40usize).prop_map(|(at, len)| Mutation::Delete { at, len }),
        (any::<usize>(), 1..40usize).prop_map(|(at, len)| Mutation::Duplicate { at, len }),
        (any::<usize>(), any::<usize>(), 1..20usize).prop_map(|(a, b, len)| Mutation::Swap {
            a,
            b,
            len
        }),
        (any::<usize>(), any::<u8>()).prop_map(|(at, byte)| Mutation::Insert { at, byte }),
    ]
}

fn apply(bytes: &mut Vec<u8>, mutation: &Mutation) {
    let n = bytes.len().max(1);
    match *mutation {
        Mutation::Delete { at, len } => {
            let at = at % n;
            let end = (at + len).min(bytes.len());
            bytes.drain(at.min(end)..end);
        }
        Mutation::Duplicate { at, len } => {
            let at = at % n;
            let end = (at + len).min(bytes.len());
            let copy = bytes[at.min(end)..end].to_vec();
            bytes.splice(at.min(end)..at.min(end), copy);
        }
        Mutation::Swap { a, b, len } => {
            let (a, b) = ((a % n).min(b % n), (a % n).max(b % n));
            let len = len.min(b - a).min(bytes.len().saturating_sub(b));
            for i in 0..len {
                bytes.swap(a + i, b + i);
            }
        }
        Mutation::Insert { at, byte } => bytes.insert((at % n).min(bytes.len()), byte),
    }
}

/// Pieces of weft, to build inputs that get further into the grammar than
/// random bytes do.
const PIECES: &[&str] = &[
    "thread",
    "t",
    "[",
    "]",
    "{",
    "}",
    "(",
    ")",
    ";",
    ",",
    ".",
    "..",
    "@",
    ":",
    "=",
    "==",
    "+",
    "-",
    "*",
    "/",
    "%",
    "!",
    "&&",
    "||",
    "<",
    "<=",
    "++",
    "+=",
    "x",
    "1",
    "0",
    "99999999999999999999",
    "shared",
    "atomic",
    "mutex",
    "channel",
    "capacity",
    "fair",
    "fn",
    "let",
    "if",
    "else",
    "while",
    "loop",
    "for",
    "in",
    "with",
    "rw",
    "read",
    "await",
    "assert",
    "final",
    "invariant",
    "\"msg\"",
    "\"\\q\"",
    "\"",
    "/*",
    "*/",
    "//",
    "\n",
    " ",
    "self",
    "done",
    "choose",
    "join",
    "progress",
    "return",
    "break",
    "lock",
    "é",
    "\0",
];

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        match decode(&bytes) {
            Ok(src) => check(src),
            Err(error) => {
                let start = error.span().start;
                prop_assert!(start < bytes.len());
                prop_assert!(std::str::from_utf8(&bytes[..start]).is_ok());
                prop_assert!(std::str::from_utf8(&bytes[start..]).is_err());
            }
        }
    }

    #[test]
    fn arbitrary_token_soup(pieces in proptest::collection::vec(0..PIECES.len(), 0..120)) {
        let src: String = pieces.iter().map(|&i| PIECES[i]).collect::<Vec<_>>().join(" ");
        check(&src);
        let tight: String = pieces.iter().map(|&i| PIECES[i]).collect();
        check(&tight);
    }

    #[test]
    fn mutated_programs(
        program in 0..64usize,
        mutations in proptest::collection::vec(mutation(), 1..6),
    ) {
        let corpus = corpus();
        prop_assume!(!corpus.is_empty());
        let mut bytes = corpus[program % corpus.len()].clone().into_bytes();
        for m in &mutations {
            apply(&mut bytes, m);
        }
        if let Ok(src) = decode(&bytes) {
            check(src);
        }
        check(&String::from_utf8_lossy(&bytes));
    }
}
