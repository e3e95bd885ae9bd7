//! The derivation written out, one rule a line, as a worked solution reads:
//! the rule applied to the whole, then each inner derivative, then the
//! pieces put together, ending in the simplified formula.

use super::diff::{diff_by as diff, outer_derivative};
use super::print::text;
use super::simplify::{Sym, mul};
use crate::builtins::{self, BuiltinId};
use crate::error::Error;
use crate::limits::MAX_STEPS;

/// One line of a derivation.
#[derive(Clone, Debug, PartialEq)]
pub struct Step {
    /// The rule's name: `sum`, `constant multiple`, `product`, `quotient`,
    /// `power`, `chain`, `exponential`, `logarithm`, a built-in's name, …
    pub rule: String,
    /// How deep inside the derivation (0 for the whole expression).
    pub depth: usize,
    /// The line: `d/dx sin(x^2) = cos(x^2) · d/dx x^2`, or `= cos(x^2)·2x`.
    pub text: String,
}

struct Writer<'a> {
    x: &'a str,
    /// `d/dx` or `∂/∂x`.
    op: String,
    out: Vec<Step>,
    /// More steps than [`MAX_STEPS`] were left out.
    cut: bool,
}

/// The derivation of `∂f/∂x` (`partial` picks the notation) and the result.
pub fn steps(f: &Sym, x: &str, partial: bool) -> Result<(Vec<Step>, Sym), Error> {
    let op = if partial {
        format!("∂/∂{x}")
    } else {
        format!("d/d{x}")
    };
    let mut w = Writer {
        x,
        op,
        out: Vec::new(),
        cut: false,
    };
    let d = w.node(f, 0)?;
    if w.cut {
        w.push("…", 1, "(more steps of the same kind)".to_string());
    }
    w.push("simplify", 0, format!("= {}", text(&d)));
    Ok((w.out, d))
}

/// `u` as it stands after `d/dx`: sums and products in parentheses.
fn operand(u: &Sym) -> String {
    match u {
        Sym::Add(_) | Sym::Mul(_) => format!("({})", text(u)),
        _ => text(u),
    }
}

impl Writer<'_> {
    fn push(&mut self, rule: &str, depth: usize, text: String) {
        if self.out.len() >= MAX_STEPS {
            self.cut = true;
            return;
        }
        self.out.push(Step {
            rule: rule.to_string(),
            depth,
            text,
        });
    }

    fn d(&self, u: &Sym) -> String {
        format!("{} {}", self.op, operand(u))
    }

    /// Narrates `d/dx u` and returns it.
    fn node(&mut self, u: &Sym, depth: usize) -> Result<Sym, Error> {
        let result = diff(u, self.x)?;
        if self.out.len() >= MAX_STEPS {
            self.cut = true;
            return Ok(result);
        }
        let head = self.d(u);
        if !u.has(self.x) {
            self.push("constant", depth, format!("{head} = 0"));
            return Ok(result);
        }
        let inner: Vec<Sym> = match u {
            Sym::Name(_) => {
                self.push("variable", depth, format!("{head} = 1"));
                return Ok(result);
            }
            Sym::Add(v) => {
                let mut line = format!("{head} =");
                let mut parts = Vec::with_capacity(v.len());
                for (i, t) in v.iter().enumerate() {
                    let (c, _) = t.split_coef();
                    let t = if c.is_negative() {
                        super::simplify::neg(t.clone())
                    } else {
                        t.clone()
                    };
                    let sign = match (i, c.is_negative()) {
                        (0, true) => " -",
                        (0, false) => "",
                        (_, true) => " -",
                        (_, false) => " +",
                    };
                    line.push_str(&format!("{sign} {}", self.d(&t)));
                    parts.push(t);
                }
                self.push("sum", depth, line);
                parts
            }
            Sym::Mul(v) => self.product(u, v, &head, depth),
            Sym::Pow(b, p) => self.power(b, p, &head, depth),
            Sym::Call(id, args) => self.call(*id, args, &head, depth),
            Sym::Num(_) | Sym::Const(_) => Vec::new(),
        };
        if inner.is_empty() {
            return Ok(result);
        }
        for i in &inner {
            self.node(i, depth + 1)?;
        }
        if depth > 0 {
            self.push("combine", depth, format!("so {head} = {}", text(&result)));
        }
        Ok(result)
    }

    /// Product, quotient or constant multiple; returns the parts to narrate next.
    fn product(&mut self, u: &Sym, v: &[Sym], head: &str, depth: usize) -> Vec<Sym> {
        let x = self.x;
        let (vary, fixed): (Vec<&Sym>, Vec<&Sym>) = v.iter().partition(|f| f.has(x));
        if !fixed.is_empty() {
            let c = mul(fixed.into_iter().cloned().collect());
            let rest = mul(vary.into_iter().cloned().collect());
            self.push(
                "constant multiple",
                depth,
                format!("{head} = {} · {}", operand(&c), self.d(&rest)),
            );
            return vec![rest];
        }
        let is_den =
            |f: &&Sym| matches!(f, Sym::Pow(_, e) if e.as_num().is_some_and(|k| k.is_negative()));
        let (dens, nums): (Vec<&Sym>, Vec<&Sym>) = vary.into_iter().partition(is_den);
        if !dens.is_empty() && !nums.is_empty() {
            let n = mul(nums.into_iter().cloned().collect());
            let dd = mul(dens
                .into_iter()
                .cloned()
                .map(|f| super::simplify::pow(f, super::simplify::int(-1)))
                .collect());
            let (nt, dt) = (operand(&n), operand(&dd));
            self.push(
                "quotient",
                depth,
                format!(
                    "{head} = (({})·{dt} - {nt}·({}))/{dt}^2",
                    self.d(&n),
                    self.d(&dd)
                ),
            );
            return vec![n, dd];
        }
        let _ = u;
        let parts: Vec<String> = v
            .iter()
            .enumerate()
            .map(|(i, _)| {
                v.iter()
                    .enumerate()
                    .map(|(j, f)| {
                        if i == j {
                            format!("({})", self.d(f))
                        } else {
                            operand(f)
                        }
                    })
                    .collect::<Vec<_>>()
                    .join(" · ")
            })
            .collect();
        self.push("product", depth, format!("{head} = {}", parts.join(" + ")));
        v.to_vec()
    }

    fn power(&mut self, b: &Sym, p: &Sym, head: &str, depth: usize) -> Vec<Sym> {
        let x = self.x;
        let whole = Sym::Pow(Box::new(b.clone()), Box::new(p.clone()));
        if !p.has(x) {
            let outer = mul(vec![
                p.clone(),
                super::simplify::pow(
                    b.clone(),
                    super::simplify::add(vec![p.clone(), super::simplify::int(-1)]),
                ),
            ]);
            if matches!(b, Sym::Name(n) if n == x) {
                self.push("power", depth, format!("{head} = {}", text(&outer)));
                return Vec::new();
            }
            self.push(
                "chain",
                depth,
                format!(
                    "{head} = {} · {}    (power rule, inner function {})",
                    operand(&outer),
                    self.d(b),
                    text(b)
                ),
            );
            return vec![b.clone()];
        }
        if !b.has(x) {
            self.push(
                "exponential",
                depth,
                format!("{head} = {}·ln({}) · {}", text(&whole), text(b), self.d(p)),
            );
            return vec![p.clone()];
        }
        self.push(
            "general power",
            depth,
            format!(
                "{head} = {} · (({})·ln({}) + {}·({})/{})    (u^v = e^(v·ln u))",
                operand(&whole),
                self.d(p),
                text(b),
                operand(p),
                self.d(b),
                operand(b)
            ),
        );
        vec![b.clone(), p.clone()]
    }

    fn call(&mut self, id: BuiltinId, args: &[Sym], head: &str, depth: usize) -> Vec<Sym> {
        let name = builtins::builtin(id).name;
        let rule = match id {
            BuiltinId::Exp => "exponential",
            BuiltinId::Ln | BuiltinId::Log | BuiltinId::Log2 | BuiltinId::Log10 => "logarithm",
            _ => name,
        };
        if let [u] = args {
            let outer = outer_derivative(id, u);
            if matches!(u, Sym::Name(n) if n == self.x) {
                self.push(rule, depth, format!("{head} = {}", text(&outer)));
                return Vec::new();
            }
            self.push(
                "chain",
                depth,
                format!(
                    "{head} = {} · {}    ({rule} rule, inner function {})",
                    operand(&outer),
                    self.d(u),
                    text(u)
                ),
            );
            return vec![u.clone()];
        }
        let (a, b) = (&args[0], &args[1]);
        if id == BuiltinId::Log {
            let q = super::simplify::div(
                super::simplify::call(BuiltinId::Ln, vec![a.clone()]),
                super::simplify::call(BuiltinId::Ln, vec![b.clone()]),
            );
            self.push(
                "logarithm",
                depth,
                format!("{head} = {}    (change of base)", self.d(&q)),
            );
            return vec![q];
        }
        let (ta, tb, da, db) = (operand(a), operand(b), self.d(a), self.d(b));
        let form = match id {
            BuiltinId::Atan2 => format!("({tb}·{da} - {ta}·{db})/({ta}^2 + {tb}^2)"),
            BuiltinId::Hypot => format!("({ta}·{da} + {tb}·{db})/hypot({}, {})", text(a), text(b)),
            BuiltinId::Min => format!("{da} where {ta} < {tb}, {db} where {tb} < {ta}"),
            _ => format!("{da} where {ta} > {tb}, {db} where {tb} > {ta}"),
        };
        self.push(rule, depth, format!("{head} = {form}"));
        args.iter().filter(|a| a.has(self.x)).cloned().collect()
    }
}
