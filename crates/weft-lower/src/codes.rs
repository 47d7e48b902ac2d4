//! Lowering whole codes: each thread declaration, each function on its own
//! (for its diagnostics), and each specification.

use weft_ir::{self as ir, Op};
use weft_syntax::ast::{Expr, Span, StrLit};

use crate::context::{CallFrame, Env, Local, Lower, Mode};
use crate::error::LowerError;
use crate::layout::span;
use crate::taint;
use crate::types::Ty;

/// The code of thread declaration `g`, shared by all its instances.
pub(crate) fn thread(env: &Env<'_>, g: usize) -> (ir::Code, Vec<LowerError>) {
    let decl = env.layout.thread_groups[g].decl;
    let mut l = Lower::new(env, Mode::Thread { group: g });
    l.block(&decl.body);
    for p in std::mem::take(&mut l.thread_returns) {
        l.b.patch_here(p);
    }
    let mut code = ir::Code {
        name: decl.name.name.clone(),
        n_locals: l.b.max_sp,
        labels: l.labels,
        span: span(decl.span),
        instrs: l.b.instrs,
    };
    code.n_locals = locals_used(&code);
    clamp_clears(&mut code);
    // A code with errors is not run: its analyses would only cost time
    // (the taint analysis holds a set per local and instruction).
    if l.errors.is_empty() {
        taint::mark_from_read(&mut code);
        mark_trailing(&mut code);
    }
    (code, l.errors)
}

/// Find each label's trailing local work ([`ir::Label::trailing`]): the
/// local instructions of its ranges whose every way in comes from an
/// instruction of the ranges that is a step or trailing itself. Local work
/// that the thread can reach from outside, such as a label on `progress;`
/// or a `let` at a statement's start, is not trailing: the thread in front
/// of it has not started the statement.
fn mark_trailing(code: &mut ir::Code) {
    let n = code.instrs.len();
    let local = |pc: usize| code.instrs[pc].op.is_local_work();
    // Where control comes from: `None` for the thread's start.
    let mut preds: Vec<Vec<Option<usize>>> = vec![Vec::new(); n];
    if n > 0 {
        preds[0].push(None);
    }
    for (pc, instr) in code.instrs.iter().enumerate() {
        let (next, other) = match &instr.op {
            Op::Jump(t) => (None, Some(*t as usize)),
            Op::JumpIfNot { target, .. } => (Some(pc + 1), Some(*target as usize)),
            Op::RecvOrEnd { end, .. } => (Some(pc + 1), Some(*end as usize)),
            _ => (Some(pc + 1), None),
        };
        for q in [next, other].into_iter().flatten().filter(|&q| q < n) {
            preds[q].push(Some(pc));
        }
    }
    let mut labels = std::mem::take(&mut code.labels);
    for label in &mut labels {
        let mut trailing: Vec<bool> = (0..n).map(|pc| label.within(pc) && local(pc)).collect();
        // The largest set closed under "every way in is a step of the
        // ranges or trailing": drop what some other way reaches.
        let mut changed = true;
        while changed {
            changed = false;
            for pc in 0..n {
                if trailing[pc]
                    && !preds[pc]
                        .iter()
                        .all(|p| p.is_some_and(|p| label.within(p) && (!local(p) || trailing[p])))
                {
                    trailing[pc] = false;
                    changed = true;
                }
            }
        }
        label.trailing = (0..n as u32).filter(|&pc| trailing[pc as usize]).collect();
    }
    code.labels = labels;
}

/// The number of slots the code really touches: a temporary that a read was
/// redirected away from is allocated but never used, and must not widen
/// every state.
fn locals_used(code: &ir::Code) -> u32 {
    fn expr(e: &ir::Expr, top: &mut u32) {
        match e {
            ir::Expr::Const(_) => {}
            ir::Expr::Local(s) => *top = (*top).max(s + 1),
            ir::Expr::LocalIdx { base, len, idx, .. } => {
                *top = (*top).max(base + len);
                expr(idx, top);
            }
            ir::Expr::Unary(_, x, _) => expr(x, top),
            ir::Expr::Binary(_, l, r, _) => {
                expr(l, top);
                expr(r, top);
            }
            ir::Expr::At { thread, .. } | ir::Expr::Done(thread) => thread_ref(thread, top),
        }
    }
    fn thread_ref(t: &ir::ThreadRef, top: &mut u32) {
        if let ir::ThreadRef::Group { idx, .. } = t {
            expr(idx, top);
        }
    }
    fn obj(o: &ir::ObjRef, top: &mut u32) {
        if let ir::ObjRef::Group { idx, .. } = o {
            expr(idx, top);
        }
    }
    fn cell(c: &ir::CellRef, top: &mut u32) {
        if let Some(i) = &c.idx {
            expr(i, top);
        }
    }
    fn dst(d: &Option<u32>, top: &mut u32) {
        if let Some(d) = d {
            *top = (*top).max(d + 1);
        }
    }
    let mut top = 1;
    for i in &code.instrs {
        let t = &mut top;
        match &i.op {
            Op::Set { dst: d, value, .. } => {
                dst(&Some(*d), t);
                expr(value, t);
            }
            Op::SetIdx {
                base,
                len,
                idx,
                value,
                ..
            } => {
                *t = (*t).max(base + len);
                expr(idx, t);
                expr(value, t);
            }
            // Clearing a slot nobody uses does not need the slot.
            Op::Clear { .. }
            | Op::Jump(_)
            | Op::Progress
            | Op::AtomicBegin { .. }
            | Op::AtomicEnd
            | Op::Fence => {}
            Op::JumpIfNot { cond, .. }
            | Op::Check { cond, .. }
            | Op::Assert { cond, .. }
            | Op::Await { cond } => expr(cond, t),
            Op::Choose { dst: d, lo, hi } => {
                dst(&Some(*d), t);
                expr(lo, t);
                expr(hi, t);
            }
            Op::Read {
                dst: d, cell: c, ..
            } => {
                dst(&Some(*d), t);
                cell(c, t);
            }
            Op::Write { cell: c, value, .. } => {
                cell(c, t);
                expr(value, t);
            }
            Op::Rmw {
                dst: d,
                cell: c,
                value,
                ..
            } => {
                dst(d, t);
                cell(c, t);
                expr(value, t);
            }
            Op::Cas {
                dst: d,
                cell: c,
                expected,
                new,
            } => {
                dst(d, t);
                cell(c, t);
                expr(expected, t);
                expr(new, t);
            }
            Op::Join { thread } => thread_ref(thread, t),
            Op::TryLock { dst: d, obj: o }
            | Op::TryAcquire { dst: d, obj: o }
            | Op::Recv { dst: d, ch: o } => {
                dst(d, t);
                obj(o, t);
            }
            Op::RecvOrEnd { dst: d, ch, .. } => {
                dst(&Some(*d), t);
                obj(ch, t);
            }
            Op::Send { ch, value } | Op::WgAdd { obj: ch, value } => {
                obj(ch, t);
                expr(value, t);
            }
            Op::CvWait { cv, mutex } | Op::CvRelock { cv, mutex } => {
                obj(cv, t);
                obj(mutex, t);
            }
            Op::Lock { obj: o }
            | Op::LockGrant { obj: o }
            | Op::Unlock { obj: o }
            | Op::ReadLock { obj: o }
            | Op::WriteLock { obj: o }
            | Op::RwGrant { obj: o }
            | Op::ReadUnlock { obj: o }
            | Op::WriteUnlock { obj: o }
            | Op::Acquire { obj: o }
            | Op::AcquireGrant { obj: o }
            | Op::Release { obj: o }
            | Op::Notify { cv: o, .. }
            | Op::SendWait { ch: o }
            | Op::Close { ch: o }
            | Op::BarrierArrive { obj: o }
            | Op::BarrierLeave { obj: o }
            | Op::WgDone { obj: o }
            | Op::WgWait { obj: o } => obj(o, t),
        }
    }
    top
}

/// Clamp every `Clear` to the slots that exist (a `Clear` of unused slots
/// becomes empty; removing it would move jump targets).
fn clamp_clears(code: &mut ir::Code) {
    let n = code.n_locals;
    for i in &mut code.instrs {
        if let Op::Clear { from, to } = &mut i.op {
            *from = (*from).min(n);
            *to = (*to).min(n);
        }
    }
}

/// Check function `f` on its own, so that a function never called still has
/// its errors reported. Parameters without a type take any type here.
pub(crate) fn function_alone(env: &Env<'_>, f: usize) -> Vec<LowerError> {
    let decl = env.decls.fns[f];
    let mut l = Lower::new(env, Mode::FnAlone);
    let result = env.has_value[f].then(|| l.temp());
    l.calls.push(CallFrame {
        func: f,
        call_span: decl.name.span,
        result,
        result_ty: Ty::Unknown,
        return_patches: Vec::new(),
        sp: l.b.sp,
        cleanup_depth: 0,
    });
    l.push_scope();
    for p in &decl.params {
        let t = p.ty.as_ref().map(|t| l.local_type(t));
        if t.as_ref().is_some_and(|t| t.len.is_some()) {
            l.error(crate::calls::array_param(&p.name));
        }
        let slot = l.b.alloc(1);
        let (ty, range) = t.map_or((Ty::Unknown, None), |t| (t.elem, t.range));
        l.bind(&p.name, Local::Scalar { slot, ty, range });
    }
    l.block(&decl.body);
    l.errors
}

/// An `invariant` or `final assert`: reads of the state (never racy) and a
/// `Check` of the condition.
pub(crate) fn spec(
    env: &Env<'_>,
    cond: &Expr,
    name: String,
    message: Option<&StrLit>,
    decl_span: Span,
) -> (ir::Spec, Vec<LowerError>) {
    let mut l = Lower::new(env, Mode::Spec);
    l.push_scope();
    let v = l.expr_of(cond, Ty::Bool, "a specification's condition");
    let message = message.map(|m| m.value.clone());
    l.b.emit(
        Op::Check {
            cond: v.expr,
            message: message.clone(),
        },
        span(cond.span),
    );
    let mut code = ir::Code {
        name: name.clone(),
        n_locals: l.b.max_sp,
        labels: Vec::new(),
        span: span(decl_span),
        instrs: l.b.instrs,
    };
    code.n_locals = locals_used(&code);
    clamp_clears(&mut code);
    (
        ir::Spec {
            name,
            message,
            code,
            span: span(decl_span),
        },
        l.errors,
    )
}
