//! The prompt's view of the line being typed: the library's forgiving
//! tokenizer (the one the parser's error messages use), plus the few
//! questions the prompt asks of its tokens.

pub use deriv::syntax::tokens::{Kind, Token};

/// Splits the statement being typed into tokens covering every byte.
pub fn tokens(line: &str) -> Vec<Token> {
    deriv::syntax::tokens::tokenize(line, true)
}

/// How many parentheses are open at the end of `line` (never negative: a
/// stray `)` is the parser's to report).
pub fn open_parens(line: &str) -> usize {
    let mut depth = 0usize;
    for t in tokens(line) {
        match t.kind {
            Kind::Open => depth += 1,
            Kind::Close => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    depth
}

/// For each parenthesis, the index (in `toks`) of its partner, if it has one.
pub fn partners(toks: &[Token]) -> Vec<Option<usize>> {
    let mut out = vec![None; toks.len()];
    let mut stack = Vec::new();
    for (i, t) in toks.iter().enumerate() {
        match t.kind {
            Kind::Open => stack.push(i),
            Kind::Close => {
                if let Some(j) = stack.pop() {
                    out[i] = Some(j);
                    out[j] = Some(i);
                }
            }
            _ => {}
        }
    }
    out
}

/// The tokens that are not spaces.
pub fn words(toks: &[Token]) -> impl Iterator<Item = &Token> {
    toks.iter().filter(|t| t.kind != Kind::Space)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_open_parentheses() {
        assert_eq!(open_parens("sin((x)"), 1);
        assert_eq!(open_parens("(x))"), 0);
        assert_eq!(open_parens(":load \"a(b\""), 0);
        assert_eq!(open_parens("1 # ((("), 0);
        assert_eq!(open_parens("(1+ é"), 1);
    }

    #[test]
    fn pairs_parentheses() {
        let toks = tokens("(a(b)) )");
        let p = partners(&toks);
        assert_eq!(p[0], Some(5));
        assert_eq!(p[2], Some(4));
        assert_eq!(p[7], None);
    }
}
