//! Raw successor generation: `Exec::step` of every thread on a fixed set of
//! reachable states of three benchmark models (`benches/programs/`), with no
//! visited set, hashing or detection around it. The states/s of the whole
//! search are in `docs/performance.md` (`bash benches/compare.sh`); this
//! bench isolates the part of it that the step semantics costs.
//!
//!     cargo bench -p weft-explore --bench successors

use std::collections::{HashSet, VecDeque};
use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use weft_explore::{Exec, ThreadStep};
use weft_ir::{Program, Value};

/// At most this many states per model, collected breadth-first.
const STATES: usize = 2_000;

/// One model: a name, the program's file under `benches/programs/`, its
/// `-D` overrides.
struct Model {
    name: &'static str,
    file: &'static str,
    defines: &'static [(&'static str, &'static str)],
}

const MODELS: &[Model] = &[
    Model {
        name: "counter_locked N=4",
        file: "counter_locked.weft",
        defines: &[("N", "4")],
    },
    Model {
        name: "philosophers N=5",
        file: "philosophers_ordered.weft",
        defines: &[("N", "5")],
    },
    Model {
        name: "bounded_buffer P=C=2",
        file: "bounded_buffer.weft",
        defines: &[("P", "2"), ("C", "2")],
    },
];

fn program(file: &str, defines: &[(&str, &str)]) -> Program {
    let path = format!(
        "{}/../../benches/programs/{file}",
        env!("CARGO_MANIFEST_DIR")
    );
    let src = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let ast = weft_syntax::parse(&src).unwrap_or_else(|e| panic!("{path}: {e:?}"));
    let defines: Vec<(String, String)> = defines
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    weft_lower::compile(&ast, &defines).unwrap_or_else(|e| panic!("{path}: {e:?}"))
}

/// Up to `STATES` reachable states, breadth-first from the initial one.
fn reachable(exec: &Exec) -> Vec<Vec<Value>> {
    let threads = exec.layout.thread.len();
    let initial = exec.initial();
    let mut seen: HashSet<Vec<Value>> = HashSet::from([initial.clone()]);
    let mut queue = VecDeque::from([initial.clone()]);
    let mut states = vec![initial];
    let mut out = ThreadStep::default();
    while let Some(state) = queue.pop_front() {
        for t in 0..threads {
            exec.step(&state, t, &mut out);
            for tr in &out.transitions {
                if states.len() < STATES && seen.insert(tr.state.clone()) {
                    states.push(tr.state.clone());
                    queue.push_back(tr.state.clone());
                }
            }
        }
    }
    states
}

fn successors(c: &mut Criterion) {
    let mut group = c.benchmark_group("successors");
    for model in MODELS {
        let program = program(model.file, model.defines);
        let exec = Exec::new(&program);
        let states = reachable(&exec);
        let threads = exec.layout.thread.len();
        group.throughput(Throughput::Elements(states.len() as u64));
        group.bench_function(model.name, |b| {
            let mut out = ThreadStep::default();
            b.iter(|| {
                let mut n = 0;
                for state in &states {
                    for t in 0..threads {
                        exec.step(black_box(state), t, &mut out);
                        n += out.transitions.len();
                    }
                }
                black_box(n)
            })
        });
    }
    group.finish();
}

criterion_group!(benches, successors);
criterion_main!(benches);
