//! How the search remembers states: packed bytes for the frontier, a
//! visited set of fingerprints (or of whole states with `--exact`), and the
//! log of how each state was first reached.
//!
//! The default visited set is TLC's: a 64-bit fingerprint per state in
//! open-addressing tables (shards, so that several threads can insert at
//! once), each at most 80% full and grown by half, so it holds between 10
//! and 15 bytes per state. Two different states with the same
//! fingerprint would be taken for one (the second never explored); with
//! `n` states the chance that this happened anywhere is at most
//! `n(n-1)/2^65`, which the report states. The schedule log (parent, thread,
//! branch per state) is written to an unnamed temporary file and read back
//! only to rebuild the schedules of reports.

use crate::Limit;
use std::fs::File;
use std::io::Write;
use std::os::unix::fs::FileExt;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use weft_ir::Value;

/// Values in `-SMALL..SMALL` take one byte, `v + SMALL`.
const SMALL: Value = 64;

/// Append `state` to `out`: one byte `v + 64` (below 0x80) for a value `v`
/// in -64..64, which is nearly every value; any other value as a byte
/// `0x80 + n` and the `n` low bytes (little-endian, 1 to 8) of its zigzag
/// form. Each value's bytes say where they end, so two states of one
/// layout pack alike only if they are equal. Only states kept for later
/// are packed (the frontier, a new successor): the fingerprint is of the
/// values ([`fingerprint`]).
#[inline]
pub fn pack(state: &[Value], out: &mut Vec<u8>) {
    // Optimistically one byte a value, in a loop without branches; the
    // bits above the seventh of any byte say whether that was wrong.
    let start = out.len();
    let mut high = 0u64;
    out.extend(state.iter().map(|&v| {
        let b = v.wrapping_add(SMALL) as u64;
        high |= b;
        b as u8
    }));
    if high < 0x80 {
        return;
    }
    out.truncate(start);
    for &v in state {
        if (-SMALL..SMALL).contains(&v) {
            out.push((v + SMALL) as u8);
        } else {
            let z = ((v << 1) ^ (v >> 63)) as u64;
            let n = (71 - z.leading_zeros() as usize) / 8;
            out.push(0x80 + n as u8);
            out.extend_from_slice(&z.to_le_bytes()[..n]);
        }
    }
}

/// [`pack`] of `state`, given `parent` packed and disjoint ranges of
/// positions outside which the two are equal (what the executor tells of a
/// quick step, [`fingerprint_from`]'s `within`): where the parent took one
/// byte a value, and so do the child's values in the ranges, the parent's
/// bytes with those patched are the child's, at a tenth of the work.
/// Anything else is packed whole.
#[inline]
pub fn pack_from(
    parent: &[u8],
    state: &[Value],
    within: Option<&[std::ops::Range<usize>]>,
    out: &mut Vec<u8>,
) {
    // Below some 64 values packing whole costs no more than patching.
    let n = state.len();
    if let Some(ranges) = within.filter(|_| parent.len() == n && n >= 64) {
        let start = out.len();
        out.extend_from_slice(parent);
        let bytes = &mut out[start..];
        let mut high = 0u64;
        for r in ranges {
            for i in r.start..r.end.min(n) {
                let b = state[i].wrapping_add(SMALL) as u64;
                high |= b;
                bytes[i] = b as u8;
            }
        }
        if high < 0x80 {
            return;
        }
        out.truncate(start);
    }
    pack(state, out);
}

/// Decode a state written by [`pack`] into `out` (its length says how many
/// values to read).
pub fn unpack(bytes: &[u8], out: &mut [Value]) {
    // As many bytes as values: one byte each (every value takes one at
    // least).
    if bytes.len() == out.len() {
        // Sixteen at a time, as arrays: the widening is vectorized.
        let mut values = out.chunks_exact_mut(16);
        let mut small = bytes.chunks_exact(16);
        for (v, b) in (&mut values).zip(&mut small) {
            if let (Ok(v), Ok(b)) = (<&mut [Value; 16]>::try_from(v), <&[u8; 16]>::try_from(b)) {
                for j in 0..16 {
                    v[j] = Value::from(b[j]) - SMALL;
                }
            }
        }
        for (v, &b) in values.into_remainder().iter_mut().zip(small.remainder()) {
            *v = Value::from(b) - SMALL;
        }
        return;
    }
    let mut at = 0;
    for v in out.iter_mut() {
        let b = bytes.get(at).copied().unwrap_or(0);
        at += 1;
        if b < 0x80 {
            *v = Value::from(b) - SMALL;
            continue;
        }
        let n = usize::from(b - 0x80).min(8);
        let mut z = [0u8; 8];
        if let Some(low) = bytes.get(at..at + n) {
            z[..n].copy_from_slice(low);
        }
        at += n;
        let z = u64::from_le_bytes(z);
        *v = (z >> 1) as Value ^ -((z & 1) as Value);
    }
}

/// The fingerprint of a state (of its key, under symmetry): the wrapping
/// sum over its positions of [`term`]`(i, v_i)`, Zobrist hashing with
/// computed keys. A sum, so that a successor's fingerprint follows from
/// its parent's and the few values its step changed
/// ([`fingerprint_from`]): most successors are states seen before, and
/// they are then looked up without being packed or hashed whole. With
/// terms that behave as independent random 64-bit values, two different
/// states of one layout differ in some term that nothing else cancels
/// but by a 2^-64 chance, so [`collision_probability`] holds as for a
/// hash of the whole state.
pub fn fingerprint(key: &[Value]) -> u64 {
    key.iter()
        .enumerate()
        .fold(0, |fp: u64, (i, &v)| fp.wrapping_add(term(i, v)))
}

/// [`fingerprint`] of `child`, given `parent` (of the same length) and its
/// fingerprint: the terms of the positions where they differ are swapped.
/// With `within`, disjoint ranges of positions outside which the two are
/// known to be equal (what the executor tells of a quick step), only
/// those are compared; else all of them, eight values at a time (a step
/// changes a handful of values, so nearly every chunk is equal).
#[inline]
pub fn fingerprint_from(
    parent: &[Value],
    parent_fp: u64,
    child: &[Value],
    within: Option<&[std::ops::Range<usize>]>,
) -> u64 {
    const CHUNK: usize = 8;
    let mut fp = parent_fp;
    let mut swap = |i: usize, old: Value, new: Value| {
        fp = fp.wrapping_add(term(i, new).wrapping_sub(term(i, old)));
    };
    if let Some(ranges) = within {
        let len = parent.len().min(child.len());
        for r in ranges {
            for i in r.start..r.end.min(len) {
                let (a, b) = (parent[i], child[i]);
                if a != b {
                    swap(i, a, b);
                }
            }
        }
        return fp;
    }
    let (olds, news) = (parent.chunks_exact(CHUNK), child.chunks_exact(CHUNK));
    let tail = olds.len() * CHUNK;
    for (k, (old, new)) in olds.zip(news).enumerate() {
        // As arrays, so that the compare is unrolled and vectorized.
        let (Ok(old), Ok(new)) = (
            <&[Value; CHUNK]>::try_from(old),
            <&[Value; CHUNK]>::try_from(new),
        ) else {
            continue;
        };
        let differ = (0..CHUNK).fold(0, |d, j| d | (old[j] ^ new[j]));
        if differ != 0 {
            for j in 0..CHUNK {
                if old[j] != new[j] {
                    swap(k * CHUNK + j, old[j], new[j]);
                }
            }
        }
    }
    let rest = parent.iter().zip(child).enumerate().skip(tail);
    for (i, (&a, &b)) in rest {
        if a != b {
            swap(i, a, b);
        }
    }
    fp
}

/// The term of value `v` at position `i` in [`fingerprint`]: rapidhash's
/// mixing of a 16-byte input (the value and the position; two 128-bit
/// multiplies, each folded to 64 bits), so that every (position, value)
/// pair gets an unrelated 64-bit term. The first product is one to one in
/// the value for each position (its factors are never 0 for the few
/// positions a state has), the second spreads each bit over all 64.
#[inline(always)]
fn term(i: usize, v: Value) -> u64 {
    const SECRET: [u64; 4] = [
        0x2d35_8dcc_aa6c_78a5,
        0x8bb8_4b93_962e_acc9,
        0x4b33_a62e_d433_d4a3,
        0x4d5a_2da5_1de1_aa47,
    ];
    let r = u128::from(v as u64 ^ SECRET[0]) * u128::from(i as u64 ^ SECRET[1]);
    let r = u128::from(r as u64 ^ SECRET[2]) * u128::from((r >> 64) as u64 ^ SECRET[3]);
    r as u64 ^ (r >> 64) as u64
}

/// Probability that some two of `n` states share a 64-bit fingerprint.
pub fn collision_probability(n: u64) -> f64 {
    let n = n as f64;
    (n * (n - 1.0) / 2.0 / 2f64.powi(64)).min(1.0)
}

/// The visited set.
pub enum Visited {
    Fingerprints(FpTable),
    Exact(ExactTable),
}

/// What a lookup found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Found {
    /// Seen before, with its id when the set keeps ids.
    Old(Option<u32>),
    New,
}

impl Visited {
    pub fn len(&self) -> usize {
        match self {
            Visited::Fingerprints(t) => t.len(),
            Visited::Exact(t) => t.ids.len(),
        }
    }

    /// Bytes the set holds.
    pub fn bytes(&self) -> usize {
        match self {
            Visited::Fingerprints(t) => t.bytes(),
            Visited::Exact(t) => t.bytes(),
        }
    }

    pub fn find(&self, fp: u64, key: &[Value]) -> Found {
        match self {
            Visited::Fingerprints(t) => t.find(fp),
            Visited::Exact(t) => t.find(fp, key),
        }
    }

    /// Insert a state unless it is in the set already: what it was.
    pub fn insert(&mut self, fp: u64, key: &[Value]) -> Found {
        match self {
            Visited::Fingerprints(t) => t.insert(fp),
            Visited::Exact(t) => match t.find(fp, key) {
                Found::New => {
                    t.insert_new(fp, key);
                    Found::New
                }
                old => old,
            },
        }
    }

    /// Insert a state not yet in the set; it gets the next id.
    pub fn insert_new(&mut self, fp: u64, key: &[Value]) {
        match self {
            Visited::Fingerprints(t) => t.insert_new(fp),
            Visited::Exact(t) => t.insert_new(fp, key),
        }
    }
}

/// The fingerprint set: [`SHARDS`] open-addressing tables, a fingerprint's
/// low bits choosing its shard. Every copy of a fingerprint lands in the
/// same shard, so the shards can take a layer's insertions side by side,
/// one thread each, and still decide "first occurrence is new" exactly as
/// one thread would (see the search's phase 2). The count of shards does
/// not depend on `--jobs`, so neither do the table's size and the bytes
/// the report gives.
///
/// The low bits that choose the shard are the same for every fingerprint
/// in it, so a slot keeps the rest and, in their place, the mark of the
/// layer that stored it ([`layer_mark`]): workers that claim fingerprints
/// side by side ([`FpShard::claim`]) tell a state another worker stored in
/// this layer from an older one by it, at no cost in bytes.
pub struct FpTable {
    shards: Vec<FpShard>,
    len: usize,
    /// The mark inserts give their slots: the current layer's.
    mark: u64,
}

/// Shards of the fingerprint set: enough to share out among many workers,
/// few enough that the empty set stays small.
pub const SHARDS: usize = 64;

/// The bits of a fingerprint that choose its shard, which a slot holds the
/// layer mark in instead.
const MARK: u64 = SHARDS as u64 - 1;
const _: () = assert!(SHARDS.is_power_of_two());

/// The mark of the slots stored while layer `depth` is expanded: never 0
/// (an empty slot), the same every 63 layers (so a mark tells "maybe this
/// layer" from "before", never more).
pub fn layer_mark(depth: u32) -> u64 {
    1 + u64::from(depth) % MARK
}

impl FpTable {
    pub fn new(with_ids: bool) -> FpTable {
        FpTable {
            shards: (0..SHARDS).map(|_| FpShard::new(with_ids)).collect(),
            len: 0,
            mark: 1,
        }
    }

    fn bytes(&self) -> usize {
        self.shards.iter().map(FpShard::bytes).sum()
    }

    /// The first slot `fp`'s probe reads: loading it early (a plain load,
    /// as prefetching takes unsafe code) lets several lookups' cache misses
    /// overlap.
    pub fn touch(&self, fp: u64) -> u64 {
        let shard = &self.shards[Self::shard_of(fp)];
        shard.slots[shard.home(fp & !MARK)].load(Relaxed)
    }

    /// How many fingerprints it holds.
    pub fn len(&self) -> usize {
        self.len
    }

    /// The shard a fingerprint belongs to.
    pub fn shard_of(fp: u64) -> usize {
        // The low bits: the probe start uses the high ones.
        (fp & MARK) as usize
    }

    /// Mark what is stored from now on as stored while layer `depth` is
    /// expanded.
    pub fn set_layer(&mut self, depth: u32) {
        self.mark = layer_mark(depth);
    }

    fn find(&self, fp: u64) -> Found {
        self.shards[Self::shard_of(fp)].find(fp)
    }

    /// Insert unless present; a new fingerprint gets the next id.
    fn insert(&mut self, fp: u64) -> Found {
        let id = self.len as u32;
        let found = self.shards[Self::shard_of(fp)].insert(fp, id, self.mark);
        if found == Found::New {
            self.len += 1;
        }
        found
    }

    fn insert_new(&mut self, fp: u64) {
        let id = self.len as u32;
        self.shards[Self::shard_of(fp)].insert_new(fp, id, self.mark);
        self.len += 1;
    }

    /// Insert a fingerprint unless present, as [`FpTable::insert`] does,
    /// and say whether it was stored by this layer (or, rarely, by one 63
    /// layers before: see [`layer_mark`]).
    pub fn insert_marked(&mut self, fp: u64) -> Claim {
        let mark = self.mark;
        let shard = &mut self.shards[Self::shard_of(fp)];
        if let Ok(i) = shard.probe(fp & !MARK) {
            return Claim::Stored {
                this_layer: shard.slots[i].load(Relaxed) & MARK == mark,
            };
        }
        self.insert(fp);
        Claim::Won
    }

    /// The shards, to insert into side by side; [`FpTable::added`] then
    /// counts what they took. Only for a set without ids: ids are given in
    /// order, which no single shard knows.
    pub fn shards_mut(&mut self) -> &mut [FpShard] {
        &mut self.shards
    }

    /// The shards, to claim fingerprints in side by side.
    pub fn shards(&self) -> &[FpShard] {
        &self.shards
    }

    /// The current layer's mark, for [`FpShard::claim`].
    pub fn mark(&self) -> u64 {
        self.mark
    }

    /// `n` fingerprints were inserted through [`FpTable::shards_mut`].
    pub fn added(&mut self, n: usize) {
        self.len += n;
    }
}

/// What claiming a fingerprint found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Claim {
    /// It was not stored: this claim stored it.
    Won,
    /// It was stored already, marked as stored by this layer or not.
    Stored { this_layer: bool },
    /// It was not stored, and the claim was only to look.
    Absent,
}

/// One shard of the fingerprint set: open addressing, linear probing, ids
/// optional.
pub struct FpShard {
    /// Each slot holds a fingerprint's bits above [`MARK`] and the mark of
    /// the layer that stored it; 0 is an empty slot. Atomic so that workers
    /// can claim slots side by side ([`FpShard::claim`]); the other paths
    /// own the shard and their relaxed loads and stores are plain ones.
    slots: Vec<AtomicU64>,
    /// The id of the state in each slot, kept when edges need them.
    ids: Option<Vec<u32>>,
    len: usize,
}

fn empty_slots(n: usize) -> Vec<AtomicU64> {
    (0..n).map(|_| AtomicU64::new(0)).collect()
}

impl FpShard {
    fn new(with_ids: bool) -> FpShard {
        // 1024 slots in all to start with, as one table had.
        let cap = 1024 / SHARDS;
        FpShard {
            slots: empty_slots(cap),
            ids: with_ids.then(|| vec![0; cap]),
            len: 0,
        }
    }

    fn bytes(&self) -> usize {
        self.slots.capacity() * 8 + self.ids.as_ref().map_or(0, |v| v.capacity() * 4)
    }

    /// Where a fingerprint's probe sequence starts: its high bits scaled to
    /// the table (so the table need not be a power of two).
    fn home(&self, high: u64) -> usize {
        ((u128::from(high) * self.slots.len() as u128) >> 64) as usize
    }

    /// Where the fingerprint with bits `high` above [`MARK`] is (`Ok`), or
    /// the empty slot where it would go (`Err`).
    fn probe(&self, high: u64) -> Result<usize, usize> {
        let mut i = self.home(high);
        loop {
            match self.slots[i].load(Relaxed) {
                0 => return Err(i),
                k if k & !MARK == high => return Ok(i),
                _ => {}
            }
            i += 1;
            if i == self.slots.len() {
                i = 0;
            }
        }
    }

    fn find(&self, fp: u64) -> Found {
        match self.probe(fp & !MARK) {
            Ok(i) => Found::Old(self.ids.as_ref().map(|ids| ids[i])),
            Err(_) => Found::New,
        }
    }

    /// Insert unless present, in one probe sequence, marking the slot with
    /// `mark`; `id` is the id of the state if it is new (kept when the
    /// shard keeps ids).
    pub fn insert(&mut self, fp: u64, id: u32, mark: u64) -> Found {
        let high = fp & !MARK;
        let i = match self.probe(high) {
            Ok(i) => return Found::Old(self.ids.as_ref().map(|ids| ids[i])),
            Err(i) => i,
        };
        // Only a new fingerprint grows the shard, so its size follows the
        // count of states whatever else was looked up.
        if (self.len + 1) * 5 > self.slots.len() * 4 {
            self.grow();
            self.place(high | mark, id);
        } else {
            self.put(i, high | mark, id);
        }
        self.len += 1;
        Found::New
    }

    fn insert_new(&mut self, fp: u64, id: u32, mark: u64) {
        if (self.len + 1) * 5 > self.slots.len() * 4 {
            self.grow();
        }
        self.place((fp & !MARK) | mark, id);
        self.len += 1;
    }

    /// Claim a fingerprint while other workers claim theirs in the same
    /// shard: store it, marked `mark`, in the first empty slot of its probe
    /// sequence unless it is there already (or only look, without `store`).
    /// Storing needs room: the caller keeps each worker within its share
    /// of [`FpShard::room`], and counts what it won in with
    /// [`FpShard::claimed`] once the workers are done.
    pub fn claim(&self, fp: u64, mark: u64, store: bool) -> Claim {
        let high = fp & !MARK;
        let mut i = self.home(high);
        loop {
            let mut slot = self.slots[i].load(Relaxed);
            if slot == 0 && !store {
                return Claim::Absent;
            }
            if slot == 0 {
                // Only the slot itself is published: relaxed is enough,
                // and the end of the layer orders everything else.
                match self.slots[i].compare_exchange(0, high | mark, Relaxed, Relaxed) {
                    Ok(_) => return Claim::Won,
                    Err(now) => slot = now,
                }
            }
            if slot & !MARK == high {
                return Claim::Stored {
                    this_layer: slot & MARK == mark,
                };
            }
            i += 1;
            if i == self.slots.len() {
                i = 0;
            }
        }
    }

    /// How many fingerprints this shard can take while workers claim them
    /// side by side: up to 90% full (above the 80% at which an insert
    /// grows it; the probe sequences stay short and always end).
    pub fn room(&self) -> usize {
        (self.slots.len() * 9 / 10).saturating_sub(self.len)
    }

    /// Count `n` fingerprints the workers claimed.
    pub fn claimed(&mut self, n: usize) {
        self.len += n;
    }

    /// Grow until `extra` more fingerprints fit within 80% full, as that
    /// many inserts one at a time would have grown it.
    pub fn reserve(&mut self, extra: usize) {
        while self.needs(extra) {
            self.grow();
        }
    }

    /// Whether [`FpShard::reserve`] would grow it.
    pub fn needs(&self, extra: usize) -> bool {
        (self.len + extra) * 5 > self.slots.len() * 4
    }

    /// Put a slot value that is not in the shard yet.
    fn place(&mut self, slot: u64, id: u32) {
        let (Err(i) | Ok(i)) = self.probe(slot & !MARK);
        self.put(i, slot, id);
    }

    fn put(&mut self, i: usize, slot: u64, id: u32) {
        *self.slots[i].get_mut() = slot;
        if let Some(ids) = self.ids.as_mut() {
            ids[i] = id;
        }
    }

    fn grow(&mut self) {
        let cap = self.slots.len() + self.slots.len() / 2;
        let old = std::mem::replace(&mut self.slots, empty_slots(cap));
        let old_ids = self
            .ids
            .as_mut()
            .map(|ids| std::mem::replace(ids, vec![0; cap]));
        // The keys are distinct: each goes to the first empty slot from its
        // home, with no key to compare on the way.
        for (i, slot) in old.into_iter().enumerate() {
            let slot = slot.into_inner();
            if slot == 0 {
                continue;
            }
            let mut j = self.home(slot & !MARK);
            while *self.slots[j].get_mut() != 0 {
                j = if j + 1 == cap { 0 } else { j + 1 };
            }
            *self.slots[j].get_mut() = slot;
            if let (Some(ids), Some(old_ids)) = (self.ids.as_mut(), old_ids.as_ref()) {
                ids[j] = old_ids[i];
            }
        }
    }
}

/// Whole states in an arena, ids in a hash table keyed by fingerprint.
pub struct ExactTable {
    width: usize,
    arena: Vec<Value>,
    hashes: Vec<u64>,
    ids: hashbrown::HashTable<u32>,
}

impl ExactTable {
    pub fn new(width: usize) -> ExactTable {
        ExactTable {
            width,
            arena: Vec::new(),
            hashes: Vec::new(),
            ids: hashbrown::HashTable::new(),
        }
    }

    fn bytes(&self) -> usize {
        self.arena.capacity() * 8 + self.hashes.capacity() * 8 + self.ids.capacity() * 5
    }

    /// The state with id `id`.
    pub fn state(&self, id: u32) -> &[Value] {
        let at = id as usize * self.width;
        &self.arena[at..at + self.width]
    }

    fn find(&self, fp: u64, key: &[Value]) -> Found {
        match self.ids.find(fp, |&id| self.state(id) == key) {
            Some(&id) => Found::Old(Some(id)),
            None => Found::New,
        }
    }

    fn insert_new(&mut self, fp: u64, key: &[Value]) {
        let id = self.hashes.len() as u32;
        self.arena.extend_from_slice(key);
        self.hashes.push(fp);
        let hashes = &self.hashes;
        self.ids.insert_unique(fp, id, |&i| hashes[i as usize]);
    }

    /// Every state, in id order.
    pub fn into_states(self) -> Vec<Box<[Value]>> {
        if self.width == 0 {
            return vec![Box::default(); self.hashes.len()];
        }
        self.arena.chunks(self.width).map(Box::from).collect()
    }
}

/// How a state was first reached: the state it came from and the step.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Parent {
    /// `u32::MAX` for the initial state.
    pub state: u32,
    pub thread: u32,
    pub branch: u32,
}

/// Bytes of one record of the [`Log`].
pub const RECORD: usize = 12;

/// The parent of every state, in id order: in memory, or in a temporary
/// file written a layer at a time.
pub struct Log {
    file: Option<File>,
    /// Records not yet written to the file (all of them without a file).
    pending: Vec<u8>,
    written: u64,
    len: u32,
}

impl Log {
    /// A log in a temporary file when `on_disk` and one can be made.
    pub fn new(on_disk: bool) -> Log {
        Log {
            file: if on_disk {
                tempfile::tempfile().ok()
            } else {
                None
            },
            pending: Vec::new(),
            written: 0,
            len: 0,
        }
    }

    pub fn len(&self) -> u32 {
        self.len
    }

    /// Bytes of the log held in memory.
    pub fn bytes(&self) -> usize {
        self.pending.capacity()
    }

    pub fn push(&mut self, p: Parent) {
        for x in [p.state, p.thread, p.branch] {
            self.pending.extend_from_slice(&x.to_le_bytes());
        }
        self.len += 1;
    }

    /// Room for `n` more records, to fill with [`Log::write`] (side by
    /// side: the room can be split at multiples of [`RECORD`]).
    pub fn append(&mut self, n: usize) -> &mut [u8] {
        let at = self.pending.len();
        self.pending.resize(at + n * RECORD, 0);
        self.len += n as u32;
        &mut self.pending[at..]
    }

    /// Write `p` as the `k`th record of room from [`Log::append`].
    pub fn write(room: &mut [u8], k: usize, p: Parent) {
        let record = &mut room[k * RECORD..(k + 1) * RECORD];
        for (i, x) in [p.state, p.thread, p.branch].into_iter().enumerate() {
            record[i * 4..i * 4 + 4].copy_from_slice(&x.to_le_bytes());
        }
    }

    /// Write the pending records to the file, if there is one.
    pub fn flush(&mut self) -> Result<(), Limit> {
        if let Some(f) = self.file.as_mut() {
            if !self.pending.is_empty() {
                f.write_all(&self.pending)
                    .map_err(|e| Limit::Storage(e.kind()))?;
                self.written += self.pending.len() as u64;
                self.pending.clear();
            }
        }
        Ok(())
    }

    pub fn get(&self, id: u32) -> Parent {
        let at = id as u64 * RECORD as u64;
        let mut buf = [0u8; RECORD];
        if at >= self.written {
            let at = (at - self.written) as usize;
            if let Some(b) = self.pending.get(at..at + RECORD) {
                buf.copy_from_slice(b);
            }
        } else if let Some(f) = &self.file {
            // A failed read leaves the record zeroed; replaying a wrong
            // step stops the schedule early rather than crash the report.
            let _ = f.read_exact_at(&mut buf, at);
        }
        let word = |i: usize| u32::from_le_bytes([buf[i], buf[i + 1], buf[i + 2], buf[i + 3]]);
        Parent {
            state: word(0),
            thread: word(4),
            branch: word(8),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(state: &[Value]) -> Vec<u8> {
        let mut bytes = vec![9];
        pack(state, &mut bytes);
        assert_eq!(bytes[0], 9, "pack appends");
        let mut back = vec![7; state.len()];
        unpack(&bytes[1..], &mut back);
        assert_eq!(back, state);
        bytes.split_off(1)
    }

    #[test]
    fn pack_round_trips() {
        let state = [0, 1, -1, 63, -64, 64, -65, i64::MAX, i64::MIN, 1 << 40];
        let bytes = round_trip(&state);
        assert_eq!(bytes[..5], [64, 65, 63, 127, 0]);
        // 64 and -65 are 128 and 129 in zigzag form: one byte after 0x81
        assert_eq!(bytes[5..9], [0x81, 128, 0x81, 129]);
        // the extremes take all eight bytes
        assert_eq!(bytes[9], 0x88);
        assert_eq!(bytes.len(), 5 + 4 + 9 + 9 + 7);
    }

    #[test]
    fn edge_values_round_trip_alone_and_mixed() {
        let edges = [
            0,
            -1,
            63,
            -63,
            64,
            -64,
            65,
            -65,
            127,
            128,
            -128,
            255,
            256,
            1 << 31,
            -(1 << 31),
            i64::MAX,
            i64::MIN,
            i64::MAX - 1,
            i64::MIN + 1,
        ];
        for &v in &edges {
            let bytes = round_trip(&[v]);
            assert_eq!(bytes.len() == 1, (-64..64).contains(&v), "{v}");
            round_trip(&[v, 5, v, -1]);
        }
        round_trip(&edges);
        round_trip(&[]);
    }

    #[test]
    fn small_states_take_a_byte_a_value() {
        let state: Vec<Value> = (-64..64).collect();
        let bytes = round_trip(&state);
        assert_eq!(bytes.len(), state.len());
        assert_eq!(bytes[..3], [0, 1, 2]);
        // Every length, whole runs of sixteen and the rest.
        for n in 0..40 {
            let state: Vec<Value> = (0..n).map(|i| (i as Value * 7) % 128 - 64).collect();
            assert_eq!(round_trip(&state).len(), n);
        }
    }

    proptest::proptest! {
        /// Every state comes back, and two states pack alike only if they
        /// are equal (what lets the frontier stand for its states).
        #[test]
        fn packing_is_one_to_one(
            a in proptest::collection::vec(
                proptest::prop_oneof![-70i64..70, proptest::num::i64::ANY], 0..40),
            b in proptest::collection::vec(
                proptest::prop_oneof![-70i64..70, proptest::num::i64::ANY], 0..40),
        ) {
            let (pa, pb) = (round_trip(&a), round_trip(&b));
            if a.len() == b.len() {
                proptest::prop_assert_eq!(pa == pb, a == b);
            }
        }

        /// A value changed anywhere in a state changes its bytes.
        #[test]
        fn one_changed_value_changes_the_bytes(
            a in proptest::collection::vec(-200i64..200, 1..40),
            at in 0usize..40,
            v in proptest::prop_oneof![-200i64..200, proptest::num::i64::ANY],
        ) {
            let mut b = a.clone();
            let at = at % a.len();
            b[at] = v;
            let (pa, pb) = (round_trip(&a), round_trip(&b));
            proptest::prop_assert_eq!(pa == pb, a == b);
        }
    }

    proptest::proptest! {
        /// A state's fingerprint updated from another's over the places
        /// where they differ (found by comparing all, or within ranges
        /// that cover them) is its own.
        #[test]
        fn incremental_fingerprints_are_the_fingerprint(
            a in proptest::collection::vec(
                proptest::prop_oneof![-3i64..3, proptest::num::i64::ANY], 0..40),
            changes in proptest::collection::vec(
                (0usize..40, proptest::prop_oneof![-3i64..3, proptest::num::i64::ANY]), 0..6),
        ) {
            let mut b = a.clone();
            let mut lo = a.len();
            let mut hi = 0;
            for &(at, v) in &changes {
                if let Some(x) = b.get_mut(at) {
                    *x = v;
                    lo = lo.min(at);
                    hi = hi.max(at + 1);
                }
            }
            let (fa, fb) = (fingerprint(&a), fingerprint(&b));
            proptest::prop_assert_eq!(fingerprint_from(&a, fa, &b, None), fb);
            let cut = (lo + hi) / 2;
            let ranges = [lo..cut, cut..hi.max(cut), a.len()..a.len()];
            proptest::prop_assert_eq!(fingerprint_from(&a, fa, &b, Some(&ranges)), fb);
            proptest::prop_assert_eq!(fingerprint_from(&b, fb, &a, None), fa);
            if a != b {
                proptest::prop_assert_ne!(fa, fb);
            }
        }

        /// A successor packed from its parent's bytes, patched over ranges
        /// that cover every change, packs as itself: small values or big,
        /// in the parent or the child, long states (patched) or short.
        #[test]
        fn packing_from_the_parent_is_packing(
            mut a in proptest::collection::vec(-64i64..64, 50..90),
            big in proptest::option::of((0usize..90, proptest::num::i64::ANY)),
            changes in proptest::collection::vec(
                (0usize..90, proptest::prop_oneof![-70i64..70, proptest::num::i64::ANY]), 0..6),
        ) {
            if let Some((at, v)) = big {
                let at = at % a.len();
                a[at] = v;
            }
            let mut b = a.clone();
            let mut ranges = Vec::new();
            for &(at, v) in &changes {
                if let Some(x) = b.get_mut(at) {
                    *x = v;
                    ranges.push(at..at + 1);
                }
            }
            ranges.sort_by_key(|r| r.start);
            ranges.dedup();
            let (mut parent, mut whole) = (Vec::new(), vec![9]);
            pack(&a, &mut parent);
            pack(&b, &mut whole);
            for within in [Some(&ranges[..]), None] {
                let mut patched = vec![9];
                pack_from(&parent, &b, within, &mut patched);
                proptest::prop_assert_eq!(&patched, &whole);
            }
        }
    }

    #[test]
    fn fingerprints_differ_by_place_and_value() {
        // Moving a value, swapping two, or changing one by one all change
        // the fingerprint (a sum of per-place terms, not of values).
        let base = [0, 1, 2, 0, 0, 5, 0, 0, 0, 0, 7];
        let mut seen = std::collections::HashSet::new();
        assert!(seen.insert(fingerprint(&base)));
        for i in 0..base.len() {
            for d in [-1, 1, 64, i64::MIN] {
                let mut s = base;
                s[i] = s[i].wrapping_add(d);
                assert!(seen.insert(fingerprint(&s)), "{s:?}");
            }
            for j in i + 1..base.len() {
                let mut s = base;
                s.swap(i, j);
                if s != base {
                    assert!(seen.insert(fingerprint(&s)), "{s:?}");
                }
            }
        }
        // the empty state and the all-zero ones of any length differ too
        let zeros: Vec<u64> = (0..10).map(|n| fingerprint(&vec![0; n])).collect();
        let distinct: std::collections::HashSet<_> = zeros.iter().collect();
        assert_eq!(distinct.len(), zeros.len());
    }

    #[test]
    fn fingerprint_table_finds_what_it_holds() {
        let mut t = FpTable::new(true);
        for i in 0..10_000u64 {
            let fp = i.wrapping_mul(0x9E37_79B9_7F4A_7C15);
            assert_eq!(t.find(fp), Found::New);
            t.insert_new(fp);
        }
        for i in 0..10_000u64 {
            let fp = i.wrapping_mul(0x9E37_79B9_7F4A_7C15);
            assert_eq!(t.find(fp), Found::Old(Some(i as u32)));
        }
        assert_eq!(t.find(12345), Found::New);
        // 80% full at most, grown by half: 10 to 15 bytes a state
        let slots: usize = t.shards.iter().map(|s| s.slots.len()).sum();
        let per_state = slots as f64 * 8.0 / t.len as f64;
        assert!((10.0..=15.1).contains(&per_state), "{per_state}");
    }

    #[test]
    fn exact_table_compares_states() {
        let mut t = ExactTable::new(2);
        t.insert_new(5, &[1, 2]);
        // same fingerprint, other state: not found
        assert_eq!(t.find(5, &[2, 1]), Found::New);
        t.insert_new(5, &[2, 1]);
        assert_eq!(t.find(5, &[2, 1]), Found::Old(Some(1)));
        assert_eq!(t.state(0), &[1, 2]);
    }

    #[test]
    fn log_reads_back_from_memory_and_file() {
        for on_disk in [false, true] {
            let mut log = Log::new(on_disk);
            for i in 0..100 {
                log.push(Parent {
                    state: i,
                    thread: i % 3,
                    branch: i * 2,
                });
                if i % 10 == 0 {
                    assert!(log.flush().is_ok());
                }
            }
            for i in [0, 9, 10, 55, 99] {
                assert_eq!(log.get(i).state, i);
                assert_eq!(log.get(i).branch, i * 2);
            }
        }
    }
}
