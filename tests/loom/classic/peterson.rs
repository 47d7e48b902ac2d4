//! Peterson's mutual exclusion with `SeqCst` atomics, two threads, two
//! rounds each, guarding a plain counter (`programs/42_peterson_atomic.weft`).
//! weft (sequential consistency) proves it; loom treats `SeqCst` loads as
//! `AcqRel` (loom issue #180), so a thread can read a stale `flag` and both
//! enter: loom reports the counter's accesses as a causality violation.
//! docs/loom.md lists this difference; the harness asserts it.

use loom::cell::UnsafeCell;
use loom::sync::atomic::{AtomicBool, AtomicI64, Ordering::SeqCst};
use loom::sync::Arc;
use loom::thread;

struct State {
    flag: [AtomicBool; 2],
    turn: AtomicI64,
    count: UnsafeCell<i64>,
}

// SAFETY: loom checks every access to `count`; that is the point.
#[allow(unsafe_code)]
unsafe impl Sync for State {}

#[allow(unsafe_code)]
fn process(s: &State, me: usize) {
    let other = 1 - me;
    for _round in 0..2 {
        s.flag[me].store(true, SeqCst);
        s.turn.store(other as i64, SeqCst);
        while s.flag[other].load(SeqCst) && s.turn.load(SeqCst) == other as i64 {
            thread::yield_now();
        }
        // SAFETY: loom runs one thread at a time and checks these accesses.
        let c = s.count.with(|p| unsafe { *p });
        s.count.with_mut(|p| unsafe { *p = c + 1 });
        s.flag[me].store(false, SeqCst);
    }
}

#[allow(unsafe_code)]
pub fn seqcst() {
    loom::model(|| {
        crate::shim::start_execution();
        let s = Arc::new(State {
            flag: [AtomicBool::new(false), AtomicBool::new(false)],
            turn: AtomicI64::new(0),
            count: UnsafeCell::new(0),
        });
        let s1 = s.clone();
        let p0 = thread::spawn(move || process(&s1, 0));
        process(&s, 1);
        p0.join().expect("p[0]");
        // SAFETY: both threads have finished.
        let count = s.count.with(|p| unsafe { *p });
        assert_eq!(count, 4, "final: no increment is lost");
    });
}
