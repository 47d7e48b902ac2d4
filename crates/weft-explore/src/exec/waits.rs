//! A step that waits, seen without running it.
//!
//! Threads rest at their next step ([`Exec::settle`]), so when that step is
//! a lock of a held mutex, an acquire without a permit, a join of a live
//! thread, ... the state says so at once. Most steps of a search are such
//! waits (in a locked counter, every thread but the holder waits at each
//! state), and running them costs a copy of the state and the interpreter's
//! overhead for nothing. This answers the plain (not FIFO-fair) waits
//! exactly as `sync.rs` would, span and reason included, and leaves
//! everything else (errors first of all) to the full run; the module tests
//! check that both agree on every state of the catalogue.

use super::{BlockReason, Exec};
use crate::eval::Env;
use crate::layout::Layout;
use weft_ir::{Code, Expr, ObjRef, Op, Program, SrcSpan, ThreadRef, Value};

/// The mutex a `lock` takes, where it is plain (never FIFO-fair) and
/// named by a constant or a local.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum LockSite {
    /// Object `obj`, whose holder is in slot `off`.
    Fixed { obj: u32, off: u32 },
    /// Object `base + i` of a group of `len`, `i` in local `local`.
    Local { local: u32, base: u32, len: u32 },
}

impl LockSite {
    /// The object, as [`Exec::object`] finds it, and the slot of its
    /// holder: `None` when the index is out of bounds.
    #[inline(always)]
    pub(super) fn object(
        self,
        layout: &Layout,
        state: &[Value],
        pc_slot: usize,
    ) -> Option<(usize, usize)> {
        match self {
            LockSite::Fixed { obj, off } => Some((obj as usize, off as usize)),
            LockSite::Local { local, base, len } => {
                let i = state[pc_slot + 1 + local as usize];
                let o = (0..Value::from(len))
                    .contains(&i)
                    .then(|| (base + i as u32) as usize)?;
                Some((o, layout.obj[o]))
            }
        }
    }
}

/// For each pc of `code`: the lock site there, and its span.
pub(super) fn lock_sites(
    program: &Program,
    layout: &Layout,
    code: &Code,
) -> Vec<Option<(LockSite, SrcSpan)>> {
    let plain = |o: u32| !program.objects[o as usize].fair;
    code.instrs
        .iter()
        .map(|i| {
            let Op::Lock { obj } = &i.op else {
                return None;
            };
            let site = match obj {
                ObjRef::Fixed(o) => plain(*o).then(|| LockSite::Fixed {
                    obj: *o,
                    off: layout.obj[*o as usize] as u32,
                })?,
                ObjRef::Group { group, idx } => {
                    let g = &program.object_groups[*group as usize];
                    let Expr::Local(local) = idx else {
                        return None;
                    };
                    (g.base..g.base + g.len)
                        .all(plain)
                        .then_some(LockSite::Local {
                            local: *local,
                            base: g.base,
                            len: g.len,
                        })?
                }
            };
            Some((site, i.span))
        })
        .collect()
}

impl Exec<'_> {
    /// Where and why thread `t`'s next step waits in `state`, when it is
    /// one of the plain waits; `None` when the step must be run to tell.
    pub(super) fn waits(&self, state: &[Value], t: usize) -> Option<(SrcSpan, BlockReason)> {
        let pc_slot = self.layout.thread[t];
        let code = &self.program.codes[self.program.threads[t].code as usize];
        let instr = code.instrs.get(usize::try_from(state[pc_slot]).ok()?)?;
        let me = t as Value + 1;
        let reason = match &instr.op {
            Op::Lock { obj } => {
                let (o, off) = self.plain(state, pc_slot, obj)?;
                let holder = state[off];
                (holder != 0 && holder != me).then_some(BlockReason::Mutex(o))
            }
            Op::Acquire { obj } => {
                let (o, off) = self.plain(state, pc_slot, obj)?;
                (state[off] == 0).then_some(BlockReason::Semaphore(o))
            }
            Op::ReadLock { obj } | Op::WriteLock { obj } => {
                let (o, off) = self.plain(state, pc_slot, obj)?;
                let (writer, readers) = (state[off], state[off + 1]);
                let write = matches!(instr.op, Op::WriteLock { .. });
                let mine = writer == me || readers & (1 << t) != 0;
                let busy = writer != 0 || (write && readers != 0);
                match (mine, busy, write) {
                    (false, true, true) => Some(BlockReason::RwWrite(o)),
                    (false, true, false) => Some(BlockReason::RwRead(o)),
                    _ => None,
                }
            }
            Op::Join { thread } => {
                let u = match thread {
                    ThreadRef::Fixed(u) => *u as usize,
                    r => self.env(state, pc_slot).thread(r).ok()?,
                };
                (!self.finished(state, u)).then_some(BlockReason::Join(u))
            }
            Op::Recv { ch, .. } | Op::RecvOrEnd { ch, .. } => {
                let c = self.object(state, pc_slot, ch)?;
                let off = self.layout.obj[c];
                let (len, closed) = (state[off], state[off + 1]);
                (len == 0 && closed == 0).then_some(BlockReason::ChannelEmpty(c))
            }
            Op::WgWait { obj } => {
                let w = self.object(state, pc_slot, obj)?;
                (state[self.layout.obj[w]] != 0).then_some(BlockReason::WaitGroup(w))
            }
            Op::BarrierLeave { obj } => {
                let b = self.object(state, pc_slot, obj)?;
                (state[self.layout.obj[b]] & (1 << t) != 0).then_some(BlockReason::Barrier(b))
            }
            _ => None,
        }?;
        Some((instr.span, reason))
    }

    /// The object `r` names and its offset, when its index evaluates and
    /// the object is plain (not FIFO-fair).
    #[inline(always)]
    fn plain(&self, state: &[Value], pc_slot: usize, r: &ObjRef) -> Option<(usize, usize)> {
        let o = self.object(state, pc_slot, r)?;
        (!self.program.objects[o].fair).then(|| (o, self.layout.obj[o]))
    }

    /// The object `r` names, `None` when its index does not evaluate or is
    /// out of bounds (the full run reports that).
    #[inline(always)]
    pub(super) fn object(&self, state: &[Value], pc_slot: usize, r: &ObjRef) -> Option<usize> {
        match r {
            ObjRef::Fixed(o) => Some(*o as usize),
            ObjRef::Group { group, idx } => {
                let g = &self.program.object_groups[*group as usize];
                let i = self.env(state, pc_slot).operand(idx).ok()?;
                (0..g.len as Value)
                    .contains(&i)
                    .then(|| (g.base + i as u32) as usize)
            }
        }
    }

    /// What the expressions of the thread whose pc is at `pc_slot` see.
    pub(super) fn env<'a>(&'a self, state: &'a [Value], pc_slot: usize) -> Env<'a> {
        Env {
            program: self.program,
            layout: &self.layout,
            state,
            locals: &state[pc_slot + 1..],
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::exec::tests::catalogue_states;
    use crate::exec::ThreadStep;
    use weft_ir::Op;

    /// On every catalogue state, every thread at a lock site: the site
    /// names the object and slot the interpreter's lookup names, and the
    /// object is plain.
    #[test]
    fn lock_sites_agree_with_the_objects() {
        let mut checked = 0usize;
        catalogue_states(true, |name, exec, states| {
            for state in states {
                for (t, &(pc_slot, c)) in exec.threads.iter().enumerate() {
                    let Ok(pc) = usize::try_from(state[pc_slot]) else {
                        continue;
                    };
                    let Some(Some((site, span))) = exec.locks[c].get(pc) else {
                        continue;
                    };
                    let instr = &exec.program.codes[c].instrs[pc];
                    let Op::Lock { obj } = &instr.op else {
                        panic!("{name}: a lock site at pc {pc} is no lock");
                    };
                    checked += 1;
                    assert_eq!(*span, instr.span, "{name}: pc {pc}");
                    let slow = exec.plain(state, pc_slot, obj);
                    let fast = site.object(&exec.layout, state, pc_slot);
                    assert_eq!(fast, slow, "{name}: thread {t} at {state:?}");
                }
            }
        });
        assert!(checked > 1000, "only {checked} lock sites checked");
    }

    /// On every reachable state of every catalogue program (up to a cap),
    /// every thread: when `waits` answers, the full run says the same (it
    /// waits there, for that reason, with no transition and no access).
    #[test]
    fn waits_agree_with_the_full_run_on_the_catalogue() {
        let mut answered = 0usize;
        catalogue_states(true, |name, exec, states| {
            for (state, t) in states
                .iter()
                .flat_map(|s| (0..exec.program.threads.len()).map(move |t| (s, t)))
            {
                if let Some(quick) = exec.waits(state, t) {
                    answered += 1;
                    let mut full = ThreadStep::default();
                    exec.run_step(state, t, &mut full);
                    assert_eq!(full.blocked, Some(quick), "{name}: thread {t} at {state:?}");
                    assert!(full.transitions.is_empty(), "{name}: thread {t}");
                    assert!(full.accesses.is_empty(), "{name}: thread {t}");
                }
            }
        });
        assert!(answered > 1000, "only {answered} waits answered");
    }
}
