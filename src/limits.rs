//! Every limit in one place. Each is enforced with a typed
//! [`crate::error::ErrorKind::Limit`] error that names it and its value.

/// Longest line accepted, in bytes.
pub const MAX_LINE_BYTES: usize = 1 << 20;
/// Deepest nesting of parentheses, prefix operators and powers in one expression.
pub const MAX_NESTING: usize = 200;
/// Most nodes in one parsed expression.
pub const MAX_NODES: usize = 100_000;
/// Deepest nesting of binary operators on their right side (`a + (b + (…))`);
/// a flat chain `a + b + c + …` is bounded only by [`MAX_NODES`].
pub const MAX_TREE_DEPTH: usize = 1_000;
/// Deepest chain of user-function calls during one evaluation.
pub const MAX_CALL_DEPTH: usize = 64;
/// Most operations in one evaluation (guards against exponential blow-up
/// through nested user functions).
pub const MAX_EVAL_STEPS: u64 = 20_000_000;
/// Most variables in one derivative command.
pub const MAX_VARS: usize = 1_000;
/// Most variables for a dense Hessian.
pub const MAX_HESSIAN_VARS: usize = 200;
/// Most variables for which the finite-difference check runs on the gradient.
pub const MAX_CHECK_VARS: usize = 100;
/// Most variables for which the check runs on the Hessian.
pub const MAX_CHECK_HESSIAN_VARS: usize = 20;
/// Highest derivative order reachable through primes (`f''''(x)` and nesting).
pub const MAX_ORDER: usize = 24;
/// Deepest nesting of `:load`.
pub const MAX_LOAD_DEPTH: usize = 16;
/// Largest file `:load` reads, in bytes.
pub const MAX_LOAD_BYTES: u64 = 16 << 20;
/// Most iterations of `:min`.
pub const MAX_MIN_STEPS: u64 = 1_000_000;
/// Wall-clock time `:min` may run before it stops and reports where it got, in seconds.
pub const MIN_DEADLINE_SECS: u64 = 10;
/// Wall-clock time one statement may run, in seconds, before it stops with
/// an error (each line of a `:load`ed file is a statement of its own).
/// Commands poll it between evaluations: one evaluation is bounded by
/// [`MAX_EVAL_STEPS`] instead.
pub const STATEMENT_DEADLINE_SECS: u64 = 30;
/// Wall-clock time the finite-difference check under a derivative may run
/// before it stops and reports the entries decided so far, in seconds.
pub const CHECK_DEADLINE_SECS: u64 = 10;
/// Highest order of `:taylor`.
pub const MAX_TAYLOR_ORDER: usize = 30;
/// Most rows of `:table`.
pub const MAX_TABLE_ROWS: usize = 10_000;
/// Most curves in one `:plot` or columns in one `:table`.
pub const MAX_CURVES: usize = 8;
/// Most samples per curve of `:plot` (`samples=`).
pub const MAX_PLOT_SAMPLES: usize = 100_000;
/// Most rows of `:trace`.
pub const MAX_TRACE_ROWS: usize = 10_000;
/// Most entries of one array, a literal's or any intermediate result's
/// (2²⁵ ≈ 33.5 million, 268 MB of f64): checked on the shapes before
/// anything is allocated.
pub const MAX_ARRAY_ENTRIES: usize = 1 << 25;
/// Most entries of a dense Jacobian (`:jac` of an array-valued expression).
pub const MAX_JACOBIAN_ENTRIES: usize = 1_000_000;
/// Largest CSV file `:data` reads, in bytes.
pub const MAX_DATA_BYTES: u64 = 1 << 30;
/// Most warnings one array operation gives about single entries (`log` is
/// undefined for -1, for -0.999, …); past them one more line counts the rest.
pub const MAX_ENTRY_WARNINGS: usize = 3;
/// Most array entries the finite-difference check covers one by one;
/// past that it checks a random sample of entries and one random direction.
pub const MAX_CHECK_ENTRIES: usize = 100;
/// How many entries the check samples at random past [`MAX_CHECK_ENTRIES`].
pub const CHECK_SAMPLE_ENTRIES: usize = 20;
/// The fewest it samples: it stops adding entries past
/// [`CHECK_SAMPLE_SECS`] once it has these.
pub const CHECK_SAMPLE_MIN: usize = 3;
/// The time after which the sampled check adds no more entries (when one
/// evaluation is slow, e.g. a million entries).
pub const CHECK_SAMPLE_SECS: f64 = 2.0;
/// Most nodes in one formula of `:sym` or `:steps` (the expression with its
/// functions expanded, and each derivative).
pub const MAX_FORMULA_NODES: usize = 100_000;
/// Most lines of one `:steps` derivation (past that, the result alone).
pub const MAX_STEPS: usize = 300;
/// Most steps (nodes visited, functions expanded) in building one formula:
/// functions calling each other twice expand exponentially.
pub const MAX_FORMULA_STEPS: usize = 1_000_000;
