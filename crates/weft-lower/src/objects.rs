//! Operations on sync objects: which instance (`m`, `fork[i]`), and the
//! instructions of each method, with the FIFO grant after a blocking
//! acquisition of a fair object.

use weft_ir::{self as ir, Op};
use weft_syntax::ast::{Expr, ExprKind, Ident, ObjectKind, Place, Span};

use crate::context::{Lower, Resolved};
use crate::declare::{object_kind_plural, GlobalKind};
use crate::error::{Detail, LowerError};
use crate::expr::{needs_index, not_an_array, Val};
use crate::layout::span;
use crate::methods::Sig;
use crate::types::Ty;

impl<'e, 'a> Lower<'e, 'a> {
    pub fn object_op(
        &mut self,
        g: usize,
        receiver: &'a Place,
        sig: &Sig,
        args: &'a [Expr],
        at: Span,
        want: bool,
    ) -> Option<Val> {
        let obj = self.obj_ref(g, &receiver.name, receiver.index.as_deref())?;
        let group = &self.env.layout.obj_groups[g];
        let (kind, fair) = (group.kind, group.fair);
        let capacity = self.env.layout.objects[group.base as usize].param;
        let s = span(at);
        let o = || obj.clone();
        let mut value = None;
        match (kind, sig.name) {
            (ObjectKind::Mutex, "lock") => self.lock(
                Op::Lock { obj: o() },
                fair.then(|| Op::LockGrant { obj: o() }),
                s,
            ),
            (ObjectKind::Mutex, "unlock") => self.emit(Op::Unlock { obj: o() }, s),
            (ObjectKind::Mutex, "try_lock") => {
                let dst = self.result_slot(want);
                self.emit(Op::TryLock { dst, obj: o() }, s);
                value = dst.map(|d| (d, Ty::Bool));
            }
            (ObjectKind::RwLock, "read_lock") => self.lock(
                Op::ReadLock { obj: o() },
                fair.then(|| Op::RwGrant { obj: o() }),
                s,
            ),
            (ObjectKind::RwLock, "write_lock") => self.lock(
                Op::WriteLock { obj: o() },
                fair.then(|| Op::RwGrant { obj: o() }),
                s,
            ),
            (ObjectKind::RwLock, "read_unlock") => self.emit(Op::ReadUnlock { obj: o() }, s),
            (ObjectKind::RwLock, "write_unlock") => self.emit(Op::WriteUnlock { obj: o() }, s),
            (ObjectKind::Semaphore, "acquire") => self.lock(
                Op::Acquire { obj: o() },
                fair.then(|| Op::AcquireGrant { obj: o() }),
                s,
            ),
            (ObjectKind::Semaphore, "release") => self.emit(Op::Release { obj: o() }, s),
            (ObjectKind::Semaphore, "try_acquire") => {
                let dst = self.result_slot(want);
                self.emit(Op::TryAcquire { dst, obj: o() }, s);
                value = dst.map(|d| (d, Ty::Bool));
            }
            (ObjectKind::Condvar, "wait") => {
                let (mutex, mutex_fair) = self.mutex_arg(&args[0])?;
                self.emit(
                    Op::CvWait {
                        cv: o(),
                        mutex: mutex.clone(),
                    },
                    s,
                );
                self.emit(
                    Op::CvRelock {
                        cv: o(),
                        mutex: mutex.clone(),
                    },
                    s,
                );
                if mutex_fair {
                    self.emit(Op::LockGrant { obj: mutex }, s);
                }
            }
            (ObjectKind::Condvar, "notify_one" | "notify_all") => self.emit(
                Op::Notify {
                    cv: o(),
                    all: sig.name == "notify_all",
                },
                s,
            ),
            (ObjectKind::Channel, "send") => {
                let v = self.expr_of(&args[0], Ty::Int, "a value sent on a channel");
                self.emit(
                    Op::Send {
                        ch: o(),
                        value: v.expr,
                    },
                    s,
                );
                if capacity == 0 {
                    self.emit(Op::SendWait { ch: o() }, s);
                }
            }
            (ObjectKind::Channel, "recv") => {
                let dst = self.result_slot(want);
                self.emit(Op::Recv { dst, ch: o() }, s);
                value = dst.map(|d| (d, Ty::Int));
            }
            (ObjectKind::Channel, "close") => self.emit(Op::Close { ch: o() }, s),
            (ObjectKind::Barrier, "wait") => {
                self.emit(Op::BarrierArrive { obj: o() }, s);
                self.emit(Op::BarrierLeave { obj: o() }, s);
            }
            (ObjectKind::WaitGroup, "add") => {
                let v = self.expr_of(&args[0], Ty::Int, "a wait group increment");
                self.emit(
                    Op::WgAdd {
                        obj: o(),
                        value: v.expr,
                    },
                    s,
                );
            }
            (ObjectKind::WaitGroup, "done") => self.emit(Op::WgDone { obj: o() }, s),
            (ObjectKind::WaitGroup, "wait") => self.emit(Op::WgWait { obj: o() }, s),
            _ => return None,
        }
        Some(match value {
            Some((d, ty)) => Val::new(ir::Expr::Local(d), ty),
            None => Val::unknown(),
        })
    }

    fn emit(&mut self, op: Op, at: ir::SrcSpan) {
        self.b.emit(op, at);
    }

    /// A blocking acquisition, followed by its FIFO grant on a fair object.
    pub fn lock(&mut self, op: Op, grant: Option<Op>, at: ir::SrcSpan) {
        self.b.emit(op, at);
        if let Some(g) = grant {
            self.b.emit(g, at);
        }
    }

    /// The mutex argument of `cv.wait(m)`, and whether it is fair.
    fn mutex_arg(&mut self, arg: &'a Expr) -> Option<(ir::ObjRef, bool)> {
        let (name, index) = match &arg.kind {
            ExprKind::Name(id) => (id, None),
            ExprKind::Index { base, index } => (base, Some(index.as_ref())),
            _ => {
                self.error(LowerError::WrongKind(
                    Detail::new("`wait` needs the mutex that guards the condition")
                        .at(arg.span, "not a mutex")
                        .help("write `cv.wait(m);` while holding the mutex `m`"),
                ));
                return None;
            }
        };
        match self.resolve(name)? {
            Resolved::Global(GlobalKind::Object(g))
                if self.env.layout.obj_groups[g].kind == ObjectKind::Mutex =>
            {
                let fair = self.env.layout.obj_groups[g].fair;
                Some((self.obj_ref(g, name, index)?, fair))
            }
            other => {
                let what = match other {
                    Resolved::Local(_) => "a local variable".to_string(),
                    Resolved::Global(k) => self.env.decls.describe(k),
                };
                self.error(LowerError::WrongKind(
                    Detail::new(format!(
                        "`wait` needs a mutex, but `{}` is {what}",
                        name.name
                    ))
                    .at(arg.span, "not a mutex")
                    .help("write `cv.wait(m);` with the mutex `m` that guards the condition"),
                ));
                None
            }
        }
    }

    /// The object instance `name` / `name[index]` of group `g`. A constant
    /// index gives a fixed instance; any reads in the index happen first.
    pub fn obj_ref(
        &mut self,
        g: usize,
        name: &Ident,
        index: Option<&'a Expr>,
    ) -> Option<ir::ObjRef> {
        let group = &self.env.layout.obj_groups[g];
        let (base, len, is_array) = (group.base, group.len, group.is_array);
        match index {
            None if is_array => {
                let what = format!("an array of {len} {}", object_kind_plural(group.kind));
                self.error(needs_index(name, &what, "pick one with", len));
                None
            }
            None => Some(ir::ObjRef::Fixed(base)),
            Some(i) if !is_array => {
                self.expr(i);
                self.error(not_an_array(name));
                None
            }
            // A constant index in bounds names the object now; any other
            // is checked at run time.
            Some(i) => match self.index(i) {
                ir::Expr::Const(k) if (0..i64::from(len)).contains(&k) => {
                    Some(ir::ObjRef::Fixed(base + k as u32))
                }
                idx => Some(ir::ObjRef::Group {
                    group: g as u32,
                    idx,
                }),
            },
        }
    }
}
