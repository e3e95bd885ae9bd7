//! Errors and warnings: typed, with a span, readable as sentences.
//!
//! The library never prints; the binary turns an [`Error`] into a diagnostic
//! with the source line and a caret (see `render.rs`).

use crate::span::Span;

/// What phase or rule an error comes from (the `kind` key of `--json`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    /// The line does not parse.
    Parse,
    /// An unknown name, or a name used as what it is not.
    Name,
    /// A call with the wrong number of arguments.
    Arity,
    /// A definition that cannot be made (recursion, reserved or built-in names).
    Definition,
    /// A point that does not fit the expression.
    Point,
    /// A size, depth or time limit was reached.
    Limit,
    /// A file could not be read or written.
    Io,
    /// A command was used wrongly (bad option or value).
    Command,
    /// Ctrl-C stopped the computation.
    Interrupted,
}

impl ErrorKind {
    /// The lower-case name used in `--json` and in messages.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::Parse => "parse",
            ErrorKind::Name => "name",
            ErrorKind::Arity => "arity",
            ErrorKind::Definition => "definition",
            ErrorKind::Point => "point",
            ErrorKind::Limit => "limit",
            ErrorKind::Io => "io",
            ErrorKind::Command => "command",
            ErrorKind::Interrupted => "interrupted",
        }
    }
}

/// Where a line came from when it is not the line being run (an error inside a
/// file run by `:load`).
#[derive(Clone, Debug, PartialEq)]
pub struct Origin {
    /// The file.
    pub file: String,
    /// 1-based line number in it.
    pub line: usize,
    /// The text of that line.
    pub text: String,
}

/// An error: what went wrong and where.
#[derive(Clone, Debug, PartialEq)]
pub struct Error {
    /// Its kind.
    pub kind: ErrorKind,
    /// A sentence saying what went wrong.
    pub message: String,
    /// Where in the line, if it points somewhere.
    pub span: Option<Span>,
    /// A short text printed under the caret.
    pub label: Option<String>,
    /// A hint on what to do instead.
    pub help: Option<String>,
    /// Set when the error happened in another line than the one being run (`:load`).
    pub origin: Option<Box<Origin>>,
}

impl Error {
    /// An error of `kind` with `message`, pointing nowhere yet.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Error {
        Error {
            kind,
            message: message.into(),
            span: None,
            label: None,
            help: None,
            origin: None,
        }
    }
    /// Points the error at `span` (keeps an existing span).
    pub fn at(mut self, span: Span) -> Error {
        if self.span.is_none() {
            self.span = Some(span);
        }
        self
    }
    /// Adds the text shown under the caret.
    pub fn label(mut self, label: impl Into<String>) -> Error {
        self.label = Some(label.into());
        self
    }
    /// Adds a hint.
    pub fn help(mut self, help: impl Into<String>) -> Error {
        self.help = Some(help.into());
        self
    }
    /// A parse error.
    pub fn parse(message: impl Into<String>, span: Span) -> Error {
        Error::new(ErrorKind::Parse, message).at(span)
    }
    /// Array syntax met by a path that computes with scalars only.
    pub fn scalar_only() -> Error {
        Error::new(ErrorKind::Name, "arrays are not supported by this command")
            .help("`:help arrays` lists what works on vectors and matrices")
    }
    /// Ctrl-C stopped the computation.
    pub fn interrupted() -> Error {
        Error::new(ErrorKind::Interrupted, "interrupted")
    }
    /// A limit error: names the limit and its value.
    pub fn limit(what: &str, value: impl std::fmt::Display) -> Error {
        Error::new(ErrorKind::Limit, format!("{what} (the limit is {value})"))
    }
    /// A statement ran past its time limit `limit`.
    pub fn out_of_time(limit: std::time::Duration) -> Error {
        let shown = if limit.as_secs() > 0 && limit.subsec_nanos() == 0 {
            format!("{} s", limit.as_secs())
        } else {
            format!("{} s", limit.as_secs_f64())
        };
        Error::limit("the statement ran out of time", shown)
            .help("ask for less work: fewer samples or rows, a narrower range, fewer variables")
    }
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.message)
    }
}

impl std::error::Error for Error {}

/// A warning attached to a result: the result stands, but read it with care
/// (a derivative that does not exist, a value outside a function's domain).
#[derive(Clone, Debug, PartialEq)]
pub struct Warning {
    /// A sentence.
    pub message: String,
    /// Where in the line, if known.
    pub span: Option<Span>,
}
