//! The canonical form against plain search: on every catalogue program and
//! on handwritten symmetric ones, the canonical forms of all states reached
//! without reduction are exactly the keys reached with it; and for random
//! reachable states and permutations, a permuted state is reachable and
//! has the same canonical form.

use super::{Scratch, Symmetry};
use crate::exec::{Exec, ThreadStep};
use crate::Kind;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use rustc_hash::{FxHashMap, FxHashSet};
use std::collections::VecDeque;
use weft_ir::{Program, Value};

type State = Vec<Value>;

fn compile(src: &str, defines: &[(&str, usize)]) -> Program {
    let ast = weft_syntax::parse(src).unwrap_or_else(|e| panic!("parse: {e:?}\n{src}"));
    let defines: Vec<(String, String)> = defines
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    weft_lower::compile(&ast, &defines).unwrap_or_else(|e| panic!("compile: {e:?}\n{src}"))
}

/// Every check but the liveness ones (which turn symmetry off).
fn safety() -> Vec<Kind> {
    Kind::ALL
        .into_iter()
        .filter(|k| !matches!(k, Kind::Livelock | Kind::Starvation))
        .collect()
}

/// Successors of `s`: every thread, every branch that did not fail.
fn successors(exec: &Exec, s: &[Value], step: &mut ThreadStep, out: &mut Vec<State>) {
    out.clear();
    for t in 0..exec.program.threads.len() {
        exec.step(s, t, step);
        for tr in step.transitions.drain(..) {
            if tr.event.is_none() {
                out.push(tr.state);
            }
        }
    }
}

/// Breadth-first search; the visited set is keyed by `key` (the identity or
/// the canonical form); None when more than `cap` states are found.
fn bfs(exec: &Exec, cap: usize, key: &mut dyn FnMut(&mut State)) -> Option<FxHashSet<State>> {
    let init = exec.initial();
    let mut seen = FxHashSet::default();
    let mut k = init.clone();
    key(&mut k);
    seen.insert(k);
    let mut queue = VecDeque::from([init]);
    let (mut step, mut next) = (ThreadStep::default(), Vec::new());
    while let Some(s) = queue.pop_front() {
        successors(exec, &s, &mut step, &mut next);
        for n in next.drain(..) {
            let mut k = n.clone();
            key(&mut k);
            if seen.insert(k) {
                if seen.len() > cap {
                    return None;
                }
                queue.push_back(n);
            }
        }
    }
    Some(seen)
}

/// Plain and reduced state counts, after asserting that the canonical forms
/// of the plain states are exactly the reduced keys. None when no group is
/// permuted or the program has more than `cap` states.
fn orbits(name: &str, program: &Program, cap: usize) -> Option<(usize, usize)> {
    let exec = Exec::new(program);
    let sym = Symmetry::new(&exec, &safety())?;
    let mut scratch = Scratch::default();
    let plain = bfs(&exec, cap, &mut |_| {})?;
    let mut canon: FxHashSet<State> = FxHashSet::default();
    for s in &plain {
        let mut c = s.clone();
        sym.canonicalize(&mut c, &mut scratch);
        assert!(
            plain.contains(&c),
            "{name}: a canonical form is unreachable"
        );
        canon.insert(c);
    }
    let reduced = bfs(&exec, usize::MAX, &mut |s| {
        sym.canonicalize(s, &mut scratch)
    })
    .unwrap_or_default();
    assert_eq!(canon.len(), reduced.len(), "{name}: orbit counts differ");
    assert!(canon == reduced, "{name}: orbits differ");
    Some((plain.len(), reduced.len()))
}

const LOCKED_COUNTER: &str = "
const N = 3;
shared counter = 0;
mutex m;
thread w[N] { m.lock(); counter = counter + 1; m.unlock(); }
final assert counter == N;
";

/// Handwritten programs whose groups are all symmetric.
const SYMMETRIC: &[(&str, &str)] = &[
    ("locked counter", LOCKED_COUNTER),
    (
        "self-indexed flags",
        "shared flag: [bool; 3];
         shared cnt = [0; 3];
         shared turn = 0;
         thread p[3] {
             flag[self] = true;
             cnt[self] = cnt[self] + 1;
             turn = turn + 1;
             cnt[self] = cnt[self] + 1;
             flag[self] = false;
         }",
    ),
    (
        "fair mutex",
        "fair mutex m;
         shared c = 0;
         thread w[3] { for i in 0..2 { with m { c = c + 1; } } }",
    ),
    (
        "channels",
        "channel ch capacity 1;
         channel rv capacity 0;
         thread p[3] { ch.send(1); rv.send(2); }
         thread c { for i in 0..3 { let x = ch.recv(); let y = rv.recv(); } }",
    ),
    (
        "condvar",
        "mutex m;
         condvar cv;
         shared ready = 0;
         thread w[3] { with m { while ready == 0 { cv.wait(m); } ready = ready - 1; } }
         thread s {
             with m { ready = 2; cv.notify_one(); }
             with m { ready = ready + 1; cv.notify_all(); }
         }",
    ),
    (
        "semaphores",
        "semaphore s = 2;
         fair semaphore f = 1;
         shared inside = 0;
         thread w[3] { s.acquire(); f.acquire(); inside = inside + 1; f.release(); s.release(); }",
    ),
    (
        "rwlocks, two groups",
        "fair rwlock rw;
         rwlock plain;
         shared x = 0;
         thread r[2] { with rw.read { let v = x; } with plain.read { let v = x; } }
         thread wr[2] { with rw.write { x = x + 1; } with plain.write { x = x + 1; } }",
    ),
    (
        "barrier and waitgroup",
        "barrier b = 3;
         waitgroup wg;
         atomic done_count = 0;
         thread w[3] { b.wait(); done_count.fetch_add(1); wg.done(); }
         thread boss { wg.add(3); wg.wait(); }",
    ),
    (
        "specs naming every instance alike",
        "atomic locked = false;
         shared x = 0;
         thread t[3] {
             while locked.swap(true) { }
             cs: x = x + 1;
             locked = false;
         }
         invariant \"mutual exclusion\":
             !(t[0]@cs && t[1]@cs) && !(t[1]@cs && t[2]@cs) && !(t[2]@cs && t[0]@cs);
         invariant done(t[0]) && done(t[1]) && done(t[2]) || x < 3;
         final assert x == 3;",
    ),
    (
        "atomic self-indexed array",
        "atomic slot: [int; 3];
         atomic next = 0;
         thread w[3] { let t = next.fetch_add(1); slot[self].store(t + 1); }",
    ),
];

fn symmetric_programs() -> Vec<(&'static str, Program)> {
    SYMMETRIC
        .iter()
        .map(|(name, src)| (*name, compile(src, &[])))
        .collect()
}

#[test]
fn symmetric_programs_have_fewer_states_and_the_same_orbits() {
    for (name, program) in symmetric_programs() {
        let exec = Exec::new(&program);
        let sym = Symmetry::new(&exec, &safety());
        let text = Symmetry::explain(&exec, &safety());
        assert!(sym.is_some(), "{name}: not symmetric:\n{text}");
        let (plain, reduced) =
            orbits(name, &program, 200_000).unwrap_or_else(|| panic!("{name}: too big"));
        println!("{name}: {plain} states plain, {reduced} reduced\n  {text}");
        assert!(
            reduced < plain,
            "{name}: {reduced} reduced vs {plain} plain"
        );
    }
}

#[test]
fn locked_counter_grows_polynomially() {
    let mut counts = Vec::new();
    for n in 2..=8 {
        let program = compile(LOCKED_COUNTER, &[("N", n)]);
        let (plain, reduced) = orbits("locked counter", &program, 1_000_000)
            .unwrap_or_else(|| panic!("locked counter N={n}: not reduced"));
        println!("locked counter N={n}: {plain} states plain, {reduced} reduced");
        counts.push((n, reduced));
    }
    // The orbits of N threads are (how many finished, where the holder is):
    // linear in N here; allow any quadratic.
    for (n, reduced) in counts {
        assert!(reduced <= 4 * (n + 1) * (n + 1), "N={n}: {reduced} orbits");
    }
    let program = compile(LOCKED_COUNTER, &[("N", 9)]);
    let exec = Exec::new(&program);
    let sym = Symmetry::new(&exec, &safety()).unwrap_or_else(|| panic!("N=9: not symmetric"));
    let mut scratch = Scratch::default();
    let start = std::time::Instant::now();
    let reduced = bfs(&exec, usize::MAX, &mut |s| {
        sym.canonicalize(s, &mut scratch)
    })
    .map_or(0, |s| s.len());
    println!(
        "locked counter N=9: {reduced} reduced in {:?}",
        start.elapsed()
    );
}

#[test]
fn catalogue_programs_keep_their_orbits() {
    let paths = crate::catalogue::catalogue();
    let mut reduced_any = 0;
    for path in paths {
        let src = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{e}"));
        let name = path
            .file_name()
            .map_or(String::new(), |n| n.to_string_lossy().into());
        let program = compile(&src, &[]);
        let exec = Exec::new(&program);
        let text = Symmetry::explain(&exec, &safety()).replace('\n', "; ");
        match orbits(&name, &program, 30_000) {
            Some((plain, reduced)) => {
                reduced_any += 1;
                println!("{name}: {plain} plain, {reduced} reduced ({text})");
            }
            None => println!("{name}: not compared ({text})"),
        }
    }
    assert!(reduced_any > 0, "no catalogue program was reduced");
}

#[test]
fn permuted_reachable_states_are_reachable_and_share_the_canonical_form() {
    for (name, program) in symmetric_programs() {
        let exec = Exec::new(&program);
        let Some(sym) = Symmetry::new(&exec, &safety()) else {
            panic!("{name}: not symmetric");
        };
        let plain = bfs(&exec, 200_000, &mut |_| {}).unwrap_or_else(|| panic!("{name}: big"));
        let states: Vec<&State> = plain.iter().collect();
        let n_threads = program.threads.len();
        let groups: Vec<(usize, usize)> = sym.groups().collect();
        let mut runner = TestRunner::new(Config::with_cases(200));
        let strategy = (
            0..states.len(),
            prop::collection::vec(any::<u32>(), n_threads),
        );
        runner
            .run(&strategy, |(i, random)| {
                // A random permutation of each group: sort its instances by
                // the random numbers.
                let mut perm: Vec<u32> = (0..n_threads as u32).collect();
                for &(base, n) in &groups {
                    let mut order: Vec<usize> = (base..base + n).collect();
                    order.sort_by_key(|&t| (random[t], t));
                    for (new, &old) in order.iter().enumerate() {
                        perm[old] = (base + new) as u32;
                    }
                }
                let s = states[i];
                let image = sym.permute(s, &perm);
                prop_assert!(plain.contains(&image), "{}: image unreachable", name);
                let mut scratch = Scratch::default();
                let (mut a, mut b) = (s.clone(), image);
                sym.canonicalize(&mut a, &mut scratch);
                prop_assert_eq!(&sym.permute(s, scratch.permutation()), &a);
                sym.canonicalize(&mut b, &mut scratch);
                prop_assert_eq!(a, b);
                Ok(())
            })
            .unwrap_or_else(|e| panic!("{name}: {e}"));
    }
}

#[test]
fn canonical_form_of_a_canonical_form_is_itself() {
    for (name, program) in symmetric_programs() {
        let exec = Exec::new(&program);
        let sym = Symmetry::new(&exec, &safety()).unwrap_or_else(|| panic!("{name}"));
        let plain = bfs(&exec, 200_000, &mut |_| {}).unwrap_or_else(|| panic!("{name}: big"));
        let mut scratch = Scratch::default();
        let mut by_key: FxHashMap<State, usize> = FxHashMap::default();
        for s in &plain {
            let mut c = s.clone();
            sym.canonicalize(&mut c, &mut scratch);
            let mut again = c.clone();
            sym.canonicalize(&mut again, &mut scratch);
            assert_eq!(c, again, "{name}: not idempotent");
            *by_key.entry(c).or_default() += 1;
        }
        // An orbit holds at most n! states per group.
        let bound: usize = sym
            .groups()
            .map(|(_, n)| (1..=n).product::<usize>())
            .product();
        assert!(
            by_key.values().all(|&k| k <= bound),
            "{name}: orbit too large"
        );
    }
}

fn refusal(src: &str, checks: &[Kind]) -> String {
    let program = compile(src, &[]);
    let exec = Exec::new(&program);
    assert!(Symmetry::new(&exec, checks).is_none(), "{src}");
    Symmetry::explain(&exec, checks)
}

#[test]
fn groups_that_single_out_an_instance_are_not_permuted() {
    let cases: &[(&str, &str)] = &[
        (
            "shared owner = 0; thread w[2] { owner = self; }",
            "computation",
        ),
        (
            "shared x = 0; thread w[2] { x = 1; } thread j { join(w[0]); }",
            "names an instance",
        ),
        (
            "shared f: [bool; 2]; thread w[2] { f[self] = true; } invariant !f[0] || !f[1];",
            "accessed other than",
        ),
        (
            "shared f = [1, 0]; thread w[2] { f[self] = 2; }",
            "different values",
        ),
        (
            "shared f: [int; 3]; thread w[2] { f[self] = 1; }",
            "size is not the group's",
        ),
        (
            "shared f: [int; 2]; thread w[2] { f[self] = f[1 - self]; }",
            "computation of an index",
        ),
        (
            "mutex m[2]; thread w[2] { with m[self] { } }",
            "object array",
        ),
        (
            "shared x = 0; thread w[2] { x = 1; } final assert done(w[1]);",
            "not the same for every order",
        ),
        (
            "shared x = 0; thread w[3] { c: x = 1; } invariant !(w[0]@c && w[1]@c);",
            "not the same for every order",
        ),
        (
            "shared x = 0; thread w[2] { c: x = 1; } invariant w[0]@c || x == 0;",
            "not the same for every order",
        ),
    ];
    for (src, why) in cases {
        let text = refusal(src, &safety());
        assert!(text.contains(why), "{src}\n{text}");
    }
    let text = refusal(
        "shared c = 0; mutex m; thread w[2] { with m { c = c + 1; } }",
        &Kind::ALL,
    );
    assert!(text.contains("livelock"), "{text}");
    let text = refusal("shared c = 0; thread w { c = 1; }", &safety());
    assert!(text.contains("no thread group"), "{text}");
}

#[test]
fn symmetry_is_shareable_between_search_threads() {
    fn sync<T: Sync + Send>() {}
    sync::<Symmetry>();
    sync::<Scratch>();
}

#[test]
fn thread_ids_and_thread_bits_are_renamed() {
    use super::{rename, rename_bits};
    // threads 1..4 form a group; 0 stays; new id of old 1, 2, 3 is 3, 1, 2
    let perm = [0, 3, 1, 2];
    assert_eq!(rename(&perm, 0), 0, "0 is no thread");
    assert_eq!(rename(&perm, 2), 4, "thread 1 becomes 3");
    assert_eq!(rename(&perm, 4), 3);
    assert_eq!(rename(&perm, 9), 9, "not a thread id: left alone");
    assert_eq!(
        rename_bits(&perm, 0b0011),
        0b1001,
        "threads 0 and 1: 0 and 3"
    );
    assert_eq!(
        rename_bits(&perm, 0b1100),
        0b0110,
        "threads 2 and 3: 1 and 2"
    );
}
