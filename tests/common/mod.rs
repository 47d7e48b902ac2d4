//! Helpers shared by the integration tests: running the binary, reading a
//! program's `// expect:` header, validating JSON against the schema.
// Each test crate that includes this module uses only part of it.
#![allow(dead_code)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// The repository root (the root package's manifest directory).
pub fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The `shared/` folder beside the repository, if this machine has one.
pub fn shared_dir(sub: &str) -> Option<PathBuf> {
    let dir = root().join("../shared").join(sub);
    dir.is_dir().then_some(dir)
}

/// `*.weft` files of a folder, sorted.
pub fn weft_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "weft"))
        .collect();
    files.sort();
    files
}

/// `weft` with the working directory at the repository root, so reports
/// name files by their relative paths.
pub fn weft() -> assert_cmd::Command {
    let mut cmd = assert_cmd::cargo::cargo_bin_cmd!("weft");
    cmd.current_dir(root());
    cmd.env_remove("NO_COLOR");
    cmd
}

/// What a program's header says it should give (the format of
/// `shared/tools/verdicts.py`).
#[derive(Debug, Default)]
pub struct Expect {
    /// `// expect: KIND, ...` or `ok` (the empty set).
    pub errors: Option<BTreeSet<String>>,
    /// `// expect-warn: KIND, ...`; `None` when absent (not checked).
    pub warnings: Option<BTreeSet<String>>,
    /// `// args: FLAGS` for `weft check`.
    pub args: Vec<String>,
}

/// Read the header: comment lines at the top, up to the first line of code.
pub fn expect(source: &str) -> Expect {
    let mut out = Expect::default();
    for line in source.lines() {
        let trimmed = line.trim();
        let Some(comment) = trimmed.strip_prefix("//") else {
            if trimmed.is_empty() {
                continue;
            }
            break;
        };
        let Some((key, value)) = comment.trim_start().split_once(':') else {
            continue;
        };
        let kinds = || -> BTreeSet<String> {
            value
                .split(',')
                .map(str::trim)
                .filter(|k| !k.is_empty())
                .map(String::from)
                .collect()
        };
        match key {
            "expect" => {
                let k = kinds();
                out.errors = Some(if k.len() == 1 && k.contains("ok") {
                    BTreeSet::new()
                } else {
                    k
                });
            }
            "expect-warn" => out.warnings = Some(kinds()),
            "args" => out.args = shell_words(value),
            _ => {}
        }
    }
    out
}

/// Split like a shell: whitespace separates, quotes group.
fn shell_words(text: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut quote = None;
    let mut in_word = false;
    for c in text.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), c) => word.push(c),
            (None, '\'' | '"') => {
                quote = Some(c);
                in_word = true;
            }
            (None, c) if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            (None, c) => {
                word.push(c);
                in_word = true;
            }
        }
    }
    if in_word {
        words.push(word);
    }
    words
}

/// Validate a JSON document against `docs/weft-report.schema.json`.
pub fn validate(doc: &serde_json::Value) -> Result<(), String> {
    let path = root().join("docs/weft-report.schema.json");
    let text = std::fs::read_to_string(&path).unwrap();
    let schema: serde_json::Value = serde_json::from_str(&text).unwrap();
    let mut schemas = boon::Schemas::new();
    let mut compiler = boon::Compiler::new();
    compiler
        .add_resource("weft-report.schema.json", schema)
        .unwrap();
    let index = compiler
        .compile("weft-report.schema.json", &mut schemas)
        .unwrap();
    schemas.validate(doc, index).map_err(|e| format!("{e:#}"))
}

/// The error and warning kinds of one JSON file report.
pub fn kinds(report: &serde_json::Value) -> (BTreeSet<String>, BTreeSet<String>) {
    let mut errors = BTreeSet::new();
    let mut warnings = BTreeSet::new();
    for v in report["violations"].as_array().into_iter().flatten() {
        let kind = v["kind"].as_str().unwrap_or("?").to_string();
        if v["severity"] == "warning" {
            warnings.insert(kind);
        } else {
            errors.insert(kind);
        }
    }
    (errors, warnings)
}
