//! nzc runtime: what generated models and app code use.
pub use nzc_macros::*;
