//! The command line, declared with clap; each flag documented where it is declared.

use clap::{ArgMatches, Parser, ValueEnum};
use std::path::PathBuf;

/// When to colour the output.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    /// Colour when writing to a terminal and NO_COLOR is not set.
    Auto,
    /// Always colour.
    Always,
    /// Never colour.
    Never,
}

/// deriv: a calculator for derivatives — gradients and Hessians by dual numbers
/// (automatic differentiation), cross-checked by finite differences.
///
/// With no FILE and no -e, reads statements from standard input: an interactive
/// prompt on a terminal, one statement per line from a pipe. FILEs and -e
/// statements run in the order they are given; `-` as a FILE is standard input.
#[derive(Debug, Parser)]
#[command(
    name = "deriv",
    version,
    after_help = "Examples:\n  deriv -e 'g(x1,x2) = (x1+5)*x2^2' -e ':grad g at 2, 3'\n  echo ':diff 3x^2+2x-1 at 1' | deriv\n  deriv -e 'a = 5' script.deriv -      (in this order; - is standard input)\n  deriv --json session.deriv\nInside deriv, type :help."
)]
pub struct Cli {
    /// Script files to run, in order with the -e statements (one statement per
    /// line; `#` starts a comment); `-` reads standard input.
    pub files: Vec<PathBuf>,

    /// Run one statement (repeatable; in order with the FILEs). A leading `-` is fine: -e "-x^2".
    #[arg(
        short = 'e',
        long = "eval",
        value_name = "STATEMENT",
        allow_hyphen_values = true
    )]
    pub eval: Vec<String>,

    /// Print one JSON object per statement (JSON Lines) instead of text.
    #[arg(long)]
    pub json: bool,

    /// Colour the output: auto (on a terminal, unless NO_COLOR is set), always or never.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, value_name = "WHEN")]
    pub color: ColorChoice,

    /// Do not run the finite-difference check under derivative results (same as `:set check off`).
    #[arg(long)]
    pub no_check: bool,

    /// Stop at the first statement that fails (by default a script goes on and exits 1 at the end).
    #[arg(long)]
    pub fail_fast: bool,

    /// Exit with status 1 when a finite-difference check does not pass (a
    /// failing or unconfirmed derivative), as when a statement fails: for CI.
    #[arg(long)]
    pub strict: bool,

    /// Stop any statement that runs longer than SECONDS (default 30).
    #[arg(long, value_name = "SECONDS", value_parser = parse_seconds)]
    pub time_limit: Option<std::time::Duration>,

    /// Print a completion script for SHELL (bash, zsh, fish, elvish, powershell) and exit.
    #[arg(long, value_enum, value_name = "SHELL")]
    pub completions: Option<clap_complete::Shell>,
}

/// One input of a run, in command-line order.
#[derive(Clone, Debug, PartialEq)]
pub enum Input {
    /// A script file.
    File(PathBuf),
    /// `-`: standard input.
    Stdin,
    /// The `n`th `-e` statement (1-based).
    Eval(usize, String),
}

impl Cli {
    /// The FILEs and -e statements interleaved as they were typed; `matches`
    /// are the ones `self` was built from (they know the positions).
    pub fn inputs(&self, matches: &ArgMatches) -> Vec<Input> {
        let at = |id: &str| -> Vec<usize> {
            matches
                .indices_of(id)
                .map(|i| i.collect())
                .unwrap_or_default()
        };
        let files = self.files.iter().zip(at("files")).map(|(f, i)| {
            let input = if f.as_os_str() == "-" {
                Input::Stdin
            } else {
                Input::File(f.clone())
            };
            (i, input)
        });
        let evals = self
            .eval
            .iter()
            .zip(at("eval"))
            .enumerate()
            .map(|(n, (e, i))| (i, Input::Eval(n + 1, e.clone())));
        let mut all: Vec<(usize, Input)> = files.chain(evals).collect();
        all.sort_by_key(|(i, _)| *i);
        all.into_iter().map(|(_, input)| input).collect()
    }
}

/// A positive number of seconds, such as `30` or `0.5`.
fn parse_seconds(s: &str) -> Result<std::time::Duration, String> {
    match s.parse::<f64>() {
        Ok(v) if v > 0.0 && v <= 1e6 => Ok(std::time::Duration::from_secs_f64(v)),
        _ => Err(format!("`{s}` is not a number of seconds (above 0)")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_is_well_formed() {
        Cli::command().debug_assert();
    }

    #[test]
    fn hyphen_values_after_e() {
        let c = Cli::try_parse_from(["deriv", "-e", "-x^2", "-e", "1+1"]).unwrap();
        assert_eq!(c.eval, vec!["-x^2", "1+1"]);
    }

    #[test]
    fn inputs_keep_the_command_line_order() {
        use clap::FromArgMatches;
        let m = Cli::command()
            .try_get_matches_from(["deriv", "-e", "a = 5", "s.deriv", "-", "-e", "a"])
            .unwrap();
        let c = Cli::from_arg_matches(&m).unwrap();
        assert_eq!(
            c.inputs(&m),
            vec![
                Input::Eval(1, "a = 5".into()),
                Input::File("s.deriv".into()),
                Input::Stdin,
                Input::Eval(2, "a".into()),
            ]
        );
    }
}
