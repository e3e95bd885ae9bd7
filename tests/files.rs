//! The user's files through the binary: `:save` and `svg=` never replace
//! what is not a regular file, write through symbolic links, keep
//! permissions; `:load` is bounded and never waits on a FIFO, and resolves
//! paths from the file it is in. No test writes to a real device: a FIFO or
//! a directory stands for "not a regular file".
#![cfg(unix)]

mod common;
use common::*;
use std::fs;
use std::os::unix::fs::{FileTypeExt, MetadataExt, PermissionsExt, symlink};
use std::path::Path;
use std::time::{Duration, Instant};

const HEADER: &str = "# deriv session, written by :save\n";

fn mkfifo(path: &Path) {
    let ok = std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .expect("mkfifo runs")
        .success();
    assert!(ok, "mkfifo {}", path.display());
}

/// The names in `dir`, sorted.
fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

fn mode(path: &Path) -> u32 {
    fs::metadata(path).unwrap().permissions().mode() & 0o7777
}

#[test]
fn save_writes_through_a_symbolic_link_and_the_link_stays() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("target.txt");
    let link = dir.path().join("link.deriv");
    fs::write(&target, "old\n").unwrap();
    symlink("target.txt", &link).unwrap();
    let out = succeed(&["a = 1", &format!(":save {}", link.display())]);
    assert!(out.contains("saved 1 definition"), "{out}");
    assert!(
        fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert_eq!(fs::read_link(&link).unwrap(), Path::new("target.txt"));
    assert_eq!(
        fs::read_to_string(&target).unwrap(),
        format!("{HEADER}a = 1\n")
    );
    assert_eq!(names(dir.path()), ["link.deriv", "target.txt"]);
}

#[test]
fn save_through_a_dangling_link_creates_its_target() {
    let dir = tempfile::tempdir().unwrap();
    let link = dir.path().join("link.deriv");
    symlink("new.deriv", &link).unwrap();
    succeed(&["b = 2", &format!(":save {}", link.display())]);
    assert!(
        fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    let new = dir.path().join("new.deriv");
    assert_eq!(fs::read_to_string(new).unwrap(), format!("{HEADER}b = 2\n"));
}

#[test]
fn save_keeps_the_mode_of_the_old_file_and_a_new_file_follows_the_umask() {
    let dir = tempfile::tempdir().unwrap();
    for m in [0o600, 0o640, 0o604] {
        let p = dir.path().join(format!("f{m:o}.deriv"));
        fs::write(&p, "old\n").unwrap();
        fs::set_permissions(&p, fs::Permissions::from_mode(m)).unwrap();
        succeed(&["a = 1", &format!(":save {}", p.display())]);
        assert_eq!(mode(&p), m, "{}", p.display());
        assert_eq!(fs::read_to_string(&p).unwrap(), format!("{HEADER}a = 1\n"));
    }
    // A new file: 0666 less the umask, as any program creates one (not
    // tempfile's 0600).
    let new = dir.path().join("new.deriv");
    let deriv_bin = Path::new(env!("CARGO_BIN_EXE_deriv"));
    let ok = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!(
            "umask 027 && exec '{}' -e 'a = 1' -e ':save {}'",
            deriv_bin.display(),
            new.display()
        ))
        .status()
        .unwrap()
        .success();
    assert!(ok);
    assert_eq!(mode(&new), 0o640);
}

#[test]
fn save_keeps_the_owner_where_the_process_may() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("owned.deriv");
    fs::write(&p, "old\n").unwrap();
    let me = fs::metadata(&p).unwrap();
    if me.uid() != 0 {
        // Only root may give a file away; others keep their own files as theirs.
        succeed(&["a = 1", &format!(":save {}", p.display())]);
        assert_eq!(fs::metadata(&p).unwrap().uid(), me.uid());
        return;
    }
    std::os::unix::fs::chown(&p, Some(4321), Some(4322)).unwrap();
    succeed(&["a = 1", &format!(":save {}", p.display())]);
    let after = fs::metadata(&p).unwrap();
    assert_eq!((after.uid(), after.gid()), (4321, 4322));
    assert_eq!(fs::read_to_string(&p).unwrap(), format!("{HEADER}a = 1\n"));
}

#[test]
fn save_and_svg_refuse_what_is_not_a_regular_file_and_change_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("fifo");
    mkfifo(&fifo);
    let sub = dir.path().join("sub");
    fs::create_dir(&sub).unwrap();
    let to_fifo = dir.path().join("to-fifo.deriv");
    symlink("fifo", &to_fifo).unwrap();
    let before = names(dir.path());
    let err = fail(&[
        "a = 1",
        &format!(":save {}", fifo.display()),
        &format!(":save {}", sub.display()),
        &format!(":save {}", to_fifo.display()),
        &format!(":plot x on 0..1 svg={}", fifo.display()),
        "a + 1",
    ]);
    let f = fifo.display();
    for says in [
        format!("cannot save to `{f}`: it is a FIFO (named pipe), not a regular file"),
        format!("cannot save to `{}`: it is a directory", sub.display()),
        format!(
            "cannot save to `{}`: it links to `{}`, a FIFO (named pipe), not a regular file",
            to_fifo.display(),
            dir.path().join("fifo").display()
        ),
        format!("cannot write `{f}`: it is a FIFO (named pipe), not a regular file"),
    ] {
        assert!(err.contains(&says), "missing {says:?} in\n{err}");
    }
    assert!(fs::metadata(&fifo).unwrap().file_type().is_fifo());
    assert!(
        fs::symlink_metadata(&to_fifo)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert!(fs::metadata(&sub).unwrap().is_dir());
    assert_eq!(
        names(dir.path()),
        before,
        "something was created or removed"
    );
    // The session went on after each refusal.
    let out = deriv()
        .args(["-e", "a = 1", "-e", &format!(":save {f}"), "-e", "a + 1"])
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout), "a = 1\n2\n");
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn a_link_planted_at_the_old_temporary_name_is_not_followed() {
    let dir = tempfile::tempdir().unwrap();
    let victim = dir.path().join("victim.txt");
    fs::write(&victim, "precious\n").unwrap();
    // The old name was `.NAME.deriv-tmp-PID`: plant links for the process
    // ids the child is likely to get.
    let me = std::process::id();
    for pid in me.saturating_sub(50)..me + 2000 {
        symlink(
            &victim,
            dir.path().join(format!(".defs.deriv.deriv-tmp-{pid}")),
        )
        .unwrap();
    }
    let before = names(dir.path());
    let defs = dir.path().join("defs.deriv");
    succeed(&["a = 1", &format!(":save {}", defs.display())]);
    assert_eq!(fs::read_to_string(&victim).unwrap(), "precious\n");
    assert_eq!(
        fs::read_to_string(&defs).unwrap(),
        format!("{HEADER}a = 1\n")
    );
    let mut after = names(dir.path());
    after.retain(|n| n != "defs.deriv");
    assert_eq!(after, before, "a temporary file was left behind");
}

#[test]
fn a_refused_or_failed_save_leaves_the_old_file_and_no_temporary_file() {
    let dir = tempfile::tempdir().unwrap();
    let keep = dir.path().join("keep.deriv");
    fs::write(&keep, "old = 1\n").unwrap();
    let err = fail(&["a = 1", ":save /no/such/dir/defs.deriv"]);
    assert!(
        err.contains("cannot save to `/no/such/dir/defs.deriv`: no such directory"),
        "{err}"
    );
    // A file its owner made read-only is refused, as a direct write would be
    // (root may write it, and does).
    fs::set_permissions(&keep, fs::Permissions::from_mode(0o444)).unwrap();
    let root = fs::metadata(&keep).unwrap().uid() == 0;
    let stmts = ["a = 1", &format!(":save {}", keep.display())];
    if root {
        succeed(&stmts);
        assert_eq!(mode(&keep), 0o444);
    } else {
        let err = fail(&stmts);
        assert!(err.contains("permission denied"), "{err}");
        assert_eq!(fs::read_to_string(&keep).unwrap(), "old = 1\n");
    }
    assert_eq!(names(dir.path()), ["keep.deriv"]);
}

#[test]
fn load_of_dev_zero_is_a_limit_error_at_once() {
    for dev in ["/dev/zero", "/dev/urandom"] {
        let start = Instant::now();
        let r = last_json(&[&format!(":load {dev}")]);
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "{dev} took too long"
        );
        assert_eq!(r["error"]["kind"], "limit", "{r}");
        let msg = r["error"]["message"].as_str().unwrap();
        assert!(
            msg.starts_with(&format!(
                "cannot load `{dev}`: it is too large (the limit is "
            )),
            "{msg}"
        );
    }
    let out = deriv().arg("/dev/zero").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("too large"));
}

#[test]
fn load_of_a_fifo_never_waits_for_a_writer() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("fifo");
    mkfifo(&fifo);
    let start = Instant::now();
    let out = succeed(&[&format!(":load {}", fifo.display()), "1 + 1"]);
    assert!(start.elapsed() < Duration::from_secs(20));
    assert!(
        out.contains("0 statements") && out.ends_with("2\n"),
        "{out}"
    );
    let out = deriv().arg(&fifo).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    // A pipe being written (as `/dev/stdin`, or `<(…)` in a shell) is read
    // to its end.
    let out = deriv()
        .args(["-e", ":load /dev/stdin", "-e", "z + 1"])
        .write_stdin("z = 3\n1 + 1\n")
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "z = 3\n2\nloaded /dev/stdin: 2 statements\n4\n"
    );
}

#[test]
fn load_refuses_a_directory_and_names_where_a_link_leads() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().display();
    let gone = dir.path().join("gone.deriv");
    symlink("missing/file.deriv", &gone).unwrap();
    let err = fail(&[&format!(":load {d}"), &format!(":load {}", gone.display())]);
    assert!(
        err.contains(&format!("cannot load `{d}`: it is a directory")),
        "{err}"
    );
    assert!(
        err.contains(&format!(
            "cannot load `{}`: it links to `{d}/missing/file.deriv`, which does not exist",
            gone.display()
        )),
        "{err}"
    );
}

#[test]
fn load_inside_a_file_is_relative_to_that_file() {
    let dir = tempfile::tempdir().unwrap();
    let lib = dir.path().join("lib");
    fs::create_dir_all(lib.join("more")).unwrap();
    fs::write(
        lib.join("main.deriv"),
        ":load more/b.deriv\n:load \"with blank.deriv\"\n",
    )
    .unwrap();
    fs::write(lib.join("more/b.deriv"), "b = 2\n:load ../c.deriv\n").unwrap();
    fs::write(lib.join("c.deriv"), "c = 3\n").unwrap();
    fs::write(lib.join("with blank.deriv"), "d = 4\n").unwrap();
    // Run from another folder: the paths inside are found from their file.
    let out = deriv()
        .current_dir(dir.path())
        .args(["-e", ":load lib/main.deriv", "-e", "b + c + d"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.ends_with("9\n"), "{stdout}");
    // So is a FILE argument.
    let out = deriv()
        .current_dir(dir.path())
        .args(["lib/main.deriv", "-e", "b + c + d"])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).ends_with("9\n"));
    assert_eq!(out.status.code(), Some(0));
    // A pipe has no folder of its own: from it, paths are from the working
    // directory.
    let out = deriv()
        .current_dir(&lib)
        .args(["-e", ":load /dev/stdin", "-e", "c"])
        .write_stdin(":load c.deriv\n")
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).ends_with("3\n"));
    assert_eq!(out.status.code(), Some(0));
    // A missing one names the path it tried.
    fs::write(lib.join("bad.deriv"), ":load nope.deriv\n").unwrap();
    let out = deriv()
        .current_dir(dir.path())
        .args(["-e", ":load lib/bad.deriv"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("cannot load `nope.deriv` (`lib/nope.deriv`): no such file"),
        "{stderr}"
    );
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn tilde_is_the_home_folder() {
    let home = tempfile::tempdir().unwrap();
    fs::write(home.path().join("h.deriv"), "h = 5\n").unwrap();
    let out = deriv()
        .env("HOME", home.path())
        .args(["-e", ":load ~/h.deriv", "-e", ":save ~/saved.deriv"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        fs::read_to_string(home.path().join("saved.deriv")).unwrap(),
        format!("{HEADER}h = 5\n")
    );
}
