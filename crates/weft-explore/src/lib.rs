//! Explores every interleaving of a `weft_ir::Program` and finds violations.
//!
//! Entry point: [`check`]. The result is plain data ([`Outcome`]); printing
//! it is `weft-report`'s job.

mod finding;
mod options;
pub use finding::*;
pub use options::*;

/// Explore every reachable state of `program` breadth-first and report every
/// violation of the selected checks, each with a shortest schedule.
/// `progress` is called now and then with the search's counters.
pub fn check(
    program: &weft_ir::Program,
    options: &Options,
    progress: &mut dyn FnMut(&Progress),
) -> Outcome {
    let _ = (program, options, progress);
    todo!("being written: the explorer")
}
