//! A one-slot buffer with a mutex and two condition variables: a producer
//! puts two items, two consumers take one each
//! (`programs/15_bounded_buffer_condvar.weft`). Waiting with `if` instead of
//! `while` lets a consumer take from an empty slot
//! (`16_bounded_buffer_if_not_while.weft`).

use loom::sync::{Arc, Condvar, Mutex};
use loom::thread;

struct Buffer {
    /// The slot: `Some(item)` when full.
    slot: Mutex<Option<i64>>,
    not_full: Condvar,
    not_empty: Condvar,
}

fn run(recheck: bool) {
    crate::shim::start_execution();
    let buf = Arc::new(Buffer {
        slot: Mutex::new(None),
        not_full: Condvar::new(),
        not_empty: Condvar::new(),
    });
    let producer = {
        let buf = buf.clone();
        thread::spawn(move || {
            for item in 1..3 {
                let mut slot = buf.slot.lock().expect("m");
                while slot.is_some() {
                    slot = buf.not_full.wait(slot).expect("m");
                }
                *slot = Some(item);
                buf.not_empty.notify_one();
            }
        })
    };
    let consumers: Vec<_> = (0..2)
        .map(|_| {
            let buf = buf.clone();
            thread::spawn(move || {
                let mut slot = buf.slot.lock().expect("m");
                if recheck {
                    while slot.is_none() {
                        slot = buf.not_empty.wait(slot).expect("m");
                    }
                } else if slot.is_none() {
                    slot = buf.not_empty.wait(slot).expect("m");
                }
                let item = slot.take();
                assert!(item.is_some(), "assertion: there is an item to take");
                buf.not_full.notify_one();
            })
        })
        .collect();
    producer.join().expect("producer");
    for c in consumers {
        c.join().expect("consumer");
    }
    assert!(
        buf.slot.lock().expect("m").is_none(),
        "final: both items were taken"
    );
}

pub fn with_while() {
    loom::model(|| run(true));
}

pub fn with_if() {
    loom::model(|| run(false));
}
