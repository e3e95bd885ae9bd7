//! The text of `:help` and its topics, built from the command and built-in
//! tables so that it never goes out of date.

use crate::builtins::{self, BUILTINS, Builtin, CONSTANTS};
use crate::error::{Error, ErrorKind};
use crate::limits;
use crate::syntax::COMMANDS;

/// The syntax topic: the language in brief.
const SYNTAX: &str = "\
Expressions
  numbers      2  2.5  .5  1e-3  6.02E23
  names        x  x1  x_2  alpha      (xy is one name, never x*y)
  operators    + - * /  ^ or **       (^ is right-associative: 2^3^2 = 512)
  precedence   + -  <  * /  <  prefix - +  <  implicit product  <  ^
               so -x^2 = -(x^2), 2^-1 = 0.5, 2x^2 = 2*(x^2), -2x = -(2x), 1/2x = 1/(2x)
  implicit     3x  2sin(x)  2(x+1)  (x+1)(x-1)  (a+b)c   (left side a number or a group)
  calls        sin(x)  atan2(y, x)  g(1, 2)   derivatives: f'(x)  f''(x)  sin'(x)
               a function's name alone is not a value: sin^2 is an error (write sin(x)^2)
  also read    π (pi), x² x³ (x^2, x^3); √x |x| ÷ ∞ are not: use sqrt(x) abs(x) / inf
  ans          the last value computed
  comments     # to the end of the line;  `;` separates statements on one line
Statements
  EXPR                  its value
  name = EXPR           a variable (the value is computed now; e = 3 hides e, with a warning)
  f(x, y) = EXPR        a function (no recursion)
  EXPR at POINT         value, gradient, Hessian and the finite-difference check
Points
  positional   at 2, 3        values go to the variables in order: the parameters of g
                              for `g` or `g(x1,x2)`, else the order names first appear
  named        at x1=2, x2=3  a named variable wins over a constant: `at e=1.5`
  a defined variable (a = 2) is a constant in an expression unless the point names it
Reserved words: at wrt from on step order";

/// More about the commands that have options or defaults (keyed by the
/// names in the command table).
fn details(name: &str) -> String {
    use crate::optimize as o;
    match name {
        "min" => format!(
            "  method=gd        x <- x - lr*grad f (the tutorials' update; default)\n\
               \x20 method=momentum  v <- 0.9*v + grad f, x <- x - lr*v (PyTorch's SGD with momentum)\n\
               \x20 method=adam      Adam, beta1 = 0.9, beta2 = 0.999, eps = 1e-8\n\
               \x20 method=newton    solves H*d = grad f, x <- x - t*d; where H is not positive\n\
               \x20                  definite, H + lambda*I instead; t halves from lr until f falls\n\
               \x20 defaults         lr={} (newton: {}), steps={}, tol={} (on the gradient norm)\n\
               \x20 stops            after steps, when |grad f| <= tol, when it diverges (|x| or |f| past\n\
                                \x20                  1e100, or not finite), on Ctrl-C, or after {} s; at most {} steps\n\
               \x20 progress         ten rows of iterations; on a terminal, a bar once a run takes 0.5 s",
            o::DEFAULT_LR,
            o::DEFAULT_NEWTON_LR,
            o::DEFAULT_STEPS,
            crate::format::shortest(o::DEFAULT_TOL),
            limits::MIN_DEADLINE_SECS,
            limits::MAX_MIN_STEPS
        ),
        "taylor" => format!(
            "  by Taylor-mode arithmetic (truncated power series through every built-in);\n\
               \x20 default order {}, at most {}. Coefficients f64 loses to cancellation are\n\
               \x20 computed again in double-double (32 digits); a column says how many digits\n\
               \x20 are correct where even that falls short (sin(x)/x near 0).",
            crate::session::DEFAULT_TAYLOR_ORDER,
            limits::MAX_TAYLOR_ORDER
        ),
        "plot" => format!(
            "  curves share one variable; `f` and `f'` stand for f(x) and f'(x); a curve is left\n\
               \x20 blank where it is undefined. samples=N ({} by default, at most {}).\n\
               \x20 svg=FILE also writes an SVG picture, the way :save writes (see :help save).\n\
               \x20 ylim=A..B sets the y range; without it, a few values far outside the rest\n\
               \x20 (a pole) are left off the chart, and it says so. Without colour each curve\n\
               \x20 has its own mark (line, dots, dashes, sparse dots).\n\
               \x20 Over arrays: a curve whose value is an array draws one curve per entry\n\
               \x20 (`:plot w*t on 0..1` with w = [1, 2]); `on VECTOR` (`on x`, `on [1, 2, 4]`)\n\
               \x20 evaluates with the variable set to that vector, as plt.plot(x, f(x)) does,\n\
               \x20 and joins the points from left to right: `:plot y on x` draws data y against x;\n\
               \x20 a matrix value with a row per point draws one curve per column.",
            crate::render::plot::DEFAULT_SAMPLES,
            limits::MAX_PLOT_SAMPLES
        ),
        "load" => format!(
            "  a path in double quotes may hold blanks or #; ~/ is the home folder. In a file\n\
               \x20 being loaded or run, a relative path is from that file's folder; elsewhere from\n\
               \x20 the working directory. At most {} bytes, counted as read (/dev/zero\n\
               \x20 stops at once); a FIFO with no writer reads as empty; a directory is refused.",
            limits::MAX_LOAD_BYTES
        ),
        "table" => format!(
            "  from A to B (included) in steps of S, each point rounded to the decimals of A\n\
               \x20 and S (0.9, not 0.8999999999999999); at most {} rows. A value below 1e-13 of\n\
               \x20 the largest in its column is rounding noise and prints as ≈0 (--json has it).\n\
               \x20 Over arrays: an array value has a column per entry (`(w * t)[0]`, …);\n\
               \x20 `on VECTOR` (`on x`, `on [1, 2, 4]`) has a row per entry of the vector, in its\n\
               \x20 order, the variable set to the whole vector as in NumPy: `:table y, x^2 on x`.",
            limits::MAX_TABLE_ROWS
        ),
        "sym" => formulas_help(),
        _ => STATIC_DETAILS
            .iter()
            .find(|(n, _)| *n == name)
            .map_or_else(String::new, |(_, t)| t.to_string()),
    }
}

/// More about the commands whose details hold no number from the limits.
const STATIC_DETAILS: &[(&str, &str)] = &[
    (
        "save",
        "  a symbolic link is written through and stays a link; the old file's permissions\n\
                     \x20 and owner are kept (a mode-600 file stays 600); a directory, device, FIFO or\n\
                     \x20 socket is refused, never replaced. The file is replaced all at once (a\n\
                     \x20 temporary file beside it, synced, renamed over it): a failure leaves the old\n\
                     \x20 file as it was. A relative path is from the working directory; ~/ is home.\n\
                     \x20 The script is checked to load back as the session before it is written.",
    ),
    (
        "del",
        "  a name that other definitions use is not deleted alone: the error names them,\n\
                    \x20 and `:del` with all of them deletes them together",
    ),
    (
        "set",
        "  digits N prints every number with N significant digits: pi*1e10 is 3.14e10\n\
                      \x20 formulas on|off|auto: :diff and :grad show each derivative's formula after\n\
                      \x20 its number (d/dx  8   = 6x + 2); auto (the prompt's default) only short ones\n\
                      \x20 (60 characters) that are cheap to find; off (scripts' default) never",
    ),
    (
        "limit",
        "  the error of each quotient is against the AD derivative: it falls with h\n\
                      \x20 (truncation) until round-off makes it grow again; at a kink the one-sided\n\
                      \x20 quotients settle on different values, and it says so",
    ),
    (
        "jac",
        "  TensorFlow's tape.gradient([y1, y2], x) of a list of targets is the sum of the\n\
                    \x20 Jacobian's rows, printed last",
    ),
    (
        "trace",
        "  one row per operation in evaluation order: the primal value and the tangent\n\
                      \x20 (derivative along the wrt variable) of forward-mode automatic differentiation;\n\
                      \x20 with several variables and no wrt, every node's full gradient, a column per\n\
                      \x20 variable. User functions are expanded into the operations of their bodies.",
    ),
    (
        "steps",
        "  one rule a line, as a worked solution: sum, constant multiple, product, quotient,\n\
                     \x20 power, exponential, logarithm, each built-in's rule, and the chain rule naming\n\
                     \x20 its inner function; inner derivatives are indented under the rule that needs\n\
                     \x20 them, and the last line is the simplified formula (the same as :sym's)",
    ),
];

/// More about `:sym`.
fn formulas_help() -> String {
    format!(
        "  no wrt: every partial derivative; wrt x: one; wrt x, y: the mixed second partial\n\
           \x20 (wrt x, x: the second derivative). User functions and f'(x) are expanded; a\n\
           \x20 session variable stays a name, held constant (wrt it to differentiate by it).\n\
           \x20 Simplified as by hand: numbers folded, 0*a, 1*a, a + 0, a^1 removed, like terms\n\
           \x20 and factors collected, quotients kept, factored forms never expanded. The formula\n\
           \x20 prints in deriv's syntax and reads back (2*x2, never 2x2); `as latex` adds LaTeX.\n\
           \x20 at POINT: each formula, read back and evaluated, beside the dual numbers and the\n\
           \x20 finite difference; a disagreement is printed as a bug. Where a function has a kink\n\
           \x20 or a domain edge (abs, relu, sign, min, max, sqrt and ln at 0, x^y with x <= 0),\n\
           \x20 a note says where the formula does not hold (floor, ceil, round and mod: between\n\
           \x20 their jumps). Ctrl-C stops it. At most {} nodes a formula. `:set formulas on`\n\
           \x20 shows the formulas in :diff and :grad reports too.",
        limits::MAX_FORMULA_NODES
    )
}

/// The check topic: what the finite-difference line means.
const CHECK: &str = "\
Every derivative is computed by forward-mode automatic differentiation (AD): exact
rules, rounded f64 arithmetic. Each entry is then cross-checked by finite differences
(FD): central and one-sided differences on steps from half the point's scale down,
halving, Richardson extrapolation, and the estimate with the smallest error bound.
The tolerance:
    |ad - fd| <= atol + rtol*|fd|    rtol 1e-6, atol 1e-9 (second derivatives: 1e-5, 1e-7)
tightened to ten times the error estimate where that is smaller. An entry the first
steps do not pass gets a second look: steps down to the rounding of the point (so
abs at 1e-10 is probed inside (0, 2e-10), 1/(x-1) next to its pole inside the gap),
judged window by window of steps, finest first. Next to a kink or pole on one side
(abs(x-1.3) at 1.300000001), the one-sided steps on the other side decide, if the
near side's finest steps agree with them. The verdicts:
  pass         a reliable estimate agrees with AD.
  unconfirmed  FD cannot decide, and says why: the function is not finite on either
               side; too noisy at every step size; or the estimates disagree between
               step sizes (a pole or kink too close to resolve, or an argument so large
               that the function changes within one of its ulps). AD may well be
               right: `:limit` shows the quotients; a point further from the trouble
               confirms it.
  kink         the one-sided estimates settle on different values at two step sizes:
               no derivative exists here, the number shown is a convention.
  FAIL         estimates at two or more step sizes agree with each other and exclude
               AD (or AD is not finite). A warning above the line fails it too.
The line says ok only when every entry passed; the worst entry decides it. In JSON,
check.ok is true only then and check.status is pass, unconfirmed, kink or fail.
`:check EXPR at POINT` prints every entry; `:set check off` (or --no-check) turns the
line off. A long check shows progress on a terminal, stops at Ctrl-C or its time limit
(`:help limits`) and keeps the entries it decided. High derivatives of user functions
(f''''(x), `:taylor`) that f64 arithmetic gets wrong are computed again in double-double;
those it cannot save either carry a warning or a column of correct digits.";

/// The arrays topic, with the table of functions over arrays.
fn arrays() -> String {
    let mut s = String::from(
        "\
Arrays (NumPy's meanings where nothing else is said)
  literals     [1, 2, 3]   [[0, 0], [1, 2]] (rows of equal length)   [u, 2u] stacks
  indexing     x[0]  A[1, 0]  A[1] (a row); 0-based, -1 is the last
  slices       x[1:3]  x[:2]  x[-2:]  x[::-1]  A[:, 0] (a column)  A[1:, :2]
               a:b stops before b; a:b:s steps by s, as in NumPy
  elementwise  + - * / ^ and every built-in, with NumPy broadcasting
               (shapes align on the last axis; lengths equal or 1)
  products     A @ x  x @ A  A @ B  u @ v (the dot product); @ binds like *
  points       :grad dot(x, A @ x) at x = [1, 2]     at w = [3, 1], b = 3
Derivatives
  :grad        each variable's gradient in its shape; of an array-valued expression,
               the gradient of the sum of its entries (y.backward(ones)), and it says so
  :diff        of one array variable: the derivative and second derivative at each entry
  :hess        over all entries, flattened row-major, variables in order; up to
               1000 entries (past 200, a report or :check leaves the Hessian out)
  :jac         every output entry by every input entry
  :min         over array variables too (gd, momentum, adam, newton)
  check        every entry up to ",
    );
    s.push_str(&format!(
        "{} entries; past that {} random entries (fewer when one evaluation is slow:\n\
         \x20              none added after {} s, at least {}) and one random direction v, each entry\n\
         \x20              ±its own size (the gradient times v against a central difference)\n\
         Data\n\
         \x20 :data FILE.csv        each numeric column a vector named by its header\n\
         \x20 :data NAME = FILE.csv the numeric columns as one matrix\n\
         \x20                       at most {} bytes; a bad cell names its line and column,\n\
         \x20                       and then nothing is bound\n\
         \x20 :save                 writes a file's :data line, other arrays as literals\n\
         Charts and tables\n\
         \x20 :plot w*t on 0..1     a curve per entry of an array value\n\
         \x20 :table y, x^2 on x    a row per entry of x, the expressions over the whole\n\
         \x20                       vector, as plt.plot(x, y); `:plot y on x` draws data\n\
         Functions over arrays\n",
        limits::MAX_CHECK_ENTRIES,
        limits::CHECK_SAMPLE_ENTRIES,
        limits::CHECK_SAMPLE_SECS,
        limits::CHECK_SAMPLE_MIN,
        limits::MAX_DATA_BYTES
    ));
    for f in crate::engine::array::ARRAY_FUNCTIONS {
        s.push_str(&format!("  {:<28} {}\n", f.syntax, f.summary));
    }
    s.push_str(&format!(
        "Limits: {} entries an array (checked on the shapes, before anything is allocated)\n\
         example: :grad x^2 - 2x + 1 at x = [[0, 0], [1, 2]]",
        limits::MAX_ARRAY_ENTRIES
    ));
    s
}

/// The limits topic.
fn limits_text() -> String {
    format!(
        "Limits (each gives an error that names it):\n\
         \x20 line length            {} bytes\n\
         \x20 expression nesting     {} levels\n\
         \x20 expression size        {} nodes\n\
         \x20 operator chain         any length up to the size limit (a + b + c + …);\n\
         \x20                        {} levels nested on the right, a + (b + (…))\n\
         \x20 evaluation depth       {} levels (nesting through function bodies adds up)\n\
         \x20 user-function calls    {} deep\n\
         \x20 operations per eval    {}\n\
         \x20 variables              {} per command\n\
         \x20 Hessian                {} variables dense; up to the variable limit where its\n\
         \x20                        sparsity leaves at most that many Hessian-vector products\n\
         \x20 check on the Hessian   {} variables; on the gradient {}\n\
         \x20 check time             {} s of wall-clock time (then it stops and keeps what it decided)\n\
         \x20 derivative order       {} (primes, nested)\n\
         \x20 :load                  {} files deep, {} bytes a file (counted as read)\n\
         \x20 files                  :save and svg= write through links, keep permissions, and\n\
         \x20                        refuse what is not a regular file (:help save)\n\
         \x20 :min                   {} steps, {} s of wall-clock time (then it stops and reports)\n\
         \x20 :taylor                order {}\n\
         \x20 :plot, :table          {} curves or columns; {} samples a curve; {} rows a table\n\
         \x20 :trace                 {} rows\n\
         \x20 :sym, :steps           {} nodes a formula; {} steps expanding functions; {} lines of steps\n\
         \x20 time                   {} s a statement (each line of a :load'ed file on its own;\n\
         \x20                        --time-limit changes it); Ctrl-C stops any of them\n\
         \x20 arrays                 {} entries an array; {} entry operations an evaluation;\n\
         \x20                        {} entries a dense Jacobian; {} warnings about single\n\
         \x20                        entries an operation (then one line says there are more)\n\
         \x20 :data                  {} bytes a file",
        limits::MAX_LINE_BYTES,
        limits::MAX_NESTING,
        limits::MAX_NODES,
        limits::MAX_TREE_DEPTH,
        crate::engine::eval::MAX_EVAL_DEPTH,
        limits::MAX_CALL_DEPTH,
        limits::MAX_EVAL_STEPS,
        limits::MAX_VARS,
        limits::MAX_HESSIAN_VARS,
        limits::MAX_CHECK_HESSIAN_VARS,
        limits::MAX_CHECK_VARS,
        limits::CHECK_DEADLINE_SECS,
        limits::MAX_ORDER,
        limits::MAX_LOAD_DEPTH,
        limits::MAX_LOAD_BYTES,
        limits::MAX_MIN_STEPS,
        limits::MIN_DEADLINE_SECS,
        limits::MAX_TAYLOR_ORDER,
        limits::MAX_CURVES,
        limits::MAX_PLOT_SAMPLES,
        limits::MAX_TABLE_ROWS,
        limits::MAX_TRACE_ROWS,
        limits::MAX_FORMULA_NODES,
        limits::MAX_FORMULA_STEPS,
        limits::MAX_STEPS,
        limits::STATEMENT_DEADLINE_SECS,
        limits::MAX_ARRAY_ENTRIES,
        crate::engine::array::MAX_ARRAY_WORK,
        limits::MAX_JACOBIAN_ENTRIES,
        limits::MAX_ENTRY_WARNINGS,
        limits::MAX_DATA_BYTES,
    )
}

/// The help text for `topic` (a command, with or without its colon; a
/// function; a constant; one of the guides: `syntax`, `functions`, `check`,
/// `limits`, `prompt`), or the overview.
pub fn help(topic: Option<&str>) -> Result<String, Error> {
    let Some(topic) = topic else {
        return Ok(overview());
    };
    let t = topic.trim_start_matches(':');
    if let Some(c) = COMMANDS.iter().find(|c| c.name == t) {
        let more = details(c.name);
        let mut text = format!(
            "{}\n  {}{}{more}\n  example: {}",
            c.syntax,
            c.summary,
            if more.is_empty() { "" } else { "\n" },
            c.example
        );
        // The guide of the same name, which the command would hide.
        if let Some((_, _, guide)) = GUIDES.iter().find(|g| g.0 == t) {
            text = format!("{text}\n\n{}", guide());
        }
        // The function of the same name (`:help min`), which the command
        // would hide.
        if let Some(f) = function_help(t) {
            text = format!("{text}\n\n{f}");
        }
        return Ok(text);
    }
    if let Some(text) = function_help(t) {
        return Ok(text);
    }
    if let Some((name, value, about)) = CONSTANTS.iter().find(|c| c.0 == t) {
        return Ok(format!(
            "{name} = {}\n  {about}\n  A parameter or variable named {name} shadows it.\n  example: 2*{name}",
            crate::format::shortest(*value)
        ));
    }
    if let Some((_, _, text)) = GUIDES.iter().find(|g| g.0 == t) {
        return Ok(text());
    }
    let guides: Vec<&str> = GUIDES.iter().map(|g| g.0).collect();
    Err(
        Error::new(ErrorKind::Command, format!("no help on `{topic}`")).help(format!(
            "topics: a command (grad), a function (sin), a constant (pi), {}",
            guides.join(", ")
        )),
    )
}

/// A topic that is not a command, a function or a constant: its name, what
/// it covers (for the overview), and its text.
type Guide = (&'static str, &'static str, fn() -> String);

/// Every guide, in the order the overview lists them.
const GUIDES: &[Guide] = &[
    ("syntax", "the language in brief", || SYNTAX.to_string()),
    (
        "functions",
        "every built-in function and constant",
        functions,
    ),
    ("check", "what the finite-difference check means", || {
        CHECK.to_string()
    }),
    ("limits", "the size and time limits", limits_text),
    (
        "arrays",
        "vectors, matrices, CSV data and derivatives over them",
        arrays,
    ),
    (
        "prompt",
        "keys, completion, hints and history of the interactive prompt",
        || PROMPT.replace("{PREVIEW}", PREVIEW_SYNTAX),
    ),
];

/// The help on a built-in function or a function over arrays named `t`.
fn function_help(t: &str) -> Option<String> {
    if let Some(b) = BUILTINS.iter().find(|b| b.name == t) {
        // `max(x)` of one array reduces it: a second meaning to show.
        let over_arrays = crate::engine::array::functions::lookup(t).map_or(String::new(), |f| {
            format!("\n{}\n  {}", f.syntax, f.summary)
        });
        return Some(format!(
            "{}\n  {}\n  example: :diff {} at {}{over_arrays}",
            b.syntax,
            b.summary,
            example_call(b),
            crate::format::shortest(example_point(b))
        ));
    }
    crate::engine::array::functions::lookup(t).map(|f| {
        format!(
            "{}\n  {}\n  a function over arrays: `:help arrays` lists them all",
            f.syntax, f.summary
        )
    })
}

/// Every `:help` topic, for completion: the commands, the built-in
/// functions, the constants and the guides.
pub fn topics() -> Vec<&'static str> {
    COMMANDS
        .iter()
        .map(|c| c.name)
        .chain(BUILTINS.iter().map(|b| b.name))
        .chain(
            crate::engine::array::functions::ARRAY_FUNCTIONS
                .iter()
                .map(|f| f.name)
                .filter(|n| !BUILTINS.iter().any(|b| b.name == *n)),
        )
        .chain(CONSTANTS.iter().map(|c| c.0))
        .chain(GUIDES.iter().map(|g| g.0))
        .collect()
}

/// The prompt's own setting. `:set` belongs to the session, which knows only
/// its own options; the prompt handles this one before the session sees the
/// line, and its completion and hints treat it as one more alternative of
/// `:set`.
pub const PREVIEW_SYNTAX: &str = ":set preview on|off";

/// The prompt topic; `{PREVIEW}` stands for [`PREVIEW_SYNTAX`].
const PROMPT: &str = "\
The interactive prompt (when both ends are a terminal)
  Tab             complete a command (:gr -> :grad), a function, a name, a :set option,
                  a :help topic, or the keyword that fits (at, wrt); Tab twice lists them
  hints           the syntax of the command being typed, and the value of a complete
                  expression while you type it (greyed; Right arrow accepts a completion)
  {PREVIEW}   show or hide that live value
  colours         numbers, names, built-ins, commands and matching parentheses;
                  off with NO_COLOR=1 or --color never
  ( ...           open parentheses continue the statement on the next line (prompt ...)
  Up, Ctrl-R      earlier lines, kept in $DERIV_HISTORY or the data directory
                  (deriv/history, the latest few thousand, duplicates folded)
  paste           several lines pasted (or typed ahead) run one by one, in order
  width           help and wide tables fit the terminal ($COLUMNS): long lines wrap,
                  middle columns of a table give way to …
  Ctrl-C          clear the line; during a long computation, stop it (within a
                  fraction of a second); a second Ctrl-C then leaves (status 130)
  Ctrl-D, :quit   leave
  example: :set preview off";

fn example_call(b: &Builtin) -> String {
    match b.min_args {
        1 => format!("{}(x)", b.name),
        _ => format!("{}(x, 2)", b.name),
    }
}

/// A point where the example of `b` has a value and a derivative (so that
/// `acosh` is not shown outside its domain).
fn example_point(b: &Builtin) -> f64 {
    const POINTS: [f64; 3] = [0.5, 2.0, 1.5];
    let fine = |x: f64| {
        let mut notes = Vec::new();
        let finite = match b.min_args {
            1 => builtins::series(b.id, x, 2, &mut notes)
                .is_some_and(|c| c.iter().all(|v| v.is_finite())),
            _ => builtins::apply(b.id, &[x, 2.0], &mut notes).is_finite(),
        };
        finite && notes.is_empty()
    };
    POINTS.into_iter().find(|&x| fine(x)).unwrap_or(POINTS[0])
}

fn functions() -> String {
    let mut s = String::from(
        "Built-in functions (each differentiable to any order where the mathematics allows):\n",
    );
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

/// A command's line in the overview: its syntax in a column of 40, then
/// its summary. A syntax too long for the column goes one alternative a
/// line, the summary beside the first.
fn command_line(syntax: &str, summary: &str) -> String {
    const COLUMN: usize = 40;
    let alts: Vec<&str> = if syntax.chars().count() > COLUMN {
        syntax.split(" | ").collect()
    } else {
        vec![syntax]
    };
    let mut s = format!("  {:<COLUMN$} {summary}\n", alts[0]);
    for alt in &alts[1..] {
        s.push_str(&format!("  {alt}\n"));
    }
    s
}

fn overview() -> String {
    let mut s = String::from(
        "deriv: derivatives by dual numbers (automatic differentiation), checked by finite differences.\n\
         Type an expression (2^10), a definition (g(x1,x2) = (x1+5)*x2^2),\n\
         a report (g at 2, 3) or a command:\n",
    );
    for c in COMMANDS {
        s.push_str(&command_line(c.syntax, c.summary));
    }
    let names: Vec<&str> = BUILTINS.iter().map(|b| b.name).collect();
    s.push_str(&format!("Functions: {}\n", names.join(" ")));
    let consts: Vec<&str> = CONSTANTS.iter().map(|c| c.0).collect();
    s.push_str(&format!("Constants: {}\n", consts.join(" ")));
    s.push_str("More:\n");
    for (name, about, _) in GUIDES {
        s.push_str(&format!("  :help {name:<13} {about}\n"));
    }
    s.push_str("  :help NAME          a command, a function or a constant, with an example");
    s
}
