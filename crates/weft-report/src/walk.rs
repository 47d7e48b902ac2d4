//! The output of `weft run`: one given schedule, step by step, with the
//! state after each step and the violations seen on the way.

use crate::names::{
    assignment_text, cell_name, initial_values, thread_name, value_json, value_text,
};
use crate::position::LineIndex;
use crate::style::Paint;
use crate::table::{Cell, Table, Tone};
use serde_json::{json, Map, Value};
use weft_explore::{At, Stuck, Walk};
use weft_ir::Program;

/// Above this many cells only those that change are shown.
const SHOW_ALL_CELLS_UP_TO: u32 = 8;

/// The cells shown: all of a small program, else those that change.
fn shown_cells(program: &Program, walk: &Walk) -> Vec<u32> {
    if program.n_cells <= SHOW_ALL_CELLS_UP_TO {
        return (0..program.n_cells).collect();
    }
    let initial = initial_values(program);
    (0..program.n_cells)
        .filter(|&c| {
            let mut before = initial.get(c as usize);
            walk.steps.iter().any(|s| {
                let now = s.values.get(c as usize);
                let changed = now != before;
                before = now;
                changed
            })
        })
        .collect()
}

/// Where each thread is, and under a weak memory model what waits in its
/// store buffers: `a L9 [x = 1]`.
fn where_text(
    program: &Program,
    lines: &LineIndex,
    at: &[At],
    pending: Option<&Vec<Vec<(u32, i64)>>>,
) -> String {
    at.iter()
        .enumerate()
        .map(|(t, a)| {
            let name = thread_name(program, t as u32);
            let mut text = match a {
                At::Finished => format!("{name} done"),
                At::Flushing => format!("{name} flushing"),
                At::Next(span) => format!("{name} L{}", lines.line(span.start as usize)),
            };
            let writes = pending.and_then(|p| p.get(t)).filter(|w| !w.is_empty());
            if let Some(writes) = writes {
                let list: Vec<String> = (writes.iter())
                    .map(|&(c, v)| assignment_text(program, c, v))
                    .collect();
                text.push_str(&format!(" [{}]", list.join(", ")));
            }
            text
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Why the run stopped, in a sentence.
pub fn stuck_text(program: &Program, lines: &LineIndex, number: usize, stuck: &Stuck) -> String {
    match stuck {
        Stuck::Finished { thread } => format!(
            "step {number} is not possible: {} has finished",
            thread_name(program, *thread)
        ),
        Stuck::Blocked {
            thread,
            span,
            waits_for,
            why,
        } => {
            let mut text = format!(
                "step {number} is not possible: {} is blocked at L{}",
                thread_name(program, *thread),
                lines.line(span.start as usize)
            );
            if !waits_for.is_empty() {
                text.push_str(&format!(", waiting for {waits_for}"));
            }
            if !why.is_empty() {
                text.push_str(&format!(" ({why})"));
            }
            text
        }
        Stuck::NoBranch {
            thread,
            branch,
            branches,
        } => {
            let list: Vec<String> = branches
                .iter()
                .map(|&b| crate::schedules::step_word(program, *thread, b))
                .collect();
            format!(
                "step {number} is not possible: {} cannot go as `{}` here; its step can go as {}",
                thread_name(program, *thread),
                crate::schedules::step_word(program, *thread, *branch),
                list.join(", ")
            )
        }
        Stuck::Failed { kind } => format!(
            "the run ends at step {number}: the step failed ({})",
            kind.name()
        ),
    }
}

/// The violations, each once with the steps after which it was seen.
fn grouped(walk: &Walk) -> Vec<(&'static str, &str, Vec<usize>)> {
    let mut out: Vec<(&'static str, &str, Vec<usize>)> = Vec::new();
    for seen in &walk.seen {
        match out
            .iter_mut()
            .find(|(k, m, _)| *k == seen.kind.name() && *m == seen.message)
        {
            Some((_, _, steps)) => steps.push(seen.after),
            None => out.push((seen.kind.name(), &seen.message, vec![seen.after])),
        }
    }
    out
}

fn steps_list(steps: &[usize]) -> String {
    let words: Vec<String> = steps
        .iter()
        .map(|&s| {
            if s == 0 {
                "start".to_string()
            } else {
                s.to_string()
            }
        })
        .collect();
    if steps.len() == 1 {
        format!("step {}", words[0])
    } else {
        format!("steps {}", words.join(", "))
    }
}

/// The run as a table (one row per step: thread, line and action, values
/// after it, where every thread is), then what was seen and how it ended.
pub fn walk_text(file: &str, source: &str, program: &Program, walk: &Walk, color: bool) -> String {
    let paint = Paint::new(color);
    let lines = LineIndex::new(source);
    let cells = shown_cells(program, walk);
    let mut header = vec![
        Cell::new("step", Tone::Bold),
        Cell::new("thread", Tone::Bold),
        Cell::new("action", Tone::Bold),
    ];
    header.extend(
        cells
            .iter()
            .map(|&c| Cell::new(cell_name(program, c), Tone::Bold)),
    );
    header.push(Cell::new("threads after", Tone::Bold));
    let mut table = Table::new(header);
    let initial = initial_values(program);
    let mut row = vec![
        Cell::new("start", Tone::Dim),
        Cell::plain(""),
        Cell::plain(""),
    ];
    row.extend(
        cells
            .iter()
            .map(|&c| Cell::plain(value_text(program, c, initial[c as usize]))),
    );
    row.push(Cell::plain(
        walk.at
            .first()
            .map(|a| where_text(program, &lines, a, walk.pending.first()))
            .unwrap_or_default(),
    ));
    table.row(row);
    let mut before = initial.clone();
    for (i, step) in walk.steps.iter().enumerate() {
        let line = lines.line(step.span.start as usize);
        let mut row = vec![
            Cell::plain((i + 1).to_string()),
            Cell::plain(thread_name(program, step.thread)),
            Cell::plain(format!("L{line} {}", step.action)),
        ];
        row.extend(cells.iter().map(|&c| {
            let v = step.values.get(c as usize).copied().unwrap_or_default();
            let tone = if before.get(c as usize) != Some(&v) {
                Tone::Changed
            } else {
                Tone::Plain
            };
            Cell::new(value_text(program, c, v), tone)
        }));
        row.push(Cell::plain(
            walk.at
                .get(i + 1)
                .map(|a| where_text(program, &lines, a, walk.pending.get(i + 1)))
                .unwrap_or_default(),
        ));
        table.row(row);
        before.clone_from(&step.values);
    }
    let mut out = format!(
        "{}\n{}",
        paint.bold(&format!(
            "{file}: {} of the schedule taken",
            match walk.steps.len() {
                1 => "1 step".to_string(),
                n => format!("{n} steps"),
            }
        )),
        table.render(paint)
    );
    for (kind, message, steps) in grouped(walk) {
        // Deadlock messages already start with their kind.
        let message = message
            .strip_prefix(&format!("{kind}: "))
            .unwrap_or(message);
        out.push_str(&format!(
            "{} {message}\n",
            paint.red(&format!("{kind} after {}:", steps_list(&steps)))
        ));
    }
    match &walk.stuck {
        Some((number, stuck)) => {
            out.push_str(&paint.bold(&stuck_text(program, &lines, *number, stuck)));
            out.push('\n');
        }
        None => {
            let all_done = walk
                .at
                .last()
                .is_some_and(|a| a.iter().all(|x| *x == At::Finished));
            if all_done {
                out.push_str("every thread has finished\n");
            } else if walk.next.is_empty() {
                out.push_str("no thread can take another step\n");
            } else {
                let next: Vec<String> =
                    walk.next.iter().map(|&t| thread_name(program, t)).collect();
                out.push_str(&format!(
                    "the schedule ends here; threads that can step next: {}\n",
                    next.join(", ")
                ));
            }
        }
    }
    out
}

/// Under a weak memory model: each thread's buffered writes after a step,
/// oldest first, `{"a": [{"cell": "x", "value": 1}]}`.
fn buffers_json(program: &Program, pending: Option<&Vec<Vec<(u32, i64)>>>) -> Value {
    let map: Map<String, Value> = (pending.into_iter().flatten().enumerate())
        .map(|(t, writes)| {
            let list: Vec<Value> = (writes.iter())
                .map(|&(c, v)| {
                    json!({ "cell": cell_name(program, c), "value": value_json(program, c, v) })
                })
                .collect();
            (thread_name(program, t as u32), Value::Array(list))
        })
        .collect();
    Value::Object(map)
}

/// The run as JSON: the steps in the report's schedule format (with where
/// each thread is after each), the violations seen and why it stopped.
pub fn walk_json(file: &str, source: &str, program: &Program, walk: &Walk) -> Value {
    let lines = LineIndex::new(source);
    let at_json = |at: &[At]| -> Map<String, Value> {
        at.iter()
            .enumerate()
            .map(|(t, a)| {
                let v = match a {
                    At::Finished => json!("finished"),
                    At::Flushing => json!("flushing"),
                    At::Next(span) => json!(lines.line(span.start as usize)),
                };
                (thread_name(program, t as u32), v)
            })
            .collect()
    };
    let steps: Vec<Value> = walk
        .steps
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let pos = lines.position(s.span.start as usize);
            let values: Map<String, Value> = s
                .values
                .iter()
                .enumerate()
                .take(program.n_cells as usize)
                .map(|(c, &v)| {
                    (
                        cell_name(program, c as u32),
                        value_json(program, c as u32, v),
                    )
                })
                .collect();
            let mut step = json!({
                "step": i + 1,
                "thread": thread_name(program, s.thread),
                "branch": s.branch,
                "action": s.action,
                "line": pos.line,
                "column": pos.column,
                "values": values,
                "threads": walk.at.get(i + 1).map(|a| at_json(a)).unwrap_or_default(),
            });
            if program.memory.buffer().is_some() {
                step["buffers"] = buffers_json(program, walk.pending.get(i + 1));
            }
            step
        })
        .collect();
    let violations: Vec<Value> = grouped(walk)
        .into_iter()
        .map(|(kind, message, steps)| json!({ "kind": kind, "message": message, "after_steps": steps }))
        .collect();
    let stopped = walk.stuck.as_ref().map(|(number, stuck)| {
        json!({ "step": number, "message": stuck_text(program, &lines, *number, stuck) })
    });
    let finished = walk
        .at
        .last()
        .is_some_and(|a| a.iter().all(|x| *x == At::Finished));
    json!({
        "file": file,
        "steps": steps,
        "violations": violations,
        "stopped": stopped,
        "finished": finished,
        "next": walk.next.iter().map(|&t| thread_name(program, t)).collect::<Vec<_>>(),
    })
}
