//! Method calls: the methods of each sync object kind and of atomic
//! variables (arity, result, whether they can block), and the checks every
//! call goes through before its instructions are emitted.

use weft_ir as ir;
use weft_syntax::ast::{Expr, Ident, ObjectKind, Place, Span};

use crate::context::{Lower, Resolved};
use crate::declare::{object_kind_plural, GlobalKind};
use crate::error::{Detail, LowerError};
use crate::expr::Val;

/// What a method gives back.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Ret {
    Nothing,
    Int,
    Bool,
    /// The atomic variable's own type.
    Elem,
}

/// One method of a kind: name, parameter names (for help lines), result,
/// and whether it can block.
pub(crate) struct Sig {
    pub name: &'static str,
    pub params: &'static [&'static str],
    pub ret: Ret,
    pub blocks: bool,
}

const fn sig(name: &'static str, params: &'static [&'static str], ret: Ret, blocks: bool) -> Sig {
    Sig {
        name,
        params,
        ret,
        blocks,
    }
}

const MUTEX: &[Sig] = &[
    sig("lock", &[], Ret::Nothing, true),
    sig("unlock", &[], Ret::Nothing, false),
    sig("try_lock", &[], Ret::Bool, false),
];
const RWLOCK: &[Sig] = &[
    sig("read_lock", &[], Ret::Nothing, true),
    sig("read_unlock", &[], Ret::Nothing, false),
    sig("write_lock", &[], Ret::Nothing, true),
    sig("write_unlock", &[], Ret::Nothing, false),
];
const SEMAPHORE: &[Sig] = &[
    sig("acquire", &[], Ret::Nothing, true),
    sig("release", &[], Ret::Nothing, false),
    sig("try_acquire", &[], Ret::Bool, false),
];
const CONDVAR: &[Sig] = &[
    sig("wait", &["m"], Ret::Nothing, true),
    sig("notify_one", &[], Ret::Nothing, false),
    sig("notify_all", &[], Ret::Nothing, false),
];
const CHANNEL: &[Sig] = &[
    sig("send", &["e"], Ret::Nothing, true),
    sig("recv", &[], Ret::Int, true),
    sig("close", &[], Ret::Nothing, false),
];
const BARRIER: &[Sig] = &[sig("wait", &[], Ret::Nothing, true)];
const WAITGROUP: &[Sig] = &[
    sig("add", &["e"], Ret::Nothing, false),
    sig("done", &[], Ret::Nothing, false),
    sig("wait", &[], Ret::Nothing, true),
];

fn object_methods(kind: ObjectKind) -> &'static [Sig] {
    match kind {
        ObjectKind::Mutex => MUTEX,
        ObjectKind::RwLock => RWLOCK,
        ObjectKind::Semaphore => SEMAPHORE,
        ObjectKind::Condvar => CONDVAR,
        ObjectKind::Channel => CHANNEL,
        ObjectKind::Barrier => BARRIER,
        ObjectKind::WaitGroup => WAITGROUP,
    }
}

const ATOMIC_METHODS: &[Sig] = &[
    sig("load", &[], Ret::Elem, false),
    sig("store", &["e"], Ret::Nothing, false),
    sig("fetch_add", &["e"], Ret::Int, false),
    sig("fetch_sub", &["e"], Ret::Int, false),
    sig("swap", &["e"], Ret::Elem, false),
    sig("cas", &["expected", "new"], Ret::Bool, false),
];

fn spelled(s: &Sig) -> String {
    format!("{}({})", s.name, s.params.join(", "))
}

/// "acquire(), release() and try_acquire()".
fn method_list(sigs: &[Sig]) -> String {
    let names: Vec<String> = sigs.iter().map(spelled).collect();
    match names.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
        Some((last, _)) => last.clone(),
        None => String::new(),
    }
}

impl<'e, 'a> Lower<'e, 'a> {
    /// `receiver.method(args)`; `want_value` when its result is used.
    pub fn method(
        &mut self,
        receiver: &'a Place,
        method: &'a Ident,
        args: &'a [Expr],
        at: Span,
        want_value: bool,
    ) -> Val {
        let Some(r) = self.resolve(&receiver.name) else {
            return Val::unknown();
        };
        let (sigs, kind_text, group) = match r {
            Resolved::Global(GlobalKind::Object(g)) => {
                let kind = self.env.layout.obj_groups[g].kind;
                (
                    object_methods(kind),
                    object_kind_plural(kind).to_string(),
                    Some(g),
                )
            }
            Resolved::Global(GlobalKind::Var(v))
                if self.env.layout.vars[v].kind == ir::VarKind::Atomic =>
            {
                (ATOMIC_METHODS, "atomic variables".to_string(), None)
            }
            other => {
                let what = match other {
                    Resolved::Local(_) => "a local variable".to_string(),
                    Resolved::Global(k) => self.env.decls.describe(k),
                };
                let help = match other {
                    Resolved::Global(GlobalKind::Var(_)) => format!(
                        "read it as `{0}` and write it with `{0} = e;`; declare it `atomic` to use {1}",
                        receiver.name.name,
                        method_list(ATOMIC_METHODS)
                    ),
                    _ => "methods belong to sync objects (mutex, channel, ...) and atomic variables".to_string(),
                };
                self.error(LowerError::WrongMethod(
                    Detail::new(format!(
                        "`{}` is {what}, which has no methods",
                        receiver.name.name
                    ))
                    .at(method.span, format!("no method `{}`", method.name))
                    .help(help),
                ));
                return Val::unknown();
            }
        };
        let Some(sig) = sigs.iter().find(|s| s.name == method.name) else {
            self.error(LowerError::WrongMethod(
                Detail::new(format!(
                    "`{}` is {}, which has no method `{}`",
                    receiver.name.name,
                    match r {
                        Resolved::Global(k) => self.env.decls.describe(k),
                        Resolved::Local(_) => "a local".into(),
                    },
                    method.name
                ))
                .at(method.span, "no such method")
                .help(format!("{kind_text} have {}", method_list(sigs))),
            ));
            return Val::unknown();
        };
        if args.len() != sig.params.len() {
            self.error(LowerError::WrongArity(
                Detail::new(format!(
                    "`{}` takes {} argument{}, but {} {} given",
                    sig.name,
                    sig.params.len(),
                    if sig.params.len() == 1 { "" } else { "s" },
                    args.len(),
                    if args.len() == 1 { "was" } else { "were" }
                ))
                .at(at, "wrong number of arguments")
                .help(format!("write `{}.{}`", receiver.name.name, spelled(sig))),
            ));
            return Val::unknown();
        }
        if want_value && sig.ret == Ret::Nothing {
            self.error(LowerError::NoValue(
                Detail::new(format!(
                    "`{}.{}()` has no value",
                    receiver.name.name, sig.name
                ))
                .at(at, "used as a value")
                .help(format!(
                    "call it as a statement: `{}.{};`",
                    receiver.name.name,
                    spelled(sig)
                )),
            ));
        }
        let call_text = format!("{}.{}()", receiver.name.name, sig.name);
        let reads_only = group.is_none() && sig.name == "load";
        if !reads_only && !self.allow_effect(&call_text, at) {
            return Val::unknown();
        }
        if sig.blocks {
            self.check_blocking(&call_text, at);
        }
        let result = match group {
            Some(g) => self.object_op(g, receiver, sig, args, at, want_value),
            None => match r {
                Resolved::Global(GlobalKind::Var(v)) => {
                    self.atomic_op(v, receiver, sig, args, at, want_value)
                }
                _ => None,
            },
        };
        result.unwrap_or_else(Val::unknown)
    }

    /// The destination of a method's result: a temporary when it is used.
    pub fn result_slot(&mut self, want_value: bool) -> Option<u32> {
        want_value.then(|| self.temp())
    }
}
