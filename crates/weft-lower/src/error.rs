//! The semantic diagnostics: one variant per stable error code, each carrying
//! a [`Detail`] (message, labelled spans, help line).

use std::fmt;

use miette::{Diagnostic, LabeledSpan};
use weft_syntax::ast::Span;

/// What every semantic diagnostic says: a message, a primary label on the
/// exact span, optional secondary labels, and a help line saying what to write
/// instead. Spans are byte offsets; the CLI attaches the source text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Detail {
    pub message: String,
    /// The primary span and its label. `None` only for errors that have no
    /// place in the source (a bad `-D NAME=VALUE`).
    pub primary: Option<(Span, String)>,
    /// Further places worth showing (the earlier declaration of a duplicate).
    pub notes: Vec<(Span, String)>,
    pub help: Option<String>,
}

impl Detail {
    pub fn new(message: impl Into<String>) -> Self {
        Detail {
            message: message.into(),
            primary: None,
            notes: Vec::new(),
            help: None,
        }
    }

    pub fn at(mut self, span: Span, label: impl Into<String>) -> Self {
        self.primary = Some((span, label.into()));
        self
    }

    pub fn note(mut self, span: Span, label: impl Into<String>) -> Self {
        self.notes.push((span, label.into()));
        self
    }

    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn maybe_help(mut self, help: Option<String>) -> Self {
        self.help = help;
        self
    }
}

impl fmt::Display for Detail {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Detail {}

fn source_span(span: Span) -> miette::SourceSpan {
    (span.start, span.len()).into()
}

impl Diagnostic for Detail {
    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let primary = self
            .primary
            .iter()
            .map(|(s, l)| LabeledSpan::new_primary_with_span(Some(l.clone()), source_span(*s)));
        let notes = self
            .notes
            .iter()
            .map(|(s, l)| LabeledSpan::new_with_span(Some(l.clone()), source_span(*s)));
        Some(Box::new(primary.chain(notes)))
    }
}

macro_rules! lower_errors {
    ($( $(#[$doc:meta])* $variant:ident => $code:path, )*) => {
        /// A semantic error in a weft program. The variant is the kind; its
        /// code (`weft::undeclared`, ...) is stable and machine-readable.
        #[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, miette::Diagnostic)]
        pub enum LowerError {
            $(
                $(#[$doc])*
                #[error("{0}")]
                #[diagnostic(code($code), forward(0))]
                $variant(Detail),
            )*
        }

        impl LowerError {
            /// The message, labels and help of this error.
            pub fn detail(&self) -> &Detail {
                match self {
                    $( LowerError::$variant(d) => d, )*
                }
            }
        }
    };
}

lower_errors! {
    /// A name that nothing in scope declares.
    Undeclared => weft::undeclared,
    /// Two declarations of one name (globals, parameters, locals of one block, labels of one thread).
    Duplicate => weft::duplicate,
    /// An int where a bool is needed, or the other way round.
    TypeMismatch => weft::type_mismatch,
    /// A method the receiver's kind does not have.
    WrongMethod => weft::wrong_method,
    /// A call or method with the wrong number of arguments.
    WrongArity => weft::wrong_arity,
    /// A name of the wrong kind (a semaphore where a mutex is needed, a call of a variable, ...).
    WrongKind => weft::wrong_kind,
    /// An operation with no result used as a value.
    NoValue => weft::no_value,
    /// A thread, object, function or whole array used as a value.
    NotAValue => weft::not_a_value,
    /// `x[i]` on something that is not an array.
    NotAnArray => weft::not_an_array,
    /// An array of cells, objects or threads used without an index.
    NeedsIndex => weft::needs_index,
    /// An array literal where only a single value fits.
    ArrayValue => weft::array_value,
    /// An expression statement that does nothing.
    UnusedExpression => weft::unused_expression,
    /// `self` where there is no thread-group instance.
    SelfOutsideGroup => weft::self_outside_group,
    /// `+=`, `-=`, `*=`, `++`, `--` on an `atomic` variable.
    AtomicCompound => weft::atomic_compound,
    /// A function that calls itself, directly or through others.
    Recursion => weft::recursion,
    /// A blocking operation inside `atomic { }`.
    BlockingInAtomic => weft::blocking_in_atomic,
    /// `break` or `continue` outside a loop.
    OutsideLoop => weft::outside_loop,
    /// `return` outside a function.
    ReturnOutsideFn => weft::return_outside_fn,
    /// `t@label` or `done(t)` outside `invariant`, `final assert` and `assert`.
    SpecOnly => weft::spec_only,
    /// An invariant or final assert that would change state or synchronize.
    EffectInSpec => weft::effect_in_spec,
    /// `t@label` naming a label the thread does not have.
    UnknownLabel => weft::unknown_label,
    /// `-D NAME=...` for a name that is not a `const`.
    UnknownDefine => weft::unknown_define,
    /// `-D NAME=VALUE` with a value that is not an int or bool of the right type.
    BadDefine => weft::bad_define,
    /// A value that must be known before the run (array size, count, parameter, initial value) is not.
    NotConstant => weft::not_constant,
    /// Constants defined in terms of each other.
    ConstCycle => weft::const_cycle,
    /// Overflow or division by zero while evaluating a constant.
    ConstEval => weft::const_eval,
    /// Assignment to a constant, thread, object or function.
    NotAssignable => weft::not_assignable,
    /// More thread instances than the explorer can track.
    TooManyThreads => weft::too_many_threads,
    /// More global cells or local slots than the explorer should store.
    TooManyCells => weft::too_many_cells,
    /// An array size or instance count below 1 or absurdly large.
    BadSize => weft::bad_size,
    /// A range `lo..hi` with `lo >= hi`.
    EmptyRange => weft::empty_range,
    /// An initial value outside the declared range.
    InitOutOfRange => weft::init_out_of_range,
    /// `fair` on a kind without a fair variant.
    NoFairVariant => weft::no_fair_variant,
    /// A missing, unexpected or out-of-range object parameter (capacity, permits, parties).
    BadParam => weft::bad_param,
    /// A thread whose inlined calls make its code absurdly long.
    CodeTooLarge => weft::code_too_large,
    /// Calls nested deeper than inlining them allows.
    CallsTooDeep => weft::calls_too_deep,
    /// A variable declared with neither a type nor an initial value.
    MissingType => weft::missing_type,
}

impl LowerError {
    /// Where the error points (start of the primary span); errors without a
    /// place sort first.
    pub fn span(&self) -> Option<Span> {
        self.detail().primary.as_ref().map(|(s, _)| *s)
    }
}
