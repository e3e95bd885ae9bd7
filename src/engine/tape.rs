//! The compiled form of an expression: a flat instruction tape.
//!
//! [`compile`] walks the tree exactly as the evaluator in [`crate::engine::eval`]
//! would, inlining user functions, folding constants and sharing common
//! subexpressions, and records one [`Instr`] per distinct operation in the
//! order the tree walk would first meet it. [`Tape::eval`] then runs it over
//! any [`Scalar`] (`f64`, the duals, Taylor series) with the same built-in
//! rules, so values, gradients, Hessians and warnings come out as the tree
//! walk's. The reverse sweep and the Hessian-vector products over the same
//! tape live in [`crate::engine::reverse`].
//!
//! Whatever the tree walk would report as an error (an unknown name, a wrong
//! arity, a limit) is not compiled: [`compile`] answers `None` and the caller
//! uses the tree walk, which then reports it with its usual message. The tree
//! walk stays the reference: the tests compare the two.

use crate::builtins::{self, BuiltinId};
use crate::engine::eval::{Budget, Defs, Evaluator, Function, MAX_EVAL_DEPTH};
use crate::error::Error;
use crate::limits;
use crate::num::{Note, Scalar};
use crate::syntax::{BinOp, Expr, ExprKind, Span, UnOp};
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

/// Most tree nodes the compiler walks (counting every inlined body again)
/// before it gives up and leaves the expression to the tree walk; well below
/// [`limits::MAX_EVAL_STEPS`], so a compiled tape never meets the step limit
/// the tree walk would not have met.
pub const MAX_COMPILE_VISITS: u64 = 2_000_000;

/// From this many tree nodes walked on, the compiler also compares the
/// inlined size with the source's: nested user functions that call each
/// other twice (`f2(x) = f1(f1(x))`, …) inline to a tape exponentially larger
/// than what was written, and such an expression keeps the tree walk, which
/// needs no memory for the expansion (compiling functions as subroutines
/// instead of inlining them would lift this).
pub const INLINE_CHECK_VISITS: u64 = 100_000;

/// Most times larger than its source (the expression and the bodies of the
/// functions it reaches) an inlined tape may be walked.
pub const MAX_INLINE_GROWTH: u64 = 64;

/// How often (in instructions) the evaluation looks at the Ctrl-C flag.
const CANCEL_EVERY: usize = 4096;

/// One operation.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Op {
    /// A constant (a literal, a session variable, a folded subexpression).
    Const(f64),
    /// The `i`-th input variable.
    Var(u32),
    /// `-a`
    Neg,
    /// `a + b`
    Add,
    /// `a - b`
    Sub,
    /// `a * b`
    Mul,
    /// `a / b`
    Div,
    /// `a ^ b`, through [`builtins::pow`].
    Pow,
    /// `a ^ k` for a constant integer `k` with `|k| ≤ 16`: the same rule as
    /// [`Op::Pow`], with a fast path for plain values.
    PowI(i8),
    /// A built-in applied to its one or two arguments.
    Call(BuiltinId),
    /// `f⁽ᵖ⁾(a)` for a one-argument built-in `f` and `p` primes.
    Deriv(BuiltinId, u8),
}

impl Op {
    /// True for the operations that can emit a warning.
    pub fn notes(self) -> bool {
        matches!(
            self,
            Op::Div | Op::Pow | Op::PowI(_) | Op::Call(_) | Op::Deriv(..)
        )
    }
}

/// One instruction: an operation on earlier instructions' results.
#[derive(Clone, Copy, Debug)]
pub struct Instr {
    /// What it computes.
    pub op: Op,
    /// Its arguments, as indices of earlier instructions (unused ones are 0).
    pub args: [u32; 2],
    /// How many arguments it takes.
    pub nargs: u8,
    /// Where its warnings point: an index into [`Tape::sites`].
    pub site: u32,
    /// Which slot of the evaluation's scratch space holds its result.
    pub slot: u32,
    /// The slots its arguments are read from.
    pub arg_slots: [u32; 2],
}

/// Where a warning points and, inside a user function, which function.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Site {
    /// The span: the node's own, or the outermost user call's.
    pub span: Span,
    /// The outermost user function being evaluated, if any.
    pub func: Option<String>,
}

/// A compiled expression.
#[derive(Debug)]
pub struct Tape {
    /// The instructions in evaluation order (the variables first).
    pub instrs: Vec<Instr>,
    /// Which instruction is the result (the last one, unless the result is
    /// an input variable).
    pub result: u32,
    /// Number of input variables.
    pub nvars: usize,
    /// Warning sites.
    pub sites: Vec<Site>,
    /// Operations the tree walk would have counted.
    pub steps: u64,
    /// Size of the scratch space (values alive at once).
    pub nslots: usize,
    /// Per instruction: does it depend on an input variable?
    pub active: Vec<bool>,
    /// The Hessian's sparsity and colouring, found on first use.
    pub(crate) sparsity: std::sync::OnceLock<crate::engine::cache::Sparsity>,
    /// The reverse sweep's scratch space, kept between calls.
    pub(crate) scratch: std::cell::RefCell<crate::engine::cache::Scratch>,
}

/// Compiles `expr` with `vars` as its input variables, in order, on top of
/// `defs`; `None` where the tree walk would report an error or the
/// expression is out of the compiler's reach (`f'(x)` of a user function),
/// so the caller evaluates it with the tree walk instead.
pub fn compile(defs: &Defs, expr: &Expr, vars: &[&str]) -> Option<Tape> {
    let mut c = Compiler {
        defs,
        root: expr,
        instrs: Vec::new(),
        memo: HashMap::new(),
        sites: Vec::new(),
        site_ids: HashMap::new(),
        func_ids: HashMap::new(),
        visits: 0,
        depth: 0,
        calls: 0,
        call_site: None,
    };
    let mut scope: Vec<(&str, u32)> = Vec::with_capacity(vars.len());
    for (i, v) in vars.iter().enumerate() {
        let k = c.push(Op::Var(i as u32), [0, 0], 0, Span::default())?;
        scope.push((v, k));
    }
    let root = c.expr(expr, &scope)?;
    Some(finish(c, root, vars.len()))
}

/// Key for sharing common subexpressions: the operation (constants by bit
/// pattern), its arguments, and for the operations that warn the function
/// context (the warning text says "(in f)").
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
struct Key {
    /// Which operation.
    which: std::mem::Discriminant<Op>,
    /// Its operand inside the instruction: a constant's bits, a variable's
    /// index, an exponent, a number of primes.
    bits: u64,
    builtin: Option<BuiltinId>,
    args: [u32; 2],
    ctx: u32,
}

/// The parts of an operation that [`Key`] compares: `f64` is not `Eq`, so
/// a constant is compared by its bit pattern.
fn op_bits(op: Op) -> (u64, Option<BuiltinId>) {
    match op {
        Op::Const(c) => (c.to_bits(), None),
        Op::Var(i) => (u64::from(i), None),
        Op::PowI(k) => (k as u64, None),
        Op::Call(id) => (0, Some(id)),
        Op::Deriv(id, p) => (u64::from(p), Some(id)),
        Op::Neg | Op::Add | Op::Sub | Op::Mul | Op::Div | Op::Pow => (0, None),
    }
}

struct Compiler<'a> {
    defs: &'a Defs,
    /// The expression being compiled.
    root: &'a Expr,
    instrs: Vec<Instr>,
    memo: HashMap<Key, u32>,
    sites: Vec<Site>,
    site_ids: HashMap<Site, u32>,
    func_ids: HashMap<String, u32>,
    visits: u64,
    depth: usize,
    calls: usize,
    /// As in the evaluator: the outermost user call, where warnings point.
    call_site: Option<(Span, String)>,
}

impl<'a> Compiler<'a> {
    /// Nodes in the expression being compiled and in the bodies of the user
    /// functions it can reach, each counted once.
    fn source_size(&self) -> u64 {
        let mut seen: Vec<&str> = Vec::new();
        let mut todo: Vec<&Expr> = vec![self.root];
        let mut size = 0u64;
        while let Some(e) = todo.pop() {
            size += 1;
            match &e.kind {
                ExprKind::Num(_) | ExprKind::Name(_) | ExprKind::FuncRef { .. } => {}
                ExprKind::Unary(_, a) => todo.push(a),
                ExprKind::Array(_) | ExprKind::Index { .. } => {}
                ExprKind::Binary { lhs, rhs, .. } => {
                    todo.push(lhs);
                    todo.push(rhs);
                }
                ExprKind::Call { func, args, .. } => {
                    todo.extend(args.iter());
                    if let Some((name, f)) = self.defs.funcs.get_key_value(&func.name)
                        && !seen.contains(&name.as_str())
                    {
                        seen.push(name);
                        todo.push(&f.body);
                    }
                }
            }
        }
        size
    }

    fn site(&mut self, span: Span) -> u32 {
        let site = match &self.call_site {
            Some((s, f)) => Site {
                span: *s,
                func: Some(f.clone()),
            },
            None => Site { span, func: None },
        };
        if let Some(&k) = self.site_ids.get(&site) {
            return k;
        }
        let k = self.sites.len() as u32;
        self.sites.push(site.clone());
        self.site_ids.insert(site, k);
        k
    }

    /// Context for the sharing key: which function's name a warning carries.
    fn ctx(&mut self) -> u32 {
        match &self.call_site {
            None => 0,
            Some((_, f)) => {
                let next = self.func_ids.len() as u32 + 1;
                *self.func_ids.entry(f.clone()).or_insert(next)
            }
        }
    }

    /// Appends `op` (or finds it already there, or folds it to a constant).
    fn push(&mut self, op: Op, args: [u32; 2], nargs: u8, span: Span) -> Option<u32> {
        let args = if nargs < 2 { [args[0], 0] } else { args };
        let args = if nargs == 0 { [0, 0] } else { args };
        // Fold an operation on constants, unless it warns (a warning must be
        // given at every evaluation).
        if !matches!(op, Op::Const(_) | Op::Var(_)) {
            let a = self.constant(args[0]);
            let b = if nargs == 2 {
                self.constant(args[1])
            } else {
                a
            };
            if let (Some(a), Some(b)) = (a, b) {
                let mut notes = Vec::new();
                let v = exec(op, nargs, &a, &b, &mut notes);
                // Only finite results: an infinite constant feeds NaN into
                // the duals' derivative parts in the tree walk (inf·0), and
                // the tape must give the same.
                if notes.is_empty() && v.is_finite() {
                    return self.push(Op::Const(v), [0, 0], 0, span);
                }
            }
        }
        let ctx = if op.notes() { self.ctx() } else { 0 };
        let (bits, builtin) = op_bits(op);
        let key = Key {
            which: std::mem::discriminant(&op),
            bits,
            builtin,
            args,
            ctx,
        };
        if let Some(&k) = self.memo.get(&key) {
            return Some(k);
        }
        let site = if op.notes() { self.site(span) } else { 0 };
        let k = self.instrs.len() as u32;
        self.instrs.push(Instr {
            op,
            args,
            nargs,
            site,
            slot: 0,
            arg_slots: [0, 0],
        });
        self.memo.insert(key, k);
        Some(k)
    }

    fn constant(&self, k: u32) -> Option<f64> {
        match self.instrs[k as usize].op {
            Op::Const(c) => Some(c),
            _ => None,
        }
    }

    fn expr(&mut self, e: &Expr, scope: &[(&str, u32)]) -> Option<u32> {
        // The same counting as the evaluator's `eval_inner`.
        self.visit()?;
        self.depth += 1;
        if self.depth > MAX_EVAL_DEPTH {
            return None;
        }
        let r = self.node(e, scope);
        self.depth -= 1;
        r
    }

    /// Counts one node visited; `None` past the compile limits.
    fn visit(&mut self) -> Option<()> {
        self.visits += 1;
        if self.visits > MAX_COMPILE_VISITS {
            return None;
        }
        if self.visits == INLINE_CHECK_VISITS
            && self.visits > MAX_INLINE_GROWTH * self.source_size()
        {
            return None;
        }
        Some(())
    }

    fn binary(&mut self, op: BinOp, a: u32, b: u32, span: Span) -> Option<u32> {
        let op = match op {
            BinOp::Add => Op::Add,
            BinOp::Sub => Op::Sub,
            BinOp::Mul => Op::Mul,
            BinOp::Div => Op::Div,
            BinOp::MatMul => return None,
            BinOp::Pow => match self.constant(b) {
                Some(k) if k.fract() == 0.0 && k.abs() <= 16.0 => {
                    return self.push(Op::PowI(k as i8), [a, 0], 1, span);
                }
                _ => Op::Pow,
            },
        };
        self.push(op, [a, b], 2, span)
    }

    fn node(&mut self, e: &Expr, scope: &[(&str, u32)]) -> Option<u32> {
        match &e.kind {
            ExprKind::Num(v) => self.push(Op::Const(*v), [0, 0], 0, e.span),
            ExprKind::Name(n) => {
                if let Some((_, k)) = scope.iter().rev().find(|(s, _)| *s == n) {
                    return Some(*k);
                }
                let v = self.defs.value(n)?;
                self.push(Op::Const(v), [0, 0], 0, e.span)
            }
            ExprKind::FuncRef { .. } | ExprKind::Array(_) | ExprKind::Index { .. } => None,
            ExprKind::Unary(op, a) => {
                let a = self.expr(a, scope)?;
                match op {
                    UnOp::Neg => self.push(Op::Neg, [a, 0], 1, e.span),
                    UnOp::Plus => Some(a),
                }
            }
            ExprKind::Binary { .. } => self.chain(e, scope),
            ExprKind::Call { func, primes, args } => {
                let primes = *primes as usize;
                if let Some(f) = self.defs.funcs.get(&func.name) {
                    return self.user_call(e.span, &func.name, f, primes, args, scope);
                }
                self.builtin_call(e.span, &func.name, primes, args, scope)
            }
        }
    }

    /// A chain of binary operators: as in the tree walk, a loop down the
    /// left side.
    fn chain(&mut self, e: &Expr, scope: &[(&str, u32)]) -> Option<u32> {
        let (spine, leaf) = e.left_spine();
        let mut a = self.expr(leaf, scope)?;
        for (k, node) in spine.iter().rev().enumerate() {
            if k + 1 < spine.len() {
                self.visit()?;
            }
            let ExprKind::Binary { op, rhs, .. } = &node.kind else {
                return None;
            };
            let b = self.expr(rhs, scope)?;
            a = self.binary(*op, a, b, node.span)?;
        }
        Some(a)
    }

    /// A call of a user function: its body compiled in place, with the
    /// parameters bound to the arguments' slots.
    fn user_call(
        &mut self,
        span: Span,
        name: &str,
        f: &'a Function,
        primes: usize,
        args: &[Expr],
        scope: &[(&str, u32)],
    ) -> Option<u32> {
        // `f'(x)` of a user function goes through Taylor series in the tree
        // walk; it is left there.
        if primes > 0 || args.len() != f.params.len() {
            return None;
        }
        let mut ks = Vec::with_capacity(args.len());
        for a in args {
            ks.push(self.expr(a, scope)?);
        }
        self.calls += 1;
        if self.calls > limits::MAX_CALL_DEPTH {
            return None;
        }
        let outermost = self.call_site.is_none();
        if outermost {
            self.call_site = Some((span, name.to_string()));
        }
        let inner: Vec<(&str, u32)> = f.params.iter().map(String::as_str).zip(ks).collect();
        let r = self.expr(&f.body, &inner);
        if outermost {
            self.call_site = None;
        }
        self.calls -= 1;
        r
    }

    /// A call of a built-in, or of its derivative `sin''(x)`.
    fn builtin_call(
        &mut self,
        span: Span,
        name: &str,
        primes: usize,
        args: &[Expr],
        scope: &[(&str, u32)],
    ) -> Option<u32> {
        let b = builtins::lookup(name)?;
        if primes > 0 {
            // Within the order limit for every number type, and a function
            // of one argument; otherwise the tree walk says why.
            if args.len() != 1
                || b.min_args > 1
                || b.max_args < 1
                || primes + 2 > limits::MAX_ORDER
                || builtins::series(b.id, 0.0, 0, &mut Vec::new()).is_none()
            {
                return None;
            }
            let a = self.expr(&args[0], scope)?;
            return self.push(Op::Deriv(b.id, primes as u8), [a, 0], 1, span);
        }
        if args.len() < b.min_args || args.len() > b.max_args {
            return None;
        }
        let mut ks = [0u32; 2];
        for (slot, a) in ks.iter_mut().zip(args) {
            *slot = self.expr(a, scope)?;
        }
        self.push(Op::Call(b.id), ks, args.len() as u8, span)
    }
}

/// Drops what nothing uses (constants left behind by folding), renumbers,
/// and gives each instruction a scratch slot, reusing the slots of values
/// that are no longer needed.
fn finish(c: Compiler<'_>, root: u32, nvars: usize) -> Tape {
    let Compiler {
        instrs,
        sites,
        visits,
        ..
    } = c;
    let m = instrs.len();
    let mut live = vec![false; m];
    live[root as usize] = true;
    for k in (0..m).rev() {
        if live[k] {
            let ins = &instrs[k];
            for &a in &ins.args[..ins.nargs as usize] {
                live[a as usize] = true;
            }
        }
    }
    // Every variable keeps its instruction, so input i is always there.
    for (k, ins) in instrs.iter().enumerate() {
        if matches!(ins.op, Op::Var(_)) {
            live[k] = true;
        }
    }
    let mut new_index = vec![u32::MAX; m];
    let mut out: Vec<Instr> = Vec::with_capacity(m);
    for (k, ins) in instrs.iter().enumerate() {
        if live[k] {
            new_index[k] = out.len() as u32;
            let mut ins = *ins;
            for a in &mut ins.args[..ins.nargs as usize] {
                *a = new_index[*a as usize];
            }
            out.push(ins);
        }
    }
    let result = new_index[root as usize];
    let active = activity(&out);
    let nslots = assign_slots(&mut out, result);
    Tape {
        instrs: out,
        result,
        nvars,
        sites,
        steps: visits,
        nslots,
        active,
        sparsity: std::sync::OnceLock::new(),
        scratch: Default::default(),
    }
}

fn activity(instrs: &[Instr]) -> Vec<bool> {
    let mut active = vec![false; instrs.len()];
    for (k, ins) in instrs.iter().enumerate() {
        active[k] = match ins.op {
            Op::Var(_) => true,
            Op::Const(_) => false,
            _ => ins.args[..ins.nargs as usize]
                .iter()
                .any(|&a| active[a as usize]),
        };
    }
    active
}

/// Linear-scan slot allocation: a value's slot is free after its last use.
fn assign_slots(instrs: &mut [Instr], result: u32) -> usize {
    let m = instrs.len();
    let mut last = vec![0usize; m];
    for (k, ins) in instrs.iter().enumerate() {
        last[k] = k;
        for &a in &ins.args[..ins.nargs as usize] {
            last[a as usize] = k;
        }
    }
    // The result is read after the end.
    last[result as usize] = m;
    let mut free: Vec<u32> = Vec::new();
    let mut nslots = 0u32;
    let mut slot_of = vec![0u32; m];
    for k in 0..m {
        // Arguments whose last use is this instruction free their slots
        // after it has read them; the result may take one of them.
        let s = free.pop().unwrap_or_else(|| {
            nslots += 1;
            nslots - 1
        });
        slot_of[k] = s;
        let ins = instrs[k];
        let mut seen = [u32::MAX; 2];
        for (j, &a) in ins.args[..ins.nargs as usize].iter().enumerate() {
            if last[a as usize] == k && !seen.contains(&a) {
                free.push(slot_of[a as usize]);
            }
            seen[j] = a;
        }
        if last[k] == k {
            // Never read: its slot is free at once.
            free.push(s);
        }
        instrs[k].slot = s;
        instrs[k].arg_slots = ins.args.map(|a| slot_of[a as usize]);
    }
    nslots as usize
}

/// Runs one operation over any number type: the arithmetic of [`Scalar`]
/// and the rules of [`builtins`], exactly as the tree walk applies them.
pub fn exec<S: Scalar>(op: Op, nargs: u8, a: &S, b: &S, notes: &mut Vec<Note>) -> S {
    match op {
        Op::Const(c) => a.constant(c),
        // A variable is fed in by the caller; here it only keeps the shape.
        Op::Var(_) => a.clone(),
        Op::Neg => a.neg(),
        Op::Add => a.add(b),
        Op::Sub => a.sub(b),
        Op::Mul => a.mul(b),
        Op::Div => {
            builtins::division_note(b.value(), notes);
            a.div(b)
        }
        Op::Pow => {
            let (x, y) = (a.value(), b.value());
            if a.order() == 0 && x > 0.0 && !y.is_nan() {
                // A plain value: `pow` gives powr(x, y) (its series' first
                // term is 1·powr), never NaN for x > 0: no note.
                a.constant(builtins::powr(x, y))
            } else {
                builtins::pow(a, b, notes)
            }
        }
        Op::PowI(k) => {
            // What `pow` does with a constant exponent, without building the
            // series: a constant base gives powr(a, k) (the series' first
            // term is 1·powr; an integer power is never NaN unless the
            // number is, so no note); otherwise the same coefficients,
            // where they are finite (no note either), for the number types
            // that read no further than c2.
            if a.order() <= 2 {
                if a.is_constant() {
                    return a.constant(builtins::powi(a.value(), k));
                }
                if let Some((v, c1, c2)) = builtins::powi_local(a.value(), k) {
                    return a.compose(&[v, c1, c2]);
                }
            }
            builtins::pow(a, &a.constant(k as f64), notes)
        }
        Op::Call(id) => {
            if a.order() == 0
                && nargs == 1
                && let Some(v) = builtins::plain_value(id, a.value())
            {
                return a.constant(v);
            }
            if nargs == 2 {
                builtins::apply(id, &[a.clone(), b.clone()], notes)
            } else {
                builtins::apply(id, std::slice::from_ref(a), notes)
            }
        }
        Op::Deriv(id, p) => {
            builtins::derivative(id, p as usize, a, notes).unwrap_or_else(|| a.constant(f64::NAN))
        }
    }
}

impl Tape {
    /// Records the notes an instruction raised (and empties `notes`) at its
    /// site, as the tree walk does.
    #[inline]
    pub(crate) fn warn(&self, budget: &mut Budget, ins: &Instr, notes: &mut Vec<Note>) {
        if notes.is_empty() {
            return;
        }
        let site = &self.sites[ins.site as usize];
        for n in notes.drain(..) {
            budget.record(n.message, site.func.as_deref(), site.span);
        }
    }
}

impl Tape {
    /// Evaluates over `S`: `inputs[i]` is variable `i`, `proto` a constant
    /// of the right shape. Warnings go to `budget`, as in the tree walk.
    pub fn eval<S: Scalar>(
        &self,
        inputs: &[S],
        proto: &S,
        budget: &mut Budget,
    ) -> Result<S, Error> {
        let mut slots = Vec::new();
        self.eval_with(inputs, proto, budget, &mut slots)
    }

    /// [`Tape::eval`] reusing `slots` as scratch space between calls.
    pub fn eval_with<S: Scalar>(
        &self,
        inputs: &[S],
        proto: &S,
        budget: &mut Budget,
        slots: &mut Vec<S>,
    ) -> Result<S, Error> {
        if slots.len() < self.nslots {
            slots.resize(self.nslots, proto.constant(0.0));
        }
        self.eval_in(inputs, proto, budget, slots)
    }

    /// [`Tape::eval`] with `slots` (at least [`Tape::nslots`] long) as
    /// scratch space, e.g. an array on the stack.
    pub fn eval_in<S: Scalar>(
        &self,
        inputs: &[S],
        proto: &S,
        budget: &mut Budget,
        slots: &mut [S],
    ) -> Result<S, Error> {
        budget.charge(self.steps)?;
        let mut notes = Vec::new();
        for (k, ins) in self.instrs.iter().enumerate() {
            if k % CANCEL_EVERY == CANCEL_EVERY - 1 {
                budget.check_cancel()?;
            }
            let a = &slots[ins.arg_slots[0] as usize];
            let v = match ins.op {
                Op::Const(c) => proto.constant(c),
                Op::Var(i) => inputs[i as usize].clone(),
                Op::Neg => a.neg(),
                Op::Add => a.add(&slots[ins.arg_slots[1] as usize]),
                Op::Sub => a.sub(&slots[ins.arg_slots[1] as usize]),
                Op::Mul => a.mul(&slots[ins.arg_slots[1] as usize]),
                op => {
                    let b = &slots[ins.arg_slots[(ins.nargs as usize).saturating_sub(1)] as usize];
                    let v = exec(op, ins.nargs, a, b, &mut notes);
                    self.warn(budget, ins, &mut notes);
                    v
                }
            };
            slots[ins.slot as usize] = v;
        }
        Ok(slots[self.instrs[self.result as usize].slot as usize].clone())
    }
}

/// A function of the point in `f64` ([`Compiled::f64_fn`](super::Compiled::f64_fn)),
/// for the finite-difference checker and sampling, which call it many
/// times: over the tape where the expression compiled, else the tree walk.
/// An error counts as NaN.
pub struct F64Fn<'a> {
    defs: &'a Defs,
    expr: &'a Expr,
    vars: &'a [String],
    tape: Option<&'a Tape>,
    cancel: Option<Arc<AtomicBool>>,
    slots: Vec<f64>,
}

impl<'a> F64Fn<'a> {
    /// `expr` as a function of `vars`, over `tape` when there is one.
    pub(crate) fn new(
        defs: &'a Defs,
        expr: &'a Expr,
        vars: &'a [String],
        tape: Option<&'a Tape>,
        cancel: Option<Arc<AtomicBool>>,
    ) -> F64Fn<'a> {
        F64Fn {
            defs,
            expr,
            vars,
            tape,
            cancel,
            slots: Vec::new(),
        }
    }

    /// The rounding error of one evaluation near `x`
    /// ([`Tape::rounding_noise`]), for the checker's noise floor; 0 where
    /// the expression does not compile or the sweep fails.
    pub fn noise(&mut self, x: &[f64]) -> f64 {
        let mut b = Budget::new(self.cancel.clone());
        self.tape
            .and_then(|t| t.rounding_noise(x, &mut b).ok())
            .unwrap_or(0.0)
    }

    /// The value at `x` (NaN on any error).
    pub fn eval(&mut self, x: &[f64]) -> f64 {
        let mut b = Budget::new(self.cancel.clone());
        match self.tape {
            Some(t) => t
                .eval_with(x, &0.0, &mut b, &mut self.slots)
                .unwrap_or(f64::NAN),
            None => {
                let scope: Vec<(&str, f64)> = self
                    .vars
                    .iter()
                    .map(String::as_str)
                    .zip(x.iter().copied())
                    .collect();
                Evaluator::new(self.defs, 0.0, &mut b)
                    .eval(self.expr, &scope)
                    .unwrap_or(f64::NAN)
            }
        }
    }
}
