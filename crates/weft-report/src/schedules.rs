//! The output of `weft schedules`: schedule counts, listed schedules and
//! equivalence classes, as text and as JSON.

use num_bigint::BigUint;
use serde_json::{json, Map, Value};
use weft_explore::{mark, Class, Kind, Listed, ScheduleCounts, Stats};
use weft_ir::Program;

use crate::names::thread_name;

/// Largest integer a JSON number holds exactly in every reader (2^53).
const JSON_EXACT: u64 = 1 << 53;

/// A count as JSON: a number up to 2^53, a decimal string above.
pub fn count_json(n: &BigUint) -> Value {
    match u64::try_from(n) {
        Ok(v) if v <= JSON_EXACT => json!(v),
        _ => json!(n.to_string()),
    }
}

fn plural(n: &BigUint, one: &str, many: &str) -> String {
    if *n == BigUint::from(1u32) {
        format!("{n} {one}")
    } else {
        format!("{n} {many}")
    }
}

/// The counts as text: a headline, then one line per kind with a bad
/// schedule.
pub fn counts_text(file: &str, counts: &ScheduleCounts, stats: &Stats) -> String {
    let mut out = String::new();
    if let Some(bound) = counts.bound {
        if counts.cyclic {
            out.push_str(&format!(
                "{file}: the state graph has a cycle, so there are infinitely many schedules; \
                 counting those of at most {bound} steps (--max-depth)\n"
            ));
        } else {
            out.push_str(&format!(
                "{file}: counting schedules of at most {bound} steps (--max-depth)\n"
            ));
        }
    }
    let head = if counts.bound.is_some() { "  " } else { "" };
    let who = if counts.bound.is_some() {
        String::new()
    } else {
        format!("{file}: ")
    };
    let zero = BigUint::default();
    let (one, many) = if counts.cut == zero {
        ("complete schedule", "complete schedules")
    } else {
        ("schedule", "schedules")
    };
    out.push_str(&format!(
        "{head}{who}{}, {} bad\n",
        plural(&counts.total, one, many),
        counts.bad
    ));
    if counts.cut > zero {
        out.push_str(&format!(
            "  {} cut at {} steps with steps left (counted above)\n",
            plural(&counts.cut, "schedule is", "schedules are"),
            counts.bound.unwrap_or(0)
        ));
    }
    let width = counts
        .by_kind
        .iter()
        .map(|(k, _)| k.name().len())
        .max()
        .unwrap_or(0);
    for (kind, n) in &counts.by_kind {
        if *n > zero {
            out.push_str(&format!(
                "  {:width$}  {n} of {}\n",
                kind.name(),
                counts.total
            ));
        }
    }
    if counts.bad == zero {
        out.push_str("  no schedule reaches an error\n");
    }
    let steps = |n: u32| if n == 1 { "step" } else { "steps" };
    let length = match (counts.shortest, counts.longest) {
        (Some(a), Some(b)) if a == b => format!("every schedule has {a} {}; ", steps(a)),
        (Some(a), Some(b)) => format!("schedules have {a} to {b} steps; "),
        _ => String::new(),
    };
    let (states, transitions) = (stats.states, stats.transitions);
    out.push_str(&format!(
        "{length}{states} {}, {transitions} {}\n",
        if states == 1 { "state" } else { "states" },
        if transitions == 1 {
            "transition"
        } else {
            "transitions"
        },
    ));
    out
}

/// The counts as JSON: `total`, `bad`, `by_kind` and the details.
pub fn counts_json(file: &str, counts: &ScheduleCounts, stats: &Stats) -> Map<String, Value> {
    let mut by_kind = Map::new();
    for (kind, n) in &counts.by_kind {
        by_kind.insert(kind.name().to_string(), count_json(n));
    }
    let good = &counts.total - &counts.bad;
    let mut doc = Map::new();
    doc.insert("file".into(), json!(file));
    doc.insert("total".into(), count_json(&counts.total));
    doc.insert("bad".into(), count_json(&counts.bad));
    doc.insert("good".into(), count_json(&good));
    doc.insert("by_kind".into(), Value::Object(by_kind));
    doc.insert("cyclic".into(), json!(counts.cyclic));
    doc.insert("max_depth".into(), json!(counts.bound));
    doc.insert("cut".into(), count_json(&counts.cut));
    doc.insert("shortest".into(), json!(counts.shortest));
    doc.insert("longest".into(), json!(counts.longest));
    doc.insert(
        "stats".into(),
        json!({ "states": stats.states, "transitions": stats.transitions }),
    );
    doc
}

/// One schedule on one line: thread names, `name#b` for branch `b` of a
/// `choose` or `notify_one`, `name#flush` for a store-buffer flush,
/// `name*k` for k steps in a row of one thread.
/// `weft run --schedule` reads the same words.
pub fn schedule_words(program: &Program, steps: &[(u32, u32)]) -> String {
    let mut words: Vec<String> = Vec::new();
    let mut i = 0;
    while i < steps.len() {
        let run = steps[i..].iter().take_while(|&&s| s == steps[i]).count();
        let word = step_word(program, steps[i].0, steps[i].1);
        words.push(if run > 1 {
            format!("{word}*{run}")
        } else {
            word
        });
        i += run;
    }
    words.join(" ")
}

/// One step as a word of a schedule: `name#flush` for a flush of the
/// thread's store buffer (`name#flush.x` for its buffer of `x` under
/// `pso`, `name#flush.a[1]` for an array cell's).
pub fn step_word(program: &Program, thread: u32, branch: u32) -> String {
    let name = thread_name(program, thread);
    if branch >= weft_explore::FLUSH {
        match program.memory {
            weft_ir::Memory::Pso { .. } => {
                let b = (branch - weft_explore::FLUSH) as usize;
                let cell = (program.plain_shared_cells().nth(b))
                    .map_or_else(|| "?".to_string(), |c| program.cell_name(c));
                format!("{name}#flush.{cell}")
            }
            _ => format!("{name}#flush"),
        }
    } else if branch == 0 {
        name
    } else {
        format!("{name}#{branch}")
    }
}

/// One step as JSON, in the replay format: thread name and branch.
pub fn step_json(program: &Program, thread: u32, branch: u32) -> Value {
    json!({ "thread": thread_name(program, thread), "branch": branch })
}

/// The kinds of a mark mask, by name, in the order of `kinds`.
pub fn kind_names(mask: u16, kinds: &[Kind]) -> Vec<&'static str> {
    kinds
        .iter()
        .filter(|&&k| mask & mark(k) != 0)
        .map(|k| k.name())
        .collect()
}

/// Listed schedules, one per line: number, the steps, the kinds seen.
pub fn list_text(program: &Program, listed: &[Listed], kinds: &[Kind], shown_of: &str) -> String {
    let mut out = format!("{shown_of}\n");
    let width = listed.len().to_string().len();
    for (i, l) in listed.iter().enumerate() {
        let mut line = format!("  {:>width$}  {}", i + 1, schedule_words(program, &l.steps));
        let names = kind_names(l.kinds, kinds);
        if !names.is_empty() {
            line.push_str(&format!("  [{}]", names.join(", ")));
        }
        if l.cut {
            line.push_str("  (cut)");
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// Listed schedules as JSON, each `{"schedule": [steps], "kinds": [...],
/// "cut"}` with steps in the replay format.
pub fn list_json(program: &Program, listed: &[Listed], kinds: &[Kind]) -> Value {
    Value::Array(
        listed
            .iter()
            .map(|l| {
                json!({
                    "schedule": l.steps.iter().map(|&(t, b)| step_json(program, t, b)).collect::<Vec<_>>(),
                    "kinds": kind_names(l.kinds, kinds),
                    "cut": l.cut,
                })
            })
            .collect(),
    )
}

/// Classes as text: how many, how many bad, how many show each kind, then
/// one line per class shown: size, bad members, representative, kinds.
pub fn classes_text(
    program: &Program,
    classes: &[Class],
    shown: &[&Class],
    kinds: &[Kind],
) -> String {
    let bad = classes.iter().filter(|c| c.kinds != 0).count();
    let total: usize = classes.iter().map(|c| c.size).sum();
    let mut out =
        format!(
        "{} {} of {total} schedules (same order of every pair of conflicting steps), {bad} bad\n",
        classes.len(),
        if classes.len() == 1 { "class" } else { "classes" },
    );
    for &k in kinds {
        let n = classes.iter().filter(|c| c.kinds & mark(k) != 0).count();
        if n > 0 {
            out.push_str(&format!(
                "  {} in {n} of {} classes\n",
                k.name(),
                classes.len()
            ));
        }
    }
    if shown.len() < classes.len() {
        out.push_str(&format!(
            "showing {} of them (--bad, --limit):\n",
            shown.len()
        ));
    }
    let width = classes.len().to_string().len();
    for c in shown {
        let number = classes
            .iter()
            .position(|x| std::ptr::eq(x, *c))
            .map_or(0, |i| i + 1);
        let size = if c.size == 1 {
            "1 schedule ".to_string()
        } else {
            format!("{} schedules", c.size)
        };
        let mut line = format!(
            "  class {number:>width$}: {size:>12}  {}",
            schedule_words(program, &c.representative)
        );
        let names = kind_names(c.kinds, kinds);
        if !names.is_empty() {
            let some = if c.bad < c.size {
                format!(" ({} of {} bad)", c.bad, c.size)
            } else {
                String::new()
            };
            line.push_str(&format!("  [{}]{some}", names.join(", ")));
        }
        out.push_str(&line);
        out.push('\n');
    }
    out
}

/// Classes as JSON: each with its representative (replay format), size,
/// bad members and kinds.
pub fn classes_json(program: &Program, shown: &[&Class], kinds: &[Kind]) -> Value {
    Value::Array(
        shown
            .iter()
            .map(|c| {
                json!({
                    "representative": c.representative.iter().map(|&(t, b)| step_json(program, t, b)).collect::<Vec<_>>(),
                    "size": c.size,
                    "bad": c.bad,
                    "kinds": kind_names(c.kinds, kinds),
                })
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn big_counts_become_strings() {
        assert_eq!(count_json(&BigUint::from(6u32)), json!(6));
        assert_eq!(count_json(&BigUint::from(1u64 << 53)), json!(1u64 << 53));
        assert_eq!(
            count_json(&BigUint::from((1u64 << 53) + 1)),
            json!("9007199254740993")
        );
        let huge = BigUint::from(u64::MAX) * 1000u32;
        assert_eq!(count_json(&huge), json!(huge.to_string()));
    }
}
