//! Cells of global variables (`x`, `a[i]`) and the operations of atomic
//! variables: `load`, `store`, `fetch_add`, `fetch_sub`, `swap`, `cas`.

use weft_ir::{self as ir, FromRead, Op, Rmw};
use weft_syntax::ast::{Expr, Ident, Place, Span};

use crate::context::Lower;
use crate::error::{Detail, LowerError};
use crate::expr::{needs_index, not_an_array, Val};
use crate::layout::span;
use crate::methods::Sig;
use crate::types::Ty;

impl<'e, 'a> Lower<'e, 'a> {
    /// The cell `name` / `name[index]` of variable `v`; index reads happen first.
    pub fn cell_ref(
        &mut self,
        v: usize,
        name: &Ident,
        index: Option<&'a Expr>,
    ) -> Option<ir::CellRef> {
        let var = &self.env.layout.vars[v];
        let (len, is_array) = (var.len, var.is_array);
        match index {
            None if is_array => {
                self.error(needs_index(
                    name,
                    &format!("an array of {len}"),
                    "use one element with",
                    len,
                ));
                None
            }
            None => Some(ir::CellRef {
                var: v as u32,
                idx: None,
            }),
            Some(i) if !is_array => {
                self.expr(i);
                self.error(not_an_array(name));
                None
            }
            Some(i) => {
                let idx = self.index(i);
                Some(ir::CellRef {
                    var: v as u32,
                    idx: Some(idx),
                })
            }
        }
    }

    pub fn atomic_op(
        &mut self,
        v: usize,
        receiver: &'a Place,
        sig: &Sig,
        args: &'a [Expr],
        at: Span,
        want: bool,
    ) -> Option<Val> {
        let elem = if self.env.layout.vars[v].ty == ir::Ty::Bool {
            Ty::Bool
        } else {
            Ty::Int
        };
        let cell = self.cell_ref(v, &receiver.name, receiver.index.as_deref())?;
        let s = span(at);
        let arg_context = format!("the argument of `{}`", sig.name);
        match sig.name {
            "load" => {
                let dst = self.temp();
                self.b.emit(
                    Op::Read {
                        dst,
                        cell,
                        racy: self.racy,
                        tracked: false,
                    },
                    s,
                );
                Some(Val::new(ir::Expr::Local(dst), elem))
            }
            "store" => {
                let value = self.expr_of(&args[0], elem, &arg_context).expr;
                self.b.emit(
                    Op::Write {
                        cell,
                        value,
                        from_read: FromRead::No,
                        keeps_read: false,
                    },
                    s,
                );
                Some(Val::unknown())
            }
            "fetch_add" | "fetch_sub" | "swap" => {
                let op = match sig.name {
                    "fetch_add" => Rmw::Add,
                    "fetch_sub" => Rmw::Sub,
                    _ => Rmw::Swap,
                };
                if op != Rmw::Swap && elem == Ty::Bool {
                    self.error(LowerError::TypeMismatch(
                        Detail::new(format!(
                            "`{}` needs an int atomic, but `{}` is a bool",
                            sig.name, receiver.name.name
                        ))
                        .at(at, "not an int")
                        .help(format!(
                            "use `{}.swap(e)` or `{}.store(e)` on a bool",
                            receiver.name.name, receiver.name.name
                        )),
                    ));
                }
                let value = self.expr_of(&args[0], elem, &arg_context).expr;
                let dst = self.result_slot(want);
                self.b.emit(
                    Op::Rmw {
                        dst,
                        cell,
                        op,
                        value,
                    },
                    s,
                );
                let ty = if op == Rmw::Swap { elem } else { Ty::Int };
                Some(dst.map_or_else(Val::unknown, |d| Val::new(ir::Expr::Local(d), ty)))
            }
            "cas" => {
                let expected = self.expr_of(&args[0], elem, &arg_context).expr;
                let new = self.expr_of(&args[1], elem, &arg_context).expr;
                let dst = self.result_slot(want);
                self.b.emit(
                    Op::Cas {
                        dst,
                        cell,
                        expected,
                        new,
                    },
                    s,
                );
                Some(dst.map_or_else(Val::unknown, |d| Val::new(ir::Expr::Local(d), Ty::Bool)))
            }
            _ => None,
        }
    }
}
