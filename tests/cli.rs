//! The `weft` binary: exit codes, formats, flags and bad input.
// Tests may unwrap: a panic is the failure report.
#![allow(clippy::unwrap_used)]

mod common;

use common::{validate, weft, weft_files};
use predicates::prelude::*;
use serde_json::Value;

fn json(args: &[&str]) -> (Value, Option<i32>) {
    let output = weft()
        .args(["check", "--format", "json"])
        .args(args)
        .output()
        .unwrap();
    let doc: Value = serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )
    });
    validate(&doc).unwrap_or_else(|e| panic!("{args:?}: report does not match the schema: {e}"));
    (doc, output.status.code())
}

#[test]
fn exit_0_when_no_error_is_found() {
    weft()
        .args(["check", "tests/cli/locked.weft"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("tests/cli/locked.weft: ok"));
}

#[test]
fn exit_1_with_every_violation_of_the_racy_counter() {
    weft()
        .args(["check", "--color", "never", "tests/cli/racy.weft"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("weft::data-race"))
        .stdout(predicate::str::contains("weft::lost-update"))
        .stdout(predicate::str::contains("weft::final"))
        .stdout(predicate::str::contains("step │ inc[0]"))
        .stdout(predicate::str::contains("\x1b").not());
}

#[test]
fn exit_3_when_a_limit_stops_the_search() {
    let (doc, code) = json(&["--max-states", "1", "tests/cli/locked.weft"]);
    assert_eq!(code, Some(3));
    assert_eq!(doc["verdict"], "inconclusive");
    assert_eq!(doc["limit"]["kind"], "max-states");
    weft()
        .args(["check", "--max-states=1", "tests/cli/locked.weft"])
        .assert()
        .code(3)
        .stdout(predicate::str::contains("inconclusive"))
        .stdout(predicate::str::contains("--max-states stopped the search"));
}

/// A state space without end (two counters that grow forever) stops at
/// the memory limit with a verdict, not at the machine's.
#[test]
fn exit_3_when_a_search_outgrows_its_memory() {
    let (doc, code) = json(&["--max-memory", "48M", "tests/cli/endless.weft"]);
    assert_eq!(code, Some(3));
    assert_eq!(doc["verdict"], "inconclusive");
    assert_eq!(doc["limit"]["kind"], "max-memory");
    assert_eq!(doc["limit"]["value"], 48 << 20);
    weft()
        .args(["check", "--max-memory=48M", "tests/cli/endless.weft"])
        .assert()
        .code(3)
        .stdout(predicate::str::contains(
            "--max-memory stopped the search when weft held more than 48 MiB",
        ));
    weft()
        .args(["schedules", "--max-memory", "48M", "tests/cli/endless.weft"])
        .assert()
        .code(3)
        .stdout(predicate::str::contains("--max-memory stopped the search"));
    weft()
        .args(["check", "--max-memory", "lots", "tests/cli/endless.weft"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "expected a size, as in `--max-memory 512M`",
        ));
}

#[test]
fn json_reports_validate_and_carry_schedules() {
    let (doc, code) = json(&["tests/cli/racy.weft"]);
    assert_eq!(code, Some(1));
    assert_eq!(doc["version"], 1);
    assert_eq!(doc["verdict"], "errors");
    let violations = doc["violations"].as_array().unwrap();
    let race = violations
        .iter()
        .find(|v| v["kind"] == "data-race")
        .unwrap();
    assert!(race["locations"].as_array().unwrap().len() >= 2);
    let lost = violations
        .iter()
        .find(|v| v["kind"] == "lost-update")
        .unwrap();
    let schedule = lost["schedule"].as_array().unwrap();
    assert!(schedule
        .iter()
        .all(|s| s["thread"].as_str().unwrap().starts_with("inc[")));
    assert!(schedule.iter().all(|s| s["values"]["counter"].is_i64()));
}

#[test]
fn several_files_give_a_list_and_the_worst_exit_code() {
    let (doc, code) = json(&["tests/cli/locked.weft", "tests/cli/racy.weft"]);
    let list = doc.as_array().expect("a list for several files");
    assert_eq!(list.len(), 2);
    assert_eq!(list[0]["verdict"], "ok");
    assert_eq!(list[1]["verdict"], "errors");
    assert_eq!(code, Some(1));

    let (doc, code) = json(&["tests/cli/racy.weft", "tests/cli/missing.weft"]);
    assert_eq!(doc[1]["verdict"], "invalid");
    assert_eq!(code, Some(2), "bad input outranks errors");

    // The race shows at depth 1, so the racy counter has errors while the
    // locked one is cut off.
    let (doc, code) = json(&[
        "--max-depth",
        "1",
        "tests/cli/locked.weft",
        "tests/cli/racy.weft",
    ]);
    assert_eq!(doc[0]["verdict"], "inconclusive");
    assert_eq!(doc[1]["verdict"], "errors");
    assert_eq!(code, Some(1), "errors outrank inconclusive");

    weft()
        .args([
            "check",
            "--quiet",
            "tests/cli/locked.weft",
            "tests/cli/racy.weft",
        ])
        .assert()
        .code(1)
        .stdout(predicate::function(|out: &str| out.lines().count() == 2))
        .stdout(predicate::str::contains("tests/cli/locked.weft: ok"))
        .stdout(predicate::str::contains(
            "tests/cli/racy.weft: errors: final, data-race",
        ));
}

#[test]
fn a_define_changes_the_verdict() {
    let (doc, code) = json(&["tests/cli/const_threads.weft"]);
    assert_eq!((doc["verdict"].as_str(), code), (Some("ok"), Some(0)));
    let (doc, code) = json(&["-D", "N=3", "tests/cli/const_threads.weft"]);
    assert_eq!((doc["verdict"].as_str(), code), (Some("errors"), Some(1)));
    assert_eq!(doc["violations"][0]["kind"], "final");
}

#[test]
fn check_and_skip_select_kinds() {
    let (doc, code) = json(&["--skip", "data-race,lost-update", "tests/cli/racy.weft"]);
    assert_eq!(code, Some(1));
    assert!(doc["violations"]
        .as_array()
        .unwrap()
        .iter()
        .all(|v| v["kind"] == "final"));
    let (doc, _) = json(&["--check", "deadlock", "tests/cli/racy.weft"]);
    assert_eq!(doc["verdict"], "ok");
}

#[test]
fn warnings_pass_unless_denied() {
    let (doc, code) = json(&["tests/cli/starving_writer.weft"]);
    assert_eq!(doc["verdict"], "warnings");
    assert_eq!(code, Some(0));
    let (_, code) = json(&["--deny", "warnings", "tests/cli/starving_writer.weft"]);
    assert_eq!(code, Some(1));
}

#[test]
fn a_bad_kind_is_a_usage_error_with_a_suggestion() {
    weft()
        .args(["check", "--check", "race", "tests/cli/racy.weft"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("unknown kind `race`"))
        .stderr(predicate::str::contains("did you mean `data-race`?"));
}

#[test]
fn weak_memory_models_reorder_writes_with_later_reads() {
    let file = "tests/cli/store_buffering.weft";
    weft()
        .args(["check", "-q", file])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("errors: data-race (2)"));
    for model in ["tso", "pso"] {
        weft()
            .args(["check", "--memory-model", model, "--check", "final", file])
            .assert()
            .code(1)
            .stdout(predicate::str::contains("final assertion failed"))
            .stdout(predicate::str::contains("write x = 1 (buffered)"))
            .stdout(predicate::str::contains("flush x = 1 to memory"))
            .stdout(predicate::str::contains(format!(
                "memory model {model} (store buffers of 4 writes)"
            )));
    }
    weft()
        .args([
            "check",
            "--memory-model",
            "tso",
            "--store-buffer",
            "1",
            "--format",
            "json",
            file,
        ])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("\"store_buffer\": 1"));
    weft()
        .args([
            "check",
            "--memory-model",
            "tso",
            "--store-buffer",
            "0",
            file,
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--store-buffer"));
    // A buffer size alone is a mistake: the default model has no buffers.
    weft()
        .args(["check", "--store-buffer", "2", file])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--memory-model"));
}

#[test]
fn weak_memory_schedules_replay_with_flush_words() {
    let file = "tests/cli/store_buffering.weft";
    weft()
        .args(["run", "--memory-model", "tso", file, "--schedule"])
        .arg("a a a b b a#flush*2 b b#flush*2")
        .assert()
        .code(1)
        .stdout(predicate::str::contains("final assertion failed"))
        .stdout(predicate::str::contains("a flushing [x = 1, r0 = 0]"));
    weft()
        .args(["run", file, "--schedule", "a a#flush"])
        .assert()
        .code(2)
        .stdout(predicate::str::contains(
            "only under `--memory-model tso` or `pso`",
        ));
    weft()
        .args([
            "run",
            "--memory-model",
            "pso",
            file,
            "--schedule",
            "a a#flush.x",
        ])
        .assert()
        .stdout(predicate::str::contains("flush x = 1 to memory"));
    // Under pso an array cell has a buffer of its own, named as written.
    weft()
        .args(["run", "--memory-model", "pso", "tests/cli/pso_array.weft"])
        .args(["--schedule", "producer*2 producer#flush.a[1] consumer*2"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("flush a[1] = 1 to memory"))
        .stdout(predicate::str::contains("assertion failed"));
    weft()
        .args(["run", "--memory-model", "pso", "tests/cli/pso_array.weft"])
        .args(["--schedule", "producer producer#flush.a"])
        .assert()
        .code(2)
        .stdout(predicate::str::contains(
            "`a` is not a plain shared variable or array cell",
        ));
    // A report remembers its memory model: its schedule replays under it.
    let report = std::env::temp_dir().join(format!("weft-tso-report-{}.json", std::process::id()));
    let out = weft()
        .args([
            "check",
            "--format",
            "json",
            "--memory-model",
            "tso",
            "--check",
            "final",
            file,
        ])
        .output()
        .expect("weft runs");
    std::fs::write(&report, &out.stdout).expect("temp file");
    weft()
        .args(["run", file, "--trace"])
        .arg(&report)
        .assert()
        .code(1)
        .stdout(predicate::str::contains("final assertion failed"));
    let _ = std::fs::remove_file(&report);
}

#[test]
fn a_missing_file_is_a_clear_error() {
    weft()
        .args(["check", "tests/cli/missing.weft"])
        .assert()
        .code(2)
        .stdout(predicate::str::contains(
            "cannot read `tests/cli/missing.weft`",
        ));
    let (doc, code) = json(&["tests/cli/missing.weft"]);
    assert_eq!(code, Some(2));
    assert_eq!(doc["diagnostics"][0]["code"], "weft::io");
}

#[test]
fn help_has_examples() {
    weft()
        .args(["check", "--help"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("Examples:"))
        .stdout(predicate::str::contains("--memory-model"));
    weft()
        .arg("--help")
        .assert()
        .code(0)
        .stdout(predicate::str::contains(
            "weft check programs/01_counter_race.weft",
        ));
}

/// The line each acceptance input's first diagnostic must point at.
const BAD_LINES: &[(&str, u64)] = &[
    ("x01_missing_operand.weft", 3),
    ("x02_unbalanced.weft", 3),
    ("x03_increment_atomic.weft", 3),
    ("x04_unknown_name.weft", 3),
    ("x05_method_on_wrong_object.weft", 3),
];

#[test]
fn acceptance_bad_inputs_exit_2_pointing_at_the_line() {
    let Some(dir) = common::shared_dir("acceptance/bad") else {
        eprintln!("note: ../shared/acceptance/bad is absent; skipped");
        return;
    };
    for path in weft_files(&dir) {
        let name = path.file_name().unwrap().to_str().unwrap();
        let (doc, code) = json(&[path.to_str().unwrap()]);
        assert_eq!(code, Some(2), "{name}");
        assert_eq!(doc["verdict"], "invalid", "{name}");
        let line = doc["diagnostics"][0]["line"].as_u64();
        assert!(line.is_some(), "{name}: the diagnostic has no line");
        if let Some(&(_, want)) = BAD_LINES.iter().find(|(n, _)| *n == name) {
            assert_eq!(line, Some(want), "{name}: {doc:#}");
            // The human rendering names the same line in miette's header.
            weft()
                .args(["check", "--color", "never"])
                .arg(&path)
                .assert()
                .code(2)
                .stdout(predicate::str::contains(format!("{name}:{want}:")));
        }
    }
}

#[test]
fn bad_input_never_crashes() {
    // Invalid UTF-8, an empty file, deep nesting: reports, never panics.
    let dir = std::env::temp_dir().join(format!("weft-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let cases: Vec<(&str, Vec<u8>)> = vec![
        (
            "utf8.weft",
            b"shared x = 0;\nthread a { x = \xff; }\n".to_vec(),
        ),
        ("empty.weft", Vec::new()),
        (
            "deep.weft",
            format!(
                "shared x = {}1{};\n",
                "(".repeat(20_000),
                ")".repeat(20_000)
            )
            .into_bytes(),
        ),
    ];
    for (name, bytes) in cases {
        let path = dir.join(name);
        std::fs::write(&path, bytes).unwrap();
        let output = weft()
            .args(["check", "--format", "json"])
            .arg(&path)
            .output()
            .unwrap();
        let code = output.status.code();
        assert!(matches!(code, Some(0..=3)), "{name}: exit {code:?}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!stderr.contains("panicked"), "{name}: {stderr}");
        let doc: Value = serde_json::from_slice(&output.stdout).unwrap();
        validate(&doc).unwrap();
    }
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn colour_only_when_asked() {
    // Piped stdout: `auto` means no colour.
    weft()
        .args(["check", "tests/cli/racy.weft"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("\x1b[").not());
    weft()
        .args(["check", "--color", "always", "tests/cli/racy.weft"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("\x1b["));
}

/// Each reduction's switch turns it off (the JSON says so), stores at least
/// as many states, and keeps the verdict.
#[test]
fn reduction_switches_keep_the_verdict() {
    let program = "programs/62_philosophers_starve.weft";
    let summary = |extra: &[&str]| {
        let mut args = extra.to_vec();
        args.push(program);
        let (doc, code) = json(&args);
        let report = &doc;
        let mut kinds: Vec<String> = report["violations"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["kind"].as_str().unwrap().to_string())
            .collect();
        kinds.sort();
        kinds.dedup();
        let states = report["stats"]["states"].as_u64().unwrap();
        let reductions = report["stats"]["reductions"].to_string();
        (code, kinds, states, reductions)
    };
    let (code, kinds, states, _) = summary(&[]);
    assert_eq!(code, Some(0), "starvation is a warning");
    assert_eq!(kinds, ["starvation"]);
    for (flag, says) in [
        ("--no-settle", "settled local work: off (--no-settle)"),
        (
            "--no-reduction",
            "partial-order reduction: off (--no-reduction)",
        ),
        ("--no-symmetry", "symmetry: off (--no-symmetry)"),
    ] {
        let (c, k, s, r) = summary(&[flag]);
        assert_eq!((c, &k), (code, &kinds), "{flag}");
        assert!(s >= states, "{flag}: {s} states against {states}");
        assert!(r.contains(says), "{flag}: {r}");
    }
    let (_, _, plain, _) = summary(&["--no-settle", "--no-reduction", "--no-symmetry"]);
    assert!(
        plain > states,
        "{plain} states without any reduction, {states} with"
    );
}

/// A finding past column 65,535 (the widest padding Rust's formatting
/// allows, which the graphical diagnostic needs) is told in words: the
/// report is whole and the exit code is the verdict's, not a crash.
#[test]
fn a_finding_on_a_very_long_line_is_reported_not_crashed() {
    let padding = " ".repeat(70_000);
    let program =
        format!("shared x = 0;\nthread t {{{padding}x = 1; }}\nthread u {{{padding}x = 2; }}\n");
    let path = std::env::temp_dir().join(format!("weft-long-line-{}.weft", std::process::id()));
    std::fs::write(&path, program).unwrap();
    let output = weft()
        .args(["check", "--color", "never"])
        .arg(&path)
        .output()
        .unwrap();
    std::fs::remove_file(&path).ok();
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert_eq!(output.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("data race on x"), "{stdout}");
    assert!(!stdout.contains("crashed"), "{stdout}");
}

#[test]
fn human_and_json_columns_count_characters() {
    let (doc, _) = json(&["tests/cli/wide_chars.weft"]);
    let at = &doc["violations"][0]["locations"][0];
    let (line, column) = (at["line"].as_u64().unwrap(), at["column"].as_u64().unwrap());
    assert_eq!((line, column), (3, 22));
    weft()
        .args(["check", "--color", "never", "tests/cli/wide_chars.weft"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains(format!(
            "[tests/cli/wide_chars.weft:{line}:{column}]"
        )));
}
