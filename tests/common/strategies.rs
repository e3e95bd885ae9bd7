//! Random expressions shared by the property tests.

use proptest::prelude::*;

/// Random expressions in x and y over every kind of operation. They use a
/// variable `k` and the functions `h(u)` and `g(a, b)`, which the test
/// defines.
pub fn expr_strategy() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        Just("x".to_string()),
        Just("y".to_string()),
        Just("k".to_string()),
        (-3i32..4).prop_map(|c| format!("({c})")),
        Just("0.5".to_string()),
    ];
    leaf.prop_recursive(4, 24, 2, |inner| {
        let un = [
            "sin", "cos", "exp", "tanh", "atan", "abs", "sqrt", "ln", "relu", "cbrt", "sin'", "h",
        ];
        let bin = ["+", "-", "*", "/", "^"];
        let fun2 = ["min", "max", "atan2", "hypot", "log", "g", "pow"];
        prop_oneof![
            (0..un.len(), inner.clone()).prop_map(move |(k, a)| format!("{}({a})", un[k])),
            (0..bin.len(), inner.clone(), inner.clone())
                .prop_map(move |(k, a, b)| format!("({a}){}({b})", bin[k])),
            (0..fun2.len(), inner.clone(), inner)
                .prop_map(move |(k, a, b)| format!("{}({a}, {b})", fun2[k])),
        ]
    })
}
