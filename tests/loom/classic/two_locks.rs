//! Two threads take two locks: in opposite orders loom finds the deadlock
//! (`programs/09_lock_order_deadlock.weft`); in one order it passes
//! (`10_lock_order_fixed.weft`).

use loom::sync::{Arc, Mutex};
use loom::thread;

fn run(left_first: bool) {
    crate::shim::start_execution();
    let a = Arc::new(Mutex::new(0i64));
    let b = Arc::new(Mutex::new(0i64));
    let (a2, b2) = (a.clone(), b.clone());
    let left = thread::spawn(move || {
        let _a = a2.lock().expect("a");
        let mut b = b2.lock().expect("b");
        *b += 1;
    });
    let (a3, b3) = (a.clone(), b.clone());
    let right = thread::spawn(move || {
        if left_first {
            let _a = a3.lock().expect("a");
            let mut b = b3.lock().expect("b");
            *b += 1;
        } else {
            let mut b = b3.lock().expect("b");
            let _a = a3.lock().expect("a");
            *b += 1;
        }
    });
    left.join().expect("left");
    right.join().expect("right");
    assert_eq!(*b.lock().expect("b"), 2, "final: x == 2");
}

pub fn opposite_orders() {
    loom::model(|| run(false));
}

pub fn one_order() {
    loom::model(|| run(true));
}
