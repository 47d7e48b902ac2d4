//! The versioned JSON report of one checked file (documented field by field
//! in `docs/json-schema.md`; the schema is `docs/weft-report.schema.json`).
//!
//! The structs below are the format: serde writes fields in declaration
//! order, so reordering a field here changes the output.

use crate::names::{cell_name, is_bool, thread_name};
use crate::position::LineIndex;
use crate::verdict::Verdict;
use crate::waits::cycle_text;
use crate::Checked;
use serde::Serialize;
use serde_json::{Map, Value};
use weft_explore::{Deadlock, Finding, Limit, Location, Step};
use weft_ir::{Program, SrcSpan};

/// Bumped on any change that could break a reader of the report.
pub const VERSION: u32 = 1;

#[derive(Serialize)]
struct Report<'a> {
    version: u32,
    file: &'a str,
    verdict: &'static str,
    violations: Vec<Violation>,
    stats: Stats,
    limit: Option<JsonLimit>,
}

#[derive(Serialize)]
struct Violation {
    kind: &'static str,
    severity: &'static str,
    message: String,
    locations: Vec<JsonLocation>,
    schedule: Vec<JsonStep>,
    /// Liveness only: the schedule into the loop (the same steps as `schedule`).
    #[serde(skip_serializing_if = "Option::is_none")]
    stem: Option<Vec<JsonStep>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    cycle: Option<Vec<JsonStep>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    deadlock: Option<JsonDeadlock>,
}

#[derive(Serialize)]
pub(crate) struct JsonSpan {
    pub start: u32,
    pub end: u32,
}

impl From<SrcSpan> for JsonSpan {
    fn from(s: SrcSpan) -> Self {
        JsonSpan {
            start: s.start,
            end: s.end,
        }
    }
}

#[derive(Serialize)]
struct JsonLocation {
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
    span: JsonSpan,
    thread: Option<String>,
    label: String,
}

#[derive(Serialize)]
struct JsonStep {
    step: usize,
    thread: String,
    branch: u32,
    action: String,
    line: usize,
    column: usize,
    values: Map<String, Value>,
}

#[derive(Serialize)]
struct JsonDeadlock {
    waits: Vec<JsonWait>,
    cycle: Vec<String>,
    cycle_text: Option<String>,
}

#[derive(Serialize)]
struct JsonWait {
    thread: String,
    line: usize,
    column: usize,
    span: JsonSpan,
    waits_for: String,
    why: String,
    holders: Vec<String>,
    holds: Vec<String>,
}

#[derive(Serialize)]
struct Stats {
    states: u64,
    transitions: u64,
    depth: u32,
    elapsed_ms: u64,
    /// "fingerprints" (64-bit, the default) or "exact" (`--exact`).
    store: &'static str,
    /// Chance that a fingerprint collision hid a state (0 when exact).
    collision_probability: f64,
    /// Peak bytes of the visited set in memory.
    store_bytes: u64,
    /// The reductions used, and why others were off.
    reductions: Vec<String>,
    /// The weak memory model the search ran under (absent under
    /// sequential consistency, the default).
    #[serde(skip_serializing_if = "Option::is_none")]
    memory_model: Option<JsonMemory>,
}

#[derive(Serialize)]
struct JsonMemory {
    /// "tso" or "pso".
    model: &'static str,
    /// Most writes one store buffer holds (`--store-buffer`).
    store_buffer: u32,
}

#[derive(Serialize)]
struct JsonLimit {
    kind: &'static str,
    /// States, steps, or seconds.
    value: Value,
}

/// The report of one checked file as a JSON value (an object).
pub fn report(checked: &Checked) -> Value {
    let lines = LineIndex::new(checked.source);
    let program = checked.program;
    let outcome = checked.outcome;
    let report = Report {
        version: VERSION,
        file: checked.file,
        verdict: Verdict::of(outcome).name(),
        violations: outcome
            .findings
            .iter()
            .map(|f| violation(program, &lines, f))
            .collect(),
        stats: Stats {
            states: outcome.stats.states,
            transitions: outcome.stats.transitions,
            depth: outcome.stats.depth,
            elapsed_ms: u64::try_from(outcome.stats.elapsed.as_millis()).unwrap_or(u64::MAX),
            store: if outcome.stats.fingerprints {
                "fingerprints"
            } else {
                "exact"
            },
            collision_probability: outcome.stats.collision_probability(),
            store_bytes: outcome.stats.store_bytes,
            reductions: outcome.stats.reductions.clone(),
            memory_model: program.memory.buffer().map(|store_buffer| JsonMemory {
                model: program.memory.name(),
                store_buffer,
            }),
        },
        limit: outcome.limit.map(limit),
    };
    // Serializing these plain structs cannot fail: every map key is a string.
    serde_json::to_value(report).unwrap_or(Value::Null)
}

fn violation(program: &Program, lines: &LineIndex, finding: &Finding) -> Violation {
    let liveness = !finding.cycle.is_empty()
        || matches!(
            finding.kind,
            weft_explore::Kind::Livelock | weft_explore::Kind::Starvation
        );
    let n = finding.schedule.len();
    Violation {
        kind: finding.kind.name(),
        severity: match finding.kind.severity() {
            weft_explore::Severity::Error => "error",
            weft_explore::Severity::Warning => "warning",
        },
        message: finding.message.clone(),
        locations: finding
            .locations
            .iter()
            .map(|l| location(program, lines, l))
            .collect(),
        schedule: steps(program, lines, &finding.schedule, 0),
        stem: liveness.then(|| steps(program, lines, &finding.schedule, 0)),
        cycle: liveness.then(|| steps(program, lines, &finding.cycle, n)),
        deadlock: finding
            .deadlock
            .as_ref()
            .map(|d| deadlock(program, lines, d)),
    }
}

fn location(program: &Program, lines: &LineIndex, loc: &Location) -> JsonLocation {
    let start = lines.position(loc.span.start as usize);
    let end = lines.position(loc.span.end as usize);
    JsonLocation {
        line: start.line,
        column: start.column,
        end_line: end.line,
        end_column: end.column,
        span: loc.span.into(),
        thread: loc.thread.map(|t| thread_name(program, t)),
        label: loc.label.clone(),
    }
}

/// Steps numbered from `first + 1`, so a cycle continues its schedule's count.
fn steps(program: &Program, lines: &LineIndex, steps: &[Step], first: usize) -> Vec<JsonStep> {
    steps
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let at = lines.position(s.span.start as usize);
            JsonStep {
                step: first + i + 1,
                thread: thread_name(program, s.thread),
                branch: s.branch,
                action: s.action.clone(),
                line: at.line,
                column: at.column,
                values: values(program, &s.values),
            }
        })
        .collect()
}

/// Every global cell by name, in declaration order; bools as JSON booleans.
fn values(program: &Program, values: &[weft_ir::Value]) -> Map<String, Value> {
    values
        .iter()
        .enumerate()
        .take(program.n_cells as usize)
        .map(|(cell, &v)| {
            let cell = cell as u32;
            let json = if is_bool(program, cell) {
                Value::Bool(v != 0)
            } else {
                Value::from(v)
            };
            (cell_name(program, cell), json)
        })
        .collect()
}

fn deadlock(program: &Program, lines: &LineIndex, d: &Deadlock) -> JsonDeadlock {
    JsonDeadlock {
        waits: d
            .waits
            .iter()
            .map(|w| {
                let at = lines.position(w.span.start as usize);
                JsonWait {
                    thread: thread_name(program, w.thread),
                    line: at.line,
                    column: at.column,
                    span: w.span.into(),
                    waits_for: w.waits_for.clone(),
                    why: w.why.clone(),
                    holders: w.holders.iter().map(|&t| thread_name(program, t)).collect(),
                    holds: w.holds.clone(),
                }
            })
            .collect(),
        cycle: d.cycle.iter().map(|&t| thread_name(program, t)).collect(),
        cycle_text: cycle_text(program, d),
    }
}

fn limit(limit: Limit) -> JsonLimit {
    match limit {
        Limit::MaxStates(n) => JsonLimit {
            kind: "max-states",
            value: Value::from(n),
        },
        Limit::MaxDepth(n) => JsonLimit {
            kind: "max-depth",
            value: Value::from(n),
        },
        Limit::Timeout(d) => JsonLimit {
            kind: "timeout",
            value: Value::from(d.as_secs_f64()),
        },
        Limit::Memory(bytes) => JsonLimit {
            kind: "max-memory",
            value: Value::from(bytes),
        },
        Limit::Storage(kind) => JsonLimit {
            kind: "storage",
            value: Value::from(kind.to_string()),
        },
    }
}
