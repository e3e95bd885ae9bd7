//! What the line editor asks while a line is typed: completions, the greyed
//! hint (a command's syntax, or the live value of an expression), colours.
//!
//! Everything is read from the tables (`COMMANDS`, `BUILTINS`, `CONSTANTS`,
//! `RESERVED`, the help topics) and from the session's definitions, so a new
//! command or function completes and highlights without a change here.

use super::lex::{self, Kind, Token};
use deriv::builtins::{self, BUILTINS, CONSTANTS};
use deriv::engine::array::{ARRAY_FUNCTIONS, functions as array_functions};
use deriv::engine::{self, Budget};
use deriv::session::Session;
use deriv::syntax::{self, RESERVED};
use deriv::syntax::{COMMANDS, CommandInfo};
use deriv::syntax::{ExprKind, UnOp};
use deriv::{format, session};
use rustyline::completion::{Completer, FilenameCompleter, Pair};
use rustyline::highlight::{CmdKind, Highlighter};
use rustyline::hint::{Hint, Hinter};
use rustyline::validate::Validator;
use rustyline::{Context, Helper};
use std::borrow::Cow;
use std::cell::Cell;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::time::Duration;

pub use deriv::session::PREVIEW_SYNTAX;

/// Keywords of the statement forms that are not commands (`EXPR at POINT`);
/// a test holds them to the grammar.
const STATEMENT_KEYWORDS: &[&str] = &["at"];

/// How long the live preview may compute before it gives up (typing must
/// never wait for a slow expression).
const PREVIEW_TIME: Duration = Duration::from_millis(40);

/// SGR colours of the input line.
mod sgr {
    pub const NUMBER: &str = "33";
    pub const BUILTIN: &str = "36";
    pub const USER: &str = "32";
    pub const KEYWORD: &str = "35";
    pub const COMMAND: &str = "1;34";
    pub const UNKNOWN_COMMAND: &str = "31";
    pub const MATCHED_PAREN: &str = "1;4";
    pub const STRAY_PAREN: &str = "1;31";
    pub const STRING: &str = "32";
    pub const COMMENT: &str = "90";
    pub const HINT: &str = "90";
}

/// The editor's helper; owns the session so that completion and the preview
/// see every definition as soon as it is made.
pub struct DerivHelper {
    /// The session the prompt runs.
    pub session: Session,
    /// Show the live value of an expression (`:set preview on|off`).
    pub preview: bool,
    /// The earlier lines of a statement whose parentheses are still open.
    pub pending: String,
    color: bool,
    /// Highlight the partner of the parenthesis at the cursor (not in the
    /// final redraw of an accepted line).
    show_match: Cell<bool>,
    files: FilenameCompleter,
}

impl DerivHelper {
    /// A helper around `session`; `color` turns highlighting on.
    pub fn new(session: Session, color: bool) -> DerivHelper {
        DerivHelper {
            session,
            preview: true,
            pending: String::new(),
            color,
            show_match: Cell::new(true),
            files: FilenameCompleter::new(),
        }
    }

    fn is_user_name(&self, name: &str) -> bool {
        let d = self.session.defs();
        d.vars.contains_key(name)
            || d.funcs.contains_key(name)
            || self.session.arrays().contains_key(name)
    }

    /// The live value of `text` if it is an expression (or `name = EXPR`)
    /// whose value is quick to find; `None` otherwise.
    fn preview_value(&self, text: &str) -> Option<String> {
        let toks = lex::tokens(text);
        // Only the part before a comment.
        let end = toks
            .iter()
            .find(|t| t.kind == Kind::Comment)
            .map_or(text.len(), |t| t.start);
        let words: Vec<&Token> = lex::words(&toks).filter(|t| t.start < end).collect();
        // `name = EXPR`: preview the right-hand side.
        let start = match words.as_slice() {
            [n, eq, ..] if n.kind == Kind::Name && eq.text(text) == "=" => eq.end,
            _ => 0,
        };
        let src = text[start..end].trim();
        if src.is_empty() {
            return None;
        }
        let expr = syntax::parse_expr(src).ok()?;
        // A number alone is its own value: nothing to show.
        let bare = |k: &ExprKind| matches!(k, ExprKind::Num(_));
        match &expr.kind {
            k if bare(k) => return None,
            ExprKind::Unary(UnOp::Neg, e) if bare(&e.kind) => return None,
            _ => {}
        }
        let v = quick_value(self.session.defs(), &expr)?;
        Some(format!(
            "  = {}",
            format::number(v, self.session.settings.digits)
        ))
    }

    /// The hint for a line that starts with a command.
    fn command_hint(&self, line: &str, toks: &[Token]) -> Option<DerivHint> {
        let mut words = lex::words(toks);
        let cmd = words.next()?;
        let typed = &cmd.text(line)[1..];
        let only_name = cmd.end == line.len();
        if only_name {
            // Still typing the name: the rest of the only command that fits.
            let c = unique_command(typed)?;
            let rest = &c.name[typed.len()..];
            let args = c.syntax.split(" | ").next().unwrap_or(c.syntax);
            let args = args.split_once(' ').map_or("", |(_, a)| a);
            let display = if args.is_empty() {
                rest.to_string()
            } else {
                format!("{rest} {args}")
            };
            return Some(DerivHint {
                display,
                completion: (!rest.is_empty()).then(|| rest.to_string()),
            });
        }
        let c = COMMANDS.iter().find(|c| c.name == typed)?;
        // A `:sym` that reads whole: its formula, when short and quick.
        if c.name == "sym"
            && self.preview
            && let Some(display) = self.session.preview_formula(line)
        {
            return Some(DerivHint {
                display,
                completion: None,
            });
        }
        let alts = alternatives(c);
        let args: Vec<&str> = alts
            .iter()
            .filter_map(|a| a.split_once(' ').map(|(_, rest)| rest))
            .collect();
        if args.is_empty() {
            return None;
        }
        // Nothing typed after the name yet: what comes next. Later: the whole syntax.
        let display = if line[cmd.end..].trim().is_empty() {
            let sep = if line.ends_with(' ') { "" } else { " " };
            format!("{sep}{}", args.join(" | "))
        } else {
            format!("  {}", alts.join(" | "))
        };
        Some(DerivHint {
            display,
            completion: None,
        })
    }

    /// Completions for an argument of command `c` at word `k` (1-based) whose
    /// earlier arguments are `before`; `None` when the slot is an expression.
    fn complete_arg(&self, c: &CommandInfo, before: &[&str], prefix: &str) -> Option<Vec<Pair>> {
        let mut out = Vec::new();
        let mut expr = false;
        for alt in alternatives(c) {
            let slots: Vec<&str> = alt.split_whitespace().skip(1).collect();
            if slots.first() == Some(&"EXPR") {
                expr = true;
                continue;
            }
            let fits = before
                .iter()
                .enumerate()
                .all(|(i, w)| slot(&slots, i).is_some_and(|s| slot_accepts(s, w)));
            let Some(s) = slot(&slots, before.len()) else {
                continue;
            };
            if !fits {
                continue;
            }
            let mut add = |w: &str, suffix: &str| {
                if w.starts_with(prefix)
                    && !out
                        .iter()
                        .any(|p: &Pair| p.replacement == format!("{w}{suffix}"))
                {
                    out.push(pair(w, format!("{w}{suffix}")));
                }
            };
            match s.trim_matches(|c| c == '[' || c == ']') {
                "TOPIC" => session::topics().iter().for_each(|t| add(t, "")),
                "NAME" => {
                    let d = self.session.defs();
                    d.vars
                        .keys()
                        .chain(d.funcs.keys())
                        .for_each(|n| add(n, " "));
                }
                "FILE" => return None,
                lits => {
                    let last = slot(&slots, before.len() + 1).is_none();
                    for w in lits.split('|').filter(|w| is_literal(w)) {
                        add(w, if last { "" } else { " " });
                    }
                }
            }
        }
        if expr && out.is_empty() {
            return None;
        }
        Some(out)
    }

    /// `keywords` and (if `names`) the names starting with `prefix` in an
    /// expression; `call` when a `(` already follows the cursor.
    fn complete_name(&self, prefix: &str, keywords: &[&str], call: bool, names: bool) -> Vec<Pair> {
        let paren = if call { "" } else { "(" };
        let mut out: Vec<Pair> = keywords.iter().map(|k| pair(k, format!("{k} "))).collect();
        if names {
            let d = self.session.defs();
            let funcs = BUILTINS
                .iter()
                .map(|b| b.name)
                .chain(ARRAY_FUNCTIONS.iter().map(|f| f.name))
                .chain(d.funcs.keys().map(String::as_str));
            for f in funcs {
                out.push(pair(f, format!("{f}{paren}")));
            }
            for v in d
                .vars
                .keys()
                .chain(self.session.arrays().keys())
                .map(String::as_str)
                .chain(CONSTANTS.iter().map(|c| c.0))
            {
                out.push(pair(v, v.to_string()));
            }
        }
        out.retain(|p| p.display.starts_with(prefix));
        out.sort_by(|a, b| a.display.cmp(&b.display));
        out.dedup_by(|a, b| a.display == b.display);
        out
    }
}

fn pair(display: &str, replacement: String) -> Pair {
    Pair {
        display: display.to_string(),
        replacement,
    }
}

/// The alternatives of a command's syntax (`:set check on|off`, `:set digits
/// N|auto`, and the prompt's own `:set preview on|off`).
fn alternatives(c: &CommandInfo) -> Vec<&'static str> {
    let mut alts: Vec<&'static str> = c.syntax.split(" | ").collect();
    if PREVIEW_SYNTAX
        .strip_prefix(':')
        .and_then(|s| s.split_whitespace().next())
        == Some(c.name)
    {
        alts.push(PREVIEW_SYNTAX);
    }
    alts
}

/// Slot `i` of a syntax's argument words; `NAME ...` repeats.
fn slot<'a>(slots: &[&'a str], i: usize) -> Option<&'a str> {
    match slots.get(i) {
        Some(&"...") => slots.get(i.checked_sub(1)?).copied(),
        Some(s) => Some(s),
        None if slots.last() == Some(&"...") => slots
            .len()
            .checked_sub(2)
            .and_then(|j| slots.get(j))
            .copied(),
        None => None,
    }
}

/// A lowercase word of a syntax is typed as it is; an uppercase one is a placeholder.
fn is_literal(w: &str) -> bool {
    !w.is_empty() && w.chars().all(|c| c.is_ascii_lowercase())
}

fn slot_accepts(slot: &str, word: &str) -> bool {
    let s = slot.trim_matches(|c| c == '[' || c == ']');
    let lits: Vec<&str> = s.split('|').filter(|w| is_literal(w)).collect();
    lits.is_empty() || lits.contains(&word) || s.split('|').any(|w| !is_literal(w))
}

/// The one command whose name starts with `typed` (an exact name wins).
fn unique_command(typed: &str) -> Option<&'static CommandInfo> {
    if let Some(c) = COMMANDS.iter().find(|c| c.name == typed) {
        return Some(c);
    }
    let mut fits = COMMANDS.iter().filter(|c| c.name.starts_with(typed));
    let c = fits.next()?;
    fits.next().is_none().then_some(c)
}

/// Evaluates `expr` unless that takes longer than [`PREVIEW_TIME`].
fn quick_value(defs: &engine::Defs, expr: &deriv::syntax::Expr) -> Option<f64> {
    let stop = Arc::new(AtomicBool::new(false));
    let (done, wait) = mpsc::channel::<()>();
    let flag = Arc::clone(&stop);
    // A watchdog: stops the evaluation when the time is up. It ends as soon as
    // `done` is dropped; setting the flag then is harmless.
    std::thread::spawn(move || {
        let _ = wait.recv_timeout(PREVIEW_TIME);
        flag.store(true, Ordering::Relaxed);
    });
    let mut budget = Budget::new(Some(stop));
    let v = engine::value(defs, expr, &mut budget).ok();
    drop(done);
    v
}

/// A greyed hint; `completion` is what the right arrow inserts, if anything.
pub struct DerivHint {
    display: String,
    completion: Option<String>,
}

impl Hint for DerivHint {
    fn display(&self) -> &str {
        &self.display
    }
    fn completion(&self) -> Option<&str> {
        self.completion.as_deref()
    }
}

/// The commands starting with what was typed (with or without its `:`),
/// each with a space after it when it takes arguments.
fn command_names(prefix: &str) -> Vec<Pair> {
    let typed = prefix.strip_prefix(':').unwrap_or(prefix);
    COMMANDS
        .iter()
        .filter(|c| c.name.starts_with(typed))
        .map(|c| {
            let takes_args = c.syntax.trim() != format!(":{}", c.name);
            let space = if takes_args { " " } else { "" };
            pair(&format!(":{}", c.name), format!(":{}{space}", c.name))
        })
        .collect()
}

impl Completer for DerivHelper {
    type Candidate = Pair;

    fn complete(
        &self,
        line: &str,
        pos: usize,
        ctx: &Context<'_>,
    ) -> rustyline::Result<(usize, Vec<Pair>)> {
        // Inside a continuation the earlier lines count too.
        let (text, offset) = if self.pending.is_empty() {
            (line[..pos].to_string(), 0)
        } else {
            (
                format!("{} {}", self.pending, &line[..pos]),
                self.pending.len() + 1,
            )
        };
        let toks = lex::tokens(&text);
        let words: Vec<&Token> = lex::words(&toks).collect();
        // The word under completion: a name or command ending at the cursor.
        let current = words.last().filter(|t| {
            t.end == text.len() && t.start >= offset && matches!(t.kind, Kind::Name | Kind::Command)
        });
        let (start, prefix) = match current {
            Some(t) => (t.start - offset, t.text(&text)),
            None => (pos, ""),
        };
        let earlier = &words[..words.len() - usize::from(current.is_some())];
        let call = line[pos..].starts_with('(');
        // The command name itself, or Tab on an empty line: the commands.
        if earlier.is_empty() && current.is_none_or(|t| t.kind == Kind::Command) {
            return Ok((start, command_names(prefix)));
        }
        let mut keywords: Vec<&str> = STATEMENT_KEYWORDS.to_vec();
        if let Some(cmd) = earlier.first().filter(|t| t.kind == Kind::Command) {
            let name = &cmd.text(&text)[1..];
            let Some(c) = COMMANDS.iter().find(|c| c.name == name) else {
                return Ok((pos, Vec::new()));
            };
            let args: Vec<&str> = earlier[1..].iter().map(|t| t.text(&text)).collect();
            match self.complete_arg(c, &args, prefix) {
                Some(v) => return Ok((start, v)),
                None if alternatives(c).iter().any(|a| a.contains(" FILE")) => {
                    return self.files.complete(line, pos, ctx);
                }
                None => {}
            }
            keywords = alternatives(c)
                .iter()
                .flat_map(|a| a.split_whitespace())
                .map(|w| w.trim_matches(|c| c == '[' || c == ']'))
                .filter(|w| RESERVED.contains(w))
                .collect();
        }
        // A keyword fits after an operand (a number, a name, a `)`).
        let after_operand = earlier.last().is_some_and(|t| match t.kind {
            Kind::Num | Kind::Close => true,
            Kind::Name => !RESERVED.contains(&t.text(&text)),
            _ => false,
        });
        let used: Vec<&str> = earlier.iter().map(|t| t.text(&text)).collect();
        let keywords: Vec<&str> = if after_operand {
            keywords.into_iter().filter(|k| !used.contains(k)).collect()
        } else {
            Vec::new()
        };
        // Right after an operand a name would be an implicit product: with
        // nothing typed, or with the start of a keyword (`a` for `at`), only
        // the keywords make sense there.
        let names = !(after_operand
            && (prefix.is_empty() || keywords.iter().any(|k| k.starts_with(prefix))));
        Ok((start, self.complete_name(prefix, &keywords, call, names)))
    }
}

impl Hinter for DerivHelper {
    type Hint = DerivHint;

    fn hint(&self, line: &str, pos: usize, _ctx: &Context<'_>) -> Option<DerivHint> {
        if pos < line.len() || line.trim().is_empty() {
            return None;
        }
        let toks = lex::tokens(line);
        if self.pending.is_empty()
            && lex::words(&toks)
                .next()
                .is_some_and(|t| t.kind == Kind::Command)
        {
            return self.command_hint(line, &toks);
        }
        if !self.preview {
            return None;
        }
        let text = if self.pending.is_empty() {
            line.to_string()
        } else {
            format!("{} {}", self.pending, line)
        };
        if text.trim_start().starts_with(':') {
            return None;
        }
        self.preview_value(&text).map(|display| DerivHint {
            display,
            completion: None,
        })
    }
}

impl Highlighter for DerivHelper {
    fn highlight<'l>(&self, line: &'l str, pos: usize) -> Cow<'l, str> {
        if !self.color || line.is_empty() {
            return Cow::Borrowed(line);
        }
        let toks = lex::tokens(line);
        let partners = lex::partners(&toks);
        let is_paren = |t: &Token| matches!(t.kind, Kind::Open | Kind::Close);
        // The parenthesis just typed (before the cursor) or under the cursor.
        let at_cursor = self
            .show_match
            .get()
            .then(|| {
                let before = toks.iter().position(|t| is_paren(t) && t.end == pos);
                before.or_else(|| toks.iter().position(|t| is_paren(t) && t.start == pos))
            })
            .flatten();
        let pair = at_cursor.and_then(|i| partners[i].map(|j| (i, j)));
        // Closing parentheses may close ones opened on earlier lines.
        let mut open_before = lex::open_parens(&self.pending);
        let mut out = String::with_capacity(line.len() * 2);
        for (i, t) in toks.iter().enumerate() {
            let text = t.text(line);
            let style = match t.kind {
                Kind::Num => Some(sgr::NUMBER),
                Kind::Name => {
                    let name = text.trim_end_matches('\'');
                    if RESERVED.contains(&name) {
                        Some(sgr::KEYWORD)
                    } else if self.is_user_name(name) {
                        Some(sgr::USER)
                    } else if builtins::lookup(name).is_some()
                        || builtins::constant(name).is_some()
                        || array_functions::lookup(name).is_some()
                    {
                        Some(sgr::BUILTIN)
                    } else {
                        None
                    }
                }
                Kind::Command => {
                    let typed = &text[1..];
                    if COMMANDS.iter().any(|c| c.name == typed) {
                        Some(sgr::COMMAND)
                    } else if COMMANDS.iter().any(|c| c.name.starts_with(typed)) {
                        None
                    } else {
                        Some(sgr::UNKNOWN_COMMAND)
                    }
                }
                Kind::Open | Kind::Close if pair.is_some_and(|(a, b)| a == i || b == i) => {
                    Some(sgr::MATCHED_PAREN)
                }
                Kind::Close if partners[i].is_none() => {
                    if open_before > 0 {
                        open_before -= 1;
                        None
                    } else {
                        Some(sgr::STRAY_PAREN)
                    }
                }
                Kind::Str { .. } => Some(sgr::STRING),
                Kind::Comment => Some(sgr::COMMENT),
                _ => None,
            };
            match style {
                Some(s) => {
                    out.push_str("\x1b[");
                    out.push_str(s);
                    out.push('m');
                    out.push_str(text);
                    out.push_str("\x1b[0m");
                }
                None => out.push_str(text),
            }
        }
        Cow::Owned(out)
    }

    fn highlight_hint<'h>(&self, hint: &'h str) -> Cow<'h, str> {
        if self.color {
            Cow::Owned(format!("\x1b[{}m{hint}\x1b[0m", sgr::HINT))
        } else {
            Cow::Borrowed(hint)
        }
    }

    fn highlight_char(&self, line: &str, _pos: usize, kind: CmdKind) -> bool {
        // Every keystroke can change a colour (a name becomes a built-in, a
        // parenthesis finds its partner): redraw the line each time, except
        // for the final redraw of an accepted line, which drops the match.
        self.show_match.set(kind != CmdKind::ForcedRefresh);
        self.color && !line.is_empty() && kind != CmdKind::ForcedRefresh
    }
}

/// Multi-line input is the loop's business (it shows a continuation
/// prompt, which a Validator cannot): every line is complete here. A
/// Validator answering `Invalid` would also glue lines together.
impl Validator for DerivHelper {}

impl Helper for DerivHelper {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statement_keywords_are_the_grammars() {
        for k in STATEMENT_KEYWORDS {
            let stmt = syntax::parse_line(&format!("x {k} 1")).expect("parses");
            assert!(
                matches!(stmt.kind, deriv::syntax::StmtKind::Report { .. }),
                "{k}"
            );
        }
    }

    #[test]
    fn alternatives_include_the_prompt_setting() {
        let set = COMMANDS
            .iter()
            .find(|c| PREVIEW_SYNTAX.starts_with(&format!(":{} ", c.name)))
            .expect("the command of PREVIEW_SYNTAX is in the table");
        assert!(alternatives(set).contains(&PREVIEW_SYNTAX));
    }

    #[test]
    fn repeated_slots() {
        let s = ["NAME", "..."];
        assert_eq!(slot(&s, 0), Some("NAME"));
        assert_eq!(slot(&s, 1), Some("NAME"));
        assert_eq!(slot(&s, 5), Some("NAME"));
        assert_eq!(slot(&["FILE"], 1), None);
    }

    /// The replacements offered for `line` with the cursor at its end.
    fn complete(h: &DerivHelper, line: &str) -> Vec<String> {
        let history = rustyline::history::DefaultHistory::new();
        let (_, c) = h
            .complete(line, line.len(), &Context::new(&history))
            .unwrap();
        c.into_iter().map(|p| p.replacement).collect()
    }

    fn helper() -> DerivHelper {
        let mut s = Session::new();
        s.eval_line("speed = 3").unwrap();
        s.eval_line("spring(k) = k^2").unwrap();
        DerivHelper::new(s, false)
    }

    #[test]
    fn completes_commands_and_their_arguments() {
        let h = helper();
        assert_eq!(complete(&h, ":gr"), vec![":grad "]);
        assert_eq!(complete(&h, ":va"), vec![":vars"]);
        assert_eq!(
            complete(&h, ":set "),
            vec!["check ", "digits ", "formulas ", "preview "]
        );
        assert_eq!(complete(&h, ":set formulas "), vec!["on", "off", "auto"]);
        assert_eq!(complete(&h, ":set check "), vec!["on", "off"]);
        assert_eq!(complete(&h, ":set digits "), vec!["auto"]);
        assert_eq!(complete(&h, ":set preview o"), vec!["on", "off"]);
        assert_eq!(complete(&h, ":help gr"), vec!["grad"]);
        assert!(complete(&h, ":help sy").contains(&"syntax".to_string()));
        assert_eq!(complete(&h, ":del sp"), vec!["speed ", "spring "]);
        assert_eq!(complete(&h, ":vars "), Vec::<String>::new());
        assert_eq!(complete(&h, "").len(), COMMANDS.len());
    }

    #[test]
    fn completes_names_and_the_keywords_that_fit() {
        let h = helper();
        assert_eq!(complete(&h, "sq"), vec!["sqrt("]);
        assert_eq!(complete(&h, "sp"), vec!["speed", "spring("]);
        assert_eq!(complete(&h, "2*p"), vec!["pi", "pow(", "prod("]);
        // `at` after an operand, once; `wrt` only where the command has it.
        assert_eq!(complete(&h, ":diff x^2 "), vec!["at ", "wrt "]);
        assert_eq!(complete(&h, ":diff x^2 w"), vec!["wrt "]);
        assert_eq!(complete(&h, ":grad x^2 "), vec!["at "]);
        assert!(!complete(&h, ":grad x^2 at ").contains(&"at ".to_string()));
        assert!(!complete(&h, "x + ").contains(&"at ".to_string()));
        // The start of a keyword after an operand is the keyword, not an
        // implicit product with a function.
        assert_eq!(complete(&h, "speed a"), vec!["at "]);
        assert_eq!(complete(&h, ":grad (x1+5)*x2^2 a"), vec!["at "]);
        assert_eq!(complete(&h, "speed ab"), vec!["abs("]);
    }

    #[test]
    fn hints_and_preview() {
        let mut h = helper();
        let history = rustyline::history::DefaultHistory::new();
        let ctx = Context::new(&history);
        let hint = |h: &DerivHelper, l: &str| h.hint(l, l.len(), &ctx).map(|x| x.display);
        assert_eq!(hint(&h, ":gr").as_deref(), Some("ad EXPR at POINT"));
        assert_eq!(hint(&h, ":grad ").as_deref(), Some("EXPR at POINT"));
        assert_eq!(
            hint(&h, ":grad x at").as_deref(),
            Some("  :grad EXPR at POINT")
        );
        assert_eq!(hint(&h, "speed*2").as_deref(), Some("  = 6"));
        assert_eq!(hint(&h, "v = spring(3)").as_deref(), Some("  = 9"));
        assert_eq!(hint(&h, "42"), None);
        assert_eq!(hint(&h, "f(x) = x"), None);
        assert_eq!(hint(&h, "nosuch + 1"), None);
        // A `:sym` being typed: its formula once it reads whole.
        assert_eq!(
            hint(&h, ":sym 3x^2 + 2x - 1").as_deref(),
            Some("  d/dx = 6x + 2")
        );
        assert_eq!(hint(&h, ":sym x^2*y").as_deref(), Some("  ∂/∂x = 2x*y, …"));
        assert_eq!(
            hint(&h, ":sym x^2*y wrt y").as_deref(),
            Some("  ∂/∂y = x^2")
        );
        assert_eq!(
            hint(&h, ":sym x^2 +").as_deref(),
            Some("  :sym EXPR [wrt X[, Y]] [at POINT]")
        );
        h.preview = false;
        assert_eq!(hint(&h, "speed*2"), None);
        assert_ne!(hint(&h, ":sym 3x^2").as_deref(), Some("  d/dx = 6x"));
    }

    #[test]
    fn highlighting_keeps_the_text() {
        let mut h = helper();
        h.color = true;
        let line = ":grad sin(speed) + 2 at x=1 # note";
        let out = h.highlight(line, 0).into_owned();
        let plain = out
            .split('\x1b')
            .enumerate()
            .map(|(i, p)| {
                if i == 0 {
                    p
                } else {
                    &p[p.find('m').map_or(0, |m| m + 1)..]
                }
            })
            .collect::<String>();
        assert_eq!(plain, line);
        assert!(out.contains("\x1b[1;34m:grad\x1b[0m"));
        assert!(out.contains("\x1b[36msin\x1b[0m"));
        assert!(out.contains("\x1b[32mspeed\x1b[0m"));
        assert!(out.contains("\x1b[35mat\x1b[0m"));
        assert!(h.highlight("1)", 0).contains("\x1b[1;31m)"));
    }

    #[test]
    fn unique_prefixes() {
        assert_eq!(unique_command("gr").map(|c| c.name), Some("grad"));
        assert_eq!(unique_command("grad").map(|c| c.name), Some("grad"));
        assert!(unique_command("zz").is_none());
    }
}
