//! Example sessions under tests/scripts/, each run through the binary and
//! compared with its committed snapshot (tests/snapshots/). Grouped by what
//! they show: ok/, parse_error/, eval_error/.

use std::path::Path;

fn run(path: &Path, extra: &[&str]) -> String {
    let dir = path.parent().unwrap();
    let name = path.file_name().unwrap();
    let out = assert_cmd::cargo::cargo_bin_cmd!("deriv")
        .current_dir(dir)
        .env_remove("NO_COLOR")
        .args(["--color", "never"])
        .args(extra)
        .arg(name)
        .output()
        .unwrap();
    format!(
        "exit: {}\n--- stdout\n{}--- stderr\n{}",
        out.status.code().map_or("signal".into(), |c| c.to_string()),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[test]
fn example_sessions() {
    insta::glob!("scripts/**/*.deriv", |path| {
        let text = run(path, &[]);
        let group = path
            .parent()
            .unwrap()
            .file_name()
            .unwrap()
            .to_str()
            .unwrap();
        let code = text.lines().next().unwrap();
        match group {
            "ok" => assert_eq!(code, "exit: 0", "{}:\n{text}", path.display()),
            _ => assert_eq!(code, "exit: 1", "{}:\n{text}", path.display()),
        }
        insta::assert_snapshot!(text);
    });
}

#[test]
fn example_sessions_json() {
    insta::glob!("scripts/ok/tutorials.deriv", |path| {
        insta::assert_snapshot!(run(path, &["--json"]));
    });
}
