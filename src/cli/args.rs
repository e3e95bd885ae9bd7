//! The command line, declared with clap; each flag documented where it is declared.

use clap::{Parser, ValueEnum};
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

/// deriv: a calculator for derivatives — exact gradients and Hessians by dual
/// numbers, cross-checked by finite differences.
///
/// With no FILE and no -e, reads statements from standard input: an interactive
/// prompt on a terminal, one statement per line from a pipe.
#[derive(Debug, Parser)]
#[command(
    name = "deriv",
    version,
    after_help = "Examples:\n  deriv -e 'g(x1,x2) = (x1+5)*x2^2' -e ':grad g at 2, 3'\n  echo ':diff 3x^2+2x-1 at 1' | deriv\n  deriv --json session.deriv\nInside deriv, type :help."
)]
pub struct Cli {
    /// Script files to run, in order (one statement per line; `#` starts a comment).
    pub files: Vec<PathBuf>,

    /// Run one statement (repeatable; runs after any FILE). A leading `-` is fine: -e "-x^2".
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

    /// Print a completion script for SHELL (bash, zsh, fish, elvish, powershell) and exit.
    #[arg(long, value_enum, value_name = "SHELL")]
    pub completions: Option<clap_complete::Shell>,
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
}
