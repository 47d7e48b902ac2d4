//! Strongly connected components of a compact (CSR) graph over u32 state
//! ids, with an explicit stack.
//!
//! petgraph's `tarjan_scc` recurses once per node on a path, and state
//! graphs have paths millions of states long; its `kosaraju_scc` needs
//! incoming edges, doubling the memory of the largest structure we hold. So
//! this is Tarjan's algorithm, iterative, over the adjacency the search
//! already built. petgraph still serves the small wait-for graphs.

/// A directed graph in compressed sparse row form: the successors of node
/// `v` are `targets[start[v]..start[v + 1]]`.
pub struct Csr<'a> {
    pub start: &'a [u32],
    pub targets: &'a [u32],
}

impl Csr<'_> {
    pub fn nodes(&self) -> usize {
        self.start.len().saturating_sub(1)
    }

    fn succ(&self, v: u32) -> &[u32] {
        &self.targets[self.start[v as usize] as usize..self.start[v as usize + 1] as usize]
    }
}

const NONE: u32 = u32::MAX;

/// The component of every node: nodes with the same number are strongly
/// connected. Numbers are dense, from 0; their order carries no meaning.
pub fn components(g: &Csr) -> Vec<u32> {
    components_until(g, &|| false).unwrap_or_default()
}

/// [`components`], unless `stop` says so (asked every 65,536 edges and
/// nodes): then `None`.
pub fn components_until(g: &Csr, stop: &dyn Fn() -> bool) -> Option<Vec<u32>> {
    let n = g.nodes();
    let mut work = 0u32;
    let mut index = vec![NONE; n];
    let mut low = vec![0u32; n];
    let mut comp = vec![NONE; n];
    let mut on_stack = vec![false; n];
    let mut stack: Vec<u32> = Vec::new();
    // (node, position in its successor list)
    let mut call: Vec<(u32, u32)> = Vec::new();
    let mut next_index = 0u32;
    let mut next_comp = 0u32;

    for root in 0..n as u32 {
        if index[root as usize] != NONE {
            continue;
        }
        call.push((root, 0));
        index[root as usize] = next_index;
        low[root as usize] = next_index;
        next_index += 1;
        stack.push(root);
        on_stack[root as usize] = true;

        while let Some(&mut (v, ref mut pos)) = call.last_mut() {
            work = work.wrapping_add(1);
            if work.is_multiple_of(1 << 16) && stop() {
                return None;
            }
            let succ = g.succ(v);
            if let Some(&w) = succ.get(*pos as usize) {
                *pos += 1;
                if index[w as usize] == NONE {
                    index[w as usize] = next_index;
                    low[w as usize] = next_index;
                    next_index += 1;
                    stack.push(w);
                    on_stack[w as usize] = true;
                    call.push((w, 0));
                } else if on_stack[w as usize] {
                    low[v as usize] = low[v as usize].min(index[w as usize]);
                }
                continue;
            }
            call.pop();
            if let Some(&(parent, _)) = call.last() {
                low[parent as usize] = low[parent as usize].min(low[v as usize]);
            }
            if low[v as usize] == index[v as usize] {
                while let Some(w) = stack.pop() {
                    on_stack[w as usize] = false;
                    comp[w as usize] = next_comp;
                    if w == v {
                        break;
                    }
                }
                next_comp += 1;
            }
        }
    }
    Some(comp)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn csr(n: usize, edges: &[(u32, u32)]) -> (Vec<u32>, Vec<u32>) {
        let mut start = vec![0u32; n + 1];
        let mut targets = Vec::new();
        for v in 0..n as u32 {
            for &(a, b) in edges {
                if a == v {
                    targets.push(b);
                }
            }
            start[v as usize + 1] = targets.len() as u32;
        }
        (start, targets)
    }

    #[test]
    fn two_cycles_and_a_bridge() {
        let (s, t) = csr(5, &[(0, 1), (1, 0), (1, 2), (2, 3), (3, 4), (4, 2)]);
        let c = components(&Csr {
            start: &s,
            targets: &t,
        });
        assert_eq!(c[0], c[1]);
        assert_eq!(c[2], c[3]);
        assert_eq!(c[3], c[4]);
        assert_ne!(c[0], c[2]);
    }

    #[test]
    fn a_long_path_does_not_overflow_the_stack() {
        let n = 1_000_000u32;
        let edges: Vec<(u32, u32)> = (0..n - 1).map(|i| (i, i + 1)).collect();
        let mut start = vec![0u32; n as usize + 1];
        let mut targets = Vec::with_capacity(edges.len());
        for (v, slot) in start.iter_mut().enumerate().skip(1) {
            if v < n as usize {
                targets.push(v as u32);
            }
            *slot = targets.len() as u32;
        }
        let c = components(&Csr {
            start: &start,
            targets: &targets,
        });
        let mut distinct = c.clone();
        distinct.sort_unstable();
        distinct.dedup();
        assert_eq!(distinct.len(), n as usize);
    }
}
