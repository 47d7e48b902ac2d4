//! The global namespace: every top-level name, what kind of thing it names,
//! and duplicate declarations.

use std::collections::HashMap;

use weft_syntax::ast::{self, Item, Span};

use crate::error::{Detail, LowerError};

/// What a top-level name stands for; the index is into the matching list of
/// declarations of that kind, in source order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum GlobalKind {
    Const(usize),
    Var(usize),
    Object(usize),
    Fn(usize),
    Thread(usize),
}

/// One top-level name.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Global {
    pub kind: GlobalKind,
    /// The span of the name in its declaration.
    pub span: Span,
}

/// The declarations of a program sorted by kind (duplicates left out), and the
/// name table over them.
#[derive(Default)]
pub(crate) struct Decls<'a> {
    pub names: HashMap<&'a str, Global>,
    pub consts: Vec<&'a ast::ConstDecl>,
    pub vars: Vec<&'a ast::VarDecl>,
    pub objects: Vec<&'a ast::ObjectDecl>,
    pub fns: Vec<&'a ast::FnDecl>,
    pub threads: Vec<&'a ast::ThreadDecl>,
    pub invariants: Vec<&'a ast::InvariantDecl>,
    pub finals: Vec<&'a ast::FinalAssertDecl>,
}

impl<'a> Decls<'a> {
    /// Sort the items and report every name declared twice (the second one is
    /// left out, so its uses resolve to the first).
    pub fn collect(program: &'a ast::Program, errors: &mut Vec<LowerError>) -> Self {
        let mut d = Decls::default();
        // The latest declaration of each name declared more than once.
        let mut again: std::collections::HashMap<&str, Span> = Default::default();
        for item in &program.items {
            let (name, kind) = match item {
                Item::Const(c) => (&c.name, GlobalKind::Const(d.consts.len())),
                Item::Var(v) => (&v.name, GlobalKind::Var(d.vars.len())),
                Item::Object(o) => (&o.name, GlobalKind::Object(d.objects.len())),
                Item::Fn(f) => (&f.name, GlobalKind::Fn(d.fns.len())),
                Item::Thread(t) => (&t.name, GlobalKind::Thread(d.threads.len())),
                Item::Invariant(i) => {
                    d.invariants.push(i);
                    continue;
                }
                Item::FinalAssert(f) => {
                    d.finals.push(f);
                    continue;
                }
            };
            if let Some(first) = d.names.get(name.name.as_str()) {
                let before = again.insert(&name.name, name.span);
                errors.push(duplicate(
                    &format!("`{}` is declared twice", name.name),
                    &name.name,
                    name.span,
                    before.unwrap_or(first.span),
                    before.is_none(),
                ));
                continue;
            }
            d.names.insert(
                &name.name,
                Global {
                    kind,
                    span: name.span,
                },
            );
            match item {
                Item::Const(c) => d.consts.push(c),
                Item::Var(v) => d.vars.push(v),
                Item::Object(o) => d.objects.push(o),
                Item::Fn(f) => d.fns.push(f),
                Item::Thread(t) => d.threads.push(t),
                Item::Invariant(_) | Item::FinalAssert(_) => {}
            }
        }
        d
    }

    /// What a global name is, in words: "a shared variable", "a mutex", ...
    pub fn describe(&self, kind: GlobalKind) -> String {
        match kind {
            GlobalKind::Const(_) => "a constant".into(),
            GlobalKind::Var(i) => match self.vars[i].kind {
                ast::VarKind::Shared => "a shared variable".into(),
                ast::VarKind::Atomic => "an atomic variable".into(),
                ast::VarKind::Ghost => "a ghost variable".into(),
            },
            GlobalKind::Object(i) => {
                let o = self.objects[i];
                if o.count.is_some() {
                    format!("an array of {}", object_kind_plural(o.kind))
                } else {
                    format!("a {}", object_kind_name(o.kind))
                }
            }
            GlobalKind::Fn(_) => "a function".into(),
            GlobalKind::Thread(i) => {
                if self.threads[i].count.is_some() {
                    "a thread group".into()
                } else {
                    "a thread".into()
                }
            }
        }
    }
}

/// The keyword of an object kind.
pub(crate) fn object_kind_name(kind: ast::ObjectKind) -> &'static str {
    match kind {
        ast::ObjectKind::Mutex => "mutex",
        ast::ObjectKind::RwLock => "rwlock",
        ast::ObjectKind::Semaphore => "semaphore",
        ast::ObjectKind::Condvar => "condvar",
        ast::ObjectKind::Channel => "channel",
        ast::ObjectKind::Barrier => "barrier",
        ast::ObjectKind::WaitGroup => "waitgroup",
    }
}

/// The plural of an object kind, for prose.
pub(crate) fn object_kind_plural(kind: ast::ObjectKind) -> &'static str {
    match kind {
        ast::ObjectKind::Mutex => "mutexes",
        ast::ObjectKind::RwLock => "rwlocks",
        ast::ObjectKind::Semaphore => "semaphores",
        ast::ObjectKind::Condvar => "condvars",
        ast::ObjectKind::Channel => "channels",
        ast::ObjectKind::Barrier => "barriers",
        ast::ObjectKind::WaitGroup => "waitgroups",
    }
}

/// The error for a name declared twice in one namespace: `again` is the
/// new declaration, `before` the one just before it (the first, or the
/// last of several: a snippet from the first would grow with each).
pub(crate) fn duplicate(
    message: &str,
    name: &str,
    again: Span,
    before: Span,
    first: bool,
) -> LowerError {
    let note = match first {
        true => "first declared here",
        false => "declared before here",
    };
    LowerError::Duplicate(
        Detail::new(message)
            .at(again, "declared again here")
            .note(before, note)
            .help(format!(
                "rename one of them, or remove the second declaration of `{name}`"
            )),
    )
}
