//! Loom-built stand-ins for the weft objects and cells loom has no type for.
//! `weft emit loom` prints this module inside every self-contained test, and
//! the agreement harness (`tests/loom/agreement.rs`) compiles it once for all
//! generated models. Everything that blocks is built on loom's `Mutex`,
//! `Condvar` or `loom::thread::park`, so loom sees every wait and reports a
//! deadlock when all threads wait. A misuse that weft calls a `runtime`
//! error panics with a message starting `runtime:`.
#![allow(dead_code)]
// `Plain` must hand out the value behind a `loom::cell::UnsafeCell`, whose
// only interface is a raw pointer; loom checks every such access for races.
#![allow(unsafe_code)]

use loom::cell::UnsafeCell;
pub use loom::sync::{Condvar, Mutex, RwLock};
use loom::sync::{MutexGuard, RwLockReadGuard, RwLockWriteGuard};
use std::collections::VecDeque;

use loom::sync::atomic::Ordering::Relaxed;
pub use loom::sync::atomic::Ordering::SeqCst;
pub use loom::sync::atomic::{AtomicBool, AtomicI64};

/// A plain `shared` cell. Its accesses go through a `loom::cell::UnsafeCell`,
/// so loom's causality checker reports two unordered accesses (one a write)
/// as a data race. A shadow copy outside loom mirrors every write: `peek`
/// reads it for `assert` and `final assert`, whose reads never race in weft.
///
/// loom never preempts a thread at an `UnsafeCell` access, so each access
/// first touches the cell's `probe` (a relaxed read-modify-write, which
/// orders nothing): that makes it a scheduling point, dependent only on the
/// other accesses of the same cell, as a step of weft is.
pub struct Plain<T: Copy> {
    cell: UnsafeCell<T>,
    probe: loom::sync::atomic::AtomicUsize,
    shadow: std::sync::Mutex<T>,
}

impl<T: Copy> Plain<T> {
    pub fn new(value: T) -> Self {
        Plain {
            cell: UnsafeCell::new(value),
            probe: loom::sync::atomic::AtomicUsize::new(0),
            shadow: std::sync::Mutex::new(value),
        }
    }

    /// A read step.
    pub fn get(&self) -> T {
        self.probe.fetch_add(1, Relaxed);
        // SAFETY: loom runs one thread at a time, and it checks this access
        // against every unordered access of other threads before it happens.
        self.cell.with(|p| unsafe { *p })
    }

    /// A write step.
    pub fn set(&self, value: T) {
        self.probe.fetch_add(1, Relaxed);
        // SAFETY: as in `get`.
        self.cell.with_mut(|p| unsafe { *p = value });
        *lock_std(&self.shadow) = value;
    }

    /// The value as an assertion sees it: not an access, never a race.
    pub fn peek(&self) -> T {
        *lock_std(&self.shadow)
    }
}

/// A `ghost` variable: never a step, never a race.
pub struct Ghost<T: Copy>(std::sync::Mutex<T>);

impl<T: Copy> Ghost<T> {
    pub fn new(value: T) -> Self {
        Ghost(std::sync::Mutex::new(value))
    }
    pub fn get(&self) -> T {
        *lock_std(&self.0)
    }
    pub fn set(&self, value: T) {
        *lock_std(&self.0) = value;
    }
}

fn lock_std<T>(m: &std::sync::Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

fn wait<'a, T>(cv: &Condvar, g: MutexGuard<'a, T>) -> MutexGuard<'a, T> {
    cv.wait(g).unwrap_or_else(|e| e.into_inner())
}

/// An index into an array of cells or objects; a negative one is out of bounds.
pub fn ix(i: i64) -> usize {
    usize::try_from(i).unwrap_or_else(|_| panic!("runtime: index {i} out of bounds"))
}

/// A value stored into a range-restricted cell.
pub fn in_range(value: i64, lo: i64, hi: i64) -> i64 {
    if value < lo || value >= hi {
        panic!("runtime: {value} is outside the range {lo}..{hi}");
    }
    value
}

/// `x.fetch_add(d)` on an atomic int: loom's wraps around on overflow,
/// where weft stops with a runtime error.
pub fn fetch_add(x: &AtomicI64, d: i64) -> i64 {
    let old = x.fetch_add(d, SeqCst);
    if old.checked_add(d).is_none() {
        panic!("runtime: {old} + {d} overflows");
    }
    old
}

/// `x.fetch_sub(d)` on an atomic int, with weft's overflow error.
pub fn fetch_sub(x: &AtomicI64, d: i64) -> i64 {
    let old = x.fetch_sub(d, SeqCst);
    if old.checked_sub(d).is_none() {
        panic!("runtime: {old} - {d} overflows");
    }
    old
}

/// The locks one weft thread holds. weft's `m.lock()` and `m.unlock()` need
/// not nest like Rust scopes, so the thread keeps loom's guards here,
/// keyed by the lock's address.
#[derive(Default)]
pub struct Held<'a> {
    mutexes: Vec<(usize, MutexGuard<'a, ()>)>,
    reads: Vec<(usize, RwLockReadGuard<'a, ()>)>,
    writes: Vec<(usize, RwLockWriteGuard<'a, ()>)>,
}

fn key<T>(x: &T) -> usize {
    x as *const T as usize
}

fn take<G>(list: &mut Vec<(usize, G)>, k: usize) -> Option<G> {
    let at = list.iter().position(|(key, _)| *key == k)?;
    Some(list.swap_remove(at).1)
}

impl<'a> Held<'a> {
    pub fn new() -> Self {
        Held::default()
    }

    pub fn lock(&mut self, m: &'a Mutex<()>) {
        if self.mutexes.iter().any(|(k, _)| *k == key(m)) {
            panic!("runtime: locking a mutex this thread already holds");
        }
        self.mutexes.push((key(m), lock(m)));
    }

    pub fn try_lock(&mut self, m: &'a Mutex<()>) -> bool {
        if self.mutexes.iter().any(|(k, _)| *k == key(m)) {
            panic!("runtime: locking a mutex this thread already holds");
        }
        match m.try_lock() {
            Ok(g) => {
                self.mutexes.push((key(m), g));
                true
            }
            Err(_) => false,
        }
    }

    pub fn unlock(&mut self, m: &'a Mutex<()>) {
        if take(&mut self.mutexes, key(m)).is_none() {
            panic!("runtime: unlocking a mutex this thread does not hold");
        }
    }

    /// `cv.wait(m)`: loom's `Condvar::wait` on the guard this thread holds.
    pub fn wait(&mut self, cv: &Condvar, m: &'a Mutex<()>) {
        let Some(g) = take(&mut self.mutexes, key(m)) else {
            panic!("runtime: cv.wait(m) without holding m");
        };
        let g = wait(cv, g);
        self.mutexes.push((key(m), g));
    }

    /// As weft: a second read lock is an error (read locks are not
    /// counted); a read lock under this thread's write lock waits for
    /// itself, and loom reports the deadlock.
    pub fn read_lock(&mut self, rw: &'a RwLock<()>) {
        if self.reads.iter().any(|(k, _)| *k == key(rw)) {
            panic!("runtime: read_lock of a rwlock this thread already holds for reading");
        }
        self.reads
            .push((key(rw), rw.read().unwrap_or_else(|e| e.into_inner())));
    }

    pub fn read_unlock(&mut self, rw: &'a RwLock<()>) {
        if take(&mut self.reads, key(rw)).is_none() {
            panic!("runtime: read_unlock of a rwlock this thread does not read-hold");
        }
    }

    /// As weft: a write lock this thread already holds in either mode
    /// waits for itself, and loom reports the deadlock.
    pub fn write_lock(&mut self, rw: &'a RwLock<()>) {
        self.writes
            .push((key(rw), rw.write().unwrap_or_else(|e| e.into_inner())));
    }

    pub fn write_unlock(&mut self, rw: &'a RwLock<()>) {
        if take(&mut self.writes, key(rw)).is_none() {
            panic!("runtime: write_unlock of a rwlock this thread does not write-hold");
        }
    }
}

/// Threads parked (`loom::thread::park`) until a change of state they wait
/// for, which is kept behind a loom `Mutex`.
///
/// A thread registers itself while it holds that lock, then releases the
/// lock and parks with no scheduling point in between; whoever makes the
/// change, holding the lock, takes the threads off the list and unparks
/// them. So a waker always finds its sleepers parked, and a parked thread
/// is blocked: loom reports a deadlock when every thread waits. `unpark` is
/// no loom operation and no shim holds its lock across a scheduling point,
/// so a shim call costs one loom operation (its `lock`), plus one (the
/// `lock` again) for each wake-up after which the thread must test its
/// condition again. The list itself lives outside loom (it is only changed
/// under the loom lock), so a woken thread can see that it was taken off it
/// without a loom operation, and parks again if it was not.
#[derive(Default)]
struct Sleepers(std::sync::Mutex<Vec<loom::thread::Thread>>);

impl Sleepers {
    /// Park until woken. `guard` is the loom lock the caller holds; it is
    /// released in between, with no scheduling point.
    fn park<G>(&self, guard: G) {
        let me = loom::thread::current();
        {
            let mut list = lock_std(&self.0);
            if !list.iter().any(|t| t.id() == me.id()) {
                list.push(me.clone());
            }
        }
        drop(guard);
        loop {
            loom::thread::park();
            if !lock_std(&self.0).iter().any(|t| t.id() == me.id()) {
                return;
            }
        }
    }

    /// Unpark every thread parked here (the caller holds the loom lock).
    fn wake_all(&self) {
        for t in lock_std(&self.0).drain(..) {
            t.unpark();
        }
    }
}

/// A value behind a loom `Mutex`, with the threads parked until it changes.
/// Every change wakes every sleeper: whichever of them (or another thread)
/// locks first wins, as any blocked thread of weft may take the next step.
struct Guarded<T> {
    state: Mutex<T>,
    sleepers: Sleepers,
}

impl<T> Guarded<T> {
    fn new(value: T) -> Self {
        Guarded {
            state: Mutex::new(value),
            sleepers: Sleepers::default(),
        }
    }

    fn lock(&self) -> MutexGuard<'_, T> {
        lock(&self.state)
    }

    /// Sleep until `blocked` is false, holding the lock again on return: a
    /// woken thread locks again and tests `blocked` again.
    fn wait_while<'a>(
        &'a self,
        mut g: MutexGuard<'a, T>,
        mut blocked: impl FnMut(&T) -> bool,
    ) -> MutexGuard<'a, T> {
        while blocked(&g) {
            self.sleepers.park(g);
            g = self.lock();
        }
        g
    }

    fn wake_all(&self) {
        self.sleepers.wake_all();
    }
}

/// A counting semaphore.
pub struct Semaphore(Guarded<i64>);

impl Semaphore {
    pub fn new(permits: i64) -> Self {
        Semaphore(Guarded::new(permits))
    }
    pub fn acquire(&self) {
        let g = self.0.lock();
        let mut g = self.0.wait_while(g, |p| *p == 0);
        *g -= 1;
    }
    pub fn try_acquire(&self) -> bool {
        let mut g = self.0.lock();
        if *g == 0 {
            return false;
        }
        *g -= 1;
        true
    }
    pub fn release(&self) {
        let mut g = self.0.lock();
        *g += 1;
        self.0.wake_all();
    }
}

struct ChannelState {
    buffer: VecDeque<i64>,
    closed: bool,
    /// Capacity 0: the value on offer, and how many hand-overs are done.
    offer: Option<i64>,
    offered: u64,
    taken: u64,
}

/// A FIFO channel of ints; capacity 0 is a rendezvous: a sender puts its
/// value on offer (one at a time) and sleeps until a receiver takes it.
pub struct Channel {
    capacity: usize,
    state: Mutex<ChannelState>,
    /// Senders waiting for room (or for the offer to be free).
    senders: Sleepers,
    /// Receivers waiting for a value.
    receivers: Sleepers,
    /// Capacity 0: the sender whose value is on offer.
    offerer: Sleepers,
}

impl Channel {
    pub fn new(capacity: i64) -> Self {
        Channel {
            capacity: usize::try_from(capacity).unwrap_or(0),
            state: Mutex::new(ChannelState {
                buffer: VecDeque::new(),
                closed: false,
                offer: None,
                offered: 0,
                taken: 0,
            }),
            senders: Sleepers::default(),
            receivers: Sleepers::default(),
            offerer: Sleepers::default(),
        }
    }

    pub fn send(&self, value: i64) {
        let mut st = lock(&self.state);
        let full = |c: &ChannelState| {
            !c.closed
                && if self.capacity == 0 {
                    c.offer.is_some()
                } else {
                    c.buffer.len() == self.capacity
                }
        };
        while full(&st) {
            self.senders.park(st);
            st = lock(&self.state);
        }
        if st.closed {
            panic!("runtime: send on a closed channel");
        }
        self.receivers.wake_all();
        if self.capacity == 0 {
            st.offer = Some(value);
            st.offered += 1;
            let mine = st.offered;
            // The receiver that takes the value wakes this thread.
            while st.taken < mine {
                self.offerer.park(st);
                st = lock(&self.state);
            }
        } else {
            st.buffer.push_back(value);
        }
    }

    /// The next value, or `None` once the channel is closed and drained.
    pub fn next(&self) -> Option<i64> {
        let mut st = lock(&self.state);
        while st.buffer.is_empty() && st.offer.is_none() && !st.closed {
            self.receivers.park(st);
            st = lock(&self.state);
        }
        if let Some(v) = st.buffer.pop_front() {
            self.senders.wake_all();
            return Some(v);
        }
        if let Some(v) = st.offer.take() {
            st.taken += 1;
            self.offerer.wake_all();
            self.senders.wake_all();
            return Some(v);
        }
        None
    }

    pub fn recv(&self) -> i64 {
        self.next()
            .unwrap_or_else(|| panic!("runtime: receive on a closed, empty channel"))
    }

    pub fn close(&self) {
        let mut st = lock(&self.state);
        if st.closed {
            panic!("runtime: closing a channel that is already closed");
        }
        st.closed = true;
        self.senders.wake_all();
        self.receivers.wake_all();
    }
}

/// A reusable barrier for `parties` threads.
pub struct Barrier {
    parties: i64,
    /// Arrivals in this round, and the round number.
    state: Guarded<(i64, u64)>,
}

impl Barrier {
    pub fn new(parties: i64) -> Self {
        Barrier {
            parties,
            state: Guarded::new((0, 0)),
        }
    }
    pub fn wait(&self) {
        let mut st = self.state.lock();
        st.0 += 1;
        if st.0 == self.parties {
            st.0 = 0;
            st.1 += 1;
            self.state.wake_all();
            return;
        }
        let round = st.1;
        let _st = self.state.wait_while(st, |s| s.1 == round);
    }
}

/// A Go-style wait group.
pub struct WaitGroup(Guarded<i64>);

impl Default for WaitGroup {
    fn default() -> Self {
        WaitGroup(Guarded::new(0))
    }
}

impl WaitGroup {
    pub fn new() -> Self {
        WaitGroup::default()
    }
    pub fn add(&self, n: i64) {
        let mut c = self.0.lock();
        *c += n;
        if *c < 0 {
            panic!("runtime: negative waitgroup counter");
        }
        if *c == 0 {
            self.0.wake_all();
        }
    }
    pub fn done(&self) {
        self.add(-1);
    }
    pub fn wait(&self) {
        let c = self.0.lock();
        // The counter may rise again before a woken waiter runs: test again.
        let _c = self.0.wait_while(c, |c| *c != 0);
    }
}

/// Whether a thread has finished, for `join(t)` from another weft thread
/// (loom's `JoinHandle` belongs to the model's main thread).
pub struct Finished {
    done: Guarded<bool>,
    shadow: std::sync::Mutex<bool>,
}

impl Default for Finished {
    fn default() -> Self {
        Finished {
            done: Guarded::new(false),
            shadow: std::sync::Mutex::new(false),
        }
    }
}

impl Finished {
    pub fn new() -> Self {
        Finished::default()
    }
    pub fn finish(&self) {
        let mut d = self.done.lock();
        *d = true;
        *lock_std(&self.shadow) = true;
        self.done.wake_all();
    }
    pub fn join(&self) {
        let d = self.done.lock();
        let _d = self.done.wait_while(d, |d| !*d);
    }
    /// `done(t)` in an assertion: not a step.
    pub fn peek(&self) -> bool {
        *lock_std(&self.shadow)
    }
}

/// `await c`: spin, yielding to loom's scheduler, until `c` holds.
pub fn await_until(mut cond: impl FnMut() -> bool) {
    while !cond() {
        loom::thread::yield_now();
    }
}

/// `choose(lo..hi)`: loom explores schedules, not values, so the values are
/// enumerated around it: [`model_with_choices`] runs `loom::model` once per
/// sequence of choices, and the n-th `choose` of an execution returns the
/// n-th value of the current sequence.
pub fn choose(lo: i64, hi: i64) -> i64 {
    let mut s = lock_std(&CHOICES);
    let n = s.next;
    s.next += 1;
    if s.seen.len() <= n {
        s.seen.push(hi - lo);
    } else {
        s.seen[n] = s.seen[n].max(hi - lo);
    }
    let offset = s.script.get(n).copied().unwrap_or(0);
    if lo >= hi {
        panic!("runtime: choose over the empty range {lo}..{hi}");
    }
    lo + offset.min(hi - lo - 1)
}

struct Choices {
    /// The offsets from `lo` the choices of this run return.
    script: Vec<i64>,
    /// How many `choose` calls this execution has made.
    next: usize,
    /// The widest range seen at each position, over all executions.
    seen: Vec<i64>,
}

static CHOICES: std::sync::Mutex<Choices> = std::sync::Mutex::new(Choices {
    script: Vec::new(),
    next: 0,
    seen: Vec::new(),
});

static EXECUTIONS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// Start an execution: count it; the next `choose` is the first.
pub fn start_execution() {
    EXECUTIONS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    lock_std(&CHOICES).next = 0;
}

/// How many executions have started in this process.
pub fn executions() -> u64 {
    EXECUTIONS.load(std::sync::atomic::Ordering::Relaxed)
}

/// Run `loom::model(f)` for every sequence of `choose` values (an odometer
/// over the positions and ranges seen so far). `f` must call
/// [`start_execution`] first.
pub fn model_with_choices(f: fn()) {
    *lock_std(&CHOICES) = Choices {
        script: Vec::new(),
        next: 0,
        seen: Vec::new(),
    };
    loop {
        loom::model(f);
        let mut s = lock_std(&CHOICES);
        let seen = s.seen.clone();
        let mut script = s.script.clone();
        script.resize(seen.len(), 0);
        // Advance the odometer, the last position fastest.
        let mut i = script.len();
        loop {
            if i == 0 {
                return;
            }
            i -= 1;
            if script[i] + 1 < seen[i] {
                script[i] += 1;
                break;
            }
            script[i] = 0;
        }
        s.script = script;
    }
}
