//! The output of `weft graph`: the state graph as Graphviz DOT or JSON.
//! States show where each thread is and the shared values; steps show the
//! thread and what it did; violations are red, cycles blue.

use crate::names::{assignment_text, cell_name, thread_name, value_json};
use crate::position::LineIndex;
use crate::schedules::step_word;
use serde_json::{json, Map, Value};
use weft_explore::{
    cycle_components, mark, positions_in, replay, At, Exec, Kind, StateGraph, NO_STATE,
};
use weft_ir::Program;

/// Everything drawn, computed once for both formats.
struct View {
    states: Vec<StateView>,
    edges: Vec<EdgeView>,
}

struct StateView {
    /// Each thread's name, next line (`None`: finished, or flushing its
    /// store buffers), program counter, and buffered writes (`x = 1, y =
    /// 2`; empty under sequential consistency).
    threads: Vec<(String, Option<usize>, i64, String)>,
    values: Vec<(u32, i64)>,
    kinds: Vec<&'static str>,
    cycle: Option<u32>,
    terminal: bool,
}

struct EdgeView {
    from: u32,
    to: Option<u32>,
    word: String,
    thread: String,
    branch: u32,
    action: String,
    kinds: Vec<&'static str>,
    on_cycle: bool,
}

fn names(mask: u16) -> Vec<&'static str> {
    Kind::ALL
        .into_iter()
        .filter(|&k| mask & mark(k) != 0)
        .map(Kind::name)
        .collect()
}

fn view(program: &Program, source: &str, graph: &StateGraph) -> View {
    let exec = Exec::new(program);
    let lines = LineIndex::new(source);
    let cycles = cycle_components(&graph.edges);
    let edges = &graph.edges;
    let states = graph
        .states
        .iter()
        .enumerate()
        .map(|(v, state)| StateView {
            threads: positions_in(&exec, state)
                .iter()
                .enumerate()
                .map(|(t, at)| {
                    let line = match at {
                        At::Finished | At::Flushing => None,
                        At::Next(span) => Some(lines.line(span.start as usize)),
                    };
                    let pc = state
                        .get(exec.layout.thread[t])
                        .copied()
                        .unwrap_or_default();
                    let writes: Vec<String> = (exec.pending(state, t).iter())
                        .map(|&(c, x)| assignment_text(program, c, x))
                        .collect();
                    (thread_name(program, t as u32), line, pc, writes.join(", "))
                })
                .collect(),
            values: (0..program.n_cells)
                .map(|c| (c, state.get(c as usize).copied().unwrap_or_default()))
                .collect(),
            kinds: names(edges.marks.get(v).copied().unwrap_or_default()),
            cycle: cycles.get(v).copied().flatten(),
            terminal: edges.enabled.get(v).is_some_and(|&e| e == 0),
        })
        .collect();
    let mut out_edges = Vec::new();
    for v in 0..edges.len() as u32 {
        for e in edges.of(v) {
            let (steps, _) = replay(&exec, &graph.states[v as usize], &[(e.thread, e.branch)]);
            let action = steps.first().map_or_else(String::new, |s| {
                format!("L{} {}", lines.line(s.span.start as usize), s.action)
            });
            let to = (e.to != NO_STATE).then_some(e.to);
            out_edges.push(EdgeView {
                from: v,
                to,
                word: step_word(program, e.thread, e.branch),
                thread: thread_name(program, e.thread),
                branch: e.branch,
                action,
                kinds: names(e.kinds),
                on_cycle: to.is_some_and(|to| {
                    cycles[v as usize].is_some() && cycles[v as usize] == cycles[to as usize]
                }),
            });
        }
    }
    View {
        states,
        edges: out_edges,
    }
}

/// A string inside a DOT label: quotes and backslashes escaped.
fn dot_escape(text: &str) -> String {
    text.replace('\\', "\\\\").replace('"', "\\\"")
}

/// The state graph as Graphviz DOT.
pub fn graph_dot(program: &Program, source: &str, graph: &StateGraph) -> String {
    let v = view(program, source, graph);
    let mut out = String::from(
        "digraph weft {\n  rankdir=TB;\n  node [shape=box, fontname=\"monospace\", fontsize=10];\n  \
         edge [fontname=\"monospace\", fontsize=9];\n",
    );
    for (i, s) in v.states.iter().enumerate() {
        let mut label = vec![format!("#{i}")];
        label.extend(s.threads.iter().map(|(name, line, pc, writes)| {
            match (line, writes.is_empty()) {
                (Some(l), true) => format!("{name} L{l} (pc {pc})"),
                (Some(l), false) => format!("{name} L{l} (pc {pc}) [{writes}]"),
                (None, true) => format!("{name} done"),
                (None, false) => format!("{name} flushing [{writes}]"),
            }
        }));
        label.extend(
            s.values
                .iter()
                .map(|&(c, x)| assignment_text(program, c, x)),
        );
        if !s.kinds.is_empty() {
            label.push(format!("! {}", s.kinds.join(", ")));
        }
        let mut attrs = vec![format!(
            "label=\"{}\\l\"",
            label
                .iter()
                .map(|l| dot_escape(l))
                .collect::<Vec<_>>()
                .join("\\l")
        )];
        if i == 0 {
            attrs.push("penwidth=2".into());
        }
        if s.terminal {
            attrs.push("peripheries=2".into());
        }
        if !s.kinds.is_empty() {
            attrs.push("style=filled, fillcolor=\"#ffd6d6\", fontcolor=\"#a00000\"".into());
        }
        if s.cycle.is_some() {
            attrs.push("color=\"#1f4fd1\", penwidth=2".into());
        } else if !s.kinds.is_empty() {
            attrs.push("color=\"#c00000\"".into());
        }
        out.push_str(&format!("  s{i} [{}];\n", attrs.join(", ")));
    }
    for (k, e) in v.edges.iter().enumerate() {
        let target = match e.to {
            Some(to) => format!("s{to}"),
            None => {
                let what = if e.kinds.is_empty() {
                    "the step fails".to_string()
                } else {
                    e.kinds.join(", ")
                };
                out.push_str(&format!(
                    "  f{k} [shape=octagon, style=filled, fillcolor=\"#ffd6d6\", color=\"#c00000\", \
                     fontcolor=\"#a00000\", label=\"{}\"];\n",
                    dot_escape(&what)
                ));
                format!("f{k}")
            }
        };
        let mut label = format!("{}: {}", e.word, e.action);
        if !e.kinds.is_empty() {
            label.push_str(&format!("\n! {}", e.kinds.join(", ")));
        }
        let mut attrs = vec![format!(
            "label=\"{}\"",
            dot_escape(&label).replace('\n', "\\n")
        )];
        if !e.kinds.is_empty() {
            attrs.push("color=\"#c00000\", fontcolor=\"#a00000\"".into());
        } else if e.on_cycle {
            attrs.push("color=\"#1f4fd1\", penwidth=2".into());
        }
        out.push_str(&format!(
            "  s{} -> {target} [{}];\n",
            e.from,
            attrs.join(", ")
        ));
    }
    out.push_str("}\n");
    out
}

/// The state graph as JSON: `states` (each thread's line and program
/// counter, or `"finished"`; values; kinds seen;
/// cycle component) and `edges` (from, to or null for a failed step,
/// thread, branch, action, kinds, whether it lies on a cycle).
pub fn graph_json(file: &str, program: &Program, source: &str, graph: &StateGraph) -> Value {
    let v = view(program, source, graph);
    let states: Vec<Value> = v
        .states
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let threads: Map<String, Value> = s
                .threads
                .iter()
                .map(|(name, line, pc, writes)| {
                    let at = match (line, writes.is_empty()) {
                        (Some(l), _) => json!({ "line": l, "pc": pc }),
                        (None, true) => json!("finished"),
                        (None, false) => json!("flushing"),
                    };
                    (name.clone(), at)
                })
                .collect();
            let values: Map<String, Value> = s
                .values
                .iter()
                .map(|&(c, x)| (cell_name(program, c), value_json(program, c, x)))
                .collect();
            json!({
                "id": i,
                "threads": threads,
                "values": values,
                "kinds": s.kinds,
                "terminal": s.terminal,
                "cycle": s.cycle,
            })
        })
        .collect();
    let edges: Vec<Value> = v
        .edges
        .iter()
        .map(|e| {
            json!({
                "from": e.from,
                "to": e.to,
                "thread": e.thread,
                "branch": e.branch,
                "action": e.action,
                "kinds": e.kinds,
                "on_cycle": e.on_cycle,
            })
        })
        .collect();
    json!({ "file": file, "initial": 0, "states": states, "edges": edges })
}
