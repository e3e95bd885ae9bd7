//! The precedence table, the one source for the parser (which applies it
//! to the grammar's flat operator stream) and the printer (which puts back
//! the parentheses it needs).

/// An operator of the expression stream.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Op {
    Add,
    Sub,
    Mul,
    Div,
    Neg,
    Plus,
    Implicit,
    Pow,
    MatMul,
}

/// How an operator takes its operands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Fixity {
    Prefix,
    Left,
    Right,
}

/// The precedence table, loosest first, one level a line.
static PRECEDENCE: &[(Fixity, &[Op])] = &[
    (Fixity::Left, &[Op::Add, Op::Sub]),             // a + b, a - b
    (Fixity::Left, &[Op::Mul, Op::Div, Op::MatMul]), // a * b, a / b, A @ x
    (Fixity::Prefix, &[Op::Neg, Op::Plus]),          // -a, +a: tighter than `*`, looser than `^`
    (Fixity::Left, &[Op::Implicit]),                 // 2x, (a)(b): `-2x` is -(2x), `a/2x` is a/(2x)
    (Fixity::Right, &[Op::Pow]),                     // a ^ b, a ** b: `2^3^2` is 2^(3^2)
];

/// The level of an atom (a number, a name, a call): tighter than any operator.
pub(crate) const ATOM: u8 = PRECEDENCE.len() as u8 + 1;

/// `op`'s line in the table (1 = loosest) and how it takes its operands.
fn entry(op: Op) -> (u8, Fixity) {
    PRECEDENCE
        .iter()
        .enumerate()
        .find(|(_, (_, ops))| ops.contains(&op))
        .map(|(i, (f, _))| (i as u8 + 1, *f))
        .unwrap_or((1, Fixity::Left))
}

/// `op`'s level, 1 for the loosest: how tightly it binds when printed.
pub(crate) fn level(op: Op) -> u8 {
    entry(op).0
}

/// Binding powers `(left, right)` of `op`. An infix operator continues an
/// expression parsed at `min` when `left >= min`; its right operand is
/// parsed at `right`. A prefix operator has no left power.
pub(crate) fn binding(op: Op) -> (u8, u8) {
    let (level, fixity) = entry(op);
    let base = 2 * level;
    match fixity {
        Fixity::Left => (base, base + 1),
        Fixity::Right => (base + 1, base),
        Fixity::Prefix => (0, base),
    }
}
