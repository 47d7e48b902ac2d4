//! Snapshots of the syntax diagnostics, rendered as a user sees them, for
//! the shared bad inputs that are syntax errors and for `tests/bad/*.weft`.

#![allow(clippy::unwrap_used)] // tests may unwrap

mod common;

use std::path::Path;

use common::{acceptance, diagnostics};

/// Snapshot the diagnostics of one file, with its source in the header.
/// That it fails at all is asserted apart from the snapshot, so accepting a
/// snapshot can never approve a bad file that parses. Without `name`, insta
/// names the snapshot after the test and the globbed file.
fn check(path: &Path, name: Option<&str>) {
    let src = std::fs::read_to_string(path).unwrap();
    let file = path.file_name().unwrap().to_string_lossy().into_owned();
    assert!(weft_syntax::parse(&src).is_err(), "{file} should not parse");
    insta::with_settings!({
        description => src.clone(),
        omit_expression => true,
        prepend_module_to_snapshot => false,
    }, {
        match name {
            Some(name) => insta::assert_snapshot!(name, diagnostics(&file, &src)),
            None => insta::assert_snapshot!(diagnostics(&file, &src)),
        }
    });
}

#[test]
fn shared_bad_inputs() {
    check(
        &acceptance("bad/x01_missing_operand.weft"),
        Some("x01_missing_operand"),
    );
    check(
        &acceptance("bad/x02_unbalanced.weft"),
        Some("x02_unbalanced"),
    );
}

#[test]
fn bad() {
    insta::glob!("bad/*.weft", |path| check(path, None));
}

#[test]
fn shared_semantic_errors_are_not_syntax_errors() {
    // These are `weft-lower`'s to reject, with better messages than ours.
    for name in [
        "x03_increment_atomic.weft",
        "x04_unknown_name.weft",
        "x05_method_on_wrong_object.weft",
    ] {
        let src = std::fs::read_to_string(acceptance("bad").join(name)).unwrap();
        common::parse_ok(&src);
    }
}

#[test]
fn invalid_utf8() {
    // The CLI shows the text it can: the bytes read lossily, which keeps
    // every offset before the bad byte.
    let bytes = b"shared x = 0;\nthread t { x = \xff\xfe; }\n";
    let error = weft_syntax::decode(bytes).unwrap_err();
    let lossy = String::from_utf8_lossy(bytes);
    insta::assert_snapshot!(
        "invalid_utf8",
        common::render("invalid.weft", &lossy, error)
    );
}
