//! Compile-fail tests of the derives' error messages: each case under
//! `tests/ui/` has a `.stderr` with the expected diagnostics, which must point
//! at the offending attribute, field or type.
//!
//! After a deliberate change of a message, regenerate with
//! `TRYBUILD=overwrite cargo test --workspace --locked --test derive_ui` and
//! review the diff. Use `--workspace` as the README's test command does: rustc
//! prints type paths (`String` or `std::string::String`) and lists of trait
//! impls according to the crates and features in the build, and those differ
//! between `--workspace` and `-p nzc`.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/*.rs");
}
