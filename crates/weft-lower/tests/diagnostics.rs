//! One program per error kind under `tests/bad/`: the rendered diagnostics
//! are snapshotted, and the `// expect:` header lists the codes that must be
//! reported (all of them, and no others), so accepting a snapshot cannot
//! approve a wrong verdict.

#![allow(clippy::unwrap_used)] // tests may unwrap

mod common;

use std::collections::BTreeSet;

use common::{parse, render};

/// The codes after `// expect:` on the first line.
fn expected_codes(src: &str) -> BTreeSet<String> {
    let first = src.lines().next().unwrap_or_default();
    let list = first
        .strip_prefix("// expect:")
        .unwrap_or_else(|| panic!("no `// expect:` header"));
    list.split(',')
        .map(|c| c.trim().to_string())
        .filter(|c| !c.is_empty())
        .collect()
}

#[test]
fn each_bad_program_gets_its_diagnostics() {
    insta::glob!("bad/*.weft", |path| {
        let src = std::fs::read_to_string(path).unwrap();
        let name = path.file_name().unwrap().to_string_lossy();
        let errors = match weft_lower::compile(&parse(&src), &[]) {
            Ok(p) => panic!("{name} compiled, but should not:\n{p}"),
            Err(e) => e,
        };
        let codes: BTreeSet<String> = errors
            .iter()
            .map(|e| {
                miette::Diagnostic::code(e)
                    .map(|c| c.to_string())
                    .unwrap_or_default()
            })
            .collect();
        assert_eq!(codes, expected_codes(&src), "{name}");
        for e in &errors {
            let d = e.detail();
            assert!(
                d.primary.is_some() && d.help.is_some(),
                "{name}: `{}` lacks a label or help",
                d.message
            );
        }
        insta::assert_snapshot!(render(&name, &src, errors));
    });
}

fn define_errors(src: &str, defines: &[(&str, &str)]) -> String {
    let defines: Vec<(String, String)> = defines
        .iter()
        .map(|(n, v)| (n.to_string(), v.to_string()))
        .collect();
    match weft_lower::compile(&parse(src), &defines) {
        Ok(_) => panic!("compiled with {defines:?}"),
        Err(e) => render("defines.weft", src, e),
    }
}

#[test]
fn bad_defines_are_reported() {
    let src = "const N = 2;\nconst FAST = true;\nshared x = 0;\nthread t[N] { }\n";
    let out = [
        define_errors(src, &[("M", "3")]),
        define_errors(src, &[("x", "3")]),
        define_errors(src, &[("N", "three")]),
        define_errors(src, &[("N", "true"), ("FAST", "1")]),
        define_errors(src, &[("N", "100")]),
    ]
    .join("----\n");
    assert!(out.contains("weft::unknown_define") && out.contains("weft::bad_define"));
    assert!(out.contains("weft::too_many_threads"));
    insta::assert_snapshot!(out);
}

#[test]
fn the_shared_bad_examples_get_semantic_errors() {
    let dir = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/acceptance/bad"
    );
    for (file, code) in [
        ("x03_increment_atomic.weft", "weft::atomic_compound"),
        ("x04_unknown_name.weft", "weft::undeclared"),
        ("x05_method_on_wrong_object.weft", "weft::wrong_method"),
    ] {
        let Ok(src) = std::fs::read_to_string(format!("{dir}/{file}")) else {
            // The shared examples live outside the repository; the same
            // programs are covered by tests/bad/ when they are absent.
            continue;
        };
        let errors = weft_lower::compile(&parse(&src), &[]).expect_err(file);
        let codes: Vec<String> = errors
            .iter()
            .filter_map(|e| miette::Diagnostic::code(e).map(|c| c.to_string()))
            .collect();
        assert_eq!(codes, [code], "{file}");
    }
}

#[test]
fn an_expression_statement_that_does_nothing_is_reported() {
    // The parser only makes calls into statements; build `x + 1;` by hand.
    let src = "shared x = 0;\nthread t { let y = x + 1; }";
    let mut ast = parse(src);
    let weft_syntax::ast::Item::Thread(t) = &mut ast.items[1] else {
        panic!("not a thread")
    };
    let stmt = &mut t.body.stmts[0];
    let weft_syntax::ast::StmtKind::Let { init: Some(e), .. } = &stmt.kind else {
        panic!("not a let")
    };
    stmt.kind = weft_syntax::ast::StmtKind::Expr(e.clone());
    let errors = weft_lower::compile(&ast, &[]).expect_err("x + 1; does nothing");
    let out = render("unused.weft", src, errors);
    assert!(out.contains("weft::unused_expression"), "{out}");
    insta::assert_snapshot!(out);
}
