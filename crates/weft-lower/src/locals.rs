//! Locals: `let` (scalars, ranges, local arrays), assignment of a local,
//! and the types and constants written inside bodies.

use weft_ir::{self as ir, Op};
use weft_syntax::ast::{Expr, ExprKind, Ident, Span, TypeExpr};

use crate::context::{Local, Lower};
use crate::error::{Detail, LowerError};
use crate::expr::Val;
use crate::layout::{check_size, span, MAX_CELLS};
use crate::types::{self, Ty};
use crate::unparse;
use crate::vars::empty_range;

/// A type written on a `let` or parameter.
pub(crate) struct LocalType {
    pub elem: Ty,
    pub range: Option<(i64, i64)>,
    /// `Some(n)` for an array of n.
    pub len: Option<u32>,
}

impl<'e, 'a> Lower<'e, 'a> {
    pub fn let_stmt(
        &mut self,
        name: &'a Ident,
        ty: Option<&'a TypeExpr>,
        init: Option<&'a Expr>,
        at: Span,
    ) -> u32 {
        let declared = ty.map(|t| self.local_type(t));
        let array_init =
            init.filter(|e| matches!(e.kind, ExprKind::ArrayLit(_) | ExprKind::ArrayRepeat { .. }));
        let local = if declared.as_ref().is_some_and(|t| t.len.is_some()) || array_init.is_some() {
            self.let_array(name, declared, array_init.or(init), at)
        } else {
            let (elem, range) = declared
                .as_ref()
                .map_or((Ty::Unknown, None), |t| (t.elem, t.range));
            let slot = self.b.alloc(1);
            self.stmt_floor = self.b.sp;
            // A new slot already holds 0: without an initializer there is
            // nothing to set.
            let v = match init {
                Some(e) => {
                    let v = self.expr(e);
                    if let Some(err) = types::expect(
                        v.ty,
                        elem,
                        e.span,
                        &format!("the initial value of `{}`", name.name),
                    ) {
                        self.error(err);
                    }
                    v
                }
                None => {
                    if let Some((lo, hi)) = range.filter(|(lo, hi)| !(*lo..*hi).contains(&0)) {
                        self.error(LowerError::InitOutOfRange(
                            Detail::new(format!(
                                "`{}` starts at 0, outside its range {lo}..{hi}",
                                name.name
                            ))
                            .at(name.span, "starts at 0")
                            .help(format!("give it an initial value in the range: `= {lo}`")),
                        ));
                    }
                    Val::new(ir::Expr::Const(0), elem)
                }
            };
            let ty = elem.join(v.ty);
            if init.is_some() {
                self.set_local(slot, v, range, at);
            }
            Local::Scalar { slot, ty, range }
        };
        self.bind(name, local);
        match local {
            Local::Scalar { slot, .. } => slot + 1,
            Local::Array { base, len, .. } => base + len,
        }
    }

    /// `dst = v` for a local: the read (or receive, ...) that produced `v`
    /// writes `dst` directly when nothing else needs the temporary.
    pub fn set_local(&mut self, dst: u32, v: Val, range: Option<(i64, i64)>, at: Span) {
        if let (ir::Expr::Local(t), None) = (&v.expr, range) {
            if self.b.retarget_last(*t, self.stmt_floor, dst) {
                // The temporary was never written: give it back.
                if *t + 1 == self.b.sp {
                    self.b.sp = *t;
                }
                return;
            }
        }
        self.b.emit(
            Op::Set {
                dst,
                value: v.expr,
                range,
            },
            span(at),
        );
    }

    fn let_array(
        &mut self,
        name: &'a Ident,
        declared: Option<LocalType>,
        init: Option<&'a Expr>,
        at: Span,
    ) -> Local {
        let (elem, range, declared_len) =
            declared.map_or((Ty::Unknown, None, None), |t| (t.elem, t.range, t.len));
        let len = match init.map(|e| &e.kind) {
            Some(ExprKind::ArrayLit(items)) => items.len() as u32,
            Some(ExprKind::ArrayRepeat { len, .. }) => {
                self.const_int(len, "an array size").map_or(1, |n| {
                    if let Some(err) = check_size(n, len.span, "an array size", MAX_CELLS) {
                        self.error(err);
                        return 1;
                    }
                    n as u32
                })
            }
            _ => declared_len.unwrap_or(1),
        };
        if let (Some(d), Some(e)) = (declared_len, init) {
            if d != len {
                self.error(LowerError::TypeMismatch(
                    Detail::new(format!(
                        "the type says {d} elements, but the initial value has {len}"
                    ))
                    .at(e.span, format!("{len} elements"))
                    .help(format!("write {d} elements, or `[0; {d}]`")),
                ));
            }
        }
        if len == 0 {
            if let Some(err) =
                check_size(0, init.map_or(at, |e| e.span), "an array size", MAX_CELLS)
            {
                self.error(err);
            }
        }
        let len = len.max(1);
        let base = self.b.alloc(len);
        self.stmt_floor = self.b.sp;
        let mut ty = elem;
        let mut set = |me: &mut Self, e: &'a Expr| {
            let v = me.expr(e);
            if let Some(err) =
                types::expect(v.ty, ty, e.span, &format!("an element of `{}`", name.name))
            {
                me.error(err);
            }
            ty = ty.join(v.ty);
            v
        };
        match init.map(|e| &e.kind) {
            Some(ExprKind::ArrayLit(items)) => {
                for (k, item) in items.iter().enumerate() {
                    let v = set(self, item);
                    self.b.emit(
                        Op::Set {
                            dst: base + k as u32,
                            value: v.expr,
                            range,
                        },
                        span(item.span),
                    );
                }
            }
            Some(ExprKind::ArrayRepeat { value, .. }) => {
                let v = set(self, value);
                for k in 0..len {
                    self.b.emit(
                        Op::Set {
                            dst: base + k,
                            value: v.expr.clone(),
                            range,
                        },
                        span(value.span),
                    );
                }
            }
            Some(_) => {
                if let Some(e) = init {
                    self.error(LowerError::ArrayValue(
                        Detail::new(format!(
                            "`{}` is an array, but its initial value is a single value",
                            name.name
                        ))
                        .at(e.span, "a single value")
                        .help(format!(
                            "repeat it for every element: `[{}; {len}]`",
                            unparse::expr(e)
                        )),
                    ));
                }
            }
            None => {
                if let Some((lo, hi)) = range.filter(|(lo, hi)| !(*lo..*hi).contains(&0)) {
                    self.error(LowerError::InitOutOfRange(
                        Detail::new(format!(
                            "the elements of `{}` start at 0, outside their range {lo}..{hi}",
                            name.name
                        ))
                        .at(name.span, "starts at 0")
                        .help(format!("give it an initial value: `= [{lo}; {len}]`")),
                    ));
                }
            }
        }
        Local::Array {
            base,
            len,
            ty,
            range,
        }
    }

    /// The type written on a `let` or parameter.
    pub fn local_type(&mut self, ty: &'a TypeExpr) -> LocalType {
        match ty {
            TypeExpr::Int { range: None, .. } => LocalType {
                elem: Ty::Int,
                range: None,
                len: None,
            },
            TypeExpr::Int {
                range: Some((lo, hi)),
                ..
            } => {
                let l = self.const_int(lo, "a range bound");
                let h = self.const_int(hi, "a range bound");
                let range = match (l, h) {
                    (Some(l), Some(h)) if l >= h => {
                        self.error(empty_range(lo.span.to(hi.span), l, h));
                        None
                    }
                    (Some(l), Some(h)) => Some((l, h)),
                    _ => None,
                };
                LocalType {
                    elem: Ty::Int,
                    range,
                    len: None,
                }
            }
            TypeExpr::Bool { .. } => LocalType {
                elem: Ty::Bool,
                range: None,
                len: None,
            },
            TypeExpr::Array { elem, len, .. } => {
                let n = self.const_int(len, "an array size").map_or(1, |n| {
                    if let Some(err) = check_size(n, len.span, "an array size", MAX_CELLS) {
                        self.error(err);
                        return 1;
                    }
                    n as u32
                });
                let inner = match elem.as_ref() {
                    TypeExpr::Array { span: s, .. } => {
                        self.error(LowerError::TypeMismatch(
                            Detail::new("arrays of arrays are not supported")
                                .at(*s, "an array inside an array")
                                .help("use one flat array and index it with `row * WIDTH + col`"),
                        ));
                        LocalType {
                            elem: Ty::Int,
                            range: None,
                            len: None,
                        }
                    }
                    other => self.local_type(other),
                };
                LocalType {
                    elem: inner.elem,
                    range: inner.range,
                    len: Some(n),
                }
            }
        }
    }

    /// A constant int inside a body (array sizes, ranges): constants and
    /// literals only.
    pub fn const_int(&mut self, e: &'a Expr, what: &str) -> Option<i64> {
        let v = self.expr_of(e, Ty::Int, what);
        match v.as_const() {
            // An expression with an error has a stand-in value: not a size.
            Some(_) if v.ty == Ty::Unknown => None,
            Some(k) => Some(k),
            None => {
                if v.ty != Ty::Unknown {
                    self.error(LowerError::NotConstant(
                        Detail::new(format!("{what} must be a constant"))
                            .at(e.span, "not known before the run")
                            .help("use a literal or a `const`"),
                    ));
                }
                None
            }
        }
    }
}
