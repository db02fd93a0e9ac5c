//! placeholder until `nzc compile` writes this crate
