//! The formula commands: `:sym EXPR [wrt x | wrt x, y] [at POINT] [as latex]`
//! and `:steps EXPR [wrt x]`.

use super::grammar::Rule;
use super::{Builder, ident_of, internal, span_of};
use crate::error::Error;
use crate::syntax::{Command, Ident, Span};
use pest::iterators::Pairs;

impl Builder<'_> {
    /// Builds `:sym` or `:steps` from the pairs after the command word,
    /// widening `span` to cover them.
    pub(super) fn formula_command(
        &mut self,
        rule: Rule,
        inner: Pairs<'_, Rule>,
        span: &mut Span,
    ) -> Result<Command, Error> {
        let mut expr = None;
        let mut wrt: Vec<Ident> = Vec::new();
        let mut point = None;
        let mut latex = false;
        for q in inner {
            let s = span_of(&q);
            *span = span.to(s);
            match q.as_rule() {
                Rule::expr => expr = Some(self.expr(q)?),
                Rule::wrt | Rule::wrt_pair => {
                    wrt = q
                        .into_inner()
                        .filter(|r| r.as_rule() == Rule::name)
                        .map(|r| ident_of(&r))
                        .collect();
                }
                Rule::point => {
                    let (pt, ps) = self.point(q)?;
                    *span = span.to(ps);
                    point = Some(pt);
                }
                Rule::as_latex => latex = true,
                _ => {}
            }
        }
        let expr = expr.ok_or_else(|| internal(*span))?;
        Ok(if rule == Rule::cmd_sym {
            Command::Sym {
                expr,
                wrt,
                point,
                latex,
            }
        } else {
            Command::Steps {
                expr,
                wrt: wrt.pop(),
            }
        })
    }
}
