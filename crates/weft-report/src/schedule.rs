//! A finding's schedule as a swim lane: one column per thread that acts,
//! one row per step, then the shared values after the step.

use crate::names::{cell_name, initial_values, shown_cells, thread_name, value_text};
use crate::position::LineIndex;
use crate::style::Paint;
use crate::table::{Cell, Table, Tone};
use weft_explore::{Finding, Step};
use weft_ir::{Program, Value};

/// The swim-lane table of `finding`, with a title line; for liveness
/// findings the repeating part is marked.
pub fn render(program: &Program, finding: &Finding, lines: &LineIndex, paint: Paint) -> String {
    let mut lanes: Vec<u32> = finding
        .schedule
        .iter()
        .chain(&finding.cycle)
        .map(|s| s.thread)
        .collect();
    lanes.sort_unstable();
    lanes.dedup();
    let cells = shown_cells(program, finding);

    let mut header = vec![Cell::new("step", Tone::Bold)];
    header.extend(
        lanes
            .iter()
            .map(|&t| Cell::new(thread_name(program, t), Tone::Bold)),
    );
    header.extend(
        cells
            .iter()
            .map(|&c| Cell::new(cell_name(program, c), Tone::Bold)),
    );
    let mut table = Table::new(header);

    let initial = initial_values(program);
    let mut row = vec![Cell::new("start", Tone::Dim)];
    row.extend(lanes.iter().map(|_| Cell::plain("")));
    row.extend(
        cells
            .iter()
            .map(|&c| value_cell(program, c, initial.get(c as usize), false)),
    );
    table.row(row);

    let mut before: &[Value] = &initial;
    let steps = finding.schedule.iter().map(|s| (s, false));
    let looped = finding.cycle.iter().enumerate().map(|(i, s)| (s, i == 0));
    for (number, (step, loop_starts)) in steps.chain(looped).enumerate() {
        if loop_starts {
            let back = match finding.schedule.len() {
                0 => "the start".to_string(),
                n => format!("the state after step {n}"),
            };
            table.note(format!(
                "↻ the next {} repeat forever, back to {back}:",
                steps_text(finding.cycle.len()),
            ));
        }
        table.row(step_row(
            program,
            step,
            number + 1,
            &lanes,
            &cells,
            before,
            lines,
        ));
        before = &step.values;
    }

    let title = if finding.cycle.is_empty() {
        format!("shortest schedule, {}:", steps_text(finding.schedule.len()))
    } else if finding.schedule.is_empty() {
        format!(
            "schedule: a loop of {} from the start:",
            steps_text(finding.cycle.len())
        )
    } else {
        format!(
            "schedule: {} to reach a loop of {}:",
            steps_text(finding.schedule.len()),
            steps_text(finding.cycle.len())
        )
    };
    format!("  {}\n{}", paint.bold(&title), table.render(paint))
}

fn step_row(
    program: &Program,
    step: &Step,
    number: usize,
    lanes: &[u32],
    cells: &[u32],
    before: &[Value],
    lines: &LineIndex,
) -> Vec<Cell> {
    let mut row = vec![Cell::plain(number.to_string())];
    row.extend(lanes.iter().map(|&t| {
        if t == step.thread {
            let line = lines.line(step.span.start as usize);
            Cell::plain(format!("L{line} {}", step.action))
        } else {
            Cell::plain("")
        }
    }));
    row.extend(cells.iter().map(|&c| {
        let now = step.values.get(c as usize);
        value_cell(program, c, now, now != before.get(c as usize))
    }));
    row
}

fn value_cell(program: &Program, cell: u32, value: Option<&Value>, changed: bool) -> Cell {
    match value {
        Some(&v) => Cell::new(
            value_text(program, cell, v),
            if changed { Tone::Changed } else { Tone::Plain },
        ),
        // The explorer gave fewer values than cells: show the gap, not a guess.
        None => Cell::new("?", Tone::Dim),
    }
}

fn steps_text(n: usize) -> String {
    if n == 1 {
        "1 step".to_string()
    } else {
        format!("{n} steps")
    }
}
