//! Every program of the catalogue and of the shared acceptance suite compiles
//! without errors.

#![allow(clippy::unwrap_used)] // tests may unwrap

mod common;

use std::path::PathBuf;

#[test]
fn every_program_compiles() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let dirs = [
        root.join("../../programs"),
        root.join("../../../shared/acceptance/programs"),
    ];
    let mut files: Vec<PathBuf> = dirs
        .iter()
        .filter_map(|d| std::fs::read_dir(d).ok())
        .flatten()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "weft"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no programs found in {dirs:?}");
    let mut failures = Vec::new();
    for path in &files {
        let src = std::fs::read_to_string(path).unwrap();
        let name = path.file_name().unwrap().to_string_lossy();
        let ast = match weft_syntax::parse(&src) {
            Ok(ast) => ast,
            Err(e) => {
                failures.push(format!("{name} does not parse: {e:?}"));
                continue;
            }
        };
        if let Err(errors) = weft_lower::compile(&ast, &[]) {
            failures.push(common::render(&name, &src, errors));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
