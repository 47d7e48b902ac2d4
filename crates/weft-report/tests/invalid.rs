//! Reports of bad input, built from any miette diagnostic.
// Tests may unwrap: a panic is the failure report.
#![allow(clippy::unwrap_used)]

use miette::{Diagnostic, GraphicalReportHandler, GraphicalTheme, SourceSpan};
use weft_report::{human, invalid_report, HumanOptions};

#[derive(Debug, thiserror::Error, Diagnostic)]
#[error("unknown name `undefined_thing`")]
#[diagnostic(
    code(weft::undeclared),
    help("declare it with `shared undefined_thing = 0;`")
)]
struct Undeclared {
    #[label("not declared anywhere")]
    span: SourceSpan,
}

#[derive(Debug, thiserror::Error, Diagnostic)]
#[error("cannot read the file: No such file or directory")]
#[diagnostic(code(weft::io))]
struct Io;

const SRC: &str = "shared x = 0;\nthread a {\n    x = undefined_thing;\n}\n";

fn undeclared() -> Undeclared {
    let at = SRC.find("undefined_thing").unwrap();
    Undeclared {
        span: (at, "undefined_thing".len()).into(),
    }
}

#[test]
fn json_points_at_the_primary_label() {
    let d = undeclared();
    let report = invalid_report("x04.weft", Some(SRC), &[&d]);
    insta::assert_snapshot!(serde_json::to_string_pretty(&report).unwrap());
    assert_eq!(report["diagnostics"][0]["line"], 3);
    assert_eq!(report["diagnostics"][0]["column"], 9);
}

#[test]
fn unreadable_files_have_no_position() {
    let report = invalid_report("missing.weft", None, &[&Io]);
    let d = &report["diagnostics"][0];
    assert_eq!(d["code"], "weft::io");
    assert!(d["line"].is_null() && d["span"].is_null());
}

#[test]
fn human_rendering_attaches_the_source() {
    let d = undeclared();
    let handler = GraphicalReportHandler::new_themed(GraphicalTheme::unicode_nocolor());
    let text = human::render_invalid(
        "x04.weft",
        Some(SRC),
        &[&d, &Io],
        &HumanOptions::default(),
        &handler,
    );
    insta::assert_snapshot!(text);
}

#[test]
fn labels_past_the_end_do_not_break_rendering() {
    let d = Undeclared {
        span: (SRC.len() - 1, 10).into(),
    };
    let handler = GraphicalReportHandler::new_themed(GraphicalTheme::unicode_nocolor());
    let text = human::render_invalid(
        "x.weft",
        Some(SRC),
        &[&d],
        &HumanOptions::default(),
        &handler,
    );
    assert!(text.contains("not declared anywhere"), "{text}");
}
