//! How each kind of bug is usually fixed: the help line of its diagnostic.

use weft_explore::{Finding, Kind};

/// How bugs of each kind are usually fixed, in one line.
pub fn help(kind: Kind) -> &'static str {
    match kind {
        Kind::Assertion => {
            "another thread changed what the assertion checks between two of its steps: \
             make the change and the check indivisible (hold one mutex around both, or use \
             an `atomic { }` block)"
        }
        Kind::Invariant => {
            "some step leaves the invariant false: do the updates that restore it in the \
             same step (one `atomic { }` block), or guard every update and every reader \
             with one mutex"
        }
        Kind::Final => {
            "some interleaving ends in a wrong state: make each read-modify-write one step, \
             with a mutex around it (`with m { ... }`) or an atomic operation \
             (`x.fetch_add(1)`)"
        }
        Kind::Deadlock => {
            "take locks in one global order in every thread (or take them all at once), \
             and make sure every blocked thread has someone left to wake it"
        }
        Kind::DataRace => {
            "protect every access to this variable with the same mutex (`with m { ... }`), \
             or declare it `atomic` and use its operations"
        }
        Kind::LostUpdate => {
            "the write is based on a value another thread overwrote in between: hold one \
             mutex from the read to the write, or use an atomic read-modify-write such as \
             `x.fetch_add(1)` or `x.cas(old, new)`"
        }
        Kind::Livelock => {
            "the threads keep reacting to each other forever: break the symmetry (an order \
             or a turn variable, as in Peterson's algorithm), or block until the other \
             thread is done instead of retrying"
        }
        Kind::Runtime => {
            "check the operands before the operation (divisor, index, range), make each \
             thread release only what it holds, exactly once, and let every loop reach a \
             step (a shared access, a lock, `await`) or its end"
        }
        Kind::Starvation => {
            "a thread can be overtaken forever: use a `fair` mutex, rwlock or semaphore \
             (FIFO service), or a turn variable that hands access over"
        }
    }
}

/// The help line of one finding: its kind's ([`help`]), except for a
/// livelock that one thread spins alone, where nobody is reacting to
/// anybody: it waits for a condition the others do not change; and for
/// an invariant false in the initial state, where no step is to blame.
pub fn finding_help(f: &Finding) -> &'static str {
    let mut threads = f.cycle.iter().map(|s| s.thread);
    let alone = threads
        .next()
        .is_some_and(|first| threads.all(|t| t == first));
    match f.kind {
        Kind::Livelock if alone => {
            "one thread spins alone on a condition that no other thread changes here (they \
             have finished or wait, perhaps for a lock it holds): let the thread that sets it \
             run, or block (`await`, a condition variable, `join`) instead of spinning"
        }
        Kind::Invariant if f.schedule.is_empty() => {
            "the invariant is false before any step: the declared initial values break it; \
             change them, or the invariant"
        }
        kind => help(kind),
    }
}

/// What to add to the help of a violation whose schedule flushes a store
/// buffer (`--memory-model tso` or `pso`): the kinds a reordered write can
/// cause.
pub fn weak_help(kind: Kind) -> Option<&'static str> {
    match kind {
        Kind::Assertion | Kind::Invariant | Kind::Final | Kind::LostUpdate | Kind::Livelock => {
            Some(
                "under this memory model a write can also wait in its thread's store buffer \
                 while the thread goes on: `fence;` after the write (or an `atomic` \
                 variable, or a mutex) makes other threads see it in order",
            )
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finding(kind: Kind, schedule: usize) -> Finding {
        let step = weft_explore::Step {
            thread: 0,
            branch: 0,
            span: Default::default(),
            action: String::new(),
            values: Vec::new(),
        };
        Finding {
            kind,
            message: String::new(),
            locations: Vec::new(),
            schedule: vec![step; schedule],
            cycle: Vec::new(),
            deadlock: None,
        }
    }

    #[test]
    fn an_invariant_false_at_the_start_blames_the_initial_values() {
        assert!(finding_help(&finding(Kind::Invariant, 0)).contains("initial values"));
        assert_eq!(
            finding_help(&finding(Kind::Invariant, 2)),
            help(Kind::Invariant)
        );
    }
}
