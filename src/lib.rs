//! `deriv`: a calculator for derivatives.
//!
//! A line of text is parsed ([`parser`]) into a statement ([`ast`]); a
//! [`session::Session`] keeps the definitions and runs statements, evaluating
//! expressions with one generic evaluator ([`eval`]) over a number type
//! ([`scalar::Scalar`]: `f64`, [`dual::Dual1`], [`dual::Dual2`],
//! [`taylor::Taylor`]), and cross-checks every derivative by finite
//! differences ([`check`]). The result is plain data ([`outcome::Outcome`]);
//! printing it is the binary's business. For speed, derivative commands and
//! the checker first compile the expression to a flat tape ([`tape`]) run by
//! the same generic code, with a reverse sweep and Hessian-vector products
//! for many variables ([`reverse`]); [`engine`] picks the way.
//!
//! ```
//! use deriv::session::Session;
//! use deriv::outcome::Outcome;
//!
//! let mut s = Session::new();
//! s.eval_line("g(x1, x2) = (x1 + 5) * x2^2").unwrap();
//! match s.eval_line(":grad g at 2, 3").unwrap() {
//!     Outcome::Derivatives(d) => {
//!         assert_eq!(d.value, 63.0);
//!         assert_eq!(d.gradient, Some(vec![9.0, 42.0]));
//!     }
//!     other => panic!("unexpected {other:?}"),
//! }
//! ```

pub mod ast;
pub mod builtins;
pub mod check;
pub mod command;
pub mod dual;
pub mod engine;
pub mod error;
pub mod eval;
pub mod fixed;
pub mod format;
pub mod help;
pub mod limits;
pub mod optimize;
pub mod outcome;
pub mod parser;
pub mod plot;
pub mod reverse;
pub mod scalar;
pub mod script;
pub mod series;
pub mod session;
pub mod tape;
pub mod taylor;
