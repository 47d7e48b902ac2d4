//! Recursion is a compile error: every call is inlined. This finds each cycle
//! in the call graph and names it.

use weft_syntax::ast::{ExprKind, Span};

use crate::declare::{Decls, GlobalKind};
use crate::error::{Detail, LowerError};
use crate::walk;

/// For each function, whether it is part of a call cycle (those are never
/// inlined); each cycle is reported once.
pub(crate) fn find(decls: &Decls<'_>, errors: &mut Vec<LowerError>) -> Vec<bool> {
    let n = decls.fns.len();
    // calls[f] = the functions f calls, each with the span of its first call.
    let mut calls: Vec<Vec<(usize, Span)>> = vec![Vec::new(); n];
    for (i, f) in decls.fns.iter().enumerate() {
        walk::exprs(&f.body, &mut |e| {
            if let ExprKind::Call { func, .. } = &e.kind {
                if let Some(GlobalKind::Fn(j)) = decls.names.get(func.name.as_str()).map(|g| g.kind)
                {
                    if !calls[i].iter().any(|(k, _)| *k == j) {
                        calls[i].push((j, e.span));
                    }
                }
            }
        });
    }
    // A function is recursive when its strongly connected component of the
    // call graph has a cycle: more than one function, or a call to itself.
    // Linear in the program, where a search from each function took time
    // quadratic in a long chain of calls.
    let mut graph = petgraph::Graph::<(), ()>::with_capacity(n, 0);
    let nodes: Vec<_> = (0..n).map(|_| graph.add_node(())).collect();
    for (f, callees) in calls.iter().enumerate() {
        for &(g, _) in callees {
            graph.add_edge(nodes[f], nodes[g], ());
        }
    }
    let mut component = vec![usize::MAX; n];
    let mut recursive = vec![false; n];
    for (c, members) in petgraph::algo::tarjan_scc(&graph).iter().enumerate() {
        let cyclic = members.len() > 1
            || calls[members[0].index()]
                .iter()
                .any(|&(g, _)| g == members[0].index());
        for m in members {
            component[m.index()] = c;
            recursive[m.index()] = cyclic;
        }
    }
    let mut reported = vec![false; n];
    for start in 0..n {
        // A function already named in a reported cycle is in that report.
        if !recursive[start] || reported[start] {
            continue;
        }
        let Some(cycle) = path_back(&calls, &component, start) else {
            continue;
        };
        if cycle.iter().any(|(f, _)| reported[*f]) {
            continue;
        }
        let mut names: Vec<&str> = cycle
            .iter()
            .map(|(f, _)| decls.fns[*f].name.name.as_str())
            .collect();
        names.push(&decls.fns[start].name.name);
        let mut d = Detail::new(format!(
            "`{}` is recursive: {}",
            names[0],
            names.join(" -> ")
        ));
        for (k, (f, call)) in cycle.iter().enumerate() {
            reported[*f] = true;
            let callee = names[k + 1];
            d = if k == 0 {
                d.at(*call, format!("`{}` calls `{callee}` here", names[0]))
            } else {
                d.note(*call, format!("then `{}` calls `{callee}` here", names[k]))
            };
        }
        errors.push(LowerError::Recursion(
            d.help("every call is inlined, so functions cannot call themselves: rewrite the recursion as a loop"),
        ));
    }
    recursive
}

/// A shortest call path from `start` back to itself, as (caller, call span)
/// edges, if there is one. Such a path stays in `start`'s strongly
/// connected component (`component` numbers them), so the search does too.
fn path_back(
    calls: &[Vec<(usize, Span)>],
    component: &[usize],
    start: usize,
) -> Option<Vec<(usize, Span)>> {
    // Breadth-first from start; prev[g] = the edge that first reached g.
    let mut prev: Vec<Option<(usize, Span)>> = vec![None; calls.len()];
    let mut queue = std::collections::VecDeque::from([start]);
    let mut seen = vec![false; calls.len()];
    while let Some(f) = queue.pop_front() {
        for &(g, span) in &calls[f] {
            if g == start {
                let mut path = vec![(f, span)];
                let mut at = f;
                while at != start {
                    let (p, s) = prev[at]?;
                    path.push((p, s));
                    at = p;
                }
                path.reverse();
                return Some(path);
            }
            if !seen[g] && component[g] == component[start] {
                seen[g] = true;
                prev[g] = Some((f, span));
                queue.push_back(g);
            }
        }
    }
    None
}
