//! `weft graph FILE`: the state graph as DOT, JSON or SVG (through
//! Graphviz), violations and cycles highlighted.

use crate::load::{load, run_command, Look};
use clap::{Args, ValueEnum};
use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::{Command, ExitCode, Stdio};
use weft_explore::{Kind, Limit, Options};

pub const GRAPH_EXAMPLES: &str = "\
Examples:
  weft graph programs/01_counter_race.weft > counter.dot
  weft graph --format svg programs/09_lock_order_deadlock.weft > deadlock.svg
  weft graph --format json programs/48_polite_livelock.weft

Each state shows where every thread is (its next line, or done) and the
shared values; each step the thread and what it did. States and steps where
a violation is seen are red (a failed step leads to a red octagon), states
and steps on a cycle are blue, the initial state has a thick border and
states where no thread can step a double one. SVG needs Graphviz's `dot`.

Exit codes: 0 drawn, 2 bad input, a graph larger than --max-nodes, or no
Graphviz for --format svg.";

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum GraphFormat {
    /// Graphviz DOT.
    Dot,
    /// States and edges as JSON.
    Json,
    /// SVG, drawn by Graphviz's `dot` (must be installed).
    Svg,
}

/// The flags of `weft graph`.
#[derive(Debug, Args)]
pub struct GraphArgs {
    /// The weft program.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,

    /// Override a `const` of the program, e.g. `-D N=5` (repeatable).
    #[arg(short = 'D', long = "define", value_name = "NAME=VALUE", value_parser = crate::cli::parse_define)]
    pub defines: Vec<(String, String)>,

    #[command(flatten)]
    pub memory: crate::cli::MemoryArgs,

    /// What to print.
    #[arg(long, value_enum, default_value_t = GraphFormat::Dot)]
    pub format: GraphFormat,

    /// Refuse graphs with more states than this: a bigger drawing is
    /// unreadable (and slow to lay out).
    #[arg(long, value_name = "N", default_value_t = 300)]
    pub max_nodes: u64,
}

/// Run `weft graph`.
pub fn main(args: GraphArgs) -> ExitCode {
    let look = Look {
        json: args.format == GraphFormat::Json,
        color: false,
    };
    run_command(&args.file, &look, || graph(&args, &look))
}

fn graph(args: &GraphArgs, look: &Look) -> (String, u8) {
    let mut loaded = match load(&args.file, &args.defines, look) {
        Ok(loaded) => loaded,
        Err(report) => return (report, 2),
    };
    loaded.program.memory = args.memory.memory();
    let options = Options {
        checks: Kind::ALL.to_vec(),
        // One state more than allowed tells that the graph is too big
        // without exploring all of it.
        max_states: Some(args.max_nodes.saturating_add(1)),
        record_graph: true,
        ..Options::default()
    };
    let (outcome, graph) = weft_explore::explore(&loaded.program, &options, &mut |_| {});
    // A graph of exactly one state more stops no search: count it too.
    if matches!(outcome.limit, Some(Limit::MaxStates(_))) || outcome.stats.states > args.max_nodes {
        return (
            format!(
                "error: the state graph of {} has more than {} states (--max-nodes): too many to \
                 draw readably; raise --max-nodes, or make the program smaller (-D)\n",
                loaded.file, args.max_nodes
            ),
            2,
        );
    }
    let (program, source) = (&loaded.program, loaded.source.as_str());
    match args.format {
        GraphFormat::Json => {
            let doc = weft_report::graph::graph_json(&loaded.file, program, source, &graph);
            (
                serde_json::to_string_pretty(&doc).unwrap_or_default() + "\n",
                0,
            )
        }
        GraphFormat::Dot => (weft_report::graph::graph_dot(program, source, &graph), 0),
        GraphFormat::Svg => {
            let dot = weft_report::graph::graph_dot(program, source, &graph);
            match svg(&dot) {
                Ok(svg) => (svg, 0),
                Err(message) => (format!("error: {message}\n"), 2),
            }
        }
    }
}

/// Lay out DOT with Graphviz's `dot -Tsvg`.
fn svg(dot: &str) -> Result<String, String> {
    let mut child = Command::new("dot")
        .arg("-Tsvg")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| {
            if e.kind() == std::io::ErrorKind::NotFound {
                "Graphviz is not installed (no `dot` on the PATH), so no SVG: install it \
                 (`apt-get install graphviz`, `brew install graphviz`), or print DOT with \
                 `--format dot` and draw it elsewhere"
                    .to_string()
            } else {
                format!("cannot run Graphviz's `dot`: {e}")
            }
        })?;
    // Write on another thread: `dot` may fill its output pipe before it has
    // read all of its input.
    let mut stdin = child.stdin.take().ok_or("cannot write to `dot`")?;
    let input = dot.to_string();
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let mut svg = String::new();
    if let Some(mut out) = child.stdout.take() {
        out.read_to_string(&mut svg)
            .map_err(|e| format!("cannot read `dot`'s output: {e}"))?;
    }
    let mut errors = String::new();
    if let Some(mut err) = child.stderr.take() {
        let _ = err.read_to_string(&mut errors);
    }
    let _ = writer.join();
    let status = child.wait().map_err(|e| format!("`dot` failed: {e}"))?;
    if !status.success() {
        return Err(format!("Graphviz's `dot` failed: {}", errors.trim()));
    }
    Ok(svg)
}
