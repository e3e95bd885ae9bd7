//! STUB — truncated power series helpers (mul, div, exp, pow, integrate …).
