//! Threads named in code: `join(t)`, and the specification-only
//! expressions `t@label` and `done(t)`.

use weft_ir as ir;
use weft_syntax::ast::{Ident, Place, Span};

use crate::context::{Lower, Resolved};
use crate::declare::GlobalKind;
use crate::error::{Detail, LowerError};
use crate::expr::{needs_index, not_an_array, Val};
use crate::layout::span;
use crate::suggest;
use crate::types::Ty;

impl<'e, 'a> Lower<'e, 'a> {
    /// Report `t@label` / `done(t)` outside a specification.
    fn check_spec_only(&mut self, what: &str, at: Span) {
        if !self.spec_ok {
            let mut d = Detail::new(format!("`{what}` is only allowed in specifications"))
                .at(at, "not in a specification");
            if let Some(call) = self.outer_call() {
                d = d.note(call, "in the function called here");
            }
            self.error(LowerError::SpecOnly(
                d.help("use it in an `invariant`, a `final assert` or an `assert`"),
            ));
        }
    }

    /// A thread named in `join`, `done` or `@`: which instance, and its group.
    pub fn thread_ref(&mut self, place: &'a Place) -> Option<(ir::ThreadRef, usize)> {
        let g = match self.resolve(&place.name)? {
            Resolved::Global(GlobalKind::Thread(g)) => g,
            other => {
                let what = match other {
                    Resolved::Local(_) => "a local variable".to_string(),
                    Resolved::Global(kind) => self.env.decls.describe(kind),
                };
                let threads: Vec<&str> = self
                    .env
                    .decls
                    .threads
                    .iter()
                    .map(|t| t.name.name.as_str())
                    .collect();
                self.error(LowerError::WrongKind(
                    Detail::new(format!("`{}` is {what}, not a thread", place.name.name))
                        .at(place.name.span, "not a thread")
                        .help(if threads.is_empty() {
                            "the program declares no threads".to_string()
                        } else {
                            format!(
                                "the threads of this program are {}",
                                suggest::list(&threads)
                            )
                        }),
                ));
                return None;
            }
        };
        let group = &self.env.layout.thread_groups[g];
        let (base, len, is_array) = (group.base, group.len, group.is_array);
        match &place.index {
            None if is_array => {
                self.error(needs_index(
                    &place.name,
                    &format!("a group of {len} threads"),
                    "name one instance with",
                    len,
                ));
                None
            }
            None => Some((ir::ThreadRef::Fixed(base), g)),
            Some(_) if !is_array => {
                self.error(not_an_array(&place.name));
                None
            }
            Some(i) => {
                let idx = self.index(i);
                match idx {
                    // In bounds, the instance is named now; out of bounds,
                    // the run reports it where it is evaluated.
                    ir::Expr::Const(k) if (0..i64::from(len)).contains(&k) => {
                        Some((ir::ThreadRef::Fixed(base + k as u32), g))
                    }
                    idx => Some((
                        ir::ThreadRef::Group {
                            group: g as u32,
                            idx: Box::new(idx),
                            span: span(i.span),
                        },
                        g,
                    )),
                }
            }
        }
    }

    pub fn at(&mut self, thread: &'a Place, label: &Ident, at: Span) -> Val {
        self.check_spec_only(&format!("{}@{}", thread.name.name, label.name), at);
        let Some((tr, g)) = self.thread_ref(thread) else {
            return Val::new(ir::Expr::Const(0), Ty::Bool);
        };
        let group = &self.env.layout.thread_groups[g];
        match group.labels.iter().position(|l| l.name == label.name) {
            Some(i) => Val::new(
                ir::Expr::At {
                    thread: tr,
                    label: i as u32,
                },
                Ty::Bool,
            ),
            None => {
                let tname = &group.decl.name.name;
                let names: Vec<&str> = group.labels.iter().map(|l| l.name.as_str()).collect();
                let help = match suggest::closest(&label.name, names.iter().copied()) {
                    Some(c) => format!("did you mean `{tname}@{c}`?"),
                    None if names.is_empty() => {
                        format!("thread `{tname}` has no labels: write `{}: ` before a statement of its body", label.name)
                    }
                    None => format!(
                        "the labels of thread `{tname}` are {}",
                        suggest::list(&names)
                    ),
                };
                self.error(LowerError::UnknownLabel(
                    Detail::new(format!("thread `{tname}` has no label `{}`", label.name))
                        .at(label.span, "no such label")
                        .note(group.decl.name.span, "the thread is declared here")
                        .help(help),
                ));
                Val::new(ir::Expr::Const(0), Ty::Bool)
            }
        }
    }

    pub fn done(&mut self, thread: &'a Place, at: Span) -> Val {
        self.check_spec_only(&format!("done({})", thread.name.name), at);
        match self.thread_ref(thread) {
            Some((tr, _)) => Val::new(ir::Expr::Done(tr), Ty::Bool),
            None => Val::new(ir::Expr::Const(0), Ty::Bool),
        }
    }
}
