//! The layout of one variable declaration: its type, cells, initial values
//! and range, checked against each other.

use weft_ir as ir;
use weft_syntax::ast::{self, Expr, ExprKind, Span, TypeExpr};

use crate::consts::{CVal, Consts};
use crate::error::{Detail, LowerError};
use crate::layout::{check_size, count, span, MAX_CELLS};
use crate::types::Ty;

/// The element type, range and length a declared type gives.
struct Declared {
    elem: Ty,
    range: Option<(i64, i64)>,
    /// `Some` for an array type.
    len: Option<u32>,
}

pub(crate) fn range(
    lo: &Expr,
    hi: &Expr,
    consts: &mut Consts<'_, '_>,
    errors: &mut Vec<LowerError>,
) -> Option<(i64, i64)> {
    let l = consts.eval_int(lo, "a range bound", errors);
    let h = consts.eval_int(hi, "a range bound", errors);
    let (l, h) = (l?, h?);
    if l >= h {
        errors.push(empty_range(lo.span.to(hi.span), l, h));
        return None;
    }
    Some((l, h))
}

pub(crate) fn empty_range(at: Span, lo: i64, hi: i64) -> LowerError {
    LowerError::EmptyRange(
        Detail::new(format!("the range {lo}..{hi} is empty"))
            .at(at, "no value lies in this range")
            .help(format!("ranges are half-open: `lo..hi` holds lo up to hi - 1, so write a bound above {lo}, e.g. `{lo}..{}`", lo.saturating_add(1))),
    )
}

fn declared(ty: &TypeExpr, consts: &mut Consts<'_, '_>, errors: &mut Vec<LowerError>) -> Declared {
    match ty {
        TypeExpr::Int { range: r, .. } => Declared {
            elem: Ty::Int,
            range: r
                .as_ref()
                .and_then(|(lo, hi)| range(lo, hi, consts, errors)),
            len: None,
        },
        TypeExpr::Bool { .. } => Declared {
            elem: Ty::Bool,
            range: None,
            len: None,
        },
        TypeExpr::Array { elem, len, .. } => {
            let n = count(len, "an array size", MAX_CELLS, consts, errors);
            let inner = match elem.as_ref() {
                TypeExpr::Array { span, .. } => {
                    errors.push(LowerError::TypeMismatch(
                        Detail::new("arrays of arrays are not supported")
                            .at(*span, "an array inside an array")
                            .help("use one flat array and index it with `row * WIDTH + col`"),
                    ));
                    Declared {
                        elem: Ty::Int,
                        range: None,
                        len: None,
                    }
                }
                other => declared(other, consts, errors),
            };
            Declared {
                elem: inner.elem,
                range: inner.range,
                len: Some(n),
            }
        }
    }
}

/// The initial values an initializer gives, with their element type and
/// whether it was written as an array.
struct Initial {
    values: Vec<i64>,
    elem: Ty,
    is_array: bool,
}

fn initial(e: &Expr, consts: &mut Consts<'_, '_>, errors: &mut Vec<LowerError>) -> Option<Initial> {
    match &e.kind {
        ExprKind::ArrayLit(items) => {
            let mut values = Vec::new();
            let mut elem = Ty::Unknown;
            for item in items {
                let v = consts.eval(item, errors)?;
                if !v.ty().fits(elem) {
                    errors.extend(crate::types::expect(
                        v.ty(),
                        elem,
                        item.span,
                        "every element of an array",
                    ));
                    return None;
                }
                elem = elem.join(v.ty());
                values.push(v.value());
            }
            if values.is_empty() {
                errors.push(check_size(0, e.span, "an array size", MAX_CELLS)?);
                return None;
            }
            Some(Initial {
                values,
                elem,
                is_array: true,
            })
        }
        ExprKind::ArrayRepeat { value, len } => {
            let v = consts.eval(value, errors);
            let n = count(len, "an array size", MAX_CELLS, consts, errors);
            let v = v?;
            Some(Initial {
                values: vec![v.value(); n as usize],
                elem: v.ty(),
                is_array: true,
            })
        }
        _ => {
            let v = consts.eval(e, errors)?;
            Some(Initial {
                values: vec![v.value()],
                elem: v.ty(),
                is_array: false,
            })
        }
    }
}

pub(crate) fn var(
    d: &ast::VarDecl,
    consts: &mut Consts<'_, '_>,
    errors: &mut Vec<LowerError>,
) -> ir::Var {
    let kind = match d.kind {
        ast::VarKind::Shared => ir::VarKind::Shared,
        ast::VarKind::Atomic => ir::VarKind::Atomic,
        ast::VarKind::Ghost => ir::VarKind::Ghost,
    };
    let mut v = ir::Var {
        name: d.name.name.clone(),
        kind,
        ty: ir::Ty::Int,
        base: 0,
        len: 1,
        is_array: false,
        range: None,
        init: vec![0],
        span: span(d.span),
    };
    let decl = d.ty.as_ref().map(|t| declared(t, consts, errors));
    let init = d.init.as_ref().and_then(|e| initial(e, consts, errors));
    match (&decl, init) {
        (None, None) => {
            if d.init.is_none() {
                errors.push(LowerError::MissingType(
                    Detail::new(format!(
                        "`{}` has neither a type nor an initial value",
                        d.name.name
                    ))
                    .at(d.name.span, "type unknown")
                    .help(format!(
                        "write `{kw} {0} = 0;` or `{kw} {0}: int;`",
                        d.name.name,
                        kw = var_keyword(d.kind)
                    )),
                ));
            }
        }
        (Some(t), None) => {
            v.ty = t.elem.to_ir();
            v.range = t.range;
            v.len = t.len.unwrap_or(1);
            v.is_array = t.len.is_some();
            v.init = vec![0; v.len as usize];
            if let Some((lo, hi)) = t.range {
                if d.init.is_none() && !(lo..hi).contains(&0) {
                    errors.push(LowerError::InitOutOfRange(
                        Detail::new(format!(
                            "`{}` starts at 0, outside its range {lo}..{hi}",
                            d.name.name
                        ))
                        .at(d.name.span, "starts at 0")
                        .help(format!("give it an initial value in the range: `= {lo}`")),
                    ));
                }
            }
        }
        (t, Some(init)) => {
            let init_span = d.init.as_ref().map_or(d.span, |e| e.span);
            if let Some(t) = t {
                if !init.elem.fits(t.elem) {
                    errors.extend(crate::types::expect(
                        init.elem,
                        t.elem,
                        init_span,
                        "the initial value",
                    ));
                }
                match (t.len, init.is_array) {
                    (Some(n), true) if n as usize != init.values.len() => {
                        errors.push(LowerError::TypeMismatch(
                            Detail::new(format!(
                                "the type says {n} elements, but the initial value has {}",
                                init.values.len()
                            ))
                            .at(init_span, format!("{} elements", init.values.len()))
                            .help(format!("write {n} elements, or `[0; {n}]`")),
                        ))
                    }
                    (Some(n), false) => errors.push(LowerError::ArrayValue(
                        Detail::new(format!(
                            "`{}` is an array of {n}, but its initial value is a single value",
                            d.name.name
                        ))
                        .at(init_span, "a single value")
                        .help(format!(
                            "repeat it for every element: `[{}; {n}]`",
                            short(init.values[0], init.elem)
                        )),
                    )),
                    (None, true) => errors.push(LowerError::ArrayValue(
                        Detail::new(format!(
                            "`{}` is declared as a single value, but its initial value is an array",
                            d.name.name
                        ))
                        .at(init_span, "an array")
                        .help("declare an array type, e.g. `[int; 3]`, or drop the type"),
                    )),
                    _ => {}
                }
                v.range = t.range;
            }
            v.ty = t.as_ref().map_or(init.elem, |t| t.elem).to_ir();
            v.is_array = init.is_array || t.as_ref().is_some_and(|t| t.len.is_some());
            v.len = init.values.len() as u32;
            if let Some((lo, hi)) = v.range {
                if let Some(bad) = init.values.iter().find(|x| !(lo..hi).contains(*x)) {
                    errors.push(LowerError::InitOutOfRange(
                        Detail::new(format!(
                            "the initial value {bad} is outside the range {lo}..{hi}"
                        ))
                        .at(init_span, format!("{bad} is not in {lo}..{hi}"))
                        .help(format!(
                            "ranges are half-open: use a value from {lo} to {}",
                            hi - 1
                        )),
                    ));
                }
            }
            v.init = init.values;
        }
    }
    v
}

fn var_keyword(kind: ast::VarKind) -> &'static str {
    match kind {
        ast::VarKind::Shared => "shared",
        ast::VarKind::Atomic => "atomic",
        ast::VarKind::Ghost => "ghost",
    }
}

fn short(v: i64, ty: Ty) -> String {
    match ty {
        Ty::Bool => CVal::Bool(v != 0).to_string_lit(),
        _ => v.to_string(),
    }
}

impl CVal {
    fn to_string_lit(self) -> String {
        match self {
            CVal::Int(v) => v.to_string(),
            CVal::Bool(b) => b.to_string(),
        }
    }
}
