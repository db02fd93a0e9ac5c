//! Code generation from the checked models in [`crate::ast`]. Everything
//! emitted names items by absolute path (`::nzc::…`, `::std::…`) and is
//! marked `#[automatically_derived]`; no helper names leak into the user's
//! scope.

pub mod enums;
pub mod model;
