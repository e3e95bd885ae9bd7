//! The `:commands`, one builder per family: derivatives, workflows, files,
//! and the session's own (settings, definitions, help).

use super::grammar::Rule;
use super::{Builder, ident_of, internal, span_of};
use crate::error::Error;
use crate::syntax::{Command, Domain, Expr, Ident, Opt, Range, Span};
use pest::iterators::{Pair, Pairs};

/// What a workflow command wrote after its command word.
#[derive(Default)]
struct Parts {
    exprs: Vec<Expr>,
    point: Option<crate::syntax::Point>,
    wrt: Option<Ident>,
    order: Option<Expr>,
    range: Option<Range>,
    values: Option<Expr>,
    step: Option<Expr>,
    options: Vec<Opt>,
}

impl Builder<'_> {
    /// A command and the span of the whole command.
    pub(super) fn command(&mut self, p: Pair<'_, Rule>) -> Result<(Command, Span), Error> {
        let rule = p.as_rule();
        let mut inner = p.into_inner();
        let head = inner.next().ok_or_else(|| internal(Span::default()))?;
        let mut span = span_of(&head);
        let command = match rule {
            Rule::cmd_grad | Rule::cmd_hess | Rule::cmd_check | Rule::cmd_diff => {
                self.derivative_command(rule, inner, &mut span)?
            }
            Rule::cmd_jac
            | Rule::cmd_limit
            | Rule::cmd_tangent
            | Rule::cmd_taylor
            | Rule::cmd_trace
            | Rule::cmd_min
            | Rule::cmd_plot
            | Rule::cmd_table => {
                let parts = self.workflow_parts(rule, inner, &mut span)?;
                workflow_command(rule, parts, span)?
            }
            Rule::cmd_sym | Rule::cmd_steps => self.formula_command(rule, inner, &mut span)?,
            Rule::cmd_load | Rule::cmd_save | Rule::cmd_data => {
                file_command(rule, inner, &mut span)?
            }
            _ => session_command(rule, inner, &mut span)?,
        };
        Ok((command, span))
    }

    /// `:grad`, `:hess`, `:check`, `:diff`.
    fn derivative_command(
        &mut self,
        rule: Rule,
        inner: Pairs<'_, Rule>,
        span: &mut Span,
    ) -> Result<Command, Error> {
        let mut expr = None;
        let mut point = None;
        let mut wrt: Option<Ident> = None;
        for q in inner {
            match q.as_rule() {
                Rule::expr => expr = Some(self.expr(q)?),
                Rule::point => {
                    let (pt, s) = self.point(q)?;
                    *span = span.to(s);
                    point = Some(pt);
                }
                Rule::wrt => {
                    let s = span_of(&q);
                    *span = span.to(s);
                    set_wrt(&mut wrt, q)?;
                }
                _ => {}
            }
        }
        let (Some(expr), Some(point)) = (expr, point) else {
            return Err(internal(*span));
        };
        Ok(match rule {
            Rule::cmd_grad => Command::Grad { expr, point },
            Rule::cmd_hess => Command::Hess { expr, point },
            Rule::cmd_check => Command::Check { expr, point },
            _ => Command::Diff { expr, wrt, point },
        })
    }

    /// The pieces a workflow command wrote, in any order the grammar allows.
    fn workflow_parts(
        &mut self,
        rule: Rule,
        inner: Pairs<'_, Rule>,
        span: &mut Span,
    ) -> Result<Parts, Error> {
        let mut p = Parts::default();
        for q in inner {
            let s = span_of(&q);
            *span = span.to(s);
            match q.as_rule() {
                Rule::expr => p.exprs.push(self.expr(q)?),
                Rule::expr_list => {
                    for e in q.into_inner() {
                        p.exprs.push(self.expr(e)?);
                    }
                }
                Rule::point => {
                    let (pt, ps) = self.point(q)?;
                    *span = span.to(ps);
                    p.point = Some(pt);
                }
                Rule::wrt => set_wrt(&mut p.wrt, q)?,
                Rule::order | Rule::step => {
                    let e = q
                        .into_inner()
                        .find(|r| r.as_rule() == Rule::expr)
                        .ok_or_else(|| internal(s))?;
                    let e = self.expr(e)?;
                    if rule == Rule::cmd_taylor {
                        p.order = Some(e);
                    } else {
                        p.step = Some(e);
                    }
                }
                Rule::range => p.range = Some(self.range(q)?),
                Rule::values => {
                    let e = q.into_inner().next().ok_or_else(|| internal(s))?;
                    p.values = Some(self.expr(e)?);
                }
                Rule::option => {
                    let o = option(q)?;
                    if p.options.iter().any(|x| x.key.name == o.key.name) {
                        return Err(Error::parse(
                            format!("`{}=` is given twice", o.key.name),
                            o.key.span,
                        ));
                    }
                    p.options.push(o);
                }
                _ => {}
            }
        }
        Ok(p)
    }

    /// `A..B`.
    fn range(&mut self, q: Pair<'_, Rule>) -> Result<Range, Error> {
        let s = span_of(&q);
        let mut ends = q.into_inner().filter(|r| r.as_rule() == Rule::expr);
        let (Some(a), Some(b)) = (ends.next(), ends.next()) else {
            return Err(internal(s));
        };
        Ok(Range {
            from: self.expr(a)?,
            to: self.expr(b)?,
            span: s,
        })
    }
}

/// `wrt NAME`, refused when given twice.
fn set_wrt(wrt: &mut Option<Ident>, q: Pair<'_, Rule>) -> Result<(), Error> {
    let s = span_of(&q);
    let name = q
        .into_inner()
        .find(|r| r.as_rule() == Rule::name)
        .ok_or_else(|| internal(s))?;
    if wrt.is_some() {
        return Err(Error::parse("`wrt` is given twice", s));
    }
    *wrt = Some(ident_of(&name));
    Ok(())
}

/// `key=value`, the value unquoted.
fn option(q: Pair<'_, Rule>) -> Result<Opt, Error> {
    let s = span_of(&q);
    let mut parts = q.into_inner();
    let key = parts.next().ok_or_else(|| internal(s))?;
    let v = parts
        .find(|r| r.as_rule() != Rule::eq)
        .ok_or_else(|| internal(s))?;
    let (value, value_span) = if v.as_rule() == Rule::quoted_path {
        let vs = span_of(&v);
        let t = v.into_inner().next().ok_or_else(|| internal(vs))?;
        (t.as_str().to_string(), span_of(&t))
    } else {
        (v.as_str().to_string(), span_of(&v))
    };
    Ok(Opt {
        key: ident_of(&key),
        value,
        value_span,
    })
}

/// `:jac :limit :tangent :taylor :trace :min :plot :table` from their parts.
fn workflow_command(rule: Rule, p: Parts, span: Span) -> Result<Command, Error> {
    let Parts {
        mut exprs,
        point,
        wrt,
        order,
        range,
        values,
        step,
        options,
    } = p;
    let on = || match (range, values) {
        (Some(r), _) => Ok(Domain::Range(r, step)),
        (None, Some(v)) => Ok(Domain::Values(v)),
        (None, None) => Err(internal(span)),
    };
    let point = || point.clone().ok_or_else(|| internal(span));
    let mut one = || exprs.pop().ok_or_else(|| internal(span));
    Ok(match rule {
        Rule::cmd_jac => Command::Jac {
            point: point()?,
            exprs,
        },
        Rule::cmd_limit => Command::Limit {
            expr: one()?,
            wrt,
            point: point()?,
        },
        Rule::cmd_tangent => Command::Tangent {
            expr: one()?,
            point: point()?,
        },
        Rule::cmd_taylor => Command::Taylor {
            expr: one()?,
            point: point()?,
            order,
        },
        Rule::cmd_trace => Command::Trace {
            expr: one()?,
            wrt,
            point: point()?,
        },
        Rule::cmd_min => Command::Min {
            expr: one()?,
            point: point()?,
            options,
        },
        Rule::cmd_plot => Command::Plot {
            on: on()?,
            exprs,
            options,
        },
        _ => Command::Table { on: on()?, exprs },
    })
}

/// `:load FILE`, `:save FILE`, `:data [NAME =] FILE`.
fn file_command(rule: Rule, mut inner: Pairs<'_, Rule>, span: &mut Span) -> Result<Command, Error> {
    let mut q = inner.next().ok_or_else(|| internal(*span))?;
    let mut name = None;
    if q.as_rule() == Rule::name {
        name = Some(ident_of(&q));
        inner.next();
        q = inner.next().ok_or_else(|| internal(*span))?;
    }
    let (path, path_span) = match q.as_rule() {
        Rule::quoted_path => {
            let whole = span_of(&q);
            let text = q.into_inner().next().ok_or_else(|| internal(whole))?;
            if text.as_str().is_empty() {
                return Err(Error::parse("the file name is empty", whole));
            }
            *span = span.to(whole);
            (text.as_str().to_string(), span_of(&text))
        }
        _ => {
            *span = span.to(span_of(&q));
            if rule == Rule::cmd_data && name.is_none() {
                not_a_name(q.as_str(), span_of(&q))?;
            }
            (q.as_str().to_string(), span_of(&q))
        }
    };
    let span = path_span;
    Ok(match rule {
        Rule::cmd_data => Command::Data { name, path, span },
        Rule::cmd_load => Command::Load { path, span },
        _ => Command::Save { path, span },
    })
}

/// `:data WORD = FILE` where WORD cannot be a name (`at`, `2x`): the
/// grammar read the whole as a file name, but the user meant a name.
fn not_a_name(text: &str, span: Span) -> Result<(), Error> {
    let Some((word, rest)) = text.split_once('=') else {
        return Ok(());
    };
    let trimmed = word.trim_end();
    if trimmed.is_empty() || rest.trim().is_empty() || trimmed.contains(['/', '\\', '.']) {
        return Ok(());
    }
    let at = Span::new(span.start, span.start + trimmed.len());
    if super::RESERVED.contains(&trimmed) {
        return Err(super::diagnose::reserved(trimmed, at));
    }
    let spaced = word.len() != trimmed.len() || rest.starts_with(' ');
    if spaced {
        return Err(Error::parse(
            format!(
                "`{trimmed}` is not a name: a name is a letter or `_`, then letters, digits, `_`"
            ),
            at,
        )
        .help("`:data NAME = FILE.csv` binds the table as a matrix NAME"));
    }
    Ok(())
}

/// `:set`, `:del`, `:help`, `:vars`, `:funcs`, `:clear`, `:quit`.
fn session_command(
    rule: Rule,
    mut inner: Pairs<'_, Rule>,
    span: &mut Span,
) -> Result<Command, Error> {
    Ok(match rule {
        Rule::cmd_set => {
            let option = match (inner.next(), inner.next()) {
                (Some(o), Some(v)) => {
                    *span = span.to(span_of(&v));
                    Some((ident_of(&o), ident_of(&v)))
                }
                _ => None,
            };
            Command::Set { option }
        }
        Rule::cmd_del => {
            let names: Vec<Ident> = inner.map(|q| ident_of(&q)).collect();
            if let Some(last) = names.last() {
                *span = span.to(last.span);
            }
            Command::Del { names }
        }
        Rule::cmd_help => {
            let topic = inner.next().map(|q| {
                let s = span_of(&q);
                *span = span.to(s);
                // `:help :grad` is `:help grad`; the span keeps the colon.
                Ident {
                    name: q.as_str().trim_start_matches(':').to_string(),
                    span: s,
                }
            });
            Command::Help { topic }
        }
        Rule::cmd_vars => Command::Vars,
        Rule::cmd_funcs => Command::Funcs,
        Rule::cmd_clear => Command::Clear,
        Rule::cmd_quit => Command::Quit,
        _ => return Err(internal(*span)),
    })
}
