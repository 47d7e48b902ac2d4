//! The catalogue's programs (`programs/*.weft` at the repository root), in
//! name order, for tests that run all of them. Shared by
//! `tests/reductions.rs` and the reductions' module tests.

use std::path::PathBuf;

pub fn catalogue() -> Vec<PathBuf> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../programs");
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "weft"))
        .collect();
    paths.sort();
    assert!(paths.len() >= 60, "the catalogue is in {}", dir.display());
    paths
}
