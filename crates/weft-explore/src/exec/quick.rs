//! A lock or unlock of a plain mutex, stepped without the interpreter.
//!
//! After waits (`waits.rs`), the commonest steps of lock-based programs are
//! the `lock` that finds its mutex free and the `unlock` of a held one: one
//! slot of the state changes, the thread settles at its next step, and
//! nothing can branch, fail or touch a plain shared cell. Running them as a
//! `Run` costs the interpreter's setup for that one store. This does the
//! store and the settling directly, and leaves everything else (errors,
//! waits, FIFO-fair mutexes, a thread that may finish) to the full run; the
//! module tests check that both agree on every state of the catalogue.

use super::{Exec, ThreadStep, Transition};
use weft_ir::{Code, ObjRef, Op, Program, Value};

/// A step that may be quick, by its instruction.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Quick {
    /// `lock` of a mutex that is never FIFO-fair.
    Lock,
    /// `unlock` of a mutex.
    Unlock,
}

/// For each pc of `code`: whether the step there may be quick. Not where
/// local work after it may end the thread (`may_end`, per pc of `code`):
/// the full run looks ahead there, and trying first would settle twice.
pub(super) fn quick_steps(program: &Program, code: &Code, may_end: &[bool]) -> Vec<Option<Quick>> {
    let plain = |r: &ObjRef| match r {
        ObjRef::Fixed(o) => !program.objects[*o as usize].fair,
        ObjRef::Group { group, .. } => {
            let g = &program.object_groups[*group as usize];
            (g.base..g.base + g.len).all(|o| !program.objects[o as usize].fair)
        }
    };
    code.instrs
        .iter()
        .enumerate()
        .map(|(pc, i)| match &i.op {
            _ if may_end.get(pc + 1).copied().unwrap_or(true) => None,
            Op::Lock { obj } if plain(obj) => Some(Quick::Lock),
            Op::Unlock { .. } => Some(Quick::Unlock),
            _ => None,
        })
        .collect()
}

impl Exec<'_> {
    /// Thread `t`'s step from `state` into `out`, when it is a quick one:
    /// the mutex is free for a lock, held by the thread for an unlock, and
    /// the thread cannot finish in this step. `false` (and `out` left as
    /// it was) when the full run must tell.
    pub(super) fn quick(&self, state: &[Value], t: usize, out: &mut ThreadStep) -> bool {
        let pc_slot = self.layout.thread[t];
        let c = self.program.threads[t].code as usize;
        let Ok(pc) = usize::try_from(state[pc_slot]) else {
            return false;
        };
        let Some(Some(quick)) = self.quick[c].get(pc) else {
            return false;
        };
        let instr = &self.program.codes[c].instrs[pc];
        let (Op::Lock { obj } | Op::Unlock { obj }) = &instr.op else {
            return false;
        };
        let Some(o) = self.object(state, pc_slot, obj) else {
            return false;
        };
        let off = self.layout.obj[o];
        let me = t as Value + 1;
        // Anything else is a wait or an error: the full run's to report.
        let owner = match quick {
            Quick::Lock if state[off] == 0 => me,
            Quick::Unlock if state[off] == me => 0,
            _ => return false,
        };
        let mut st = out.pool.states.pop().unwrap_or_default();
        st.clear();
        st.extend_from_slice(state);
        st[off] = owner;
        st[pc_slot] = (pc + 1) as Value;
        let progress = self.settle(&mut st, t);
        // Where local work may end the thread, the full run looks ahead
        // (`quick_steps` leaves out the steps that may come here).
        let rests = usize::try_from(st[pc_slot]).unwrap_or(usize::MAX);
        if self.may_end[c].get(rests).copied().unwrap_or(true) {
            out.pool.states.push(st);
            return false;
        }
        let mut lost_updates = out.pool.lost.pop().unwrap_or_default();
        lost_updates.clear();
        out.pool.recycle(&mut out.transitions);
        out.blocked = None;
        out.accesses.clear();
        out.transitions.push(Transition {
            branch: 0,
            state: st,
            event: None,
            progress,
            lost_updates,
            span: instr.span,
        });
        true
    }
}

#[cfg(test)]
mod tests {
    use crate::exec::tests::catalogue_states;
    use crate::exec::ThreadStep;

    /// On every reachable state of every catalogue program (up to a cap),
    /// every thread: when the quick step answers, the full run gives the
    /// same transitions, no wait and no access.
    #[test]
    fn quick_steps_agree_with_the_full_run_on_the_catalogue() {
        let mut answered = 0usize;
        catalogue_states(true, |name, exec, states| {
            for (state, t) in states
                .iter()
                .flat_map(|s| (0..exec.program.threads.len()).map(move |t| (s, t)))
            {
                let mut quick = ThreadStep::default();
                if exec.quick(state, t, &mut quick) {
                    answered += 1;
                    let mut full = ThreadStep::default();
                    exec.run_step(state, t, &mut full);
                    assert_eq!(
                        format!("{:?}", full.transitions),
                        format!("{:?}", quick.transitions),
                        "{name}: thread {t} at {state:?}"
                    );
                    assert_eq!(full.blocked, None, "{name}: thread {t}");
                    assert!(full.accesses.is_empty(), "{name}: thread {t}");
                }
            }
        });
        assert!(answered > 1000, "only {answered} quick steps answered");
    }
}
