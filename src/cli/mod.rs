//! The binary's input and output: arguments, the script runner, the prompt,
//! and what both share: one `show()`, one Ctrl-C handler, one buffered
//! standard output, the progress bar.

pub mod args;
pub mod fit;
pub mod interrupt;
pub mod output;
pub mod progress;
pub mod repl;
pub mod script;
pub mod show;

pub use args::{Cli, ColorChoice};
