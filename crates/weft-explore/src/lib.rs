//! Explores every interleaving of a `weft_ir::Program` and finds violations.
//!
//! Entry point: [`check`]. The result is plain data ([`Outcome`]); printing
//! it is `weft-report`'s job.
//!
//! | module | job |
//! |---|---|
//! | `layout` | where each part of a state lives in the flat state vector |
//! | `eval` | pure expressions and their runtime errors |
//! | `exec` | one thread's next step, in every way it can go |
//! | `search` | breadth-first search, a layer at a time, on several threads |
//! | `store` | packed states, fingerprint and exact visited sets, the schedule log |
//! | `por` | partial-order reduction: ample sets from static footprints |
//! | `detect` | the checks of LANGUAGE.md section 7 |
//! | `deadlock` | who waits for whom, and the wait-for cycle |
//! | `spec` | invariants and final assertions |
//! | `symmetry` | one canonical form for states that differ by a permutation of a thread group |
//! | `liveness` | livelock and starvation: fair cycles |
//! | `scc` | strongly connected components, iteratively |
//! | `schedules` | counting complete schedules over the state graph |
//! | `walk` | running one given schedule, checking as it goes |
//! | `classes` | schedules grouped by the order of their conflicting steps |
//! | `cycles` | which states lie on a cycle, for drawing the graph |
//! | `memory` | the process's size, for `--max-memory` |

mod classes;
mod cycles;
mod deadlock;
mod detect;
mod eval;
mod exec;
mod finding;
mod layout;
mod liveness;
mod memory;
mod options;
// The search plugs it in; until then only its tests use it.
mod por;
mod scc;
mod schedules;
mod search;
mod spec;
mod store;
mod symmetry;
mod walk;

pub use classes::{classes, conflict, normal_form, Class, Footprint, Footprints};
pub use cycles::cycle_components;
pub use detect::{mark, replay};
pub use exec::{Exec, ThreadStep, Touch, Transition, FLUSH};
pub use finding::*;
pub use layout::MAX_THREADS;
pub use layout::{Layout, FINISHED};
pub use liveness::{Edge, Edges, NO_STATE};
pub use memory::{default_limit as default_max_memory, resident as resident_memory};
pub use options::*;
pub use schedules::{
    count_schedules, countable, list_schedules, topological_order, Listed, ScheduleCounts,
};
pub use search::StateGraph;
pub use walk::{positions_in, walk, At, Seen, Stuck, Walk};

/// Explore every reachable state of `program` breadth-first and report every
/// violation of the selected checks, each with a shortest schedule.
/// `progress` is called now and then with the search's counters.
pub fn check(
    program: &weft_ir::Program,
    options: &Options,
    progress: &mut dyn FnMut(&Progress),
) -> Outcome {
    search::run(program, options, progress).0
}

/// [`check`], also handing back the whole state graph (every state and
/// edge, failed steps included, with the violations seen on each).
pub fn explore(
    program: &weft_ir::Program,
    options: &Options,
    progress: &mut dyn FnMut(&Progress),
) -> (Outcome, StateGraph) {
    let options = Options {
        record_graph: true,
        ..options.clone()
    };
    let (outcome, graph) = search::run(program, &options, progress);
    let graph = graph.unwrap_or_else(|| StateGraph {
        states: Vec::new(),
        edges: Edges::default(),
    });
    (outcome, graph)
}

#[cfg(test)]
mod tests;

#[cfg(test)]
#[path = "../tests/support/catalogue.rs"]
mod catalogue;
