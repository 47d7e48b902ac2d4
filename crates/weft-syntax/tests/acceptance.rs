//! Every example program of the project parses: the shared acceptance
//! programs (with their expected verdicts) and the catalogue in `programs/`.

#![allow(clippy::unwrap_used)] // tests may unwrap

mod common;

use std::path::{Path, PathBuf};

use common::{acceptance, parse_ok, weft_files};
use weft_syntax::ast::Item;

/// `.weft` files under `dir`, in its sub-folders too.
fn all_weft_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = weft_files(dir);
    for entry in std::fs::read_dir(dir).into_iter().flatten() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(all_weft_files(&path));
        }
    }
    files
}

#[test]
fn shared_acceptance_programs_parse() {
    let files = weft_files(&acceptance("programs"));
    assert!(files.len() >= 12, "shared/acceptance/programs not found");
    for file in files {
        let src = std::fs::read_to_string(&file).unwrap();
        common::check_spans(&src, &parse_ok(&src));
    }
}

#[test]
fn catalogue_programs_parse() {
    let catalogue = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../programs");
    for file in all_weft_files(&catalogue) {
        let src = std::fs::read_to_string(&file).unwrap();
        if weft_syntax::parse(&src).is_err() {
            panic!(
                "{} should parse:\n{}",
                file.display(),
                common::diagnostics(&file.display().to_string(), &src)
            );
        }
    }
}

#[test]
fn acceptance_programs_have_the_expected_shape() {
    // One look past "it parses": the first program's items, as written.
    let src = std::fs::read_to_string(acceptance("programs/a01_counter_race.weft")).unwrap();
    let program = parse_ok(&src);
    assert!(
        matches!(
            program.items.as_slice(),
            [Item::Var(_), Item::Thread(_), Item::FinalAssert(_)]
        ),
        "{program:?}"
    );
}
