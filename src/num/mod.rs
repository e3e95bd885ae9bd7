//! ② Number types: the [`Scalar`] trait the evaluator is generic over, and
//! its implementations: `f64` (values), [`Dual1`] (gradients), [`Dual2`]
//! (gradients and Hessians), the fixed-size [`Fixed1`]/[`Fixed2`] for few
//! variables, and [`Taylor`] (univariate series to any order), with the
//! series arithmetic they share; and [`Array`], the vectors and matrices
//! the array engine computes over; [`dd`], double-double numbers and their
//! series, for the coefficients f64 cannot get right.

pub mod accuracy;
pub mod array;
pub mod dd;
mod dual;
mod fixed;
mod scalar;
pub mod series;
mod taylor;

pub use array::{Array, MAX_RANK, broadcast, entry_names, shape_text};
pub use dual::{Dual1, Dual2, packed_index, packed_len};
pub use fixed::{Fixed1, Fixed2};
pub use scalar::{Note, NoteKind, Scalar};
pub use taylor::{Taylor, derivative_series};
