//! `weft schedules FILE`: count every complete schedule of a program and
//! the bad ones, by dynamic programming over its state graph.

use crate::cli::Format;
use crate::load::{load, run_command, Look};
use clap::Args;
use num_bigint::BigUint;
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;
use weft_explore::{count_schedules, countable, list_schedules, Kind, Limit, Options};
use weft_report::schedules::{
    classes_json, classes_text, counts_json, counts_text, list_json, list_text,
};

/// Most schedules `--classes` enumerates.
pub const CLASS_CAP: usize = 200_000;

/// Steps counted on a cyclic state graph when `--max-depth` is not given.
pub const DEFAULT_CYCLIC_DEPTH: u32 = 20;

pub const SCHEDULES_EXAMPLES: &str = "\
Examples:
  weft schedules programs/01_counter_race.weft          how many schedules, how many bad
  weft schedules --format json programs/07_check_then_act.weft
  weft schedules --max-depth 12 programs/48_polite_livelock.weft

A complete schedule is a maximal interleaving of steps: it ends when no
thread can step (all finished, or deadlocked) or at a failed step (an
assertion or runtime error). It is bad for a kind when that kind is seen in
a state or step along it. Counts are exact (no enumeration). On a cyclic
state graph there are infinitely many schedules: those of at most
--max-depth steps are counted (default 20), longer ones cut there.

Exit codes: 0 no bad schedule, 1 some schedule is bad, 2 bad input or usage,
3 not exhaustive (a limit stopped the search, or schedules were cut at
--max-depth) and no bad schedule.";

/// The flags of `weft schedules`.
#[derive(Debug, Args)]
pub struct SchedulesArgs {
    /// The weft program.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,

    /// Override a `const` of the program, e.g. `-D N=5` (repeatable).
    #[arg(short = 'D', long = "define", value_name = "NAME=VALUE", value_parser = crate::cli::parse_define)]
    pub defines: Vec<(String, String)>,

    #[command(flatten)]
    pub memory: crate::cli::MemoryArgs,

    /// How to print the counts.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,

    /// Count schedules of at most this many steps, longer ones cut here
    /// (default: every schedule when the state graph is acyclic, 20 steps
    /// when it has a cycle).
    #[arg(long, value_name = "N")]
    pub max_depth: Option<u32>,

    /// Stop exploring after storing this many states (exit 3, no counts).
    #[arg(long, value_name = "N")]
    pub max_states: Option<u64>,

    /// Stop exploring after this many seconds (exit 3, no counts).
    #[arg(long, value_name = "SECONDS", value_parser = crate::cli::parse_seconds)]
    pub timeout: Option<Duration>,

    /// Stop exploring when weft holds more than this much memory, as in
    /// `512M` or `4G` (exit 3, no counts; default: half the memory
    /// available when weft starts).
    #[arg(long, value_name = "SIZE", value_parser = crate::cli::parse_size)]
    pub max_memory: Option<u64>,

    /// Print the schedules themselves, one per line (threads by name, one
    /// per step, ready for `weft run --schedule`), with the kinds each shows.
    #[arg(long)]
    pub list: bool,

    /// Group the schedules into equivalence classes (same order of every
    /// pair of conflicting steps) and print one representative of each,
    /// with the class's size. Enumerates the schedules: at most 200000.
    #[arg(long)]
    pub classes: bool,

    /// With --list or --classes: only the bad schedules or classes.
    #[arg(long)]
    pub bad: bool,

    /// With --list or --classes: print at most this many schedules or classes.
    #[arg(long, value_name = "N", default_value_t = 100)]
    pub limit: usize,
}

/// Run `weft schedules`.
pub fn main(args: SchedulesArgs) -> ExitCode {
    let look = Look {
        json: args.format == Format::Json,
        color: false,
    };
    run_command(&args.file, &look, || schedules(&args, &look))
}

/// The output and exit code of one run.
fn schedules(args: &SchedulesArgs, look: &Look) -> (String, u8) {
    let mut loaded = match load(&args.file, &args.defines, look) {
        Ok(loaded) => loaded,
        Err(report) => return (report, 2),
    };
    loaded.program.memory = args.memory.memory();
    let kinds: Vec<Kind> = Kind::ALL.into_iter().filter(|&k| countable(k)).collect();
    let options = Options {
        checks: kinds.clone(),
        max_states: args.max_states,
        max_depth: args.max_depth,
        timeout: args.timeout,
        max_memory: args.max_memory.or_else(weft_explore::default_max_memory),
        record_graph: true,
        ..Options::default()
    };
    let bar = crate::progress::Progress::start(std::io::stderr().is_terminal() && !look.json);
    let (outcome, graph) = weft_explore::explore(&loaded.program, &options, &mut |p| bar.update(p));
    bar.finish();
    if let Some(limit) = outcome.limit.filter(|l| !matches!(l, Limit::MaxDepth(_))) {
        let why = match limit {
            Limit::MaxStates(n) => format!("--max-states stopped the search at {n} states"),
            Limit::Timeout(t) => format!("--timeout stopped the search after {:?}", t),
            Limit::MaxDepth(d) => format!("--max-depth stopped the search at depth {d}"),
            Limit::Storage(_) | Limit::Memory(_) => weft_report::limit_text(limit),
        };
        let message = format!(
            "cannot count the schedules of {}: {why}, before the state graph was complete",
            loaded.file
        );
        let text = if look.json {
            let doc = serde_json::json!({ "file": loaded.file, "error": message });
            serde_json::to_string_pretty(&doc).unwrap_or_default() + "\n"
        } else {
            message + "\n"
        };
        return (text, 3);
    }
    let bound = args.max_depth.or_else(|| {
        weft_explore::topological_order(&graph.edges)
            .is_none()
            .then_some(DEFAULT_CYCLIC_DEPTH)
    });
    let Some(counts) = count_schedules(&graph, &kinds, bound) else {
        return (format!("{}: the state graph is empty\n", loaded.file), 2);
    };
    let zero = BigUint::default();
    let code = if counts.bad > zero {
        1
    } else if counts.cut > zero {
        3
    } else {
        0
    };
    let listed = args
        .list
        .then(|| list_schedules(&graph, &kinds, bound, args.bad, args.limit));
    let exec = weft_explore::Exec::new(&loaded.program);
    let classes = match args
        .classes
        .then(|| weft_explore::classes(&exec, &graph, &kinds, bound, CLASS_CAP))
    {
        Some(Err(cap)) => {
            let message = format!(
                "{}: more than {cap} schedules ({}): too many to group into classes; \
                 count them without --classes, or make the program smaller (-D)",
                loaded.file, counts.total
            );
            return (message + "\n", 2);
        }
        Some(Ok(classes)) => Some(classes),
        None => None,
    };
    let shown: Vec<&weft_explore::Class> = classes
        .iter()
        .flatten()
        .filter(|c| !args.bad || c.kinds != 0)
        .take(args.limit)
        .collect();
    let text = if look.json {
        let mut doc = counts_json(&loaded.file, &counts, &outcome.stats);
        if let Some(classes) = &classes {
            let bad = classes.iter().filter(|c| c.kinds != 0).count();
            doc.insert("classes".into(), classes.len().into());
            doc.insert("bad_classes".into(), bad.into());
            let by_kind: serde_json::Map<String, serde_json::Value> = kinds
                .iter()
                .map(|&k| {
                    let n = classes
                        .iter()
                        .filter(|c| c.kinds & weft_explore::mark(k) != 0)
                        .count();
                    (k.name().to_string(), n.into())
                })
                .collect();
            doc.insert("classes_by_kind".into(), by_kind.into());
            doc.insert(
                "representatives".into(),
                classes_json(&loaded.program, &shown, &kinds),
            );
        }
        if let Some(listed) = &listed {
            doc.insert(
                "schedules".into(),
                list_json(&loaded.program, listed, &kinds),
            );
        }
        serde_json::to_string_pretty(&doc).unwrap_or_default() + "\n"
    } else {
        let mut text = counts_text(&loaded.file, &counts, &outcome.stats);
        if let Some(listed) = &listed {
            let of = if args.bad { &counts.bad } else { &counts.total };
            let what = if args.bad {
                "bad schedules"
            } else {
                "schedules"
            };
            let head = if BigUint::from(listed.len()) < *of {
                format!("the first {} of {of} {what} (--limit):", listed.len())
            } else {
                format!("all {of} {what}:")
            };
            text.push_str(&list_text(&loaded.program, listed, &kinds, &head));
        }
        if let Some(classes) = &classes {
            text.push_str(&classes_text(&loaded.program, classes, &shown, &kinds));
        }
        text
    };
    (text, code)
}
