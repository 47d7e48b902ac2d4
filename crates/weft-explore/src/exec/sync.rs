//! The semantics of sync objects: mutexes, rwlocks, semaphores (and their
//! FIFO-fair variants), condvars, channels, barriers and wait groups.
//!
//! Object slots (see `layout.rs`): mutex `[owner+1, queue..]`; rwlock
//! `[writer+1, reader mask, queue..]`; semaphore `[permits, queue..]`; condvar
//! `[waiter mask]`; channel `[len, closed, offerer+1, buffer..]`; barrier
//! `[waiting mask]`; wait group `[counter]`. A fair object's queue holds
//! `thread+1` entries in arrival order (rwlocks: `2*(thread+1) + is_write`).
//! A fair acquisition that cannot complete at once is a step that joins the
//! queue; the grant instruction after it waits for the thread's turn.

use super::{BlockReason, Run, StepResult, Stop};
use weft_ir::{ObjectKind, Op, SrcSpan, Value};

pub(super) fn runtime(span: SrcSpan, message: String) -> Stop {
    Stop::Event(super::Event::Runtime(crate::eval::RuntimeError {
        span,
        message,
    }))
}

fn bit(t: usize) -> Value {
    1 << t
}

impl Run<'_, '_> {
    fn off(&self, o: usize) -> usize {
        self.x.layout.obj[o]
    }

    fn name(&self, o: usize) -> String {
        self.x.program.objects[o].name.clone()
    }

    fn thread_name(&self, t: usize) -> &str {
        &self.x.program.threads[t].name
    }

    fn fair(&self, o: usize) -> bool {
        self.x.program.objects[o].fair
    }

    /// Offset of the FIFO queue of a fair object.
    fn queue(&self, o: usize) -> usize {
        let kind = self.x.program.objects[o].kind;
        self.off(o) + if kind == ObjectKind::RwLock { 2 } else { 1 }
    }

    fn queue_head(&self, o: usize) -> Value {
        self.st[self.queue(o)]
    }

    fn queue_empty(&self, o: usize) -> bool {
        !self.fair(o) || self.queue_head(o) == 0
    }

    fn enqueue(&mut self, o: usize, entry: Value) {
        let q = self.queue(o);
        let n = self.x.layout.n_threads;
        if let Some(slot) = (q..q + n).find(|&i| self.st[i] == 0) {
            self.st[slot] = entry;
        }
    }

    fn dequeue(&mut self, o: usize) {
        let q = self.queue(o);
        let n = self.x.layout.n_threads;
        self.st.copy_within(q + 1..q + n, q);
        self.st[q + n - 1] = 0;
    }

    fn me(&self) -> Value {
        self.t as Value + 1
    }

    /// Who holds mutex `o`, for messages.
    fn holder_text(&self, o: usize) -> String {
        match self.st[self.off(o)] {
            0 => "it is not locked".to_string(),
            h => format!("it is held by {}", self.thread_name(h as usize - 1)),
        }
    }

    fn mutex_acquire_fair_or_queue(&mut self, o: usize, pc: usize, what: &str) -> usize {
        let off = self.off(o);
        if self.st[off] == 0 && self.queue_empty(o) {
            self.own(o);
            self.note(|r| format!("{what} {}", r.name(o)));
            pc + 2
        } else {
            let me = self.me();
            self.enqueue(o, me);
            self.note(|r| format!("{what} {}: busy, joins its queue", r.name(o)));
            pc + 1
        }
    }

    /// Execute a sync operation; returns the next program counter.
    pub(super) fn sync(&mut self, op: &Op, span: SrcSpan, pc: usize) -> StepResult<usize> {
        let next = pc + 1;
        match op {
            Op::Lock { obj } => {
                let o = self.obj(obj, span)?;
                let off = self.off(o);
                if self.st[off] == self.me() {
                    return Err(runtime(
                        span,
                        format!(
                            "locking mutex {} that this thread already holds",
                            self.name(o)
                        ),
                    ));
                }
                if self.fair(o) {
                    return Ok(self.mutex_acquire_fair_or_queue(o, pc, "lock"));
                }
                if self.st[off] != 0 {
                    return Err(Stop::Blocked(span, BlockReason::Mutex(o)));
                }
                self.own(o);
                self.note(|r| format!("lock {}", r.name(o)));
            }
            Op::LockGrant { obj } => {
                let o = self.obj(obj, span)?;
                let off = self.off(o);
                if self.st[off] != 0 || self.queue_head(o) != self.me() {
                    return Err(Stop::Blocked(span, BlockReason::Queue(o)));
                }
                self.dequeue(o);
                self.own(o);
                self.note(|r| format!("lock {} (its turn)", r.name(o)));
            }
            Op::Unlock { obj } => {
                let o = self.obj(obj, span)?;
                let off = self.off(o);
                if self.st[off] != self.me() {
                    return Err(runtime(
                        span,
                        format!(
                            "unlocking mutex {} that this thread does not hold: {}",
                            self.name(o),
                            self.holder_text(o)
                        ),
                    ));
                }
                self.st[off] = 0;
                self.note(|r| format!("unlock {}", r.name(o)));
            }
            Op::TryLock { dst, obj } => {
                let o = self.obj(obj, span)?;
                let off = self.off(o);
                let ok = self.st[off] == 0 && self.queue_empty(o);
                if ok {
                    self.own(o);
                }
                self.set_local(*dst, ok as Value);
                self.note(|r| format!("try_lock {} -> {ok}", r.name(o)));
            }
            Op::ReadLock { obj } | Op::WriteLock { obj } => {
                let write = matches!(op, Op::WriteLock { .. });
                let o = self.obj(obj, span)?;
                let off = self.off(o);
                let (writer, readers) = (self.st[off], self.st[off + 1]);
                // Taking it again in another mode, or for writing again,
                // waits for this thread itself: a deadlock (LANGUAGE.md
                // section 7 makes only a mutex's relock an error). A second
                // read lock could be taken, but read locks are not counted:
                // the first unlock would release both.
                if !write && readers & bit(self.t) != 0 {
                    return Err(runtime(
                        span,
                        format!(
                            "read_lock of rwlock {} that this thread already holds for reading: read locks are not counted",
                            self.name(o)
                        ),
                    ));
                }
                let free = writer == 0 && (!write || readers == 0);
                let verb = if write { "write_lock" } else { "read_lock" };
                if self.fair(o) {
                    if free && self.queue_empty(o) {
                        self.rw_take(o, write);
                        self.note(|r| format!("{verb} {}", r.name(o)));
                        return Ok(pc + 2);
                    }
                    let entry = 2 * self.me() + write as Value;
                    self.enqueue(o, entry);
                    self.note(|r| format!("{verb} {}: busy, joins its queue", r.name(o)));
                    return Ok(next);
                }
                if !free {
                    let reason = if write {
                        BlockReason::RwWrite(o)
                    } else {
                        BlockReason::RwRead(o)
                    };
                    return Err(Stop::Blocked(span, reason));
                }
                self.rw_take(o, write);
                self.note(|r| format!("{verb} {}", r.name(o)));
            }
            Op::RwGrant { obj } => {
                let o = self.obj(obj, span)?;
                let off = self.off(o);
                let head = self.queue_head(o);
                let write = head & 1 == 1;
                let free = self.st[off] == 0 && (!write || self.st[off + 1] == 0);
                if head / 2 != self.me() || !free {
                    return Err(Stop::Blocked(span, BlockReason::Queue(o)));
                }
                self.dequeue(o);
                self.rw_take(o, write);
                self.note(|r| {
                    let verb = if write { "write_lock" } else { "read_lock" };
                    format!("{verb} {} (its turn)", r.name(o))
                });
            }
            Op::ReadUnlock { obj } => {
                let o = self.obj(obj, span)?;
                let off = self.off(o);
                if self.st[off + 1] & bit(self.t) == 0 {
                    return Err(runtime(
                        span,
                        format!(
                            "read_unlock of rwlock {} that this thread does not hold for reading",
                            self.name(o)
                        ),
                    ));
                }
                self.st[off + 1] &= !bit(self.t);
                self.note(|r| format!("read_unlock {}", r.name(o)));
            }
            Op::WriteUnlock { obj } => {
                let o = self.obj(obj, span)?;
                let off = self.off(o);
                if self.st[off] != self.me() {
                    return Err(runtime(
                        span,
                        format!(
                            "write_unlock of rwlock {} that this thread does not hold for writing",
                            self.name(o)
                        ),
                    ));
                }
                self.st[off] = 0;
                self.note(|r| format!("write_unlock {}", r.name(o)));
            }
            Op::Acquire { obj } => {
                let o = self.obj(obj, span)?;
                let off = self.off(o);
                let permits = self.st[off];
                if self.fair(o) {
                    if permits > 0 && self.queue_empty(o) {
                        self.st[off] -= 1;
                        self.note(|r| {
                            format!(
                                "acquire {} (permits {permits} -> {})",
                                r.name(o),
                                permits - 1
                            )
                        });
                        return Ok(pc + 2);
                    }
                    let me = self.me();
                    self.enqueue(o, me);
                    self.note(|r| format!("acquire {}: no permit, joins its queue", r.name(o)));
                    return Ok(next);
                }
                if permits == 0 {
                    return Err(Stop::Blocked(span, BlockReason::Semaphore(o)));
                }
                self.st[off] -= 1;
                self.note(|r| {
                    format!(
                        "acquire {} (permits {permits} -> {})",
                        r.name(o),
                        permits - 1
                    )
                });
            }
            Op::AcquireGrant { obj } => {
                let o = self.obj(obj, span)?;
                let off = self.off(o);
                if self.st[off] == 0 || self.queue_head(o) != self.me() {
                    return Err(Stop::Blocked(span, BlockReason::Queue(o)));
                }
                self.dequeue(o);
                self.st[off] -= 1;
                self.note(|r| format!("acquire {} (its turn)", r.name(o)));
            }
            Op::Release { obj } => {
                let o = self.obj(obj, span)?;
                let off = self.off(o);
                let permits = self.st[off];
                let Some(n) = permits.checked_add(1) else {
                    return Err(runtime(
                        span,
                        format!("overflow: semaphore {} has too many permits", self.name(o)),
                    ));
                };
                self.st[off] = n;
                self.note(|r| format!("release {} (permits {permits} -> {n})", r.name(o)));
            }
            Op::TryAcquire { dst, obj } => {
                let o = self.obj(obj, span)?;
                let off = self.off(o);
                let ok = self.st[off] > 0 && self.queue_empty(o);
                if ok {
                    self.st[off] -= 1;
                }
                self.set_local(*dst, ok as Value);
                self.note(|r| format!("try_acquire {} -> {ok}", r.name(o)));
            }
            Op::CvWait { cv, mutex } => {
                let c = self.obj(cv, span)?;
                let m = self.obj(mutex, span)?;
                let moff = self.off(m);
                if self.st[moff] != self.me() {
                    return Err(runtime(
                        span,
                        format!(
                            "{}.wait({}) without holding {}: {}",
                            self.name(c),
                            self.name(m),
                            self.name(m),
                            self.holder_text(m)
                        ),
                    ));
                }
                self.st[moff] = 0;
                let coff = self.off(c);
                self.st[coff] |= bit(self.t);
                self.note(|r| format!("wait on {} (unlocks {})", r.name(c), r.name(m)));
            }
            Op::CvRelock { cv, mutex } => {
                let c = self.obj(cv, span)?;
                let m = self.obj(mutex, span)?;
                if self.st[self.off(c)] & bit(self.t) != 0 {
                    return Err(Stop::Blocked(span, BlockReason::Condvar(c, m)));
                }
                if self.fair(m) {
                    return Ok(self.mutex_acquire_fair_or_queue(m, pc, "wakes, relocks"));
                }
                let moff = self.off(m);
                if self.st[moff] != 0 {
                    return Err(Stop::Blocked(span, BlockReason::Relock(m)));
                }
                self.own(m);
                self.note(|r| format!("wakes from {}, relocks {}", r.name(c), r.name(m)));
            }
            Op::Notify { cv, all } => {
                let c = self.obj(cv, span)?;
                let off = self.off(c);
                let waiters = self.st[off];
                if *all {
                    self.st[off] = 0;
                    self.note(|r| {
                        format!("notify_all {} (wakes {})", r.name(c), waiters.count_ones())
                    });
                } else if waiters == 0 {
                    self.note(|r| format!("notify_one {}: nobody waits", r.name(c)));
                } else {
                    let k = self.choose(waiters.count_ones());
                    let woken = (0..64)
                        .filter(|i| waiters & bit(*i) != 0)
                        .nth(k as usize)
                        .unwrap_or(0);
                    self.st[off] &= !bit(woken);
                    self.note(|r| {
                        format!("notify_one {}: wakes {}", r.name(c), r.thread_name(woken))
                    });
                }
            }
            Op::Send { ch, value } => {
                let c = self.obj(ch, span)?;
                let v = self.eval(value)?;
                let off = self.off(c);
                let cap = self.x.program.objects[c].param as usize;
                let len = self.st[off] as usize;
                if self.st[off + 1] != 0 {
                    return Err(runtime(
                        span,
                        format!("send on closed channel {}", self.name(c)),
                    ));
                }
                if cap == 0 {
                    if len > 0 {
                        return Err(Stop::Blocked(span, BlockReason::RendezvousBusy(c)));
                    }
                    self.st[off] = 1;
                    self.st[off + 2] = self.me();
                    self.st[off + 3] = v;
                    self.note(|r| format!("offer {v} on {}", r.name(c)));
                } else {
                    if len >= cap {
                        return Err(Stop::Blocked(span, BlockReason::ChannelFull(c)));
                    }
                    self.st[off + 3 + len] = v;
                    self.st[off] += 1;
                    self.note(|r| format!("send {v} on {}", r.name(c)));
                }
            }
            Op::SendWait { ch } => {
                let c = self.obj(ch, span)?;
                let off = self.off(c);
                if self.st[off + 2] == self.me() {
                    return Err(Stop::Blocked(span, BlockReason::RendezvousTake(c)));
                }
                self.note(|r| format!("send on {} done: a receiver took it", r.name(c)));
            }
            Op::Recv { dst, ch } => {
                let c = self.obj(ch, span)?;
                match self.take(c) {
                    Some(v) => {
                        self.set_local(*dst, v);
                        self.note(|r| format!("receive {v} from {}", r.name(c)));
                    }
                    None if self.st[self.off(c) + 1] != 0 => {
                        return Err(runtime(
                            span,
                            format!("receive on closed empty channel {}", self.name(c)),
                        ));
                    }
                    None => return Err(Stop::Blocked(span, BlockReason::ChannelEmpty(c))),
                }
            }
            Op::RecvOrEnd { dst, ch, end } => {
                let c = self.obj(ch, span)?;
                match self.take(c) {
                    Some(v) => {
                        self.set_local(Some(*dst), v);
                        self.note(|r| format!("receive {v} from {}", r.name(c)));
                    }
                    None if self.st[self.off(c) + 1] != 0 => {
                        self.note(|r| {
                            format!("{} is closed and drained: the loop ends", r.name(c))
                        });
                        return Ok(*end as usize);
                    }
                    None => return Err(Stop::Blocked(span, BlockReason::ChannelEmpty(c))),
                }
            }
            Op::Close { ch } => {
                let c = self.obj(ch, span)?;
                let off = self.off(c);
                if self.st[off + 1] != 0 {
                    return Err(runtime(
                        span,
                        format!("closing channel {} twice", self.name(c)),
                    ));
                }
                self.st[off + 1] = 1;
                self.note(|r| format!("close {}", r.name(c)));
            }
            Op::BarrierArrive { obj } => {
                let b = self.obj(obj, span)?;
                let off = self.off(b);
                let parties = self.x.program.objects[b].param;
                let arrived = self.st[off].count_ones() as Value + 1;
                if arrived >= parties {
                    self.st[off] = 0;
                    self.note(|r| {
                        format!(
                            "arrive at {} ({arrived} of {parties}): releases everyone",
                            r.name(b)
                        )
                    });
                    return Ok(pc + 2);
                }
                self.st[off] |= bit(self.t);
                self.note(|r| format!("arrive at {} ({arrived} of {parties})", r.name(b)));
            }
            Op::BarrierLeave { obj } => {
                let b = self.obj(obj, span)?;
                if self.st[self.off(b)] & bit(self.t) != 0 {
                    return Err(Stop::Blocked(span, BlockReason::Barrier(b)));
                }
                self.note(|r| format!("leave {}", r.name(b)));
            }
            Op::WgAdd { obj, value } => {
                let w = self.obj(obj, span)?;
                let v = self.eval(value)?;
                self.wg_change(w, v, span, "add")?;
            }
            Op::WgDone { obj } => {
                let w = self.obj(obj, span)?;
                self.wg_change(w, -1, span, "done")?;
            }
            Op::WgWait { obj } => {
                let w = self.obj(obj, span)?;
                if self.st[self.off(w)] != 0 {
                    return Err(Stop::Blocked(span, BlockReason::WaitGroup(w)));
                }
                self.note(|r| format!("{}.wait(): the counter is 0", r.name(w)));
            }
            // Everything else is handled by `Run::exec`.
            _ => {}
        }
        Ok(next)
    }

    fn rw_take(&mut self, o: usize, write: bool) {
        let off = self.off(o);
        if write {
            self.own(o);
        } else {
            self.st[off + 1] |= bit(self.t);
            if let Some(tr) = self.trace.as_mut() {
                tr.acquired.push(o);
            }
        }
    }

    /// Take mutex (or write-lock rwlock) `o`.
    fn own(&mut self, o: usize) {
        let off = self.off(o);
        self.st[off] = self.me();
        if let Some(tr) = self.trace.as_mut() {
            tr.acquired.push(o);
        }
    }

    /// Take the oldest value from channel `c`, if any.
    fn take(&mut self, c: usize) -> Option<Value> {
        let off = self.off(c);
        let len = self.st[off] as usize;
        if len == 0 {
            return None;
        }
        let cap = self.x.program.objects[c].param.max(1) as usize;
        let v = self.st[off + 3];
        self.st.copy_within(off + 4..off + 3 + cap, off + 3);
        self.st[off + 2 + cap] = 0;
        self.st[off] -= 1;
        self.st[off + 2] = 0;
        Some(v)
    }

    fn wg_change(&mut self, w: usize, by: Value, span: SrcSpan, what: &str) -> StepResult<()> {
        let off = self.off(w);
        let old = self.st[off];
        let new = old.checked_add(by).unwrap_or(Value::MIN);
        if new < 0 {
            return Err(runtime(
                span,
                format!(
                    "negative waitgroup counter: {}.{what}() takes it from {old} to {new}",
                    self.name(w)
                ),
            ));
        }
        self.st[off] = new;
        self.note(|r| format!("{}.{what}(): counter {old} -> {new}", r.name(w)));
        Ok(())
    }
}
