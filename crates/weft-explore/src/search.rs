//! Breadth-first search over the state graph, a layer at a time, so the
//! first schedule found for each violation is a shortest one.
//!
//! Each layer is expanded in blocks, by several workers when `--jobs` asks
//! for it (phase 1: step every thread of every state of the block, run the
//! checks, and meet each successor, by a fingerprint updated from its
//! parent's, with the visited set; pack the new). The new states then get
//! the next ids in block order (phase 2): their parents go to the schedule
//! log and they form the next layer. Ids, and so schedules and the choice
//! among equal findings, come out exactly as a single worker would make
//! them, whatever the number of workers.
//!
//! How phase 1 meets the set ([`meet`]): one worker inserts each successor
//! as it finds it; several claim fingerprints side by side ([`Claimer`]),
//! and [`settle_claims`] gives a state two blocks met to the first block;
//! under the partial-order reduction several look up, and after the layer
//! each inserts the successors of its own shards of the set, going through
//! the blocks in order ([`insert_in_parts`]). Phase 2 writes each block's
//! share of the next layer and the log side by side when every successor
//! is decided ([`number_side_by_side`]), else one successor at a time.

use crate::detect::{first_of_each, Detector, Found as Finding0, Key};
use crate::exec::{Exec, ThreadStep};
use crate::liveness::{self, Edge, Edges, NO_STATE};
use crate::memory;
use crate::por::Reduction;
use crate::store::{
    self, Claim, ExactTable, Found, FpShard, FpTable, Log, Parent, Visited, RECORD, SHARDS,
};
use crate::symmetry::{self, Symmetry};
use crate::{Limit, Options, Outcome, Progress, Stats};
use rustc_hash::{FxHashMap, FxHashSet};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};
use weft_ir::{Program, Value};

/// The way back from any state to the initial one.
pub struct Graph {
    init: Vec<Value>,
    log: Log,
}

impl Graph {
    /// A graph of just the initial state, its log in memory (for tests
    /// that run their own search).
    #[cfg(test)]
    pub fn in_memory(init: Vec<Value>) -> Graph {
        let mut graph = Graph {
            init,
            log: Log::new(false),
        };
        graph.push(Parent {
            state: u32::MAX,
            thread: 0,
            branch: 0,
        });
        graph
    }

    /// Log the parent of the next state.
    #[cfg(test)]
    pub fn push(&mut self, p: Parent) {
        self.log.push(p);
    }

    pub fn initial(&self) -> &[Value] {
        &self.init
    }

    /// The (thread, branch) steps from the initial state to state `i`.
    pub fn path(&self, mut i: u32) -> Vec<(u32, u32)> {
        let mut path = Vec::new();
        while i < self.log.len() {
            let p = self.log.get(i);
            if p.state == u32::MAX {
                break;
            }
            path.push((p.thread, p.branch));
            i = p.state;
        }
        path.reverse();
        path
    }

    /// State `i`, rebuilt by replaying its path.
    pub fn state(&self, exec: &Exec, i: u32) -> Vec<Value> {
        let mut state = self.init.clone();
        for (t, branch) in self.path(i) {
            match exec.replay(&state, t as usize, branch) {
                Some((tr, _)) => state = tr.state,
                None => break,
            }
        }
        state
    }
}

/// The explored state graph: every state and every edge, including failed
/// steps, with the violations observed on each.
pub struct StateGraph {
    /// States in the order found (breadth-first); state 0 is the initial one.
    pub states: Vec<Box<[Value]>>,
    pub edges: Edges,
}

/// One layer of the search: states with consecutive ids, each as
/// [`pack_state`] writes it.
struct Layer {
    first: u32,
    /// Where each state starts in `bytes` (one more entry than states).
    starts: Vec<usize>,
    bytes: Vec<u8>,
}

impl Layer {
    fn empty() -> Layer {
        Layer {
            first: 0,
            starts: vec![0],
            bytes: Vec::new(),
        }
    }

    fn len(&self) -> usize {
        self.starts.len() - 1
    }

    /// Empty it, keeping its buffers' room.
    fn clear(&mut self) {
        self.starts.clear();
        self.starts.push(0);
        self.bytes.clear();
    }

    /// Make it `states` states of `bytes` bytes in all, to be written
    /// over side by side: what its buffers held is left there, not zeroed
    /// (zeroing took longer than writing them side by side: 17 against
    /// 14 ms for the locked counter N=10), except where they must grow,
    /// which then moves nothing.
    fn make_room(&mut self, states: usize, bytes: usize) {
        fn fit<T: Copy + Default>(v: &mut Vec<T>, n: usize) {
            if v.capacity() < n {
                v.clear();
            }
            v.resize(n, T::default());
        }
        fit(&mut self.bytes, bytes);
        fit(&mut self.starts, states + 1);
        self.starts[0] = 0;
    }

    fn state(&self, k: usize) -> &[u8] {
        &self.bytes[self.starts[k]..self.starts[k + 1]]
    }
}

/// A successor not in the visited set when its block was expanded.
struct Candidate {
    fp: u64,
    parent: u32,
    thread: u32,
    branch: u32,
    /// Where its packed state starts in the block's `bytes`.
    start: usize,
    state_len: u32,
    /// The length of its packed key, right after the state; 0 when the key
    /// is the state (a separate key is kept only by the exact set under
    /// symmetry).
    key_len: u32,
}

impl Candidate {
    fn state<'b>(&self, bytes: &'b [u8]) -> &'b [u8] {
        &bytes[self.start..self.start + self.state_len as usize]
    }

    /// The packed key: the state's packed values (past its fingerprint)
    /// or the key that follows them.
    fn key<'b>(&self, bytes: &'b [u8]) -> &'b [u8] {
        match self.key_len {
            0 => self.state(bytes).get(FP_BYTES..).unwrap_or_default(),
            n => {
                let at = self.start + self.state_len as usize;
                &bytes[at..at + n as usize]
            }
        }
    }
}

/// A candidate as phase 2 meets it in its part of the fingerprint set:
/// what it needs of the candidate is next to its index, not looked up in
/// the block (a cache miss a candidate: half of settling claims).
#[derive(Clone, Copy)]
struct Entry {
    fp: u64,
    i: u32,
    state_len: u32,
}

/// Where an edge leads, before phase 2 knows every id.
#[derive(Clone, Copy)]
enum Target {
    Id(u32),
    Candidate(usize),
    Nowhere,
}

/// An expanded state's part of the state graph, for the liveness checks.
struct Opened {
    enabled: u64,
    finished: u64,
    marks: u16,
    edges: std::ops::Range<usize>,
}

/// What expanding one block produced.
#[derive(Default)]
struct Block {
    candidates: Vec<Candidate>,
    bytes: Vec<u8>,
    opened: Vec<Opened>,
    edges: Vec<(Target, Edge)>,
    transitions: u64,
    /// Some state at the depth limit still had steps.
    depth_limited: bool,
    findings: Vec<Finding0>,
    /// The candidates' indices by the part of the fingerprint set they
    /// belong to (see [`insert_in_parts`] and [`settle_claims`]); empty
    /// when phase 2 runs on one thread.
    parts: Vec<Vec<Entry>>,
    /// Whether each candidate is new, as decided by [`insert_in_parts`]
    /// or [`settle_claims`]. Each is set by the one thread that owns its
    /// part of the fingerprint set.
    new: Vec<AtomicBool>,
    /// What claiming each candidate found ([`Set::Claim`]).
    claims: Vec<Claimed>,
    /// Some candidate was deferred.
    deferred: bool,
    /// How many candidates were contested.
    contested: usize,
    /// How many candidates were won, and their bytes.
    won_states: usize,
    won_bytes: usize,
    /// Every won candidate is new and no other one: no state of the layer
    /// was contested ([`settle_claims`]), so `new` is not filled.
    won_is_new: bool,
    /// How many candidates are new, and their bytes, once phase 2 decided
    /// (see [`number_side_by_side`]).
    new_states: usize,
    new_bytes: usize,
    /// The candidates were inserted in phase 1 ([`Set::Insert`]): all are
    /// new, their ids consecutive from the first.
    inserted: bool,
    /// Phase 1 met a new state with `--max-states` states stored: the
    /// search stops after this block.
    full: bool,
}

impl Block {
    /// Whether candidate `i` is new, once phase 2 decided it for every
    /// candidate (by settling claims, or by inserting in parts).
    fn decided_new(&self, i: usize) -> bool {
        match self.won_is_new {
            true => self.claims[i] == Claimed::Won,
            false => self.new[i].load(Ordering::Relaxed),
        }
    }

    /// Add a successor to the next layer's candidates: `from` is its
    /// parent's id, the thread and the branch; its state is packed, and
    /// with `key` (its canonical form, for the exact set under symmetry)
    /// the packed key follows it. Returns its index.
    ///
    /// The one place a successor is packed: only the new ones get here.
    fn push_candidate(
        &mut self,
        fp: u64,
        (parent, thread, branch): (u32, u32, u32),
        state: &[Value],
        like: Like,
        key: Option<&[Value]>,
    ) -> usize {
        let start = self.bytes.len();
        self.bytes.extend_from_slice(&fp.to_le_bytes());
        store::pack_from(like.0, state, like.1, &mut self.bytes);
        let state_end = self.bytes.len();
        if let Some(key) = key {
            store::pack(key, &mut self.bytes);
        }
        self.candidates.push(Candidate {
            fp,
            parent,
            thread,
            branch,
            start,
            state_len: (state_end - start) as u32,
            key_len: (self.bytes.len() - state_end) as u32,
        });
        self.candidates.len() - 1
    }

    /// Record what claiming candidate `c` (the last one) found.
    fn claim(&mut self, kind: Claimed, c: usize) {
        self.claims.push(kind);
        self.count(kind, c);
    }

    /// Count candidate `c` as claimed with `kind`.
    fn count(&mut self, kind: Claimed, c: usize) {
        match kind {
            Claimed::Won => {
                self.won_states += 1;
                self.won_bytes += self.candidates[c].state_len as usize;
            }
            Claimed::Contested => self.contested += 1,
            Claimed::Deferred => self.deferred = true,
            Claimed::Lost => {}
        }
    }

    /// Empty it, keeping its buffers' room for the next block: fresh
    /// buffers for every block cost reallocations and page faults.
    fn recycle(&mut self) {
        self.candidates.clear();
        self.bytes.clear();
        self.opened.clear();
        self.edges.clear();
        self.transitions = 0;
        self.depth_limited = false;
        self.findings.clear();
        for part in &mut self.parts {
            part.clear();
        }
        self.new.clear();
        self.claims.clear();
        self.deferred = false;
        self.contested = 0;
        self.won_states = 0;
        self.won_bytes = 0;
        self.won_is_new = false;
        self.new_states = 0;
        self.new_bytes = 0;
        self.inserted = false;
        self.full = false;
    }
}

/// What every worker shares during phase 1.
struct Shared<'a, 'e, 'p> {
    exec: &'e Exec<'p>,
    graph: &'a Graph,
    symmetry: Option<&'a Symmetry>,
    exact: bool,
    reduction: Option<&'a Reduction>,
    record: bool,
    at_depth_limit: bool,
    /// Into how many parts phase 2 may split the fingerprint set (1: it
    /// will not).
    parts: usize,
    /// Blocks of the last layer, emptied, to take the buffers of.
    spent: &'a Mutex<Vec<Block>>,
}

/// One worker's buffers, kept from layer to layer.
struct Worker<'e, 'p> {
    detector: Detector<'e, 'p>,
    steps: Vec<ThreadStep>,
    state: Vec<Value>,
    key: Vec<Value>,
    scratch: symmetry::Scratch,
    /// Fingerprints of this block's candidates so far, with their index.
    met: Met,
    /// The fingerprints of the state's successors.
    fps: Vec<u64>,
    /// How many fingerprints this worker claimed in each shard this layer
    /// ([`Set::Claim`]).
    claimed: Vec<usize>,
}

impl<'e, 'p> Worker<'e, 'p> {
    fn new(exec: &'e Exec<'p>, options: &Options) -> Self {
        Worker {
            detector: Detector::new(exec, options),
            steps: (0..exec.program.threads.len())
                .map(|_| ThreadStep::default())
                .collect(),
            state: vec![0; exec.layout.len],
            key: vec![0; exec.layout.len],
            scratch: symmetry::Scratch::default(),
            met: Met::default(),
            fps: Vec::new(),
            claimed: vec![0; SHARDS],
        }
    }

    /// Phase 1 for states `range` of `layer`.
    fn expand(
        &mut self,
        sh: &Shared,
        set: &mut Set,
        layer: &Layer,
        range: std::ops::Range<usize>,
    ) -> Block {
        let exec = sh.exec;
        let spent = sh.spent.lock().ok().and_then(|mut spent| spent.pop());
        let mut out = spent.unwrap_or_default();
        self.met.clear();
        for k in range {
            let id = layer.first + k as u32;
            // Its successors' fingerprints follow from its own
            // ([`successor`]), kept with it, without symmetry.
            let fp = unpack_state(layer.state(k), &mut self.state);
            let parent_bytes = layer.state(k).get(FP_BYTES..).unwrap_or_default();
            let state = &self.state[..];
            let det = &mut self.detector;
            det.at(id);
            det.check_state(sh.graph, id, state);
            // An ample set: one thread whose step stands for all of them
            // (docs/reductions.md); then no other thread's step is needed.
            let mut ample = None;
            if let Some(red) = sh.reduction {
                for p in red.candidates(state) {
                    exec.step(state, p, &mut self.steps[p]);
                    let mut look = Lookup {
                        parent: (state, fp, self.steps[p].changed.as_ref()),
                        key: &mut self.key,
                        scratch: &mut self.scratch,
                    };
                    if Reduction::fits(&self.steps[p])
                        && proviso(sh, set, &self.steps[p], &mut look)
                    {
                        ample = Some(p);
                        break;
                    }
                }
            }
            let state = &self.state[..];
            let det = &mut self.detector;
            let mut enabled = 0;
            let threads = match ample {
                Some(p) => {
                    enabled = self.steps[p].transitions.len();
                    p..p + 1
                }
                None => {
                    for (t, step) in self.steps.iter_mut().enumerate() {
                        exec.step(state, t, step);
                        enabled += step.transitions.len();
                    }
                    det.check_steps(sh.graph, id, state, &self.steps);
                    0..self.steps.len()
                }
            };
            let marks = det.take_marks();
            let first_edge = out.edges.len();
            if sh.at_depth_limit && enabled > 0 {
                out.depth_limited = true;
                if sh.record {
                    out.opened
                        .push(opened(exec, state, &self.steps, marks, first_edge));
                }
                continue;
            }
            // Every successor's fingerprint first, each starting to load
            // the first slot it will be looked for in: the loads of a
            // state's successors overlap instead of waiting one by one
            // (10% of the philosophers' search time). Under symmetry a
            // fingerprint comes with a canonical key, one at a time.
            self.fps.clear();
            if sh.symmetry.is_none() && !sh.exact {
                let mut touched = 0;
                for t in threads.clone() {
                    for tr in &self.steps[t].transitions {
                        let mut look = Lookup {
                            parent: (state, fp, self.steps[t].changed.as_ref()),
                            key: &mut self.key,
                            scratch: &mut self.scratch,
                        };
                        let fp = successor(sh, &tr.state, &mut look);
                        self.fps.push(fp);
                        touched ^= set.touch(fp);
                    }
                }
                std::hint::black_box(touched);
            }
            let mut fps = self.fps.iter();
            for t in threads {
                for tr in &self.steps[t].transitions {
                    out.transitions += 1;
                    let known = fps.next().copied();
                    let ends = det.check_transition(sh.graph, id, t as u32, tr);
                    let kinds = det.take_marks();
                    let edge = Edge {
                        to: NO_STATE,
                        thread: t as u32,
                        branch: tr.branch,
                        progress: tr.progress,
                        kinds,
                    };
                    if ends {
                        if sh.record {
                            out.edges.push((Target::Nowhere, edge));
                        }
                        continue;
                    }
                    let mut look = Lookup {
                        parent: (state, fp, self.steps[t].changed.as_ref()),
                        key: &mut self.key,
                        scratch: &mut self.scratch,
                    };
                    let fp = match known {
                        Some(fp) => fp,
                        None => successor(sh, &tr.state, &mut look),
                    };
                    let key = match sh.symmetry {
                        Some(_) => &self.key[..],
                        None => &tr.state[..],
                    };
                    let found = match set {
                        Set::Claim(claimer) => {
                            let from = (id, t as u32, tr.branch);
                            let Some(kind) = claimer.claim(fp, &mut self.claimed) else {
                                continue;
                            };
                            // The first copy in the block stands for all
                            // (and claimed it first, if any did).
                            if self.met.get_or_insert(fp, out.candidates.len()).is_none() {
                                let c = out.push_candidate(
                                    fp,
                                    from,
                                    &tr.state,
                                    (parent_bytes, self.steps[t].within()),
                                    None,
                                );
                                out.claim(kind, c);
                            }
                            // No edges are recorded with claims.
                            continue;
                        }
                        Set::Look(visited) => visited.find(fp, key),
                        Set::Insert(ins) => match ins.insert(fp, key) {
                            Reached::Old(old) => Found::Old(old),
                            Reached::New(new) => {
                                // Stored already: phase 2 only logs it (and
                                // no other copy can be a candidate).
                                out.inserted = true;
                                let from = (id, t as u32, tr.branch);
                                out.push_candidate(
                                    fp,
                                    from,
                                    &tr.state,
                                    (parent_bytes, self.steps[t].within()),
                                    None,
                                );
                                Found::Old(Some(new))
                            }
                            Reached::Full => {
                                // Phase 2 would stop here: nothing more is
                                // stored (and no edge is kept, see `meet`).
                                out.full = true;
                                continue;
                            }
                        },
                    };
                    let target = match found {
                        Found::Old(old) => Target::Id(old.unwrap_or(NO_STATE)),
                        Found::New => match self.met.get_or_insert(fp, out.candidates.len()) {
                            // Met already in this block: phase 2 would find
                            // it stored; keep only the first (which phase 2
                            // keeps).
                            Some(first) => Target::Candidate(first),
                            None => {
                                // The exact set also needs the key when it
                                // is not the state.
                                let from = (id, t as u32, tr.branch);
                                let key = (sh.exact && sh.symmetry.is_some()).then_some(key);
                                Target::Candidate(out.push_candidate(
                                    fp,
                                    from,
                                    &tr.state,
                                    (parent_bytes, self.steps[t].within()),
                                    key,
                                ))
                            }
                        },
                    };
                    if sh.record {
                        out.edges.push((target, edge));
                    }
                }
            }
            if sh.record {
                out.opened
                    .push(opened(exec, state, &self.steps, marks, first_edge));
            }
        }
        fix_edge_ranges(&mut out);
        out.findings = self.detector.take_findings();
        if sh.parts > 1 {
            out.parts.resize_with(sh.parts, Vec::new);
            for (i, c) in out.candidates.iter().enumerate() {
                out.parts[part_of(c.fp, sh.parts)].push(Entry {
                    fp: c.fp,
                    i: i as u32,
                    state_len: c.state_len,
                });
            }
            let n = out.candidates.len();
            out.new.extend((0..n).map(|_| AtomicBool::new(false)));
        }
        out
    }
}

/// The fingerprints of a block's candidates, with their index: open
/// addressing on the fingerprint's low bits (a hash already), at most half
/// full, emptied for each block and kept at the size of the largest.
#[derive(Default)]
struct Met {
    /// A fingerprint and its candidate's index plus one (0: empty slot).
    slots: Vec<(u64, u32)>,
    len: usize,
}

impl Met {
    fn clear(&mut self) {
        if self.len > 0 {
            self.slots.fill((0, 0));
            self.len = 0;
        }
    }

    /// The index given with `fp` before, or `None` after giving it `index`.
    fn get_or_insert(&mut self, fp: u64, index: usize) -> Option<usize> {
        if (self.len + 1) * 2 > self.slots.len() {
            let cap = (self.slots.len() * 2).max(1024);
            let old = std::mem::replace(&mut self.slots, vec![(0, 0); cap]);
            self.len = 0;
            for (fp, plus) in old {
                if plus != 0 {
                    self.get_or_insert(fp, plus as usize - 1);
                }
            }
        }
        let mask = self.slots.len() - 1;
        let mut i = fp as usize & mask;
        loop {
            match self.slots[i] {
                (_, 0) => break,
                (k, plus) if k == fp => return Some(plus as usize - 1),
                _ => i = (i + 1) & mask,
            }
        }
        self.slots[i] = (fp, index as u32 + 1);
        self.len += 1;
        None
    }
}

/// Bytes of the fingerprint in front of each state of a block or layer.
const FP_BYTES: usize = 8;

/// Append a state to a block's or layer's bytes: the fingerprint the
/// visited set knows it by (its key's), then its values packed
/// ([`store::pack`]). Without symmetry that is the state's own
/// fingerprint, from which its successors' follow when it is expanded
/// ([`store::fingerprint_from`]), without a pass over all its values;
/// 8 bytes more a state in the frontier, none in the visited set.
fn pack_state(fp: u64, state: &[Value], out: &mut Vec<u8>) {
    out.extend_from_slice(&fp.to_le_bytes());
    store::pack(state, out);
}

/// A candidate's parent as packed (without its fingerprint) and where the
/// two may differ: [`store::pack_from`] packs the candidate from them.
type Like<'a> = (&'a [u8], Option<&'a [std::ops::Range<usize>]>);

/// Read a state written by [`pack_state`] into `out`; its fingerprint.
fn unpack_state(bytes: &[u8], out: &mut [Value]) -> u64 {
    match bytes.split_first_chunk::<FP_BYTES>() {
        Some((fp, packed)) => {
            store::unpack(packed, out);
            u64::from_le_bytes(*fp)
        }
        None => 0,
    }
}

/// What [`successor`] needs besides the successor: its parent, and a
/// worker's buffers.
struct Lookup<'w> {
    /// The state expanded, its fingerprint (unused under symmetry), and
    /// where the step's successors may differ from it
    /// ([`ThreadStep::changed`]).
    parent: (&'w [Value], u64, Option<&'w [std::ops::Range<usize>; 3]>),
    /// The canonical form of the successor under symmetry.
    key: &'w mut [Value],
    scratch: &'w mut symmetry::Scratch,
}

/// The fingerprint of a successor's key: under symmetry, of its canonical
/// form (left in `look.key`), from scratch, since a permutation may move
/// every value; else of the state itself, from its parent's and the
/// values the step changed ([`store::fingerprint_from`]). Either way a
/// pure function of the key, as the visited set, the block's `Met` and
/// the choice of shard need. Nothing is packed: that waits until the
/// successor turns out new ([`Block::push_candidate`]).
#[inline]
fn successor(sh: &Shared, state: &[Value], look: &mut Lookup) -> u64 {
    if let Some(sym) = sh.symmetry {
        look.key.copy_from_slice(state);
        sym.canonicalize(look.key, look.scratch);
        store::fingerprint(look.key)
    } else {
        let (parent, fp, within) = look.parent;
        store::fingerprint_from(parent, fp, state, within.map(|w| &w[..]))
    }
}

/// How phase 1 meets the visited set.
enum Set<'a> {
    /// Look up only: the set stays as it was at the layer's start, so
    /// that several workers can share it; phase 2 inserts.
    Look(&'a Visited),
    /// Insert at once (one worker, see [`meet`]).
    Insert(Inserter<'a>),
    /// Claim side by side (several workers, see [`Claimer`]).
    Claim(Claimer<'a>),
}

/// What claiming a candidate in phase 1 found (and, for the deferred
/// ones, claiming it after the layer).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Claimed {
    /// This block stored its fingerprint: new to the layer (but the state
    /// may go to an earlier block that met it too).
    Won,
    /// Stored by this layer, as its mark says: another block met it first
    /// in time, maybe later in order. (Or, rarely, stored 63 layers ago
    /// with the same mark: then no block won it this layer.)
    Contested,
    /// The worker's share of the shard was used up: claimed after the
    /// layer, in block order.
    Deferred,
    /// Stored before this layer, as the deferred claim found.
    Lost,
}

/// The visited set of a search with several workers that store what they
/// find at once ([`meet`]): each successor's fingerprint is
/// claimed in one probe sequence, the one atomic operation a state that
/// [`Set::Look`] and phase 2's insert made two. Which worker claims a
/// state first depends on timing; which block keeps it must not (ids and
/// schedules would): [`settle_claims`] gives each new state to the first
/// block, in order, that met it, as one worker would.
#[derive(Clone, Copy)]
struct Claimer<'a> {
    visited: &'a Visited,
    table: &'a FpTable,
    /// How many fingerprints each worker may claim in each shard this
    /// layer: its part of the shard's room.
    share: &'a [usize],
}

impl Claimer<'_> {
    /// Claim `fp`: `None` if it was stored before this layer.
    fn claim(&self, fp: u64, claimed: &mut [usize]) -> Option<Claimed> {
        let s = FpTable::shard_of(fp);
        let room = claimed[s] < self.share[s];
        match self.table.shards()[s].claim(fp, self.table.mark(), room) {
            Claim::Won => {
                claimed[s] += 1;
                Some(Claimed::Won)
            }
            Claim::Absent => Some(Claimed::Deferred),
            Claim::Stored { this_layer: true } => Some(Claimed::Contested),
            Claim::Stored { this_layer: false } => None,
        }
    }
}

/// What inserting a successor in phase 1 found.
enum Reached {
    /// Stored before, with its id when the set keeps ids.
    Old(Option<u32>),
    /// Stored now, with this id.
    New(u32),
    /// New, but `--max-states` states are stored.
    Full,
}

/// The visited set of a search with one worker, which phase 1 inserts
/// into: the successors of a layer meet the set in the order phase 2 would
/// insert them (blocks in order, successors in the order made), so every
/// state is found new at the same successor and gets the same id; only
/// the per-block `met` map, the lookup and phase 2's insert (three hash
/// table operations a new state) become one insert.
struct Inserter<'a> {
    visited: &'a mut Visited,
    /// The first id of the layer's new states: the proviso asks about the
    /// set as it was before them.
    first: u32,
    max_states: Option<u64>,
    /// A new state was met with `max_states` stored.
    full: bool,
}

impl Inserter<'_> {
    fn insert(&mut self, fp: u64, key: &[Value]) -> Reached {
        let len = self.visited.len();
        if self.full || self.max_states.is_some_and(|m| len as u64 >= m) {
            // As phase 2: at the limit, stored states are still found;
            // after the first new one, nothing is (the search stops).
            return match self.full {
                false => match self.visited.find(fp, key) {
                    Found::Old(old) => Reached::Old(old),
                    Found::New => {
                        self.full = true;
                        Reached::Full
                    }
                },
                true => Reached::Full,
            };
        }
        match self.visited.insert(fp, key) {
            Found::Old(old) => Reached::Old(old),
            Found::New => Reached::New(len as u32),
        }
    }
}

/// How phase 1 meets the visited set: which [`Set`].
#[derive(Clone, Copy, PartialEq, Eq)]
enum Meet {
    Look,
    Insert,
    Claim,
}

/// One worker inserts ([`Set::Insert`]), unless the partial-order
/// reduction's proviso needs to tell the states of the layer from older
/// ones and the set keeps no ids to tell them by, or `--max-states` may cut
/// a layer whose edges are recorded (after the cut phase 2 keeps an edge to
/// a state of the layer only if the block met it before the cut, which
/// phase 1 cannot tell). Several workers claim ([`Set::Claim`]) in the
/// fingerprint set without ids, unless the proviso needs to tell the
/// layer's states from older ones (which the marks tell only up to 63
/// layers) or `--max-states` may cut the layer (at an exact count, one
/// candidate at a time). Otherwise they look up ([`Set::Look`]).
fn meet(jobs: usize, reduction: bool, exact: bool, record: bool, options: &Options) -> Meet {
    let cut = options.max_states.is_some();
    if jobs == 1 && (!reduction || exact) && !(record && cut) {
        Meet::Insert
    } else if jobs > 1 && !reduction && !exact && !record && !cut {
        Meet::Claim
    } else {
        Meet::Look
    }
}

impl<'a> Set<'a> {
    /// The set as a helper worker meets it: the same, but none when phase
    /// 1 inserts (with one worker only).
    fn for_helper(&self) -> Option<Set<'a>> {
        match self {
            Set::Look(visited) => Some(Set::Look(visited)),
            Set::Claim(claimer) => Some(Set::Claim(*claimer)),
            Set::Insert(_) => None,
        }
    }

    /// Whether a key was stored before this layer, what the proviso asks.
    fn stored_before(&self, fp: u64, key: &[Value]) -> bool {
        match self {
            Set::Look(visited) => visited.find(fp, key) != Found::New,
            // Without the reduction (see `meet`).
            Set::Claim(claimer) => claimer.visited.find(fp, key) != Found::New,
            Set::Insert(ins) => match ins.visited.find(fp, key) {
                Found::Old(Some(id)) => id < ins.first,
                // Without ids (which `meet` rules out): stored.
                Found::Old(None) => true,
                Found::New => false,
            },
        }
    }

    /// Start loading the first slot `fp` is looked for in: its value,
    /// which nothing needs (see `expand`).
    fn touch(&self, fp: u64) -> u64 {
        match self.visited() {
            Visited::Fingerprints(table) => table.touch(fp),
            Visited::Exact(_) => 0,
        }
    }

    fn visited(&self) -> &Visited {
        match self {
            Set::Look(visited) => visited,
            Set::Claim(claimer) => claimer.visited,
            Set::Insert(ins) => ins.visited,
        }
    }

    fn full(&self) -> bool {
        matches!(self, Set::Insert(ins) if ins.full)
    }
}

/// The cycle proviso for a breadth-first search: a thread's step may be
/// taken alone only if none of its successors is in the visited set yet.
/// On a cycle of the reduced graph, the state expanded last has its
/// successor on the cycle stored already, so it is expanded fully: no step
/// is postponed around a cycle forever.
fn proviso(sh: &Shared, set: &Set, step: &ThreadStep, look: &mut Lookup) -> bool {
    step.transitions.iter().all(|tr| {
        let fp = successor(sh, &tr.state, look);
        let key = match sh.symmetry {
            Some(_) => &look.key[..],
            None => &tr.state[..],
        };
        !set.stored_before(fp, key)
    })
}

/// The liveness bookkeeping of one expanded state (its edges follow).
fn opened(exec: &Exec, state: &[Value], steps: &[ThreadStep], marks: u16, first: usize) -> Opened {
    let mut enabled = 0u64;
    let mut finished = 0u64;
    for (t, step) in steps.iter().enumerate() {
        enabled |= exec.enabled_agents(t, step);
        if exec.finished(state, t) {
            finished |= 1 << t;
        }
    }
    Opened {
        enabled,
        finished,
        marks,
        edges: first..first,
    }
}

/// Each opened state's edges run up to the next one's first edge.
fn fix_edge_ranges(out: &mut Block) {
    let n = out.edges.len();
    for i in 0..out.opened.len() {
        let end = out.opened.get(i + 1).map_or(n, |o| o.edges.start);
        out.opened[i].edges.end = end;
    }
}

/// Into how many parts (runs of consecutive shards) phase 2 cuts the
/// fingerprint set for `jobs` workers: about four a worker, taken in turn,
/// so that a worker that starts late, or that the host holds up, leaves
/// its share to the others.
fn parts(jobs: usize) -> usize {
    SHARDS.div_ceil(SHARDS.div_ceil(jobs.max(1) * 4))
}

/// The part of the fingerprint set (out of `parts`) a fingerprint is in.
fn part_of(fp: u64, parts: usize) -> usize {
    FpTable::shard_of(fp) / SHARDS.div_ceil(parts)
}

/// Fewest candidates in a layer for phase 2 to insert them side by side:
/// below that, starting the threads costs more than it saves.
const PARALLEL_INSERTS: usize = 4096;

/// The helper threads of a search, started once and kept for all its
/// layers: starting threads for each layer (twice, with the parallel
/// inserts) cost from 50 microseconds to over a millisecond a start on a
/// loaded machine, and a search has tens of layers.
struct Crew {
    /// `jobs - 1` threads; none with one job (or if the system refuses
    /// threads: the search then runs on one, with the same result).
    pool: Option<rayon::ThreadPool>,
}

impl Crew {
    fn new(jobs: usize) -> Crew {
        let pool = (jobs > 1)
            .then(|| {
                rayon::ThreadPoolBuilder::new()
                    .num_threads(jobs - 1)
                    .build()
                    .ok()
            })
            .flatten();
        Crew { pool }
    }

    /// Run `main` on this thread while each of `helpers` runs on a thread
    /// of the crew; `main`'s result and the helpers' in order. Without a
    /// crew the helpers run after `main`, one by one.
    fn together<R, T: Send>(
        &self,
        helpers: Vec<impl FnOnce() -> T + Send>,
        main: impl FnOnce() -> R,
    ) -> (R, Vec<T>) {
        let Some(pool) = self.pool.as_ref().filter(|_| !helpers.is_empty()) else {
            let r = main();
            return (r, helpers.into_iter().map(|h| h()).collect());
        };
        let slots: Vec<Mutex<Option<T>>> = helpers.iter().map(|_| Mutex::new(None)).collect();
        let r = pool.in_place_scope(|s| {
            for (h, slot) in helpers.into_iter().zip(&slots) {
                s.spawn(move |_| {
                    let out = h();
                    if let Ok(mut slot) = slot.lock() {
                        *slot = Some(out);
                    }
                });
            }
            main()
        });
        // A helper that panicked has made the scope panic already.
        let outs = slots
            .into_iter()
            .filter_map(|m| m.into_inner().ok().flatten())
            .collect();
        (r, outs)
    }
}

/// Phase 2's membership decisions, a part of the fingerprint set at a time
/// on each of `jobs` threads: a thread goes through the blocks in order and
/// inserts the candidates of its part, marking the new ones. All copies of a
/// fingerprint are in one part, met there in the order one thread going
/// through every candidate would meet them, so the first copy, and only
/// it, is new, whatever the number of threads. The ids are given after, in
/// block order, which is why the set must not keep ids here.
fn insert_in_parts(
    table: &mut FpTable,
    blocks: &mut [Block],
    parts: usize,
    crew: &Crew,
    jobs: usize,
) {
    let width = SHARDS.div_ceil(parts);
    let mark = table.mark();
    let mut chunks: Vec<(&mut [FpShard], Tally)> = table
        .shards_mut()
        .chunks_mut(width)
        .map(|shards| (shards, vec![(0, 0); blocks.len()]))
        .collect();
    let shared = &*blocks;
    share_out(&mut chunks, crew, jobs, |p, (shards, tally)| {
        insert_part(shards, p * width, shared, p, mark, tally);
    });
    let tallies: Vec<Tally> = chunks.into_iter().map(|(_, tally)| tally).collect();
    table.added(count_new(blocks, &tallies));
}

/// What one part of the fingerprint set holds of each block's new
/// states: how many, and their bytes.
type Tally = Vec<(usize, usize)>;

/// Each block's count of new states and their bytes, from every part's
/// tally; the count of all.
fn count_new(blocks: &mut [Block], tallies: &[Tally]) -> usize {
    let mut all = 0;
    for (b, block) in blocks.iter_mut().enumerate() {
        block.new_states = tallies.iter().map(|t| t[b].0).sum();
        block.new_bytes = tallies.iter().map(|t| t[b].1).sum();
        all += block.new_states;
    }
    all
}

/// Decide which claimed candidates of a layer are new, as one worker
/// inserting them in block order would: a new state goes to the first
/// block, in order, that met it (each block keeps only its first copy).
/// The deferred candidates are claimed first, in block order. Then each
/// part of the fingerprint set is decided on its own thread, going
/// through the blocks in order: a won state that no block contested is
/// new where it was won; a contested one goes to the first of its blocks,
/// the one that won it or an earlier contesting one. A contested state
/// that no block won this layer was stored 63 layers before (same mark):
/// old. All copies of a fingerprint are in one part, so the threads do
/// not depend on each other; the states contested are few next to the
/// candidates, so a small map of them is all a thread builds. When no
/// state at all was contested, every won one is new and nothing else is:
/// no thread needs to go through them. Each block's count of new states
/// comes out of it, for the numbering.
fn settle_claims(
    table: &mut FpTable,
    blocks: &mut [Block],
    parts: usize,
    crew: &Crew,
    jobs: usize,
) {
    for block in blocks.iter_mut().filter(|b| b.deferred) {
        for c in 0..block.candidates.len() {
            if block.claims[c] == Claimed::Deferred {
                let claim = match table.insert_marked(block.candidates[c].fp) {
                    Claim::Won => Claimed::Won,
                    Claim::Stored { this_layer: true } => Claimed::Contested,
                    Claim::Stored { this_layer: false } | Claim::Absent => Claimed::Lost,
                };
                block.claims[c] = claim;
                block.count(claim, c);
            }
        }
    }
    let all_contested: usize = blocks.iter().map(|b| b.contested).sum();
    if all_contested == 0 {
        // No state was met twice: each won one is new where it was won.
        for block in blocks.iter_mut() {
            block.won_is_new = true;
            block.new_states = block.won_states;
            block.new_bytes = block.won_bytes;
        }
        return;
    }
    // A few thousand candidates take less than waking the crew.
    let candidates: usize = blocks.iter().map(|b| b.candidates.len()).sum();
    let jobs = if candidates < 16_384 { 1 } else { jobs };
    let mut each: Vec<(usize, Tally)> = (0..parts)
        .map(|p| (p, vec![(0, 0); blocks.len()]))
        .collect();
    let shared = &*blocks;
    share_out(&mut each, crew, jobs, |_, (part, tally)| {
        settle_part(shared, *part, all_contested.div_ceil(parts), tally);
    });
    let tallies: Vec<Tally> = each.into_iter().map(|(_, tally)| tally).collect();
    count_new(blocks, &tallies);
}

/// One part of [`settle_claims`], with about `contested` of the layer's
/// contested fingerprints: decide which of its candidates are new, and
/// tally them for each block.
fn settle_part(blocks: &[Block], part: usize, contested: usize, tally: &mut Tally) {
    // The part's candidates of a block claimed as `kind`.
    fn candidates(block: &Block, part: usize, kind: Claimed) -> impl Iterator<Item = &Entry> {
        block.parts[part]
            .iter()
            .filter(move |e| block.claims[e.i as usize] == kind)
    }
    let mut decide = |b: usize, block: &Block, e: &Entry, new: bool| {
        // The scope's end publishes the decisions to the numbering.
        block.new[e.i as usize].store(new, Ordering::Relaxed);
        if new {
            tally[b].0 += 1;
            tally[b].1 += e.state_len as usize;
        }
    };
    // Each contested fingerprint of the part: the first block that
    // contested it, and the block that won it (none yet). Room for this
    // part's share of them (an estimate: growing the map would cost more
    // than the room).
    let mut firsts: FxHashMap<u64, (usize, usize)> = FxHashMap::default();
    firsts.reserve(contested * 5 / 4);
    for (b, block) in blocks.iter().enumerate().filter(|(_, b)| b.contested > 0) {
        for e in candidates(block, part, Claimed::Contested) {
            firsts.entry(e.fp).or_insert((b, usize::MAX));
        }
    }
    for (b, block) in blocks.iter().enumerate() {
        for e in candidates(block, part, Claimed::Won) {
            let new = match firsts.get_mut(&e.fp) {
                None => true,
                Some((first, won)) => {
                    *won = b;
                    b < *first
                }
            };
            decide(b, block, e, new);
        }
    }
    if firsts.is_empty() {
        return;
    }
    for (b, block) in blocks.iter().enumerate().filter(|(_, b)| b.contested > 0) {
        for e in candidates(block, part, Claimed::Contested) {
            let (first, won) = firsts[&e.fp];
            decide(b, block, e, first == b && won != usize::MAX && b < won);
        }
    }
}

/// Phase 2's numbering once every candidate is decided (claims or
/// inserts in parts, neither with edges nor `--max-states`): the new
/// candidates, in block order, become the next layer and get their log
/// records. Each block's share of both is known from its count of new
/// states and their bytes, so the blocks write theirs side by side.
fn number_side_by_side(
    blocks: &mut [Block],
    next: &mut Layer,
    log: &mut Log,
    crew: &Crew,
    jobs: usize,
) {
    let states: usize = blocks.iter().map(|b| b.new_states).sum();
    let bytes: usize = blocks.iter().map(|b| b.new_bytes).sum();
    next.make_room(states, bytes);
    let mut at = 0;
    let mut bytes = &mut next.bytes[..];
    let mut starts = &mut next.starts[1..];
    let mut records = log.append(states);
    let mut shares = Vec::with_capacity(blocks.len());
    for block in blocks.iter() {
        let (b, rest) = std::mem::take(&mut bytes).split_at_mut(block.new_bytes);
        bytes = rest;
        let (s, rest) = std::mem::take(&mut starts).split_at_mut(block.new_states);
        starts = rest;
        let (r, rest) = std::mem::take(&mut records).split_at_mut(block.new_states * RECORD);
        records = rest;
        shares.push((block, b, s, r, at));
        at += block.new_bytes;
    }
    // A few thousand states take less than waking the crew.
    let jobs = if states < 8192 { 1 } else { jobs };
    share_out(
        &mut shares,
        crew,
        jobs,
        |_, (block, bytes, starts, records, at)| {
            let (mut k, mut end) = (0, 0);
            for (i, c) in block.candidates.iter().enumerate() {
                if !block.decided_new(i) {
                    continue;
                }
                let state = c.state(&block.bytes);
                bytes[end..end + state.len()].copy_from_slice(state);
                end += state.len();
                starts[k] = *at + end;
                let parent = Parent {
                    state: c.parent,
                    thread: c.thread,
                    branch: c.branch,
                };
                Log::write(records, k, parent);
                k += 1;
            }
        },
    );
}

/// Run `f` on each of `items` (with its index), shared out among `jobs`
/// threads in runs of consecutive items taken in turn.
fn share_out<T: Send>(items: &mut [T], crew: &Crew, jobs: usize, f: impl Fn(usize, &mut T) + Sync) {
    let run = items.len().div_ceil(jobs * 4).max(1);
    let runs: Vec<Mutex<&mut [T]>> = items.chunks_mut(run).map(Mutex::new).collect();
    let next = AtomicUsize::new(0);
    let work = || loop {
        let r = next.fetch_add(1, Ordering::Relaxed);
        let Some(items) = runs.get(r) else {
            return;
        };
        // Each run is taken once: its lock is never waited for.
        let mut items = match items.lock() {
            Ok(items) => items,
            Err(poisoned) => poisoned.into_inner(),
        };
        for (i, item) in items.iter_mut().enumerate() {
            f(r * run + i, item);
        }
    };
    let helpers = (1..jobs.min(runs.len())).map(|_| &work).collect();
    crew.together(helpers, work);
}

/// One part of [`insert_in_parts`]: `shards` start at shard `first`;
/// `tally` counts the part's new states of each block.
fn insert_part(
    shards: &mut [FpShard],
    first: usize,
    blocks: &[Block],
    part: usize,
    mark: u64,
    tally: &mut Tally,
) {
    for (block, tally) in blocks.iter().zip(tally) {
        for e in &block.parts[part] {
            // Ids are not kept (see `insert_in_parts`): 0 stands for any.
            if shards[FpTable::shard_of(e.fp) - first].insert(e.fp, 0, mark) == Found::New {
                // The scope's end publishes it to phase 2's next step.
                block.new[e.i as usize].store(true, Ordering::Relaxed);
                tally.0 += 1;
                tally.1 += e.state_len as usize;
            }
        }
    }
}

/// How a layer of `n` states is cut into blocks. Blocks must be big enough
/// to amortize their cost (and the duplicates a block cannot see in the
/// others) and small enough to share out. One worker takes blocks of an
/// eighth of the layer; several take blocks that shrink as the layer runs
/// out, so that they finish it nearly together (a worker the host holds up
/// in a big last block would keep the others waiting). The cut changes no
/// id: phase 2 meets the candidates in the same order whatever it is.
fn block_ranges(n: usize, jobs: usize) -> Vec<std::ops::Range<usize>> {
    const MIN: usize = 64;
    const MAX: usize = 4096;
    let mut ranges = Vec::new();
    let mut at = 0;
    while at < n {
        let size = match jobs {
            1 => (n / 8).clamp(MIN, MAX),
            _ => ((n - at) / (jobs * 3)).clamp(MIN, MAX),
        };
        let end = (at + size).min(n);
        ranges.push(at..end);
        at = end;
    }
    ranges
}

/// Can some thread run a step twice at the same place: does any code jump
/// backwards?
fn may_loop(program: &Program) -> bool {
    program.codes.iter().any(|code| {
        code.instrs
            .iter()
            .enumerate()
            .any(|(pc, instr)| match instr.op {
                weft_ir::Op::Jump(to) | weft_ir::Op::JumpIfNot { target: to, .. } => {
                    to as usize <= pc
                }
                _ => false,
            })
    })
}

/// Search, and when partial-order reduction found violations, find their
/// schedules again without it: the reduced graph's paths can be longer than
/// the shortest schedule (an independent step taken early), and reports
/// promise the shortest. The second search stops at the end of the layer
/// where it has met every violation of the first.
pub fn run(
    program: &Program,
    options: &Options,
    progress: &mut dyn FnMut(&Progress),
) -> (Outcome, Option<StateGraph>) {
    let (mut outcome, found, graph) = run_once(program, options, None, progress);
    let reduced = outcome.stats.reductions.iter().any(|r| r == REDUCTION_ON);
    if !reduced || found.is_empty() {
        return (outcome, graph);
    }
    let targets: FxHashSet<Key> = found.iter().map(|f| f.key.clone()).collect();
    let again = Options {
        reduction: false,
        ..options.clone()
    };
    let (second, refound, _) = run_once(program, &again, Some(&targets), progress);
    if second.limit.is_some() {
        outcome.stats.reductions.push(format!(
            "schedules: from the reduced graph (may be longer than the shortest): finding them again without the reduction stopped at {} states",
            second.stats.states
        ));
        return (outcome, graph);
    }
    let keys: FxHashSet<&Key> = refound.iter().map(|f| &f.key).collect();
    let mut all = refound
        .iter()
        .map(|f| f.finding.clone())
        .collect::<Vec<_>>();
    all.extend(
        found
            .into_iter()
            .filter(|f| !keys.contains(&f.key))
            .map(|f| f.finding),
    );
    outcome.findings = all;
    outcome.stats.reductions.push(format!(
        "schedules: shortest, found again without the reduction ({} states)",
        second.stats.states
    ));
    (outcome, graph)
}

/// The reductions line of a search that used partial-order reduction.
const REDUCTION_ON: &str = "partial-order reduction: on";

/// One search. With `targets`, stop after the layer in which the last of
/// these violations was met.
fn run_once(
    program: &Program,
    options: &Options,
    targets: Option<&FxHashSet<Key>>,
    progress: &mut dyn FnMut(&Progress),
) -> (Outcome, Vec<Finding0>, Option<StateGraph>) {
    let start = Instant::now();
    let exec = Exec::with_settling(program, options.settle);
    // Without a loop every step moves a thread forward, so no schedule is
    // infinite: livelock and starvation cannot happen, and their checks
    // need no state graph (and leave the reductions on).
    let loops = may_loop(program);
    let checks: Vec<crate::Kind> = options
        .checks
        .iter()
        .copied()
        .filter(|k| loops || !matches!(k, crate::Kind::Livelock | crate::Kind::Starvation))
        .collect();
    let liveness =
        checks.contains(&crate::Kind::Livelock) || checks.contains(&crate::Kind::Starvation);
    let record = liveness || options.record_graph;
    let exact = options.exact || options.record_graph;
    let jobs = match options.jobs {
        0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
        n => n,
    };

    let init = exec.initial();
    let mut reductions = vec![if options.settle {
        "settled local work: on (threads rest at their next step)".to_string()
    } else {
        "settled local work: off (--no-settle)".to_string()
    }];
    let weak = program.memory.buffer().is_some();
    let symmetry = if !options.symmetry {
        reductions.push("symmetry: off (--no-symmetry)".to_string());
        None
    } else if weak {
        reductions.push(format!(
            "symmetry: off under --memory-model {}: store buffers name cells, and a permutation would have to rename them",
            program.memory.name()
        ));
        None
    } else if options.record_graph {
        reductions.push("symmetry: off: counting and drawing need every state".to_string());
        None
    } else {
        let sym = Symmetry::new(&exec, &checks);
        let text = match &sym {
            Some(s) => s.describe(),
            None => Symmetry::explain(&exec, &checks),
        };
        reductions.extend(text.lines().map(|l| format!("symmetry: {l}")));
        sym
    };
    let reduction = if !options.reduction {
        reductions.push("partial-order reduction: off (--no-reduction)".to_string());
        None
    } else if weak {
        reductions.push(format!(
            "partial-order reduction: off under --memory-model {}: its footprints do not cover store buffers and flushes",
            program.memory.name()
        ));
        None
    } else if options.max_depth.is_some() {
        // A violation of the first state can be put off to a later one
        // (a race, say), past the limit: the same limit would then give
        // another verdict than without the reduction.
        reductions.push(
            "partial-order reduction: off under --max-depth: the limit counts the steps of every interleaving, and the reduced graph can reach a violation only later"
                .to_string(),
        );
        None
    } else if options.record_graph {
        reductions.push(
            "partial-order reduction: off: counting and drawing need every interleaving"
                .to_string(),
        );
        None
    } else {
        let red = Reduction::new(&exec, &checks);
        if red.is_on() {
            reductions.push(REDUCTION_ON.to_string());
            Some(red)
        } else if liveness {
            reductions.push(
                "partial-order reduction: off: the livelock and starvation checks need every interleaving (--skip livelock,starvation turns it on)"
                    .to_string(),
            );
            None
        } else {
            reductions.push(
                "partial-order reduction: off: the program is too large for its tables".to_string(),
            );
            None
        }
    };
    let mut visited = if exact {
        Visited::Exact(ExactTable::new(exec.layout.len))
    } else {
        Visited::Fingerprints(FpTable::new(record))
    };
    let mut key = init.clone();
    if let Some(sym) = &symmetry {
        sym.canonicalize(&mut key, &mut symmetry::Scratch::default());
    }
    let fp = store::fingerprint(&key);
    visited.insert_new(fp, &key);
    let mut packed = Vec::new();
    pack_state(fp, &init, &mut packed);
    let mut graph = Graph {
        init,
        log: Log::new(!exact),
    };
    graph.log.push(Parent {
        state: u32::MAX,
        thread: 0,
        branch: 0,
    });
    let mut layer = Layer {
        first: 0,
        starts: vec![0, packed.len()],
        bytes: packed,
    };
    let mut spare = Layer::empty();

    let mut workers: Vec<Worker> = (0..jobs).map(|_| Worker::new(&exec, options)).collect();
    let crew = Crew::new(jobs);
    let mut spent: Mutex<Vec<Block>> = Mutex::default();
    let meet = meet(jobs, reduction.is_some(), exact, record, options);
    let (direct, claims) = (meet == Meet::Insert, meet == Meet::Claim);
    // Phase 2 inserts or settles claims in parallel only in a fingerprint
    // set without ids.
    let parts = if jobs > 1 && !exact && !record {
        parts(jobs)
    } else {
        1
    };
    // Each worker's share of each shard's room while claiming.
    let mut share = vec![0; SHARDS];
    let mut stats = Stats {
        fingerprints: !exact,
        reductions,
        ..Stats::default()
    };
    let mut limit = graph.log.flush().err();
    let mut findings: Vec<Finding0> = Vec::new();
    let mut edges = Edges::default();
    let mut depth = 0u32;
    let mut peak_bytes = 0usize;
    let mut last_report = Instant::now();
    let stop = AtomicBool::new(false);
    let mut watch = memory::Watch::new(options.max_memory);
    let mut met: FxHashSet<Key> = FxHashSet::default();
    let mut met_upto = 0;

    while layer.len() > 0 && limit.is_none() {
        stats.depth = depth;
        let sh = Shared {
            exec: &exec,
            graph: &graph,
            symmetry: symmetry.as_ref(),
            exact,
            reduction: reduction.as_ref(),
            record,
            at_depth_limit: options.max_depth.is_some_and(|d| depth >= d),
            parts,
            spent: &spent,
        };
        let layer_first = visited.len() as u32;
        if let Visited::Fingerprints(table) = &mut visited {
            table.set_layer(depth);
            if claims {
                for (s, shard) in table.shards().iter().enumerate() {
                    share[s] = shard.room() / jobs;
                }
                for w in &mut workers {
                    w.claimed.fill(0);
                }
            }
        }
        let mut set = match (direct, &visited) {
            (true, _) => Set::Insert(Inserter {
                visited: &mut visited,
                first: layer_first,
                max_states: options.max_states,
                full: false,
            }),
            (false, Visited::Fingerprints(table)) if claims => Set::Claim(Claimer {
                visited: &visited,
                table,
                share: &share,
            }),
            (false, _) => Set::Look(&visited),
        };
        // What the helpers share (they run only without `direct`).
        let shared = set.for_helper();
        let n = layer.len();
        let ranges = block_ranges(n, jobs);
        let n_blocks = ranges.len();
        let next_block = AtomicUsize::new(0);
        let take = || {
            let b = next_block.fetch_add(1, Ordering::Relaxed);
            (b < n_blocks && !stop.load(Ordering::Relaxed)).then(|| (b, ranges[b].clone()))
        };
        let mut blocks: Vec<Option<Block>> = (0..n_blocks).map(|_| None).collect();
        let (main, helpers) = workers.split_at_mut(1);
        let helpers = if n_blocks > 1 {
            helpers
        } else {
            &mut helpers[..0]
        };
        let done_states = AtomicUsize::new(0);
        // What stopped phase 1 early, if anything did.
        let mut stopped = None;
        let hands: Vec<_> = helpers
            .iter_mut()
            .map(|w| {
                let (sh, take, layer, done) = (&sh, &take, &layer, &done_states);
                let shared = shared.as_ref().and_then(Set::for_helper);
                move || {
                    let mut mine = Vec::new();
                    let Some(mut set) = shared else {
                        return mine;
                    };
                    while let Some((b, range)) = take() {
                        let len = range.len();
                        mine.push((b, w.expand(sh, &mut set, layer, range)));
                        done.fetch_add(len, Ordering::Relaxed);
                    }
                    mine
                }
            })
            .collect();
        let ((), theirs) = crew.together(hands, || {
            while let Some((b, range)) = take() {
                let len = range.len();
                blocks[b] = Some(main[0].expand(&sh, &mut set, &layer, range));
                done_states.fetch_add(len, Ordering::Relaxed);
                if set.full() {
                    // Phase 2 stops at this block: the rest would be dropped.
                    break;
                }
                let now = Instant::now();
                if let Some(t) = options.timeout.filter(|&t| now.duration_since(start) >= t) {
                    stopped = Some(Limit::Timeout(t));
                } else if watch.over(now) {
                    stopped = options.max_memory.map(Limit::Memory);
                }
                if stopped.is_some() {
                    stop.store(true, Ordering::Relaxed);
                }
                if now.duration_since(last_report) >= Duration::from_millis(100) {
                    last_report = now;
                    let done = done_states.load(Ordering::Relaxed);
                    let visited = set.visited();
                    progress(&Progress {
                        states: visited.len() as u64,
                        transitions: stats.transitions,
                        frontier: (n - done) as u64,
                        depth,
                        bytes: (visited.bytes() + layer.bytes.len() + layer.starts.len() * 8)
                            as u64,
                    });
                }
            }
        });
        for (b, block) in theirs.into_iter().flatten() {
            blocks[b] = Some(block);
        }
        if stop.load(Ordering::Relaxed) {
            for block in blocks.into_iter().flatten() {
                findings.extend(block.findings);
            }
            limit = stopped;
            break;
        }

        // Phase 2: ids, log and next layer, in block order.
        // Into the buffers of the layer before (fewer page faults).
        let mut next = std::mem::replace(&mut spare, Layer::empty());
        next.first = layer_first;
        let mut blocks: Vec<Block> = blocks.into_iter().flatten().collect();
        if let (true, Visited::Fingerprints(table)) = (claims, &mut visited) {
            let mut won = 0;
            for (s, shard) in table.shards_mut().iter_mut().enumerate() {
                let n: usize = workers.iter().map(|w| w.claimed[s]).sum();
                shard.claimed(n);
                won += n;
            }
            table.added(won);
            settle_claims(table, &mut blocks, parts, &crew, jobs);
        }
        // With many candidates, decide which are new in parallel first,
        // unless the layer might reach `--max-states` (which stops at an
        // exact count, so one candidate at a time).
        let candidates: usize = blocks.iter().map(|b| b.candidates.len()).sum();
        let may_fill = options
            .max_states
            .is_some_and(|m| (visited.len() + candidates) as u64 > m);
        let in_parts = match &mut visited {
            Visited::Fingerprints(table)
                if !claims && parts > 1 && candidates >= PARALLEL_INSERTS && !may_fill =>
            {
                insert_in_parts(table, &mut blocks, parts, &crew, jobs);
                true
            }
            _ => false,
        };
        // Every candidate decided: the next layer and the log are written
        // side by side, and the pass below only gathers what is left.
        let numbered = claims || in_parts;
        if numbered {
            number_side_by_side(&mut blocks, &mut next, &mut graph.log, &crew, jobs);
        } else {
            next.clear();
        }
        let mut next_id = next.first;
        let mut ids: Vec<u32> = Vec::new();
        // The emptied blocks go back for the next layer's.
        let spares = match spent.get_mut() {
            Ok(spares) => spares,
            Err(poisoned) => poisoned.into_inner(),
        };
        'blocks: for mut block in blocks {
            stats.transitions += block.transitions;
            if block.depth_limited {
                limit.get_or_insert(Limit::MaxDepth(depth));
            }
            findings.append(&mut block.findings);
            ids.clear();
            let mut full = false;
            let candidates = match numbered {
                true => &block.candidates[..0],
                false => &block.candidates[..],
            };
            for c in candidates {
                let bytes = c.state(&block.bytes);
                let id = next_id;
                let mut at_limit = false;
                let found = if block.inserted {
                    Found::New
                } else {
                    if exact {
                        store::unpack(c.key(&block.bytes), &mut key);
                    }
                    at_limit = options
                        .max_states
                        .is_some_and(|m| visited.len() as u64 >= m);
                    if at_limit {
                        visited.find(c.fp, &key)
                    } else {
                        visited.insert(c.fp, &key)
                    }
                };
                match found {
                    Found::Old(old) => ids.push(old.unwrap_or(NO_STATE)),
                    Found::New => {
                        if at_limit {
                            limit = options.max_states.map(Limit::MaxStates);
                            full = true;
                            break;
                        }
                        ids.push(id);
                        next_id += 1;
                        graph.log.push(Parent {
                            state: c.parent,
                            thread: c.thread,
                            branch: c.branch,
                        });
                        next.bytes.extend_from_slice(bytes);
                        next.starts.push(next.bytes.len());
                    }
                }
            }
            if record {
                for o in &block.opened {
                    edges.open(o.enabled, o.finished, o.marks);
                    for (target, edge) in &block.edges[o.edges.clone()] {
                        let to = match *target {
                            Target::Id(id) => id,
                            Target::Nowhere => NO_STATE,
                            Target::Candidate(i) => match ids.get(i) {
                                Some(&id) => id,
                                None => continue,
                            },
                        };
                        edges.edges.push(Edge { to, ..*edge });
                    }
                }
            }
            if block.full {
                limit = options.max_states.map(Limit::MaxStates);
                full = true;
            }
            block.recycle();
            spares.push(block);
            if full {
                break 'blocks;
            }
        }
        if let (true, Visited::Fingerprints(table)) = (claims, &mut visited) {
            // Room for the next layer's claims: about half what it will
            // store if it finds new states at this layer's rate (the
            // rest is room the shards have anyway, or deferred), so that
            // the set grows as inserting one at a time would grow it.
            let rate = next.len() as f64 / n as f64;
            let extra = (rate * next.len() as f64 / 2.0 / SHARDS as f64) as usize;
            // Growing moves every fingerprint: side by side.
            if table.shards().iter().any(|shard| shard.needs(extra)) {
                share_out(table.shards_mut(), &crew, jobs, |_, shard| {
                    shard.reserve(extra)
                });
            }
        }
        if let Err(e) = graph.log.flush() {
            limit.get_or_insert(e);
        }
        // Phase 2 holds the most: the next layer with the blocks' states.
        if watch.over(Instant::now()) {
            limit = limit.or(options.max_memory.map(Limit::Memory));
        }
        peak_bytes = peak_bytes.max(visited.bytes() + graph.log.bytes());
        spare = std::mem::replace(&mut layer, next);
        depth += 1;
        if let Some(targets) = targets {
            met.extend(findings[met_upto..].iter().map(|f| f.key.clone()));
            met_upto = findings.len();
            if targets.iter().all(|k| met.contains(k)) {
                break;
            }
        }
    }

    // The states logged: a search stopped by its timeout in phase 1 may
    // have stored some of the layer's states already (with one worker),
    // which no schedule reaches; as with several, they do not count.
    let stored = graph.log.len() as usize;
    let found = first_of_each(findings);
    let mut findings: Vec<crate::Finding> = found.iter().map(|f| f.finding.clone()).collect();
    if record {
        edges.seal(stored);
    }
    // Stopped for want of memory, the search leaves the liveness checks
    // none to work in.
    if liveness && !matches!(limit, Some(Limit::Memory(_))) {
        // `--timeout` counts the liveness checks too.
        let late = || options.timeout.is_some_and(|t| start.elapsed() >= t);
        match liveness::check(
            &exec,
            &graph,
            &edges,
            &options.checks,
            options.fairness,
            &late,
        ) {
            Ok(found) => findings.extend(found),
            Err(found) => {
                findings.extend(found);
                limit = limit.or(options.timeout.map(Limit::Timeout));
            }
        }
    }
    stats.states = stored as u64;
    stats.store_bytes = peak_bytes as u64;
    stats.elapsed = start.elapsed();
    let outcome = Outcome {
        findings,
        stats,
        limit,
    };
    let state_graph = match (options.record_graph, visited) {
        (true, Visited::Exact(t)) => Some(StateGraph {
            states: {
                let mut states = t.into_states();
                states.truncate(stored);
                states
            },
            edges,
        }),
        _ => None,
    };
    (outcome, found, state_graph)
}

#[cfg(test)]
mod tests {
    use crate::{check, Limit, Options, Outcome};

    /// Six racy increments: layers of thousands of candidates, so that
    /// phase 2 inserts them in parallel, and several findings to compare.
    const RACY: &str = "
        const N = 6;
        shared counter = 0;
        thread inc[N] { counter = counter + 1; }
        final assert counter == N, \"every increment is kept\";
    ";

    fn program() -> weft_ir::Program {
        let ast = weft_syntax::parse(RACY).expect("parses");
        weft_lower::compile(&ast, &[]).expect("compiles")
    }

    /// What must not depend on the number of workers: findings with their
    /// schedules, states, transitions, the limit met.
    type Summary = (Vec<(String, Vec<(u32, u32)>)>, u64, u64, Option<Limit>);

    fn summary(out: &Outcome) -> Summary {
        let findings = out
            .findings
            .iter()
            .map(|f| {
                let steps = f.schedule.iter().map(|s| (s.thread, s.branch)).collect();
                (f.message.clone(), steps)
            })
            .collect();
        (findings, out.stats.states, out.stats.transitions, out.limit)
    }

    #[test]
    fn a_block_meets_each_fingerprint_once() {
        let mut met = super::Met::default();
        // 0 and colliding low bits included; enough to grow the table.
        let fp = |i: u64| match i {
            0 => 0,
            _ => (i % 7) << 40 | i.wrapping_mul(0x9E37_79B9_7F4A_7C15) & !0xff,
        };
        for round in 0..2 {
            for i in 0..5000 {
                assert_eq!(met.get_or_insert(fp(i), i as usize), None, "{round} {i}");
            }
            for i in 0..5000 {
                assert_eq!(met.get_or_insert(fp(i), 0), Some(i as usize));
            }
            met.clear();
        }
    }

    /// Claims as workers would have made them, decided as one worker
    /// inserting in block order would: each new state goes to the first
    /// block that met it, whichever stored it first; a state stored 63
    /// layers before (same mark) is old.
    /// Into how many parts the settling tests cut the fingerprint set.
    const PARTS: usize = 8;

    /// A fingerprint in shard `k`, with high bits `k`.
    fn fp(k: u64) -> u64 {
        k << 32 | k
    }

    /// Blocks of candidates claimed as phase 1 would leave them; each
    /// candidate's state is as long as the `k` of its fingerprint.
    fn blocks_of(claims: &[&[(u64, super::Claimed)]]) -> Vec<super::Block> {
        use super::{Block, Candidate, Entry};
        use std::sync::atomic::AtomicBool;
        claims
            .iter()
            .map(|claims| {
                let mut block = Block::default();
                block.parts.resize_with(PARTS, Vec::new);
                for &(fp, claim) in claims.iter() {
                    let i = block.candidates.len();
                    let state_len = (fp & 0xffff) as u32;
                    block.parts[super::part_of(fp, PARTS)].push(Entry {
                        fp,
                        i: i as u32,
                        state_len,
                    });
                    block.candidates.push(Candidate {
                        fp,
                        parent: 0,
                        thread: 0,
                        branch: 0,
                        start: 0,
                        state_len,
                        key_len: 0,
                    });
                    block.new.push(AtomicBool::new(false));
                    block.claim(claim, i);
                }
                block
            })
            .collect()
    }

    /// Which candidates of each block settling found new.
    fn decided(blocks: &[super::Block]) -> Vec<Vec<bool>> {
        blocks
            .iter()
            .map(|b| (0..b.candidates.len()).map(|i| b.decided_new(i)).collect())
            .collect()
    }

    #[test]
    fn settled_claims_give_each_state_to_its_first_block() {
        use super::{settle_claims, Claimed, Crew};
        use crate::store::{Claim, FpTable};
        use Claimed::{Contested as C, Deferred as D, Won as W};
        // Distinct shards and high bits; `old` was stored 63 layers ago.
        let (old, b, c, d, e, f) = (fp(1), fp(2), fp(3), fp(4), fp(5), fp(6));
        let mut table = FpTable::new(false);
        table.set_layer(0);
        table.insert_marked(old);
        table.set_layer(63);
        let mark = table.mark();
        let shards = table.shards();
        // What phase 1 stored: `b` by block 2, `c` and `e` by block 1,
        // `f` by block 3.
        for x in [b, c, e, f] {
            assert_eq!(
                shards[FpTable::shard_of(x)].claim(x, mark, true),
                Claim::Won
            );
        }
        assert_eq!(
            shards[FpTable::shard_of(old)].claim(old, mark, true),
            Claim::Stored { this_layer: true },
            "the marks of layers 0 and 63 are the same"
        );
        table.added(4);
        let claims: [&[(u64, Claimed)]; 4] = [
            &[(old, C), (d, D)],
            &[(b, C), (c, W), (e, W), (f, D)],
            &[(b, W), (c, C), (e, D)],
            &[(b, C), (d, D), (f, W)],
        ];
        let mut blocks = blocks_of(&claims);
        settle_claims(&mut table, &mut blocks, PARTS, &Crew::new(2), 2);
        let (yes, no) = (true, false);
        assert_eq!(
            decided(&blocks),
            [
                vec![no, yes],
                vec![yes, yes, yes, yes],
                vec![no, no, no],
                vec![no, no, no]
            ]
        );
        // Each candidate's state is as long as its fingerprint's number.
        let counts: Vec<(usize, usize)> =
            blocks.iter().map(|b| (b.new_states, b.new_bytes)).collect();
        assert_eq!(counts, [(1, 4), (4, 2 + 3 + 5 + 6), (0, 0), (0, 0)]);
        // `d`, stored after the layer, counts with the four claimed and
        // the old one.
        assert_eq!(table.len(), 6);
    }

    /// With no state contested, settling leaves each won candidate new and
    /// the others not, deferred ones claimed in block order included.
    #[test]
    fn uncontested_claims_are_new_where_they_were_won() {
        use super::{settle_claims, Claimed, Crew};
        use crate::store::{Claim, FpTable};
        use Claimed::{Deferred as D, Lost as L, Won as W};
        let (old, b, c, d) = (fp(1), fp(2), fp(3), fp(4));
        let mut table = FpTable::new(false);
        table.set_layer(0);
        table.insert_marked(old);
        table.set_layer(1);
        let mark = table.mark();
        for x in [b, c] {
            let shard = &table.shards()[FpTable::shard_of(x)];
            assert_eq!(shard.claim(x, mark, true), Claim::Won);
        }
        table.added(2);
        // `old` deferred is found stored before: lost; `d` deferred is won.
        let claims: [&[(u64, Claimed)]; 3] = [&[(b, W), (old, L)], &[(old, D), (d, D)], &[(c, W)]];
        let mut blocks = blocks_of(&claims);
        settle_claims(&mut table, &mut blocks, PARTS, &Crew::new(2), 2);
        let (yes, no) = (true, false);
        assert_eq!(decided(&blocks), [vec![yes, no], vec![no, yes], vec![yes]]);
        let counts: Vec<(usize, usize)> =
            blocks.iter().map(|b| (b.new_states, b.new_bytes)).collect();
        assert_eq!(counts, [(1, 2), (1, 4), (1, 3)]);
        assert!(
            blocks.iter().all(|b| b.won_is_new),
            "no part was gone through"
        );
        assert_eq!(table.len(), 4);
    }

    /// Three threads counting to 12 side by side: more than 63 layers (the
    /// layer marks come round again) of many blocks that meet the same
    /// states, so that claims are contested, deferred and settled.
    #[test]
    fn claims_of_a_deep_search_agree_with_one_worker() {
        let source = "
            shared c = [0; 3];
            thread counter[3] {
                for i in 0..12 { c[self] = c[self] + 1; }
            }
            final assert c[0] + c[1] + c[2] == 35, \"one short\";
        ";
        let ast = weft_syntax::parse(source).expect("parses");
        let program = weft_lower::compile(&ast, &[]).expect("compiles");
        let options = |jobs| Options {
            reduction: false,
            symmetry: false,
            jobs,
            ..Options::default()
        };
        let one = check(&program, &options(1), &mut |_| {});
        assert!(one.stats.depth > 63, "{}", one.stats.depth);
        assert!(!one.findings.is_empty());
        for jobs in [2, 3, 8] {
            let many = check(&program, &options(jobs), &mut |_| {});
            assert_eq!(summary(&many), summary(&one), "{jobs} jobs");
        }
    }

    #[test]
    fn workers_insert_side_by_side_and_agree_with_one() {
        let program = program();
        for max_states in [None, Some(5_000), Some(12_345)] {
            let options = |jobs| Options {
                reduction: false,
                symmetry: false,
                max_states,
                jobs,
                ..Options::default()
            };
            let one = check(&program, &options(1), &mut |_| {});
            assert!(!one.findings.is_empty());
            for jobs in [2, 3, 8] {
                let many = check(&program, &options(jobs), &mut |_| {});
                let what = format!("{jobs} jobs, max states {max_states:?}");
                if max_states.is_none() {
                    assert_eq!(summary(&many), summary(&one), "{what}");
                } else {
                    // The last layer's blocks, cut by the number of
                    // workers, say how many transitions it counts.
                    assert_eq!(many.stats.states, one.stats.states, "{what}");
                    assert_eq!(many.limit, one.limit, "{what}");
                }
            }
        }
    }
}
