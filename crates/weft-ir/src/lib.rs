//! The compiled state machine of a weft program.
//!
//! `weft-lower` produces a [`Program`]; `weft-explore` runs it. Nothing here
//! knows about the syntax: locations are plain byte spans into the source.
//!
//! Execution model (LANGUAGE.md section 6): each thread runs a list of
//! [`Instr`]s. Instructions are either *local* (never a scheduling point:
//! locals, jumps, `choose`, ghosts, `progress`) or *visible* (a step: a read or
//! write of a shared or atomic cell, a sync operation, `assert`, `await`,
//! `fence`, `join`, or a whole `AtomicBegin..AtomicEnd` group). A step runs the
//! local instructions in front of one visible instruction, then that
//! instruction; the code after a thread's last visible instruction runs with it.

mod display;
pub use display::*;

/// Every value at run time: ints are 64-bit, bools are 0 and 1.
pub type Value = i64;

/// A byte range into the program's source text.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SrcSpan {
    pub start: u32,
    pub end: u32,
}

impl SrcSpan {
    pub fn new(start: usize, end: usize) -> Self {
        SrcSpan {
            start: start as u32,
            end: end as u32,
        }
    }
}

/// The type of a value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Ty {
    Int,
    Bool,
}

/// Where a global variable lives and how it may be accessed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum VarKind {
    /// Plain shared: every read and write is a step, and conflicting
    /// concurrent accesses race.
    Shared,
    /// Sequentially consistent atomic: every operation is a step, never races.
    Atomic,
    /// Specification only: never a step, never races.
    Ghost,
}

/// A global variable (scalar or array); its cells are contiguous.
#[derive(Clone, Debug, PartialEq)]
pub struct Var {
    pub name: String,
    pub kind: VarKind,
    pub ty: Ty,
    /// Index of the first cell in the state (cells are numbered from 0 up to `Program::n_cells`).
    pub base: u32,
    /// Number of cells (1 for a scalar).
    pub len: u32,
    /// Declared as an array (so cells print as `name[i]`).
    pub is_array: bool,
    /// Half-open allowed range for stored values, if declared.
    pub range: Option<(Value, Value)>,
    /// Initial value of each cell.
    pub init: Vec<Value>,
    pub span: SrcSpan,
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

/// One synchronization object instance (an array `mutex fork[3]` gives three).
#[derive(Clone, Debug, PartialEq)]
pub struct Object {
    /// As users write it: `m`, `fork[1]`.
    pub name: String,
    pub kind: ObjectKind,
    /// FIFO service (`fair mutex`, `fair rwlock`, `fair semaphore`).
    pub fair: bool,
    /// Semaphore: initial permits. Channel: capacity. Barrier: parties. Others: 0.
    pub param: Value,
    pub span: SrcSpan,
}

/// A group of objects declared together (`mutex fork[N]` is one group of N).
#[derive(Clone, Debug, PartialEq)]
pub struct ObjectGroup {
    pub name: String,
    /// Index of the first object in [`Program::objects`].
    pub base: u32,
    pub len: u32,
    pub is_array: bool,
}

/// One thread instance.
#[derive(Clone, Debug, PartialEq)]
pub struct Thread {
    /// As users write it: `writer`, `inc[0]`.
    pub name: String,
    /// Index into [`Program::codes`].
    pub code: u32,
    /// The value of `self` (0 for a thread that is not in a group).
    pub index: u32,
}

/// A group of thread instances declared together (`thread inc[2]`).
#[derive(Clone, Debug, PartialEq)]
pub struct ThreadGroup {
    pub name: String,
    /// Index of the first instance in [`Program::threads`].
    pub base: u32,
    pub len: u32,
    pub is_array: bool,
}

/// A label: `name: stmt`. A thread is "at" the label while its program
/// counter is in `start..end` (inside the labelled statement's code), or in
/// one of the `more` ranges: a label inside a function has one range per
/// place the function is inlined; but not at the `trailing` local work.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Label {
    pub name: String,
    pub start: u32,
    pub end: u32,
    pub span: SrcSpan,
    /// The label's other ranges, `(start, end)` each.
    pub more: Vec<(u32, u32)>,
    /// The local work of the ranges that only a step inside them leads to
    /// (clearing temporaries, the jump out of an `if`), in order: a thread
    /// that has taken the statement's last step has left it, though that
    /// work, which runs with its next step, is still ahead of it.
    pub trailing: Vec<u32>,
}

impl Label {
    /// Is `pc` inside the label (any of its ranges, not trailing)?
    pub fn contains(&self, pc: usize) -> bool {
        self.within(pc)
            && u32::try_from(pc).map_or(true, |pc| self.trailing.binary_search(&pc).is_err())
    }

    /// Is `pc` in one of the label's ranges?
    pub fn within(&self, pc: usize) -> bool {
        let within = |(start, end): (u32, u32)| (start as usize..end as usize).contains(&pc);
        within((self.start, self.end)) || self.more.iter().any(|&r| within(r))
    }
}

/// The code of one thread declaration (shared by all instances of a group),
/// or of one specification (invariant, final assert).
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Code {
    pub name: String,
    pub instrs: Vec<Instr>,
    /// Number of local slots. Slot 0 always holds `self`.
    pub n_locals: u32,
    pub labels: Vec<Label>,
    /// Span of the whole declaration.
    pub span: SrcSpan,
}

/// An invariant: `code` is run atomically against a state and ends with a
/// [`Op::Check`] whose failure is the violation.
#[derive(Clone, Debug, PartialEq)]
pub struct Spec {
    /// `invariant "name": ...`, or the source text of the condition.
    pub name: String,
    pub message: Option<String>,
    pub code: Code,
    pub span: SrcSpan,
}

/// The whole compiled program.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Program {
    pub vars: Vec<Var>,
    /// Total number of global cells (sum of `vars[i].len`).
    pub n_cells: u32,
    pub objects: Vec<Object>,
    pub object_groups: Vec<ObjectGroup>,
    pub threads: Vec<Thread>,
    pub thread_groups: Vec<ThreadGroup>,
    pub codes: Vec<Code>,
    pub invariants: Vec<Spec>,
    pub finals: Vec<Spec>,
    /// The memory model the program runs under (`--memory-model`; not part
    /// of the source: the command line sets it after compiling).
    pub memory: Memory,
}

/// The memory model (LANGUAGE.md section 8).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Memory {
    /// Sequential consistency: every write reaches memory as it happens.
    #[default]
    Sc,
    /// Total store order (x86): each thread's plain `shared` writes wait in
    /// one first-in, first-out store buffer of at most `buffer` writes.
    Tso { buffer: u32 },
    /// Partial store order: one such buffer per thread and variable.
    Pso { buffer: u32 },
}

impl Memory {
    /// The buffer bound of a weak model (`None` under sequential
    /// consistency).
    pub fn buffer(self) -> Option<u32> {
        match self {
            Memory::Sc => None,
            Memory::Tso { buffer } | Memory::Pso { buffer } => Some(buffer),
        }
    }

    /// `sc`, `tso`, `pso`: as the command line spells it.
    pub fn name(self) -> &'static str {
        match self {
            Memory::Sc => "sc",
            Memory::Tso { .. } => "tso",
            Memory::Pso { .. } => "pso",
        }
    }
}

impl Program {
    /// Does some expression (of a thread or a specification) look at a
    /// thread's position: `t@label` or `done(t)`?
    pub fn names_positions(&self) -> bool {
        self.codes
            .iter()
            .chain(self.invariants.iter().map(|s| &s.code))
            .chain(self.finals.iter().map(|s| &s.code))
            .flat_map(|c| &c.instrs)
            .any(|i| i.op.exprs().into_iter().any(Expr::names_positions))
    }

    /// The variable that owns a cell.
    pub fn var_of_cell(&self, cell: u32) -> &Var {
        let i = self.vars.partition_point(|v| v.base + v.len <= cell);
        &self.vars[i.min(self.vars.len() - 1)]
    }

    /// The plain `shared` variables, in declaration order, with their
    /// indices in `vars`.
    pub fn plain_shared(&self) -> impl Iterator<Item = (usize, &Var)> {
        (self.vars.iter().enumerate()).filter(|(_, v)| v.kind == VarKind::Shared)
    }

    /// The cells of the plain `shared` variables, in order: under
    /// `Memory::Pso` the `b`th of them has store buffer `b` of every thread
    /// (each cell is a variable of its own, LANGUAGE.md section 3).
    pub fn plain_shared_cells(&self) -> impl Iterator<Item = u32> + '_ {
        self.plain_shared()
            .flat_map(|(_, v)| v.base..v.base + v.len)
    }

    /// A cell as users write it: `counter`, `buf[1]`.
    pub fn cell_name(&self, cell: u32) -> String {
        let v = self.var_of_cell(cell);
        if v.is_array {
            format!("{}[{}]", v.name, cell - v.base)
        } else {
            v.name.clone()
        }
    }
}

/// Unary operators over values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum UnOp {
    Neg,
    Not,
}

/// Binary operators over values. `And`/`Or` here are strict (both sides are
/// pure); short-circuit evaluation of sides with steps is lowered to jumps.
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

/// A pure expression over constants and the thread's locals (and, in
/// specifications, thread positions). Reading a global is an instruction
/// ([`Op::Read`]), never an expression.
#[derive(Clone, Debug, PartialEq)]
pub enum Expr {
    Const(Value),
    Local(u32),
    /// Element `idx` of the local array in slots `base..base+len`.
    LocalIdx {
        base: u32,
        len: u32,
        idx: Box<Expr>,
        span: SrcSpan,
    },
    Unary(UnOp, Box<Expr>, SrcSpan),
    /// The span is where a runtime error (overflow, division by zero) points.
    Binary(BinOp, Box<Expr>, Box<Expr>, SrcSpan),
    /// `t@label`: the thread's program counter is inside the label's range.
    At {
        thread: ThreadRef,
        label: u32,
    },
    /// `done(t)`.
    Done(ThreadRef),
}

impl Expr {
    /// Does this expression look at a thread's position (`t@label`,
    /// `done(t)`)?
    pub fn names_positions(&self) -> bool {
        match self {
            Expr::Const(_) | Expr::Local(_) => false,
            Expr::LocalIdx { idx, .. } | Expr::Unary(_, idx, _) => idx.names_positions(),
            Expr::Binary(_, a, b, _) => a.names_positions() || b.names_positions(),
            Expr::At { .. } | Expr::Done(_) => true,
        }
    }
}

/// A thread named in an expression.
#[derive(Clone, Debug, PartialEq)]
pub enum ThreadRef {
    Fixed(u32),
    /// Instance `idx` of a thread group.
    Group {
        group: u32,
        idx: Box<Expr>,
        span: SrcSpan,
    },
}

/// A global cell named in an instruction: a scalar, or `a[idx]`.
#[derive(Clone, Debug, PartialEq)]
pub struct CellRef {
    pub var: u32,
    /// Present for array elements; checked against the array length at run time.
    pub idx: Option<Expr>,
}

/// Whether a written value may come from an earlier read of the cell it
/// writes, as the lowering's taint analysis sees it (the lost-update
/// check).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum FromRead {
    /// From no read of the written variable.
    #[default]
    No,
    /// From a read that may be of the written cell.
    Yes,
    /// The write's index is known only at run time, and the reads of the
    /// array the value may come from are of these elements, at constant
    /// indices: from a read of the written cell when it is one of them.
    Elements(Box<[u32]>),
}

impl FromRead {
    /// Whether a write of the element `element` gives (0 for a scalar;
    /// asked only of [`FromRead::Elements`]) comes from a read of it.
    #[inline]
    pub fn of(&self, element: impl FnOnce() -> u32) -> bool {
        match self {
            FromRead::No => false,
            FromRead::Yes => true,
            FromRead::Elements(elements) => elements.contains(&element()),
        }
    }

    /// Whether the value may come from a read of the written variable.
    pub fn any(&self) -> bool {
        *self != FromRead::No
    }
}

/// A sync object named in an instruction: `m`, or `fork[idx]` of a group.
#[derive(Clone, Debug, PartialEq)]
pub enum ObjRef {
    Fixed(u32),
    Group { group: u32, idx: Expr },
}

/// Read-modify-write operations on atomics.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Rmw {
    Add,
    Sub,
    Swap,
}

/// One instruction, with the source span it came from.
#[derive(Clone, Debug, PartialEq)]
pub struct Instr {
    pub op: Op,
    pub span: SrcSpan,
}

/// The instruction set. Comments say which are steps.
#[derive(Clone, Debug, PartialEq)]
pub enum Op {
    // ---- local: never a step of their own ----
    /// `dst = value` (checked against `range` if present).
    Set {
        dst: u32,
        value: Expr,
        range: Option<(Value, Value)>,
    },
    /// `local_array[idx] = value`.
    SetIdx {
        base: u32,
        len: u32,
        idx: Expr,
        value: Expr,
        range: Option<(Value, Value)>,
    },
    /// Reset locals `from..to` to 0 (end of their scope), so states that differ
    /// only in dead locals are one state.
    Clear {
        from: u32,
        to: u32,
    },
    Jump(u32),
    /// Jump to `target` when `cond` is false.
    JumpIfNot {
        cond: Expr,
        target: u32,
    },
    /// `dst = choose(lo..hi)`: one branch of the search per value.
    Choose {
        dst: u32,
        lo: Expr,
        hi: Expr,
    },
    /// `progress;`
    Progress,
    /// Evaluate and fail the branch with `assertion`-style `Check` failure
    /// (used by specification code; in threads `Assert` is used instead).
    Check {
        cond: Expr,
        message: Option<String>,
    },

    // ---- steps (for ghost variables, Read/Write are local) ----
    /// Read a cell into a local. `racy` is false for reads in `assert`
    /// conditions, which never race.
    Read {
        dst: u32,
        cell: CellRef,
        racy: bool,
        /// The value read may flow into a write of the same cell by this
        /// thread: the lost-update check keeps track of this read (set by
        /// the lowering's taint analysis; a read that only decides a branch,
        /// or whose value goes elsewhere, leaves the check as it was).
        tracked: bool,
    },
    /// Write a cell. `from_read`: whether the lowering saw that `value`
    /// depends on an earlier read of the same cell in this thread
    /// (lost-update check).
    Write {
        cell: CellRef,
        value: Expr,
        from_read: FromRead,
        /// A write from a read (`from_read`) after which the thread may
        /// still write the cell again with a value computed from a read of
        /// it made before this write (`let t = c; c = t + 1; ...;
        /// c = t + 2;`, or `let t = c; c += 1; ...; c = t + 5;`): the check
        /// keeps remembering the read, so that another thread's write in
        /// between makes the later write a lost update. Otherwise the write
        /// is done with the read. Set by the lowering's taint analysis.
        keeps_read: bool,
    },
    /// Atomic read-modify-write; `dst` receives the old value.
    Rmw {
        dst: Option<u32>,
        cell: CellRef,
        op: Rmw,
        value: Expr,
    },
    /// Atomic compare-and-swap; `dst` receives whether it swapped.
    Cas {
        dst: Option<u32>,
        cell: CellRef,
        expected: Expr,
        new: Expr,
    },
    /// Start of an indivisible group (`atomic {}`, `assert`, `await`):
    /// everything up to the matching `AtomicEnd` is one step. `block`: the
    /// group is an `atomic { }` block, which acts as a lock operation
    /// under a weak memory model (it drains the thread's store buffers);
    /// the group of an `assert` or `await` does not.
    AtomicBegin {
        block: bool,
    },
    AtomicEnd,
    /// `assert cond, message`.
    Assert {
        cond: Expr,
        message: Option<String>,
    },
    /// The step can only be taken when `cond` holds (inside an atomic group
    /// whose reads computed it).
    Await {
        cond: Expr,
    },
    Fence,
    Join {
        thread: ThreadRef,
    },

    Lock {
        obj: ObjRef,
    },
    /// Fair mutex: wait for a FIFO grant after having queued.
    LockGrant {
        obj: ObjRef,
    },
    Unlock {
        obj: ObjRef,
    },
    TryLock {
        dst: Option<u32>,
        obj: ObjRef,
    },

    ReadLock {
        obj: ObjRef,
    },
    WriteLock {
        obj: ObjRef,
    },
    /// Fair rwlock: wait for a FIFO grant after having queued.
    RwGrant {
        obj: ObjRef,
    },
    ReadUnlock {
        obj: ObjRef,
    },
    WriteUnlock {
        obj: ObjRef,
    },

    Acquire {
        obj: ObjRef,
    },
    /// Fair semaphore: wait for a FIFO grant after having queued.
    AcquireGrant {
        obj: ObjRef,
    },
    Release {
        obj: ObjRef,
    },
    TryAcquire {
        dst: Option<u32>,
        obj: ObjRef,
    },

    /// `cv.wait(m)`, first half: release `m`, join the waiters.
    CvWait {
        cv: ObjRef,
        mutex: ObjRef,
    },
    /// `cv.wait(m)`, second half: once notified, re-lock `m`.
    CvRelock {
        cv: ObjRef,
        mutex: ObjRef,
    },
    Notify {
        cv: ObjRef,
        all: bool,
    },

    Send {
        ch: ObjRef,
        value: Expr,
    },
    /// Rendezvous (capacity 0): wait until a receiver has taken our value.
    SendWait {
        ch: ObjRef,
    },
    Recv {
        dst: Option<u32>,
        ch: ObjRef,
    },
    /// `for v in ch`: receive into `dst`, or jump to `end` once the channel is
    /// closed and drained.
    RecvOrEnd {
        dst: u32,
        ch: ObjRef,
        end: u32,
    },
    Close {
        ch: ObjRef,
    },

    /// `b.wait()`, first half: arrive (the last arrival releases everyone).
    BarrierArrive {
        obj: ObjRef,
    },
    /// `b.wait()`, second half: wait until released.
    BarrierLeave {
        obj: ObjRef,
    },

    WgAdd {
        obj: ObjRef,
        value: Expr,
    },
    WgDone {
        obj: ObjRef,
    },
    WgWait {
        obj: ObjRef,
    },
}

impl Op {
    /// Local work: an instruction on the thread's own locals and position
    /// only (no step of its own; it runs with the step after it).
    /// A `choose` and a range `check` are not visible either, but they
    /// are not local work: one branches, the other may fail.
    pub fn is_local_work(&self) -> bool {
        !self.is_visible() && !matches!(self, Op::Choose { .. } | Op::Check { .. })
    }

    /// The sync objects this instruction names.
    pub fn objects(&self) -> Vec<&ObjRef> {
        match self {
            Op::Lock { obj }
            | Op::LockGrant { obj }
            | Op::Unlock { obj }
            | Op::TryLock { obj, .. }
            | Op::ReadLock { obj }
            | Op::WriteLock { obj }
            | Op::RwGrant { obj }
            | Op::ReadUnlock { obj }
            | Op::WriteUnlock { obj }
            | Op::Acquire { obj }
            | Op::AcquireGrant { obj }
            | Op::Release { obj }
            | Op::TryAcquire { obj, .. }
            | Op::BarrierArrive { obj }
            | Op::BarrierLeave { obj }
            | Op::WgAdd { obj, .. }
            | Op::WgDone { obj }
            | Op::WgWait { obj } => vec![obj],
            Op::CvWait { cv, mutex } | Op::CvRelock { cv, mutex } => vec![cv, mutex],
            Op::Notify { cv, .. } => vec![cv],
            Op::Send { ch, .. }
            | Op::SendWait { ch }
            | Op::Recv { ch, .. }
            | Op::RecvOrEnd { ch, .. }
            | Op::Close { ch } => vec![ch],
            _ => Vec::new(),
        }
    }

    /// The expressions this instruction evaluates for their values (the
    /// indices of cells, objects and threads apart).
    pub fn values(&self) -> Vec<&Expr> {
        match self {
            Op::Set { value, .. } | Op::Send { value, .. } | Op::WgAdd { value, .. } => {
                vec![value]
            }
            Op::SetIdx { idx, value, .. } => vec![idx, value],
            Op::JumpIfNot { cond, .. }
            | Op::Check { cond, .. }
            | Op::Assert { cond, .. }
            | Op::Await { cond } => vec![cond],
            Op::Choose { lo, hi, .. } => vec![lo, hi],
            Op::Write { value, .. } | Op::Rmw { value, .. } => vec![value],
            Op::Cas { expected, new, .. } => vec![expected, new],
            _ => Vec::new(),
        }
    }

    /// Every expression of this instruction, indices of cells, objects
    /// and threads included.
    pub fn exprs(&self) -> Vec<&Expr> {
        let mut out = self.values();
        if let Op::Join {
            thread: ThreadRef::Group { idx, .. },
        } = self
        {
            out.push(idx);
        }
        if let Op::Read { cell, .. }
        | Op::Write { cell, .. }
        | Op::Rmw { cell, .. }
        | Op::Cas { cell, .. } = self
        {
            out.extend(cell.idx.as_ref());
        }
        for o in self.objects() {
            if let ObjRef::Group { idx, .. } = o {
                out.push(idx);
            }
        }
        out
    }

    /// True when this instruction is (part of) a step; false for local work.
    /// Reads and writes of ghost cells are local too: see [`Program`] to tell.
    pub fn is_visible(&self) -> bool {
        !matches!(
            self,
            Op::Set { .. }
                | Op::SetIdx { .. }
                | Op::Clear { .. }
                | Op::Jump(_)
                | Op::JumpIfNot { .. }
                | Op::Choose { .. }
                | Op::Progress
                | Op::Check { .. }
        )
    }
}
