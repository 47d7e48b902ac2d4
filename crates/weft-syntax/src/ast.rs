//! The abstract syntax tree of a weft program: exactly what was written, with a
//! byte span on every node. Names are not resolved here; `weft-lower` does that.

/// A byte range `start..end` in the source text.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Span {
    /// First byte of the node.
    pub start: usize,
    /// One past the last byte of the node.
    pub end: usize,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Self {
        Span { start, end }
    }
    /// The smallest span covering both.
    pub fn to(self, other: Span) -> Span {
        Span::new(self.start.min(other.start), self.end.max(other.end))
    }
    pub fn len(self) -> usize {
        self.end - self.start
    }
    pub fn is_empty(self) -> bool {
        self.end == self.start
    }
}

/// A name as written, with where it was written.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Ident {
    pub name: String,
    pub span: Span,
}

/// A whole program: its top-level items in source order.
#[derive(Clone, Debug, PartialEq)]
pub struct Program {
    pub items: Vec<Item>,
}

/// One top-level declaration.
#[derive(Clone, Debug, PartialEq)]
pub enum Item {
    Const(ConstDecl),
    Var(VarDecl),
    Object(ObjectDecl),
    Fn(FnDecl),
    Thread(ThreadDecl),
    Invariant(InvariantDecl),
    FinalAssert(FinalAssertDecl),
}

/// `const N = 3;`
#[derive(Clone, Debug, PartialEq)]
pub struct ConstDecl {
    pub name: Ident,
    pub value: Expr,
    pub span: Span,
}

/// Which storage class a variable declaration has.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum VarKind {
    Shared,
    Atomic,
    Ghost,
}

/// `shared x: int in 0..5 = 0;`, `atomic flags: [bool; N];`, `ghost g = 0;`
#[derive(Clone, Debug, PartialEq)]
pub struct VarDecl {
    pub kind: VarKind,
    pub name: Ident,
    /// The written type, if any.
    pub ty: Option<TypeExpr>,
    /// The initial value, if any (default 0 / false / all zero).
    pub init: Option<Expr>,
    pub span: Span,
}

/// A written type: `int`, `bool`, `int in 0..5`, `[int; N]`, `[int in 0..3; N]`.
#[derive(Clone, Debug, PartialEq)]
pub enum TypeExpr {
    Int {
        /// The half-open range `lo..hi` after `in`, if any.
        range: Option<(Expr, Expr)>,
        span: Span,
    },
    Bool {
        span: Span,
    },
    Array {
        elem: Box<TypeExpr>,
        len: Expr,
        span: Span,
    },
}

impl TypeExpr {
    pub fn span(&self) -> Span {
        match self {
            TypeExpr::Int { span, .. } | TypeExpr::Bool { span } | TypeExpr::Array { span, .. } => {
                *span
            }
        }
    }
}

/// The kind of a synchronization object.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ObjectKind {
    Mutex,
    RwLock,
    Semaphore,
    Condvar,
    Channel,
    Barrier,
    WaitGroup,
}

/// `mutex m;`, `fair mutex fork[N];`, `semaphore s[N] = 0;`,
/// `channel ch capacity 2;`, `barrier b = 3;`, `waitgroup wg;`
#[derive(Clone, Debug, PartialEq)]
pub struct ObjectDecl {
    pub kind: ObjectKind,
    /// Written with `fair` (only mutex, rwlock, semaphore).
    pub fair: bool,
    pub name: Ident,
    /// `[N]` after the name: an array of objects.
    pub count: Option<Expr>,
    /// `= e` (semaphore permits, barrier parties) or `capacity e` (channel).
    pub param: Option<Expr>,
    /// The span of the `fair` keyword, when written.
    pub fair_span: Option<Span>,
    pub span: Span,
}

/// `fn name(a, b) { ... }`
#[derive(Clone, Debug, PartialEq)]
pub struct FnDecl {
    pub name: Ident,
    pub params: Vec<Param>,
    pub body: Block,
    pub span: Span,
}

/// One parameter of a function, with an optional type: `a` or `a: int`.
#[derive(Clone, Debug, PartialEq)]
pub struct Param {
    pub name: Ident,
    pub ty: Option<TypeExpr>,
}

/// `thread name { ... }` or `thread name[N] { ... }`
#[derive(Clone, Debug, PartialEq)]
pub struct ThreadDecl {
    pub name: Ident,
    /// `[N]`: a group of N symmetric instances.
    pub count: Option<Expr>,
    pub body: Block,
    pub span: Span,
}

/// `invariant expr;` or `invariant "name": expr;`
#[derive(Clone, Debug, PartialEq)]
pub struct InvariantDecl {
    pub name: Option<StrLit>,
    pub cond: Expr,
    pub span: Span,
}

/// `final assert expr;` or `final assert expr, "msg";`
#[derive(Clone, Debug, PartialEq)]
pub struct FinalAssertDecl {
    pub cond: Expr,
    pub message: Option<StrLit>,
    pub span: Span,
}

/// A string literal with escapes already resolved.
#[derive(Clone, Debug, PartialEq)]
pub struct StrLit {
    pub value: String,
    pub span: Span,
}

/// `{ stmt* }`
#[derive(Clone, Debug, PartialEq)]
pub struct Block {
    pub stmts: Vec<Stmt>,
    pub span: Span,
}

/// A statement, possibly labelled (`cs: x = 1;`).
#[derive(Clone, Debug, PartialEq)]
pub struct Stmt {
    pub label: Option<Ident>,
    pub kind: StmtKind,
    /// Covers the statement without its label.
    pub span: Span,
}

/// Compound assignment operators: `+=`, `-=`, `*=`; `++` and `--` are
/// `AddAssign`/`SubAssign` with a literal 1 and `postfix = true`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CompoundOp {
    Add,
    Sub,
    Mul,
}

/// The lock mode of `with rw.read { }` / `with rw.write { }`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RwMode {
    Read,
    Write,
}

#[derive(Clone, Debug, PartialEq)]
pub enum StmtKind {
    /// `let t = e;` `let t: int = e;` `let t: [int; 3];` (init may be absent only with a type)
    Let {
        name: Ident,
        ty: Option<TypeExpr>,
        init: Option<Expr>,
    },
    /// `place = e;`
    Assign {
        target: Place,
        value: Expr,
    },
    /// `place += e;` `place -= e;` `place *= e;` `place++;` `place--;`
    /// (`++`/`--` carry `value` = literal 1 spanning the operator, and `incdec = true`)
    Compound {
        target: Place,
        op: CompoundOp,
        value: Expr,
        incdec: bool,
        /// The span of the operator (`+=`, `++`, ...).
        op_span: Span,
    },
    /// `if c { } else if c { } else { }`: the `else if` chain is nested in `else_block`.
    If {
        cond: Expr,
        then_block: Block,
        else_block: Option<Block>,
    },
    While {
        cond: Expr,
        body: Block,
    },
    Loop {
        body: Block,
    },
    /// `for i in lo..hi { }`
    ForRange {
        var: Ident,
        lo: Expr,
        hi: Expr,
        body: Block,
    },
    /// `for v in ch { }` (`channel` may be `inbox[i]`)
    ForChannel {
        var: Ident,
        channel: Place,
        body: Block,
    },
    Break,
    Continue,
    Return {
        value: Option<Expr>,
    },
    /// `with m { }` / `with fork[i] { }` / `with rw.read { }` / `with rw.write { }`
    With {
        lock: Place,
        mode: Option<RwMode>,
        body: Block,
    },
    /// `atomic { }`
    Atomic {
        body: Block,
    },
    /// `await c;`
    Await {
        cond: Expr,
    },
    /// `assert c;` / `assert c, "msg";`
    Assert {
        cond: Expr,
        message: Option<StrLit>,
    },
    Progress,
    Fence,
    /// `join(t);` / `join(t[i]);`
    Join {
        thread: Place,
    },
    /// An expression used as a statement: a method call (`m.lock();`) or a call (`f(a);`).
    Expr(Expr),
    /// A nested block `{ ... }`.
    Block(Block),
}

/// Something that names a variable, a cell or an object: `x` or `a[i]`.
#[derive(Clone, Debug, PartialEq)]
pub struct Place {
    pub name: Ident,
    /// `[i]` after the name.
    pub index: Option<Box<Expr>>,
    pub span: Span,
}

/// Unary operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum UnOp {
    Neg,
    Not,
}

/// Binary operators, in the order of LANGUAGE.md section 5 (tightest first).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BinOp {
    Mul,
    Div,
    Rem,
    Add,
    Sub,
    Lt,
    Le,
    Gt,
    Ge,
    Eq,
    Ne,
    And,
    Or,
}

impl BinOp {
    /// The operator as written.
    pub fn symbol(self) -> &'static str {
        match self {
            BinOp::Mul => "*",
            BinOp::Div => "/",
            BinOp::Rem => "%",
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Lt => "<",
            BinOp::Le => "<=",
            BinOp::Gt => ">",
            BinOp::Ge => ">=",
            BinOp::Eq => "==",
            BinOp::Ne => "!=",
            BinOp::And => "&&",
            BinOp::Or => "||",
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ExprKind {
    /// An integer literal. The parser rejects literals outside i64 with a diagnostic.
    Int(i64),
    Bool(bool),
    /// A bare name: a constant, variable, local, parameter, thread or object.
    Name(Ident),
    /// `self`
    SelfIdx,
    /// `a[i]`
    Index {
        base: Ident,
        index: Box<Expr>,
    },
    Unary {
        op: UnOp,
        operand: Box<Expr>,
    },
    Binary {
        op: BinOp,
        lhs: Box<Expr>,
        rhs: Box<Expr>,
    },
    /// `f(a, b)`
    Call {
        func: Ident,
        args: Vec<Expr>,
    },
    /// `x.method(args)` or `a[i].method(args)`
    Method {
        receiver: Place,
        method: Ident,
        args: Vec<Expr>,
    },
    /// `choose(lo..hi)`
    Choose {
        lo: Box<Expr>,
        hi: Box<Expr>,
    },
    /// `t@label` / `t[i]@label`
    At {
        thread: Place,
        label: Ident,
    },
    /// `done(t)` / `done(t[i])`
    Done {
        thread: Place,
    },
    /// `[1, 2, 3]`
    ArrayLit(Vec<Expr>),
    /// `[v; N]`
    ArrayRepeat {
        value: Box<Expr>,
        len: Box<Expr>,
    },
}
