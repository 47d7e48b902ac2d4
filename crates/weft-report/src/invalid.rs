//! The JSON report of a file that could not be checked: bad syntax, a
//! semantic error, or a file that could not be read. Built from any miette
//! diagnostic, so every stage's errors come out the same way.

use crate::json::{JsonSpan, VERSION};
use crate::position::LineIndex;
use crate::verdict::Verdict;
use miette::{Diagnostic, LabeledSpan, Severity};
use serde::Serialize;
use serde_json::Value;
use weft_ir::SrcSpan;

#[derive(Serialize)]
struct Report<'a> {
    version: u32,
    file: &'a str,
    verdict: &'static str,
    diagnostics: Vec<JsonDiagnostic>,
}

#[derive(Serialize)]
struct JsonDiagnostic {
    code: Option<String>,
    severity: &'static str,
    message: String,
    help: Option<String>,
    /// Where the primary label starts; null when there is no label or text.
    line: Option<usize>,
    column: Option<usize>,
    span: Option<JsonSpan>,
    labels: Vec<JsonLabel>,
}

#[derive(Serialize)]
struct JsonLabel {
    label: Option<String>,
    line: Option<usize>,
    column: Option<usize>,
    end_line: Option<usize>,
    end_column: Option<usize>,
    span: JsonSpan,
}

/// The report for bad input. `source` is `None` when the file could not be
/// read; positions are then null. Related diagnostics follow their parent.
pub fn invalid_report(file: &str, source: Option<&str>, diagnostics: &[&dyn Diagnostic]) -> Value {
    let lines = source.map(LineIndex::new);
    let mut out = Vec::new();
    for &d in diagnostics {
        push(&mut out, d, lines.as_ref());
    }
    let report = Report {
        version: VERSION,
        file,
        verdict: Verdict::Invalid.name(),
        diagnostics: out,
    };
    // Serializing these plain structs cannot fail: every map key is a string.
    serde_json::to_value(report).unwrap_or(Value::Null)
}

fn push(out: &mut Vec<JsonDiagnostic>, d: &dyn Diagnostic, lines: Option<&LineIndex>) {
    let labels: Vec<LabeledSpan> = d.labels().map(|l| l.collect()).unwrap_or_default();
    let primary = labels.iter().find(|l| l.primary()).or(labels.first());
    let at = primary.and_then(|l| Some(lines?.position(l.offset())));
    out.push(JsonDiagnostic {
        code: d.code().map(|c| c.to_string()),
        severity: match d.severity() {
            Some(Severity::Warning) => "warning",
            Some(Severity::Advice) => "advice",
            Some(Severity::Error) | None => "error",
        },
        message: d.to_string(),
        help: d.help().map(|h| h.to_string()),
        line: at.map(|p| p.line),
        column: at.map(|p| p.column),
        span: primary.map(span),
        labels: labels
            .iter()
            .map(|l| {
                let start = lines.map(|ix| ix.position(l.offset()));
                let end = lines.map(|ix| ix.position(l.offset() + l.len()));
                JsonLabel {
                    label: l.label().map(str::to_string),
                    line: start.map(|p| p.line),
                    column: start.map(|p| p.column),
                    end_line: end.map(|p| p.line),
                    end_column: end.map(|p| p.column),
                    span: span(l),
                }
            })
            .collect(),
    });
    if let Some(related) = d.related() {
        for r in related {
            push(out, r, lines);
        }
    }
}

fn span(l: &LabeledSpan) -> JsonSpan {
    SrcSpan::new(l.offset(), l.offset() + l.len()).into()
}
