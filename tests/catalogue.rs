//! The catalogue (`programs/`) end to end: one snapshot of the plain human
//! report per program, and, separately, each program's verdict against its
//! `// expect:` header, so accepting a snapshot can never approve a wrong
//! verdict (each JSON report is validated against the schema on the way).
//! The shared acceptance programs get the verdict check too.
// Tests may unwrap: a panic is the failure report.
#![allow(clippy::unwrap_used)]

mod common;

use common::{expect, kinds, weft, weft_files, Expect};
use std::collections::BTreeSet;
use std::path::Path;

/// Kinds the explorer does not report yet: a header naming one of them is
/// compared without it.
// FIXME: empty now that the explorer reports livelock and starvation; put a
// kind here only while its check is being written, and say which issue.
const NOT_YET_REPORTED: &[&str] = &[];

#[test]
fn catalogue_reports() {
    insta::glob!("..", "programs/*.weft", |path| {
        let source = std::fs::read_to_string(path).unwrap();
        let header = expect(&source);
        let relative = path.strip_prefix(common::root()).unwrap();
        let output = weft()
            .arg("check")
            .arg("--color=never")
            .args(&header.args)
            .arg(relative)
            .output()
            .unwrap();
        let stdout = String::from_utf8(output.stdout).unwrap();
        insta::with_settings!({
            description => source,
            omit_expression => true,
            snapshot_path => "snapshots/catalogue",
        }, {
            insta::assert_snapshot!("report", stdout);
        });
    });
}

/// Compare one program's JSON verdict with its header; `None` when it agrees.
fn mismatch(path: &Path) -> Option<String> {
    let source = std::fs::read_to_string(path).unwrap();
    let Expect {
        errors: Some(want_errors),
        warnings: want_warnings,
        args,
    } = expect(&source)
    else {
        return Some("no `// expect:` header".into());
    };
    let output = weft()
        .arg("check")
        .arg("--format=json")
        .args(&args)
        .arg(path)
        .output()
        .unwrap();
    let code = output.status.code();
    let report: serde_json::Value = match serde_json::from_slice(&output.stdout) {
        Ok(report) => report,
        Err(e) => {
            let stderr = String::from_utf8_lossy(&output.stderr);
            return Some(format!("exit {code:?}, no JSON ({e}): {stderr}"));
        }
    };
    if let Err(e) = common::validate(&report) {
        return Some(format!("the JSON report does not match the schema: {e}"));
    }
    let (errors, warnings) = kinds(&report);
    let skip = |set: BTreeSet<String>| -> BTreeSet<String> {
        set.into_iter()
            .filter(|k| !NOT_YET_REPORTED.contains(&k.as_str()))
            .collect()
    };
    let mut problems = Vec::new();
    let (errors, want_errors) = (skip(errors), skip(want_errors));
    if errors != want_errors {
        problems.push(format!("errors {errors:?}, expected {want_errors:?}"));
    }
    if let Some(want) = want_warnings {
        let (warnings, want) = (skip(warnings), skip(want));
        if warnings != want {
            problems.push(format!("warnings {warnings:?}, expected {want:?}"));
        }
    }
    let want_code = if want_errors.is_empty() { 0 } else { 1 };
    if code != Some(want_code) {
        problems.push(format!(
            "exit {code:?} with verdict {}, expected {want_code}",
            report["verdict"]
        ));
    }
    (!problems.is_empty()).then(|| problems.join("; "))
}

fn check_folder(dir: &Path) {
    let files = weft_files(dir);
    assert!(!files.is_empty(), "no programs in {}", dir.display());
    let bad: Vec<String> = files
        .iter()
        .filter_map(|f| mismatch(f).map(|m| format!("{}: {m}", f.display())))
        .collect();
    assert!(
        bad.is_empty(),
        "verdicts that differ from their headers:\n{}",
        bad.join("\n")
    );
}

#[test]
fn catalogue_verdicts_match_headers() {
    check_folder(&common::root().join("programs"));
}

#[test]
fn acceptance_verdicts_match_headers() {
    match common::shared_dir("acceptance/programs") {
        Some(dir) => check_folder(&dir),
        None => eprintln!(
            "note: ../shared/acceptance/programs is absent; acceptance verdicts not checked"
        ),
    }
}

#[test]
fn headers_parse_like_verdicts_py() {
    let e = expect(
        "// expect: data-race, final\n// expect-warn: starvation\n// args: -D N=3 --max-depth '4'\n\
         // other words: not a key\nshared x = 0;\n// expect: ok\n",
    );
    let set = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<BTreeSet<_>>();
    assert_eq!(e.errors, Some(set(&["data-race", "final"])));
    assert_eq!(e.warnings, Some(set(&["starvation"])));
    assert_eq!(e.args, vec!["-D", "N=3", "--max-depth", "4"]);
    assert_eq!(expect("// expect: ok\n").errors, Some(BTreeSet::new()));
    assert_eq!(expect("shared x;\n// expect: ok\n").errors, None);
}
