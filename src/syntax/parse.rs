//! Lines of text → syntax tree ([`Stmt`], [`Expr`]).
//!
//! Three stages, in this order, so that no input can crash the parser:
//!
//! 1. `prescan`: an iterative pass over the raw line that refuses what would
//!    make the later stages slow or deep: an over-long line
//!    ([`MAX_LINE_BYTES`]), control characters, parentheses nested deeper than
//!    [`MAX_NESTING`], more numbers and names than [`MAX_NODES`]; and unknown
//!    `:command` words (so the message can suggest the closest one).
//! 2. pest, with `grammar/deriv.pest`. The grammar is flat for operators
//!    (`prefix* primary (infix prefix* primary)*`), so pest recurses only on
//!    parentheses, which stage 1 has bounded.
//! 3. `Builder`: pest pairs → AST, applying the precedence table
//!    (`precedence.rs`) with explicit stacks (shunting-yard) instead of recursion,
//!    counting nesting, nodes and tree depth ([`MAX_TREE_DEPTH`]; a flat
//!    chain such as a long sum is deep only on its left side, which every
//!    walk over the tree follows with a loop, so it costs no depth).
//!
//! When pest fails, its error position is kept and its rule lists thrown
//! away: `syntax_error` reads the tokens around that position and writes a
//! sentence ("expected `)`", "expected an expression after `+`").

use pest::Parser as _;
use pest::iterators::{Pair, Pairs};

use super::ast::{BinOp, Expr, ExprKind, Ident, Point, Subscript, UnOp};
use super::commands::COMMANDS;
use super::notations::edit_distance;
use super::precedence::{Op, binding};
use super::stmt::{Stmt, StmtKind};
use crate::error::Error;
use crate::limits::{MAX_LINE_BYTES, MAX_NESTING, MAX_NODES};
use crate::span::Span;

mod grammar {
    // The derive makes a public `Rule` enum; this private module keeps it out
    // of the crate's API.
    #[derive(pest_derive::Parser)]
    #[grammar = "../grammar/deriv.pest"]
    pub struct DerivGrammar;
}
use grammar::{DerivGrammar, Rule};

mod commands;
mod diagnose;
mod formulas;

use diagnose::{quote, syntax_error};

/// Words that cannot be names: the grammar's rule `keyword` (a test holds
/// the two equal).
pub const RESERVED: &[&str] = &["at", "wrt", "from", "on", "step", "order"];

/// Deepest syntax tree accepted, counting the levels that recursion follows:
/// right operands, signs and arguments, not the left side of a chain (a sum
/// of 2,000 terms is 1 deep). [`MAX_NESTING`] bounds parentheses, signs and
/// powers; this bounds what recursion over a tree may meet.
pub use crate::limits::MAX_TREE_DEPTH;

/// Command words the grammar knows, including the aliases of `:quit`: the
/// grammar's `k_*` rules (a test holds the two equal).
const COMMAND_WORDS: &[&str] = &[
    "grad", "hess", "check", "diff", "jac", "limit", "tangent", "taylor", "trace", "min", "plot",
    "table", "load", "save", "data", "set", "vars", "funcs", "del", "clear", "help", "quit", "q",
    "exit", "sym", "steps",
];

// ---------------------------------------------------------------- precedence

// ---------------------------------------------------------------- entry points

/// Parses one line (a statement, a command, or a blank/comment line).
///
/// Spans in the result and in errors are byte offsets into `line`.
pub fn parse_line(line: &str) -> Result<Stmt, Error> {
    prescan(line, true)?;
    let pairs = DerivGrammar::parse(Rule::line, line).map_err(|e| pest_error(line, &e, true))?;
    let mut b = Builder::new(line);
    let inner = first_inner(pairs);
    match inner {
        Some(p) if p.as_rule() == Rule::statement => b.statement(p),
        Some(p) => {
            let (command, span) = b.command(p)?;
            Ok(Stmt {
                kind: StmtKind::Command(command),
                span,
            })
        }
        None => Ok(Stmt {
            kind: StmtKind::Empty,
            span: Span::new(0, line.len()),
        }),
    }
}

/// Parses a whole line as one expression (no statement forms).
pub fn parse_expr(text: &str) -> Result<Expr, Error> {
    prescan(text, false)?;
    let pairs =
        DerivGrammar::parse(Rule::expr_line, text).map_err(|e| pest_error(text, &e, false))?;
    let mut b = Builder::new(text);
    match first_inner(pairs) {
        Some(p) => b.expr(p),
        None => Err(internal(Span::new(0, 0))),
    }
}

/// The first pair inside the top rule (`line` or `expr_line`), skipping `EOI`.
fn first_inner(mut pairs: Pairs<'_, Rule>) -> Option<Pair<'_, Rule>> {
    pairs
        .next()?
        .into_inner()
        .find(|p| p.as_rule() != Rule::EOI)
}

/// Our error for pest's: its position, our words.
fn pest_error(line: &str, e: &pest::error::Error<Rule>, statement: bool) -> Error {
    let pos = match e.location {
        pest::error::InputLocation::Pos(p) => p,
        pest::error::InputLocation::Span((s, _)) => s,
    };
    match &e.variant {
        // pest's own guard ("stack limit reached") on a thread with a small
        // stack; the prescan keeps this from happening on ordinary threads.
        pest::error::ErrorVariant::CustomError { .. } => Error::limit(
            "expression nested too deeply for this thread's stack",
            MAX_NESTING,
        )
        .at(Span::new(pos, pos)),
        pest::error::ErrorVariant::ParsingError { .. } => syntax_error(line, pos, statement),
    }
}

/// A grammar/builder mismatch; never expected, but never a panic either.
fn internal(span: Span) -> Error {
    Error::parse("internal parser error: unexpected syntax tree", span)
}

// ---------------------------------------------------------------- stage 1: prescan

/// Refuses, without recursion and before pest runs, what is too big, too deep
/// or not text; and unknown command words.
fn prescan(line: &str, statement: bool) -> Result<(), Error> {
    text_only(line)?;
    if statement && command_takes_a_file(line)? {
        // The rest is a file name: any characters, no nesting.
        return Ok(());
    }
    sizes(line)
}

/// A line within [`MAX_LINE_BYTES`] and without control characters.
fn text_only(line: &str) -> Result<(), Error> {
    if line.len() > MAX_LINE_BYTES {
        let mut at = MAX_LINE_BYTES;
        while !line.is_char_boundary(at) {
            at -= 1;
        }
        return Err(
            Error::limit("line too long", format!("{MAX_LINE_BYTES} bytes")).at(Span::new(at, at)),
        );
    }
    if let Some((i, c)) = line
        .char_indices()
        .find(|&(_, c)| c.is_control() && c != '\t')
    {
        return Err(Error::parse(
            format!("unexpected control character U+{:04X}", c as u32),
            Span::new(i, i + c.len_utf8()),
        ));
    }
    Ok(())
}

/// The `:word` starting a statement must be a command; true when its
/// argument is a file name rather than an expression.
fn command_takes_a_file(line: &str) -> Result<bool, Error> {
    let trimmed = line.trim_start_matches([' ', '\t']);
    let Some(rest) = trimmed.strip_prefix(':') else {
        return Ok(false);
    };
    let start = line.len() - trimmed.len();
    let word_len = rest
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(rest.len());
    let word = &rest[..word_len];
    let span = Span::new(start, start + 1 + word_len);
    if word.is_empty() {
        return Err(Error::parse("expected a command name after `:`", span)
            .help("`:help` lists the commands"));
    }
    if !COMMAND_WORDS.contains(&word) {
        return Err(unknown_command(word, span));
    }
    Ok(matches!(word, "load" | "save" | "data"))
}

/// Parenthesis depth, and a lower bound on the node count (each number or
/// name is at least one node), up to a comment.
fn sizes(line: &str) -> Result<(), Error> {
    let (mut depth, mut atoms, mut in_atom) = (0usize, 0usize, false);
    let mut chains = Chains::default();
    for (i, b) in line.bytes().enumerate() {
        if chains.push(b) {
            return Err(too_deep(Span::new(i, i + 1)));
        }
        let atom_byte = b.is_ascii_alphanumeric() || b == b'_' || b == b'.';
        if atom_byte && !in_atom {
            atoms += 1;
            if atoms > MAX_NODES {
                return Err(too_large().at(Span::new(i, i)));
            }
        }
        in_atom = atom_byte;
        match b {
            b'#' => break,
            b'(' | b'[' => {
                depth += 1;
                if depth > MAX_NESTING {
                    return Err(too_deep(Span::new(i, i + 1)));
                }
            }
            b')' | b']' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    Ok(())
}

/// Lower bounds on the nesting that parentheses do not show: a chain of
/// powers (`x^2^2^…`, right-associative) and a run of signs (`---x`). Each
/// nests at least one level per operator; caught before the tree is built,
/// so that they report nesting rather than size.
struct Chains {
    pow_chain: usize,
    sign_run: usize,
    prev: u8,
}

impl Default for Chains {
    fn default() -> Self {
        Chains {
            pow_chain: 0,
            sign_run: 0,
            prev: b' ',
        }
    }
}

impl Chains {
    /// Takes the next byte; true when a chain is now too deep.
    fn push(&mut self, b: u8) -> bool {
        let prev = self.prev;
        match b {
            b'^' => self.pow_chain += 1,
            b'*' if prev == b'*' => self.pow_chain += 1,
            b'-' | b'+' if prev == b'^' || prev == b'e' || prev == b'E' => {}
            b'+' | b'-' | b'*' | b'/' | b',' | b'(' | b')' | b'=' | b'[' | b']' | b'@' => {
                self.pow_chain = 0
            }
            _ => {}
        }
        match b {
            b'-' | b'+' => self.sign_run += 1,
            b' ' | b'\t' => {}
            _ => self.sign_run = 0,
        }
        if b != b' ' && b != b'\t' {
            self.prev = b;
        }
        self.pow_chain > MAX_NESTING || self.sign_run > MAX_NESTING
    }
}

fn too_deep(span: Span) -> Error {
    Error::limit("expression nested too deeply", MAX_NESTING)
        .at(span)
        .help("regroup it: a chain `a + b + c + …` needs no parentheses at any length, and a part used often can be a function (`g(x) = …`)")
}

fn too_large() -> Error {
    Error::limit("expression too large", format!("{MAX_NODES} nodes"))
}

fn unknown_command(word: &str, span: Span) -> Error {
    let best = COMMANDS
        .iter()
        .map(|c| (edit_distance(word, c.name), c.name))
        .min();
    let shown = quote(&format!(":{word}"));
    match best {
        Some((d, name)) if d <= 2 && d < word.len() => Error::parse(
            format!("unknown command {shown}; did you mean `:{name}`?"),
            span,
        ),
        _ => Error::parse(format!("unknown command {shown}"), span)
            .help("`:help` lists the commands"),
    }
}

// ---------------------------------------------------------------- stage 3: pairs → AST

fn span_of(p: &Pair<'_, Rule>) -> Span {
    let s = p.as_span();
    Span::new(s.start(), s.end())
}

fn ident_of(p: &Pair<'_, Rule>) -> Ident {
    Ident {
        name: p.as_str().to_string(),
        span: span_of(p),
    }
}

/// An expression with the depth of its tree.
struct Built {
    expr: Expr,
    depth: usize,
}

/// An operator or bracket waiting on the stack of [`Climb`].
enum Pending {
    /// A sign, waiting for its operand.
    Prefix { op: UnOp, right: u8, span: Span },
    /// A binary operator, waiting for its right operand.
    Infix {
        op: BinOp,
        right: u8,
        span: Span,
        implicit: bool,
    },
    /// An open `(`.
    Group { span: Span },
    /// An open call, collecting its arguments.
    Call {
        func: Ident,
        primes: u32,
        span: Span,
        base: usize,
        args: Vec<Expr>,
        depth: usize,
    },
    /// An open `[`: an array literal (`indexed` is `None`) or the indexes
    /// of `indexed`, collecting its items (for an index, the expressions
    /// of its subscripts one after another, laid out by `subscripts`).
    Bracket {
        indexed: Option<Box<Built>>,
        subscripts: Vec<Part>,
        span: Span,
        base: usize,
        args: Vec<Expr>,
        depth: usize,
    },
}

/// How a subscript's expressions are laid out among a bracket's items.
#[derive(Clone, Copy)]
enum Part {
    /// One expression: an index.
    At,
    /// `start:stop:step`, which of them are written, and where.
    Slice {
        start: bool,
        stop: bool,
        step: bool,
        span: Span,
    },
}

impl Part {
    /// The layout of a `subscript` pair, and its expressions.
    fn of(p: Pair<'_, Rule>) -> (Part, Vec<Pair<'_, Rule>>) {
        let span = span_of(&p);
        let kids: Vec<Pair<'_, Rule>> = p.into_inner().collect();
        // Which of the three places around the colons hold an expression.
        let mut place = 0;
        let mut written = [false; 3];
        for k in &kids {
            if k.as_rule() == Rule::colon {
                place += 1;
            } else {
                written[place] = true;
            }
        }
        let part = match place {
            0 => Part::At,
            _ => Part::Slice {
                start: written[0],
                stop: written[1],
                step: written[2],
                span,
            },
        };
        let exprs = kids.into_iter().filter(|k| k.as_rule() == Rule::expr);
        (part, exprs.collect())
    }

    /// The subscripts from their layouts and the expressions read.
    fn subscripts(parts: Vec<Part>, args: Vec<Expr>) -> Option<Vec<Subscript>> {
        let mut it = args.into_iter();
        let subs = parts
            .into_iter()
            .map(|p| match p {
                Part::At => it.next().map(Subscript::At),
                Part::Slice {
                    start,
                    stop,
                    step,
                    span,
                } => {
                    let mut take = |written: bool| {
                        if written {
                            it.next().map(Some)
                        } else {
                            Some(None)
                        }
                    };
                    Some(Subscript::Slice {
                        start: take(start)?,
                        stop: take(stop)?,
                        step: take(step)?,
                        span,
                    })
                }
            })
            .collect();
        if it.next().is_some() { None } else { subs }
    }
}

impl Pending {
    /// Signs, powers, groups and calls are what [`MAX_NESTING`] counts.
    fn nests(&self) -> bool {
        !matches!(
            self,
            Pending::Infix {
                op: BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Div | BinOp::MatMul,
                ..
            }
        )
    }
    fn is_bracket(&self) -> bool {
        matches!(
            self,
            Pending::Group { .. } | Pending::Call { .. } | Pending::Bracket { .. }
        )
    }
}

/// Precedence climbing without recursion (shunting-yard): operands and
/// pending operators live on two stacks, so a deep expression costs heap,
/// not native stack, in debug and release builds alike.
struct Climb {
    operands: Vec<Built>,
    pending: Vec<Pending>,
    /// How many pending entries count as nesting.
    nest: usize,
}

/// Where the walk over the pest pairs of one expression is.
enum Frame<'i> {
    /// The items of an `expr` (or the primary inside an `implicit`).
    Items(Pairs<'i, Rule>),
    /// The arguments of a call or the items of a bracket; `first` until
    /// one has been read.
    Args(std::vec::IntoIter<Pair<'i, Rule>>, bool),
    /// The end of a group.
    CloseGroup,
}

/// The state of the walk over one expression's pairs.
struct Walk<'i> {
    c: Climb,
    frames: Vec<Frame<'i>>,
    /// The last complete primary, to check the left side of a juxtaposition.
    last: Option<(Rule, Span)>,
}

/// Turns pairs into the AST, counting nodes (for [`MAX_NODES`]).
struct Builder<'s> {
    src: &'s str,
    nodes: usize,
}

impl<'s> Builder<'s> {
    fn new(src: &'s str) -> Builder<'s> {
        Builder { src, nodes: 0 }
    }

    /// Makes a node, enforcing the node count and the tree depth; a refusal
    /// points at `at` (the operator, or the node itself).
    fn node(&mut self, kind: ExprKind, span: Span, depth: usize, at: Span) -> Result<Built, Error> {
        self.nodes += 1;
        if self.nodes > MAX_NODES {
            return Err(too_large().at(at));
        }
        if depth > MAX_TREE_DEPTH {
            return Err(Error::limit(
                "expression nested too deeply on the right of its operators",
                format!("{MAX_TREE_DEPTH} levels"),
            )
            .at(at)
            .help("regroup it as a flat chain: `a + b + c + …` (any length) rather than `a + (b + (c + …))`"));
        }
        Ok(Built {
            expr: Expr { kind, span },
            depth,
        })
    }

    // ------------------------------------------------------------ expressions

    /// An `expr` pair. Iterative: pest's pairs are walked with an explicit
    /// stack of [`Frame`]s and the operators climbed with [`Climb`].
    fn expr(&mut self, pair: Pair<'_, Rule>) -> Result<Expr, Error> {
        let whole = span_of(&pair);
        let mut w = Walk {
            c: Climb {
                operands: Vec::new(),
                pending: Vec::new(),
                nest: 0,
            },
            frames: vec![Frame::Items(pair.into_inner())],
            last: None,
        };
        while let Some(p) = self.next_item(&mut w)? {
            self.item(&mut w, p)?;
        }
        w.c.finish(self, whole)
    }

    /// The next item to read, closing the groups, calls and brackets that
    /// end on the way; `None` at the end of the expression.
    fn next_item<'i>(&mut self, w: &mut Walk<'i>) -> Result<Option<Pair<'i, Rule>>, Error> {
        while let Some(frame) = w.frames.last_mut() {
            match frame {
                Frame::Items(items) => match items.next() {
                    Some(p) => return Ok(Some(p)),
                    None => {
                        w.frames.pop();
                    }
                },
                Frame::Args(args, first) => match args.next() {
                    Some(arg) => {
                        if !*first {
                            w.c.reduce_to_bracket(self)?;
                            w.c.take_argument()?;
                        }
                        *first = false;
                        w.frames.push(Frame::Items(arg.into_inner()));
                    }
                    None => {
                        w.frames.pop();
                        let innermost = w.c.pending.iter().rev().find(|p| p.is_bracket());
                        w.last = Some(if matches!(innermost, Some(Pending::Bracket { .. })) {
                            w.c.close_bracket(self)?
                        } else {
                            (Rule::call, w.c.close_call(self)?)
                        });
                    }
                },
                Frame::CloseGroup => {
                    w.frames.pop();
                    let span = w.c.close_group(self)?;
                    w.last = Some((Rule::group, span));
                }
            }
        }
        Ok(None)
    }

    /// One item of an expression: an operator, a bracket that opens, or a
    /// leaf.
    fn item<'i>(&mut self, w: &mut Walk<'i>, p: Pair<'i, Rule>) -> Result<(), Error> {
        let span = span_of(&p);
        let c = &mut w.c;
        match p.as_rule() {
            Rule::neg => c.prefix(UnOp::Neg, Op::Neg, span)?,
            Rule::plus => c.prefix(UnOp::Plus, Op::Plus, span)?,
            Rule::add => c.infix(self, BinOp::Add, Op::Add, span)?,
            Rule::sub => c.infix(self, BinOp::Sub, Op::Sub, span)?,
            Rule::mul => c.infix(self, BinOp::Mul, Op::Mul, span)?,
            Rule::div => c.infix(self, BinOp::Div, Op::Div, span)?,
            Rule::pow => c.infix(self, BinOp::Pow, Op::Pow, span)?,
            Rule::matmul => c.infix(self, BinOp::MatMul, Op::MatMul, span)?,
            Rule::array | Rule::index | Rule::call | Rule::group => self.open(w, p)?,
            Rule::sup => {
                c.infix(self, BinOp::Pow, Op::Pow, span)?;
                let k = if p.as_str() == "²" { 2.0 } else { 3.0 };
                let exponent = self.node(ExprKind::Num(k), span, 1, span)?;
                c.operands.push(exponent);
                w.last = Some((Rule::sup, span));
            }
            Rule::implicit => {
                let Some((rule, left)) = w.last else {
                    return Err(internal(span));
                };
                if !matches!(rule, Rule::number | Rule::group) {
                    return Err(self.implicit_refused(left, span));
                }
                c.infix(self, BinOp::Mul, Op::Implicit, left.to(span))?;
                w.frames.push(Frame::Items(p.into_inner()));
            }
            rule => {
                let leaf = self.leaf(p)?;
                w.last = Some((rule, span));
                c.operands.push(leaf);
            }
        }
        Ok(())
    }

    /// A bracket opens: `[` (an array or an index), a call's `(`, or a
    /// group's `(`. Its contents are read next.
    fn open<'i>(&mut self, w: &mut Walk<'i>, p: Pair<'i, Rule>) -> Result<(), Error> {
        let span = span_of(&p);
        let c = &mut w.c;
        let rule = p.as_rule();
        let mut inner = p.into_inner();
        let pending = match rule {
            Rule::group => {
                c.open(Pending::Group { span }, span)?;
                let items = inner.next().ok_or_else(|| internal(span))?;
                w.frames.push(Frame::CloseGroup);
                w.frames.push(Frame::Items(items.into_inner()));
                return Ok(());
            }
            Rule::call => {
                let head = inner.next().ok_or_else(|| internal(span))?;
                let (func, primes) = callee(head)?;
                Pending::Call {
                    func,
                    primes,
                    span,
                    base: c.operands.len(),
                    args: Vec::new(),
                    depth: 0,
                }
            }
            Rule::index => {
                let x = c.operands.pop().ok_or_else(|| internal(span))?;
                if let ExprKind::Num(_) = x.expr.kind {
                    return Err(self.number_indexed(x.expr.span, span));
                }
                let mut subscripts = Vec::new();
                let mut exprs = Vec::new();
                for sub in inner {
                    let (part, e) = Part::of(sub);
                    subscripts.push(part);
                    exprs.extend(e);
                }
                c.open(
                    Pending::Bracket {
                        indexed: Some(Box::new(x)),
                        subscripts,
                        span,
                        base: c.operands.len(),
                        args: Vec::new(),
                        depth: 0,
                    },
                    span,
                )?;
                w.frames.push(Frame::Args(exprs.into_iter(), true));
                return Ok(());
            }
            _ => Pending::Bracket {
                indexed: None,
                subscripts: Vec::new(),
                span,
                base: c.operands.len(),
                args: Vec::new(),
                depth: 0,
            },
        };
        c.open(pending, span)?;
        w.frames
            .push(Frame::Args(inner.collect::<Vec<_>>().into_iter(), true));
        Ok(())
    }

    /// `2[1, 2]`: a number followed by brackets, which cannot index it.
    fn number_indexed(&self, number: Span, brackets: Span) -> Error {
        let n = &self.src[number.start..number.end];
        let b = &self.src[brackets.start..brackets.end];
        Error::parse(
            format!("`{n}` is a number: only an array can be indexed"),
            brackets,
        )
        .help(format!("to multiply, write `*`: `{n} * {b}`"))
    }

    /// A number, a name or a primed name.
    fn leaf(&mut self, p: Pair<'_, Rule>) -> Result<Built, Error> {
        let span = span_of(&p);
        let kind = match p.as_rule() {
            Rule::number => {
                let text = p.as_str();
                let v: f64 = text.parse().map_err(|_| internal(span))?;
                if v.is_infinite() {
                    return Err(Error::parse(
                        format!("number `{text}` is too large for a 64-bit float"),
                        span,
                    ));
                }
                ExprKind::Num(v)
            }
            Rule::name => ExprKind::Name(p.as_str().to_string()),
            Rule::pi_sign => ExprKind::Name("pi".to_string()),
            Rule::func_ref => {
                let (name, primes) = callee(p)?;
                ExprKind::FuncRef {
                    name: name.name,
                    primes,
                }
            }
            _ => return Err(internal(span)),
        };
        self.node(kind, span, 1, span)
    }

    fn implicit_refused(&self, lhs: Span, rhs: Span) -> Error {
        const MAX: usize = 24;
        let l = self.src[lhs.start..lhs.end].trim_end();
        let r = self.src[rhs.start..rhs.end].trim();
        let plain = |t: &str| t.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'_');
        let spaced = self.src.as_bytes().get(lhs.end) == Some(&b' ');
        let span = lhs.to(rhs);
        // `x[]`: an index with nothing in it, read as `x` times `[]`.
        if !spaced && r.starts_with('[') && r[1..].trim_start().starts_with(']') {
            return Error::parse(format!("`{l}[]` has no index"), span).help(format!(
                "write `{l}[0]` for an entry, or `{l}[:]` for all of them"
            ));
        }
        // `sin x`: a built-in's argument goes in parentheses.
        if spaced && crate::builtins::lookup(l).is_some() {
            return Error::parse(
                format!("`{l}` is a function: its argument goes in parentheses"),
                span,
            )
            .help(format!("write `{l}({r})`"));
        }
        let advice = if l.len() + r.len() <= MAX {
            format!("write `{l}*{r}`")
        } else {
            "write `*` between the factors".to_string()
        };
        let e = Error::parse(
            format!(
                "implicit multiplication needs a number or a parenthesised group on the left; {advice}"
            ),
            span,
        );
        if spaced && plain(l) && plain(r) {
            e.help(format!("to call `{l}`, write `{l}({r})`"))
        } else {
            e
        }
    }
}

impl Climb {
    /// Pushes a sign, a group or a call: one level deeper.
    fn open(&mut self, p: Pending, at: Span) -> Result<(), Error> {
        self.nest += 1;
        if self.nest > MAX_NESTING {
            return Err(too_deep(at));
        }
        self.pending.push(p);
        Ok(())
    }

    fn prefix(&mut self, op: UnOp, which: Op, span: Span) -> Result<(), Error> {
        let (_, right) = binding(which);
        self.open(Pending::Prefix { op, right, span }, span)
    }

    /// A binary operator: first applies the pending operators that bind
    /// tighter than it does from the left, then waits for its right operand.
    fn infix(
        &mut self,
        b: &mut Builder<'_>,
        op: BinOp,
        which: Op,
        span: Span,
    ) -> Result<(), Error> {
        let (left, right) = binding(which);
        while let Some(Pending::Prefix { right: r, .. } | Pending::Infix { right: r, .. }) =
            self.pending.last()
        {
            if left >= *r {
                break;
            }
            self.reduce(b)?;
        }
        let p = Pending::Infix {
            op,
            right,
            span,
            implicit: which == Op::Implicit,
        };
        if p.nests() {
            self.open(p, span)
        } else {
            self.pending.push(p);
            Ok(())
        }
    }

    /// Applies the operator on top of the stack to its operands.
    fn reduce(&mut self, b: &mut Builder<'_>) -> Result<(), Error> {
        let p = self
            .pending
            .pop()
            .ok_or_else(|| internal(Span::default()))?;
        if p.nests() {
            self.nest -= 1;
        }
        let built = match p {
            Pending::Prefix { op, span, .. } => {
                let a = self.operands.pop().ok_or_else(|| internal(span))?;
                let whole = span.to(a.expr.span);
                b.node(
                    ExprKind::Unary(op, Box::new(a.expr)),
                    whole,
                    a.depth + 1,
                    span,
                )?
            }
            Pending::Infix {
                op, span, implicit, ..
            } => {
                let r = self.operands.pop().ok_or_else(|| internal(span))?;
                let l = self.operands.pop().ok_or_else(|| internal(span))?;
                let whole = l.expr.span.to(r.expr.span);
                // The left side of a chain is walked with loops, not
                // recursion (see `Expr`): only the right side adds depth.
                let depth = l.depth.max(r.depth + 1);
                let kind = ExprKind::Binary {
                    op,
                    lhs: Box::new(l.expr),
                    rhs: Box::new(r.expr),
                    implicit,
                };
                b.node(kind, whole, depth, span)?
            }
            Pending::Group { span, .. }
            | Pending::Call { span, .. }
            | Pending::Bracket { span, .. } => return Err(internal(span)),
        };
        self.operands.push(built);
        Ok(())
    }

    /// Applies every operator above the innermost open group or call.
    fn reduce_to_bracket(&mut self, b: &mut Builder<'_>) -> Result<(), Error> {
        while self.pending.last().is_some_and(|p| !p.is_bracket()) {
            self.reduce(b)?;
        }
        Ok(())
    }

    /// Moves a finished argument into the open call.
    fn take_argument(&mut self) -> Result<(), Error> {
        let Some(
            Pending::Call {
                base, args, depth, ..
            }
            | Pending::Bracket {
                base, args, depth, ..
            },
        ) = self.pending.last_mut()
        else {
            return Err(internal(Span::default()));
        };
        if self.operands.len() > *base {
            let a = self
                .operands
                .pop()
                .ok_or_else(|| internal(Span::default()))?;
            *depth = (*depth).max(a.depth);
            args.push(a.expr);
        }
        Ok(())
    }

    /// Closes a group; its node covers the parentheses.
    fn close_group(&mut self, b: &mut Builder<'_>) -> Result<Span, Error> {
        self.reduce_to_bracket(b)?;
        let Some(Pending::Group { span, .. }) = self.pending.pop() else {
            return Err(internal(Span::default()));
        };
        self.nest -= 1;
        let top = self.operands.last_mut().ok_or_else(|| internal(span))?;
        top.expr.span = span;
        Ok(span)
    }

    /// Closes a call and makes its node.
    fn close_call(&mut self, b: &mut Builder<'_>) -> Result<Span, Error> {
        self.reduce_to_bracket(b)?;
        self.take_argument()?;
        let Some(Pending::Call {
            func,
            primes,
            span,
            args,
            depth,
            ..
        }) = self.pending.pop()
        else {
            return Err(internal(Span::default()));
        };
        self.nest -= 1;
        let call = b.node(ExprKind::Call { func, primes, args }, span, depth + 1, span)?;
        self.operands.push(call);
        Ok(span)
    }

    /// Closes an array literal or an index; returns what the juxtaposition
    /// check should see as the last primary.
    fn close_bracket(&mut self, b: &mut Builder<'_>) -> Result<(Rule, Span), Error> {
        self.reduce_to_bracket(b)?;
        self.take_argument()?;
        let Some(Pending::Bracket {
            indexed,
            subscripts,
            span,
            args,
            depth,
            ..
        }) = self.pending.pop()
        else {
            return Err(internal(Span::default()));
        };
        self.nest -= 1;
        let (kind, whole, depth, rule) = match indexed {
            None => (ExprKind::Array(args), span, depth + 1, Rule::array),
            Some(x) => {
                let whole = x.expr.span.to(span);
                let depth = depth.max(x.depth) + 1;
                let kind = ExprKind::Index {
                    base: Box::new(x.expr),
                    indices: Part::subscripts(subscripts, args).ok_or_else(|| internal(span))?,
                };
                (kind, whole, depth, Rule::index)
            }
        };
        let node = b.node(kind, whole, depth, span)?;
        self.operands.push(node);
        Ok((rule, whole))
    }

    fn finish(mut self, b: &mut Builder<'_>, whole: Span) -> Result<Expr, Error> {
        while !self.pending.is_empty() {
            self.reduce(b)?;
        }
        match (self.operands.pop(), self.operands.is_empty()) {
            (Some(e), true) => Ok(e.expr),
            _ => Err(internal(whole)),
        }
    }
}

impl Builder<'_> {
    // ------------------------------------------------------------ statements

    fn statement(&mut self, p: Pair<'_, Rule>) -> Result<Stmt, Error> {
        let mut inner = p.into_inner();
        let first = inner.next().ok_or_else(|| internal(Span::default()))?;
        let lhs = self.expr(first)?;
        let Some(next) = inner.next() else {
            let span = lhs.span;
            return Ok(Stmt {
                kind: StmtKind::Expr(lhs),
                span,
            });
        };
        match next.as_rule() {
            Rule::assign_tail => {
                let tail_span = span_of(&next);
                let value_pair = next
                    .into_inner()
                    .find(|q| q.as_rule() == Rule::expr)
                    .ok_or_else(|| internal(tail_span))?;
                let value = self.expr(value_pair)?;
                let span = lhs.span.to(value.span);
                let kind = assignment(lhs, value)?;
                Ok(Stmt { kind, span })
            }
            Rule::kw_at => {
                let at = span_of(&next);
                let point_pair = inner.next().ok_or_else(|| internal(at))?;
                let (point, end) = self.point(point_pair)?;
                let span = lhs.span.to(end);
                Ok(Stmt {
                    kind: StmtKind::Report { expr: lhs, point },
                    span,
                })
            }
            _ => Err(internal(span_of(&next))),
        }
    }

    /// A point and its span.
    fn point(&mut self, p: Pair<'_, Rule>) -> Result<(Point, Span), Error> {
        let whole = span_of(&p);
        let mut positional = Vec::new();
        let mut named: Vec<(Ident, Expr)> = Vec::new();
        for item in p.into_inner() {
            let span = span_of(&item);
            let is_named = item.as_rule() == Rule::named_value;
            if (is_named && !positional.is_empty()) || (!is_named && !named.is_empty()) {
                return Err(Error::parse(
                    "a point is either all positional (`2, 3`) or all named (`x=2, y=3`), not a mix",
                    span,
                ));
            }
            if is_named {
                let mut parts = item.into_inner();
                let key = parts.next().ok_or_else(|| internal(span))?;
                let value = parts
                    .find(|q| q.as_rule() == Rule::expr)
                    .ok_or_else(|| internal(span))?;
                let key = ident_of(&key);
                if named.iter().any(|(k, _)| k.name == key.name) {
                    return Err(Error::parse(
                        format!("`{}` is given twice in the point", key.name),
                        key.span,
                    ));
                }
                let value = self.expr(value)?;
                named.push((key, value));
            } else {
                positional.push(self.expr(item)?);
            }
        }
        let end = match (named.last(), positional.last()) {
            (Some((_, e)), _) | (None, Some(e)) => e.span,
            (None, None) => return Err(internal(whole)),
        };
        let span = Span::new(whole.start, end.end);
        if named.is_empty() {
            Ok((Point::Positional(positional), span))
        } else {
            Ok((Point::Named(named), span))
        }
    }
}

/// The name and primes of a `callee` or `func_ref` pair.
fn callee(p: Pair<'_, Rule>) -> Result<(Ident, u32), Error> {
    let span = span_of(&p);
    let mut inner = p.into_inner();
    let name = inner.next().ok_or_else(|| internal(span))?;
    let primes = inner
        .next()
        .map(|q| u32::try_from(q.as_str().len()).unwrap_or(u32::MAX))
        .unwrap_or(0);
    Ok((ident_of(&name), primes))
}

/// `lhs = value`: a variable or a function definition.
fn assignment(mut lhs: Expr, value: Expr) -> Result<StmtKind, Error> {
    let cannot = |what: &str, span: Span| {
        Error::parse(
            format!(
                "cannot assign to {what}: the left of `=` must be a name (`a = 2`) \
                 or a function head (`f(x, y) = x*y`)"
            ),
            span,
        )
    };
    // `Expr` has its own `Drop`: take its kind out rather than move it.
    match std::mem::replace(&mut lhs.kind, ExprKind::Num(0.0)) {
        ExprKind::Name(name) => Ok(StmtKind::Assign {
            name: Ident {
                name,
                span: lhs.span,
            },
            value,
        }),
        ExprKind::Call { func, primes, args } => {
            if primes > 0 {
                return Err(Error::parse(
                    format!(
                        "cannot define a derivative: define `{}` and use `{}{}`",
                        func.name,
                        func.name,
                        "'".repeat(primes.min(4) as usize)
                    ),
                    func.span,
                ));
            }
            if args.is_empty() {
                return Err(Error::parse(
                    format!("function `{}` needs at least one parameter", func.name),
                    lhs.span,
                ));
            }
            let mut params: Vec<Ident> = Vec::with_capacity(args.len());
            for mut a in args {
                let ExprKind::Name(name) = std::mem::replace(&mut a.kind, ExprKind::Num(0.0))
                else {
                    return Err(Error::parse(
                        "a parameter must be a plain name, such as `x`",
                        a.span,
                    ));
                };
                if params.iter().any(|q| q.name == name) {
                    return Err(Error::parse(
                        format!("parameter `{name}` appears twice"),
                        a.span,
                    ));
                }
                params.push(Ident { name, span: a.span });
            }
            Ok(StmtKind::Define {
                name: func,
                params,
                body: value,
            })
        }
        ExprKind::Num(_) => Err(cannot("a number", lhs.span)),
        _ => Err(cannot("an expression", lhs.span)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn precedence_table_is_ordered_loosest_first() {
        assert!(binding(Op::Add).0 < binding(Op::Mul).0);
        assert!(binding(Op::Mul).0 < binding(Op::Neg).1);
        assert!(binding(Op::Neg).1 < binding(Op::Implicit).0);
        assert!(binding(Op::Implicit).0 < binding(Op::Pow).0);
        // right-associative: the right operand binds the same operator again
        assert!(binding(Op::Pow).1 < binding(Op::Pow).0);
        assert!(binding(Op::Add).1 > binding(Op::Add).0);
    }

    #[test]
    fn every_command_in_the_table_is_in_the_grammar() {
        for c in COMMANDS {
            assert!(COMMAND_WORDS.contains(&c.name), "{}", c.name);
        }
    }

    #[test]
    fn edit_distance_counts_transpositions_once() {
        assert_eq!(edit_distance("gard", "grad"), 1);
        assert_eq!(edit_distance("hes", "hess"), 1);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
    }

    /// The words of the grammar rules named `rule` (or starting with it):
    /// every quoted literal on those lines, without the colon.
    fn grammar_words(prefix: &str) -> Vec<String> {
        let grammar = include_str!("../../grammar/deriv.pest");
        let mut words: Vec<String> = grammar
            .lines()
            .filter(|l| l.starts_with(prefix))
            .flat_map(|l| l.split('"').skip(1).step_by(2).map(str::to_string))
            .map(|w| w.trim_start_matches(':').to_string())
            .filter(|w| !w.is_empty())
            .collect();
        words.sort();
        words
    }

    #[test]
    fn reserved_words_are_the_grammars_keywords() {
        let mut ours: Vec<String> = RESERVED.iter().map(|s| s.to_string()).collect();
        ours.sort();
        assert_eq!(ours, grammar_words("keyword "));
    }

    #[test]
    fn command_words_are_the_grammars_k_rules() {
        let mut ours: Vec<String> = COMMAND_WORDS.iter().map(|s| s.to_string()).collect();
        ours.sort();
        assert_eq!(ours, grammar_words("k_"));
    }
}
