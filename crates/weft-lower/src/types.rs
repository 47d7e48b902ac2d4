//! The two value types, and the typing rules of the operators with the
//! diagnostics for mixing them.

use weft_syntax::ast::{BinOp, Span, UnOp};

use crate::error::{Detail, LowerError};

/// The type of a value. `Unknown` stands for an expression that already
/// produced an error (or a parameter whose type comes from its call sites) and
/// is accepted everywhere, so one mistake is reported once.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Ty {
    Int,
    Bool,
    Unknown,
}

impl Ty {
    /// "an int" / "a bool", for messages.
    pub fn article(self) -> &'static str {
        match self {
            Ty::Int => "an int",
            Ty::Bool => "a bool",
            Ty::Unknown => "a value",
        }
    }

    /// Whether a value of this type may stand where `want` is expected.
    pub fn fits(self, want: Ty) -> bool {
        self == want || self == Ty::Unknown || want == Ty::Unknown
    }

    /// The more precise of two types that fit each other.
    pub fn join(self, other: Ty) -> Ty {
        if self == Ty::Unknown {
            other
        } else {
            self
        }
    }

    pub fn to_ir(self) -> weft_ir::Ty {
        match self {
            Ty::Bool => weft_ir::Ty::Bool,
            Ty::Int | Ty::Unknown => weft_ir::Ty::Int,
        }
    }
}

const MIXING_HELP: &str =
    "ints and bools do not mix in weft: compare an int to get a bool (`x != 0`), or use an int variable";

/// `Some(error)` when a value of type `found` at `span` is used where `want`
/// is needed; `context` says what needs it ("an `if` condition").
pub(crate) fn expect(found: Ty, want: Ty, span: Span, context: &str) -> Option<LowerError> {
    if found.fits(want) {
        return None;
    }
    let help = match want {
        Ty::Bool => "a bool is needed here: compare the int to get one, e.g. `x != 0`".to_string(),
        _ => MIXING_HELP.to_string(),
    };
    Some(LowerError::TypeMismatch(
        Detail::new(format!(
            "{context} must be {}, but this is {}",
            want.article(),
            found.article()
        ))
        .at(span, format!("this is {}", found.article()))
        .help(help),
    ))
}

/// The operand type an operator needs (`None`: both operands of one type) and
/// the type of its result.
fn signature(op: BinOp) -> (Option<Ty>, Ty) {
    match op {
        BinOp::Mul | BinOp::Div | BinOp::Rem | BinOp::Add | BinOp::Sub => (Some(Ty::Int), Ty::Int),
        BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge => (Some(Ty::Int), Ty::Bool),
        BinOp::Eq | BinOp::Ne => (None, Ty::Bool),
        BinOp::And | BinOp::Or => (Some(Ty::Bool), Ty::Bool),
    }
}

/// The result type of `lhs op rhs`, and the errors for operands of the wrong type.
pub(crate) fn binary(
    op: BinOp,
    lhs: (Ty, Span),
    rhs: (Ty, Span),
    errors: &mut Vec<LowerError>,
) -> Ty {
    let (operand, result) = signature(op);
    let sym = op.symbol();
    match operand {
        Some(want) => {
            for (ty, span) in [lhs, rhs] {
                if !ty.fits(want) {
                    errors.push(LowerError::TypeMismatch(
                        Detail::new(format!(
                            "`{sym}` needs {} on both sides, but this is {}",
                            plural(want),
                            ty.article()
                        ))
                        .at(span, format!("this is {}", ty.article()))
                        .help(MIXING_HELP),
                    ));
                }
            }
        }
        None => {
            if !lhs.0.fits(rhs.0) {
                errors.push(LowerError::TypeMismatch(
                    Detail::new(format!(
                        "`{sym}` compares two values of one type, but this is {} and that is {}",
                        lhs.0.article(),
                        rhs.0.article()
                    ))
                    .at(rhs.1, format!("this is {}", rhs.0.article()))
                    .note(lhs.1, format!("this is {}", lhs.0.article()))
                    .help(MIXING_HELP),
                ));
            }
        }
    }
    result
}

/// The result type of `op operand`, and the error for an operand of the wrong type.
pub(crate) fn unary(op: UnOp, operand: (Ty, Span), errors: &mut Vec<LowerError>) -> Ty {
    let (want, sym) = match op {
        UnOp::Neg => (Ty::Int, "-"),
        UnOp::Not => (Ty::Bool, "!"),
    };
    if !operand.0.fits(want) {
        errors.push(LowerError::TypeMismatch(
            Detail::new(format!(
                "`{sym}` needs {}, but this is {}",
                want.article(),
                operand.0.article()
            ))
            .at(operand.1, format!("this is {}", operand.0.article()))
            .help(MIXING_HELP),
        ));
    }
    want
}

fn plural(ty: Ty) -> &'static str {
    match ty {
        Ty::Int => "ints",
        Ty::Bool => "bools",
        Ty::Unknown => "values",
    }
}

/// Fold `lhs op rhs` over constants; `None` on overflow or division by zero
/// (left to the run, or reported by the caller for constant contexts).
pub(crate) fn fold_binary(op: BinOp, a: i64, b: i64) -> Option<i64> {
    Some(match op {
        BinOp::Mul => a.checked_mul(b)?,
        BinOp::Div => a.checked_div(b)?,
        // A remainder always fits (i64::MIN % -1 is 0).
        BinOp::Rem => (b != 0).then(|| a.wrapping_rem(b))?,
        BinOp::Add => a.checked_add(b)?,
        BinOp::Sub => a.checked_sub(b)?,
        BinOp::Lt => i64::from(a < b),
        BinOp::Le => i64::from(a <= b),
        BinOp::Gt => i64::from(a > b),
        BinOp::Ge => i64::from(a >= b),
        BinOp::Eq => i64::from(a == b),
        BinOp::Ne => i64::from(a != b),
        BinOp::And => i64::from(a != 0 && b != 0),
        BinOp::Or => i64::from(a != 0 || b != 0),
    })
}

/// Fold `op a`; `None` on overflow.
pub(crate) fn fold_unary(op: UnOp, a: i64) -> Option<i64> {
    match op {
        UnOp::Neg => a.checked_neg(),
        UnOp::Not => Some(i64::from(a == 0)),
    }
}
