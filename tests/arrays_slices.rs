//! Slices (`x[1:3]`, `A[:, 0]`, `A[1:, :2]`, `x[::-1]`): NumPy's values, gradients
//! that flow back into the slice and nowhere else, and bad subscripts as
//! errors that point at them.

mod common;
use common::*;
use deriv::outcome::{ArrayOutcome, Outcome};
use deriv::session::Session;
use proptest::prelude::*;

/// One subscript as generated: an index, or a slice with optional ends.
#[derive(Clone, Debug)]
enum Sub {
    At(i64),
    Range(Option<i64>, Option<i64>, Option<i64>),
}

impl Sub {
    fn text(&self) -> String {
        let t = |v: &Option<i64>| v.map(|v| v.to_string()).unwrap_or_default();
        match self {
            Sub::At(i) => i.to_string(),
            Sub::Range(a, b, None) => format!("{}:{}", t(a), t(b)),
            Sub::Range(a, b, c) => format!("{}:{}:{}", t(a), t(b), t(c)),
        }
    }

    /// NumPy's positions along an axis of length `len`, and whether the
    /// axis stays; `None` where NumPy raises or the slice is empty.
    fn positions(&self, len: usize) -> Option<(Vec<usize>, bool)> {
        let n = len as i64;
        match *self {
            Sub::At(i) => {
                let at = if i < 0 { i + n } else { i };
                (0..n).contains(&at).then(|| (vec![at as usize], false))
            }
            Sub::Range(a, b, c) => {
                // A step of 0 raises in Python.
                if c == Some(0) {
                    return None;
                }
                let at = python_slices()
                    .get(&(len, a, b, c))
                    .unwrap_or_else(|| panic!("{len} {a:?} {b:?} {c:?} is not in the table"));
                (!at.is_empty()).then(|| (at.clone(), true))
            }
        }
    }
}

/// A slice as the table writes it: the axis length, the two ends and the step.
type SliceKey = (usize, Option<i64>, Option<i64>, Option<i64>);

/// Python's own answers (`tests/data/python_slices.txt`, written by CPython),
/// so that the slices are held to Python's rules rather than to a second
/// copy of them.
fn python_slices() -> &'static std::collections::HashMap<SliceKey, Vec<usize>> {
    static TABLE: std::sync::OnceLock<std::collections::HashMap<SliceKey, Vec<usize>>> =
        std::sync::OnceLock::new();
    TABLE.get_or_init(|| {
        let opt = |w: &str| (w != "_").then(|| w.parse::<i64>().unwrap());
        include_str!("data/python_slices.txt")
            .lines()
            .filter(|l| !l.starts_with('#'))
            .map(|l| {
                let (key, at) = l.split_once(':').unwrap();
                let k: Vec<&str> = key.split_whitespace().collect();
                let at = at.split_whitespace().map(|i| i.parse().unwrap()).collect();
                ((k[0].parse().unwrap(), opt(k[1]), opt(k[2]), opt(k[3])), at)
            })
            .collect()
    })
}

fn sub(len: usize) -> impl Strategy<Value = Sub> {
    let n = len as i64;
    let end = proptest::option::of(-n - 1..=n + 1);
    let step = proptest::option::of(-3i64..=3);
    prop_oneof![
        (-n - 1..=n).prop_map(Sub::At),
        (end.clone(), end, step).prop_map(|(a, b, c)| Sub::Range(a, b, c)),
    ]
}

fn case() -> impl Strategy<Value = (usize, usize, Vec<Sub>)> {
    (1usize..5, 1usize..5).prop_flat_map(|(m, n)| {
        let subs = prop_oneof![
            sub(m).prop_map(|s| vec![s]),
            (sub(m), sub(n)).prop_map(|(a, b)| vec![a, b]),
        ];
        (Just(m), Just(n), subs)
    })
}

/// The value of a statement over arrays, flattened, and its shape.
fn value(s: &mut Session, line: &str) -> Result<(Vec<usize>, Vec<f64>), String> {
    match s.eval_line(line).map_err(|e| e.message)? {
        Outcome::Arrays(a) => match *a {
            ArrayOutcome::Value { value, .. } => {
                Ok((value.shape().to_vec(), value.data().to_vec()))
            }
            o => panic!("{o:?}"),
        },
        Outcome::Value { value, .. } => Ok((vec![], vec![value])),
        o => panic!("{o:?}"),
    }
}

/// The gradient of a scalar statement over arrays, flattened.
fn gradient(s: &mut Session, line: &str) -> Vec<f64> {
    match s
        .eval_line(line)
        .unwrap_or_else(|e| panic!("{line}: {}", e.message))
    {
        Outcome::Arrays(a) => match *a {
            ArrayOutcome::Derivatives(d) => d.gradient.unwrap()[0].data().to_vec(),
            o => panic!("{o:?}"),
        },
        o => panic!("{o:?}"),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    #[test]
    fn slices_take_numpys_entries_and_gradients_flow_back_into_them((m, n, subs) in case()) {
        // A = arange(m·n).reshape(m, n) / 7 + 0.1
        let a: Vec<f64> = (0..m * n).map(|i| i as f64 / 7.0 + 0.1).collect();
        let rows: Vec<String> = a
            .chunks(n)
            .map(|r| format!("[{}]", r.iter().map(|v| format!("{v:?}")).collect::<Vec<_>>().join(", ")))
            .collect();
        let lit = format!("[{}]", rows.join(", "));
        let index = subs.iter().map(Sub::text).collect::<Vec<_>>().join(", ");
        let mut s = Session::new();
        s.eval_line(":set check off").unwrap();
        s.eval_line(&format!("A = {lit}")).unwrap();
        let axes: Option<Vec<(Vec<usize>, bool)>> = [m, n]
            .iter()
            .enumerate()
            .map(|(k, &len)| subs.get(k).map_or(Some(((0..len).collect(), true)), |s| s.positions(len)))
            .collect();
        let got = value(&mut s, &format!("A[{index}]"));
        let Some(axes) = axes else {
            prop_assert!(got.is_err(), "A[{}] of {}×{}: {:?}", index, m, n, got);
            return Ok(());
        };
        let shape: Vec<usize> = axes.iter().filter(|(_, keep)| *keep).map(|(p, _)| p.len()).collect();
        let picked: Vec<usize> = axes[0]
            .0
            .iter()
            .flat_map(|&i| axes[1].0.iter().map(move |&j| i * n + j))
            .collect();
        let want: Vec<f64> = picked.iter().map(|&k| a[k]).collect();
        prop_assert_eq!(got, Ok((shape, want)), "A[{}] of {}×{}", index, m, n);
        // d/dW sum(sin(W[…])) is cos(W) on the slice, 0 elsewhere.
        let g = gradient(&mut s, &format!(":grad sum(sin(W[{index}])) at W = {lit}"));
        for (k, gk) in g.iter().enumerate() {
            let want = if picked.contains(&k) { a[k].cos() } else { 0.0 };
            prop_assert!((gk - want).abs() <= 1e-15, "entry {}: {} vs {}", k, gk, want);
        }
    }
}

#[test]
fn columns_rows_and_pieces_as_numpy_prints_them() {
    let a = "A = [[1, 2, 3], [4, 5, 6]]";
    let v = |e: &str| nums(&last_json(&[a, "x = [1, 2, 3, 4]", e])["value"]);
    assert_eq!(v("A[:, 0]"), vec![1.0, 4.0]);
    assert_eq!(v("A[0, :]"), vec![1.0, 2.0, 3.0]);
    assert_eq!(v("A[-1, 1:]"), vec![5.0, 6.0]);
    assert_eq!(v("x[1:3]"), vec![2.0, 3.0]);
    assert_eq!(v("x[:2]"), vec![1.0, 2.0]);
    assert_eq!(v("x[-2:]"), vec![3.0, 4.0]);
    assert_eq!(v("(2x)[1:]"), vec![4.0, 6.0, 8.0]);
    assert_eq!(v("x[::-1]"), vec![4.0, 3.0, 2.0, 1.0]);
    assert_eq!(v("x[1::2]"), vec![2.0, 4.0]);
    assert_eq!(
        last_json(&[a, "A[:, ::-2]"])["value"],
        serde_json::json!([[3, 1], [6, 4]])
    );
    let r = last_json(&[a, "A[:, 1:]"]);
    assert_eq!(r["shape"], serde_json::json!([2, 2]));
    let text = succeed(&[a, "A[1:, :2]"]);
    assert!(text.trim_end().ends_with("[[4, 5]]  (1, 2)"), "{text}");
    // Printed back as written, so a definition reads the same.
    let text = succeed(&[
        "f(W) = sum(W[:, 0]) + W[1:, :2][0, 1] + W[::-1][0, 0]",
        ":funcs",
    ]);
    assert!(
        text.contains("W[:, 0]")
            && text.contains("W[1:, :2][0, 1]")
            && text.contains("W[::-1][0, 0]"),
        "{text}"
    );
}

#[test]
fn gradients_scatter_into_the_slice() {
    // d/dw (Σ w[:, 0]² + w[0, 1]) = [[2w00, 1], [2w10, 0]]
    let r = last_json(&[":grad sum(w[:, 0]^2) + w[0, 1] at w = [[1, 2], [3, 4]]"]);
    assert_eq!(r["gradient"][0], serde_json::json!([[2, 1], [6, 0]]));
    assert_eq!(r["check"]["ok"], true);
    // A linear model on the columns of a data matrix: X[:, 0] instead of
    // transpose(X)[0].
    let r = last_json(&[
        "X = [[1, 2], [3, 4], [5, 6]]",
        ":grad mean((a*X[:, 0] + b - X[:, 1])^2) at a = 0, b = 0",
    ]);
    // ∂/∂a = 2·mean((a·x + b − y)·x) = −2·(2 + 12 + 30)/3
    close(num(&r["gradient"][0]), -2.0 * 44.0 / 3.0, 1e-12);
    close(num(&r["gradient"][1]), -8.0, 1e-12);
    // The Jacobian of a slice is the rows of the identity it keeps.
    let r = last_json(&[":jac A[:, 1] at A = [[1, 2], [3, 4]]"]);
    assert_eq!(
        r["jacobian"],
        serde_json::json!([[0, 1, 0, 0], [0, 0, 0, 1]])
    );
    // Through a step: the entries it skips get nothing.
    let r = last_json(&[":grad sum(w[::-2]^2) at w = [1, 2, 3, 4, 5]"]);
    assert_eq!(r["gradient"][0], serde_json::json!([2, 0, 6, 0, 10]));
    // The Hessian through a block of two axes.
    let r = last_json(&[":hess sum(W[1:, 1:]^3) at W = [[1, 2], [3, 4]]"]);
    assert_eq!(r["hessian"][3][3], 24.0);
    assert_eq!(r["hessian"][0][0], 0.0);
}

#[test]
fn bad_subscripts_point_at_themselves() {
    let setup = ["A = [[1, 2, 3], [4, 5, 6]]", "x = [1, 2, 3, 4]"];
    let err = |e: &str| {
        let r = last_json(&[setup[0], setup[1], e]);
        (
            r["error"]["message"].as_str().unwrap().to_string(),
            r["error"]["column"].as_u64().unwrap(),
        )
    };
    assert_eq!(
        err("A[:, 5]"),
        (
            "index 5 is out of range for axis 1 of length 3 (shape (2, 3))".into(),
            6
        )
    );
    assert_eq!(
        err("x[3:1]"),
        (
            "the slice 3:1 keeps nothing of axis 0 of length 4 (shape (4,))".into(),
            3
        )
    );
    let (m, col) = err("x[1:3, 0]");
    assert!(m.starts_with("too many indexes: 2 given"), "{m}");
    assert_eq!(col, 2, "the column of the bracket");
    let (m, col) = err("sum(x)[0]");
    assert!(m.contains("only an array can be indexed"), "{m}");
    assert_eq!(col, 7, "the column of the bracket");
    let (m, col) = err("x[::0]");
    assert_eq!((m.as_str(), col), ("a slice's step must not be 0", 3));
    let (m, _) = err("x[0.5:]");
    assert_eq!(m, "a slice's start must be a whole number, not 0.5");
    let (m, _) = err("x[:y]");
    assert!(m.contains("`y`"), "{m}");
    // A number is never indexed: a parse error at the brackets.
    let r = last_json(&["2[1, 2]"]);
    assert_eq!(r["error"]["kind"], "parse");
    assert_eq!(r["error"]["column"], 2);
    let e = fail(&["2[1, 2]"]);
    assert!(
        e.contains("`2` is a number: only an array can be indexed"),
        "{e}"
    );
    assert!(e.contains("`2 * [1, 2]`"), "{e}");
    // A slice is not a value on its own.
    let e = fail(&["[1:2]"]);
    assert!(e.contains("-e:1:3"), "{e}");
}

#[test]
fn a_stepped_slice_of_a_large_array_costs_its_own_entries() {
    // Each piece counts what it takes, not the whole array it comes from.
    let r = last_json(&["x = ones(1000000)", "len(x[::100])"]);
    assert_eq!(num(&r["value"]), 10000.0);
    let r = last_json(&[
        ":set check off",
        ":grad sum(w[::100]^2) at w = ones(100000)",
    ]);
    let g = nums(&r["gradient"][0]);
    assert_eq!(g.iter().sum::<f64>(), 2000.0);
    assert_eq!((g[0], g[1], g[100]), (2.0, 0.0, 2.0));
    // Past the limit of pieces, a typed error at the subscript.
    let e = fail(&["ones(30000)[::2]"]);
    assert!(e.contains("taken in 15000 pieces"), "{e}");
    assert!(e.contains("the limit is 10000"), "{e}");
}
