//! The state of lowering one code (a thread declaration, a specification, or
//! a function checked on its own): scopes of locals, enclosing loops, `with`
//! and `atomic` blocks, inlined calls, and the errors found so far.

use weft_ir::{self as ir, Op, SrcSpan};
use weft_syntax::ast::{Ident, Span};

use crate::builder::Builder;
use crate::consts::CVal;
use crate::declare::{Decls, GlobalKind};
use crate::error::{Detail, LowerError};
use crate::layout::{span, Layout};
use crate::suggest;
use crate::types::Ty;

/// What the whole program makes known to the lowering of each code.
pub(crate) struct Env<'a> {
    pub decls: Decls<'a>,
    /// The value of each `const`, by index (`None` where it failed).
    pub consts: Vec<Option<CVal>>,
    pub layout: Layout<'a>,
    /// Per function: whether it is part of a call cycle (never inlined).
    pub recursive: Vec<bool>,
    /// Per function: whether it has a `return e;` (so a call has a value).
    pub has_value: Vec<bool>,
}

/// What is being lowered; it decides what `self`, `@` and effects may do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Mode {
    /// A thread declaration; `group` is the index of its thread group.
    Thread { group: usize },
    /// A function body on its own, to report its errors even when it is never
    /// called; what depends on the caller (`self`, `@`) is checked at calls.
    FnAlone,
    /// An `invariant` or `final assert`: reads only, no steps.
    Spec,
}

/// A local variable.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Local {
    Scalar {
        slot: u32,
        ty: Ty,
        range: Option<(i64, i64)>,
    },
    /// A local array in slots `base..base+len`.
    Array {
        base: u32,
        len: u32,
        ty: Ty,
        range: Option<(i64, i64)>,
    },
}

/// One block's locals; `start` is the `sp` when the block began.
pub(crate) struct Scope<'a> {
    pub names: Vec<(&'a str, Local, Span)>,
    pub start: u32,
}

/// An enclosing loop, for `break` and `continue`.
pub(crate) struct LoopCtx {
    pub break_patches: Vec<usize>,
    /// The `sp` after the loop: a `break` clears down to it.
    pub break_sp: u32,
    /// Where `continue` goes when already known (a `while` head).
    pub continue_to: Option<u32>,
    pub continue_patches: Vec<usize>,
    /// The `sp` at the continue point.
    pub continue_sp: u32,
    /// How many cleanups were open when the loop began.
    pub cleanup_depth: usize,
}

/// Work that leaving a block early must do: unlock a `with`, end an `atomic`.
#[derive(Clone, Debug)]
pub(crate) enum Cleanup {
    Unlock(Op, SrcSpan),
    AtomicEnd(SrcSpan),
}

/// A function call being inlined.
pub(crate) struct CallFrame {
    pub func: usize,
    pub call_span: Span,
    /// The slot receiving the returned value, if the function has one.
    pub result: Option<u32>,
    pub result_ty: Ty,
    pub return_patches: Vec<usize>,
    /// The `sp` of the parameters: a `return` clears down to it.
    pub sp: u32,
    pub cleanup_depth: usize,
}

/// An enclosing indivisible step: an `atomic { }` block, or the condition
/// of an `assert` or `await` (calls in it must not block either).
#[derive(Clone, Copy, Debug)]
pub(crate) struct AtomicCtx {
    /// The keyword that began it.
    pub span: Span,
    /// "`atomic { }`", "an `assert`", ... for messages.
    pub what: &'static str,
    /// How many calls were being inlined when it began.
    pub call_depth: usize,
}

pub(crate) struct Lower<'e, 'a> {
    pub env: &'e Env<'a>,
    pub errors: Vec<LowerError>,
    pub b: Builder,
    pub scopes: Vec<Scope<'a>>,
    /// Scopes below this index belong to a caller and are not visible.
    pub scope_floor: usize,
    pub loops: Vec<LoopCtx>,
    /// Loops below this index belong to a caller: `break` cannot reach them.
    pub loop_floor: usize,
    pub cleanups: Vec<Cleanup>,
    pub calls: Vec<CallFrame>,
    pub mode: Mode,
    /// Whether reads are racy (false in `assert` conditions and specifications).
    pub racy: bool,
    /// Whether `t@label` and `done(t)` are allowed here.
    pub spec_ok: bool,
    pub atomic: Option<AtomicCtx>,
    /// The labels of a thread code, in the order of its group's labels
    /// (`ThreadGroup::labels`), their ranges filled as they are met.
    pub labels: Vec<ir::Label>,
    /// Per label: whether its first range has been opened (a label inside a
    /// function inlined again gets one more range).
    pub labels_opened: Vec<bool>,
    /// The first temporary slot of the statement being lowered.
    pub stmt_floor: u32,
    /// Whether the code already grew past the size limit (reported once).
    pub too_large: bool,
    /// The jumps of `return;` in a thread's own body, to its end.
    pub thread_returns: Vec<usize>,
}

/// What a name stands for at a point of the code.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Resolved {
    Local(Local),
    Global(GlobalKind),
}

impl<'e, 'a> Lower<'e, 'a> {
    pub fn new(env: &'e Env<'a>, mode: Mode) -> Self {
        Lower {
            env,
            errors: Vec::new(),
            b: Builder::new(),
            scopes: Vec::new(),
            scope_floor: 0,
            loops: Vec::new(),
            loop_floor: 0,
            cleanups: Vec::new(),
            calls: Vec::new(),
            mode,
            racy: mode != Mode::Spec,
            spec_ok: !matches!(mode, Mode::Thread { .. }),
            atomic: None,
            labels: match mode {
                Mode::Thread { group } => (env.layout.thread_groups[group].labels.iter())
                    .map(|l| ir::Label {
                        name: l.name.clone(),
                        span: crate::layout::span(l.span),
                        ..ir::Label::default()
                    })
                    .collect(),
                _ => Vec::new(),
            },
            labels_opened: Vec::new(),
            stmt_floor: 1,
            too_large: false,
            thread_returns: Vec::new(),
        }
    }

    pub fn error(&mut self, e: LowerError) {
        self.errors.push(e);
    }

    /// A fresh temporary slot, freed at the end of the statement.
    pub fn temp(&mut self) -> u32 {
        self.b.alloc(1)
    }

    pub fn lookup(&self, name: &str) -> Option<Resolved> {
        for scope in self.scopes[self.scope_floor..].iter().rev() {
            if let Some((_, local, _)) = scope.names.iter().rev().find(|(n, _, _)| *n == name) {
                return Some(Resolved::Local(*local));
            }
        }
        self.env
            .decls
            .names
            .get(name)
            .map(|g| Resolved::Global(g.kind))
    }

    /// Resolve a name or report it as undeclared (with the closest visible name).
    pub fn resolve(&mut self, id: &Ident) -> Option<Resolved> {
        let r = self.lookup(&id.name);
        if r.is_none() {
            let visible = self.scopes[self.scope_floor..]
                .iter()
                .flat_map(|s| s.names.iter().map(|(n, _, _)| *n))
                .chain(self.env.decls.names.keys().copied());
            let help = match suggest::closest(&id.name, visible) {
                Some(c) => format!("did you mean `{c}`?"),
                None => format!(
                    "declare it first: `let {0} = 0;` in this body, or `shared {0} = 0;` at the top level",
                    id.name
                ),
            };
            self.error(LowerError::Undeclared(
                Detail::new(format!("`{}` is not declared", id.name))
                    .at(id.span, "not declared")
                    .help(help),
            ));
        }
        r
    }

    /// Open a block scope.
    pub fn push_scope(&mut self) {
        self.scopes.push(Scope {
            names: Vec::new(),
            start: self.b.sp,
        });
    }

    /// Close a block scope, clearing its locals.
    pub fn pop_scope(&mut self, at: Span) {
        if let Some(scope) = self.scopes.pop() {
            self.b.free_to(scope.start, span(at));
        }
    }

    /// Bind a local in the innermost scope; a second `let` of one name in one
    /// block is a duplicate.
    pub fn bind(&mut self, id: &'a Ident, local: Local) {
        let Some(scope) = self.scopes.last() else {
            return;
        };
        let mut same = scope.names.iter().filter(|(n, _, _)| *n == id.name);
        // The declaration just before (a snippet from the first would grow
        // with each of many).
        if let Some(&(_, _, before)) = same.next_back() {
            let note = match same.next() {
                None => "first declared here",
                Some(_) => "declared before here",
            };
            self.error(LowerError::Duplicate(
                Detail::new(format!("`{}` is declared twice in this block", id.name))
                    .at(id.span, "declared again here")
                    .note(before, note)
                    .help(format!(
                        "assign the existing variable with `{} = ...;`, or pick another name",
                        id.name
                    )),
            ));
        }
        if let Some(scope) = self.scopes.last_mut() {
            scope.names.push((&id.name, local, id.span));
        }
    }

    /// The value of a constant, by index.
    pub fn const_value(&self, idx: usize) -> Option<CVal> {
        self.env.consts.get(idx).copied().flatten()
    }

    /// Where the current inlined call (outermost first) was made, for notes.
    pub fn outer_call(&self) -> Option<Span> {
        // A function checked on its own sits in a frame of its own, not a call.
        let skip = usize::from(self.mode == Mode::FnAlone);
        self.calls.get(skip).map(|c| c.call_span)
    }
}
