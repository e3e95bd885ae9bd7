//! Reverse mode over a [`Tape`]: gradients at a cost independent of the
//! number of variables, and Hessians by forward-over-reverse
//! Hessian-vector products, with the Hessian's sparsity found from the tape
//! so that a few products give all of it (Rosenbrock's tridiagonal Hessian
//! takes three, whatever n).
//!
//! Each instruction's local derivatives (with respect to its one or two
//! arguments) come from running the instruction itself over a small
//! fixed-size dual number ([`Local1`], [`Local2`]) through [`tape::exec`]:
//! the built-in rules and their warnings are the ones the forward duals use,
//! written once in [`crate::builtins`].
//!
//! One difference from the forward duals: whether an argument "depends on
//! the variables" (which decides, e.g., whether `abs` at 0 warns of a kink)
//! is decided from the tape's structure, not from the numbers, so `abs(x-x)`
//! warns here and not in forward mode. The session uses this path only above
//! [`REVERSE_MIN_VARS`] variables.

use crate::builtins;
use crate::builtins::{powi_local, powi_local1};
use crate::engine::cache::{Scratch, Sparsity};
use crate::engine::eval::Budget;
use crate::engine::tape::{self, Instr, Op, Tape};
use crate::error::Error;
use crate::limits;
use crate::num::{Fixed1, Fixed2};

/// From this many variables on, gradients are taken by the reverse sweep
/// rather than forward duals. The reverse sweep is faster from 2 variables
/// on (`cargo bench --bench compare` prints both: F2 0.43 µs against
/// 1.1 µs), but it rounds differently in the last bit, and results with up
/// to 5 variables (the tutorials' functions) stay bit-identical to the
/// forward duals' that the example sessions print to 17 digits.
pub const REVERSE_MIN_VARS: usize = 6;

/// From this many variables on, Hessians are assembled from Hessian-vector
/// products rather than a forward second-order dual (faster from 2 variables
/// on as well; the same reason for 6).
pub const HVP_MIN_VARS: usize = 6;

/// Most tangent entries (instructions × directions) one forward-over-reverse
/// pass holds; more directions are done in several passes (keeps peak memory
/// near 2 × 8 × this many bytes).
const MAX_TANGENT_ENTRIES: usize = 1 << 21;

/// Most entries of dependency sets the sparsity detection keeps before it
/// gives up and treats the Hessian as dense.
const MAX_PATTERN_ENTRIES: usize = 1 << 22;

/// A value, its gradient, and its Hessian (or Hessian-vector products) as rows.
pub type ValueGradHess = (f64, Vec<f64>, Vec<Vec<f64>>);

/// A value, its gradient, and the Hessian's entries `(i, j, H_ij)`, `i ≤ j`.
pub type SparseHess = (f64, Vec<f64>, Vec<(u32, u32, f64)>);

/// A first-order dual in (at most) the two arguments of one instruction:
/// its value and local partial derivatives.
pub type Local1 = Fixed1<2>;

/// A second-order dual in the two arguments of one instruction; `h` is the
/// packed upper triangle `[h00, h01, h11]`.
pub type Local2 = Fixed2<2, 3>;

/// What the forward pass of the Hessian-vector products leaves for the
/// reverse sweep, per instruction: the value, the local first and second
/// derivatives, and (row-major, a row per instruction) the tangents.
struct HvpForward {
    val: Vec<f64>,
    g: Vec<[f64; 2]>,
    h: Vec<[f64; 3]>,
    t: Vec<f64>,
}

/// The seeds of an instruction's arguments: each active argument is its own
/// local variable, except that an instruction reading one value twice
/// (`x*x` after sharing) sees one variable, as the forward duals would.
fn seeds(tape: &Tape, ins: &Instr) -> ([f64; 2], [f64; 2]) {
    let [a, b] = ins.args;
    let act = |k: u32| tape.active[k as usize];
    let sa = if act(a) { [1.0, 0.0] } else { [0.0, 0.0] };
    let sb = if ins.nargs < 2 || !act(b) {
        [0.0, 0.0]
    } else if a == b {
        [1.0, 0.0]
    } else {
        [0.0, 1.0]
    };
    (sa, sb)
}

impl Tape {
    /// Value and gradient at `x` by one forward pass recording each
    /// instruction's local partial derivatives and one reverse sweep.
    pub fn gradient(&self, x: &[f64], budget: &mut Budget) -> Result<(f64, Vec<f64>), Error> {
        self.with_adjoints(x, budget, |tape, val, adj| {
            let mut grad = vec![0.0; tape.nvars];
            for (k, ins) in tape.instrs.iter().enumerate() {
                if let Op::Var(i) = ins.op {
                    grad[i as usize] += adj[k];
                }
            }
            (val[tape.result as usize], grad)
        })
    }

    /// An estimate of the rounding error of one evaluation at `x`: each
    /// operation that depends on the variables rounds its result by about
    /// ε·|v|, which reaches the result times ∂f/∂v (its adjoint). That is
    /// what finite differences of nearby values see; `ln(1 + 1e-5·x²)` is
    /// tiny but carries the ε of `1 + …`, which |f| alone does not show.
    /// Constant parts round too, but the same way at every nearby point, so
    /// they cancel in a difference and are left out.
    pub fn rounding_noise(&self, x: &[f64], budget: &mut Budget) -> Result<f64, Error> {
        self.with_adjoints(x, budget, |tape, val, adj| {
            let sum: f64 = tape
                .instrs
                .iter()
                .enumerate()
                .filter(|&(k, ins)| tape.active[k] && !matches!(ins.op, Op::Var(_)))
                .map(|(k, _)| (val[k] * adj[k]).abs())
                .filter(|v| v.is_finite())
                .sum();
            f64::EPSILON * sum
        })
    }

    /// One forward pass recording the values and each instruction's local
    /// partial derivatives, and one reverse sweep of the adjoints
    /// `∂result/∂instruction`; `then` reads both.
    fn with_adjoints<T>(
        &self,
        x: &[f64],
        budget: &mut Budget,
        then: impl FnOnce(&Tape, &[f64], &[f64]) -> T,
    ) -> Result<T, Error> {
        budget.charge(self.steps)?;
        let m = self.instrs.len();
        // Scratch space kept between calls (a busy checker or a benchmark
        // calls this many times); a fresh one if it is in use.
        let mut own = Scratch::default();
        let mut kept = self.scratch.try_borrow_mut();
        let sc: &mut Scratch = match kept {
            Ok(ref mut k) => k,
            Err(_) => &mut own,
        };
        let Scratch { val, part, adj } = sc;
        val.clear();
        val.resize(m, 0.0);
        part.clear();
        part.resize(m, [0.0; 2]);
        adj.clear();
        adj.resize(m, 0.0);
        self.values_and_partials(x, budget, val, part)?;
        self.sweep(part, adj);
        Ok(then(self, val, adj))
    }

    /// The forward pass: each instruction's value and its local partial
    /// derivatives with respect to its arguments.
    fn values_and_partials(
        &self,
        x: &[f64],
        budget: &mut Budget,
        val: &mut [f64],
        part: &mut [[f64; 2]],
    ) -> Result<(), Error> {
        let mut notes = Vec::new();
        for (k, ins) in self.instrs.iter().enumerate() {
            if k % 4096 == 4095 {
                budget.check_cancel()?;
            }
            let va = val[ins.args[0] as usize];
            let vb = val[ins.args[1] as usize];
            let (v, p) = match ins.op {
                Op::Const(c) => (c, [0.0, 0.0]),
                Op::Var(i) => (x[i as usize], [0.0, 0.0]),
                Op::Neg => (-va, [-1.0, 0.0]),
                Op::Add => (va + vb, [1.0, 1.0]),
                Op::Sub => (va - vb, [1.0, -1.0]),
                Op::Mul => (va * vb, [vb, va]),
                Op::Div => {
                    builtins::division_note(vb, &mut notes);
                    let q = va / vb;
                    (q, [1.0 / vb, -q / vb])
                }
                op if !self.active[k] => {
                    let v = tape::exec(op, ins.nargs, &va, &vb, &mut notes);
                    (v, [0.0, 0.0])
                }
                Op::PowI(p) if let Some((v, c1)) = powi_local1(va, p) => (v, [c1, 0.0]),
                op => {
                    let (sa, sb) = seeds(self, ins);
                    let la = Local1 { v: va, g: sa };
                    let lb = Local1 { v: vb, g: sb };
                    let r = tape::exec(op, ins.nargs, &la, &lb, &mut notes);
                    (r.v, r.g)
                }
            };
            self.warn(budget, ins, &mut notes);
            val[k] = v;
            part[k] = p;
        }
        Ok(())
    }

    /// The reverse sweep: the adjoints `∂result/∂instruction` from the
    /// local partials.
    fn sweep(&self, part: &[[f64; 2]], adj: &mut [f64]) {
        let r = self.result as usize;
        adj[r] = 1.0;
        for k in (0..=r).rev() {
            let ins = &self.instrs[k];
            if !self.active[k] || matches!(ins.op, Op::Var(_)) {
                continue;
            }
            let w = adj[k];
            let p = part[k];
            let (a, b) = (ins.args[0] as usize, ins.args[1] as usize);
            if ins.nargs == 2 && a != b {
                adj[a] += times(p[0], w);
                adj[b] += times(p[1], w);
            } else {
                // One argument, or one value read twice (`a*a` after
                // sharing): both partials belong to it. A local dual
                // seeds such a value once and leaves p[1] zero.
                adj[a] += times(p[0] + p[1], w);
            }
        }
    }

    /// Value, gradient and the products `H·v` of the Hessian with each
    /// direction `v` in `dirs` (each of length `nvars`), by one forward pass
    /// carrying the directions as tangents and one reverse sweep of the
    /// adjoints and their tangents (forward over reverse).
    pub fn hvp(
        &self,
        x: &[f64],
        dirs: &[Vec<f64>],
        budget: &mut Budget,
    ) -> Result<ValueGradHess, Error> {
        let fw = self.hvp_forward(x, dirs, budget)?;
        Ok(self.hvp_reverse(&fw, dirs.len()))
    }

    /// The forward pass of [`Tape::hvp`]: values, local first and second
    /// derivatives, and the tangents along every direction.
    fn hvp_forward(
        &self,
        x: &[f64],
        dirs: &[Vec<f64>],
        budget: &mut Budget,
    ) -> Result<HvpForward, Error> {
        budget.charge(self.steps)?;
        let m = self.instrs.len();
        let kdir = dirs.len();
        let mut val = vec![0.0; m];
        let mut g = vec![[0.0f64; 2]; m];
        let mut h = vec![[0.0f64; 3]; m];
        // Tangents, row k = instruction k's directional derivatives.
        let mut t = vec![0.0; m * kdir];
        let mut notes = Vec::new();
        for (k, ins) in self.instrs.iter().enumerate() {
            if k % 4096 == 4095 {
                budget.check_cancel()?;
            }
            let (a, b) = (ins.args[0] as usize, ins.args[1] as usize);
            let (va, vb) = (val[a], val[b]);
            let (v, gk, hk) = match ins.op {
                Op::Const(c) => (c, [0.0; 2], [0.0; 3]),
                Op::Var(i) => {
                    for (j, d) in dirs.iter().enumerate() {
                        t[k * kdir + j] = d[i as usize];
                    }
                    (x[i as usize], [0.0; 2], [0.0; 3])
                }
                op if !self.active[k] => {
                    let v = tape::exec(op, ins.nargs, &va, &vb, &mut notes);
                    (v, [0.0; 2], [0.0; 3])
                }
                Op::Neg => (-va, [-1.0, 0.0], [0.0; 3]),
                Op::Add => (va + vb, [1.0, 1.0], [0.0; 3]),
                Op::Sub => (va - vb, [1.0, -1.0], [0.0; 3]),
                Op::PowI(p) if let Some((v, c1, c2)) = powi_local(va, p) => {
                    (v, [c1, 0.0], [2.0 * c2, 0.0, 0.0])
                }
                op => {
                    let (sa, sb) = seeds(self, ins);
                    let la = Local2 {
                        v: va,
                        g: sa,
                        h: [0.0; 3],
                    };
                    let lb = Local2 {
                        v: vb,
                        g: sb,
                        h: [0.0; 3],
                    };
                    let r = tape::exec(op, ins.nargs, &la, &lb, &mut notes);
                    (r.v, r.g, r.h)
                }
            };
            self.warn(budget, ins, &mut notes);
            val[k] = v;
            g[k] = gk;
            h[k] = hk;
            if self.active[k] && !matches!(ins.op, Op::Var(_)) {
                let two = ins.nargs == 2 && b != a;
                for j in 0..kdir {
                    let mut s = times(gk[0], t[a * kdir + j]);
                    if two {
                        s += times(gk[1], t[b * kdir + j]);
                    } else if ins.nargs == 2 {
                        s += times(gk[1], t[a * kdir + j]);
                    }
                    t[k * kdir + j] = s;
                }
            }
        }
        Ok(HvpForward { val, g, h, t })
    }

    /// The reverse sweep of [`Tape::hvp`]: adjoints and their tangents.
    fn hvp_reverse(&self, fw: &HvpForward, kdir: usize) -> ValueGradHess {
        let HvpForward { val, g, h, t } = fw;
        let m = self.instrs.len();
        let mut adj = vec![0.0; m];
        let mut at = vec![0.0; m * kdir];
        let mut grad = vec![0.0; self.nvars];
        let mut hv = vec![vec![0.0; self.nvars]; kdir];
        let r = self.result as usize;
        adj[r] = 1.0;
        for k in (0..=r).rev() {
            if !self.active[k] {
                continue;
            }
            let ins = &self.instrs[k];
            let w = adj[k];
            if let Op::Var(i) = ins.op {
                grad[i as usize] += w;
                for (j, row) in hv.iter_mut().enumerate() {
                    row[i as usize] += at[k * kdir + j];
                }
                continue;
            }
            let (a, b) = (ins.args[0] as usize, ins.args[1] as usize);
            let (gk, hk) = (g[k], h[k]);
            if ins.nargs == 2 && b != a {
                adj[a] += times(gk[0], w);
                adj[b] += times(gk[1], w);
                for j in 0..kdir {
                    let (ta, tb, tw) = (t[a * kdir + j], t[b * kdir + j], at[k * kdir + j]);
                    at[a * kdir + j] +=
                        times(gk[0], tw) + times(times(hk[0], ta) + times(hk[1], tb), w);
                    at[b * kdir + j] +=
                        times(gk[1], tw) + times(times(hk[1], ta) + times(hk[2], tb), w);
                }
            } else {
                // One argument, or one value read twice: the local duals
                // seed it once (leaving the second parts zero), the inline
                // arithmetic (a+a, a-a) gives both partials; sum them.
                let g0 = gk[0] + gk[1];
                let h0 = hk[0] + 2.0 * hk[1] + hk[2];
                adj[a] += times(g0, w);
                for j in 0..kdir {
                    let (ta, tw) = (t[a * kdir + j], at[k * kdir + j]);
                    at[a * kdir + j] += times(g0, tw) + times(times(h0, ta), w);
                }
            }
        }
        (val[r], grad, hv)
    }

    /// The Hessian's sparsity pattern and a colouring of its columns, found
    /// once per tape.
    pub fn sparsity(&self) -> &Sparsity {
        self.sparsity.get_or_init(|| Sparsity::of(self))
    }

    /// Value, gradient and the full Hessian (as rows) at `x`, from one
    /// Hessian-vector product per colour of the sparsity pattern.
    pub fn hessian(&self, x: &[f64], budget: &mut Budget) -> Result<ValueGradHess, Error> {
        let n = self.nvars;
        let (value, grad, entries) = self.hessian_sparse(x, budget)?;
        let mut hess = vec![vec![0.0; n]; n];
        // Symmetric by construction, as the forward duals give it.
        for (i, j, h) in entries {
            hess[i as usize][j as usize] = h;
            hess[j as usize][i as usize] = h;
        }
        Ok((value, grad, hess))
    }

    /// Value, gradient and the Hessian's possibly nonzero entries `(i, j,
    /// H_ij)` with `i ≤ j`, from one Hessian-vector product per colour.
    pub fn hessian_sparse(&self, x: &[f64], budget: &mut Budget) -> Result<SparseHess, Error> {
        let n = self.nvars;
        let sp = self.sparsity();
        let m = self.instrs.len().max(1);
        let per_pass = (MAX_TANGENT_ENTRIES / m).clamp(1, sp.ncolors.max(1));
        let mut value_grad;
        let mut entries = Vec::with_capacity(sp.nonzeros / 2 + n);
        let mut by_color: Vec<Vec<usize>> = vec![Vec::new(); sp.ncolors];
        for (j, &c) in sp.color.iter().enumerate() {
            by_color[c].push(j);
        }
        let mut c0 = 0;
        // Zero colours (no variables): still one pass for value and gradient.
        loop {
            let c1 = (c0 + per_pass).min(sp.ncolors);
            let dirs: Vec<Vec<f64>> = (c0..c1)
                .map(|c| {
                    let mut d = vec![0.0; n];
                    for &j in &by_color[c] {
                        d[j] = 1.0;
                    }
                    d
                })
                .collect();
            let (v, gr, hv) = self.hvp(x, &dirs, budget)?;
            value_grad = (v, gr);
            for (c, col) in (c0..c1).zip(&hv) {
                for &j in &by_color[c] {
                    // Column j's nonzeros are the only ones of colour c in
                    // each of its rows: (H v)_i = H_ij.
                    for &i in sp.rows[j].iter().filter(|&&i| i as usize <= j) {
                        entries.push((i, j as u32, col[i as usize]));
                    }
                }
            }
            c0 = c1;
            if c0 >= sp.ncolors {
                break;
            }
        }
        let (value, grad) = value_grad;
        Ok((value, grad, entries))
    }
}

impl Sparsity {
    fn of(tape: &Tape) -> Sparsity {
        let n = tape.nvars;
        let rows = pattern(tape).unwrap_or_else(|| {
            let all: Vec<u32> = (0..n as u32).collect();
            vec![all; n]
        });
        let nonzeros = rows.iter().map(Vec::len).sum();
        // A row with more nonzeros than the Hessian limit needs more colours
        // than that whatever the colouring: give each column its own (valid,
        // and cheap where the greedy colouring would cost n³).
        if rows.iter().any(|r| r.len() > limits::MAX_HESSIAN_VARS) {
            return Sparsity {
                rows,
                color: (0..n).collect(),
                ncolors: n,
                nonzeros,
            };
        }
        // Greedy distance-2 colouring, columns in order.
        let mut color = vec![usize::MAX; n];
        let mut ncolors = 0;
        let mut forbidden: Vec<usize> = Vec::new();
        for j in 0..n {
            forbidden.clear();
            for &i in &rows[j] {
                for &k in &rows[i as usize] {
                    let c = color[k as usize];
                    if c != usize::MAX {
                        forbidden.push(c);
                    }
                }
            }
            forbidden.sort_unstable();
            forbidden.dedup();
            let mut c = 0;
            for &f in &forbidden {
                if f == c {
                    c += 1;
                } else if f > c {
                    break;
                }
            }
            color[j] = c;
            ncolors = ncolors.max(c + 1);
        }
        Sparsity {
            rows,
            color,
            ncolors,
            nonzeros,
        }
    }
}

/// The Hessian's structural nonzeros: every nonlinear instruction couples
/// the variables its arguments depend on (`a·b` only across, `a/b` across
/// and within `b`, a built-in within all of them). `None` when the
/// dependency sets grow too large to track.
fn pattern(tape: &Tape) -> Option<Vec<Vec<u32>>> {
    let n = tape.nvars;
    let m = tape.instrs.len();
    let mut deps: Vec<Vec<u32>> = vec![Vec::new(); m];
    let mut pairs: Vec<(u32, u32)> = Vec::new();
    let mut total = 0usize;
    let mut dedup_at = 1usize << 16;
    let union = |x: &[u32], y: &[u32]| -> Vec<u32> {
        let mut u = Vec::with_capacity(x.len() + y.len());
        let (mut i, mut j) = (0, 0);
        while i < x.len() || j < y.len() {
            if j == y.len() || (i < x.len() && x[i] < y[j]) {
                u.push(x[i]);
                i += 1;
            } else if i == x.len() || y[j] < x[i] {
                u.push(y[j]);
                j += 1;
            } else {
                u.push(x[i]);
                i += 1;
                j += 1;
            }
        }
        u
    };
    let cross = |pairs: &mut Vec<(u32, u32)>, x: &[u32], y: &[u32]| {
        for &i in x {
            for &j in y {
                pairs.push((i, j));
                pairs.push((j, i));
            }
        }
    };
    for (k, ins) in tape.instrs.iter().enumerate() {
        if !tape.active[k] {
            continue;
        }
        let (a, b) = (ins.args[0] as usize, ins.args[1] as usize);
        let d = match ins.op {
            Op::Var(i) => vec![i],
            Op::Const(_) => Vec::new(),
            _ if ins.nargs == 1 => deps[a].clone(),
            _ => union(&deps[a], &deps[b]),
        };
        match ins.op {
            Op::Var(_) | Op::Const(_) | Op::Neg | Op::Add | Op::Sub => {}
            Op::Mul => cross(&mut pairs, &deps[a], &deps[b]),
            Op::Div => {
                cross(&mut pairs, &deps[a], &deps[b]);
                cross(&mut pairs, &deps[b], &deps[b]);
            }
            _ => cross(&mut pairs, &d, &d),
        }
        total += d.len();
        deps[k] = d;
        // Keep the pair list short when it repeats itself; give up (dense)
        // when even the distinct pairs are too many.
        if pairs.len() > dedup_at {
            pairs.sort_unstable();
            pairs.dedup();
            dedup_at = dedup_at.max(2 * pairs.len());
        }
        if total > MAX_PATTERN_ENTRIES || pairs.len() > MAX_PATTERN_ENTRIES {
            return None;
        }
    }
    pairs.sort_unstable();
    pairs.dedup();
    let mut rows = vec![Vec::new(); n];
    for (i, j) in pairs {
        rows[j as usize].push(i);
    }
    Some(rows)
}

/// A local partial derivative `c` times a tangent or an adjoint `d`, where
/// a zero `d` contributes nothing whatever `c` is — as in the dual numbers:
/// a partial that does not exist (NaN, `∂/∂y` of `x^y` at a negative `x`)
/// must not spoil the directions and results that do not move through it.
#[inline]
fn times(c: f64, d: f64) -> f64 {
    if d == 0.0 { 0.0 } else { c * d }
}
