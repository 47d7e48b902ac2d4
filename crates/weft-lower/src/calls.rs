//! Function calls: each call is inlined, with the parameters as fresh locals
//! and `return e` as a jump to the end of the inlined body.

use weft_ir::{self as ir, Op};
use weft_syntax::ast::{Expr, Ident, Span};

use crate::context::{CallFrame, Local, Lower, Mode, Resolved};
use crate::declare::GlobalKind;
use crate::error::{Detail, LowerError};
use crate::expr::Val;
use crate::layout::span;
use crate::types::{self, Ty};

/// Beyond this many instructions in one code, calls are no longer inlined.
const MAX_INSTRS: usize = 200_000;

/// How deep calls may nest: each is inlined by a recursive descent, and a
/// chain of thousands of functions, each calling the next, would take
/// minutes and gigabytes before the search starts (and then the stack).
pub(crate) const MAX_CALL_DEPTH: usize = 64;

impl<'e, 'a> Lower<'e, 'a> {
    /// `func(args)`; `want_value` when its result is used.
    pub fn call(&mut self, func: &'a Ident, args: &'a [Expr], at: Span, want_value: bool) -> Val {
        let f = match self.resolve(func) {
            Some(Resolved::Global(GlobalKind::Fn(f))) => f,
            None => {
                args.iter().for_each(|a| drop(self.expr(a)));
                return Val::unknown();
            }
            Some(other) => {
                let (what, help) = match other {
                    Resolved::Local(_) => (
                        "a local variable".to_string(),
                        "only functions can be called".to_string(),
                    ),
                    Resolved::Global(k @ GlobalKind::Thread(_)) => (
                        self.env.decls.describe(k),
                        format!(
                            "to wait for a thread to finish, write `join({});`",
                            func.name
                        ),
                    ),
                    Resolved::Global(k) => (
                        self.env.decls.describe(k),
                        "functions are declared with `fn name(a, b) { ... }`".to_string(),
                    ),
                };
                self.error(LowerError::WrongKind(
                    Detail::new(format!("`{}` is {what}, not a function", func.name))
                        .at(func.span, "not a function")
                        .help(help),
                ));
                return Val::unknown();
            }
        };
        let decl = self.env.decls.fns[f];
        if args.len() != decl.params.len() {
            let params: Vec<&str> = decl.params.iter().map(|p| p.name.name.as_str()).collect();
            self.error(LowerError::WrongArity(
                Detail::new(format!(
                    "`{}` takes {} argument{}, but {} {} given",
                    func.name,
                    params.len(),
                    if params.len() == 1 { "" } else { "s" },
                    args.len(),
                    if args.len() == 1 { "was" } else { "were" }
                ))
                .at(at, "wrong number of arguments")
                .note(decl.name.span, "declared here")
                .help(format!("write `{}({})`", func.name, params.join(", "))),
            ));
            return Val::unknown();
        }
        let has_value = self.env.has_value[f];
        if want_value && !has_value {
            self.error(LowerError::NoValue(
                Detail::new(format!("`{}` returns no value", func.name))
                    .at(at, "used as a value")
                    .note(decl.name.span, "declared here, with no `return e;`")
                    .help(format!(
                        "add `return e;` to `{}`, or call it as a statement: `{}(...);`",
                        func.name, func.name
                    )),
            ));
        }
        if self.b.instrs.len() > MAX_INSTRS {
            // Calls nested in calls can grow exponentially.
            self.too_much_inlining(at, |outer| {
                LowerError::CodeTooLarge(
                    Detail::new(format!("inlining the calls makes this code longer than {MAX_INSTRS} instructions"))
                        .at(outer, "this call inlines too much")
                        .help("every call is inlined: a function that calls others several times, nested, grows exponentially; call them in a loop instead"),
                )
            });
            return Val::unknown();
        }
        if self.calls.len() >= MAX_CALL_DEPTH + usize::from(self.mode == Mode::FnAlone) {
            self.too_much_inlining(at, |outer| {
                LowerError::CallsTooDeep(
                    Detail::new(format!("calls are nested more than {MAX_CALL_DEPTH} deep here"))
                        .at(outer, "this call leads to the chain")
                        .note(at, format!("call number {} in the chain", MAX_CALL_DEPTH + 1))
                        .help("every call is inlined into the thread: call fewer functions from one another, or put the work in a loop"),
                )
            });
            args.iter().for_each(|a| drop(self.expr(a)));
            return Val::unknown();
        }
        if self.env.recursive[f] || self.calls.iter().any(|c| c.func == f) {
            // Reported once as a recursion error; inlining it would not end.
            args.iter().for_each(|a| drop(self.expr(a)));
            return Val::unknown();
        }

        // Arguments left to right, then the parameters as fresh locals.
        let mut values = Vec::new();
        for (arg, param) in args.iter().zip(&decl.params) {
            let declared = param.ty.as_ref().map(|t| self.local_type(t));
            let v = self.expr(arg);
            let (ty, range) = match &declared {
                Some(t) if t.len.is_some() => {
                    self.error(array_param(&param.name));
                    (Ty::Unknown, None)
                }
                Some(t) => {
                    let context = format!("the argument for `{}`", param.name.name);
                    if let Some(err) = types::expect(v.ty, t.elem, arg.span, &context) {
                        self.error(err);
                    }
                    (t.elem, t.range)
                }
                None => (v.ty, None),
            };
            values.push((v.expr, ty, range, span(arg.span)));
        }
        let result = has_value.then(|| self.temp());
        let frame_sp = self.b.sp;
        let first = self.b.alloc(decl.params.len() as u32);
        for (k, (value, _, range, at)) in values.iter().enumerate() {
            self.b.emit(
                Op::Set {
                    dst: first + k as u32,
                    value: value.clone(),
                    range: *range,
                },
                *at,
            );
        }
        self.calls.push(CallFrame {
            func: f,
            call_span: at,
            result,
            result_ty: Ty::Unknown,
            return_patches: Vec::new(),
            sp: frame_sp,
            cleanup_depth: self.cleanups.len(),
        });
        let (scope_floor, loop_floor, stmt_floor) =
            (self.scope_floor, self.loop_floor, self.stmt_floor);
        self.scope_floor = self.scopes.len();
        self.loop_floor = self.loops.len();
        self.push_scope();
        if let Some(scope) = self.scopes.last_mut() {
            scope.start = frame_sp;
        }
        for (k, (param, (_, ty, range, _))) in decl.params.iter().zip(&values).enumerate() {
            self.bind(
                &param.name,
                Local::Scalar {
                    slot: first + k as u32,
                    ty: *ty,
                    range: *range,
                },
            );
        }
        self.block(&decl.body);
        self.pop_scope(decl.body.span);
        let frame = self.calls.pop();
        for p in frame.iter().flat_map(|fr| &fr.return_patches) {
            self.b.patch_here(*p);
        }
        (self.scope_floor, self.loop_floor, self.stmt_floor) =
            (scope_floor, loop_floor, stmt_floor);
        match (result, frame) {
            (Some(r), Some(fr)) => Val::new(ir::Expr::Local(r), fr.result_ty),
            _ => Val::unknown(),
        }
    }

    /// `return;` / `return e;` inside an inlined function, or `return;` in
    /// a thread's own body, which ends the thread (leaving its `with` and
    /// `atomic` blocks on the way, as a function's return does).
    /// Report that inlining went too far, once, at the call in the
    /// thread's own body (`error` gets its span; `at`, the call here, when
    /// there is none): a function checked on its own says nothing, its
    /// callers will.
    fn too_much_inlining(&mut self, at: Span, error: impl FnOnce(Span) -> LowerError) {
        if !self.too_large && self.mode != Mode::FnAlone {
            self.too_large = true;
            let outer = self.outer_call().unwrap_or(at);
            self.error(error(outer));
        }
    }

    pub fn return_stmt(&mut self, value: Option<&'a Expr>, at: Span) {
        let Some(frame) = self.calls.last() else {
            if let (Mode::Thread { .. }, None) = (self.mode, value) {
                self.emit_cleanups(0);
                let p = self.b.jump_forward(span(at));
                self.thread_returns.push(p);
                return;
            }
            let (what, help) = match self.mode {
                Mode::Thread { .. } => (
                    "a thread's `return` gives no value",
                    "`return;` ends the thread; only functions give values",
                ),
                _ => (
                    "`return` outside a function",
                    "only functions and thread bodies return",
                ),
            };
            self.error(LowerError::ReturnOutsideFn(
                Detail::new(what).at(at, "here").help(help),
            ));
            if let Some(v) = value {
                self.expr(v);
            }
            return;
        };
        let (result, func) = (frame.result, frame.func);
        match (value, result) {
            (Some(v), Some(r)) => {
                let val = self.expr(v);
                let frame_ty = self.calls.last().map_or(Ty::Unknown, |f| f.result_ty);
                if !val.ty.fits(frame_ty) {
                    self.error(LowerError::TypeMismatch(
                        Detail::new(format!(
                            "`{}` returns {} elsewhere, but this is {}",
                            self.env.decls.fns[func].name.name,
                            frame_ty.article(),
                            val.ty.article()
                        ))
                        .at(v.span, format!("this is {}", val.ty.article()))
                        .help("a function returns values of one type"),
                    ));
                }
                if let Some(fr) = self.calls.last_mut() {
                    fr.result_ty = fr.result_ty.join(val.ty);
                }
                self.b.emit(
                    Op::Set {
                        dst: r,
                        value: val.expr,
                        range: None,
                    },
                    span(at),
                );
            }
            (None, Some(_)) => {
                let name = &self.env.decls.fns[func].name.name;
                self.error(LowerError::NoValue(
                    Detail::new(format!(
                        "this `return` gives no value, but `{name}` returns one elsewhere"
                    ))
                    .at(at, "no value")
                    .help("return a value here too: `return e;`"),
                ));
            }
            (Some(v), None) => {
                // Cannot happen: a `return e` gives the function a result slot.
                self.expr(v);
            }
            (None, None) => {}
        }
        let Some(frame) = self.calls.last() else {
            return;
        };
        let (depth, sp) = (frame.cleanup_depth, frame.sp);
        self.emit_cleanups(depth);
        self.b.clear(sp, self.b.sp, span(at));
        let p = self.b.jump_forward(span(at));
        if let Some(fr) = self.calls.last_mut() {
            fr.return_patches.push(p);
        }
    }
}

pub(crate) fn array_param(name: &Ident) -> LowerError {
    LowerError::TypeMismatch(
        Detail::new(format!(
            "the parameter `{}` is an array, but functions take ints and bools",
            name.name
        ))
        .at(name.span, "an array parameter")
        .help(
            "use the global array inside the function, or pass an index and read the element there",
        ),
    )
}
