//! A waiter sleeps on a condition variable until a signaller notifies it.
//! Waiting without a condition loses a notify that comes first: loom
//! reports the deadlock (`programs/17_lost_wakeup.weft`). A flag under the
//! lock, checked in a `while`, fixes it (`19_condvar_flag_fixed.weft`).

use loom::sync::{Arc, Condvar, Mutex};
use loom::thread;

pub fn notify_first() {
    loom::model(|| {
        crate::shim::start_execution();
        let pair = Arc::new((Mutex::new(()), Condvar::new()));
        let waiter = {
            let pair = pair.clone();
            thread::spawn(move || {
                let (m, cv) = &*pair;
                let g = m.lock().expect("m");
                let _g = cv.wait(g).expect("m");
            })
        };
        let signaller = {
            let pair = pair.clone();
            thread::spawn(move || {
                let (m, cv) = &*pair;
                let _g = m.lock().expect("m");
                cv.notify_one();
            })
        };
        waiter.join().expect("waiter");
        signaller.join().expect("signaller");
    });
}

pub fn flag_under_lock() {
    loom::model(|| {
        crate::shim::start_execution();
        let pair = Arc::new((Mutex::new(false), Condvar::new()));
        let waiters: Vec<_> = (0..2)
            .map(|_| {
                let pair = pair.clone();
                thread::spawn(move || {
                    let (m, cv) = &*pair;
                    let mut ready = m.lock().expect("m");
                    while !*ready {
                        ready = cv.wait(ready).expect("m");
                    }
                })
            })
            .collect();
        let signaller = {
            let pair = pair.clone();
            thread::spawn(move || {
                let (m, cv) = &*pair;
                *m.lock().expect("m") = true;
                cv.notify_all();
            })
        };
        for w in waiters {
            w.join().expect("waiter");
        }
        signaller.join().expect("signaller");
    });
}
