//! The prompt's history file: one statement a line, appended as each line is
//! run, so that two prompts open at once both keep their lines.
//!
//! It lives in `$DERIV_HISTORY`, else in the platform's data directory
//! (`…/deriv/history`). Duplicates are folded (the latest copy kept) and the
//! file is cut to [`CAP`] entries when it is read. Any failure to read or
//! write it gives one warning, and the session goes on without it.

use deriv::files::{self, FileError, FileErrorKind};
use std::path::PathBuf;

/// Most entries kept.
pub const CAP: usize = 5_000;

/// A history file larger than this is not read (about 100 times what
/// [`CAP`] lines of ordinary statements take).
const MAX_BYTES: u64 = 64 << 20;

/// The history file of one prompt session.
pub struct History {
    path: Option<PathBuf>,
    warned: bool,
}

impl History {
    /// The history at the usual place (see the module docs); `None` as the
    /// path when there is no place for it (no home directory).
    pub fn open() -> History {
        History {
            path: default_path(),
            warned: false,
        }
    }

    /// A history kept in `path`.
    #[cfg(test)]
    pub fn at(path: PathBuf) -> History {
        History {
            path: Some(path),
            warned: false,
        }
    }

    /// The entries, oldest first, duplicates folded, at most [`CAP`]. A
    /// file that has grown well past that is rewritten in its folded form.
    pub fn load(&mut self) -> Vec<String> {
        let Some(path) = self.path.clone() else {
            return Vec::new();
        };
        let text = match files::read_bounded(&path, MAX_BYTES) {
            Ok(b) => String::from_utf8_lossy(&b).into_owned(),
            Err(FileError {
                kind: FileErrorKind::Missing,
                linked: false,
                ..
            }) => return Vec::new(),
            Err(e) => {
                self.fail("read", &e);
                return Vec::new();
            }
        };
        let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
        let entries = fold(&lines);
        if lines.len() > CAP + CAP / 2 {
            let mut body = entries.join("\n");
            body.push('\n');
            if let Err(e) = files::write_atomic(&path, body.as_bytes()) {
                self.fail("write", &e);
            }
        }
        entries
    }

    /// Appends one statement (a no-op after a failure, or for a blank line).
    pub fn append(&mut self, entry: &str) {
        let entry = entry.trim();
        if entry.is_empty() || self.warned {
            return;
        }
        let Some(path) = &self.path else {
            return;
        };
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty())
            && let Err(e) = std::fs::create_dir_all(dir)
        {
            self.fail("write", &format!("cannot create its folder: {e}"));
            return;
        }
        // One write, so that lines from two prompts never interleave.
        if let Err(e) = files::append(path, format!("{entry}\n").as_bytes()) {
            self.fail("write", &e);
        }
    }

    fn fail(&mut self, what: &str, e: &dyn std::fmt::Display) {
        if !self.warned {
            self.warned = true;
            let p = self
                .path
                .as_deref()
                .map_or_else(String::new, |p| p.display().to_string());
            crate::report!(
                "deriv: warning: cannot {what} the history file {p}: {e}; history is off for this session"
            );
        }
    }
}

/// Keeps the last copy of each line and the last [`CAP`] lines.
fn fold(lines: &[&str]) -> Vec<String> {
    let mut seen = std::collections::HashSet::new();
    let mut out: Vec<String> = lines
        .iter()
        .rev()
        .filter(|l| seen.insert(**l))
        .take(CAP)
        .map(|l| l.to_string())
        .collect();
    out.reverse();
    out
}

/// `$DERIV_HISTORY`, else `deriv/history` in the platform's data directory:
/// `$XDG_DATA_HOME` or `~/.local/share` on Linux and the BSDs,
/// `~/Library/Application Support` on macOS, `%APPDATA%` on Windows.
fn default_path() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("DERIV_HISTORY").filter(|p| !p.is_empty()) {
        return Some(PathBuf::from(p));
    }
    let env_dir = |k: &str| {
        std::env::var_os(k)
            .filter(|p| !p.is_empty())
            .map(PathBuf::from)
    };
    let data = if cfg!(windows) {
        env_dir("APPDATA")
    } else if cfg!(target_os = "macos") {
        env_dir("HOME").map(|h| h.join("Library/Application Support"))
    } else {
        env_dir("XDG_DATA_HOME")
            .filter(|p| p.is_absolute())
            .or_else(|| env_dir("HOME").map(|h| h.join(".local/share")))
    }?;
    Some(data.join("deriv").join("history"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_duplicates_keeping_the_latest() {
        assert_eq!(fold(&["a", "b", "a", "c", "b"]), vec!["a", "c", "b"]);
    }

    #[test]
    fn caps_the_entries() {
        let many: Vec<String> = (0..CAP + 10).map(|i| i.to_string()).collect();
        let refs: Vec<&str> = many.iter().map(String::as_str).collect();
        let f = fold(&refs);
        assert_eq!(f.len(), CAP);
        assert_eq!(f[0], "10");
    }

    #[test]
    fn appends_and_reads_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub").join("history");
        let mut h = History::at(path.clone());
        assert!(h.load().is_empty());
        h.append("1+1");
        h.append("  ");
        h.append("x = 2");
        h.append("1+1");
        assert_eq!(History::at(path).load(), vec!["x = 2", "1+1"]);
    }

    #[test]
    fn an_unwritable_file_warns_once_and_goes_on() {
        let dir = tempfile::tempdir().unwrap();
        // A directory where the file should be: neither readable nor writable as a file.
        let mut h = History::at(dir.path().to_path_buf());
        assert!(h.load().is_empty());
        assert!(h.warned);
        h.append("1+1");
    }

    #[cfg(unix)]
    #[test]
    fn a_linked_history_stays_a_link_when_rewritten() {
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("real");
        let link = dir.path().join("history");
        std::os::unix::fs::symlink("real", &link).unwrap();
        let lines: Vec<String> = (0..2 * CAP)
            .map(|i| format!("{}\n", i % (CAP + 1)))
            .collect();
        std::fs::write(&real, lines.concat()).unwrap();
        let entries = History::at(link.clone()).load();
        assert_eq!(entries.len(), CAP);
        assert!(
            std::fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        let folded = std::fs::read_to_string(&real).unwrap();
        assert_eq!(folded.lines().count(), CAP);
    }

    #[cfg(unix)]
    #[test]
    fn a_fifo_as_history_is_neither_waited_on_nor_replaced() {
        use std::os::unix::fs::FileTypeExt;
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("history");
        let made = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap();
        assert!(made.success());
        let mut h = History::at(fifo.clone());
        assert!(h.load().is_empty());
        h.append("1+1");
        assert!(h.warned);
        assert!(std::fs::metadata(&fifo).unwrap().file_type().is_fifo());
    }
}
