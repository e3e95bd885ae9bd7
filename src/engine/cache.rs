//! What a [`Tape`](super::Tape) keeps between calls: the reverse sweep's
//! scratch space and the Hessian's sparsity, found on first use. Data only:
//! the reverse sweep fills them.

/// Scratch space of the reverse sweep.
#[derive(Debug, Default)]
pub struct Scratch {
    pub(crate) val: Vec<f64>,
    pub(crate) part: Vec<[f64; 2]>,
    pub(crate) adj: Vec<f64>,
}

/// Which Hessian entries can be nonzero, and a colouring of the columns such
/// that no row has two nonzeros of one colour.
#[derive(Debug, Clone)]
pub struct Sparsity {
    /// For each variable j, the rows i with a possibly nonzero `H_ij`
    /// (sorted).
    pub rows: Vec<Vec<u32>>,
    /// Colour of each column.
    pub color: Vec<usize>,
    /// Number of colours: the Hessian-vector products needed.
    pub ncolors: usize,
    /// Entries that can be nonzero.
    pub nonzeros: usize,
}
