//! loom twins of the benchmark models in `benches/programs/`: the same
//! threads doing the same shared accesses, checked exhaustively by loom
//! (no preemption bound). One model per process, because loom aborts the
//! process on a deadlock:
//!
//!     weft-bench-loom MODEL [NAME=VALUE...]
//!
//! Models and their parameters (loom allows at most 4 spawned threads):
//! `counter_locked N K`, `counter_racy N`, `philosophers N ROUNDS`,
//! `peterson ROUNDS`, `bakery N ROUNDS`, `bounded_buffer P C SIZE ROUNDS`.
//!
//! It prints `executions: E` and `elapsed: S` at the end, and the verdict:
//! `verdict: ok`, or, when an execution fails, `verdict: fail` with loom's
//! panic message (`panicked: ...`). While it runs it prints
//! `progress: E executions` to stderr every 10,000 executions, so a run
//! stopped by a time cap still shows how far it got.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering as StdOrdering};
use std::time::Instant;

use loom::cell::UnsafeCell;
use loom::sync::atomic::{AtomicBool, AtomicI64};
use loom::sync::{Condvar, Mutex};
use loom::thread;

/// Executions started so far (outside loom: loom runs every thread of an
/// execution on one OS thread, so a std atomic is only a counter).
static EXECUTIONS: AtomicU64 = AtomicU64::new(0);

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(model) = args.first().cloned() else {
        eprintln!("usage: weft-bench-loom MODEL [NAME=VALUE...]");
        std::process::exit(2);
    };
    let mut params = HashMap::new();
    for arg in &args[1..] {
        let (name, value) = arg.split_once('=').expect("NAME=VALUE");
        params.insert(name.to_string(), value.parse::<i64>().expect("an integer"));
    }
    let p = |name: &str, default: i64| *params.get(name).unwrap_or(&default);

    let start = Instant::now();
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        println!("executions: {}", EXECUTIONS.load(StdOrdering::Relaxed));
        println!("elapsed: {:.3}", start.elapsed().as_secs_f64());
        println!("verdict: fail");
        println!("panicked: {info}");
        default_hook(info);
    }));

    match model.as_str() {
        "counter_locked" => counter_locked(p("N", 2), p("K", 2)),
        "counter_racy" => counter_racy(p("N", 2)),
        "philosophers" => philosophers(p("N", 3), p("ROUNDS", 1)),
        "peterson" => peterson(p("ROUNDS", 1)),
        "bakery" => bakery(p("N", 2), p("ROUNDS", 1)),
        "bounded_buffer" => bounded_buffer(p("P", 1), p("C", 1), p("SIZE", 2), p("ROUNDS", 1)),
        other => {
            eprintln!("unknown model {other}");
            std::process::exit(2);
        }
    }
    println!("executions: {}", EXECUTIONS.load(StdOrdering::Relaxed));
    println!("elapsed: {:.3}", start.elapsed().as_secs_f64());
    println!("verdict: ok");
}

/// Runs `body` under loom, exhaustively, counting executions.
fn model<F: Fn() + Sync + Send + 'static>(body: F) {
    let mut builder = loom::model::Builder::new();
    builder.preemption_bound = None;
    builder.max_branches = 1_000_000;
    builder.check(move || {
        let n = EXECUTIONS.fetch_add(1, StdOrdering::Relaxed) + 1;
        if n.is_multiple_of(10_000) {
            eprintln!("progress: {n} executions");
        }
        body();
    });
}

/// Leaks `value` for the rest of the execution: sharing through
/// `loom::sync::Arc` would make every clone and drop a branch point.
fn leak<T>(value: T) -> &'static T {
    Box::leak(Box::new(value))
}

/// A plain shared cell: loom checks every access for a race.
struct Plain(UnsafeCell<i64>);

impl Plain {
    fn new(v: i64) -> Self {
        Plain(UnsafeCell::new(v))
    }
    fn get(&self) -> i64 {
        // SAFETY: loom's UnsafeCell checks the access for causality.
        self.0.with(|p| unsafe { *p })
    }
    fn set(&self, v: i64) {
        // SAFETY: as above.
        self.0.with_mut(|p| unsafe { *p = v })
    }
}

/// N threads, K increments each, each under one mutex.
fn counter_locked(n: i64, k: i64) {
    model(move || {
        let m = leak(Mutex::new(()));
        let counter = leak(Plain::new(0));
        let handles: Vec<_> = (0..n)
            .map(|_| {
                thread::spawn(move || {
                    for _ in 0..k {
                        let _guard = m.lock().unwrap();
                        let v = counter.get();
                        counter.set(v + 1);
                    }
                })
            })
            .collect();
        for h in handles {
            h.join().unwrap();
        }
        assert_eq!(counter.get(), n * k, "final: every increment is kept");
    });
}

/// N threads, one unsynchronized increment each.
fn counter_racy(n: i64) {
    model(move || {
        let counter = leak(Plain::new(0));
        let handles: Vec<_> = (0..n)
            .map(|_| {
                thread::spawn(move || {
                    let v = counter.get();
                    counter.set(v + 1);
                })
            })
            .collect();
        for h in handles {
            h.join().unwrap();
        }
        assert_eq!(counter.get(), n, "final: every increment is kept");
    });
}

/// N ordered philosophers, each eating ROUNDS times.
fn philosophers(n: i64, rounds: i64) {
    model(move || {
        let forks: &'static Vec<Mutex<()>> = leak((0..n).map(|_| Mutex::new(())).collect());
        let handles: Vec<_> = (0..n)
            .map(|me| {
                thread::spawn(move || {
                    let (left, right) = (me, (me + 1) % n);
                    let (first, second) = (left.min(right), left.max(right));
                    for _ in 0..rounds {
                        let _a = forks[first as usize].lock().unwrap();
                        let _b = forks[second as usize].lock().unwrap();
                    }
                })
            })
            .collect();
        for h in handles {
            h.join().unwrap();
        }
    });
}

// Peterson and the bakery access their flags, turn and tickets only with
// read-modify-write operations (`swap` for a store, `fetch_or(false)` or
// `fetch_add(0)` for a load): loom 0.7 treats a `SeqCst` load as `Acquire`
// and a `SeqCst` store as `Release`, so a load may return a value older than
// the last store, and with plain loads and stores both algorithms fail under
// loom (a causality violation on the counter within the first executions)
// although they are correct under sequential consistency, which is what weft
// and SPIN check. A read-modify-write always reads the latest value in the
// modification order, so with them loom explores the sequentially consistent
// behaviours only.

/// Peterson's algorithm for two threads, ROUNDS entries each, SeqCst atomics.
fn peterson(rounds: i64) {
    use std::sync::atomic::Ordering::SeqCst;
    model(move || {
        let flag = leak([AtomicBool::new(false), AtomicBool::new(false)]);
        let turn = leak(AtomicI64::new(0));
        let count = leak(Plain::new(0));
        let inside = leak(AtomicUsize::new(0)); // a ghost: std, not a loom step
        let handles: Vec<_> = (0..2i64)
            .map(|me| {
                thread::spawn(move || {
                    let other = 1 - me;
                    for _ in 0..rounds {
                        flag[me as usize].swap(true, SeqCst);
                        turn.swap(other, SeqCst);
                        while flag[other as usize].fetch_or(false, SeqCst)
                            && turn.fetch_add(0, SeqCst) == other
                        {
                            thread::yield_now();
                        }
                        let now = inside.fetch_add(1, StdOrdering::Relaxed) + 1;
                        assert_eq!(now, 1, "invariant: mutual exclusion");
                        let v = count.get();
                        count.set((v + 1) % 4);
                        inside.fetch_sub(1, StdOrdering::Relaxed);
                        flag[me as usize].swap(false, SeqCst);
                    }
                })
            })
            .collect();
        for h in handles {
            h.join().unwrap();
        }
        assert_eq!(count.get(), (2 * rounds) % 4, "final: no increment is lost");
    });
}

/// Lamport's bakery for N threads, ROUNDS entries each, SeqCst atomics.
fn bakery(n: i64, rounds: i64) {
    use std::sync::atomic::Ordering::SeqCst;
    model(move || {
        let choosing: &'static Vec<AtomicBool> =
            leak((0..n).map(|_| AtomicBool::new(false)).collect());
        let number: &'static Vec<AtomicI64> = leak((0..n).map(|_| AtomicI64::new(0)).collect());
        let count = leak(Plain::new(0));
        let inside = leak(AtomicUsize::new(0));
        let handles: Vec<_> = (0..n)
            .map(|me| {
                thread::spawn(move || {
                    for _ in 0..rounds {
                        choosing[me as usize].swap(true, SeqCst);
                        let mut max = 0;
                        for j in 0..n {
                            if j != me {
                                max = max.max(number[j as usize].fetch_add(0, SeqCst));
                            }
                        }
                        let mine = max + 1;
                        number[me as usize].swap(mine, SeqCst);
                        choosing[me as usize].swap(false, SeqCst);
                        for j in 0..n {
                            if j == me {
                                continue;
                            }
                            while choosing[j as usize].fetch_or(false, SeqCst) {
                                thread::yield_now();
                            }
                            loop {
                                let theirs = number[j as usize].fetch_add(0, SeqCst);
                                if theirs == 0 || theirs > mine || (theirs == mine && j > me) {
                                    break;
                                }
                                thread::yield_now();
                            }
                        }
                        let now = inside.fetch_add(1, StdOrdering::Relaxed) + 1;
                        assert_eq!(now, 1, "invariant: mutual exclusion");
                        let v = count.get();
                        count.set(v + 1);
                        inside.fetch_sub(1, StdOrdering::Relaxed);
                        number[me as usize].swap(0, SeqCst);
                    }
                })
            })
            .collect();
        for h in handles {
            h.join().unwrap();
        }
        assert_eq!(count.get(), n * rounds, "final: no increment is lost");
    });
}

/// A counting semaphore on loom's mutex and condvar.
struct Semaphore {
    permits: Mutex<i64>,
    cv: Condvar,
}

impl Semaphore {
    fn new(permits: i64) -> Self {
        Semaphore {
            permits: Mutex::new(permits),
            cv: Condvar::new(),
        }
    }
    fn acquire(&self) {
        let mut permits = self.permits.lock().unwrap();
        while *permits == 0 {
            permits = self.cv.wait(permits).unwrap();
        }
        *permits -= 1;
    }
    fn release(&self) {
        *self.permits.lock().unwrap() += 1;
        self.cv.notify_one();
    }
}

/// A bounded buffer of SIZE slots, P producers and C consumers, ROUNDS items
/// each (P == C).
fn bounded_buffer(p: i64, c: i64, size: i64, rounds: i64) {
    model(move || {
        let buf: &'static Vec<Plain> = leak((0..size).map(|_| Plain::new(0)).collect());
        let in_pos = leak(Plain::new(0));
        let out_pos = leak(Plain::new(0));
        let free_slots = leak(Semaphore::new(size));
        let filled_slots = leak(Semaphore::new(0));
        let put_lock = leak(Mutex::new(()));
        let take_lock = leak(Mutex::new(()));
        let mut handles = Vec::new();
        for me in 0..p {
            handles.push(thread::spawn(move || {
                for _ in 0..rounds {
                    free_slots.acquire();
                    {
                        let _g = put_lock.lock().unwrap();
                        let i = in_pos.get();
                        buf[i as usize].set(me + 1);
                        in_pos.set((i + 1) % size);
                    }
                    filled_slots.release();
                }
            }));
        }
        for _ in 0..c {
            handles.push(thread::spawn(move || {
                for _ in 0..rounds {
                    filled_slots.acquire();
                    {
                        let _g = take_lock.lock().unwrap();
                        let o = out_pos.get();
                        let item = buf[o as usize].get();
                        assert!(item != 0, "assertion: the slot holds an item");
                        buf[o as usize].set(0);
                        out_pos.set((o + 1) % size);
                    }
                    free_slots.release();
                }
            }));
        }
        for h in handles {
            h.join().unwrap();
        }
    });
}
