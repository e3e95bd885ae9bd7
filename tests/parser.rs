//! The parser: precedence, implicit products, statements, commands, error
//! messages and spans, limits, and two properties (printing round-trips;
//! no input panics).

use deriv::error::{Error, ErrorKind};
use deriv::syntax::Command;
use deriv::syntax::{BinOp, Expr, ExprKind, Ident, Point, Span, Stmt, StmtKind, UnOp};
use deriv::syntax::{RESERVED, parse_expr, parse_line};
use proptest::prelude::*;

// ---------------------------------------------------------------- helpers

fn e(kind: ExprKind) -> Expr {
    Expr {
        kind,
        span: Span::default(),
    }
}
fn n(v: f64) -> Expr {
    e(ExprKind::Num(v))
}
fn v(name: &str) -> Expr {
    e(ExprKind::Name(name.into()))
}
fn bin(op: BinOp, a: Expr, b: Expr, implicit: bool) -> Expr {
    e(ExprKind::Binary {
        op,
        lhs: Box::new(a),
        rhs: Box::new(b),
        implicit,
    })
}
fn add(a: Expr, b: Expr) -> Expr {
    bin(BinOp::Add, a, b, false)
}
fn sub(a: Expr, b: Expr) -> Expr {
    bin(BinOp::Sub, a, b, false)
}
fn mul(a: Expr, b: Expr) -> Expr {
    bin(BinOp::Mul, a, b, false)
}
/// An implicit product, `2x`.
fn imul(a: Expr, b: Expr) -> Expr {
    bin(BinOp::Mul, a, b, true)
}
fn div(a: Expr, b: Expr) -> Expr {
    bin(BinOp::Div, a, b, false)
}
fn pow(a: Expr, b: Expr) -> Expr {
    bin(BinOp::Pow, a, b, false)
}
fn neg(a: Expr) -> Expr {
    e(ExprKind::Unary(UnOp::Neg, Box::new(a)))
}
fn plus(a: Expr) -> Expr {
    e(ExprKind::Unary(UnOp::Plus, Box::new(a)))
}
fn call(name: &str, primes: u32, args: Vec<Expr>) -> Expr {
    e(ExprKind::Call {
        func: id(name),
        primes,
        args,
    })
}
fn fref(name: &str, primes: u32) -> Expr {
    e(ExprKind::FuncRef {
        name: name.into(),
        primes,
    })
}
fn id(name: &str) -> Ident {
    Ident {
        name: name.into(),
        span: Span::default(),
    }
}

/// `e` with every span zeroed (and, if `keep_implicit` is false, every
/// product marked explicit), for comparing trees.
fn strip_with(x: &Expr, keep_implicit: bool) -> Expr {
    let kind = match &x.kind {
        ExprKind::Unary(op, a) => ExprKind::Unary(*op, Box::new(strip_with(a, keep_implicit))),
        ExprKind::Binary {
            op,
            lhs,
            rhs,
            implicit,
        } => ExprKind::Binary {
            op: *op,
            lhs: Box::new(strip_with(lhs, keep_implicit)),
            rhs: Box::new(strip_with(rhs, keep_implicit)),
            implicit: *implicit && keep_implicit,
        },
        ExprKind::Call { func, primes, args } => ExprKind::Call {
            func: id(&func.name),
            primes: *primes,
            args: args.iter().map(|a| strip_with(a, keep_implicit)).collect(),
        },
        k => k.clone(),
    };
    e(kind)
}
fn strip(x: &Expr) -> Expr {
    strip_with(x, true)
}
fn strip_point(p: &Point) -> Point {
    match p {
        Point::Positional(v) => Point::Positional(v.iter().map(strip).collect()),
        Point::Named(v) => Point::Named(v.iter().map(|(k, x)| (id(&k.name), strip(x))).collect()),
    }
}
fn strip_ident(i: &Ident) -> Ident {
    id(&i.name)
}
fn strip_command(c: &Command) -> Command {
    match c {
        Command::Grad { expr, point } => Command::Grad {
            expr: strip(expr),
            point: strip_point(point),
        },
        Command::Hess { expr, point } => Command::Hess {
            expr: strip(expr),
            point: strip_point(point),
        },
        Command::Check { expr, point } => Command::Check {
            expr: strip(expr),
            point: strip_point(point),
        },
        Command::Diff { expr, wrt, point } => Command::Diff {
            expr: strip(expr),
            wrt: wrt.as_ref().map(strip_ident),
            point: strip_point(point),
        },
        Command::Load { path, .. } => Command::Load {
            path: path.clone(),
            span: Span::default(),
        },
        Command::Save { path, .. } => Command::Save {
            path: path.clone(),
            span: Span::default(),
        },
        Command::Set { option } => Command::Set {
            option: option
                .as_ref()
                .map(|(a, b)| (strip_ident(a), strip_ident(b))),
        },
        Command::Del { names } => Command::Del {
            names: names.iter().map(strip_ident).collect(),
        },
        Command::Help { topic } => Command::Help {
            topic: topic.as_ref().map(strip_ident),
        },
        other => other.clone(),
    }
}
fn strip_stmt(s: &StmtKind) -> StmtKind {
    match s {
        StmtKind::Empty => StmtKind::Empty,
        StmtKind::Expr(x) => StmtKind::Expr(strip(x)),
        StmtKind::Assign { name, value } => StmtKind::Assign {
            name: strip_ident(name),
            value: strip(value),
        },
        StmtKind::Define { name, params, body } => StmtKind::Define {
            name: strip_ident(name),
            params: params.iter().map(strip_ident).collect(),
            body: strip(body),
        },
        StmtKind::Report { expr, point } => StmtKind::Report {
            expr: strip(expr),
            point: strip_point(point),
        },
        StmtKind::Command(c) => StmtKind::Command(strip_command(c)),
    }
}

#[track_caller]
fn parse(text: &str) -> Expr {
    match parse_expr(text) {
        Ok(x) => x,
        Err(err) => panic!("`{text}` did not parse: {err:?}"),
    }
}

/// `text` parses to the tree `want` (spans ignored).
#[track_caller]
fn same(text: &str, want: Expr) {
    assert_eq!(strip(&parse(text)), strip(&want), "parsing `{text}`");
}

#[track_caller]
fn line(text: &str) -> Stmt {
    match parse_line(text) {
        Ok(s) => s,
        Err(err) => panic!("`{text}` did not parse: {err:?}"),
    }
}

/// `text` parses to the statement `want` (spans ignored).
#[track_caller]
fn stmt(text: &str, want: StmtKind) {
    assert_eq!(
        strip_stmt(&line(text).kind),
        strip_stmt(&want),
        "parsing `{text}`"
    );
}

#[track_caller]
fn cmd(text: &str, want: Command) {
    stmt(text, StmtKind::Command(want));
}

#[track_caller]
fn fail(text: &str) -> Error {
    match parse_line(text) {
        Ok(s) => panic!("`{text}` parsed, to {:?}", s.kind),
        Err(err) => err,
    }
}

/// `text` fails to parse with exactly `message`.
#[track_caller]
fn fail_msg(text: &str, message: &str) -> Error {
    let err = fail(text);
    assert_eq!(err.message, message, "error for `{text}`");
    err
}

/// `text` fails with exactly `message`, pointing at `start..end`.
#[track_caller]
fn fail_at(text: &str, message: &str, start: usize, end: usize) {
    let err = fail_msg(text, message);
    assert_eq!(err.kind, ErrorKind::Parse, "kind for `{text}`");
    assert_eq!(err.span, Some(Span::new(start, end)), "span for `{text}`");
}

#[track_caller]
fn fail_limit(text: &str) -> Error {
    let err = fail(text);
    assert_eq!(
        err.kind,
        ErrorKind::Limit,
        "kind for a long input: {}",
        err.message
    );
    err
}

// ---------------------------------------------------------------- numbers and names

#[test]
fn numbers() {
    same("2", n(2.0));
    same("2.5", n(2.5));
    same(".5", n(0.5));
    same("1e-3", n(1e-3));
    same("6.02E23", n(6.02e23));
    same("1e+3", n(1000.0));
    // `2e` is 2 times the constant e, not a broken exponent
    same("2e", imul(n(2.0), v("e")));
    fail_msg("1e999", "number `1e999` is too large for a 64-bit float");
    let err = fail_msg("3.", "unexpected character `.`");
    assert_eq!(err.span, Some(Span::new(1, 2)));
}

#[test]
fn names() {
    same("x", v("x"));
    same("x1", v("x1"));
    same("x_2", v("x_2"));
    same("alpha", v("alpha"));
    same("_t", v("_t"));
    // `xy` is one name, never x*y
    same("xy", v("xy"));
    // names that start with a reserved word are names
    same("atan(x)", call("atan", 0, vec![v("x")]));
    same(
        "x_at + step1 + order_",
        add(add(v("x_at"), v("step1")), v("order_")),
    );
    fail_at("xé", "unexpected character `é`", 1, 3);
    assert_eq!(
        fail("é").help.as_deref(),
        Some("names use only ASCII letters, digits and `_`")
    );
}

#[test]
fn reserved_words_are_not_names() {
    for w in RESERVED {
        let err = fail_msg(
            &format!("{w} + 1"),
            &format!("`{w}` is a reserved word and cannot be used as a name"),
        );
        assert_eq!(err.span, Some(Span::new(0, w.len())));
        fail_msg(
            &format!("{w} = 2"),
            &format!("`{w}` is a reserved word and cannot be used as a name"),
        );
        fail_msg(
            &format!("f({w}) = 2"),
            &format!("`{w}` is a reserved word and cannot be used as a name"),
        );
    }
    let err = fail_msg("1 + at", "expected an expression after `+`, found `at`");
    assert_eq!(err.span, Some(Span::new(4, 6)));
    assert_eq!(
        err.help.as_deref(),
        Some("`at` is a reserved word, not a name")
    );
    fail_at(
        ":grad x+ at 1",
        "expected an expression after `+`, found `at`",
        9,
        11,
    );
}

// ---------------------------------------------------------------- precedence

#[test]
fn sums_and_products_are_left_associative() {
    same("1 - 2 - 3", sub(sub(n(1.0), n(2.0)), n(3.0)));
    same("1 / 2 / 3", div(div(n(1.0), n(2.0)), n(3.0)));
    same("1 + 2 * 3", add(n(1.0), mul(n(2.0), n(3.0))));
    same("1 * 2 + 3", add(mul(n(1.0), n(2.0)), n(3.0)));
    same(
        "a - b * c / d",
        sub(v("a"), div(mul(v("b"), v("c")), v("d"))),
    );
}

#[test]
fn powers_are_right_associative_and_tightest() {
    same("2^3^2", pow(n(2.0), pow(n(3.0), n(2.0))));
    same("2**3**2", pow(n(2.0), pow(n(3.0), n(2.0))));
    same("x^2*3", mul(pow(v("x"), n(2.0)), n(3.0)));
    same("(2^3)^2", pow(pow(n(2.0), n(3.0)), n(2.0)));
}

#[test]
fn signs_sit_between_products_and_powers() {
    same("-x^2", neg(pow(v("x"), n(2.0))));
    same("-2^2", neg(pow(n(2.0), n(2.0))));
    same("2^-1", pow(n(2.0), neg(n(1.0))));
    same("2^-x*3", mul(pow(n(2.0), neg(v("x"))), n(3.0)));
    same("-x*y", mul(neg(v("x")), v("y")));
    same("+x", plus(v("x")));
    same("--x", neg(neg(v("x"))));
    same("1 - -x", sub(n(1.0), neg(v("x"))));
    same("2 ++ 3", add(n(2.0), plus(n(3.0))));
    same("a * -b", mul(v("a"), neg(v("b"))));
    same("2^-x^2", pow(n(2.0), neg(pow(v("x"), n(2.0)))));
}

// ---------------------------------------------------------------- implicit products

#[test]
fn implicit_products_of_the_spec() {
    same("3x", imul(n(3.0), v("x")));
    same("2sin(x)", imul(n(2.0), call("sin", 0, vec![v("x")])));
    same("2(x+1)", imul(n(2.0), add(v("x"), n(1.0))));
    same("(x+1)(x-1)", imul(add(v("x"), n(1.0)), sub(v("x"), n(1.0))));
    same("(a+b)c", imul(add(v("a"), v("b")), v("c")));
    same("2 x", imul(n(2.0), v("x")));
    same("2f'(x)", imul(n(2.0), call("f", 1, vec![v("x")])));
}

#[test]
fn implicit_products_bind_between_signs_and_powers() {
    same("2x^2", imul(n(2.0), pow(v("x"), n(2.0))));
    same("-2x", neg(imul(n(2.0), v("x"))));
    same(
        "3x^2+2x-1",
        sub(
            add(imul(n(3.0), pow(v("x"), n(2.0))), imul(n(2.0), v("x"))),
            n(1.0),
        ),
    );
    // tighter than `/`: a/2x is a/(2x)
    same("1/2x", div(n(1.0), imul(n(2.0), v("x"))));
    same("2x*y", mul(imul(n(2.0), v("x")), v("y")));
    // left-associative
    same("2(a)(b)", imul(imul(n(2.0), v("a")), v("b")));
    // the factor on the left of `y` is the number 2: (x^2)y
    same("x^2y", imul(pow(v("x"), n(2.0)), v("y")));
}

#[test]
fn implicit_products_refused() {
    fail_at(
        "x y",
        "implicit multiplication needs a number or a parenthesised group on the left; write `x*y`",
        0,
        3,
    );
    fail_at(
        "sin(x)y",
        "implicit multiplication needs a number or a parenthesised group on the left; write `sin(x)*y`",
        0,
        7,
    );
    fail_msg(
        "2x y",
        "implicit multiplication needs a number or a parenthesised group on the left; write `x*y`",
    );
    // `sin*x` would be no better: a built-in needs its parentheses.
    let err = fail_msg(
        "sin x",
        "`sin` is a function: its argument goes in parentheses",
    );
    assert_eq!(err.help.as_deref(), Some("write `sin(x)`"));
    // The advice has no stray blank (`x(y )`).
    let err = fail_msg(
        "x y at 1, 2",
        "implicit multiplication needs a number or a parenthesised group on the left; write `x*y`",
    );
    assert_eq!(err.help.as_deref(), Some("to call `x`, write `x(y)`"));
    // a number on the right is never an implicit product
    fail_at("2 3", "unexpected `3`", 2, 3);
    fail_at("(a)2", "unexpected `2`", 3, 4);
    fail_at("x 2", "unexpected `2`", 2, 3);
    // a name followed by parentheses is a call, not a product
    same("x(y)", call("x", 0, vec![v("y")]));
    same("x (y)", call("x", 0, vec![v("y")]));
}

#[test]
fn implicit_products_do_not_swallow_keys() {
    stmt(
        "2x at x=1, y=2",
        StmtKind::Report {
            expr: imul(n(2.0), v("x")),
            point: Point::Named(vec![(id("x"), n(1.0)), (id("y"), n(2.0))]),
        },
    );
    fail_at("x^2 at 2 y=3", "unexpected `y`", 9, 10);
    fail_at("2 lr=0.3", "unexpected `lr`", 2, 4);
}

// ---------------------------------------------------------------- calls and primes

#[test]
fn calls() {
    same("sin(x)", call("sin", 0, vec![v("x")]));
    same("atan2(y, x)", call("atan2", 0, vec![v("y"), v("x")]));
    same("g(1, 2, 3)", call("g", 0, vec![n(1.0), n(2.0), n(3.0)]));
    same("sin()", call("sin", 0, vec![]));
    same(
        "f(g(x), -y^2)",
        call(
            "f",
            0,
            vec![call("g", 0, vec![v("x")]), neg(pow(v("y"), n(2.0)))],
        ),
    );
    same("sin(x)^2", pow(call("sin", 0, vec![v("x")]), n(2.0)));
}

#[test]
fn primes() {
    same("f'(x)", call("f", 1, vec![v("x")]));
    same("f''(x)", call("f", 2, vec![v("x")]));
    same("f'''''(x)", call("f", 5, vec![v("x")]));
    same("sin'(x)", call("sin", 1, vec![v("x")]));
    same("f' (x)", call("f", 1, vec![v("x")]));
    same("f'", fref("f", 1));
    same("f''", fref("f", 2));
    same("f'^2", pow(fref("f", 1), n(2.0)));
    fail_msg("f '(x)", "unexpected `'`");
}

#[test]
fn spans() {
    let x = parse("  sin(x) + 1");
    assert_eq!(x.span, Span::new(2, 12));
    let ExprKind::Binary { lhs, rhs, .. } = &x.kind else {
        panic!("{x:?}")
    };
    assert_eq!(lhs.span, Span::new(2, 8));
    assert_eq!(rhs.span, Span::new(11, 12));
    let ExprKind::Call { func, args, .. } = &lhs.kind else {
        panic!("{lhs:?}")
    };
    assert_eq!(func.span, Span::new(2, 5));
    assert_eq!(args[0].span, Span::new(6, 7));
    // a group covers its parentheses; a sign covers its operand
    assert_eq!(parse("(x + 1)").span, Span::new(0, 7));
    assert_eq!(parse("-x^2").span, Span::new(0, 4));
    assert_eq!(parse("f''(x)").span, Span::new(0, 6));
    // statements span their text, without the comment
    assert_eq!(line("x = 2  # two").span, Span::new(0, 5));
    assert_eq!(line(" :grad x at 1, 2 ").span, Span::new(1, 16));
    let s = line("f(a, b) = a*b");
    let StmtKind::Define { name, params, .. } = &s.kind else {
        panic!("{s:?}")
    };
    assert_eq!(name.span, Span::new(0, 1));
    assert_eq!(params[1].span, Span::new(5, 6));
}

// ---------------------------------------------------------------- statements

#[test]
fn statements() {
    stmt("", StmtKind::Empty);
    stmt("   \t ", StmtKind::Empty);
    stmt("# just a comment", StmtKind::Empty);
    stmt("  # indented comment", StmtKind::Empty);
    stmt("x^2 # square", StmtKind::Expr(pow(v("x"), n(2.0))));
    stmt(
        "a = 2",
        StmtKind::Assign {
            name: id("a"),
            value: n(2.0),
        },
    );
    stmt(
        "g(x1, x2) = (x1+5)*x2^2",
        StmtKind::Define {
            name: id("g"),
            params: vec![id("x1"), id("x2")],
            body: mul(add(v("x1"), n(5.0)), pow(v("x2"), n(2.0))),
        },
    );
    stmt(
        "f(x) = 2x",
        StmtKind::Define {
            name: id("f"),
            params: vec![id("x")],
            body: imul(n(2.0), v("x")),
        },
    );
    stmt(
        "g at 2, 3",
        StmtKind::Report {
            expr: v("g"),
            point: Point::Positional(vec![n(2.0), n(3.0)]),
        },
    );
    stmt(
        "sin(x)*y at -1, pi/2",
        StmtKind::Report {
            expr: mul(call("sin", 0, vec![v("x")]), v("y")),
            point: Point::Positional(vec![neg(n(1.0)), div(v("pi"), n(2.0))]),
        },
    );
    stmt(
        "x1*x2 at x1=2, x2=3",
        StmtKind::Report {
            expr: mul(v("x1"), v("x2")),
            point: Point::Named(vec![(id("x1"), n(2.0)), (id("x2"), n(3.0))]),
        },
    );
}

#[test]
fn statement_errors() {
    fail_at(
        "2 = x",
        "cannot assign to a number: the left of `=` must be a name (`a = 2`) or a function head (`f(x, y) = x*y`)",
        0,
        1,
    );
    fail_at(
        "x + 1 = 3",
        "cannot assign to an expression: the left of `=` must be a name (`a = 2`) or a function head (`f(x, y) = x*y`)",
        0,
        5,
    );
    fail_at("f() = 1", "function `f` needs at least one parameter", 0, 3);
    fail_at("f(x, x) = 1", "parameter `x` appears twice", 5, 6);
    fail_at(
        "f(x, 2) = 1",
        "a parameter must be a plain name, such as `x`",
        5,
        6,
    );
    fail_at(
        "f'(x) = 1",
        "cannot define a derivative: define `f` and use `f'`",
        0,
        1,
    );
    fail_at(
        "x at x=1, 2",
        "a point is either all positional (`2, 3`) or all named (`x=2, y=3`), not a mix",
        10,
        11,
    );
    fail_at(
        "x at 1, y=2",
        "a point is either all positional (`2, 3`) or all named (`x=2, y=3`), not a mix",
        8,
        11,
    );
    fail_at("x*y at x=1, x=2", "`x` is given twice in the point", 12, 13);
    fail_at("x at", "expected a point after `at`", 4, 4);
    fail_at("x at )", "expected a point after `at`, found `)`", 5, 6);
    fail_at("a =", "expected an expression after `=`", 3, 3);
    fail_at("x == 1", "unexpected `=`", 2, 3);
}

// ---------------------------------------------------------------- commands

#[test]
fn derivative_commands() {
    let g = || call("g", 0, vec![v("x1"), v("x2")]);
    let at23 = || Point::Positional(vec![n(2.0), n(3.0)]);
    cmd(
        ":grad g(x1,x2) at 2,3",
        Command::Grad {
            expr: g(),
            point: at23(),
        },
    );
    cmd(
        ":hess g(x1,x2) at 2, 3",
        Command::Hess {
            expr: g(),
            point: at23(),
        },
    );
    cmd(
        ":check g(x1,x2) at 2, 3",
        Command::Check {
            expr: g(),
            point: at23(),
        },
    );
    cmd(
        ":grad g at x1=2, x2=3",
        Command::Grad {
            expr: v("g"),
            point: Point::Named(vec![(id("x1"), n(2.0)), (id("x2"), n(3.0))]),
        },
    );
    let poly = || {
        sub(
            add(imul(n(3.0), pow(v("x"), n(2.0))), imul(n(2.0), v("x"))),
            n(1.0),
        )
    };
    cmd(
        ":diff 3x^2+2x-1 at 1",
        Command::Diff {
            expr: poly(),
            wrt: None,
            point: Point::Positional(vec![n(1.0)]),
        },
    );
    for text in [":diff x*y wrt y at 1, 2", ":diff x*y at 1, 2 wrt y"] {
        cmd(
            text,
            Command::Diff {
                expr: mul(v("x"), v("y")),
                wrt: Some(id("y")),
                point: Point::Positional(vec![n(1.0), n(2.0)]),
            },
        );
    }
    let s = line(":diff x wrt x at 1");
    let StmtKind::Command(Command::Diff { wrt: Some(w), .. }) = &s.kind else {
        panic!("{s:?}")
    };
    assert_eq!(w.span, Span::new(12, 13));
}

#[test]
fn derivative_command_errors() {
    fail_at(":grad x^2 at", "expected a point after `at`", 12, 12);
    fail_at(
        ":grad x^2",
        "expected `at` and a point after the expression",
        9,
        9,
    );
    fail_at(
        ":hess x^2 # no point",
        "expected `at` and a point after the expression",
        9,
        9,
    );
    fail_at(":grad", "expected an expression after `:grad`", 5, 5);
    fail_at(":grad at 1", "expected an expression before `at`", 6, 8);
    fail_at(
        ":diff x wrt at 1",
        "expected a variable name after `wrt`, found `at`",
        12,
        14,
    );
    fail_at(":diff x wrt x at 1 wrt x", "`wrt` is given twice", 19, 24);
    fail_at(":grad x^2 at 1 2", "unexpected `2`", 15, 16);
}

#[test]
fn file_commands() {
    cmd(
        ":load defs.deriv",
        Command::Load {
            path: "defs.deriv".into(),
            span: Span::default(),
        },
    );
    cmd(
        ":save  my file.txt   # trailing comment",
        Command::Save {
            path: "my file.txt".into(),
            span: Span::default(),
        },
    );
    cmd(
        ":load \"a # b.deriv\"",
        Command::Load {
            path: "a # b.deriv".into(),
            span: Span::default(),
        },
    );
    cmd(
        ":load dir/f(1).deriv",
        Command::Load {
            path: "dir/f(1).deriv".into(),
            span: Span::default(),
        },
    );
    let s = line(":load  defs.deriv ");
    assert_eq!(
        s.kind,
        StmtKind::Command(Command::Load {
            path: "defs.deriv".into(),
            span: Span::new(7, 17)
        })
    );
    let s = line(":save \"x y\"");
    assert_eq!(
        s.kind,
        StmtKind::Command(Command::Save {
            path: "x y".into(),
            span: Span::new(7, 10)
        })
    );
    fail_at(":load", "expected a file name after `:load`", 5, 5);
    fail_at(
        ":save   # nothing",
        "expected a file name after `:save`",
        5,
        5,
    );
    fail_at(":load \"\"", "the file name is empty", 6, 8);
    fail_at(
        ":load \"abc",
        "missing closing `\"` after the file name",
        6,
        10,
    );
    fail_at(":load \"a\" b", "unexpected `b`", 10, 11);
}

#[test]
fn session_commands() {
    cmd(":set", Command::Set { option: None });
    cmd(
        ":set check on",
        Command::Set {
            option: Some((id("check"), id("on"))),
        },
    );
    cmd(
        ":set digits 6",
        Command::Set {
            option: Some((id("digits"), id("6"))),
        },
    );
    cmd(":vars", Command::Vars);
    cmd(":funcs", Command::Funcs);
    cmd(":clear", Command::Clear);
    cmd(
        ":del a",
        Command::Del {
            names: vec![id("a")],
        },
    );
    cmd(
        ":del a b, c",
        Command::Del {
            names: vec![id("a"), id("b"), id("c")],
        },
    );
    cmd(":help", Command::Help { topic: None });
    for (text, topic) in [
        (":help sin", "sin"),
        (":help :grad", "grad"),
        (":help grad", "grad"),
        (":help syntax", "syntax"),
    ] {
        cmd(
            text,
            Command::Help {
                topic: Some(id(topic)),
            },
        );
    }
    for text in [":quit", ":q", ":exit", "  :quit  # bye"] {
        cmd(text, Command::Quit);
    }
    fail_at(":set digits", "expected a value after `digits`", 11, 11);
    fail_at(":set digits 6 7", "unexpected `7`", 14, 15);
    fail_at(":set (", "expected a setting after `:set`, found `(`", 5, 6);
    fail_at(":vars x", "`:vars` takes no arguments", 6, 7);
    fail_at(":quit now", "`:quit` takes no arguments", 6, 9);
    fail_at(":del", "expected a name after `:del`", 4, 4);
    fail_at(":del a,", "expected a name after `,`", 7, 7);
    fail_at(":help 2", "expected a topic after `:help`, found `2`", 6, 7);
}

#[test]
fn unknown_commands() {
    fail_at(
        ":gard x at 1",
        "unknown command `:gard`; did you mean `:grad`?",
        0,
        5,
    );
    fail_at(
        "  :hes x at 1",
        "unknown command `:hes`; did you mean `:hess`?",
        2,
        6,
    );
    fail_at(
        ":vors",
        "unknown command `:vors`; did you mean `:vars`?",
        0,
        5,
    );
    let err = fail_msg(":frobnicate", "unknown command `:frobnicate`");
    assert_eq!(err.help.as_deref(), Some("`:help` lists the commands"));
    let long = format!(":{}", "z".repeat(N));
    let err = fail_msg(&long, "unknown command `:zzzzzzzzzzzzzzzzzzzzzzz…`");
    assert_eq!(err.span, Some(Span::new(0, N + 1)));
    fail_at(":", "expected a command name after `:`", 0, 1);
    fail_at(": grad", "expected a command name after `:`", 0, 1);
    // the command word is one token
    fail_at(
        ":gradx",
        "unknown command `:gradx`; did you mean `:grad`?",
        0,
        6,
    );
}

// ---------------------------------------------------------------- error messages

#[test]
fn expression_errors() {
    fail_at("(1+2", "expected `)`", 4, 4);
    fail_at("sin(x", "expected `)`", 5, 5);
    fail_at("2 +", "expected an expression after `+`", 3, 3);
    fail_at("2 *   ", "expected an expression after `*`", 3, 3);
    fail_at("x^", "expected an expression after `^`", 2, 2);
    fail_at("x**", "expected an expression after `**`", 3, 3);
    fail_at("sin(", "expected an argument or `)`", 4, 4);
    fail_at("f'(", "expected an argument or `)`", 3, 3);
    fail_at("(", "expected an expression after `(`", 1, 1);
    fail_at(
        "1 +* 2",
        "expected an expression after `+`, found `*`",
        3,
        4,
    );
    fail_at(
        "sin(1,)",
        "expected an expression after `,`, found `)`",
        6,
        7,
    );
    fail_at("2 3", "unexpected `3`", 2, 3);
    fail_at(")", "unmatched `)`", 0, 1);
    fail_at("(1))", "unmatched `)`", 3, 4);
    fail_at("* 2", "expected an expression, found `*`", 0, 1);
    fail_at("1, 2", "unexpected `,`", 1, 2);
    fail_at("x $ 2", "unexpected character `$`", 2, 3);
    assert_eq!(
        fail("2 × 3").help.as_deref(),
        Some("write `*` for a product")
    );
    // parse_expr reads the same language without statements
    let err = parse_expr("x = 1").unwrap_err();
    assert_eq!(err.message, "unexpected `=`");
    let err = parse_expr("").unwrap_err();
    assert_eq!(err.message, "expected an expression");
    assert_eq!(err.span, Some(Span::new(0, 0)));
    assert!(parse_expr(":grad x at 1").is_err());
}

#[test]
fn control_characters() {
    fail_at("\0", "unexpected control character U+0000", 0, 1);
    fail_at("x + \u{7}1", "unexpected control character U+0007", 4, 5);
    fail_at("1\n+2", "unexpected control character U+000A", 1, 2);
    fail_at("é\u{7f}", "unexpected control character U+007F", 2, 3);
    assert!(parse_expr("x\u{0}").is_err());
    // tab is a blank
    same("\tx\t+\t1", add(v("x"), n(1.0)));
}

// ---------------------------------------------------------------- limits

const N: usize = 100_000;

#[test]
fn deep_parentheses_are_a_limit_error() {
    let text = format!("{}x{}", "(".repeat(N), ")".repeat(N));
    let err = fail_limit(&text);
    assert_eq!(
        err.message,
        "expression nested too deeply (the limit is 200)"
    );
    assert!(err.help.as_deref().is_some_and(|h| h.contains("regroup")));
    assert_eq!(err.span, Some(Span::new(200, 201)));
    // unbalanced too
    fail_limit(&"(".repeat(N));
    fail_limit(&format!(":grad {}x at 1", "sin(".repeat(N)));
}

#[test]
fn nesting_up_to_the_limit_is_accepted() {
    let text = format!("{}x{}", "(".repeat(200), ")".repeat(200));
    assert_eq!(strip(&parse(&text)), v("x"));
    let text = format!("{}x{}", "sin(".repeat(200), ")".repeat(200));
    let deep = parse(&text);
    assert_eq!(parse(&deep.to_string()).to_string(), deep.to_string());
    let text = format!("{}x{}", "-(".repeat(100), ")".repeat(100));
    parse(&text);
    let text = format!("{}x", "-".repeat(200));
    parse(&text);
    fail_limit(&format!("{}x{}", "-(".repeat(101), ")".repeat(101)));
    fail_limit(&format!("{}x", "-".repeat(201)));
    fail_limit(&format!("x{}", "^2".repeat(201)));
}

#[test]
fn many_signs_are_a_limit_error() {
    let err = fail_limit(&format!("{}x", "-".repeat(N)));
    assert_eq!(
        err.message,
        "expression nested too deeply (the limit is 200)"
    );
    assert_eq!(err.span, Some(Span::new(200, 201)));
    fail_limit(&format!("{}x", "+-".repeat(N)));
}

#[test]
fn long_power_chains_are_a_limit_error() {
    fail_limit(&format!("x{}", "^2".repeat(N)));
    let err = fail_limit(&format!("x{}", "^2".repeat(1000)));
    assert_eq!(
        err.message,
        "expression nested too deeply (the limit is 200)"
    );
    assert_eq!(err.span, Some(Span::new(401, 402)));
}

#[test]
fn huge_lines_are_refused_or_accepted_never_a_crash() {
    // 1 MB of `1+1+…`: more numbers than the node limit
    let text = format!("{}1", "1+".repeat((1 << 20) / 2 - 1));
    assert!(text.len() <= 1 << 20);
    let err = fail_limit(&text);
    assert_eq!(
        err.message,
        "expression too large (the limit is 100000 nodes)"
    );
    // one byte more than the line limit
    let err = fail_limit(&"1".repeat((1 << 20) + 1));
    assert_eq!(err.message, "line too long (the limit is 1048576 bytes)");
    // a flat chain of any length up to the node limit is accepted, printed,
    // cloned, compared and dropped (each walks its left side with a loop)
    for op in ["+", "*", "-", "/"] {
        let text = format!("{}1", format!("x{op}").repeat(49_000));
        let chain = parse(&text);
        let printed = chain.to_string();
        assert_eq!(printed.len(), 49_000 * 4 + 1);
        assert_eq!(parse(&printed).to_string(), printed);
        assert!(chain.clone() == chain);
    }
    // nesting on the right is what stays bounded, and says how to regroup
    let text = format!("{}x{}", "x+(".repeat(300), ")".repeat(300));
    let err = fail_limit(&text);
    assert_eq!(
        err.message,
        "expression nested too deeply (the limit is 200)"
    );
    // a long name is fine
    assert_eq!(parse(&"a".repeat(100_000)).span, Span::new(0, 100_000));
}

// ---------------------------------------------------------------- properties

/// Trees the parser can produce: numbers are non-negative and finite (a
/// minus is a `Unary`), names are not reserved, products are explicit
/// (`Display` writes `*`).
fn arb_expr() -> impl Strategy<Value = Expr> {
    let num = prop_oneof![
        (0u32..1000).prop_map(f64::from),
        0.0f64..1e3,
        1e-300f64..1e300,
        prop::sample::select(vec![0.5, 1e-7, 6.02e23, 1e16, 1e-5, 5e-324, f64::MAX]),
    ]
    .prop_map(n);
    let name = prop::sample::select(vec!["x", "y", "x1", "alpha", "_t", "e", "pi", "atan", "xy"]);
    let leaf = prop_oneof![
        4 => num,
        4 => name.clone().prop_map(v),
        1 => (name.clone(), 1u32..4).prop_map(|(f, p)| fref(f, p)),
    ];
    leaf.prop_recursive(6, 64, 4, move |inner| {
        prop_oneof![
            (inner.clone(), any::<bool>()).prop_map(|(a, m)| if m { neg(a) } else { plus(a) }),
            (
                inner.clone(),
                inner.clone(),
                prop::sample::select(vec![
                    BinOp::Add,
                    BinOp::Sub,
                    BinOp::Mul,
                    BinOp::Div,
                    BinOp::Pow
                ])
            )
                .prop_map(|(a, b, op)| bin(op, a, b, false)),
            (
                name.clone(),
                0u32..3,
                prop::collection::vec(inner.clone(), 0..4)
            )
                .prop_map(|(f, p, args)| call(f, p, args)),
        ]
    })
}

/// Pieces of the language, glued at random.
const ALPHABET: &[&str] = &[
    "x", "y", "2", "0.5", ".", "e", "E", "3", "(", ")", "+", "-", "*", "**", "^", "/", ",", "=",
    "==", "'", " ", " ", "\t", "at", "wrt", "from", "sin", "f", ":grad", ":diff", ":load", ":set",
    ":del", ":help", ":q", ":", "\"", "#", "é", "×", "\u{0}", "_", "1e", "9",
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn printing_parses_back_to_the_same_tree(x in arb_expr()) {
        let text = x.to_string();
        let back = parse_expr(&text);
        prop_assert!(back.is_ok(), "`{}` did not parse: {:?}", text, back);
        prop_assert_eq!(strip(&back.unwrap()), strip(&x), "via `{}`", text);
    }

    #[test]
    fn random_lines_never_panic(parts in prop::collection::vec(prop::sample::select(ALPHABET), 0..24)) {
        let text: String = parts.concat();
        for result in [parse_line(&text).map(|_| ()), parse_expr(&text).map(|_| ())] {
            if let Err(err) = result {
                prop_assert!(!err.message.is_empty());
                if let Some(s) = err.span {
                    prop_assert!(s.start <= s.end && s.end <= text.len(), "{:?} in `{}`", s, text);
                    prop_assert!(text.is_char_boundary(s.start) && text.is_char_boundary(s.end));
                }
            }
        }
        // whatever parses as an expression prints back to the same tree
        if let Ok(x) = parse_expr(&text) {
            let again = parse_expr(&x.to_string());
            prop_assert!(again.is_ok(), "`{}` printed as `{}` did not parse", text, x);
            prop_assert_eq!(strip_with(&again.unwrap(), false), strip_with(&x, false));
        }
    }
}

#[test]
fn keyword_arguments_are_shown_by_position() {
    let e = fail_msg("sum(x, axis=0)", "unexpected `=`");
    assert_eq!(
        e.help.as_deref(),
        Some("arguments go by position, without names: write `sum(x, 0)`")
    );
    let e = fail_msg(":grad log(x, base=2) at 3", "unexpected `=`");
    assert_eq!(
        e.help.as_deref(),
        Some("arguments go by position, without names: write `:grad log(x, 2) at 3`")
    );
    // Not inside a call: no such help.
    assert_eq!(
        fail_msg("x = = 1", "expected an expression after `=`, found `=`").help,
        None
    );
}

#[test]
fn empty_indexes_and_slices_outside_an_index_say_what_to_write() {
    let e = fail_msg("x[]", "`x[]` has no index");
    assert_eq!(
        e.help.as_deref(),
        Some("write `x[0]` for an entry, or `x[:]` for all of them")
    );
    let e = fail_msg("[1:2]", "unexpected character `:`");
    assert!(e.help.is_some_and(|h| h.contains("goes in an index")));
    // Inside an index a `:` is a slice, and the line parses.
    assert!(parse_line("x[1:2]").is_ok());
}
