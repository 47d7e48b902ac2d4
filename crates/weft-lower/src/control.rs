//! Blocks that steer control without looping: `if`, `with` and `atomic`.
//! Their cleanups (the unlock of a `with`, the end of an `atomic`) are kept
//! on a stack so every early exit can emit them, innermost first.

use weft_ir::{self as ir, Op};
use weft_syntax::ast::{Block, Expr, ObjectKind, Place, RwMode, Span};

use crate::context::{AtomicCtx, Cleanup, Lower, Resolved};
use crate::declare::GlobalKind;
use crate::error::{Detail, LowerError};
use crate::layout::span;
use crate::stmt::{closing_brace, keyword};
use crate::types::Ty;

impl<'e, 'a> Lower<'e, 'a> {
    pub fn if_stmt(
        &mut self,
        cond: &'a Expr,
        then_block: &'a Block,
        else_block: Option<&'a Block>,
    ) {
        let floor = self.stmt_floor;
        let v = self.expr_of(cond, Ty::Bool, "an `if` condition");
        let top = self.b.sp;
        let at = span(cond.span);
        let to_else = self.b.jump_if_not_forward(v.expr, at);
        // The condition's temporaries are dead in both branches.
        self.b.free_to(floor, at);
        self.block(then_block);
        match else_block {
            Some(e) => {
                let to_end = self.b.jump_forward(span(closing_brace(then_block.span)));
                self.b.patch_here(to_else);
                self.b.clear(floor, top, at);
                self.block(e);
                self.b.patch_here(to_end);
            }
            None => {
                self.b.patch_here(to_else);
                self.b.clear(floor, top, at);
            }
        }
    }

    /// "a local variable", "a mutex", ... for a resolved name.
    pub fn describe(&self, r: Resolved) -> String {
        match r {
            Resolved::Local(_) => "a local variable".into(),
            Resolved::Global(k) => self.env.decls.describe(k),
        }
    }

    /// An object reference that stays the same through a block even if the
    /// locals in its index change: a dynamic index is saved in `holder`.
    pub fn stable_obj(
        &mut self,
        obj: ir::ObjRef,
        holder: Option<u32>,
        at: ir::SrcSpan,
    ) -> ir::ObjRef {
        match (obj, holder) {
            (ir::ObjRef::Group { group, idx }, Some(holder)) if !only_self(&idx) => {
                self.b.emit(
                    Op::Set {
                        dst: holder,
                        value: idx,
                        range: None,
                    },
                    at,
                );
                ir::ObjRef::Group {
                    group,
                    idx: ir::Expr::Local(holder),
                }
            }
            (other, _) => other,
        }
    }

    /// Emit the cleanups above `depth`, innermost first (for an early exit).
    pub fn emit_cleanups(&mut self, depth: usize) {
        let pending: Vec<Cleanup> = self.cleanups[depth.min(self.cleanups.len())..]
            .iter()
            .rev()
            .cloned()
            .collect();
        for c in pending {
            match c {
                Cleanup::Unlock(op, at) => self.b.emit(op, at),
                Cleanup::AtomicEnd(at) => self.b.emit(Op::AtomicEnd, at),
            };
        }
    }

    pub fn with_stmt(&mut self, lock: &'a Place, mode: Option<RwMode>, body: &'a Block, at: Span) {
        if !self.allow_effect("with", at) {
            return;
        }
        let text = match mode {
            None => format!("with {}", lock.name.name),
            Some(RwMode::Read) => format!("with {}.read", lock.name.name),
            Some(RwMode::Write) => format!("with {}.write", lock.name.name),
        };
        self.check_blocking(&text, lock.span);
        let holder = lock
            .index
            .as_ref()
            .filter(|i| !self.is_fixed(i))
            .map(|_| self.b.alloc(1));
        let obj = self.with_lock(lock, mode);
        let s = span(lock.span);
        let obj = obj.map(|(o, fair)| (self.stable_obj(o, holder, s), fair));
        self.b.free_to(holder.map_or(self.stmt_floor, |h| h + 1), s);
        let Some((obj, fair)) = obj else {
            self.block(body);
            return;
        };
        let o = || obj.clone();
        let (acquire, grant, release) = match mode {
            None => (
                Op::Lock { obj: o() },
                Op::LockGrant { obj: o() },
                Op::Unlock { obj: o() },
            ),
            Some(RwMode::Read) => (
                Op::ReadLock { obj: o() },
                Op::RwGrant { obj: o() },
                Op::ReadUnlock { obj: o() },
            ),
            Some(RwMode::Write) => (
                Op::WriteLock { obj: o() },
                Op::RwGrant { obj: o() },
                Op::WriteUnlock { obj: o() },
            ),
        };
        self.lock(acquire, fair.then_some(grant), s);
        let end = span(closing_brace(body.span));
        self.cleanups.push(Cleanup::Unlock(release.clone(), end));
        self.block(body);
        self.cleanups.pop();
        self.b.emit(release, end);
    }

    /// The lock of a `with`, and whether it is fair.
    fn with_lock(&mut self, lock: &'a Place, mode: Option<RwMode>) -> Option<(ir::ObjRef, bool)> {
        let r = self.resolve(&lock.name)?;
        let name = &lock.name.name;
        let g = match r {
            Resolved::Global(GlobalKind::Object(g)) => g,
            other => {
                let what = self.describe(other);
                self.error(LowerError::WrongKind(
                    Detail::new(format!(
                        "`with` needs a mutex or rwlock, but `{name}` is {what}"
                    ))
                    .at(lock.name.span, "not a lock")
                    .help("declare a lock (`mutex m;`) and write `with m { ... }`"),
                ));
                return None;
            }
        };
        let group = &self.env.layout.obj_groups[g];
        let problem = match (group.kind, mode) {
            (ObjectKind::Mutex, None) | (ObjectKind::RwLock, Some(_)) => None,
            (ObjectKind::Mutex, Some(_)) => Some((
                format!("`{name}` is a mutex, which has no read or write mode"),
                format!("write `with {name} {{ ... }}`"),
            )),
            (ObjectKind::RwLock, None) => Some((
                format!("`{name}` is a rwlock: say how to lock it"),
                format!("write `with {name}.read {{ ... }}` or `with {name}.write {{ ... }}`"),
            )),
            (ObjectKind::Semaphore, _) => Some((
                format!("`with` needs a mutex or rwlock, but `{name}` is a semaphore"),
                format!("write `{name}.acquire();` and `{name}.release();` around the block"),
            )),
            (_, _) => Some((
                format!(
                    "`with` needs a mutex or rwlock, but `{name}` is {}",
                    self.env.decls.describe(GlobalKind::Object(g))
                ),
                "declare a lock (`mutex m;`) and write `with m { ... }`".to_string(),
            )),
        };
        if let Some((message, help)) = problem {
            self.error(LowerError::WrongKind(
                Detail::new(message)
                    .at(lock.span, "not this kind of lock")
                    .help(help),
            ));
            return None;
        }
        let fair = group.fair;
        Some((self.obj_ref(g, &lock.name, lock.index.as_deref())?, fair))
    }

    pub fn atomic_stmt(&mut self, body: &'a Block, at: Span) {
        if !self.allow_effect("atomic { }", at) {
            return;
        }
        if self.atomic.is_some() {
            // Already one step: the inner block adds nothing.
            return self.block(body);
        }
        // The `atomic` keyword: the block itself may span many lines.
        let keyword = keyword(at, "atomic");
        let end = span(closing_brace(body.span));
        self.b.emit(Op::AtomicBegin { block: true }, span(keyword));
        self.atomic = Some(AtomicCtx {
            span: keyword,
            what: "`atomic { }`",
            call_depth: self.calls.len(),
        });
        self.cleanups.push(Cleanup::AtomicEnd(end));
        self.block(body);
        self.cleanups.pop();
        self.atomic = None;
        self.b.emit(Op::AtomicEnd, end);
    }
}

impl Lower<'_, '_> {
    /// Whether `e` is written with literals and constants only (so it needs
    /// no slot to hold it).
    pub fn is_constant(&self, e: &Expr) -> bool {
        self.fixed(e, false)
    }

    /// Whether `e` uses only literals, constants and `self`, which never
    /// change during a thread's run.
    pub fn is_fixed(&self, e: &Expr) -> bool {
        self.fixed(e, true)
    }

    /// The value of an int expression written with literals and constants
    /// only, if it folds without overflow.
    pub fn constant_int(&self, e: &Expr) -> Option<i64> {
        use weft_syntax::ast::ExprKind as K;
        match &e.kind {
            K::Int(k) => Some(*k),
            K::Name(id) => match self.lookup(&id.name) {
                Some(Resolved::Global(GlobalKind::Const(c))) => match self.const_value(c)? {
                    crate::consts::CVal::Int(k) => Some(k),
                    crate::consts::CVal::Bool(_) => None,
                },
                _ => None,
            },
            K::Unary { op, operand } => crate::types::fold_unary(*op, self.constant_int(operand)?),
            K::Binary { op, lhs, rhs } => {
                crate::types::fold_binary(*op, self.constant_int(lhs)?, self.constant_int(rhs)?)
            }
            _ => None,
        }
    }

    fn fixed(&self, e: &Expr, self_ok: bool) -> bool {
        use weft_syntax::ast::ExprKind as K;
        match &e.kind {
            K::Int(_) | K::Bool(_) => true,
            K::SelfIdx => self_ok,
            K::Name(id) => matches!(
                self.lookup(&id.name),
                Some(Resolved::Global(GlobalKind::Const(_)))
            ),
            K::Unary { operand, .. } => self.fixed(operand, self_ok),
            K::Binary { lhs, rhs, .. } => self.fixed(lhs, self_ok) && self.fixed(rhs, self_ok),
            _ => false,
        }
    }
}

/// Whether an index expression depends only on constants and `self` (slot 0),
/// which never change.
fn only_self(e: &ir::Expr) -> bool {
    match e {
        ir::Expr::Const(_) | ir::Expr::Local(0) => true,
        ir::Expr::Unary(_, x, _) => only_self(x),
        ir::Expr::Binary(_, l, r, _) => only_self(l) && only_self(r),
        _ => false,
    }
}
