//! `weft run FILE --schedule 'a b b a'`: run one schedule step by step;
//! `--trace report.json` runs a schedule from a `weft check --format json`
//! report.

use crate::cli::{Color, Format};
use crate::load::{load, run_command, Look};
use clap::Args;
use serde_json::Value;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use weft_ir::Program;

pub const RUN_EXAMPLES: &str = "\
Examples:
  weft run programs/01_counter_race.weft --schedule 'inc[0] inc[1] inc[0] inc[1]'
  weft check --format json programs/09_lock_order_deadlock.weft > report.json
  weft run programs/09_lock_order_deadlock.weft --trace report.json
  weft run programs/09_lock_order_deadlock.weft --trace report.json --violation 2

A schedule is a list of thread names, one per step, separated by spaces or
commas; `name*k` is k steps of one thread in a row. A step of a `choose` or `notify_one` that can go several ways is
written `name#b` for its branch b (`name` alone is branch 0); `weft schedules
--list` prints schedules in this form.

The run stops at a step that is not possible (the thread has finished or is
blocked) and at a step that fails (an assertion or a runtime error); other
violations are shown where they are seen and the run goes on.

Exit codes: 0 no violation seen, 1 a violation seen, 2 bad input or usage
(including a step that is not possible).";

/// Most steps a schedule may have (`name*k` makes long ones easy to write).
const MAX_STEPS: usize = 1_000_000;

/// The flags of `weft run`.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// The weft program.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,

    /// The schedule: thread names, one per step (`name#b` for branch b,
    /// `name*k` for k steps in a row).
    #[arg(
        long,
        value_name = "STEPS",
        required_unless_present = "trace",
        conflicts_with = "trace"
    )]
    pub schedule: Option<String>,

    /// Run the schedule of a violation in a `weft check --format json`
    /// report (or any JSON with a `"schedule"` of `{"thread", "branch"}`).
    #[arg(long, value_name = "REPORT.json")]
    pub trace: Option<PathBuf>,

    /// Which violation of the report to run, counting from 1 (or which
    /// schedule of a `weft schedules --list --format json` output).
    #[arg(long, value_name = "N", default_value_t = 1, requires = "trace")]
    pub violation: usize,

    /// Override a `const` of the program, e.g. `-D N=5` (repeatable).
    #[arg(short = 'D', long = "define", value_name = "NAME=VALUE", value_parser = crate::cli::parse_define)]
    pub defines: Vec<(String, String)>,

    #[command(flatten)]
    pub memory: crate::cli::MemoryArgs,

    /// How to print the run.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,

    /// Colour: `auto` colours when stdout is a terminal and NO_COLOR is not set.
    #[arg(long, value_enum, default_value_t = Color::Auto, value_name = "WHEN")]
    pub color: Color,
}

/// Run `weft run`.
pub fn main(args: RunArgs) -> ExitCode {
    let color = match args.color {
        Color::Always => true,
        Color::Never => false,
        Color::Auto => {
            std::io::stdout().is_terminal()
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        }
    };
    let look = Look {
        json: args.format == Format::Json,
        color,
    };
    run_command(&args.file, &look, || run(&args, &look))
}

fn run(args: &RunArgs, look: &Look) -> (String, u8) {
    let mut loaded = match load(&args.file, &args.defines, look) {
        Ok(loaded) => loaded,
        Err(report) => return (report, 2),
    };
    loaded.program.memory = args.memory.memory();
    // A check report names the memory model its schedules ran under; an
    // explicit `--memory-model` (`sc` too) says otherwise.
    if let (Some(trace), None) = (&args.trace, args.memory.memory_model) {
        if let Some(memory) = report_memory(trace, &loaded.file) {
            loaded.program.memory = memory;
        }
    }
    let program = &loaded.program;
    let path = match (&args.schedule, &args.trace) {
        (Some(words), _) => parse_schedule(program, words).map(|path| (path, None)),
        (None, Some(trace)) => from_report(program, trace, &loaded.file, args.violation),
        (None, None) => Err("give a schedule with --schedule or --trace".to_string()),
    };
    let (path, cycle) = match path {
        Ok(path) => path,
        Err(message) => {
            let message = format!("error: {message}\n");
            return (message, 2);
        }
    };
    let exec = weft_explore::Exec::new(program);
    let walk = weft_explore::walk(&exec, &path);
    // A liveness violation's loop, run once after its stem, ends where it
    // began: it can go round forever.
    let repeats = cycle.filter(|c| walk.stuck.is_none() && walk.returns_to(c.from));
    let mut text = if look.json {
        let mut doc = weft_report::walk::walk_json(&loaded.file, &loaded.source, program, &walk);
        if let (Some(c), Some(map)) = (&repeats, doc.as_object_mut()) {
            map.insert(
                "repeats".into(),
                serde_json::json!({"from": c.from + 1, "to": path.len(), "kind": c.kind}),
            );
        }
        serde_json::to_string_pretty(&doc).unwrap_or_default() + "\n"
    } else {
        weft_report::walk::walk_text(&loaded.file, &loaded.source, program, &walk, look.color)
    };
    if let (Some(c), false) = (&repeats, look.json) {
        let steps = match (c.from + 1, path.len()) {
            (a, b) if a == b => format!("step {a} comes"),
            (a, b) => format!("steps {a} to {b} come"),
        };
        let back = match c.from {
            0 => "the initial state".to_string(),
            n => format!("the state after step {n}"),
        };
        text.push_str(&format!(
            "{}: {steps} back to {back}, so the loop can repeat forever\n",
            c.kind
        ));
    }
    let impossible = matches!(
        walk.stuck,
        Some((_, ref s)) if !matches!(s, weft_explore::Stuck::Failed { .. })
    );
    // A loop shown again is its violation seen: an error (livelock) exits
    // 1, a warning (starvation) 0, as `weft check` does.
    let loop_error = repeats.is_some_and(|c| {
        weft_explore::Kind::from_name(&c.kind)
            .is_some_and(|k| k.severity() == weft_explore::Severity::Error)
    });
    let code = if impossible {
        2
    } else if walk.seen.is_empty() && !loop_error {
        0
    } else {
        1
    };
    (text, code)
}

/// A report's schedule as (thread, branch) steps, and its loop if it has
/// one.
type Traced = (Vec<(u32, u32)>, Option<Cycle>);

/// The loop of a liveness violation in a report: it starts after step
/// `from` of the schedule run, and shows a violation of `kind`.
struct Cycle {
    from: usize,
    kind: String,
}

/// The index of a thread by name, or an error listing the names.
fn thread_index(program: &Program, name: &str) -> Result<u32, String> {
    program
        .threads
        .iter()
        .position(|t| t.name == name)
        .map(|t| t as u32)
        .ok_or_else(|| {
            let names: Vec<&str> = program.threads.iter().map(|t| t.name.as_str()).collect();
            format!(
                "no thread is named `{name}`; the threads are: {}",
                names.join(", ")
            )
        })
}

/// `inc[0] inc[1]#2, inc[0]` -> (thread, branch) steps.
pub fn parse_schedule(program: &Program, words: &str) -> Result<Vec<(u32, u32)>, String> {
    let mut path = Vec::new();
    for word in words
        .split(|c: char| c.is_whitespace() || c == ',')
        .filter(|w| !w.is_empty())
    {
        let (word, times) = match word.rsplit_once('*') {
            Some((w, k)) => {
                let k: usize = match k.parse::<usize>() {
                    Ok(k) if k > 0 => k,
                    Err(e) if *e.kind() == std::num::IntErrorKind::PosOverflow => {
                        return Err(format!("`{word}`: the count after `*` is too large"))
                    }
                    _ => {
                        return Err(format!(
                            "`{word}`: the count after `*` must be a positive number, as in `{w}*3`"
                        ))
                    }
                };
                (w, k)
            }
            None => (word, 1),
        };
        let (name, branch) = match word.rsplit_once('#') {
            Some((name, b)) if b.starts_with("flush") => (name, flush_branch(program, word, b)?),
            Some((name, b)) => {
                let b: u32 = b
                    .parse()
                    .ok()
                    .filter(|&b| b < weft_explore::FLUSH)
                    .ok_or_else(|| {
                        format!("`{word}`: the branch after `#` must be a number, as in `{name}#1`")
                    })?;
                (name, b)
            }
            None => (word, 0),
        };
        let t = thread_index(program, name)?;
        if path.len() + times > MAX_STEPS {
            return Err(format!("the schedule has more than {MAX_STEPS} steps"));
        }
        path.extend(std::iter::repeat_n((t, branch), times));
    }
    if path.is_empty() {
        return Err("the schedule is empty: give thread names, one per step".to_string());
    }
    Ok(path)
}

/// The branch of `flush` (the thread's store buffer, `tso`) or `flush.x`
/// (its buffer of variable `x`, `pso`; `flush.a[1]` of an array cell) in
/// `word`.
fn flush_branch(program: &Program, word: &str, what: &str) -> Result<u32, String> {
    let var = what.strip_prefix("flush").unwrap_or(what);
    match (program.memory, var.strip_prefix('.')) {
        (weft_ir::Memory::Sc, _) => Err(format!(
            "`{word}`: flushes happen only under `--memory-model tso` or `pso`"
        )),
        (weft_ir::Memory::Tso { .. }, None) if var.is_empty() => Ok(weft_explore::FLUSH),
        (weft_ir::Memory::Pso { .. }, Some(name)) => (program.plain_shared_cells())
            .position(|c| program.cell_name(c) == name)
            .map(|b| weft_explore::FLUSH + b as u32)
            .ok_or_else(|| {
                format!("`{word}`: `{name}` is not a plain shared variable or array cell (as in `a[1]`)")
            }),
        (weft_ir::Memory::Pso { .. }, None) => Err(format!(
            "`{word}`: under `pso` each variable and array cell has its own buffer: say which, as in `#flush.x` or `#flush.a[1]`"
        )),
        (weft_ir::Memory::Tso { .. }, _) => Err(format!(
            "`{word}`: under `tso` a thread has one buffer: write `#flush`"
        )),
    }
}

/// The weak memory model a `weft check` JSON report (or the entry for
/// `file` in a list of them) was made under: its `stats.memory_model`.
fn report_memory(trace: &Path, file: &str) -> Option<weft_ir::Memory> {
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(trace).ok()?).ok()?;
    let report = match doc.as_array() {
        Some(list) => entry_for(list, file)?,
        None => &doc,
    };
    let memory = report.get("stats")?.get("memory_model")?;
    let buffer = u32::try_from(memory.get("store_buffer")?.as_u64()?).ok()?;
    match memory.get("model")?.as_str()? {
        "tso" => Some(weft_ir::Memory::Tso { buffer }),
        "pso" => Some(weft_ir::Memory::Pso { buffer }),
        _ => None,
    }
}

/// In a list of reports (`weft check --format json` on several files):
/// the one for `file`, or the only one.
fn entry_for<'d>(list: &'d [Value], file: &str) -> Option<&'d Value> {
    (list.iter())
        .find(|r| r.get("file").and_then(Value::as_str) == Some(file))
        .or_else(|| (list.len() == 1).then(|| &list[0]))
}

/// The schedule of violation `which` (from 1) in a JSON report.
fn from_report(
    program: &Program,
    trace: &Path,
    file: &str,
    which: usize,
) -> Result<Traced, String> {
    let text = std::fs::read_to_string(trace)
        .map_err(|e| format!("cannot read `{}`: {e}", trace.display()))?;
    let doc: Value = serde_json::from_str(&text)
        .map_err(|e| format!("`{}` is not JSON: {e}", trace.display()))?;
    let (steps, cycle) = schedule_in(&doc, file, which)?;
    let mut path = Vec::new();
    for (i, step) in steps.iter().enumerate() {
        let name = step
            .get("thread")
            .and_then(Value::as_str)
            .ok_or_else(|| format!("step {} of the schedule has no \"thread\" name", i + 1))?;
        // No branch is branch 0, as a name alone is in `--schedule`.
        let branch = match step.get("branch") {
            None => 0,
            Some(b) => b
                .as_u64()
                .and_then(|b| u32::try_from(b).ok())
                .ok_or_else(|| {
                    format!(
                        "step {}: \"branch\" must be a whole number from 0 up, not {b}",
                        i + 1
                    )
                })?,
        };
        path.push((thread_index(program, name)?, branch));
    }
    // No step: the violation is in the initial state, which the run shows.
    Ok((path, cycle))
}

/// Find the steps: a report (or a list of them: the one for `file`), a
/// violation, an object with a `"schedule"`, or a bare list of steps. A
/// liveness violation's loop (`"cycle"`) is run once after its stem, and
/// said where it starts.
fn schedule_in(
    doc: &Value,
    file: &str,
    which: usize,
) -> Result<(Vec<Value>, Option<Cycle>), String> {
    if let Some(list) = doc.as_array() {
        if list.iter().all(|s| s.get("thread").is_some()) {
            return Ok((list.clone(), None));
        }
        let report =
            entry_for(list, file).ok_or_else(|| format!("the report has no entry for `{file}`"))?;
        return schedule_in(report, file, which);
    }
    if let Some(listed) = doc
        .get("schedules")
        .or_else(|| doc.get("representatives"))
        .and_then(Value::as_array)
    {
        let entry = which
            .checked_sub(1)
            .and_then(|i| listed.get(i))
            .ok_or_else(|| {
                format!(
                    "--violation {which}: the file lists {} schedules",
                    listed.len()
                )
            })?;
        let steps = entry
            .get("schedule")
            .or_else(|| entry.get("representative"))
            .and_then(Value::as_array)
            .ok_or_else(|| "a listed schedule has no steps".to_string())?;
        return Ok((steps.clone(), None));
    }
    if let Some(violations) = doc.get("violations").and_then(Value::as_array) {
        if violations.is_empty() {
            return Err("the report has no violation, so no schedule to run".to_string());
        }
        let v = which
            .checked_sub(1)
            .and_then(|i| violations.get(i))
            .ok_or_else(|| {
                format!(
                    "--violation {which}: the report has {} violation{}",
                    violations.len(),
                    if violations.len() == 1 { "" } else { "s" }
                )
            })?;
        return schedule_in(v, file, 1);
    }
    let Some(schedule) = doc.get("schedule").and_then(Value::as_array) else {
        return Err("no \"schedule\" found: expected a `weft check --format json` report".into());
    };
    let mut steps = schedule.clone();
    let mut looped = None;
    if let Some(cycle) = doc.get("cycle").and_then(Value::as_array) {
        if !cycle.is_empty() {
            looped = Some(Cycle {
                from: steps.len(),
                kind: doc
                    .get("kind")
                    .and_then(Value::as_str)
                    .unwrap_or("loop")
                    .to_string(),
            });
        }
        steps.extend(cycle.iter().cloned());
    }
    Ok((steps, looped))
}
