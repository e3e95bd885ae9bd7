//! `:load` and `:save`: which file a path names, and the session's side of
//! reading and writing it (the bytes themselves go through [`crate::files`]).

use super::Session;
use crate::error::{Error, ErrorKind, Origin};
use crate::files::{self, FileError};
use crate::limits;
use crate::outcome::Outcome;
use crate::syntax::Span;
use std::path::{Path, PathBuf};

/// A file being run by `:load`.
#[derive(Debug)]
pub(super) struct Loading {
    /// Where it really is, links resolved: a file met twice in the chain of
    /// loads is the same file however it was named.
    real: PathBuf,
    /// The folder the paths it loads are relative to: that of the path it
    /// was opened by; none (the working directory) for a pipe such as
    /// `/dev/stdin` or a shell's `<(…)`, whose folder means nothing.
    folder: Option<PathBuf>,
}

impl Loading {
    fn new(opened: &Path) -> Loading {
        Loading {
            real: opened
                .canonicalize()
                .unwrap_or_else(|_| opened.to_path_buf()),
            folder: files::is_regular(opened)
                .then(|| opened.parent().map(Path::to_path_buf))
                .flatten(),
        }
    }
}

impl Session {
    /// The file `:load PATH` reads: `~` (alone or before `/`) is the home
    /// folder; a relative path in a file being loaded is relative to that
    /// file's folder (as includes are in most languages), else to the working
    /// directory.
    pub(super) fn load_path(&self, path: &str) -> PathBuf {
        let p = files::expand_home(path);
        match self.loading.last() {
            Some(Loading {
                folder: Some(dir), ..
            }) if p.is_relative() => dir.join(p),
            _ => p,
        }
    }

    /// Runs the lines that follow as those of the file at `path` (the
    /// binary's FILE arguments, run line by line): a `:load` in them is
    /// relative to its folder, as in a loaded file, and a file loading it
    /// back is refused. [`Session::end_file`] closes it.
    pub fn begin_file(&mut self, path: &Path) {
        self.loading.push(Loading::new(path));
    }

    /// Closes what [`Session::begin_file`] opened.
    pub fn end_file(&mut self) {
        self.loading.pop();
    }

    pub(super) fn load(&mut self, path: &str, span: Span) -> Result<Outcome, Error> {
        let opened = self.load_path(path);
        let doing = if opened == Path::new(path) {
            format!("cannot load `{path}`")
        } else {
            format!("cannot load `{path}` (`{}`)", opened.display())
        };
        if self.loading.len() >= limits::MAX_LOAD_DEPTH {
            return Err(Error::limit(":load nested too deeply", limits::MAX_LOAD_DEPTH).at(span));
        }
        let bytes = files::read_bounded(&opened, limits::MAX_LOAD_BYTES)
            .map_err(|e: FileError| e.into_error(&doing).at(span))?;
        let this = Loading::new(&opened);
        if let Some(i) = self.loading.iter().position(|l| l.real == this.real) {
            let chain: Vec<String> = self.loading[i..]
                .iter()
                .map(|l| &l.real)
                .chain(std::iter::once(&this.real))
                .map(|q| q.display().to_string())
                .collect();
            return Err(Error::new(
                ErrorKind::Io,
                format!(
                    "`{path}` is already being loaded: {}",
                    chain.join(" loads ")
                ),
            )
            .at(span));
        }
        self.loading.push(this);
        let mut results = self.run_source(&bytes);
        self.loading.pop();
        for r in &mut results {
            if let Err(e) = &mut r.result
                && e.origin.is_none()
            {
                e.origin = Some(Box::new(Origin {
                    file: path.to_string(),
                    line: r.line,
                    text: r.input.clone(),
                }));
            }
        }
        Ok(Outcome::Loaded {
            path: path.to_string(),
            results,
        })
    }

    /// Writes the session as a script. The path is taken as written (`~`
    /// expanded), relative to the working directory even inside a loaded
    /// file: it is where the user asked the output to go.
    pub(super) fn save(&mut self, path: &str, span: Span) -> Result<Outcome, Error> {
        self.check_saveable().map_err(|e| e.at(span))?;
        let text = self.script();
        super::names::reads_back(&text, &self.defs, &self.arrays).map_err(|why| {
            Error::new(
                ErrorKind::Definition,
                format!("not saved: the script would not load back as this session ({why})"),
            )
            .at(span)
        })?;
        files::write_atomic(&files::expand_home(path), text.as_bytes())
            .map_err(|e| e.into_error(&format!("cannot save to `{path}`")).at(span))?;
        Ok(Outcome::Saved {
            path: path.to_string(),
            count: self
                .defs
                .vars
                .keys()
                .filter(|k| *k != super::names::ANS)
                .count()
                + self.defs.funcs.len()
                + self.arrays.len(),
        })
    }
}
