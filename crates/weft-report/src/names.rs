//! How threads, cells and values are spelled in reports, and which cells a
//! schedule shows.

use weft_explore::{Finding, Step};
use weft_ir::{Program, Ty, Value};

/// At most this many cells are always shown; bigger programs show only the
/// cells a finding involves, so a swim lane stays readable.
const SHOW_ALL_CELLS_UP_TO: u32 = 8;

/// A thread as users write it: `writer`, `inc[0]`.
pub fn thread_name(program: &Program, thread: u32) -> String {
    program
        .threads
        .get(thread as usize)
        .map(|t| t.name.clone())
        // An index the program does not have is an explorer bug; naming it
        // plainly beats crashing the report that would help find it.
        .unwrap_or_else(|| format!("thread#{thread}"))
}

/// A cell as users write it: `counter`, `buf[1]`.
pub fn cell_name(program: &Program, cell: u32) -> String {
    if cell < program.n_cells && !program.vars.is_empty() {
        program.cell_name(cell)
    } else {
        format!("cell#{cell}")
    }
}

/// True when the cell holds a bool (stored as 0 or 1).
pub fn is_bool(program: &Program, cell: u32) -> bool {
    cell < program.n_cells && !program.vars.is_empty() && program.var_of_cell(cell).ty == Ty::Bool
}

/// A value as the program's type spells it: `true`/`false` for bools.
pub fn value_text(program: &Program, cell: u32, value: Value) -> String {
    if is_bool(program, cell) {
        (value != 0).to_string()
    } else {
        value.to_string()
    }
}

/// A cell and its value, as a report writes one: `x = 1`, `flag = true`.
pub fn assignment_text(program: &Program, cell: u32, value: Value) -> String {
    format!(
        "{} = {}",
        cell_name(program, cell),
        value_text(program, cell, value)
    )
}

/// A value as JSON: a bool for a bool cell, a number otherwise.
pub fn value_json(program: &Program, cell: u32, value: Value) -> serde_json::Value {
    if is_bool(program, cell) {
        serde_json::Value::Bool(value != 0)
    } else {
        serde_json::Value::from(value)
    }
}

/// The value of every cell before the first step.
pub fn initial_values(program: &Program) -> Vec<Value> {
    let mut values = vec![0; program.n_cells as usize];
    for var in &program.vars {
        for (i, v) in var.init.iter().enumerate() {
            if let Some(slot) = values.get_mut(var.base as usize + i) {
                *slot = *v;
            }
        }
    }
    values
}

/// The cells a finding's schedule shows, in declaration order: every cell of
/// a small program; otherwise those that change along the schedule or are
/// named in the finding's message, labels or actions.
pub fn shown_cells(program: &Program, finding: &Finding) -> Vec<u32> {
    if program.n_cells <= SHOW_ALL_CELLS_UP_TO {
        return (0..program.n_cells).collect();
    }
    let steps: Vec<&Step> = finding.schedule.iter().chain(&finding.cycle).collect();
    let mut texts: Vec<&str> = vec![finding.message.as_str()];
    texts.extend(finding.locations.iter().map(|l| l.label.as_str()));
    texts.extend(steps.iter().map(|s| s.action.as_str()));
    let initial = initial_values(program);
    (0..program.n_cells)
        .filter(|&cell| {
            let mut before = initial.get(cell as usize).copied();
            let changes = steps.iter().any(|s| {
                let after = s.values.get(cell as usize).copied();
                let changed = after != before;
                before = after;
                changed
            });
            let name = cell_name(program, cell);
            changes || texts.iter().any(|t| mentions(t, &name))
        })
        .collect()
}

/// True when `text` names `name` as a whole word (so `x` is not found in
/// `max`, and `buf[1]` is not found in `buf[10]`).
pub fn mentions(text: &str, name: &str) -> bool {
    if name.is_empty() {
        return false;
    }
    let word = |c: char| c.is_ascii_alphanumeric() || c == '_';
    text.match_indices(name).any(|(at, _)| {
        let before = text[..at].chars().next_back();
        let after = text[at + name.len()..].chars().next();
        let ends_well = name.ends_with(']') || !after.is_some_and(|c| word(c) || c == '[');
        !before.is_some_and(word) && ends_well
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mentions_whole_names_only() {
        assert!(mentions("read counter = 0", "counter"));
        assert!(mentions("counter", "counter"));
        assert!(!mentions("read counters = 0", "counter"));
        assert!(!mentions("max = 1", "x"));
        assert!(mentions("write buf[1] = 2", "buf[1]"));
        assert!(!mentions("write buf[10] = 2", "buf[1]"));
        assert!(!mentions("write buf[1] = 2", "buf"));
        assert!(!mentions("anything", ""));
    }
}
