//! STUB — contract below.

/// Verdict on one derivative entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict { Pass, Fail, Uncertain, Kink }

/// One checked entry.
#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    /// Variable index (row).
    pub i: usize,
    /// Second variable index for a second derivative.
    pub j: Option<usize>,
    pub ad: f64,
    pub fd: f64,
    pub err_est: f64,
    pub rel_err: f64,
    pub tol: f64,
    pub verdict: Verdict,
}

/// The check of one result.
#[derive(Clone, Debug, PartialEq)]
pub struct CheckReport {
    pub entries: Vec<Entry>,
    pub ok: bool,
    pub max_rel_err: f64,
    /// Why part of the check was skipped, if it was.
    pub skipped: Option<String>,
}

/// Checks a gradient (and, if given, a Hessian as rows) of `f` at `x`.
pub fn check(f: &mut dyn FnMut(&[f64]) -> f64, x: &[f64], grad: &[f64], hess: Option<&[Vec<f64>]>) -> CheckReport {
    let _ = (f, x, grad, hess);
    todo!()
}
