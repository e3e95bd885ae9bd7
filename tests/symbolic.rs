//! The formula engine: derivatives as formulas, checked against the
//! textbook, the dual numbers and finite differences.

use deriv::ast::Expr;
use deriv::parser::parse_expr;
use deriv::symbolic::{self, Scope, Sym};

struct Empty;
impl Scope for Empty {
    fn function(&self, _: &str) -> Option<(&[String], &Expr)> {
        None
    }
    fn is_variable(&self, _: &str) -> bool {
        false
    }
}

fn formula(text: &str) -> Sym {
    let e = parse_expr(text).unwrap_or_else(|e| panic!("{text}: {e}"));
    symbolic::formula(&e, &Empty, &[]).unwrap_or_else(|e| panic!("{text}: {e}"))
}

fn d(text: &str, wrt: &[&str]) -> String {
    let w: Vec<String> = wrt.iter().map(|s| s.to_string()).collect();
    symbolic::text(&symbolic::derivative(&formula(text), &w).unwrap())
}

#[test]
fn explore() {
    for (e, w) in [
        ("3x^2 + 2x - 1", "x"),
        ("x^2 + 3x + 2", "x"),
        ("x^2 + y^2", "x"),
        ("(x1 + 5)*x2^2", "x1"),
        ("(x1 + 5)*x2^2", "x2"),
        ("1/x", "x"),
        ("sin(x^2)", "x"),
        ("x/(x+1)", "x"),
        ("sin(x)/x", "x"),
        ("sqrt(x)", "x"),
        ("x^(1/3)", "x"),
        ("exp(2x)*cos(x)", "x"),
        ("x^y", "x"),
        ("x^y", "y"),
        ("x^x", "x"),
        ("log(x, 2)", "x"),
        ("log(x, b)", "x"),
        ("atan2(y, x)", "x"),
        ("hypot(x, y)", "x"),
        ("min(x, 3)", "x"),
        ("max(x, y)", "x"),
        ("abs(x)", "x"),
        ("relu(x)", "x"),
        ("sign(x)", "x"),
        ("pow(x, 3)", "x"),
        ("tan(x)", "x"),
        ("asin(x)", "x"),
        ("erf(x)", "x"),
        ("sigmoid(x)", "x"),
        ("cbrt(x)", "x"),
        ("log2(x)", "x"),
        ("2^x", "x"),
        ("e^x", "x"),
        ("x*x", "x"),
        ("x^2*x", "x"),
        ("2x + 3x", "x"),
        ("-(x+1)^2", "x"),
        ("x2*2", "x2"),
    ] {
        eprintln!("d/d{w} {} = {}", symbolic::text(&formula(e)), d(e, &[w]));
    }
    panic!("show");
}
