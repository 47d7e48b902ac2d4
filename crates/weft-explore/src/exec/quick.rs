//! The commonest steps, stepped without the interpreter: the lock that
//! finds its mutex free, the unlock of a held one, a read and a write of a
//! shared or atomic cell.
//!
//! After waits (`waits.rs`), such steps are most of a search: one or two
//! slots of the state change, the thread settles at its next step, and
//! nothing can branch. Running them as a `Run` costs the interpreter's setup
//! for that one instruction. This does them directly, and leaves everything
//! else (errors, waits, FIFO-fair mutexes, ghost accesses, a thread that
//! may finish) to the full run; the module tests check that both agree on
//! every state of the catalogue.

use super::fast::Fast;
use super::{
    local_effect, lost_update_read, lost_update_write, Access, Exec, Kind, Local, LuWrite,
    ThreadStep, Transition,
};
use crate::eval::in_range;
use weft_ir::{Code, ObjRef, Op, Program, SrcSpan, Value, VarKind};

/// A step that may be quick, by its instruction.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Quick {
    /// `lock` of a mutex that is never FIFO-fair.
    Lock,
    /// `unlock` of a mutex.
    Unlock,
    /// A read of a shared or atomic cell.
    Read,
    /// A write of a shared or atomic cell, and its value's fast form
    /// (`fast.rs`) if it has one.
    Write(Option<Fast>),
    /// Never quick: under a weak memory model every pc (and the one past
    /// the end, where a thread waits for its buffers) holds this, and
    /// `Exec::step_rest` hands the step to `weak_step`. Kept in this table
    /// so that sequential consistency pays no extra test for it.
    Weak,
}

/// For each pc of `code`: whether the step there may be quick. Where local
/// work after it may end the thread, the quick step finishes the thread
/// when one local instruction is all that is left ([`Exec::ends_now`]), and
/// leaves longer look-aheads to the full run.
pub(super) fn quick_steps(program: &Program, code: &Code) -> Vec<Option<Quick>> {
    let plain = |r: &ObjRef| match r {
        ObjRef::Fixed(o) => !program.objects[*o as usize].fair,
        ObjRef::Group { group, .. } => {
            let g = &program.object_groups[*group as usize];
            (g.base..g.base + g.len).all(|o| !program.objects[o as usize].fair)
        }
    };
    let step = |var: u32| program.vars[var as usize].kind != VarKind::Ghost;
    code.instrs
        .iter()
        .map(|i| match &i.op {
            Op::Lock { obj } if plain(obj) => Some(Quick::Lock),
            Op::Unlock { .. } => Some(Quick::Unlock),
            Op::Read { cell, .. } if step(cell.var) => Some(Quick::Read),
            Op::Write { cell, value, .. } if step(cell.var) => Some(Quick::Write(Fast::of(value))),
            _ => None,
        })
        .collect()
}

/// What a quick step did besides changing the state.
#[derive(Default)]
struct Effects {
    /// The one slot outside the thread's own and the lost-update masks
    /// it may have written: its object's or cell's.
    slot: usize,
    access: Option<Access>,
    lost_update: Option<(u32, SrcSpan)>,
}

impl Exec<'_> {
    /// Thread `t`'s step from `state` into `out`, when it is a quick one:
    /// the mutex is free for a lock, held by the thread for an unlock, a
    /// read or write whose index and value evaluate, and the thread cannot
    /// finish in this step. `false` when the full run must tell (`out` then
    /// holds the same transitions, their states' contents aside: the full
    /// run recycles them).
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
        // The buffers of the last step's transition, when it had just one,
        // are reused in place: no trip through the pool.
        let reuse = out.transitions.len() == 1;
        let mut st = match out.transitions.first_mut() {
            Some(tr) if reuse => std::mem::take(&mut tr.state),
            _ => out.pool.states.pop().unwrap_or_default(),
        };
        st.clear();
        st.extend_from_slice(state);
        let fail = |out: &mut ThreadStep, st: Vec<Value>| {
            match out.transitions.first_mut() {
                Some(tr) if reuse => tr.state = st,
                _ => out.pool.states.push(st),
            }
            false
        };
        let Some(effects) = self.quick_op(*quick, &instr.op, instr.span, state, &mut st, t) else {
            return fail(out, st);
        };
        st[pc_slot] = (pc + 1) as Value;
        let mut progress = self.settle(&mut st, t);
        // Where local work may end the thread, the full run looks ahead:
        // done here when the thread ends at once, left to it otherwise.
        let rests = usize::try_from(st[pc_slot]).unwrap_or(usize::MAX);
        if self.may_end[c].get(rests).copied().unwrap_or(true) {
            if !self.ends_now(&mut st, t, rests) {
                return fail(out, st);
            }
            progress = true;
        }
        out.blocked = None;
        out.accesses.clear();
        let locals = self.program.codes[c].n_locals.max(1) as usize;
        out.changed = Some([
            effects.slot..effects.slot + 1,
            pc_slot..pc_slot + 1 + locals,
            self.layout.lu_masks(),
        ]);
        if let Some(access) = effects.access {
            out.accesses.push(access);
        }
        if reuse {
            let tr = &mut out.transitions[0];
            tr.lost_updates.clear();
            tr.lost_updates.extend(effects.lost_update);
            tr.branch = 0;
            tr.state = st;
            tr.event = None;
            tr.progress = progress;
            tr.span = instr.span;
            return true;
        }
        let mut lost_updates = out.pool.lost.pop().unwrap_or_default();
        lost_updates.clear();
        lost_updates.extend(effects.lost_update);
        out.pool.recycle(&mut out.transitions);
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

    /// The look-ahead of `Run::tail` for thread `t` resting at `pc` in
    /// `st`, when it is one instruction long: the thread is at its end, or
    /// at local work or `progress;` that goes there. Then the thread
    /// finishes in `st` as the full run would finish it, and `true`;
    /// otherwise `st` is left as it was.
    fn ends_now(&self, st: &mut [Value], t: usize, pc: usize) -> bool {
        let pc_slot = self.layout.thread[t];
        let c = self.program.threads[t].code as usize;
        let code = &self.program.codes[c];
        let end = code.instrs.len();
        if let Some(instr) = code.instrs.get(pc) {
            let effect = match self.kinds[c][pc] {
                Kind::Progress => Local::Goto(pc + 1),
                Kind::Local => {
                    match local_effect(&self.env(st, pc_slot), &instr.op, instr.span, pc) {
                        Ok(Some(effect)) => effect,
                        _ => return false,
                    }
                }
                _ => return false,
            };
            match effect {
                Local::Write(dst, v, next) if next >= end => st[pc_slot + 1 + dst as usize] = v,
                Local::Clear(from, to, next) if next >= end => {
                    st[pc_slot + 1 + from as usize..pc_slot + 1 + to as usize].fill(0)
                }
                Local::Goto(next) if next >= end => {}
                _ => return false,
            }
        } else if pc != end {
            return false;
        }
        self.finish_thread(st, t);
        true
    }

    /// Instruction `op` of thread `t` on `st` (a copy of `state`), as
    /// `Run::exec` would run it; `None` where that would not simply go on.
    fn quick_op(
        &self,
        quick: Quick,
        op: &Op,
        span: SrcSpan,
        state: &[Value],
        st: &mut [Value],
        t: usize,
    ) -> Option<Effects> {
        let pc_slot = self.layout.thread[t];
        let me = t as Value + 1;
        let mut effects = Effects::default();
        match (quick, op) {
            (Quick::Lock, Op::Lock { obj }) => {
                let off = self.layout.obj[self.object(state, pc_slot, obj)?];
                // Held by us (an error) or by another (a wait).
                (state[off] == 0).then_some(())?;
                st[off] = me;
                effects.slot = off;
            }
            (Quick::Unlock, Op::Unlock { obj }) => {
                let off = self.layout.obj[self.object(state, pc_slot, obj)?];
                (state[off] == me).then_some(())?;
                st[off] = 0;
                effects.slot = off;
            }
            (
                Quick::Read,
                Op::Read {
                    dst,
                    cell,
                    racy,
                    tracked,
                },
            ) => {
                let c = self.env(state, pc_slot).cell(cell, span).ok()?;
                if self.var_of_cell(c).kind == VarKind::Shared && *racy {
                    effects.access = Some(Access {
                        cell: c,
                        write: false,
                        grouped: false,
                        span,
                    });
                    if *tracked {
                        lost_update_read(&self.layout, st, t, c);
                    }
                }
                st[pc_slot + 1 + *dst as usize] = st[c as usize];
                effects.slot = c as usize;
            }
            (
                Quick::Write(fast),
                Op::Write {
                    cell,
                    value,
                    from_read,
                    keeps_read,
                },
            ) => {
                let env = self.env(state, pc_slot);
                let c = env.cell(cell, span).ok()?;
                let v = match fast {
                    Some(fast) => fast.eval(env.locals)?,
                    None => env.eval(value).ok()?,
                };
                let var = self.var_of_cell(c);
                in_range(v, var.range).then_some(())?;
                if var.kind == VarKind::Shared {
                    effects.access = Some(Access {
                        cell: c,
                        write: true,
                        grouped: false,
                        span,
                    });
                    let write = LuWrite::of(from_read, *keeps_read, c, var);
                    if lost_update_write(&self.layout, st, t, c, write) {
                        effects.lost_update = Some((c, span));
                    }
                }
                st[c as usize] = v;
                effects.slot = c as usize;
            }
            _ => return None,
        }
        Some(effects)
    }
}

#[cfg(test)]
mod tests {
    use crate::exec::tests::catalogue_states;
    use crate::exec::ThreadStep;

    /// On every reachable state of every catalogue program (up to a cap),
    /// every thread: when the quick step answers, the full run gives the
    /// same transitions and accesses, and no wait.
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
                    assert_eq!(full.accesses, quick.accesses, "{name}: thread {t}");
                }
            }
        });
        assert!(answered > 1000, "only {answered} quick steps answered");
    }
}
