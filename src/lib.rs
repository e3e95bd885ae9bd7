//! `deriv`: a calculator for derivatives.
//!
//! The library is a pipeline; each stage is a module, and each module uses
//! only the stages before it:
//!
//! ```text
//! line of text ─► syntax (parse) ─► session (definitions, commands)
//!              ─► engine: a compiled expression over a number type (num:
//!                 f64 │ duals │ Taylor), built-in rules from builtins
//!              ─► check (finite differences)
//!              ─► outcome (plain data) ─► render (text │ colour │ JSON │ charts)
//! ```
//!
//! - [`syntax`]: a line of text → a [`syntax::Stmt`] or [`syntax::Expr`];
//!   `Display` prints a tree back as text that parses to the same tree.
//! - [`num`]: the number types the evaluator is generic over
//!   ([`num::Scalar`]).
//! - [`builtins`]: every built-in function's rule, once, for every number type.
//! - [`engine`]: an expression and a point → value, gradient, Hessian; it
//!   alone decides between the compiled tape (forward duals, reverse sweep,
//!   Hessian-vector products) and the tree walk.
//! - [`check`]: the finite-difference cross-check of every derivative.
//! - [`optimize`]: descent methods over an objective closure.
//! - [`session`]: definitions, statements and commands.
//! - [`outcome`]: the results, as plain data.
//! - [`render`]: outcomes and errors as text, colour, JSON Lines and charts.
//!
//! Shared leaves: [`error`] (typed errors with spans), [`limits`] (every
//! bound on input size and work), [`mod@format`] (how numbers print),
//! [`files`] (every read and write of a user's file: bounded reads, writes
//! that keep links, permissions and special files intact).
//!
//! ```
//! use deriv::outcome::Outcome;
//! use deriv::render::{self, Style};
//! use deriv::session::Session;
//!
//! let mut s = Session::new();
//! s.eval_line("g(x1, x2) = (x1 + 5) * x2^2").unwrap();
//! let out = s.eval_line(":grad g at 2, 3").unwrap();
//! match &out {
//!     Outcome::Derivatives(d) => {
//!         assert_eq!(d.value, 63.0);
//!         assert_eq!(d.gradient, Some(vec![9.0, 42.0]));
//!     }
//!     other => panic!("unexpected {other:?}"),
//! }
//! let text = render::outcome(&out, Style { color: false, digits: None });
//! assert!(text.contains("∂/∂x2    42"));
//! ```

pub mod builtins;
pub mod check;
pub mod engine;
pub mod error;
pub mod files;
pub mod format;
pub mod limits;
pub mod num;
pub mod optimize;
pub mod outcome;
pub mod render;
pub mod session;
mod span;
pub mod symbolic;
pub mod syntax;
