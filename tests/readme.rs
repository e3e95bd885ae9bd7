//! The README's examples are tested: every ```console block is a list of
//! `$ deriv …` commands, each followed by its exact output (stdout and stderr
//! together), run here with the freshly built binary first on PATH.

use std::path::Path;
use std::process::Command;

fn blocks(readme: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur: Option<String> = None;
    for line in readme.lines() {
        match (&mut cur, line.trim_end()) {
            (None, "```console") => cur = Some(String::new()),
            (Some(b), "```") => {
                out.push(std::mem::take(b));
                cur = None;
            }
            (Some(b), l) => {
                b.push_str(l);
                b.push('\n');
            }
            _ => {}
        }
    }
    out
}

#[test]
fn readme_examples_print_what_the_readme_says() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let bin = assert_cmd::cargo::cargo_bin!("deriv");
    let path = format!(
        "{}:{}",
        bin.parent().unwrap().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let mut count = 0;
    for block in blocks(&readme) {
        let mut cmds: Vec<(String, String)> = Vec::new();
        for line in block.lines() {
            if let Some(cmd) = line.strip_prefix("$ ") {
                cmds.push((cmd.to_string(), String::new()));
            } else if let Some((_, exp)) = cmds.last_mut() {
                exp.push_str(line);
                exp.push('\n');
            }
        }
        for (cmd, expected) in cmds {
            if !cmd.starts_with("deriv") && !cmd.starts_with("echo") && !cmd.starts_with("printf") {
                continue; // `cargo run`, `cargo test`: documented, not run here
            }
            let out = Command::new("bash")
                .arg("-c")
                .arg(format!("{cmd} 2>&1"))
                .current_dir(root.join("tests/scripts/ok"))
                .env("PATH", &path)
                .env_remove("NO_COLOR")
                .output()
                .unwrap();
            let got = String::from_utf8_lossy(&out.stdout);
            assert_eq!(got.trim_end(), expected.trim_end(), "README command: {cmd}");
            count += 1;
        }
    }
    assert!(count >= 5, "expected README examples, found {count}");
}

/// The README opens with two commands, the prompt and the tests; CI must
/// run exactly that test command.
#[test]
fn ci_runs_the_readmes_test_command() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let test_cmd = readme
        .lines()
        .skip_while(|l| l.trim_end() != "```sh")
        .find(|l| l.trim_end().ends_with("# the tests"))
        .and_then(|l| l.split('#').next())
        .map(str::trim)
        .expect("the README's test command");
    let ci = std::fs::read_to_string(root.join(".ci/run")).unwrap();
    assert!(
        ci.lines().any(|l| l.trim() == test_cmd),
        "`.ci/run` does not run `{test_cmd}`"
    );
}
