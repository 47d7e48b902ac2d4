//! The reserved words of LANGUAGE.md section 2 are exactly the words that
//! cannot be names; words that merely contain one are ordinary names.

#![allow(clippy::unwrap_used)] // tests may unwrap

mod common;

use common::{code, only_error, parse_ok};

/// The words listed after "Reserved:" in the language reference.
fn reserved_words() -> Vec<String> {
    let path = common::acceptance("../LANGUAGE.md");
    let text = std::fs::read_to_string(path).unwrap();
    let start = text.find("Reserved: `").unwrap() + "Reserved: `".len();
    let end = start + text[start..].find('`').unwrap();
    text[start..end]
        .split_whitespace()
        .map(str::to_string)
        .collect()
}

#[test]
fn every_reserved_word_is_refused_as_a_name() {
    let words = reserved_words();
    assert_eq!(words.len(), 40, "{words:?}");
    for word in &words {
        for src in [
            format!("shared {word} = 0;"),
            format!("thread t {{ let {word} = 1; }}"),
            format!("fn f({word}) {{ }}"),
        ] {
            let error = only_error(&src);
            assert_eq!(code(&error), "weft::reserved_word", "{src}: {error}");
            assert!(error.to_string().contains(&format!("`{word}`")), "{error}");
        }
    }
}

#[test]
fn words_containing_reserved_words_are_names() {
    for word in reserved_words() {
        for name in [format!("{word}_"), format!("{word}1"), format!("my_{word}")] {
            parse_ok(&format!("shared {name} = 0;"));
        }
    }
    // Not reserved at all: `read` and `write` mean something only after
    // `with rw.`, and method names like `read_lock` or `done` are free.
    parse_ok("shared read = 0; shared write = 1; shared reader = 2;");
    parse_ok("thread t { wg.done(); rw.read_lock(); x = q.int(); }");
}
