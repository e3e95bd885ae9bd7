//! Command options and settings, parsed once into typed values where the
//! command starts: `:min`'s [`Options`], `:plot`'s [`PlotOptions`], `:set`'s
//! [`Setting`]. A bad one is an error that names it and points at it.

use crate::error::{Error, ErrorKind};
use crate::limits;
use crate::optimize::{DEFAULT_LR, DEFAULT_NEWTON_LR, DEFAULT_STEPS, DEFAULT_TOL, Method, Options};
use crate::render::plot::DEFAULT_SAMPLES;
use crate::span::Span;
use crate::syntax::{Ident, Opt};

fn bad(o: &Opt, why: &str) -> Error {
    Error::new(
        ErrorKind::Command,
        format!("`{}={}`: {why}", o.key.name, o.value),
    )
    .at(o.value_span)
}

fn number(o: &Opt) -> Result<f64, Error> {
    match o.value.parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(v),
        _ => Err(bad(o, "expected a finite number")),
    }
}

/// `:min`'s options: reads `lr=`, `steps=`, `method=` and `tol=`; anything else is an error
/// naming the option.
pub(super) fn min_options(opts: &[Opt]) -> Result<Options, Error> {
    let mut method = Method::Gd;
    let mut lr = None;
    let mut steps = DEFAULT_STEPS;
    let mut tol = DEFAULT_TOL;
    for o in opts {
        match o.key.name.as_str() {
            "method" => {
                method = match o.value.as_str() {
                    "gd" | "sgd" => Method::Gd,
                    "momentum" => Method::Momentum,
                    "adam" => Method::Adam,
                    "newton" => Method::Newton,
                    _ => return Err(bad(o, "the methods are gd, momentum, adam and newton")),
                }
            }
            "lr" => {
                let v = number(o)?;
                if v <= 0.0 {
                    return Err(bad(o, "the learning rate must be positive"));
                }
                lr = Some(v);
            }
            "steps" => {
                let v = number(o)?;
                if v < 0.0 || v.fract() != 0.0 {
                    return Err(bad(o, "expected a whole number of steps"));
                }
                if v > limits::MAX_MIN_STEPS as f64 {
                    return Err(Error::limit(
                        &format!("`steps={}` is too many", o.value),
                        limits::MAX_MIN_STEPS,
                    )
                    .at(o.value_span));
                }
                steps = v as u64;
            }
            "tol" => {
                let v = number(o)?;
                if v < 0.0 {
                    return Err(bad(o, "the tolerance cannot be negative"));
                }
                tol = v;
            }
            other => {
                return Err(Error::new(
                    ErrorKind::Command,
                    format!("unknown option `{other}=` for :min"),
                )
                .at(o.key.span)
                .help("the options are lr=, steps=, method= and tol="));
            }
        }
    }
    let lr = lr.unwrap_or(if method == Method::Newton {
        DEFAULT_NEWTON_LR
    } else {
        DEFAULT_LR
    });
    Ok(Options {
        method,
        lr,
        steps,
        tol,
    })
}

/// `:plot`'s options.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct PlotOptions {
    /// `svg=FILE`, and where the file name was written.
    pub svg: Option<(String, Span)>,
    /// `samples=N`: points per curve.
    pub samples: usize,
    /// `ylim=A..B`: the y range to draw.
    pub ylim: Option<(f64, f64)>,
}

impl PlotOptions {
    /// Reads `svg=` and `samples=`; anything else is an error naming it.
    pub fn parse(opts: &[Opt]) -> Result<PlotOptions, Error> {
        let mut p = PlotOptions {
            svg: None,
            samples: DEFAULT_SAMPLES,
            ylim: None,
        };
        for o in opts {
            match o.key.name.as_str() {
                "svg" => p.svg = Some((o.value.clone(), o.value_span)),
                "samples" => p.samples = samples(o)?,
                "ylim" => p.ylim = Some(ylim(o)?),
                other => {
                    return Err(Error::new(
                        ErrorKind::Command,
                        format!("unknown option `{other}=` for :plot"),
                    )
                    .at(o.key.span)
                    .help("the options are svg=FILE, samples=N and ylim=A..B"));
                }
            }
        }
        Ok(p)
    }
}

/// `ylim=A..B`: two finite numbers (constants allowed: `-pi..pi`), `A < B`.
fn ylim(o: &Opt) -> Result<(f64, f64), Error> {
    let wrong = |why: &str| bad(o, why).help("write the y range as ylim=A..B, e.g. ylim=-5..5");
    let Some((a, b)) = o.value.split_once("..") else {
        return Err(wrong("expected a range A..B"));
    };
    let value = |t: &str| -> Result<f64, Error> {
        let e = crate::syntax::parse_expr(t).map_err(|_| wrong("expected numbers"))?;
        let mut budget = crate::engine::Budget::new(None);
        crate::engine::value(&crate::engine::Defs::default(), &e, &mut budget)
            .map_err(|_| wrong("expected numbers"))
    };
    let (lo, hi) = (value(a)?, value(b)?);
    if !(lo.is_finite() && hi.is_finite()) || lo >= hi {
        return Err(wrong(
            "the ends must be finite and the first below the second",
        ));
    }
    Ok((lo, hi))
}

fn samples(o: &Opt) -> Result<usize, Error> {
    match o.value.parse::<f64>() {
        Ok(v) if v.fract() == 0.0 && v >= 2.0 => {
            if v > limits::MAX_PLOT_SAMPLES as f64 {
                return Err(Error::limit(
                    &format!("`samples={}` is too many", o.value),
                    limits::MAX_PLOT_SAMPLES,
                )
                .at(o.value_span));
            }
            Ok(v as usize)
        }
        _ => Err(bad(o, "expected a whole number of at least 2")),
    }
}

/// One `:set NAME VALUE`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Setting {
    /// `check on|off`: run the finite-difference check under every result.
    Check(bool),
    /// `digits N|auto`: significant digits, or the shortest form.
    Digits(Option<usize>),
    /// `formulas on|off|auto`: the derivative's formula beside its number
    /// in `:diff` and `:grad` reports.
    Formulas(FormulaMode),
}

/// When `:diff` and `:grad` show the derivative's formula beside its number.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum FormulaMode {
    /// Never (scripts: their output stays as it was).
    #[default]
    Off,
    /// Always, when there is one (not for arrays, nor `gamma`).
    On,
    /// When it is short (at most [`FormulaMode::AUTO_WIDTH`] characters) and
    /// cheap to find (the prompt's default).
    Auto,
}

impl FormulaMode {
    /// The longest formula `auto` shows.
    pub const AUTO_WIDTH: usize = 60;

    /// Its name in `:set`.
    pub fn as_str(self) -> &'static str {
        match self {
            FormulaMode::Off => "off",
            FormulaMode::On => "on",
            FormulaMode::Auto => "auto",
        }
    }
}

impl Setting {
    /// Reads `name value`.
    pub(super) fn parse(name: &Ident, value: &Ident) -> Result<Setting, Error> {
        let bad = |what: &str| {
            Error::new(
                ErrorKind::Command,
                format!(
                    "`{}` is not a value for `{}`: {what}",
                    value.name, name.name
                ),
            )
            .at(value.span)
        };
        match name.name.as_str() {
            "check" => match value.name.as_str() {
                "on" | "true" | "yes" => Ok(Setting::Check(true)),
                "off" | "false" | "no" => Ok(Setting::Check(false)),
                _ => Err(bad("say `on` or `off`")),
            },
            "digits" => match value.name.as_str() {
                "auto" | "off" | "shortest" => Ok(Setting::Digits(None)),
                v => match v.parse::<usize>() {
                    Ok(d) if (1..=17).contains(&d) => Ok(Setting::Digits(Some(d))),
                    _ => Err(bad(
                        "say a number of significant digits from 1 to 17, or `auto`",
                    )),
                },
            },
            "formulas" => match value.name.as_str() {
                "on" | "true" | "yes" => Ok(Setting::Formulas(FormulaMode::On)),
                "off" | "false" | "no" => Ok(Setting::Formulas(FormulaMode::Off)),
                "auto" => Ok(Setting::Formulas(FormulaMode::Auto)),
                _ => Err(bad("say `on`, `off` or `auto`")),
            },
            other => Err(
                Error::new(ErrorKind::Command, format!("unknown setting `{other}`"))
                    .at(name.span)
                    .help(
                        "the settings are `check` (on|off), `digits` (1–17 or auto) and `formulas` (on|off|auto)",
                    ),
            ),
        }
    }
}
