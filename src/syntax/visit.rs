//! Walks over a syntax tree.

use super::ast::{Expr, ExprKind};
use crate::span::Span;

/// Visits every node of `e`, parents before children (iteratively: the depth
/// is bounded by the parser, but keep this safe regardless).
pub fn walk<'e>(e: &'e Expr, f: &mut impl FnMut(&'e Expr)) {
    let mut stack = vec![e];
    while let Some(x) = stack.pop() {
        f(x);
        match &x.kind {
            ExprKind::Unary(_, a) => stack.push(a),
            ExprKind::Binary { lhs, rhs, .. } => {
                stack.push(rhs);
                stack.push(lhs);
            }
            ExprKind::Call { args, .. } | ExprKind::Array(args) => stack.extend(args.iter().rev()),
            ExprKind::Index { base, indices } => {
                let parts: Vec<&Expr> = indices.iter().flat_map(|s| s.exprs()).collect();
                stack.extend(parts.into_iter().rev());
                stack.push(base);
            }
            _ => {}
        }
    }
}

/// Where the name `n` first appears in `e`.
pub fn name_span(e: &Expr, n: &str) -> Option<Span> {
    let mut found = None;
    walk(e, &mut |x| {
        if found.is_none()
            && let ExprKind::Name(m) = &x.kind
            && m == n
        {
            found = Some(x.span);
        }
    });
    found
}

/// The plain names in `e`, in order of first appearance.
pub fn names_in(e: &Expr) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    walk(e, &mut |x| {
        if let ExprKind::Name(n) = &x.kind
            && !out.contains(n)
        {
            out.push(n.clone());
        }
    });
    out
}
