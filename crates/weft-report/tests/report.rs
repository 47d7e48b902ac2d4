//! The human and JSON reports of hand-built outcomes, pinned as snapshots,
//! and every JSON report validated against the published schema.
// Tests may unwrap: a panic is the failure report.
#![allow(clippy::unwrap_used)]

mod fixtures;

use fixtures::Fixture;
use miette::{GraphicalReportHandler, GraphicalTheme};
use serde_json::Value;
use weft_report::{human, json, HumanOptions};

fn handler() -> GraphicalReportHandler {
    GraphicalReportHandler::new_themed(GraphicalTheme::unicode_nocolor()).with_width(100)
}

fn plain(f: &Fixture) -> String {
    human::render(&f.checked(), &HumanOptions::default(), &handler())
}

fn all() -> Vec<(&'static str, Fixture)> {
    vec![
        ("counter_race", fixtures::counter_race()),
        ("lock_order", fixtures::lock_order()),
        ("polite_livelock", fixtures::polite_livelock()),
        ("inconclusive", fixtures::inconclusive()),
        ("starvation", fixtures::starvation()),
    ]
}

#[test]
fn human_reports() {
    for (name, f) in all() {
        insta::assert_snapshot!(format!("human_{name}"), plain(&f));
    }
}

#[test]
fn json_reports() {
    for (name, f) in all() {
        let report = json::report(&f.checked());
        insta::assert_snapshot!(
            format!("json_{name}"),
            serde_json::to_string_pretty(&report).unwrap()
        );
    }
}

fn schema_validates(doc: &Value) -> Result<(), String> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../docs/weft-report.schema.json"
    );
    let schema: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
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

#[test]
fn json_reports_match_the_schema() {
    let mut list = Vec::new();
    for (name, f) in all() {
        let report = json::report(&f.checked());
        schema_validates(&report).unwrap_or_else(|e| panic!("{name}: {e}"));
        list.push(report);
    }
    schema_validates(&Value::Array(list)).unwrap();
}

#[test]
fn the_schema_rejects_what_it_should() {
    let mut report = json::report(&fixtures::counter_race().checked());
    report["violations"][0]["kind"] = "race".into();
    assert!(schema_validates(&report).is_err(), "unknown kind accepted");
    let mut report = json::report(&fixtures::lock_order().checked());
    report["violations"][0]
        .as_object_mut()
        .unwrap()
        .remove("deadlock");
    assert!(
        schema_validates(&report).is_err(),
        "deadlock without waits accepted"
    );
    let mut report = json::report(&fixtures::inconclusive().checked());
    report["verdict"] = "invalid".into();
    assert!(
        schema_validates(&report).is_err(),
        "invalid verdict with stats accepted"
    );
}

#[test]
fn verdicts_follow_the_precedence() {
    let verdict = |f: Fixture| json::report(&f.checked())["verdict"].clone();
    assert_eq!(verdict(fixtures::counter_race()), "errors");
    assert_eq!(verdict(fixtures::inconclusive()), "inconclusive");
    assert_eq!(verdict(fixtures::starvation()), "warnings");
    let mut errors_and_limit = fixtures::counter_race();
    errors_and_limit.outcome.limit = Some(weft_explore::Limit::MaxDepth(3));
    assert_eq!(verdict(errors_and_limit), "errors");
}

#[test]
fn every_location_gets_a_label() {
    let text = plain(&fixtures::lock_order());
    for label in [
        "a waits for lock2",
        "b waits for lock1",
        "a holds lock1",
        "b holds lock2",
    ] {
        assert!(text.contains(label), "missing label {label:?} in\n{text}");
    }
    let text = plain(&fixtures::counter_race());
    assert!(
        text.contains("inc[0] writes counter; inc[1] overwrites it"),
        "{text}"
    );
}

#[test]
fn colour_only_when_asked() {
    let f = fixtures::counter_race();
    assert!(!plain(&f).contains('\x1b'));
    let options = HumanOptions {
        color: true,
        ..HumanOptions::default()
    };
    let coloured = human::render(&f.checked(), &options, &handler());
    assert!(coloured.contains("\x1b[1;31merrors\x1b[0m"), "{coloured}");
}

#[test]
fn time_only_when_asked() {
    let f = fixtures::counter_race();
    assert!(!plain(&f).contains(" s\n"));
    let options = HumanOptions {
        elapsed: true,
        ..HumanOptions::default()
    };
    let line = human::stats_line(&f.checked(), &options);
    assert!(line.ends_with("in 0.012 s"), "{line}");
}

#[test]
fn denied_warnings_say_so() {
    let f = fixtures::starvation();
    let options = HumanOptions {
        deny_warnings: true,
        ..HumanOptions::default()
    };
    assert_eq!(
        human::verdict_line(&f.checked(), &options),
        "polite.weft: warnings: starvation (denied by --deny warnings)"
    );
}

#[test]
fn verdict_lines_mention_warnings_and_limits_beside_errors() {
    let mut f = fixtures::counter_race();
    f.outcome.limit = Some(weft_explore::Limit::MaxDepth(3));
    let mut starving = fixtures::starvation().outcome.findings;
    f.outcome.findings.append(&mut starving);
    assert_eq!(
        human::verdict_line(&f.checked(), &HumanOptions::default()),
        "programs/counter_race.weft: errors: final, data-race, lost-update; warnings: starvation; \
         --max-depth stopped the search at depth 3, before it was exhaustive"
    );
    let mut ok = fixtures::inconclusive();
    ok.outcome.limit = None;
    assert_eq!(
        human::verdict_line(&ok.checked(), &HumanOptions::default()),
        "programs/counter_race.weft: ok: no violation in any schedule"
    );
}
