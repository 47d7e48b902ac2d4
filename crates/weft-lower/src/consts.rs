//! Compile-time constants: `const` items evaluated in dependency order,
//! `-D NAME=VALUE` overrides, and constant expressions at the top level
//! (array sizes, counts, object parameters, initial values, ranges).

use weft_syntax::ast::{Expr, ExprKind, Span};

use crate::declare::{Decls, GlobalKind};
use crate::error::{Detail, LowerError};
use crate::suggest;
use crate::types::{self, Ty};

/// A constant value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum CVal {
    Int(i64),
    Bool(bool),
}

impl CVal {
    pub fn ty(self) -> Ty {
        match self {
            CVal::Int(_) => Ty::Int,
            CVal::Bool(_) => Ty::Bool,
        }
    }

    /// The run-time representation: bools are 0 and 1.
    pub fn value(self) -> i64 {
        match self {
            CVal::Int(v) => v,
            CVal::Bool(b) => i64::from(b),
        }
    }

    fn from_typed(ty: Ty, v: i64) -> CVal {
        if ty == Ty::Bool {
            CVal::Bool(v != 0)
        } else {
            CVal::Int(v)
        }
    }
}

/// Where the evaluation of one `const` item stands.
#[derive(Clone, Copy, Debug)]
enum State {
    Todo,
    /// Being evaluated: meeting it again is a cycle.
    Busy,
    /// `None` when its evaluation failed (already reported).
    Done(Option<CVal>),
}

/// The constant evaluator over one program's `const` items.
pub(crate) struct Consts<'d, 'a> {
    decls: &'d Decls<'a>,
    state: Vec<State>,
    /// `-D` values by const index, already parsed.
    overrides: Vec<Option<(CVal, String)>>,
    /// The consts being evaluated, outermost first, for cycle messages.
    stack: Vec<usize>,
}

impl<'d, 'a> Consts<'d, 'a> {
    /// Check the `-D` names and value syntax, then evaluate every `const`.
    pub fn evaluate(
        decls: &'d Decls<'a>,
        defines: &[(String, String)],
        errors: &mut Vec<LowerError>,
    ) -> Self {
        let mut c = Consts {
            decls,
            state: vec![State::Todo; decls.consts.len()],
            overrides: vec![None; decls.consts.len()],
            stack: Vec::new(),
        };
        for (name, text) in defines {
            c.add_define(name, text, errors);
        }
        for i in 0..decls.consts.len() {
            c.value_of(i, None, errors);
        }
        c
    }

    fn add_define(&mut self, name: &str, text: &str, errors: &mut Vec<LowerError>) {
        let idx = match self.decls.names.get(name).map(|g| g.kind) {
            Some(GlobalKind::Const(i)) => i,
            Some(kind) => {
                errors.push(LowerError::UnknownDefine(
                    Detail::new(format!(
                        "`-D {name}=...`: `{name}` is {}, not a `const`",
                        self.decls.describe(kind)
                    ))
                    .at(self.decls.names[name].span, "declared here")
                    .help(self.const_list_help()),
                ));
                return;
            }
            None => {
                let closest =
                    suggest::closest(name, self.decls.consts.iter().map(|c| c.name.name.as_str()));
                let help = match closest {
                    Some(c) => format!("did you mean `-D {c}={text}`?"),
                    None => self.const_list_help(),
                };
                errors.push(LowerError::UnknownDefine(
                    Detail::new(format!(
                        "`-D {name}=...`: the program declares no `const {name}`"
                    ))
                    .help(help),
                ));
                return;
            }
        };
        match parse_define(text) {
            Some(v) => self.overrides[idx] = Some((v, text.to_string())),
            None => errors.push(LowerError::BadDefine(
                Detail::new(format!(
                    "`-D {name}={text}`: `{text}` is neither an int nor a bool"
                ))
                .at(self.decls.consts[idx].name.span, "the constant")
                .help(format!(
                    "write an integer (`-D {name}=3`) or `true` / `false`"
                )),
            )),
        }
    }

    fn const_list_help(&self) -> String {
        let names: Vec<&str> = self
            .decls
            .consts
            .iter()
            .map(|c| c.name.name.as_str())
            .collect();
        if names.is_empty() {
            "this program declares no constants; `-D` overrides a `const N = ...;`".into()
        } else {
            format!(
                "the constants of this program are {}",
                suggest::list(&names)
            )
        }
    }

    /// The value of const number `idx`; `used_at` is the span of the
    /// reference, for a cycle message.
    fn value_of(
        &mut self,
        idx: usize,
        used_at: Option<Span>,
        errors: &mut Vec<LowerError>,
    ) -> Option<CVal> {
        match self.state[idx] {
            State::Done(v) => return v,
            State::Busy => {
                let start = self.stack.iter().position(|&i| i == idx).unwrap_or(0);
                let mut names: Vec<&str> = self.stack[start..]
                    .iter()
                    .map(|&i| self.decls.consts[i].name.name.as_str())
                    .collect();
                names.push(&self.decls.consts[idx].name.name);
                let decl = self.decls.consts[idx];
                errors.push(LowerError::ConstCycle(
                    Detail::new(format!(
                        "constants defined in terms of each other: {}",
                        names.join(" -> ")
                    ))
                    .at(
                        used_at.unwrap_or(decl.name.span),
                        "this refers back to the start of the cycle",
                    )
                    .note(decl.name.span, "the cycle starts here")
                    .help("give one of them a literal value"),
                ));
                self.state[idx] = State::Done(None);
                return None;
            }
            State::Todo => {}
        }
        let decl = self.decls.consts[idx];
        if let Some((v, text)) = self.overrides[idx].clone() {
            // Set before evaluating the written value, which is only checked
            // for its type: a reference back to this const sees the override.
            self.state[idx] = State::Done(Some(v));
            self.stack.push(idx);
            let written = self.eval(&decl.value, errors);
            self.stack.pop();
            if let Some(w) = written {
                if w.ty() != v.ty() {
                    // Keep the written value so its uses report nothing more.
                    self.state[idx] = State::Done(Some(w));
                    errors.push(LowerError::BadDefine(
                        Detail::new(format!(
                            "`-D {}={text}` gives {}, but the constant is {}",
                            decl.name.name,
                            v.ty().article(),
                            w.ty().article()
                        ))
                        .at(decl.value.span, format!("this is {}", w.ty().article()))
                        .help(match w.ty() {
                            Ty::Bool => format!(
                                "write `-D {}=true` or `-D {}=false`",
                                decl.name.name, decl.name.name
                            ),
                            _ => format!("write an integer, e.g. `-D {}=3`", decl.name.name),
                        }),
                    ));
                    return Some(w);
                }
            }
            return Some(v);
        }
        self.state[idx] = State::Busy;
        self.stack.push(idx);
        let v = self.eval(&decl.value, errors);
        self.stack.pop();
        self.state[idx] = State::Done(v);
        v
    }

    /// The final value of every const, by const index (`None` where it failed).
    pub fn values(&self) -> Vec<Option<CVal>> {
        self.state
            .iter()
            .map(|s| match s {
                State::Done(v) => *v,
                State::Todo | State::Busy => None,
            })
            .collect()
    }

    /// Evaluate a constant expression; `None` after reporting why it is not one.
    pub fn eval(&mut self, e: &Expr, errors: &mut Vec<LowerError>) -> Option<CVal> {
        match &e.kind {
            ExprKind::Int(v) => Some(CVal::Int(*v)),
            ExprKind::Bool(b) => Some(CVal::Bool(*b)),
            ExprKind::Name(id) => match self.decls.names.get(id.name.as_str()).map(|g| g.kind) {
                Some(GlobalKind::Const(i)) => self.value_of(i, Some(id.span), errors),
                Some(kind) => {
                    errors.push(not_constant(
                        e.span,
                        format!(
                            "`{}` is {}, not a constant",
                            id.name,
                            self.decls.describe(kind)
                        ),
                    ));
                    None
                }
                None => {
                    let closest = suggest::closest(
                        &id.name,
                        self.decls.consts.iter().map(|c| c.name.name.as_str()),
                    );
                    errors.push(LowerError::Undeclared(
                        Detail::new(format!("no constant named `{}` is declared", id.name))
                            .at(id.span, "not declared")
                            .help(match closest {
                                Some(c) => format!("did you mean `{c}`?"),
                                None => format!("declare it: `const {} = 1;`", id.name),
                            }),
                    ));
                    None
                }
            },
            ExprKind::Unary { op, operand } => {
                let v = self.eval(operand, errors)?;
                let ty = types::unary(*op, (v.ty(), operand.span), errors);
                if !v.ty().fits(ty) {
                    return None;
                }
                match types::fold_unary(*op, v.value()) {
                    Some(r) => Some(CVal::from_typed(ty, r)),
                    None => {
                        errors.push(const_eval(e.span, "this constant overflows a 64-bit int"));
                        None
                    }
                }
            }
            ExprKind::Binary { op, lhs, rhs } => {
                let a = self.eval(lhs, errors);
                let b = self.eval(rhs, errors);
                let (a, b) = (a?, b?);
                let mut errs = Vec::new();
                let ty = types::binary(*op, (a.ty(), lhs.span), (b.ty(), rhs.span), &mut errs);
                if !errs.is_empty() {
                    errors.extend(errs);
                    return None;
                }
                match types::fold_binary(*op, a.value(), b.value()) {
                    Some(r) => Some(CVal::from_typed(ty, r)),
                    None => {
                        let why = if b.value() == 0
                            && matches!(
                                op,
                                weft_syntax::ast::BinOp::Div | weft_syntax::ast::BinOp::Rem
                            ) {
                            "this constant divides by zero"
                        } else {
                            "this constant overflows a 64-bit int"
                        };
                        errors.push(const_eval(e.span, why));
                        None
                    }
                }
            }
            ExprKind::SelfIdx => {
                errors.push(not_constant(
                    e.span,
                    "`self` is different in each thread instance, so it is not a constant".into(),
                ));
                None
            }
            _ => {
                errors.push(not_constant(
                    e.span,
                    "this expression is not a constant".into(),
                ));
                None
            }
        }
    }

    /// Evaluate a constant int (sizes, counts, parameters).
    pub fn eval_int(&mut self, e: &Expr, what: &str, errors: &mut Vec<LowerError>) -> Option<i64> {
        match self.eval(e, errors)? {
            CVal::Int(v) => Some(v),
            CVal::Bool(_) => {
                errors.extend(types::expect(Ty::Bool, Ty::Int, e.span, what));
                None
            }
        }
    }
}

fn not_constant(span: Span, message: String) -> LowerError {
    LowerError::NotConstant(
        Detail::new(message)
            .at(span, "not known before the run")
            .help("array sizes, thread counts, object parameters, ranges and initial values must be constants: use a literal or a `const`"),
    )
}

fn const_eval(span: Span, message: &str) -> LowerError {
    LowerError::ConstEval(
        Detail::new(message)
            .at(span, message)
            .help("change the constants so the value fits a 64-bit int"),
    )
}

/// The value of `-D NAME=VALUE`: an int (`_` separators, optional sign) or a bool.
fn parse_define(text: &str) -> Option<CVal> {
    let t = text.trim();
    match t {
        "true" => return Some(CVal::Bool(true)),
        "false" => return Some(CVal::Bool(false)),
        _ => {}
    }
    let digits: String = t.chars().filter(|&c| c != '_').collect();
    digits.parse::<i64>().ok().map(CVal::Int)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn define_values_are_ints_or_bools() {
        assert_eq!(parse_define("1_000"), Some(CVal::Int(1000)));
        assert_eq!(parse_define("-3"), Some(CVal::Int(-3)));
        assert_eq!(parse_define("true"), Some(CVal::Bool(true)));
        assert_eq!(parse_define("three"), None);
    }

    #[test]
    fn constant_remainders_always_fit() {
        use crate::types::fold_binary;
        use weft_syntax::ast::BinOp;
        assert_eq!(fold_binary(BinOp::Rem, i64::MIN, -1), Some(0));
        assert_eq!(fold_binary(BinOp::Div, i64::MIN, -1), None);
        assert_eq!(fold_binary(BinOp::Rem, 1, 0), None);
    }
}
