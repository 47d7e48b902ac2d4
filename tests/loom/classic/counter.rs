//! Two threads add 1 to a counter: `programs/01_counter_race.weft` (no lock:
//! loom's causality checker reports the race), `03_counter_locked.weft`
//! (a mutex) and `04_counter_atomic.weft` (`fetch_add`, here with two
//! threads where the weft program runs with `-D N=3`).

use loom::cell::UnsafeCell;
use loom::sync::atomic::{AtomicI64, Ordering::SeqCst};
use loom::sync::{Arc, Mutex};
use loom::thread;

/// A plain counter two threads increment with a read and a write.
struct Counter(UnsafeCell<i64>);

// SAFETY: loom checks every access for races; that is the point.
#[allow(unsafe_code)]
unsafe impl Sync for Counter {}

impl Counter {
    #[allow(unsafe_code)]
    fn get(&self) -> i64 {
        // SAFETY: loom runs one thread at a time and checks this access.
        self.0.with(|p| unsafe { *p })
    }
    #[allow(unsafe_code)]
    fn set(&self, v: i64) {
        // SAFETY: as in `get`.
        self.0.with_mut(|p| unsafe { *p = v })
    }
}

pub fn racy() {
    loom::model(|| {
        crate::shim::start_execution();
        let counter = Arc::new(Counter(UnsafeCell::new(0)));
        let handles: Vec<_> = (0..2)
            .map(|_| {
                let counter = counter.clone();
                thread::spawn(move || counter.set(counter.get() + 1))
            })
            .collect();
        for h in handles {
            h.join().expect("inc");
        }
        assert_eq!(counter.get(), 2, "final: both increments are kept");
    });
}

pub fn locked() {
    loom::model(|| {
        crate::shim::start_execution();
        let counter = Arc::new(Mutex::new(0i64));
        let handles: Vec<_> = (0..2)
            .map(|_| {
                let counter = counter.clone();
                thread::spawn(move || {
                    let mut c = counter.lock().expect("m");
                    *c += 1;
                })
            })
            .collect();
        for h in handles {
            h.join().expect("inc");
        }
        assert_eq!(
            *counter.lock().expect("m"),
            2,
            "final: both increments are kept"
        );
    });
}

pub fn atomic() {
    loom::model(|| {
        crate::shim::start_execution();
        let counter = Arc::new(AtomicI64::new(0));
        let handles: Vec<_> = (0..2)
            .map(|_| {
                let counter = counter.clone();
                thread::spawn(move || {
                    counter.fetch_add(1, SeqCst);
                })
            })
            .collect();
        for h in handles {
            h.join().expect("inc");
        }
        assert_eq!(counter.load(SeqCst), 2, "final: every increment is kept");
    });
}
