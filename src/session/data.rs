//! `:data`: a CSV file with a header, read into one contiguous buffer per
//! column (or one row-major matrix), all or nothing.
//!
//! The file is read through a bounded reader ([`limits::MAX_DATA_BYTES`]),
//! streaming, so the peak memory is the numbers themselves; a directory, a
//! device or a FIFO is refused before it is opened.

use super::Session;
use crate::error::{Error, ErrorKind};
use crate::limits;
use crate::num::Array;
use crate::outcome::{ArrayOutcome, DataLoaded, Outcome};
use crate::syntax::{Ident, Span};
use std::path::Path;

/// The columns of a CSV file, read.
struct Table {
    /// Header of each numeric column.
    names: Vec<String>,
    /// Headers of the columns left out (their first cell is not a number).
    skipped: Vec<String>,
    /// Data rows.
    rows: usize,
    /// One buffer per numeric column, or (for a matrix) one row-major buffer.
    data: Vec<Vec<f64>>,
}

impl Session {
    /// `:data FILE` or `:data NAME = FILE`.
    pub(super) fn data(
        &mut self,
        name: Option<Ident>,
        path: &str,
        span: Span,
    ) -> Result<Outcome, Error> {
        if let Some(n) = &name {
            self.check_variable_name(n)?;
        }
        let opened = self.load_path(path);
        let table = read_csv(path, &opened, name.is_some()).map_err(|e| e.at(span))?;
        // `:save` writes this line back; the full path keeps it valid from
        // another directory.
        let full = std::fs::canonicalize(&opened)
            .map_or_else(|_| path.to_string(), |p| p.display().to_string());
        let line = match &name {
            Some(n) => format!(":data {} = \"{full}\"", n.name),
            None => format!(":data \"{full}\""),
        };
        let mut bound = Vec::new();
        let mut renamed = Vec::new();
        let mut warnings = Vec::new();
        if let Some(n) = name {
            let cols = table.names.len();
            let data = table.data.into_iter().next().unwrap_or_default();
            let a = Array::new(vec![table.rows, cols], data).ok_or_else(|| {
                Error::new(ErrorKind::Io, "the table's rows differ in length").at(span)
            })?;
            warnings = self.variable_name(&n)?;
            self.forget(&n.name);
            bound.push((n.name.clone(), a.shape().to_vec()));
            self.data_sources.insert(n.name.clone(), line.clone());
            self.arrays.insert(n.name, a);
        } else {
            let mut names = Vec::new();
            for h in &table.names {
                let (n, why) = self.valid_name(h, &names, span);
                if n != *h {
                    renamed.push((h.clone(), n.clone(), why));
                }
                names.push(n);
            }
            // Everything was read: bind it all now.
            for (n, col) in names.into_iter().zip(table.data) {
                warnings.extend(self.shadow_warning(&n, false));
                self.forget(&n);
                bound.push((n.clone(), vec![col.len()]));
                self.data_sources.insert(n.clone(), line.clone());
                self.arrays.insert(n, Array::vector(col));
            }
        }
        self.data_loads.retain(|(l, _)| *l != line);
        let names = bound.iter().map(|(n, _)| n.clone()).collect();
        self.data_loads.push((line, names));
        Ok(Outcome::Arrays(Box::new(ArrayOutcome::Data(Box::new(
            DataLoaded {
                path: path.to_string(),
                rows: table.rows,
                bound,
                renamed,
                skipped: table.skipped,
                warnings,
            },
        )))))
    }

    /// A header as a variable name: kept when an assignment could take it,
    /// else made one (`sepal length` → `sepal_length`, `2x` → `_2x`, `sin`
    /// → `sin_`), with the reason a name that is already well formed was
    /// refused.
    fn valid_name(&self, header: &str, taken: &[String], span: Span) -> (String, Option<String>) {
        let mut n: String = header
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '_' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        if n.is_empty() || n.starts_with(|c: char| c.is_ascii_digit()) {
            n.insert(0, '_');
        }
        let mut why = None;
        while let Err(e) = self.check_variable_name(&Ident {
            name: n.clone(),
            span,
        }) {
            if n == header {
                why = Some(e.message);
            }
            n.push('_');
        }
        if header.is_empty() {
            why = Some("the header is empty".into());
        }
        let base = n.clone();
        let mut k = 2;
        while taken.contains(&n) {
            if why.is_none() && n == header {
                why = Some(format!("an earlier column is named `{header}`"));
            }
            n = format!("{base}_{k}");
            k += 1;
        }
        (n, why)
    }
}

fn io(msg: String) -> Error {
    Error::new(ErrorKind::Io, msg)
}

/// Opens `path` through the bounded reader every user file goes through,
/// refusing what is not a regular file.
fn open(path: &str, opened: &Path) -> Result<std::io::Take<std::fs::File>, Error> {
    crate::files::open_regular(opened, limits::MAX_DATA_BYTES)
        .map_err(|e| e.into_error(&format!("cannot read `{path}`")))
}

/// Reads a CSV file with a header. With `matrix`, the numeric columns go
/// into one row-major buffer; otherwise one buffer each.
fn read_csv(path: &str, opened: &Path, matrix: bool) -> Result<Table, Error> {
    let file = open(path, opened)?;
    let file_len = file.get_ref().metadata().map_or(0, |m| m.len());
    // Cells are trimmed here, not by the reader: its trimming builds a new
    // record for every row.
    let mut r = csv::ReaderBuilder::new()
        .has_headers(true)
        .buffer_capacity(1 << 16)
        .from_reader(file);
    let headers = r
        .byte_headers()
        .map_err(|e| csv_error(path, &e))?
        .iter()
        .map(|h| String::from_utf8_lossy(h.trim_ascii()).into_owned())
        .collect::<Vec<_>>();
    if headers.is_empty() || headers.iter().all(String::is_empty) {
        return Err(io(format!("`{path}` has no header line")));
    }
    let mut cols = Columns {
        path,
        headers: &headers,
        keep: Vec::new(),
        data: Vec::new(),
        rows: 0,
        matrix,
        file_len,
    };
    let mut rec = csv::ByteRecord::new();
    // Where the last record began: a quote left open swallows the rest of
    // the file into that record, which the reader does not report.
    let mut last = (0, 1);
    while r
        .read_byte_record(&mut rec)
        .map_err(|e| csv_error(path, &e))?
    {
        if let Some(p) = rec.position() {
            last = (p.byte(), p.line());
        }
        cols.push(&rec, r.position().byte())?;
    }
    unclosed_quote(path, opened, last)?;
    if r.position().byte() > limits::MAX_DATA_BYTES {
        return Err(Error::limit(
            &format!("`{path}` is too large to read"),
            format!("{} bytes", limits::MAX_DATA_BYTES),
        ));
    }
    if cols.rows == 0 {
        return Err(io(format!("`{path}` has a header but no data rows")));
    }
    let names = cols
        .keep
        .iter()
        .map(|j| headers.get(*j).cloned().unwrap_or_default())
        .collect();
    let skipped = (0..headers.len())
        .filter(|j| !cols.keep.contains(j))
        .map(|j| headers[j].clone())
        .collect();
    Ok(Table {
        names,
        skipped,
        rows: cols.rows,
        data: cols.data,
    })
}

/// Refuses a file whose last record, starting at byte `from` on line
/// `line`, opens a quoted field that never closes. Quoting follows the
/// reader's: a `"` opens a quote only at the start of a field, and `""`
/// inside one is a quote character.
fn unclosed_quote(path: &str, opened: &Path, (from, line): (u64, u64)) -> Result<(), Error> {
    use std::io::{BufRead, Seek};
    let mut file = open(path, opened)?;
    file.get_mut()
        .seek(std::io::SeekFrom::Start(from))
        .map_err(|e| io(format!("cannot read `{path}`: {e}")))?;
    let mut reader = std::io::BufReader::new(file);
    let mut scan = QuoteScan {
        line,
        ..QuoteScan::default()
    };
    loop {
        let buf = reader
            .fill_buf()
            .map_err(|e| io(format!("cannot read `{path}`: {e}")))?;
        if buf.is_empty() {
            break;
        }
        let n = buf.len();
        // The byte-order mark the reader skips is not part of a field.
        let skip = if from == 0 && scan.line == line && buf.starts_with(b"\xEF\xBB\xBF") {
            3
        } else {
            0
        };
        buf[skip..].iter().for_each(|b| scan.byte(*b));
        reader.consume(n);
    }
    // A quote that is the file's last byte closes its field.
    match scan.open_since.filter(|_| !scan.quote) {
        Some(at) => Err(io(format!(
            "`{path}`, line {at}: a quote `\"` opens a field that is never closed"
        ))),
        None => Ok(()),
    }
}

/// The state of a CSV field, byte by byte.
#[derive(Default)]
struct QuoteScan {
    line: u64,
    /// Inside a field that did not start with a quote.
    bare: bool,
    /// The line where the quoted field we are in was opened.
    open_since: Option<u64>,
    /// A `"` just seen inside a quoted field: it closes it unless another
    /// follows.
    quote: bool,
}

impl QuoteScan {
    fn byte(&mut self, b: u8) {
        if self.quote {
            self.quote = false;
            if b == b'"' {
                return;
            }
            self.open_since = None;
            self.bare = true;
        }
        if b == b'\n' {
            self.line += 1;
        }
        if self.open_since.is_some() {
            self.quote = b == b'"';
            return;
        }
        match b {
            b',' | b'\n' | b'\r' => self.bare = false,
            b'"' if !self.bare => self.open_since = Some(self.line),
            _ => self.bare = true,
        }
    }
}

/// The numeric columns of a CSV file as its rows come in.
struct Columns<'a> {
    path: &'a str,
    headers: &'a [String],
    /// Which fields are numeric columns (decided by the first row).
    keep: Vec<usize>,
    data: Vec<Vec<f64>>,
    rows: usize,
    matrix: bool,
    /// The file's size, for [`Columns::reserve`].
    file_len: u64,
}

impl Columns<'_> {
    /// Adds a row; `read` is how many bytes of the file were read, to
    /// reserve room for the rows still to come once (not by doubling).
    fn push(&mut self, rec: &csv::ByteRecord, read: u64) -> Result<(), Error> {
        let line = rec.position().map_or(self.rows + 2, |p| p.line() as usize);
        if self.rows == 0 {
            self.start(rec, line)?;
        }
        // One UTF-8 check for the row, not one per cell.
        let text = std::str::from_utf8(rec.as_slice()).ok();
        for (k, j) in self.keep.iter().enumerate() {
            let cell = text.and_then(|t| t.get(rec.range(*j)?));
            let v = match cell {
                Some(c) => c.trim_ascii().parse().ok(),
                None => number(rec.get(*j).unwrap_or_default().trim_ascii()),
            };
            let v = v.ok_or_else(|| {
                self.bad_cell(line, *j, rec.get(*j).unwrap_or_default().trim_ascii())
            })?;
            self.data[if self.matrix { 0 } else { k }].push(v);
        }
        self.rows += 1;
        if self.rows.saturating_mul(self.keep.len()) > limits::MAX_ARRAY_ENTRIES {
            return Err(Error::limit(
                &format!("`{}` holds too many numbers", self.path),
                format!("{} entries", limits::MAX_ARRAY_ENTRIES),
            ));
        }
        if self.rows == 1024 {
            self.reserve(read);
        }
        Ok(())
    }

    /// The first row decides which columns are numbers.
    fn start(&mut self, rec: &csv::ByteRecord, line: usize) -> Result<(), Error> {
        self.keep = (0..rec.len())
            .filter(|j| number(rec[*j].trim_ascii()).is_some())
            .collect();
        if self.keep.is_empty() {
            let e = io(format!(
                "`{}` has no numeric column (line {line})",
                self.path
            ));
            // One column whose cells hold another separator: not this format.
            let other = [(';', "`;`"), ('\t', "tabs"), ('|', "`|`")]
                .into_iter()
                .find(|(c, _)| rec.len() == 1 && self.headers.iter().any(|h| h.contains(*c)));
            return Err(match other {
                Some((_, by)) => e.help(format!(
                    "deriv reads comma-separated values; this file seems to separate them by {by}"
                )),
                None => e,
            });
        }
        let n = if self.matrix { 1 } else { self.keep.len() };
        self.data = vec![Vec::new(); n];
        Ok(())
    }

    /// Reserves room for the rows the file's size suggests (with a little
    /// to spare), bounded by the entry limit.
    fn reserve(&mut self, read: u64) {
        let total = limits::MAX_DATA_BYTES.min(self.file_len) as f64;
        let per_row = read.max(1) as f64 / self.rows as f64;
        let rows = (total / per_row * 1.02) as usize + 16;
        let cap = limits::MAX_ARRAY_ENTRIES / self.keep.len().max(1);
        for col in &mut self.data {
            let want = rows.min(cap) * if self.matrix { self.keep.len() } else { 1 };
            col.reserve_exact(want.saturating_sub(col.len()));
        }
    }

    fn bad_cell(&self, line: usize, j: usize, cell: &[u8]) -> Error {
        let what = if cell.is_empty() {
            "the cell is empty, not a number".to_string()
        } else {
            format!("`{}` is not a number", String::from_utf8_lossy(cell))
        };
        io(format!(
            "`{}`, line {line}, column {} (`{}`): {what}",
            self.path,
            j + 1,
            self.headers.get(j).map_or("", String::as_str),
        ))
    }
}

/// A cell as a number: what Rust's `f64` parser reads (`-.5`, `+2`, `3.`,
/// `1e-3`, `nan`, `inf`).
fn number(cell: &[u8]) -> Option<f64> {
    std::str::from_utf8(cell).ok()?.parse().ok()
}

fn csv_error(path: &str, e: &csv::Error) -> Error {
    match e.kind() {
        csv::ErrorKind::UnequalLengths {
            pos,
            expected_len,
            len,
        } => io(format!(
            "`{path}`, line {}: {len} field{}, but the header has {expected_len}",
            pos.as_ref().map_or(0, csv::Position::line),
            if *len == 1 { "" } else { "s" }
        )),
        csv::ErrorKind::Io(err) => io(format!("cannot read `{path}`: {err}")),
        _ => io(format!("`{path}`: {e}")),
    }
}
