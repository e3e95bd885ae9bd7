//! The functions over whole arrays (reductions, products, shapes): one
//! table, read by the compiler, `:help arrays` and the prompt's completion.
//! The elementwise functions are the scalar built-ins, applied entry by
//! entry.

/// Identifies a function over arrays.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[allow(missing_docs)]
pub enum ArrayFn {
    Sum,
    Mean,
    Dot,
    Norm,
    Transpose,
    Prod,
    Max,
    Min,
    Len,
    Shape,
    Softmax,
    LogSumExp,
    Zeros,
    Ones,
    Linspace,
    Arange,
}

/// A function over arrays: its table entry.
pub type ArrayFunction = crate::builtins::Signature<ArrayFn>;

const fn f(
    id: ArrayFn,
    name: &'static str,
    min_args: usize,
    max_args: usize,
    syntax: &'static str,
    summary: &'static str,
) -> ArrayFunction {
    ArrayFunction::new(id, name, (min_args, max_args), syntax, summary)
}

/// Every function over arrays. `max` and `min` with two arguments are the
/// elementwise built-ins; with one they reduce.
pub static ARRAY_FUNCTIONS: &[ArrayFunction] = &[
    f(
        ArrayFn::Sum,
        "sum",
        1,
        2,
        "sum(X), sum(X, axis)",
        "Sum of the entries, or along axis 0 (down the columns) or 1 (along the rows).",
    ),
    f(
        ArrayFn::Mean,
        "mean",
        1,
        2,
        "mean(X), mean(X, axis)",
        "Mean of the entries, or along an axis.",
    ),
    f(
        ArrayFn::Dot,
        "dot",
        2,
        2,
        "dot(u, v)",
        "Dot product of two vectors of the same length.",
    ),
    f(
        ArrayFn::Norm,
        "norm",
        1,
        1,
        "norm(x)",
        "Euclidean norm; of a matrix, the Frobenius norm.",
    ),
    f(
        ArrayFn::Transpose,
        "transpose",
        1,
        1,
        "transpose(A)",
        "Rows become columns; a vector is its own transpose (as in NumPy).",
    ),
    f(
        ArrayFn::Prod,
        "prod",
        1,
        1,
        "prod(x)",
        "Product of the entries.",
    ),
    f(
        ArrayFn::Max,
        "max",
        1,
        1,
        "max(x)",
        "Largest entry (two arguments: the elementwise maximum).",
    ),
    f(
        ArrayFn::Min,
        "min",
        1,
        1,
        "min(x)",
        "Smallest entry (two arguments: the elementwise minimum).",
    ),
    f(
        ArrayFn::Len,
        "len",
        1,
        1,
        "len(x)",
        "Length of the first axis: entries of a vector, rows of a matrix.",
    ),
    f(
        ArrayFn::Shape,
        "shape",
        1,
        1,
        "shape(x)",
        "The shape, as a vector of lengths.",
    ),
    f(
        ArrayFn::Softmax,
        "softmax",
        1,
        1,
        "softmax(x)",
        "exp(x) / sum(exp(x)), shifted by the largest entry so nothing overflows; of a matrix, row by row.",
    ),
    f(
        ArrayFn::LogSumExp,
        "logsumexp",
        1,
        1,
        "logsumexp(x)",
        "ln(sum(exp(x))) of all entries, computed stably (shifted by the largest).",
    ),
    f(
        ArrayFn::Zeros,
        "zeros",
        1,
        2,
        "zeros(n), zeros(rows, cols)",
        "An array of zeros (a starting point for :min).",
    ),
    f(
        ArrayFn::Ones,
        "ones",
        1,
        2,
        "ones(n), ones(rows, cols)",
        "An array of ones.",
    ),
    f(
        ArrayFn::Linspace,
        "linspace",
        3,
        3,
        "linspace(a, b, n)",
        "n evenly spaced numbers from a to b, both included (NumPy's linspace).",
    ),
    f(
        ArrayFn::Arange,
        "arange",
        1,
        3,
        "arange(stop), arange(start, stop[, step])",
        "start, start + step, … up to stop, not included (NumPy's arange; step 1).",
    ),
];

/// The function over arrays called `name`.
pub fn lookup(name: &str) -> Option<&'static ArrayFunction> {
    ARRAY_FUNCTIONS.iter().find(|f| f.name == name)
}
