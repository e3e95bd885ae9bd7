//! Fitting results to the terminal's width. Aligned tables (the `:min`
//! progress, `:check`, `:table`) lose columns from the middle, marked `…`,
//! keeping the first and the last; other long lines (the `:help` index, a
//! long point) wrap at a space, continuing under the text they belong to.
//! Charts are drawn to their own width and left alone. Colour codes take no
//! room and are kept.

use std::io::IsTerminal;

/// The width to fit standard output to: `$COLUMNS`, else the terminal's;
/// `None` when standard output is not a terminal (a file keeps every line
/// whole).
pub fn stdout_width() -> Option<usize> {
    let out = std::io::stdout();
    if !out.is_terminal() {
        return None;
    }
    let cols = std::env::var("COLUMNS").ok().and_then(|c| c.parse().ok());
    let width = cols.or_else(|| terminal_size::terminal_size_of(&out).map(|(w, _)| w.0 as usize));
    width.filter(|w| *w >= MIN_WIDTH)
}

/// Narrower than this, fitting does more harm than good.
const MIN_WIDTH: usize = 30;

/// The least room a wrapped line's continuation keeps for its text.
const MIN_ROOM: usize = 20;

/// One visible character and the escape codes just before it.
#[derive(Clone)]
struct Cell {
    codes: String,
    ch: char,
}

/// `line` as cells; escape codes after the last character come back apart.
fn cells(line: &str) -> (Vec<Cell>, String) {
    let mut out = Vec::new();
    let mut codes = String::new();
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\x1b' {
            codes.push(c);
            if chars.next_if_eq(&'[').is_some() {
                codes.push('[');
                for d in chars.by_ref() {
                    codes.push(d);
                    if d.is_ascii_alphabetic() {
                        break;
                    }
                }
            }
        } else {
            out.push(Cell {
                codes: std::mem::take(&mut codes),
                ch: c,
            });
        }
    }
    (out, codes)
}

fn text(cells: &[Cell], tail: &str) -> String {
    let mut s: String = cells
        .iter()
        .flat_map(|c| c.codes.chars().chain(std::iter::once(c.ch)))
        .collect();
    s.push_str(tail);
    s
}

fn is_chart(cells: &[Cell]) -> bool {
    cells
        .iter()
        .any(|c| ('\u{2800}'..='\u{28ff}').contains(&c.ch))
}

/// `text` with every line at most `width` columns wide (see the module).
pub fn fit(text_in: &str, width: usize) -> String {
    let lines: Vec<(Vec<Cell>, String)> = text_in.lines().map(cells).collect();
    let mut out: Vec<String> = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        // A table: consecutive lines of several columns, some too wide.
        let end = (i..lines.len())
            .find(|&j| columns_of(&lines[j].0) < 3 || is_chart(&lines[j].0))
            .unwrap_or(lines.len());
        if end - i >= 2 && lines[i..end].iter().any(|l| l.0.len() > width) {
            out.extend(elide(&lines[i..end], width));
            i = end;
            continue;
        }
        let (cells, tail) = &lines[i];
        if cells.len() <= width || is_chart(cells) {
            out.push(text(cells, tail));
        } else {
            out.extend(wrap(cells, tail, width));
        }
        i += 1;
    }
    out.join("\n")
}

/// How many runs of text separated by two or more spaces `cells` holds.
fn columns_of(cells: &[Cell]) -> usize {
    let s: String = cells.iter().map(|c| c.ch).collect();
    s.trim()
        .split("  ")
        .filter(|part| !part.trim().is_empty())
        .count()
}

/// The table's columns as `[start, end)` character ranges: runs of
/// positions that are not a space in some line.
fn table_columns(rows: &[(Vec<Cell>, String)]) -> Vec<(usize, usize)> {
    let w = rows.iter().map(|r| r.0.len()).max().unwrap_or(0);
    let blank: Vec<bool> = (0..w)
        .map(|k| rows.iter().all(|r| r.0.get(k).is_none_or(|c| c.ch == ' ')))
        .collect();
    let mut cols = Vec::new();
    let mut k = 0;
    while k < w {
        if blank[k] {
            k += 1;
            continue;
        }
        let start = k;
        // A single space inside a column ("check ok: …") does not split it.
        while k < w && !(blank[k] && blank.get(k + 1).is_none_or(|b| *b)) {
            k += 1;
        }
        cols.push((start, k));
    }
    cols
}

/// Drops middle columns of a table until it fits, keeping the first column
/// and as many of the last ones as room allows, with `…` where columns went.
fn elide(rows: &[(Vec<Cell>, String)], width: usize) -> Vec<String> {
    let cols = table_columns(rows);
    let keep_whole = || rows.iter().map(|(c, t)| text(c, t)).collect();
    if cols.len() < 3 {
        return keep_whole();
    }
    const GAP: &str = "  …";
    let first_end = cols[0].1;
    // Take columns from the right while the line still fits.
    let mut from = cols.len();
    while from > 1 {
        let start = cols[from - 1].0;
        let right = rows.iter().map(|r| r.0.len()).max().unwrap_or(0) - start;
        if first_end + GAP.chars().count() + 2 + right > width {
            break;
        }
        from -= 1;
    }
    if from == cols.len() || from <= 1 {
        // Not even the last column fits beside the first: wrap instead.
        return rows.iter().flat_map(|(c, t)| wrap(c, t, width)).collect();
    }
    let cut = cols[from].0;
    rows.iter()
        .map(|(c, t)| {
            let left = &c[..first_end.min(c.len())];
            let right = if c.len() > cut { &c[cut..] } else { &[][..] };
            let mut s = text(left, "");
            s.push_str(GAP);
            s.push_str("  ");
            s.push_str(&text(right, t));
            s
        })
        .collect()
}

/// Wraps one line at spaces; continuation lines start under the text after
/// the line's last wide gap (its value column), or under its indentation.
fn wrap(cells: &[Cell], tail: &str, width: usize) -> Vec<String> {
    let s: Vec<char> = cells.iter().map(|c| c.ch).collect();
    let indent = s.iter().take_while(|c| **c == ' ').count();
    let hang = (indent..s.len().saturating_sub(2).min(width))
        .rev()
        .find(|&k| k >= 2 && s[k - 1] == ' ' && s[k - 2] == ' ' && s[k] != ' ')
        .unwrap_or(indent + 2);
    // Under the value column only while that leaves room to read.
    let hang = if hang + MIN_ROOM > width {
        (indent + 2).min(width / 2)
    } else {
        hang
    };
    let mut out = Vec::new();
    let mut start = 0;
    let mut first = true;
    while start < s.len() {
        let room = if first { width } else { width - hang };
        if s.len() - start <= room {
            let mut line = if first {
                String::new()
            } else {
                " ".repeat(hang)
            };
            line.push_str(&text(&cells[start..], tail));
            out.push(line);
            break;
        }
        let end = start + room;
        // Break at the last space within room, else cut the word.
        let brk = (start + 1..=end)
            .rev()
            .find(|&k| s[k] == ' ')
            .unwrap_or(end);
        let mut line = if first {
            String::new()
        } else {
            " ".repeat(hang)
        };
        line.push_str(text(&cells[start..brk], "").trim_end());
        out.push(line);
        start = brk;
        while start < s.len() && s[start] == ' ' {
            start += 1;
        }
        first = false;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn widest(s: &str) -> usize {
        s.lines().map(|l| cells(l).0.len()).max().unwrap_or(0)
    }

    #[test]
    fn a_help_line_wraps_under_its_description() {
        let line = "  :min EXPR from POINT [OPTION=VALUE ...]  descend to a minimum; options lr= steps= method=gd|momentum|adam|newton tol=";
        let got = fit(line, 80);
        assert!(widest(&got) <= 80, "{got}");
        let lines: Vec<&str> = got.lines().collect();
        assert!(lines.len() >= 2, "{got}");
        for l in &lines[1..] {
            assert!(l.starts_with(&" ".repeat(43)), "{got}");
            assert!(!l.starts_with(&" ".repeat(44)), "{got}");
        }
        // Nothing is lost.
        let words = |s: &str| s.split_whitespace().map(String::from).collect::<Vec<_>>();
        assert_eq!(words(&got), words(line));
    }

    #[test]
    fn a_wide_table_loses_middle_columns() {
        let table = "  iteration     x1     x2     x3     x4        f   |∇f|\n\
                     \x20         0      0      0      0      0        2    2.8\n\
                     \x20       100   0.70   0.49   0.70   0.49     0.17   0.53";
        let got = fit(table, 40);
        assert!(widest(&got) <= 40, "{got}");
        for l in got.lines() {
            assert!(l.contains('…'), "{got}");
        }
        assert!(got.lines().next().unwrap().contains("iteration"), "{got}");
        assert!(got.lines().next().unwrap().ends_with("|∇f|"), "{got}");
        assert!(got.lines().nth(2).unwrap().ends_with("0.53"), "{got}");
        // Wide enough: unchanged.
        assert_eq!(fit(table, 80), table);
    }

    #[test]
    fn colour_takes_no_room_and_is_kept() {
        let line = format!("\x1b[1m{}\x1b[0m", "word ".repeat(30).trim_end());
        let got = fit(&line, 40);
        assert!(widest(&got) <= 40, "{got}");
        assert!(
            got.starts_with("\x1b[1m") && got.ends_with("\x1b[0m"),
            "{got:?}"
        );
    }

    #[test]
    fn charts_are_left_alone() {
        let chart = format!("{} 1\n{} 0", "⠉".repeat(100), "⣀".repeat(100));
        assert_eq!(fit(&chart, 40), chart);
    }
}
