//! `:data`: the names it binds follow the rules of assignment, and a file
//! it cannot read as written binds nothing.

mod common;
use common::*;

fn write(dir: &std::path::Path, name: &str, text: &str) -> String {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p.display().to_string()
}

#[test]
fn a_matrix_named_like_a_constant_is_warned_of_as_an_assignment_is() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(dir.path(), "f.csv", "a,b\n1,2\n3,4\n");
    let warning = "warning: `pi` now hides the constant pi = 3.141592653589793 (until `:del pi`)";
    assert!(succeed(&["pi = [1, 2]"]).contains(warning));
    let out = succeed(&[&format!(":data pi = {f}")]);
    assert!(out.contains(warning), "{out}");
    let r = last_json(&[&format!(":data pi = {f}")]);
    assert_eq!(r["warnings"][0]["message"], &warning["warning: ".len()..]);
}

#[test]
fn headers_follow_the_rules_of_assignment() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(
        dir.path(),
        "h.csv",
        "pi,sin,ans,at,sum,x y,g\n1,2,3,4,5,6,7\n",
    );
    let out = succeed(&["g(t) = t + 1", "h(t) = g(t)", &format!(":data {f}")]);
    // a constant's name is taken, with the warning `pi = …` gives
    assert!(out.contains("\n  pi "), "{out}");
    assert!(
        out.contains("warning: `pi` now hides the constant pi"),
        "{out}"
    );
    // names an assignment refuses are renamed, saying why
    for note in [
        "column `sin` is bound as `sin_` (`sin` is a built-in function and cannot be redefined)",
        "column `ans` is bound as `ans_` (`ans` is the last value computed and cannot be defined)",
        "column `at` is bound as `at_` (`at` is a reserved word and cannot be used as a name)",
        "column `sum` is bound as `sum_` (`sum` is a built-in function and cannot be redefined)",
        "column `x y` is bound as `x_y` (a name is a letter or `_`, then letters, digits, `_`)",
        "column `g` is bound as `g_` (cannot redefine `g` as a variable: `h` uses it)",
    ] {
        assert!(out.contains(note), "{note}\n{out}");
    }
    expect_output(
        &[
            "g(t) = t + 1",
            "h(t) = g(t)",
            &format!(":data {f}"),
            "h(ans_ + g_)",
        ],
        &format!("{}\n[11]  (1,)", out.trim_end()),
    );
}

#[test]
fn a_reserved_word_or_a_non_name_before_the_equals_sign_is_named() {
    let err = fail(&[":data at = f.csv"]);
    assert!(
        err.starts_with(
            "error: `at` is a reserved word and cannot be used as a name\n --> -e:1:7\n  |\n1 | :data at = f.csv\n  |       ^^\n"
        ),
        "{err}"
    );
    let err = fail(&[":data 2x = f.csv"]);
    assert!(
        err.starts_with(
            "error: `2x` is not a name: a name is a letter or `_`, then letters, digits, `_`"
        ),
        "{err}"
    );
    assert!(err.contains("  |       ^^\n"), "{err}");
    // a file whose name holds `=` is still a file name
    let err = fail(&[":data ./a = b.csv"]);
    assert!(err.contains("cannot read `./a = b.csv`"), "{err}");
}

#[test]
fn an_unterminated_quote_is_an_error_naming_its_line_and_binds_nothing() {
    let dir = tempfile::tempdir().unwrap();
    for (text, line) in [
        ("\"a,b\n1,2\n3,4\n", 1),
        ("a,\"b\n1,2\n3,4\n", 1),
        ("a,b\n1,2\n3,\"4\n", 3),
        ("a,b\n1,2\n3,\"4", 3),
        ("a,b\n1,\"2\"\"\n3,4\n", 2),
    ] {
        let f = write(dir.path(), "q.csv", text);
        for cmd in [format!(":data {f}"), format!(":data M = {f}")] {
            let out = json(&[&cmd, ":vars"]);
            let m = out[0]["error"]["message"].as_str().unwrap_or_default();
            let says = format!("line {line}: a quote `\"` opens a field that is never closed");
            assert!(m.ends_with(&says), "{text:?}: {}", out[0]);
            assert_eq!(out[1]["variables"], serde_json::json!([]), "{text:?}");
        }
    }
    // quotes that close, escaped quotes, a quote as the last byte, a
    // byte-order mark, and a quote inside a field that did not start with one
    for text in [
        "a,b\n1,\"2\"",
        "a,\"b \"\"x\"\"\"\n1,\"2\"\n",
        "\u{feff}\"a\",b\n1,2\n",
        "a,b,name\n1,2,12\" pipe\n",
    ] {
        let f = write(dir.path(), "ok.csv", text);
        let r = last_json(&[&format!(":data {f}")]);
        assert_eq!(r["rows"], 1, "{text:?}: {r}");
    }
}

#[test]
fn a_renamed_header_says_why_and_another_separator_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(dir.path(), "d.csv", "a,a,,b\n1,2,3,4\n");
    let out = succeed(&[&format!(":data {f}")]);
    assert!(
        out.contains("note: column `a` is bound as `a_2` (an earlier column is named `a`)"),
        "{out}"
    );
    assert!(
        out.contains("note: column `` is bound as `_` (the header is empty)"),
        "{out}"
    );
    for (text, by) in [("a;b\n1;2\n", "`;`"), ("a\tb\n1\t2\n", "tabs")] {
        let f = write(dir.path(), "s.csv", text);
        let err = fail(&[&format!(":data {f}")]);
        let help = format!(
            "help: deriv reads comma-separated values; this file seems to separate them by {by}"
        );
        assert!(err.contains("has no numeric column (line 2)"), "{err}");
        assert!(err.contains(&help), "{err}");
    }
}

#[test]
fn a_missing_file_name_is_asked_for() {
    for (line, says, col) in [
        (":data", "expected a file name after `:data`", 6),
        (":data M =", "expected a file name after `=`", 10),
        (
            ":data M = \"x.csv",
            "missing closing `\"` after the file name",
            11,
        ),
    ] {
        let r = last_json(&[line]);
        assert_eq!(r["error"]["message"], says, "{line}");
        assert_eq!(r["error"]["column"], col, "{line}");
    }
}
