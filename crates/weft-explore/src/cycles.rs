//! Which states of the state graph lie on a cycle, for drawing the graph
//! with its cycles highlighted (`weft graph`).

use crate::liveness::{Edges, NO_STATE};
use crate::scc::{components, Csr};

/// For each state, the strongly connected component it shares with at
/// least one other state (or with itself through a self-loop), or `None`
/// when it is on no cycle. A step lies on a cycle when both its ends are
/// in the same component.
pub fn cycle_components(edges: &Edges) -> Vec<Option<u32>> {
    let n = edges.len();
    let mut start = Vec::with_capacity(n + 1);
    let mut targets = Vec::new();
    start.push(0);
    for v in 0..n as u32 {
        targets.extend(
            edges
                .of(v)
                .iter()
                .filter(|e| e.to != NO_STATE)
                .map(|e| e.to),
        );
        start.push(targets.len() as u32);
    }
    let comp = components(&Csr {
        start: &start,
        targets: &targets,
    });
    let mut size = vec![0u32; n];
    for &c in &comp {
        if let Some(s) = size.get_mut(c as usize) {
            *s += 1;
        }
    }
    (0..n)
        .map(|v| {
            let c = comp[v];
            let self_loop = edges.of(v as u32).iter().any(|e| e.to == v as u32);
            (size.get(c as usize).is_some_and(|&s| s > 1) || self_loop).then_some(c)
        })
        .collect()
}
