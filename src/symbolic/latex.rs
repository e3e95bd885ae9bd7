//! Formulas as LaTeX: `\frac`, `\sqrt`, `\cdot`, `x^{2}`, `\sin\left(x\right)`.

use super::coef::Coef;
use super::print::{Factor, Layout, joiner, layout, reading_order};
use super::simplify::{Constant, Sym};
use crate::builtins::{self, BuiltinId};

/// The formula as LaTeX.
pub fn latex(s: &Sym) -> String {
    let mut out = String::new();
    write(s, &mut out);
    out
}

fn write(s: &Sym, out: &mut String) {
    let terms: Vec<&Sym> = match s {
        Sym::Add(v) => reading_order(v),
        _ => vec![s],
    };
    for (i, t) in terms.iter().enumerate() {
        let l = layout(t);
        out.push_str(joiner(i, l.negative));
        write_layout(&l, out);
    }
}

fn number(c: Coef) -> String {
    match c {
        Coef::Rat(p, 1) => p.to_string(),
        Coef::Rat(p, q) => {
            format!("\\frac{{{p}}}{{{q}}}")
        }
        Coef::Real(v) => {
            let t = crate::format::shortest(v);
            match t.split_once('e') {
                Some((m, e)) => format!("{m} \\cdot 10^{{{e}}}"),
                None => t,
            }
        }
    }
}

fn write_layout(l: &Layout<'_>, out: &mut String) {
    if l.den_coef.is_none() && l.den.is_empty() {
        write_factors(l.num_coef, &l.num, out);
        return;
    }
    out.push_str("\\frac{");
    write_part(l.num_coef, &l.num, out);
    out.push_str("}{");
    write_part(l.den_coef, &l.den, out);
    out.push('}');
}

/// A numerator or denominator: a lone sum needs no parentheses there.
fn write_part(coef: Option<Coef>, fs: &[Factor<'_>], out: &mut String) {
    match (coef, fs) {
        (None, [f]) if f.exp.is_none() && matches!(f.base, Sym::Add(_)) => write(f.base, out),
        _ => write_factors(coef, fs, out),
    }
}

fn write_factors(coef: Option<Coef>, fs: &[Factor<'_>], out: &mut String) {
    let mut prev_num = false;
    if let Some(c) = coef {
        out.push_str(&number(c));
        prev_num = true;
    }
    for (i, f) in fs.iter().enumerate() {
        let starts_with_digit = matches!(f.base, Sym::Num(_)) && !f.is_sqrt();
        if (i > 0 && !matches!(f.base, Sym::Add(_))) || (prev_num && starts_with_digit) {
            out.push_str(" \\cdot ");
        } else if prev_num || i > 0 {
            out.push(' ');
        }
        prev_num = false;
        write_factor(f, out);
    }
}

fn write_factor(f: &Factor<'_>, out: &mut String) {
    if f.is_sqrt() {
        out.push_str("\\sqrt{");
        write(f.base, out);
        out.push('}');
        return;
    }
    let plain_number =
        matches!(f.base, Sym::Num(c) if !c.is_negative() && c.parts().is_none_or(|(_, q)| q == 1));
    let simple = matches!(f.base, Sym::Name(_) | Sym::Const(_) | Sym::Call(..));
    let needs_parens =
        !(simple || plain_number || f.exp.is_none() && matches!(f.base, Sym::Pow(..)));
    let wrap_call = f.exp.is_some() && matches!(f.base, Sym::Call(id, _) if *id != BuiltinId::Abs);
    if needs_parens || wrap_call {
        out.push_str("\\left(");
        write(f.base, out);
        out.push_str("\\right)");
    } else {
        atom(f.base, out);
    }
    if let Some(e) = &f.exp {
        out.push_str("^{");
        write(e, out);
        out.push('}');
    }
}

fn atom(s: &Sym, out: &mut String) {
    match s {
        Sym::Name(n) => out.push_str(&name(n)),
        Sym::Const(Constant::Pi) => out.push_str("\\pi"),
        Sym::Const(Constant::Tau) => out.push_str("\\tau"),
        Sym::Const(Constant::E) => out.push('e'),
        Sym::Num(c) => out.push_str(&number(*c)),
        Sym::Call(BuiltinId::Abs, a) => {
            out.push_str("\\left|");
            write(&a[0], out);
            out.push_str("\\right|");
        }
        Sym::Call(BuiltinId::Log, a) if a.len() == 2 => {
            out.push_str("\\log_{");
            write(&a[1], out);
            out.push_str("}\\left(");
            write(&a[0], out);
            out.push_str("\\right)");
        }
        Sym::Call(id, args) => {
            out.push_str(&function(*id));
            out.push_str("\\left(");
            for (i, a) in args.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write(a, out);
            }
            out.push_str("\\right)");
        }
        _ => write(s, out),
    }
}

fn function(id: BuiltinId) -> String {
    use BuiltinId as B;
    match id {
        B::Sin | B::Cos | B::Tan | B::Sinh | B::Cosh | B::Tanh | B::Exp | B::Ln => {
            format!("\\{}", builtins::builtin(id).name)
        }
        B::Asin => "\\arcsin".into(),
        B::Acos => "\\arccos".into(),
        B::Atan => "\\arctan".into(),
        B::Log2 => "\\log_{2}".into(),
        B::Log10 => "\\log_{10}".into(),
        _ => format!("\\operatorname{{{}}}", builtins::builtin(id).name),
    }
}

const GREEK: &[&str] = &[
    "alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota", "kappa",
    "lambda", "mu", "nu", "xi", "rho", "sigma", "upsilon", "phi", "chi", "psi", "omega",
];

/// `x1` as `x_{1}`, `alpha` as `\alpha`, `x_max` as `x_{max}`, longer names upright.
fn name(n: &str) -> String {
    if GREEK.contains(&n) {
        return format!("\\{n}");
    }
    let head = n.trim_end_matches(|c: char| c.is_ascii_digit());
    if head.len() < n.len() && head.chars().count() == 1 {
        return format!("{head}_{{{}}}", &n[head.len()..]);
    }
    if let Some((a, b)) = n.split_once('_')
        && a.chars().count() == 1
        && !b.is_empty()
    {
        return format!("{a}_{{\\mathrm{{{}}}}}", b.replace('_', "\\_"));
    }
    if n.chars().count() == 1 {
        return n.to_string();
    }
    format!("\\mathrm{{{}}}", n.replace('_', "\\_"))
}
