//! The static layout of a program: variables and their cells, object
//! instances, thread instances and the labels of each thread declaration.
//! Every top-level size and parameter is checked here.

use weft_ir as ir;
use weft_syntax::ast::{self, Expr, ObjectKind, Span};

use crate::consts::Consts;
use crate::declare::{duplicate, object_kind_name, Decls};
use crate::error::{Detail, LowerError};

/// The explorer keeps per-thread bit sets in one `u64`.
pub(crate) const MAX_THREADS: u32 = 64;
/// A cap on global cells (and local slots of one thread) that keeps states small.
pub(crate) const MAX_CELLS: i64 = 100_000;
/// A cap on the instances of one object array.
const MAX_OBJECTS: i64 = 10_000;

/// A group of sync objects from one declaration.
pub(crate) struct ObjGroup {
    pub kind: ObjectKind,
    pub fair: bool,
    /// First instance in `Layout::objects`.
    pub base: u32,
    pub len: u32,
    pub is_array: bool,
}

/// The instances of one thread declaration.
pub(crate) struct ThreadGroup<'a> {
    pub decl: &'a ast::ThreadDecl,
    /// First instance in `Layout::threads`.
    pub base: u32,
    pub len: u32,
    pub is_array: bool,
    /// Labels of the body in source order, then those of the functions it
    /// calls (`called_fns`); `t@label` names the label by its index here.
    pub labels: Vec<&'a ast::Ident>,
}

/// Everything with a fixed place in the compiled program. Indices follow the
/// declaration lists of [`Decls`]: var `i` is `decls.vars[i]`, and so on.
pub(crate) struct Layout<'a> {
    pub vars: Vec<ir::Var>,
    pub n_cells: u32,
    pub objects: Vec<ir::Object>,
    pub obj_groups: Vec<ObjGroup>,
    pub threads: Vec<ir::Thread>,
    pub thread_groups: Vec<ThreadGroup<'a>>,
}

pub(crate) fn span(s: Span) -> ir::SrcSpan {
    ir::SrcSpan::new(s.start, s.end)
}

impl<'a> Layout<'a> {
    /// Lay out every declaration. A declaration with an error still gets a
    /// place (with a size of 1), so that its uses do not report more errors.
    pub fn build(
        decls: &Decls<'a>,
        consts: &mut Consts<'_, 'a>,
        errors: &mut Vec<LowerError>,
    ) -> Self {
        let mut l = Layout {
            vars: Vec::new(),
            n_cells: 0,
            objects: Vec::new(),
            obj_groups: Vec::new(),
            threads: Vec::new(),
            thread_groups: Vec::new(),
        };
        let mut total_cells: i64 = 0;
        let mut reported_cells = false;
        for d in &decls.vars {
            let mut v = crate::vars::var(d, consts, errors);
            total_cells += i64::from(v.len);
            if total_cells > MAX_CELLS && !reported_cells {
                reported_cells = true;
                errors.push(LowerError::TooManyCells(
                    Detail::new(format!("the shared variables need {total_cells} cells in all, more than the limit of {MAX_CELLS}"))
                        .at(d.name.span, "this declaration crosses the limit")
                        .help("every cell is part of every state: use smaller arrays (a model checker explores small instances)"),
                ));
            }
            v.base = l.n_cells;
            l.n_cells = l.n_cells.saturating_add(v.len);
            l.vars.push(v);
        }
        for d in &decls.objects {
            l.object_group(d, consts, errors);
        }
        let mut reported_threads = false;
        for d in &decls.threads {
            let (mut len, is_array) = match &d.count {
                None => (1, false),
                Some(e) => (
                    count(e, "a thread count", i64::from(u32::MAX / 2), consts, errors),
                    true,
                ),
            };
            let base = l.threads.len() as u32;
            if base.saturating_add(len) > MAX_THREADS {
                if !reported_threads {
                    reported_threads = true;
                    errors.push(LowerError::TooManyThreads(
                        Detail::new(format!(
                            "the program has {} thread instances, more than the explorer's limit of {MAX_THREADS}",
                            base.saturating_add(len)
                        ))
                        .at(d.count.as_ref().map_or(d.name.span, |c| c.span), "this declaration crosses the limit")
                        .help("the explorer tracks at most 64 threads: use fewer instances (smaller thread groups, or a smaller `-D` value)"),
                    ));
                }
                // Keep the layout small; the program is rejected anyway.
                len = 1;
            }
            let code = l.thread_groups.len() as u32;
            for i in 0..len {
                let name = if is_array {
                    format!("{}[{i}]", d.name.name)
                } else {
                    d.name.name.clone()
                };
                l.threads.push(ir::Thread {
                    name,
                    code,
                    index: i,
                });
            }
            let mut labels = Vec::new();
            collect_labels(&d.body, &mut labels);
            for f in called_fns(decls, &d.body) {
                collect_labels(&decls.fns[f].body, &mut labels);
            }
            for (i, label) in labels.iter().enumerate() {
                let mut same = labels[..i].iter().filter(|l| l.name == label.name);
                if let Some(before) = same.next_back() {
                    errors.push(duplicate(
                        &format!("thread `{}` has two labels `{}`", d.name.name, label.name),
                        &label.name,
                        label.span,
                        before.span,
                        same.next().is_none(),
                    ));
                }
            }
            l.thread_groups.push(ThreadGroup {
                decl: d,
                base,
                len,
                is_array,
                labels,
            });
        }
        l
    }

    fn object_group(
        &mut self,
        d: &ast::ObjectDecl,
        consts: &mut Consts<'_, 'a>,
        errors: &mut Vec<LowerError>,
    ) {
        let kind = d.kind;
        let kind_name = object_kind_name(kind);
        let (len, is_array) = match &d.count {
            None => (1, false),
            Some(e) => (
                count(e, "an object array size", MAX_OBJECTS, consts, errors),
                true,
            ),
        };
        let fair = d.fair
            && matches!(
                kind,
                ObjectKind::Mutex | ObjectKind::RwLock | ObjectKind::Semaphore
            );
        if d.fair && !fair {
            errors.push(LowerError::NoFairVariant(
                Detail::new(format!("a {kind_name} has no fair variant"))
                    .at(d.fair_span.unwrap_or(d.span), "`fair` is not allowed here")
                    .help("only mutex, rwlock and semaphore have a `fair` (FIFO) variant: remove `fair`"),
            ));
        }
        let param = match (kind, &d.param) {
            (ObjectKind::Semaphore, Some(e)) => {
                at_least(e, 0, "a semaphore's initial permits", consts, errors)
            }
            (ObjectKind::Channel, Some(e)) => {
                // Every slot of every buffer is part of every state.
                let n = at_least(e, 0, "a channel's capacity", consts, errors);
                if n.saturating_mul(i64::from(len)) > MAX_CELLS {
                    let what = match is_array {
                        true => format!(
                            "{len} channels of capacity {n} need {} slots in all, more than",
                            n.saturating_mul(i64::from(len))
                        ),
                        false => format!("a channel's capacity of {n} is more than"),
                    };
                    errors.push(LowerError::BadParam(
                        Detail::new(format!("{what} the limit of {MAX_CELLS}"))
                            .at(e.span, format!("this is {n}"))
                            .help("every slot of a channel's buffer is part of every state: a model checker explores small instances, use a smaller capacity"),
                    ));
                    0
                } else {
                    n
                }
            }
            (ObjectKind::Barrier, Some(e)) => {
                at_least(e, 1, "a barrier's number of parties", consts, errors)
            }
            (ObjectKind::Semaphore | ObjectKind::Channel | ObjectKind::Barrier, None) => {
                let (what, example) = match kind {
                    ObjectKind::Semaphore => (
                        "its initial permits",
                        format!("semaphore {} = 1;", d.name.name),
                    ),
                    ObjectKind::Channel => (
                        "its capacity",
                        format!("channel {} capacity 1;", d.name.name),
                    ),
                    _ => (
                        "its number of parties",
                        format!("barrier {} = 2;", d.name.name),
                    ),
                };
                errors.push(LowerError::BadParam(
                    Detail::new(format!("the {kind_name} `{}` needs {what}", d.name.name))
                        .at(d.name.span, format!("needs {what}"))
                        .help(format!("write `{example}`")),
                ));
                0
            }
            (_, Some(e)) => {
                errors.push(LowerError::BadParam(
                    Detail::new(format!("a {kind_name} takes no value"))
                        .at(e.span, "not expected here")
                        .help(format!("write `{kind_name} {};`", d.name.name)),
                ));
                0
            }
            (_, None) => 0,
        };
        let base = self.objects.len() as u32;
        for i in 0..len {
            let name = if is_array {
                format!("{}[{i}]", d.name.name)
            } else {
                d.name.name.clone()
            };
            self.objects.push(ir::Object {
                name,
                kind: ir_kind(kind),
                fair,
                param,
                span: span(d.span),
            });
        }
        self.obj_groups.push(ObjGroup {
            kind,
            fair,
            base,
            len,
            is_array,
        });
    }
}

pub(crate) fn ir_kind(kind: ObjectKind) -> ir::ObjectKind {
    match kind {
        ObjectKind::Mutex => ir::ObjectKind::Mutex,
        ObjectKind::RwLock => ir::ObjectKind::RwLock,
        ObjectKind::Semaphore => ir::ObjectKind::Semaphore,
        ObjectKind::Condvar => ir::ObjectKind::Condvar,
        ObjectKind::Channel => ir::ObjectKind::Channel,
        ObjectKind::Barrier => ir::ObjectKind::Barrier,
        ObjectKind::WaitGroup => ir::ObjectKind::WaitGroup,
    }
}

/// An instance count or array size: a constant int in `1..=max` (1 after an error).
pub(crate) fn count(
    e: &Expr,
    what: &str,
    max: i64,
    consts: &mut Consts<'_, '_>,
    errors: &mut Vec<LowerError>,
) -> u32 {
    let Some(n) = consts.eval_int(e, what, errors) else {
        return 1;
    };
    if let Some(err) = check_size(n, e.span, what, max) {
        errors.push(err);
        return 1;
    }
    n as u32
}

/// The error for a size outside `1..=max`, if it is.
pub(crate) fn check_size(n: i64, at: Span, what: &str, max: i64) -> Option<LowerError> {
    if n < 1 {
        Some(LowerError::BadSize(
            Detail::new(format!("{what} must be at least 1, but this is {n}"))
                .at(at, format!("this is {n}"))
                .help("give it a positive value"),
        ))
    } else if n > max {
        Some(LowerError::BadSize(
            Detail::new(format!("{what} of {n} is more than the limit of {max}"))
                .at(at, format!("this is {n}"))
                .help("a model checker explores small instances: use a smaller size"),
        ))
    } else {
        None
    }
}

/// An object parameter: a constant int of at least `min` (0 after an error).
fn at_least(
    e: &Expr,
    min: i64,
    what: &str,
    consts: &mut Consts<'_, '_>,
    errors: &mut Vec<LowerError>,
) -> i64 {
    let Some(n) = consts.eval_int(e, what, errors) else {
        return 0;
    };
    if n < min {
        errors.push(LowerError::BadParam(
            Detail::new(format!("{what} must be at least {min}, but this is {n}"))
                .at(e.span, format!("this is {n}"))
                .help(format!("use a value of {min} or more")),
        ));
        return 0;
    }
    n
}

/// The functions a body calls, directly or through other functions, each
/// once, in the order they are first met: a label inside one of them is a
/// label of every thread that calls it (inlined, it is in the thread's code).
fn called_fns(decls: &Decls<'_>, body: &ast::Block) -> Vec<usize> {
    let mut found: Vec<usize> = Vec::new();
    let mut seen = vec![false; decls.fns.len()];
    let mut calls = |block: &ast::Block, found: &mut Vec<usize>| {
        crate::walk::exprs(block, &mut |e| {
            if let ast::ExprKind::Call { func, .. } = &e.kind {
                let kind = decls.names.get(func.name.as_str()).map(|g| g.kind);
                if let Some(crate::declare::GlobalKind::Fn(j)) = kind {
                    if !std::mem::replace(&mut seen[j], true) {
                        found.push(j);
                    }
                }
            }
        });
    };
    calls(body, &mut found);
    let mut i = 0;
    while i < found.len() {
        calls(&decls.fns[found[i]].body, &mut found);
        i += 1;
    }
    found
}

/// The labelled statements of a body, in the order the lowering meets them.
pub(crate) fn collect_labels<'a>(block: &'a ast::Block, out: &mut Vec<&'a ast::Ident>) {
    for s in &block.stmts {
        if let Some(l) = &s.label {
            out.push(l);
        }
        for b in child_blocks(&s.kind) {
            collect_labels(b, out);
        }
    }
}

/// The blocks directly inside a statement.
pub(crate) fn child_blocks(kind: &ast::StmtKind) -> Vec<&ast::Block> {
    use ast::StmtKind as S;
    match kind {
        S::If {
            then_block,
            else_block,
            ..
        } => std::iter::once(then_block)
            .chain(else_block.as_ref())
            .collect(),
        S::While { body, .. }
        | S::Loop { body }
        | S::ForRange { body, .. }
        | S::ForChannel { body, .. }
        | S::With { body, .. }
        | S::Atomic { body } => vec![body],
        S::Block(b) => vec![b],
        _ => Vec::new(),
    }
}
