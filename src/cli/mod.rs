//! The binary's input and output: arguments, the progress bar, the prompt.

mod args;
pub mod progress;
pub mod repl;

pub use args::{Cli, ColorChoice};
