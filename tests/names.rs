//! The names of functions over arrays are built-in names, as `sin` is.

mod common;
use common::*;

#[test]
fn array_functions_cannot_be_redefined_as_built_ins_cannot() {
    for name in [
        "sin", "sum", "mean", "dot", "norm", "softmax", "zeros", "len",
    ] {
        for stmt in [
            format!("{name} = 3"),
            format!("{name}(x) = x"),
            format!("{name} = [1, 2]"),
        ] {
            let err = fail(&[&stmt]);
            let says = format!(
                "error: `{name}` is a built-in function and cannot be redefined\n --> -e:1:1\n"
            );
            assert!(err.starts_with(&says), "{stmt}: {err}");
            assert!(err.contains("help: choose another name"), "{stmt}: {err}");
        }
    }
    // the built-in still works after the refusal
    let out = json(&["sum = 3", "sum([1, 2])"]);
    assert_eq!(out[0]["error"]["kind"], "definition");
    assert_eq!(out[1]["value"], 3);
    // as a parameter, a built-in's name is the parameter, as before
    expect_output(&["f(sum) = sum + 1", "f(2)"], "f(sum) = sum + 1\n3");
}

#[test]
fn help_knows_the_functions_over_arrays() {
    expect_output(
        &[":help sum"],
        "sum(X), sum(X, axis)\n  Sum of the entries, or along axis 0 (down the columns) or 1 (along the rows).\n  a function over arrays: `:help arrays` lists them all",
    );
    for name in ["mean", "dot", "norm", "softmax", "logsumexp", "linspace"] {
        let out = succeed(&[&format!(":help {name}")]);
        assert!(out.starts_with(&format!("{name}(")), "{out}");
    }
    let out = succeed(&[":help max"]);
    assert!(out.starts_with("max(a, b)\n"), "{out}");
    assert!(out.contains("\nmax(x)\n  Largest entry"), "{out}");
    // A name that is both a command and a function: both.
    let out = succeed(&[":help min"]);
    assert!(out.starts_with(":min EXPR from POINT"), "{out}");
    assert!(out.contains("\n\nmin(a, b)\n"), "{out}");
    assert!(out.contains("\nmin(x)\n"), "{out}");
    let topics = deriv::session::topics();
    assert!(topics.contains(&"softmax") && topics.contains(&"sum"));
    assert_eq!(topics.iter().filter(|t| **t == "max").count(), 1);
}

#[test]
fn an_array_function_named_as_a_value_is_refused_as_a_built_in_is() {
    // before: "unknown name `sum`", with the help "define it (`sum = 1`)",
    // which is refused
    for (stmts, says) in [
        (
            vec!["sum + 1"],
            "error: `sum` is a built-in function: call it as `sum(X), sum(X, axis)`\n --> -e:1:1\n",
        ),
        (
            vec!["y = mean"],
            "error: `mean` is a built-in function: call it as `mean(X), mean(X, axis)`\n --> -e:1:5\n",
        ),
        (
            vec!["sin + 1"],
            "error: `sin` is a built-in function: call it as `sin(x)`\n --> -e:1:1\n",
        ),
    ] {
        let err = fail(&stmts);
        assert!(err.starts_with(says), "{stmts:?}: {err}");
    }
    let err = fail(&[":grad sum^2 at x = [1, 2]"]);
    assert!(
        err.starts_with(
            "error: `sum` is a built-in function, not a variable: a function needs its argument"
        ),
        "{err}"
    );
    assert!(err.contains("help: did you mean `sum(X)^2`?"), "{err}");
    let err = fail(&["f(x) = norm * x"]);
    assert!(
        err.contains("help: `norm` is a function: call it with arguments"),
        "{err}"
    );
}
