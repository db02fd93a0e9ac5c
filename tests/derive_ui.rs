//! Compile-fail tests of the derives' error messages: each case under
//! `tests/ui/` has a `.stderr` with the expected diagnostics, which must point
//! at the offending attribute, field or type.
//!
//! After a deliberate change of a message, regenerate with
//! `TRYBUILD=overwrite cargo test -p nzc --test derive_ui` and review the diff.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/*.rs");
}
