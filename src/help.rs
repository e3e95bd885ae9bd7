//! The text of `:help` and its topics, built from the command and built-in
//! tables so that it never goes out of date.

use crate::builtins::{BUILTINS, CONSTANTS};
use crate::command::COMMANDS;
use crate::error::{Error, ErrorKind};
use crate::limits;

/// The syntax topic: the language in brief.
const SYNTAX: &str = "\
Expressions
  numbers      2  2.5  .5  1e-3  6.02E23
  names        x  x1  x_2  alpha      (xy is one name, never x*y)
  operators    + - * /  ^ or **       (^ is right-associative: 2^3^2 = 512)
  precedence   + -  <  * / and implicit products  <  prefix -  <  ^
               so -x^2 = -(x^2), 2^-1 = 0.5, 2x^2 = 2*(x^2)
  implicit     3x  2sin(x)  2(x+1)  (x+1)(x-1)  (a+b)c   (left side a number or a group)
  calls        sin(x)  atan2(y, x)  g(1, 2)   derivatives: f'(x)  f''(x)  sin'(x)
  comments     # to the end of the line
Statements
  EXPR                  its value
  name = EXPR           a variable (the value is computed now)
  f(x, y) = EXPR        a function (no recursion)
  EXPR at POINT         value, gradient, Hessian and the finite-difference check
Points
  positional   at 2, 3        values go to the variables in order: the parameters of g
                              for `g` or `g(x1,x2)`, else the order names first appear
  named        at x1=2, x2=3  a named variable wins over a constant: `at e=1.5`
Reserved words: at wrt from on step order";

/// The check topic: what the finite-difference line means.
const CHECK: &str = "\
Every derivative is computed exactly (to rounding) by forward-mode automatic
differentiation with dual numbers, and then cross-checked by finite differences:
central differences on a shrinking sequence of steps, Richardson extrapolation, and
the estimate with the smallest error bound. An entry passes when
    |ad - fd| <= atol + rtol*|fd|
(tighter where the error estimate allows), fails otherwise, is 'uncertain' when the
finite difference is too noisy to judge, and is a 'kink' when the left and right
derivatives differ (no derivative exists). `:check EXPR at POINT` prints every entry;
`:set check off` (or --no-check) turns the line off.";

/// The limits topic.
fn limits_text() -> String {
    format!(
        "Limits (each gives an error that names it):\n\
         \x20 line length            {} bytes\n\
         \x20 expression nesting     {} levels\n\
         \x20 expression size        {} nodes\n\
         \x20 user-function calls    {} deep\n\
         \x20 operations per eval    {}\n\
         \x20 variables              {} per command\n\
         \x20 dense Hessian          {} variables\n\
         \x20 check on the Hessian   {} variables; on the gradient {}\n\
         \x20 derivative order       {} (primes, nested)\n\
         \x20 :load                  {} files deep, {} bytes a file",
        limits::MAX_LINE_BYTES,
        limits::MAX_NESTING,
        limits::MAX_NODES,
        limits::MAX_CALL_DEPTH,
        limits::MAX_EVAL_STEPS,
        limits::MAX_VARS,
        limits::MAX_HESSIAN_VARS,
        limits::MAX_CHECK_HESSIAN_VARS,
        limits::MAX_CHECK_VARS,
        limits::MAX_ORDER,
        limits::MAX_LOAD_DEPTH,
        limits::MAX_LOAD_BYTES,
    )
}

/// The help text for `topic` (a command, with or without its colon; a
/// function; a constant; `syntax`, `check`, `limits`, `functions`), or the
/// overview.
pub fn help(topic: Option<&str>) -> Result<String, Error> {
    let Some(topic) = topic else {
        return Ok(overview());
    };
    let t = topic.trim_start_matches(':');
    if let Some(c) = COMMANDS.iter().find(|c| c.name == t) {
        return Ok(format!(
            "{}\n  {}\n  example: {}",
            c.syntax, c.summary, c.example
        ));
    }
    if let Some(b) = BUILTINS.iter().find(|b| b.name == t) {
        return Ok(format!("{}\n  {}\n  example: :diff {} at 0.5", b.syntax, b.summary, example_call(b.name, b.min_args)));
    }
    if let Some((name, value, about)) = CONSTANTS.iter().find(|c| c.0 == t) {
        return Ok(format!(
            "{name} = {}\n  {about}\n  A parameter or variable named {name} shadows it.",
            crate::format::shortest(*value)
        ));
    }
    match t {
        "syntax" => Ok(SYNTAX.to_string()),
        "check" => Ok(CHECK.to_string()),
        "limits" => Ok(limits_text()),
        "functions" => Ok(functions()),
        _ => Err(Error::new(ErrorKind::Command, format!("no help on `{topic}`"))
            .help("topics: a command (grad), a function (sin), syntax, functions, check, limits")),
    }
}

fn example_call(name: &str, args: usize) -> String {
    match args {
        1 => format!("{name}(x)"),
        _ => format!("{name}(x, 2)"),
    }
}

fn functions() -> String {
    let mut s = String::from("Built-in functions (each differentiable to any order where the mathematics allows):\n");
    for b in BUILTINS {
        s.push_str(&format!("  {:<16} {}\n", b.syntax, b.summary));
    }
    s.push_str("Constants:\n");
    for (name, _, about) in CONSTANTS {
        s.push_str(&format!("  {name:<16} {about}\n"));
    }
    s.pop();
    s
}

fn overview() -> String {
    let mut s = String::from(
        "deriv: exact derivatives by dual numbers, checked by finite differences.\n\
         Type an expression (2^10), a definition (g(x1,x2) = (x1+5)*x2^2),\n\
         a report (g at 2, 3) or a command:\n",
    );
    for c in COMMANDS {
        s.push_str(&format!("  {:<40} {}\n", c.syntax, c.summary));
    }
    let names: Vec<&str> = BUILTINS.iter().map(|b| b.name).collect();
    s.push_str(&format!("Functions: {}\n", names.join(" ")));
    let consts: Vec<&str> = CONSTANTS.iter().map(|c| c.0).collect();
    s.push_str(&format!("Constants: {}\n", consts.join(" ")));
    s.push_str("More: :help syntax, :help functions, :help check, :help limits, :help NAME");
    s
}
