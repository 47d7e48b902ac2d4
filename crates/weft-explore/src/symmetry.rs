//! Symmetry reduction: states that differ only by a permutation of a thread
//! group's instances get one canonical form, the key of the visited set.
//!
//! The search keeps concrete states and checks them; only the key is
//! canonical, so every report still names real instances. Which groups may be
//! permuted is decided once, statically and conservatively (`analysis.rs`);
//! the canonical form sorts a group's instances by everything the state says
//! about each of them, then renames thread ids everywhere they are stored.
//!
//! Why sorting is a complete canonical form: the key of an instance holds
//! every part of the state that belongs to it (its pc and locals, its
//! lost-update words, its cells of `self`-indexed arrays, and where its id
//! appears in each object: owner, reader/waiter bits, queue position). The
//! rest of the state holds no thread id of the group. So two instances with
//! equal keys are interchangeable (swapping them gives the same state), and
//! any sorted order gives the same result. The permutation applied is always
//! a real one, so two states never share a key unless they are images.

mod analysis;
mod specs;

use crate::exec::Exec;
use crate::Kind;
use weft_ir::{ObjectKind, Value};

/// The permutable thread groups of a program and where thread ids live.
pub(crate) struct Symmetry {
    /// The groups whose instances are permuted.
    groups: Vec<Group>,
    /// Groups left alone, with the reason (for [`Symmetry::describe`]).
    refused: Vec<(String, String)>,
    /// Object slots holding `thread + 1` or 0: mutex owner, rwlock writer,
    /// rendezvous offerer.
    owners: Vec<usize>,
    /// Object slots holding a mask with bit `thread`: rwlock readers,
    /// condvar waiters, barrier arrivals.
    masks: Vec<usize>,
    /// FIFO queues of fair objects: first slot, and whether entries are
    /// rwlock entries `2 * (thread + 1) + is_write` (else `thread + 1`).
    queues: Vec<(usize, bool)>,
    /// Offset of each thread's pc (locals follow).
    thread: Vec<usize>,
    /// Length of each thread's pc-and-locals block.
    block: Vec<usize>,
    /// The lost-update masks of each tracked cell (readers slot; the stale
    /// slot follows), in the order of the cells' tracking numbers, and
    /// whether the cell is in a permuted array: such cells are keyed per
    /// instance, not by position.
    lu_cells: Vec<(usize, bool)>,
    /// Words of one instance's lost-update bits in its key (64 cells each).
    lu_words: usize,
    /// Every lost-update mask slot: bit `t` is thread `t`.
    lu_masks: std::ops::Range<usize>,
    n_threads: usize,
    len: usize,
}

/// One permutable group.
struct Group {
    name: String,
    /// First thread id and number of instances.
    base: usize,
    n: usize,
    /// Arrays indexed by `self` (first cell; each has `n` cells), with the
    /// lost-update masks (readers slot) of each cell if the cell is tracked.
    arrays: Vec<(usize, Vec<Option<usize>>)>,
    /// The arrays' names, for [`Symmetry::describe`].
    array_names: Vec<String>,
    /// Values in one instance's sort key.
    key_len: usize,
}

/// Reusable buffers of [`Symmetry::canonicalize`]: one per searching
/// thread; after the first call on a program, no call allocates.
#[derive(Default)]
pub(crate) struct Scratch {
    /// A copy of the state being canonicalized.
    orig: Vec<Value>,
    /// The instances' sort keys, `key_len` values each.
    keys: Vec<Value>,
    /// Old instance index at each new position, for one group.
    order: Vec<u32>,
    /// New thread id of each old one.
    perm: Vec<u32>,
    /// Old thread id of each new one.
    inv: Vec<u32>,
}

impl Scratch {
    /// The renaming the last [`Symmetry::canonicalize`] applied: the new id
    /// of each old thread id (the identity outside permuted groups). An
    /// orbit-aware liveness check would need it to follow threads along
    /// edges between canonical states.
    #[cfg(test)]
    pub(crate) fn permutation(&self) -> &[u32] {
        &self.perm
    }
}

impl Symmetry {
    /// The symmetry of `exec`'s program, or None when no thread group of two
    /// or more instances can be permuted (then the search skips
    /// canonicalization).
    pub(crate) fn new(exec: &Exec, checks: &[Kind]) -> Option<Symmetry> {
        let s = Symmetry::build(exec, checks);
        (!s.groups.is_empty()).then_some(s)
    }

    /// [`Symmetry::describe`] for any program, also when [`Symmetry::new`]
    /// gives None: which groups are permuted and why the others are not.
    pub(crate) fn explain(exec: &Exec, checks: &[Kind]) -> String {
        Symmetry::build(exec, checks).describe()
    }

    /// Short human description: which groups are permuted, or why a group
    /// is not.
    pub(crate) fn describe(&self) -> String {
        let mut lines = Vec::new();
        for g in &self.groups {
            let arrays = if g.arrays.is_empty() {
                String::new()
            } else {
                let names: Vec<String> =
                    g.array_names.iter().map(|a| format!("{a}[self]")).collect();
                format!(", moving {}", names.join(", "))
            };
            lines.push(format!("{}[{}]: instances permuted{arrays}", g.name, g.n));
        }
        for (name, why) in &self.refused {
            lines.push(format!("{name}: not permuted: {why}"));
        }
        if lines.is_empty() {
            lines.push("no thread group of two or more instances".to_string());
        }
        lines.join("\n")
    }

    fn build(exec: &Exec, checks: &[Kind]) -> Symmetry {
        let program = exec.program;
        let layout = &exec.layout;
        let verdicts = analysis::analyze(program, checks);
        let mut owners = Vec::new();
        let mut masks = Vec::new();
        let mut queues = Vec::new();
        for (o, &off) in program.objects.iter().zip(&layout.obj) {
            match o.kind {
                ObjectKind::Mutex => owners.push(off),
                ObjectKind::RwLock => {
                    owners.push(off);
                    masks.push(off + 1);
                }
                ObjectKind::Condvar | ObjectKind::Barrier => masks.push(off),
                ObjectKind::Channel => owners.push(off + 2),
                ObjectKind::Semaphore | ObjectKind::WaitGroup => {}
            }
            if o.fair {
                let rw = o.kind == ObjectKind::RwLock;
                queues.push((off + if rw { 2 } else { 1 }, rw));
            }
        }
        let block: Vec<usize> = program
            .threads
            .iter()
            .map(|t| 1 + (program.codes[t.code as usize].n_locals as usize).max(1))
            .collect();
        let mut permuted_cells = vec![false; layout.tracked.len()];
        let lu_words = layout.n_tracked.div_ceil(64);
        let mut groups = Vec::new();
        let mut refused = Vec::new();
        for v in verdicts {
            let g = &program.thread_groups[v.group];
            let arrays = match v.result {
                Err(why) => {
                    refused.push((g.name.clone(), why));
                    continue;
                }
                Ok(arrays) => arrays,
            };
            let (base, n) = (g.base as usize, g.len as usize);
            let array_names = arrays
                .iter()
                .map(|&v| program.vars[v].name.clone())
                .collect();
            let arrays: Vec<(usize, Vec<Option<usize>>)> = arrays
                .iter()
                .map(|&var| {
                    let first = program.vars[var].base as usize;
                    permuted_cells[first..first + n].fill(true);
                    (first, layout.tracked[first..first + n].to_vec())
                })
                .collect();
            let tracked = arrays.iter().filter(|(_, b)| b[0].is_some()).count();
            let key_len = block[base] - 1
                + 2 * lu_words
                + tracked * 2
                + arrays.len()
                + owners.len()
                + masks.len()
                + queues.len();
            groups.push(Group {
                name: g.name.clone(),
                base,
                n,
                arrays,
                array_names,
                key_len,
            });
        }
        Symmetry {
            groups,
            refused,
            owners,
            masks,
            queues,
            thread: layout.thread.clone(),
            block,
            lu_cells: {
                // A cell's tracking number orders its masks (`Layout::new`).
                let mut cells: Vec<(usize, bool)> = layout
                    .tracked
                    .iter()
                    .zip(&permuted_cells)
                    .filter_map(|(slot, &p)| slot.map(|s| (s, p)))
                    .collect();
                cells.sort_unstable();
                cells
            },
            lu_words,
            lu_masks: layout.lu_masks(),
            n_threads: layout.n_threads,
            len: layout.len,
        }
    }

    /// Rewrite `state` in place into the canonical member of its orbit under
    /// the permutations of each symmetric group's instances.
    pub(crate) fn canonicalize(&self, state: &mut [Value], scratch: &mut Scratch) {
        debug_assert_eq!(state.len(), self.len);
        let Scratch {
            orig,
            keys,
            order,
            perm,
            inv,
        } = scratch;
        perm.clear();
        perm.extend(0..self.n_threads as u32);
        let mut moved = false;
        for g in &self.groups {
            let k = g.key_len;
            keys.clear();
            keys.resize(g.n * k, 0);
            for i in 0..g.n {
                self.key(g, state, i, &mut keys[i * k..(i + 1) * k]);
            }
            order.clear();
            order.extend(0..g.n as u32);
            // Equal keys keep their order, so a canonical state stays as is.
            order.sort_unstable_by(|&a, &b| {
                let (i, j) = (a as usize * k, b as usize * k);
                keys[i..i + k].cmp(&keys[j..j + k]).then(a.cmp(&b))
            });
            for (new, &old) in order.iter().enumerate() {
                perm[g.base + old as usize] = (g.base + new) as u32;
                moved |= old as usize != new;
            }
        }
        if !moved {
            return;
        }
        orig.clear();
        orig.extend_from_slice(state);
        inv.clear();
        inv.resize(self.n_threads, 0);
        for (old, &new) in perm.iter().enumerate() {
            inv[new as usize] = old as u32;
        }
        self.apply(orig, perm, inv, state);
    }

    /// `state` with each thread `t` of a permuted group renamed `perm[t]`
    /// (threads outside the groups must map to themselves). For tests and
    /// debugging; allocates.
    #[cfg(test)]
    pub(crate) fn permute(&self, state: &[Value], perm: &[u32]) -> Vec<Value> {
        let mut inv = vec![0; perm.len()];
        for (old, &new) in perm.iter().enumerate() {
            inv[new as usize] = old as u32;
        }
        let mut out = state.to_vec();
        self.apply(state, perm, &inv, &mut out);
        out
    }

    /// The groups that are permuted: (first thread id, instances).
    #[cfg(test)]
    pub(crate) fn groups(&self) -> impl Iterator<Item = (usize, usize)> + '_ {
        self.groups.iter().map(|g| (g.base, g.n))
    }

    /// The sort key of instance `i` of group `g` in state `s`.
    fn key(&self, g: &Group, s: &[Value], i: usize, out: &mut [Value]) {
        let t = g.base + i;
        let mut k = 0;
        let mut push = |v: Value| {
            out[k] = v;
            k += 1;
        };
        // pc and locals, but not local 0 (`self`, renamed with the instance)
        let pc = self.thread[t];
        push(s[pc]);
        for &v in &s[pc + 2..pc + self.block[t]] {
            push(v);
        }
        // Its lost-update bits of the cells that stay in place, 64 cells a
        // word (the cell with tracking number k at bit k % 64 of word k /
        // 64): which it has read since its last write, then which of those
        // reads are stale.
        for stale in [0, 1] {
            for w in 0..self.lu_words {
                let cells = &self.lu_cells[w * 64..self.lu_cells.len().min(w * 64 + 64)];
                let mut word = 0;
                for (k, &(slot, permuted)) in cells.iter().enumerate() {
                    if !permuted {
                        word |= ((s[slot + stale] >> t) & 1) << k;
                    }
                }
                push(word);
            }
        }
        for (first, masks) in &g.arrays {
            push(s[first + i]);
            if let Some(slot) = masks[i] {
                push((s[slot] >> t) & 1);
                push((s[slot + 1] >> t) & 1);
            }
        }
        let me = t as Value + 1;
        for &o in &self.owners {
            push((s[o] == me) as Value);
        }
        for &m in &self.masks {
            push((s[m] >> t) & 1);
        }
        for &(q, rw) in &self.queues {
            let pos = (0..self.n_threads).find(|&j| {
                let e = s[q + j];
                if rw {
                    e / 2 == me
                } else {
                    e == me
                }
            });
            push(pos.map_or(0, |j| {
                let write = if rw { s[q + j] & 1 } else { 0 };
                2 * (j as Value + 1) + write
            }));
        }
        debug_assert_eq!(k, g.key_len);
    }

    /// Write into `out` the image of `orig` under `perm` (`inv` its inverse).
    fn apply(&self, orig: &[Value], perm: &[u32], inv: &[u32], out: &mut [Value]) {
        for g in &self.groups {
            for new in 0..g.n {
                let t = g.base + new;
                let old = inv[t] as usize;
                let (from, to, len) = (self.thread[old], self.thread[t], self.block[t]);
                out[to..to + len].copy_from_slice(&orig[from..from + len]);
                out[to + 1] = new as Value;
                // A cell of a permuted array moves, its masks with it.
                for (first, masks) in &g.arrays {
                    let old = old - g.base;
                    out[first + new] = orig[first + old];
                    if let (Some(to), Some(from)) = (masks[new], masks[old]) {
                        out[to..to + 2].copy_from_slice(&orig[from..from + 2]);
                    }
                }
            }
        }
        // Every lost-update mask names threads: rename them.
        for slot in self.lu_masks.clone() {
            if out[slot] != 0 {
                out[slot] = rename_bits(perm, out[slot]);
            }
        }
        for &o in &self.owners {
            let v = orig[o];
            if v > 0 && (v as usize) <= perm.len() {
                out[o] = perm[v as usize - 1] as Value + 1;
            }
        }
        for &m in &self.masks {
            out[m] = rename_bits(perm, orig[m]);
        }
        for &(q, rw) in &self.queues {
            for j in 0..self.n_threads {
                let e = orig[q + j];
                out[q + j] = match (e, rw) {
                    (0, _) => 0,
                    (e, false) => rename(perm, e),
                    (e, true) => 2 * rename(perm, e / 2) + (e & 1),
                };
            }
        }
    }
}

/// `t + 1` renamed: `perm[t] + 1` (values that are no thread stay).
fn rename(perm: &[u32], id: Value) -> Value {
    match usize::try_from(id - 1).ok().and_then(|t| perm.get(t)) {
        Some(&p) => p as Value + 1,
        None => id,
    }
}

/// A thread mask (bit `t` for thread `t`) with each thread renamed.
fn rename_bits(perm: &[u32], mask: Value) -> Value {
    let mut r = 0;
    for (t, &p) in perm.iter().enumerate() {
        r |= ((mask >> t) & 1) << p;
    }
    r
}

#[cfg(test)]
mod tests;
